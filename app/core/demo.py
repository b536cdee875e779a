"""Demo data for `flask library seed-demo`: books, members, a campaign, loans."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.services import create_member
from app.catalog import callnumbers, store
from app.core.defaults import default_site, loan_rules
from app.core.numbering import next_copy_barcode
from app.extensions import db
from app.models import (
    Book,
    Campaign,
    Copy,
    CopyStatus,
    Donation,
    Hold,
    LabelQueueItem,
    Loan,
    Member,
    Role,
)

# (ISBN-13, title, authors, publisher, year, add-on code, KDC)
KOREAN_BOOKS = [
    ("9788936434120", "소년이 온다", "한강", "창비", 2014, "03810", "813.7"),
    ("9788936433598", "채식주의자", "한강", "창비", 2007, "03810", "813.7"),
    ("9788954682152", "작별하지 않는다", "한강", "문학동네", 2021, "03810", "813.7"),
    ("9788936456788", "아몬드", "손원평", "창비", 2017, "43810", "813.7"),
    ("9788937473135", "82년생 김지영", "조남주", "민음사", 2016, "03810", "813.7"),
    ("9791161571188", "불편한 편의점", "김호연", "나무옆의자", 2021, "03810", "813.7"),
    ("9791165341909", "달러구트 꿈 백화점", "이미예", "팩토리나인", 2020, "03810", "813.7"),
    ("9788996991342", "미움받을 용기", "기시미 이치로; 고가 후미타케", "인플루엔셜", 2014,
     "03180", "189"),
    ("9788934972464", "사피엔스", "유발 하라리", "김영사", 2015, "03900", "909"),
    ("9788983711892", "코스모스", "칼 세이건", "사이언스북스", 2006, "03440", "443"),
    ("9791190090018", "물고기는 존재하지 않는다", "룰루 밀러", "곰출판", 2021, "03840", "470"),
    ("9788937460449", "데미안", "헤르만 헤세", "민음사", 2000, "03850", "853"),
    ("9788983920775", "해리 포터와 마법사의 돌", "J.K. 롤링", "문학수첩", 1999, "03840", "843"),
    ("9788932917245", "어린 왕자", "앙투안 드 생텍쥐페리", "열린책들", 2015, "03860", "863"),
    ("9791161759692", "Kotlin in action 2/e", "세바스티안 아이그너; 로만 엘리자로프",
     "에이콘출판사", 2025, "93000", "005.133"),
]

# (ISBN-13, title, authors, year) — from the goodbooks-10k list.
ENGLISH_BOOKS = [
    ("9780439023481", "The Hunger Games", "Suzanne Collins", 2008),
    ("9780439554930", "Harry Potter and the Sorcerer's Stone", "J.K. Rowling", 1997),
    ("9780061120084", "To Kill a Mockingbird", "Harper Lee", 1960),
    ("9780743273565", "The Great Gatsby", "F. Scott Fitzgerald", 1925),
    ("9780525478812", "The Fault in Our Stars", "John Green", 2012),
    ("9780618260300", "The Hobbit", "J.R.R. Tolkien", 1937),
    ("9780316769174", "The Catcher in the Rye", "J.D. Salinger", 1951),
    ("9780679783268", "Pride and Prejudice", "Jane Austen", 1813),
    ("9781594480003", "The Kite Runner", "Khaled Hosseini", 2003),
    ("9780451524935", "Nineteen Eighty-Four", "George Orwell", 1949),
    ("9780452284241", "Animal Farm", "George Orwell", 1945),
    ("9780385732550", "The Giver", "Lois Lowry", 1993),
    ("9780060764890", "The Lion, the Witch and the Wardrobe", "C.S. Lewis", 1950),
    ("9780553588484", "A Game of Thrones", "George R.R. Martin", 1996),
    ("9780061122415", "The Alchemist", "Paulo Coelho", 1988),
    ("9780142000670", "Of Mice and Men", "John Steinbeck", 1937),
]

DEMO_PASSWORD = "bookcafe-demo"  # noqa: S105 (printed for the demo; not a secret)

DEMO_ACCOUNTS = [
    ("coordinator@bookcafe.example", "박지은", Role.COORDINATOR, "ko"),
    ("volunteer@bookcafe.example", "이서준", Role.VOLUNTEER, "ko"),
    ("member@bookcafe.example", "김민지", Role.MEMBER, "ko"),
    ("reader@bookcafe.example", "Emma Wilson", Role.MEMBER, "en"),
    ("donor@bookcafe.example", "최수아", Role.MEMBER, "ko"),
]


def database_is_empty() -> bool:
    """Tell whether there are no members and no books yet."""
    members = db.session.scalar(sa.select(sa.func.count(Member.id)))
    books = db.session.scalar(sa.select(sa.func.count(Book.id)))
    return members == 0 and books == 0


def demo_accounts() -> list[Member]:
    """Return the demo accounts that exist, coordinators first."""
    emails = [email for email, *_rest in DEMO_ACCOUNTS]
    found = db.session.scalars(sa.select(Member).where(Member.email.in_(emails))).all()
    return sorted(found, key=lambda m: (-m.role.rank, emails.index(m.email)))


def seed(*, now: datetime) -> None:
    """Fill an empty database with demo data."""
    site = default_site()
    rules = loan_rules(site)
    members = {}
    for email, name, role, locale in DEMO_ACCOUNTS:
        members[email] = create_member(
            name=name, email=email, password=DEMO_PASSWORD, role=role, locale=locale,
            donor_named=email != "reader@bookcafe.example",
            keep_history=email == "member@bookcafe.example",
            now=now - timedelta(days=60),
        )
    coordinator = members["coordinator@bookcafe.example"]
    volunteer = members["volunteer@bookcafe.example"]

    campaign = Campaign(
        name="북카페 활성화 캠페인",
        description="시민센터 2층 공유 북카페를 함께 채우는 책 기증 캠페인입니다.",
        goal_books=1500, starts_on=(now - timedelta(days=45)).date(),
        ends_on=(now + timedelta(days=45)).date(), is_active=True, is_default=True,
        site_id=site.id, created_by_id=coordinator.id, created_at=now - timedelta(days=45),
    )
    db.session.add(campaign)

    books = []
    for isbn, title, authors, publisher, year, addon, kdc in KOREAN_BOOKS:
        books.append(Book(
            isbn13=isbn, title=title, authors=authors, publisher=publisher, year=year,
            language="ko", addon_code=addon, addon_reader_group=addon[0],
            addon_form=addon[1], addon_subject=addon[2:], kdc=kdc, kdc_class=kdc[0],
            metadata_source="manual", created_by_id=volunteer.id,
        ))
    for isbn, title, authors, year in ENGLISH_BOOKS:
        books.append(Book(
            isbn13=isbn, isbn10=isbn[3:12] + _isbn10_check(isbn[3:12]), title=title,
            authors=authors, year=year, language="en", kdc="843", kdc_class="8",
            metadata_source="manual", created_by_id=volunteer.id,
        ))
    store.add_all(books)

    donors = [members["donor@bookcafe.example"], members["member@bookcafe.example"], None,
              members["reader@bookcafe.example"], None]
    copies = []
    for i, book in enumerate(books):
        donor = donors[i % len(donors)]
        received = now - timedelta(days=40 - i)
        donation = Donation(
            donor_id=donor.id if donor else None, anonymous=donor is None,
            campaign_id=campaign.id, site_id=site.id, received_at=received,
            received_by_id=volunteer.id,
        )
        db.session.add(donation)
        db.session.flush()
        for _n in range(2 if i % 4 == 0 else 1):
            copy = Copy(
                barcode=next_copy_barcode(), book_id=book.id, site_id=site.id,
                donation_id=donation.id, created_at=received, created_by_id=volunteer.id,
                label_printed_at=None if i >= len(books) - 3 else received,
            )
            db.session.add(copy)
            copies.append(copy)
            db.session.flush()
            callnumbers.give_call_number(copy)  # as intake gives it
    db.session.flush()
    for copy in copies[-3:]:
        db.session.add(LabelQueueItem(copy_id=copy.id, added_by_id=volunteer.id))

    borrower = members["member@bookcafe.example"]
    reader = members["reader@bookcafe.example"]
    # Two current loans, one of them overdue, and a returned one in kept history.
    _loan(copies[1], borrower, volunteer, now - timedelta(days=5), rules.loan_days, site)
    _loan(copies[4], reader, volunteer, now - timedelta(days=20), rules.loan_days, site)
    _loan(copies[2], borrower, volunteer, now - timedelta(days=30), rules.loan_days, site,
          returned=now - timedelta(days=18))
    db.session.add(Hold(book_id=copies[1].book_id, member_id=reader.id, site_id=site.id,
                        placed_at=now - timedelta(days=2)))
    db.session.flush()


def _loan(copy, member, by, at, loan_days, site, returned=None):
    loan = Loan(
        copy_id=copy.id, book_id=copy.book_id, member_id=member.id, site_id=site.id,
        checked_out_at=at,
        due_on=(at + timedelta(days=loan_days)).date(), checked_out_by_id=by.id,
        returned_at=returned, returned_by_id=by.id if returned else None,
    )
    if returned is None:
        copy.status = CopyStatus.ON_LOAN
        copy.status_changed_at = at
    db.session.add(loan)
    return loan


def _isbn10_check(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)
