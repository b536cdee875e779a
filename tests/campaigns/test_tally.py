"""campaign_book, the running totals per (campaign, book) kept by triggers, against a full
recount after every kind of write (random sequences on both databases)."""

import random

import pytest
import sqlalchemy as sa

from app.campaigns import services, tally
from app.catalog import store
from app.extensions import db
from app.models import CampaignBook, Copy, CopyStatus, Donation, Role
from tests.campaigns.factories import add_donation, add_loan, seoul

KDC = [None, "0", "3", "8", "9"]
GROUPS = [None, "0", "4", "7"]


def stored() -> list[tuple]:
    """campaign_book's rows that count something (a row may stay at zero)."""
    rows = db.session.execute(
        sa.select(CampaignBook.campaign_id, CampaignBook.book_id, CampaignBook.kdc_class,
                  CampaignBook.reader_group, CampaignBook.copies, CampaignBook.kept,
                  CampaignBook.loans)
    ).all()
    assert all(min(r[4:]) >= 0 for r in rows), rows
    return sorted(tuple(r) for r in rows if r[4] or r[6])


def recounted() -> list[tuple]:
    return sorted(tuple(r) for r in db.session.execute(sa.text(tally.RECOMPUTED)).all())


def test_the_triggers_keep_campaign_book_equal_to_a_recount(app, make_book, make_campaign,
                                                            make_member):
    rng = random.Random(20261128)
    volunteer = make_member(Role.VOLUNTEER)
    campaigns = [make_campaign() for _ in range(3)]
    books = [make_book(kdc_class=rng.choice(KDC), addon_reader_group=rng.choice(GROUPS))
             for _ in range(8)]
    donations = [add_donation(rng.choice(campaigns), rng.choices(books, k=3))
                 for _ in range(3)]

    def copies() -> list[Copy]:
        return list(db.session.scalars(sa.select(Copy).order_by(Copy.id)))

    def lent_ids() -> set[int]:
        return set(db.session.scalars(sa.text("SELECT copy_id FROM loan")))

    def add():
        donations.append(add_donation(rng.choice([*campaigns, None]),
                                      rng.choices(books, k=rng.randint(0, 3))))

    def lend():
        add_loan(rng.choice(copies()), at=seoul(2026, 3, 2, 10, 0),
                 returned_at=seoul(2026, 3, 3, 10, 0))

    def withdraw_or_restore():
        copy = rng.choice(copies())
        copy.status = (CopyStatus.AVAILABLE if copy.status is CopyStatus.WITHDRAWN
                       else CopyStatus.WITHDRAWN)

    def check_out_or_in():  # not a withdrawal: the totals must not move
        copy = rng.choice(copies())
        copy.status = (CopyStatus.ON_LOAN if copy.status is CopyStatus.AVAILABLE
                       else CopyStatus.AVAILABLE)

    def move_donation():
        donation = rng.choice(donations)
        target = rng.choice([c for c in campaigns if c.id != donation.campaign_id])
        services.move_donation(donation, target, by=volunteer, now=seoul(2026, 3, 4, 9, 0))

    def drop_from_campaign():
        rng.choice(donations).campaign_id = None

    def move_copy():
        target = rng.choice([*donations, None])
        rng.choice(copies()).donation_id = target.id if target else None

    def reclassify():
        book = rng.choice(books)
        with store.editing(book):
            book.kdc_class, book.addon_reader_group = rng.choice(KDC), rng.choice(GROUPS)

    def remove_copy():
        unlent = [c for c in copies() if c.id not in lent_ids()]
        if unlent:
            db.session.delete(rng.choice(unlent))

    def delete_donation():  # in SQL: the copies lose it through ON DELETE SET NULL
        if len(donations) > 2:
            donation = donations.pop(rng.randrange(len(donations)))
            db.session.flush()
            db.session.execute(sa.delete(Donation).where(Donation.id == donation.id))
            db.session.expire_all()

    writes = [add, lend, lend, withdraw_or_restore, check_out_or_in, move_donation,
              drop_from_campaign, move_copy, reclassify, remove_copy, delete_donation]
    for step in range(120):
        rng.choice(writes)()
        db.session.commit()
        assert stored() == recounted(), f"after step {step}"
    assert any(r[6] for r in stored()), "no loan was counted: the test lost its point"


def test_rebuild_recomputes_the_table(seeded):
    before = stored()
    db.session.execute(sa.update(CampaignBook).values(copies=99, loans=7))
    db.session.execute(sa.delete(CampaignBook).where(CampaignBook.book_id == seeded.zine.id))
    assert stored() != before
    tally.rebuild(db.session.connection())
    assert stored() == before == recounted()


def test_recount_command(seeded, runner):
    before = stored()
    db.session.execute(sa.update(CampaignBook).values(copies=0, kept=0, loans=0))
    db.session.commit()
    result = runner.invoke(args=["library", "recount-campaigns"])
    assert result.exit_code == 0, result.output
    assert "Campaign totals recounted: 4" in result.output
    db.session.expire_all()
    assert stored() == before == recounted()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_each_trigger_has_a_create_and_a_drop_statement(dialect):
    created = tally.create_statements(dialect)
    dropped = tally.drop_statements(dialect)
    per_trigger = 1 if dialect == "sqlite" else 2
    assert len(created) == len(dropped) == per_trigger * len(tally.TRIGGERS)
    for name, *_rest in tally.TRIGGERS:
        assert sum(name in statement for statement in created) == per_trigger
