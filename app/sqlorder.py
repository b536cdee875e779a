"""A join whose left side SQLite reads first: `ordered_join(left, right, onclause)`.

SQLite plans without statistics (the app never runs ANALYZE), and for an aggregate over
most of a large table it may pick a nested loop in the wrong order: one lookup per row
where a scan of a covering index in the grouping order would need none. SQLite keeps
the tables of a CROSS JOIN in the order written (its documented planner hint), so on
SQLite this join is rendered `left CROSS JOIN right ON ...`; elsewhere it is a plain
inner join and the database's own planner chooses (PostgreSQL has statistics).
"""

import itertools

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FromClause, Join


class OrderedJoin(Join):
    """An inner join that SQLite must run left side first."""

    inherit_cache = True


def ordered_join(left: FromClause, right: FromClause, onclause: ColumnElement) -> OrderedJoin:
    """Return `left JOIN right ON onclause`, with the left side read first on SQLite."""
    return OrderedJoin(left, right, onclause)


@compiles(OrderedJoin, "sqlite")
def _ordered_join_sqlite(join, compiler, asfrom=False, from_linter=None, **kw):
    if from_linter:  # the tables are joined (no cartesian-product warning)
        from_linter.edges.update(
            itertools.product(join.left._from_objects, join.right._from_objects)
        )
    return (
        join.left._compiler_dispatch(compiler, asfrom=True, from_linter=from_linter, **kw)
        + " CROSS JOIN "
        + join.right._compiler_dispatch(compiler, asfrom=True, from_linter=from_linter, **kw)
        + " ON "
        + join.onclause._compiler_dispatch(compiler, from_linter=from_linter, **kw)
    )
