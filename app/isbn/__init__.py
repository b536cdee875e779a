"""ISBNs and the metadata providers, behind one small API (the only user of isbnlib).

It needs neither the database nor a Flask application context (user-facing strings are
lazy and translate when shown). The rest of the app imports from here, never from the
modules, which are:

* ``codes``: normalising what was typed (``compact``), ISBN-10 / EAN-8 / ISSN check
  digits, what is a book's ISBN-13, the forms of an ISBN (ISBN-13, ISBN-10, hyphenated,
  registration group), ``parse_issn``.
* ``addon``: ``decode_addon`` explains a Korean 5-digit add-on code (부가기호).
* ``scan``: ``parse_scan`` tells apart what a USB scanner (or a volunteer) typed into a
  scan field: a book ISBN (with an optional add-on), one of our copy or member barcodes,
  another EAN-13, a wrong check digit, or something else.
* ``cleaning``: ``clean_metadata`` turns a provider's answer into a tidy ``Metadata``.
* ``nlk``: the National Library of Korea service (``nlk_query``).
* ``providers``: isbnlib's setup, and ``lookup``, which asks the providers one after
  another within a time budget and never raises.
"""

from app.barcodes import ean13_check_digit, is_valid_ean13
from app.isbn.addon import Addon, decode_addon
from app.isbn.cleaning import Metadata, split_contributors
from app.isbn.codes import (
    canonical_isbn13,
    compact,
    is_isbn13,
    isbn10_check_ok,
    isbn10_of,
    parse_issn,
)
from app.isbn.providers import (
    Attempt,
    LookupResult,
    Outcome,
    clear_provider_caches,
    configure_providers,
    lookup,
    provider_registry,
)
from app.isbn.scan import Scan, ScanKind, parse_scan

__all__ = [
    "Addon",
    "Attempt",
    "LookupResult",
    "Metadata",
    "Outcome",
    "Scan",
    "ScanKind",
    "canonical_isbn13",
    "clear_provider_caches",
    "compact",
    "configure_providers",
    "decode_addon",
    "ean13_check_digit",
    "is_isbn13",
    "is_valid_ean13",
    "isbn10_check_ok",
    "isbn10_of",
    "lookup",
    "parse_issn",
    "parse_scan",
    "provider_registry",
    "split_contributors",
]
