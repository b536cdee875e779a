"""A campaign's running totals per book (table campaign_book), kept by database triggers.

The campaign page's breakdown (copies, copies kept and titles per subject and reader
group) and its most-borrowed list would otherwise join every copy of the campaign to its
book, and every loan to its copy: on a campaign of 100k copies, 0.2-0.3 s each on
PostgreSQL. campaign_book holds, per (campaign, book), the copies received, those not
withdrawn and their loans, with the book's class and reader group.

Triggers keep it, so that every write counts, whichever code path makes it (intake,
undo, imports, the desk, the demo seed, a coordinator's edit), in the same transaction:

- a copy added to, or removed from, a donation of a campaign;
- a copy withdrawn (or put back), moved to another donation, or to another book;
- a loan made (or deleted) of such a copy;
- a donation moved to another campaign (its copies and their loans move), or deleted;
- a book's KDC class or add-on reader group edited.

The statements are the same on SQLite and PostgreSQL (upserts, UPDATE ... FROM); only
the trigger wrappers differ: SQLite runs the statements in the trigger's
body, PostgreSQL in a PL/pgSQL function per trigger. `rebuild()` recomputes the table
from the copies (after a bulk load that ran without triggers, or to check it: the tests
compare the two after random writes).
"""

import sqlalchemy as sa

WITHDRAWN = "'withdrawn'"  # CopyStatus.WITHDRAWN as stored


def _kept(status: str) -> str:
    return f"CASE WHEN {status} = {WITHDRAWN} THEN 0 ELSE 1 END"


def _loans_of(copy_id: str) -> str:
    return f"(SELECT count(*) FROM loan WHERE loan.copy_id = {copy_id})"


_ADD_TO = """\
ON CONFLICT (campaign_id, book_id) DO UPDATE SET
  copies = campaign_book.copies + excluded.copies,
  kept = campaign_book.kept + excluded.kept,
  loans = campaign_book.loans + excluded.loans"""


def _add_copy(row: str) -> str:
    """Count copy `row` (NEW) in its donation's campaign, if any."""
    return f"""\
INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT d.campaign_id, b.id, b.kdc_class, b.addon_reader_group, 1, {_kept(f'{row}.status')},
       {_loans_of(f'{row}.id')}
FROM donation AS d, book AS b
WHERE d.id = {row}.donation_id AND d.campaign_id IS NOT NULL AND b.id = {row}.book_id
{_ADD_TO}"""


def _remove_copy(row: str) -> str:
    """Take copy `row` (OLD) out of its donation's campaign, if any."""
    return f"""\
UPDATE campaign_book SET
  copies = copies - 1,
  kept = kept - {_kept(f'{row}.status')},
  loans = loans - {_loans_of(f'{row}.id')}
WHERE book_id = {row}.book_id
  AND campaign_id = (SELECT campaign_id FROM donation WHERE id = {row}.donation_id)"""


def _loan(row: str, sign: str) -> str:
    """Count loan `row` in or out of its copy's campaign, if any."""
    return f"""\
UPDATE campaign_book SET loans = loans {sign} 1
WHERE book_id = (SELECT book_id FROM copy WHERE id = {row}.copy_id)
  AND campaign_id = (SELECT d.campaign_id FROM copy AS c, donation AS d
                     WHERE c.id = {row}.copy_id AND d.id = c.donation_id)"""


def _per_book_of_donation(donation_id: str) -> str:
    """The donation's copies per book: (book_id, copies, kept, loans)."""
    return f"""\
SELECT c.book_id AS book_id, count(*) AS copies, sum({_kept('c.status')}) AS kept,
       sum({_loans_of('c.id')}) AS loans
FROM copy AS c WHERE c.donation_id = {donation_id} GROUP BY c.book_id"""


def _remove_donation(donation_id: str, campaign_id: str) -> str:
    return f"""\
UPDATE campaign_book SET
  copies = campaign_book.copies - m.copies, kept = campaign_book.kept - m.kept,
  loans = campaign_book.loans - m.loans
FROM ({_per_book_of_donation(donation_id)}) AS m
WHERE campaign_book.campaign_id = {campaign_id} AND campaign_book.book_id = m.book_id"""


def _add_donation(donation_id: str, campaign_id: str) -> str:
    return f"""\
INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, kept, loans)
SELECT {campaign_id}, b.id, b.kdc_class, b.addon_reader_group, m.copies, m.kept, m.loans
FROM ({_per_book_of_donation(donation_id)}) AS m, book AS b
WHERE b.id = m.book_id AND {campaign_id} IS NOT NULL
{_ADD_TO}"""


_RECLASS = """\
UPDATE campaign_book SET kdc_class = NEW.kdc_class, reader_group = NEW.addon_reader_group
WHERE book_id = NEW.id"""


# (name, timing and event, table, condition or None, statements)
TRIGGERS = [
    ("tally_copy_insert", "AFTER INSERT", "copy", "NEW.donation_id IS NOT NULL",
     [_add_copy("NEW")]),
    ("tally_copy_delete", "AFTER DELETE", "copy", "OLD.donation_id IS NOT NULL",
     [_remove_copy("OLD")]),
    ("tally_copy_update", "AFTER UPDATE", "copy",
     "OLD.donation_id IS DISTINCT FROM NEW.donation_id OR OLD.book_id <> NEW.book_id"
     f" OR (OLD.status = {WITHDRAWN}) <> (NEW.status = {WITHDRAWN})",
     [_remove_copy("OLD"), _add_copy("NEW")]),
    ("tally_loan_insert", "AFTER INSERT", "loan", None, [_loan("NEW", "+")]),
    ("tally_loan_delete", "AFTER DELETE", "loan", None, [_loan("OLD", "-")]),
    ("tally_donation_move", "AFTER UPDATE", "donation",
     "OLD.campaign_id IS DISTINCT FROM NEW.campaign_id",
     [_remove_donation("NEW.id", "OLD.campaign_id"), _add_donation("NEW.id", "NEW.campaign_id")]),
    # Before the delete: its copies still point to it (then they point to no donation).
    ("tally_donation_delete", "BEFORE DELETE", "donation", "OLD.campaign_id IS NOT NULL",
     [_remove_donation("OLD.id", "OLD.campaign_id")]),
    ("tally_book_reclass", "AFTER UPDATE", "book",
     "OLD.kdc_class IS DISTINCT FROM NEW.kdc_class"
     " OR OLD.addon_reader_group IS DISTINCT FROM NEW.addon_reader_group",
     [_RECLASS]),
]

def _condition(condition: str, dialect: str) -> str:
    # SQLite's null-safe "differs" is IS NOT (IS DISTINCT FROM only since SQLite 3.39).
    return condition.replace(" IS DISTINCT FROM ", " IS NOT ") if dialect == "sqlite" \
        else condition


def create_statements(dialect: str) -> list[str]:
    """Return the DDL that installs the triggers on `dialect` ('sqlite' or 'postgresql')."""
    statements = []
    for name, event, table, condition, body in TRIGGERS:
        when = f"WHEN ({_condition(condition, dialect)})" if condition else ""
        if dialect == "sqlite":
            steps = "".join(f"{statement};\n" for statement in body)
            statements.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW {when}\n"
                              f"BEGIN\n{steps}END")
        else:
            steps = "".join(f"  {statement};\n" for statement in body)
            result = "OLD" if event.startswith("BEFORE DELETE") else "NULL"
            statements.append(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger\n"
                              f"LANGUAGE plpgsql AS $$\nBEGIN\n{steps}  RETURN {result};\nEND\n$$")
            statements.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW {when} "
                              f"EXECUTE FUNCTION {name}()")
    return statements


def drop_statements(dialect: str) -> list[str]:
    """Return the DDL that removes the triggers (and their functions on PostgreSQL)."""
    statements = []
    for name, _event, table, *_rest in TRIGGERS:
        if dialect == "sqlite":
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements


def install(connection: sa.Connection) -> None:
    """Create the triggers on the connection's database."""
    for statement in create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


RECOMPUTED = f"""\
SELECT d.campaign_id, c.book_id, b.kdc_class, b.addon_reader_group,
       CAST(count(*) AS INTEGER), CAST(sum({_kept('c.status')}) AS INTEGER),
       CAST(sum(coalesce(l.loans, 0)) AS INTEGER)
FROM copy AS c
JOIN donation AS d ON d.id = c.donation_id
JOIN book AS b ON b.id = c.book_id
LEFT JOIN (SELECT copy_id, count(*) AS loans FROM loan GROUP BY copy_id) AS l
  ON l.copy_id = c.id
WHERE d.campaign_id IS NOT NULL
GROUP BY d.campaign_id, c.book_id, b.kdc_class, b.addon_reader_group"""


def rebuild(connection: sa.Connection) -> int:
    """Recompute campaign_book from the copies, donations, books and loans; return its rows."""
    connection.exec_driver_sql("DELETE FROM campaign_book")
    result = connection.exec_driver_sql(
        "INSERT INTO campaign_book (campaign_id, book_id, kdc_class, reader_group, copies, "
        f"kept, loans)\n{RECOMPUTED}")
    return result.rowcount
