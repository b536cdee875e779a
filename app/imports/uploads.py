"""Uploads kept between the preview and the import: a private temp file, never the session."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError, ImportExpired
from app.imports.reading import file_kind, load_source, parse_mapping
from app.models import Member

UPLOAD_MAX_AGE = 24 * 3600

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Upload:
    """A stored upload: its file, original name, column mapping and last report."""

    token: str
    directory: Path
    filename: str
    mapping: dict[str, int] | None = None
    uploaded_by: int | None = None

    @property
    def path(self) -> Path:
        """Return the stored file."""
        return self.directory / "upload"

    @property
    def report_path(self) -> Path:
        """Return where the last report is kept."""
        return self.directory / "report.csv"

    def save(self) -> None:
        """Write the upload's settings beside the file."""
        meta = {"filename": self.filename, "mapping": self.mapping,
                "uploaded_by": self.uploaded_by}
        (self.directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def store_upload(root: Path, stream, filename: str, *, by: Member | None) -> Upload:
    """Keep an uploaded file in a private temp directory; return its handle.

    A file the import cannot read (an image, a Word file...) is refused, and not kept.
    """
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _forget_old_uploads(root)
    token = secrets.token_urlsafe(24)
    directory = root / token
    directory.mkdir(mode=0o700)
    with open(directory / "upload", "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    upload = Upload(token=token, directory=directory, filename=Path(filename or "").name[:200],
                    uploaded_by=by.id if by is not None else None)
    upload.save()
    try:
        file_kind(upload.path)
    except DomainError:
        discard_upload(upload)
        raise
    return upload


def open_upload(root: Path, token: str) -> Upload:
    """Return a stored upload; raise ImportExpired when it is gone or the token is bad."""
    if not _TOKEN.match(token or ""):
        raise ImportExpired()
    directory = root / token
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ImportExpired() from None
    mapping = meta.get("mapping")
    return Upload(token=token, directory=directory, filename=meta.get("filename") or "",
                  mapping={k: int(v) for k, v in mapping.items()} if mapping else None,
                  uploaded_by=meta.get("uploaded_by"))


def discard_upload(upload: Upload) -> None:
    """Delete a stored upload."""
    shutil.rmtree(upload.directory, ignore_errors=True)


def _forget_old_uploads(root: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for directory in root.iterdir():
        try:
            if directory.is_dir() and directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
        except OSError:
            continue




def remap(upload: Upload, form: Mapping[str, str]) -> None:
    """Keep the column mapping sent with the preview's form (a MARC file has none), and
    forget the last report, made with the old one."""
    if any(key.startswith("map_") for key in form):
        source = load_source(upload.path)
        if source.kind != "marc":
            upload.mapping = parse_mapping(source.headers, form)
            upload.save()
    upload.report_path.unlink(missing_ok=True)
