"""Planner hints, each rendered per database.

`ordered_join(left, right, onclause)`: a join whose left side SQLite reads first.

SQLite plans without statistics (the app never runs ANALYZE), and for an aggregate over
most of a large table it may pick a nested loop in the wrong order: one lookup per row
where a scan of a covering index in the grouping order would need none. SQLite keeps
the tables of a CROSS JOIN in the order written (its documented planner hint), so on
SQLite this join is rendered `left CROSS JOIN right ON ...`; elsewhere it is a plain
inner join and the database's own planner chooses (PostgreSQL has statistics).

`bytewise(column)`: a text column compared byte by byte, for a COUNT(DISTINCT) or a
GROUP BY whose order nobody sees. PostgreSQL compares text under the database's
collation (strcoll for a C.UTF-8 or ko_KR.UTF-8 database), several times slower than
COLLATE "C" when it sorts thousands of keys; SQLite already compares bytes (BINARY).
"""

import itertools

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FromClause, FunctionElement, Join


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


class bytewise(FunctionElement):  # noqa: N801 (an SQL expression)
    """A text column compared byte by byte (COLLATE "C" on PostgreSQL)."""

    name = "bytewise"
    inherit_cache = True

    def __init__(self, column: ColumnElement):
        super().__init__(column)
        self.type = column.type


@compiles(bytewise)
def _bytewise(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(bytewise, "postgresql")
def _bytewise_pg(element, compiler, **kw):
    column = compiler.process(element.clauses.clauses[0], **kw)
    return column + ' COLLATE "C"'
