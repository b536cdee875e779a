"""Planner hints, rendered per database.

`bytewise(column)`: a text column compared byte by byte, for a COUNT(DISTINCT) or a
GROUP BY whose order nobody sees. PostgreSQL compares text under the database's
collation (strcoll for a C.UTF-8 or ko_KR.UTF-8 database), several times slower than
COLLATE "C" when it sorts thousands of keys; SQLite already compares bytes (BINARY).
"""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


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
