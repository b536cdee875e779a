"""App settings a coordinator changes, kept as named JSON values (table setting)."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.extensions import db, savepoint
from app.models import Setting


def stored(key: str):
    """Return the setting's stored value, None when there is none."""
    setting = db.session.get(Setting, key)
    return setting.value if setting is not None else None


def stored_dict(key: str) -> dict:
    """Return the setting's value when it is an object, else {} (the caller's defaults)."""
    value = stored(key)
    return value if isinstance(value, dict) else {}


def store(key: str, value, *, now: datetime) -> None:
    """Keep a setting's new value (flushes); two requests storing it at once both succeed,
    the later value standing."""
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
