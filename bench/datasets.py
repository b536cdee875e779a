"""Benchmark data sets: the 10k real books of goodbooks-10k, and generated 100k / 1M sets.

Generation is deterministic (seeded) and loads in bulk on the raw DBAPI connection
(executemany on SQLite, COPY on PostgreSQL), with the plain indexes built after the load. Every set also gets copies (1.2 per
book), 5,000 members, a campaign with donations and a loan history (100,000 loans).
"""

from __future__ import annotations

import csv
import itertools
import random
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.barcodes import ean13_check_digit, internal_code
from app.campaigns import tally
from app.catalog.index import signature, text_grams
from app.catalog.store import search_text
from app.isbn import ScanKind, parse_scan
from app.models import (
    BarcodeCounter,
    Book,
    Campaign,
    Copy,
    Donation,
    Loan,
    Member,
    SearchGram,
)

CHUNK = 20_000
N_MEMBERS = 5_000
N_LOANS = 100_000
COPIES_PER_BOOK = 1.2
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

# Real Korean words and name parts; pseudo-words from common syllables fill the long tail.
KOREAN_WORDS = (
    "소년 소녀 바다 여름 겨울 마음 사랑 시간 도시 기억 나무 하늘 고양이 편의점 백화점 마법사 "
    "해리 포터 비밀 정원 우주 여행 역사 철학 과학 경제 심리 요리 건강 음악 미술 그림 동물 "
    "친구 가족 엄마 아빠 학교 선생님 수학 영어 한국 세계 전쟁 평화 자연 환경 기후 미래 과거 "
    "인간 생각 행복 용기 희망 꿈 별 달 해 바람 눈 비 꽃 숲 산 강 섬 길 집 방 창문 문 편지 "
    "일기 노래 시 소설 이야기 모험 탐정 살인 사건 추리 괴물 유령 왕자 공주 기사 전설 신화 "
    "코스모스 사피엔스 아몬드 데미안 채식주의자 작별 불편한 달러구트 물고기 미움 용기 "
    "부자 가난 돈 투자 주식 부동산 창업 회사 일 직업 리더 성공 습관 공부 독서 글쓰기 말 "
    "대화 관계 사람 마을 카페 책 도서관 서점 빵 커피 차 밥 김치 여행자 지도 기차 비행기"
).split()
KOREAN_SYLLABLES = list(
    "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호"
    "구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히한국민정성영수진현준서윤지"
)
KOREAN_SUFFIXES = ["", "", "", " 이야기", "의 비밀", "와 나", " 수업", "의 시간", " 1", " 2"]
KOREAN_SURNAMES = list("김이박최정강조윤장임한오서신권황안송전홍")
KOREAN_GIVEN = list("민서지현준우영수진하은도윤예원시호유나연주성희경태")
KOREAN_PUBLISHERS = ["창비", "문학동네", "민음사", "김영사", "위즈덤하우스", "열린책들", "한빛미디어",
                     "길벗", "사계절", "비룡소", "문학과지성사", "알에이치코리아", "다산북스"]
ENGLISH_WORDS = (
    "the of and a in to night day house garden secret stone fire ice sea river city king queen "
    "war peace love time world life death story history song book last first little great "
    "dark light shadow blood winter summer girl boy man woman children mountain road star sun "
    "moon island dream heart mind journey return empire kingdom wolf dragon magic school "
    "murder mystery case lost found hidden silent wild broken golden silver red black white"
).split()
ENGLISH_FIRST = ("James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
                 "Susan Richard Jessica Joseph Sarah Thomas Karen Charles Nancy").split()
ENGLISH_LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
                "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin").split()
ENGLISH_PUBLISHERS = ["Penguin", "HarperCollins", "Random House", "Vintage", "Scholastic",
                      "Simon & Schuster", "Macmillan", "Bloomsbury"]


def _isbn13(prefix: str, serial: int) -> str:
    body = f"{prefix}{serial:0{12 - len(prefix)}d}"
    return body + ean13_check_digit(body)


def _chunks(rows: Iterable, size: int = CHUNK) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _book_row(book_id: int, **values) -> dict:
    values.setdefault("subtitle", None)
    values.setdefault("isbn10", None)
    values.setdefault("kdc", None)
    values.setdefault("addon_code", None)
    row = dict(
        id=book_id, metadata_source="bench", needs_metadata=False, description=None,
        created_by_id=None, addon_reader_group=None, addon_form=None, addon_subject=None,
        **values,
    )
    if row["addon_code"]:
        code = row["addon_code"]
        row.update(addon_reader_group=code[0], addon_form=code[1], addon_subject=code[2:])
    row["search_text"] = search_text(row)
    row["updated_at"] = row["created_at"]
    return row


def goodbooks_rows(csv_path: Path) -> Iterator[dict]:
    """Yield book rows from goodbooks-10k, with the ISBN damage repaired where unambiguous."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        seen: set[str] = set()
        for i, rec in enumerate(csv.DictReader(fh), start=1):
            isbn13 = None
            raw = (rec.get("isbn") or "").strip()
            if raw:
                scan = parse_scan(raw.zfill(10))
                if scan.kind is ScanKind.ISBN and scan.isbn13 not in seen:
                    isbn13 = scan.isbn13
                    seen.add(isbn13)
            year = rec.get("original_publication_year") or ""
            year_int = int(float(year)) if year else None
            yield _book_row(
                i, isbn13=isbn13, title=(rec.get("title") or "untitled").strip()[:500],
                authors="; ".join(a.strip() for a in rec["authors"].split(",") if a.strip()),
                publisher=None, year=year_int if year_int and 0 <= year_int <= 2200 else None,
                language="en" if (rec.get("language_code") or "eng").startswith("en") else
                rec["language_code"][:8], kdc_class="8",
                created_at=EPOCH + timedelta(minutes=i),
            )


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def generated_rows(n: int, seed: int) -> Iterator[dict]:
    """Yield n generated books: about 60% Korean, 40% English, valid unique ISBNs."""
    rng = random.Random(seed)
    pseudo = [rng.choice(KOREAN_SYLLABLES) + rng.choice(KOREAN_SYLLABLES) for _ in range(3000)]
    vocabulary = KOREAN_WORDS + pseudo
    # Zipf-like weights: a few words are common, most are rare (as in real titles).
    weights = _cumulative([1 / (rank + 1) ** 0.9 for rank in range(len(vocabulary))])
    english_weights = _cumulative([1 / (rank + 1) ** 0.8 for rank in range(len(ENGLISH_WORDS))])
    for i in range(1, n + 1):
        created = EPOCH + timedelta(seconds=i * (86400 * 700 // max(n, 1)))
        if rng.random() < 0.6:
            words = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(1, 3))
            title = " ".join(words) + rng.choice(KOREAN_SUFFIXES)
            author = rng.choice(KOREAN_SURNAMES) + rng.choice(KOREAN_GIVEN) + rng.choice(
                KOREAN_GIVEN)
            kdc_class = str(rng.randint(0, 9))
            addon = (f"{rng.choice('0000147')}{rng.choice('333334')}{kdc_class}"
                     f"{rng.randint(0, 99):02d}")
            yield _book_row(
                i, isbn13=_isbn13("97911", i), title=title, authors=author,
                publisher=rng.choice(KOREAN_PUBLISHERS), year=rng.randint(1980, 2025),
                language="ko", kdc_class=kdc_class, addon_code=addon, created_at=created,
            )
        else:
            words = rng.choices(ENGLISH_WORDS, cum_weights=english_weights, k=rng.randint(2, 5))
            title = " ".join(words).capitalize()
            author = f"{rng.choice(ENGLISH_FIRST)} {rng.choice(ENGLISH_LAST)}"
            yield _book_row(
                i, isbn13=_isbn13("9781", i), title=title, authors=author,
                publisher=rng.choice(ENGLISH_PUBLISHERS), year=rng.randint(1900, 2025),
                language="en", kdc_class="8", created_at=created,
            )


class BulkWriter:
    """Raw bulk inserts on one connection: executemany on SQLite, COPY on PostgreSQL.

    SQLAlchemy's per-row parameter processing took most of the load time of the 1M set, so
    rows go to the DBAPI cursor directly; the few values SQLite cannot store as they are
    (UTC datetimes, dates, booleans) are converted per column, as the app's column types would.
    """

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.raw = conn.connection.driver_connection

    @staticmethod
    def _sqlite_converter(column: sa.Column):
        kind = column.type
        if isinstance(kind, sa.types.TypeDecorator):
            kind = kind.impl
        if isinstance(kind, sa.DateTime):
            return lambda v: None if v is None else (
                v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"))
        if isinstance(kind, sa.Date):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(kind, sa.Boolean):
            return lambda v: None if v is None else int(v)
        return None

    def insert(self, table: sa.Table, rows: Iterable[dict]) -> int:
        """Insert dict rows (all with the same keys) into `table`; return how many."""
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        names = [c.name for c in table.columns if c.name in first]
        return self.insert_tuples(table, names, (
            tuple(row[n] for n in names) for row in itertools.chain([first], rows)))

    def insert_tuples(self, table: sa.Table, names: list[str], rows: Iterable[tuple]) -> int:
        count = 0
        if self.sqlite:
            converters = [(i, f) for i, n in enumerate(names)
                          if (f := self._sqlite_converter(table.c[n])) is not None]
            statement = (f"INSERT INTO {table.name} ({', '.join(names)}) "
                         f"VALUES ({', '.join('?' * len(names))})")
            cursor = self.raw.cursor()
            for chunk in _chunks(rows):
                if converters:
                    chunk = [list(r) for r in chunk]
                    for r in chunk:
                        for i, f in converters:
                            r[i] = f(r[i])
                cursor.executemany(statement, chunk)
                count += len(chunk)
            cursor.close()
            return count
        with self.raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def drop_indexes(self, tables: list[str]) -> list[str]:
        """Drop the plain (non-constraint) indexes of `tables`; return their DDL to recreate."""
        if self.sqlite:
            found = self.conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('?' * len(tables))})", tuple(tables)).all()
        else:
            found = self.conn.execute(sa.text(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(:t) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
                {"t": tables}).all()
        for name, _sql in found:
            self.conn.exec_driver_sql(f"DROP INDEX {name}")
        return [sql for _name, sql in found]

    def create_indexes(self, ddl: list[str]) -> None:
        for sql in ddl:
            self.conn.exec_driver_sql(sql)


BULK_TABLES = ["member", "donation", "book", "copy", "loan", "search_gram"]


@contextmanager
def bulk_connection(engine: sa.Engine) -> Iterator[BulkWriter]:
    """One transaction for a bulk load, with the plain indexes rebuilt at the end.

    On SQLite the load runs without fsync or foreign-key checks (the data set is
    written to a scratch file that is renamed only once complete).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            for pragma in ("foreign_keys = OFF", "synchronous = OFF",
                           "cache_size = -1000000", "temp_store = MEMORY"):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
        else:
            # No per-row foreign-key triggers during COPY (the generator's ids are consistent;
            # the benchmark's cluster is ours, so we are superuser).
            conn.exec_driver_sql("SET session_replication_role = replica")
            conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        writer = BulkWriter(conn)
        ddl = writer.drop_indexes(BULK_TABLES)
        # campaign_book's triggers (off for COPY on PostgreSQL anyway): one recount instead.
        for statement in tally.drop_statements(conn.dialect.name):
            conn.exec_driver_sql(statement)
        yield writer
        writer.create_indexes(ddl)
        tally.install(conn)
        tally.rebuild(conn)
        if conn.dialect.name != "sqlite":
            conn.exec_driver_sql("SET session_replication_role = DEFAULT")
            # Rows came with their ids: move each id sequence past them.
            for table in ("member", "donation", "book", "copy", "loan"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        conn.commit()
        if conn.dialect.name != "sqlite":
            # What autovacuum gives a real database after a bulk load: statistics, and the
            # visibility map without which PostgreSQL reads the table behind every index
            # entry instead of scanning the index alone (the search index's signatures).
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE)")


def load(engine: sa.Engine, books: Iterator[dict], *, seed: int, site_id: int,
         campaign_id: int | None = None) -> dict:
    """Insert books, copies, members, donations, loans and the search index; return counts."""
    rng = random.Random(seed + 1)
    counts = {"books": 0, "copies": 0, "members": 0, "loans": 0, "donations": 0}
    with bulk_connection(engine) as bulk:
        password_hash = "scrypt:32768:8:1$bench$" + "0" * 64  # nobody logs in as these
        counts["members"] = bulk.insert(Member.__table__, (
            dict(id=i, email=f"bench{i}@example.com", name=f"회원{i}", phone=None,
                 password_hash=password_hash, role="member",
                 card_barcode=internal_code("202", 100_000 + i), locale="ko",
                 keep_history=False, donor_named=i % 3 == 0, active=True,
                 session_token=f"{i:032x}", site_id=site_id, created_at=EPOCH)
            for i in range(1, N_MEMBERS + 1)))
        n_donations = 2_000
        counts["donations"] = bulk.insert(Donation.__table__, (
            dict(id=i, donor_id=(i % N_MEMBERS) + 1 if i % 4 else None, anonymous=i % 4 == 0,
                 campaign_id=campaign_id, site_id=site_id,
                 received_at=EPOCH + timedelta(hours=i), received_by_id=None)
            for i in range(1, n_donations + 1)))
        copy_id = 0
        copy_books = array("i", [0])  # each copy's book, by copy id
        for chunk in _chunks(books):
            counts["books"] += bulk.insert(Book.__table__, chunk)
            copies = []
            for book in chunk:
                n_copies = 2 if rng.random() < COPIES_PER_BOOK - 1 else 1
                for _ in range(n_copies):
                    copy_id += 1
                    copy_books.append(book["id"])
                    copies.append(dict(
                        id=copy_id, barcode=internal_code("201", copy_id), book_id=book["id"],
                        site_id=site_id, status="available", call_number=None, shelf=None,
                        donation_id=rng.randint(1, n_donations), note=None,
                        created_at=book["created_at"], status_changed_at=book["created_at"],
                        created_by_id=None, label_printed_at=book["created_at"]))
            counts["copies"] += bulk.insert(Copy.__table__, copies)
        bulk.insert(BarcodeCounter.__table__, [
            dict(prefix="201", last_serial=copy_id),
            dict(prefix="202", last_serial=100_000 + N_MEMBERS)])
        counts["loans"] = _load_loans(bulk, rng, copy_books, site_id)
        counts["grams"] = _load_grams(bulk)
    return counts


def _load_loans(bulk: BulkWriter, rng: random.Random, copy_books: array, site_id: int) -> int:
    """A history of returned loans over two years, plus a few hundred open ones.

    Stored in checkout order, ids too, as a real loan table grows: a month's loans sit
    together in the table, not spread over every page of it.
    """
    n_copies = len(copy_books) - 1
    open_copies = sorted(rng.sample(range(1, n_copies + 1), k=min(500, n_copies // 10)))
    loans = []
    for i in range(N_LOANS):
        member = rng.randint(1, N_MEMBERS)
        out = EPOCH + timedelta(minutes=rng.randint(0, 60 * 24 * 690))
        is_open = i < len(open_copies)
        copy = open_copies[i] if is_open else rng.randint(1, n_copies)
        back = None if is_open else out + timedelta(days=rng.randint(1, 20))
        loans.append((out, copy, member if (is_open or i % 5 == 0) else None, back, member))
    loans.sort(key=lambda loan: loan[0])

    def rows():
        for n, (out, copy, member_id, back, member) in enumerate(loans, start=1):
            yield dict(
                id=n, copy_id=copy, book_id=copy_books[copy], member_id=member_id,
                site_id=site_id, checked_out_at=out, due_on=(out + timedelta(days=14)).date(),
                renewals=0, returned_at=back, checked_out_by_id=None, returned_by_id=None,
                borrower_key=f"{member:06d}-{out:%Y%m}")

    count = bulk.insert(Loan.__table__, rows())
    if open_copies:
        bulk.conn.execute(sa.update(Copy).where(Copy.id.in_(open_copies))
                          .values(status="on_loan"))
    return count


def _load_grams(bulk: BulkWriter) -> int:
    """Fill the search index (search_gram) for every book, in (gram, book_id) order.

    The bigrams are bucketed per gram in memory (book ids arrive in order), so the primary
    key's B-tree is built by appending; each row carries its book's bigram signature.
    """
    buckets: dict[str, array] = {}
    max_id = bulk.conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM book")).scalar()
    sigs = array("q", bytes(8 * (max_id + 1)))  # by book id
    result = bulk.conn.execute(sa.text("SELECT id, search_text FROM book ORDER BY id"))
    for book_id, text in result:
        grams = text_grams(text)
        sigs[book_id] = signature(grams)
        for gram in grams:
            bucket = buckets.get(gram)
            if bucket is None:
                bucket = buckets[gram] = array("q")
            bucket.append(book_id)
    return bulk.insert_tuples(SearchGram.__table__, ["gram", "book_id", "sig"], (
        (gram, book_id, sigs[book_id]) for gram in sorted(buckets) for book_id in buckets[gram]))


def make_campaign(conn_engine: sa.Engine, site_id: int) -> int:
    """Insert the benchmark's campaign and return its id."""
    with conn_engine.begin() as conn:
        return conn.execute(sa.insert(Campaign).values(
            name="북카페 활성화 캠페인", goal_books=1500, starts_on=date(2024, 1, 1),
            ends_on=None, is_active=True, is_default=True, site_id=site_id,
            created_at=EPOCH).returning(Campaign.id)).scalar_one()
