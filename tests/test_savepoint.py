"""app.extensions.savepoint: a block rolled back alone, never committed by itself."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db, savepoint
from app.models import Site


def _sites() -> set[str]:
    return set(db.session.scalars(sa.select(Site.code)))


def test_a_savepoint_opened_first_does_not_commit_on_release(app):
    """pysqlite would commit a SAVEPOINT's work on RELEASE when nothing was written before."""
    assert _sites() == set()  # only a read so far: no transaction on pysqlite yet
    with savepoint():
        db.session.add(Site(code="inner", name="Inner"))
    db.session.rollback()
    assert _sites() == set()


def test_a_failed_block_is_rolled_back_alone(app):
    db.session.add(Site(code="outer", name="Outer"))
    with pytest.raises(IntegrityError), savepoint():
        db.session.add(Site(code="outer", name="Clash"))
    with savepoint():
        db.session.add(Site(code="second", name="Second"))
    db.session.commit()
    assert _sites() == {"outer", "second"}
