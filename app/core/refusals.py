"""A refusal a page shows itself: `shown_inline` runs the use case and keeps its DomainError.

Everywhere else a route lets a DomainError through to the one mapping in app/main/errors.py.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.errors import DomainError
from app.extensions import db


class Refusal:
    """A use case's refusal kept for its page to show (see `shown_inline`)."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    def __str__(self) -> str:
        return str(self.error) if self.error is not None else ""

    @property
    def reasons(self) -> list[str]:
        """Return the reasons, one per line: the error's list of problems, else its message."""
        return list(getattr(self.error, "problems", None) or [str(self)]) if self else []

    @property
    def status(self) -> int:
        """Return the HTTP status of the refusal (200 when there was none)."""
        return self.error.status if self.error is not None else 200


@contextmanager
def shown_inline(on: list | Callable[[DomainError], None] | None = None, *,
                 keep: bool = False) -> Iterator[Refusal]:
    """Run a use case whose refusal the page shows itself, rather than the one mapping.

    Everywhere else a route lets a DomainError through to the one mapping in
    app/main/errors.py. Here the block's DomainError is caught instead: nothing of the use
    case is kept (rolled back; with `keep`, what it wrote on refusing is committed, as a
    failed login for the throttle), the reason goes to `on` (a form field's error list, or
    a function given the error) if given, and the yielded Refusal tells the code after the
    `with` block (the desk's answer to its script, a form shown again with the reasons).
    """
    refusal = Refusal()
    try:
        yield refusal
    except DomainError as error:
        if keep:
            db.session.commit()
        else:
            db.session.rollback()
        refusal.error = error
        if callable(on):
            on(error)
        elif on is not None:
            on.append(str(error))
