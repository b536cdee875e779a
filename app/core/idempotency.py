"""Idempotency keys: a write sent again with the same key is answered, not done again.

A scan station's page gives each scan a key of its own and keeps the scan until it is
answered; when the network drops it sends the scan again, with the same key, once it is
back. The first request to arrive with a key does the work and its answer is kept (per
member, for a day); any later one with that key gets that answer back and changes
nothing. The key is the `Idempotency-Key` header (or a form's `idempotency_key` field).

Two requests with one key at once: the first claims the key with an INSERT in the same
transaction as its work, so the second's INSERT waits on the unique (member, key) until
the first commits (PostgreSQL's index lock, SQLite's write lock), then finds the key
taken and waits for the answer to be stored. One effect, two identical answers.
"""

import functools
import hashlib
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, make_response, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.errors import IdempotencyKeyInProgress, IdempotencyKeyReused, InvalidInput
from app.extensions import db, savepoint
from app.models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
LIFETIME = timedelta(days=1)
KEY = re.compile(r"[!-~]{1,255}")  # visible ASCII: a UUID, a ULID, "scan-42"...
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How long a resend waits for the first request's answer before it says "still working".
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
# Answers larger than this are not kept (a resend then gets only the status and headers).
MAX_BODY = 512 * 1024
KEPT_HEADERS = ("Content-Type", "Location")
REPLAYED = "Idempotent-Replayed"


def requested_key() -> str | None:
    """Return the request's idempotency key, None without one; refuse a malformed one."""
    if request.method not in WRITES:
        return None
    key = request.headers.get(HEADER)
    if key is None and request.mimetype in ("application/x-www-form-urlencoded",
                                            "multipart/form-data"):
        key = request.form.get(FIELD)
    if key is None or key == "":
        return None
    if not KEY.fullmatch(key):
        raise InvalidInput(f"{HEADER}: 1 to 255 visible ASCII characters")
    return key


def fingerprint() -> str:
    """Return a digest of what the request asks: its method, path and body.

    A form is read by its fields (not the CSRF token, which a page renders anew each
    time, nor the key itself); any other body byte for byte.
    """
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = sorted((name, value) for name, values in request.form.lists()
                        for value in values if name not in ("csrf_token", FIELD))
        for name, value in fields:
            digest.update(f"{len(name)}:{name}={len(value)}:{value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True)):
            digest.update(f"file {name}\n".encode())
            digest.update(upload.read())
            upload.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def idempotent(view: Callable) -> Callable:
    """Honour an idempotency key on a write view (put it under the view's @access)."""

    @functools.wraps(view)
    def run(*args, **kwargs):
        return answer_once(lambda: view(*args, **kwargs))

    return run


def answer_once(work: Callable[[], object]) -> object:
    """Run `work` once per key and keep its answer; without a key, just run it."""
    key = requested_key()
    if key is None or not current_user.is_authenticated:
        return work()
    member_id, asked = current_user.id, fingerprint()
    claimed = claim(member_id, key, asked, now=utcnow())
    if claimed is not None:
        return claimed
    response = make_response(work())
    keep(member_id, key, asked, response, now=utcnow())
    return response


def claim(member_id: int, key: str, asked: str, *, now: datetime) -> Response | None:
    """Take the key for this request (None: go on and do the work), or return its answer."""
    session = db.session
    # The write that begins the transaction: expired keys go, and the write lock is taken.
    session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.member_id == member_id, IdempotencyKey.created_at < now - LIFETIME))
    try:
        with savepoint():
            session.add(IdempotencyKey(member_id=member_id, key=key, fingerprint=asked,
                                       created_at=now))
        return None
    except IntegrityError:
        pass
    session.rollback()  # nothing of this request's own is lost: it has done nothing yet
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = session.scalar(sa.select(IdempotencyKey).where(
            IdempotencyKey.member_id == member_id, IdempotencyKey.key == key))
        if row is not None and row.fingerprint != asked:
            raise IdempotencyKeyReused()
        if row is not None and row.status is not None:
            return replay(row)
        session.rollback()  # end the read, so the next one sees what was committed since
        if row is None:  # the first request failed and kept nothing: this one does the work
            return claim(member_id, key, asked, now=now)
        if time.monotonic() > deadline:
            raise IdempotencyKeyInProgress()
        time.sleep(POLL_SECONDS)


def keep(member_id: int, key: str, asked: str, response: Response, *, now: datetime) -> None:
    """Store the answer under the key (the work has committed, or has rolled itself back)."""
    session = db.session
    session.rollback()  # anything the view left uncommitted is not part of its answer
    body = None
    if not response.is_streamed:
        data = response.get_data()
        if len(data) <= MAX_BODY:
            body = data.decode("utf-8", errors="replace")
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    row = session.scalar(sa.select(IdempotencyKey).where(
        IdempotencyKey.member_id == member_id, IdempotencyKey.key == key))
    if row is None:  # the view rolled back its transaction, and the claim with it
        row = IdempotencyKey(member_id=member_id, key=key, fingerprint=asked, created_at=now)
        session.add(row)
    row.status, row.headers, row.body = response.status_code, headers, body
    try:
        session.commit()
    except IntegrityError:  # another request with the key came in between: its answer stands
        session.rollback()


def purge_expired(*, now: datetime) -> int:
    """Delete every member's keys older than a day; return how many (each member's own
    expired keys also go whenever they send a write with a key)."""
    result = db.session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - LIFETIME))
    return result.rowcount


def replay(row: IdempotencyKey) -> Response:
    """Return the stored answer of a key."""
    response = Response(row.body or "", status=row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response
