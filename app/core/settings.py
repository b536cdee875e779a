"""App settings a coordinator changes, kept as named JSON values (table setting)."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.core.memo import request_memo
from app.extensions import db, savepoint
from app.models import Setting

_MISSING = object()


def stored(key: str):
    """Return the setting's stored value, None when there is none (read once a request:
    a setting never stored is not in the session's identity map to be found again)."""
    memo = request_memo("settings")
    value = memo.get(key, _MISSING) if memo is not None else _MISSING
    if value is _MISSING:
        setting = db.session.get(Setting, key)
        value = setting.value if setting is not None else None
        if memo is not None:
            memo[key] = value
    return value


def stored_dict(key: str) -> dict:
    """Return the setting's value when it is an object, else {} (the caller's defaults)."""
    value = stored(key)
    return value if isinstance(value, dict) else {}


def store(key: str, value, *, now: datetime) -> None:
    """Keep a setting's new value (flushes); two requests storing it at once both succeed,
    the later value standing."""
    memo = request_memo("settings")
    if memo is not None:
        memo.pop(key, None)  # read again: a rollback may take this value back
    setting = db.session.get(Setting, key)
    if setting is None:
        try:
            with savepoint():
                db.session.add(Setting(key=key, value=value, updated_at=now))
            return
        except IntegrityError:  # stored by another request meanwhile: change that row
            setting = db.session.get(Setting, key)
    if setting.value != value:
        setting.value = value
        setting.updated_at = now
    db.session.flush()
