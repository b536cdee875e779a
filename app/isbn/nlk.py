"""The National Library of Korea's ISBN/Seoji Open API, as an isbnlib metadata service.

nlk_query asks it for one ISBN and answers like isbnlib's own services (a stdmeta dict,
plus the NLK fields clean_metadata reads), raising isbnlib's exceptions on errors.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import urllib.parse
import urllib.request
from typing import Any
from urllib.error import HTTPError, URLError

import isbnlib
import isbnlib.dev
from isbnlib.dev import webservice as _webservice

from app.isbn.cleaning import clean_text, parse_year, split_contributors

LOGGER = logging.getLogger(__name__)

NLK_URL = "https://www.nl.go.kr/seoji/SearchApi.do"
USER_AGENT = "isbnlib (gzip)"


class NLKError(isbnlib.dev.ISBNLibDevException):
    """The National Library of Korea service answered with an error."""

    message = "the National Library of Korea service answered with an error"


def redact(url: str) -> str:
    """Hide the API key in a URL before it is logged or put in an exception."""
    return re.sub(r"(cert_key=)[^&]*", r"\1***", url)


def _http_get_text(url: str, *, timeout: float) -> str:
    """GET url through isbnlib's urlopen (patchable in tests) and return the body text."""
    # The URL is always NLK_URL (https) with our query string: no file: or other schemes.
    request = urllib.request.Request(  # noqa: S310
        url,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
    )
    try:
        # Looked up at call time so tests patching isbnlib.dev.webservice.urlopen
        # replay this provider like isbnlib's own ones.
        response = _webservice.urlopen(request, timeout=timeout)
    except HTTPError as exc:
        code, reason = exc.code, exc.reason
        exc.close()
        raise isbnlib.dev.ISBNLibHTTPError(f"({code}) {reason}") from None
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise isbnlib.dev.ServiceIsDownError("service timeout") from None
        raise isbnlib.dev.ISBNLibURLError(str(exc.reason)) from None
    except TimeoutError:
        raise isbnlib.dev.ServiceIsDownError("service timeout") from None
    try:
        body = response.read()
        encoding = response.info().get("Content-Encoding")
    except TimeoutError:
        raise isbnlib.dev.ServiceIsDownError("service timeout") from None
    finally:
        close = getattr(response, "close", None)
        if callable(close):
            close()
    if encoding == "gzip":
        body = gzip.decompress(body)
    if isinstance(body, str):
        return body
    return body.decode("utf-8", errors="replace")


def _nlk_url(isbn13: str, key: str) -> str:
    """Build the Seoji SearchApi URL for one ISBN."""
    query = urllib.parse.urlencode(
        {
            "cert_key": key,
            "result_style": "json",
            "page_no": "1",
            "page_size": "10",
            "isbn": isbn13,
        }
    )
    return f"{NLK_URL}?{query}"


def nlk_query(isbn13: str, *, key: str, timeout: float) -> dict[str, Any]:
    """Ask the National Library of Korea for one ISBN: stdmeta dict + NLK extras, or {}."""
    isbn = isbnlib.ean13(isbn13)
    if not isbn:
        raise isbnlib.NotValidISBNError(isbn13)
    if not key:
        raise isbnlib.dev.NoAPIKeyError("nlk")
    url = _nlk_url(isbn, key)
    LOGGER.debug("NLK query %s", redact(url))
    text = _http_get_text(url, timeout=timeout)
    try:
        data = json.loads(text)
    except ValueError:
        raise isbnlib.dev.DataWrongShapeError(
            "NLK answered with something that is not JSON"
        ) from None
    if not isinstance(data, dict):
        raise isbnlib.dev.DataWrongShapeError("NLK answer is not a JSON object")
    err_code = clean_text(data.get("ERR_CODE"))
    err_message = clean_text(data.get("ERR_MESSAGE"))
    result = (clean_text(data.get("RESULT")) or "").upper()
    if err_code or err_message or result in ("ERROR", "FAIL", "N"):
        raise NLKError(f"NLK error {err_code or result}: {err_message or ''}".strip())
    docs = data.get("docs")
    if not isinstance(docs, list):
        if str(data.get("TOTAL_COUNT", "")).strip() == "0":
            return {}
        raise isbnlib.dev.DataWrongShapeError("NLK answer has no 'docs' list")
    doc = next(
        (
            d
            for d in docs
            if isinstance(d, dict) and isbnlib.ean13(str(d.get("EA_ISBN") or "")) == isbn
        ),
        None,
    )
    if doc is None:
        return {}

    def field_text(name: str) -> str:
        return clean_text(doc.get(name)) or ""

    publish_date = field_text("REAL_PUBLISH_DATE") or field_text("PUBLISH_PREDATE")
    year = parse_year(publish_date)
    names = [name for name, _role in split_contributors(field_text("AUTHOR"), source="nlk")]
    record = isbnlib.dev.stdmeta(
        {
            "ISBN-13": isbn,
            "Title": field_text("TITLE"),
            "Authors": names or [""],
            "Publisher": field_text("PUBLISHER"),
            "Year": str(year) if year else "",
            "Language": "",
        }
    )
    record.update(
        {
            "AUTHOR": field_text("AUTHOR"),
            "KDC": field_text("KDC"),
            "EA_ADD_CODE": field_text("EA_ADD_CODE"),
            "PAGE": field_text("PAGE"),
            "SERIES_TITLE": field_text("SERIES_TITLE"),
            "PUBLISH_DATE": publish_date,
        }
    )
    return record
