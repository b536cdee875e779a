"""What a stocktake covers: a site, a 별치기호 shelf, a call-number range, or all of it.

Pure functions over call numbers (app.callnumbers' shelf order and placement: a copy's
place on the shelves is its call number with its shelf prefix in front); no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from app.callnumbers import parse_call_number, placed_call_number, shelf_of, sort_key


def _bare(text: str) -> str:
    return "".join(text.split()).replace("-", "")


@dataclass(frozen=True)
class Scope:
    """A stocktake's scope; a field left empty does not narrow it."""

    site_id: int | None = None
    shelf: str | None = None
    call_from: str | None = None
    call_to: str | None = None

    @property
    def is_whole(self) -> bool:
        """Tell whether the scope is the whole collection (of every site)."""
        return not (self.site_id or self.shelf or self.call_from or self.call_to)

    @property
    def has_range(self) -> bool:
        """Tell whether the scope is narrowed by call number."""
        return bool(self.call_from or self.call_to)

    def _placed_bound(self, bound: str) -> str:
        return placed_call_number(self.shelf, bound) or bound

    @cached_property
    def _lower(self) -> tuple | None:
        return sort_key(self._placed_bound(self.call_from)) if self.call_from else None

    @cached_property
    def _upper(self) -> tuple | None:
        return sort_key(self._placed_bound(self.call_to)) if self.call_to else None

    @cached_property
    def _upper_parsed(self):
        return parse_call_number(self._placed_bound(self.call_to)) if self.call_to else None

    def _below_upper(self, key: tuple, placed: str) -> bool:
        """Tell whether a call number is within the upper bound, which includes all that
        it begins: to 899 takes 899.1, to 813.7 takes 813.72 and 813.7-김95ㅂ."""
        if key <= self._upper:
            return True
        bound = self._upper_parsed
        if bound.class_number and not (bound.author_mark or bound.volume or bound.copy):
            parsed = parse_call_number(placed)
            if (parsed.shelf or None) != (bound.shelf or None) or not parsed.class_number:
                return False
            whole, _, fraction = parsed.class_number.partition(".")
            b_whole, _, b_fraction = bound.class_number.partition(".")
            return int(whole) == int(b_whole) and fraction.startswith(b_fraction)
        return _bare(placed).startswith(_bare(self._placed_bound(self.call_to)))

    def contains(self, *, site_id: int | None, shelf: str | None,
                 call_number: str | None) -> bool:
        """Tell whether a copy (its site, shelf and call number) is in the scope."""
        if self.site_id and site_id != self.site_id:
            return False
        if self.shelf and shelf_of(shelf, call_number) != self.shelf:
            return False
        if not self.has_range:
            return True
        placed = placed_call_number(shelf, call_number)
        if placed is None:
            return False  # a range cannot place a copy without a call number
        key = sort_key(placed)
        if self._lower is not None and key < self._lower:
            return False
        return self._upper is None or self._below_upper(key, placed)
