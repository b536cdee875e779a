"""A JSON file to download (a member's own data), never kept by a cache on the way."""

import json

from flask import Response


def json_download(data: object, filename: str) -> Response:
    """Return `data` as a JSON file download (UTF-8, indented for a person to read)."""
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "no-store"})
