"""`flask db upgrade` on an empty database gives exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db


def test_upgrade_matches_the_models_and_downgrades(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        inspector = sa.inspect(db.engine)
        indexes = {ix["name"]: ix for ix in inspector.get_indexes("loan")}
        assert indexes["uq_loan_open_copy"]["unique"]
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


def test_open_loan_index_holds_in_the_database(app, make_copy, make_member):
    """Two open loans for one copy are refused by the database itself."""
    from datetime import date

    from app.defaults import default_site
    from app.models import Loan

    copy = make_copy()
    member = make_member()
    site = default_site()
    db.session.add(Loan(copy_id=copy.id, member_id=member.id, site_id=site.id,
                        due_on=date(2026, 12, 1)))
    db.session.commit()
    db.session.add(Loan(copy_id=copy.id, member_id=member.id, site_id=site.id,
                        due_on=date(2026, 12, 1)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
