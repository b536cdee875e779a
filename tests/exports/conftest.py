"""Fixtures of the export tests."""

import pytest


@pytest.fixture(autouse=True)
def english(app, tmp_path):
    """Messages made outside a request in English; uploads in the test's temp directory."""
    from flask_babel import force_locale

    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    with force_locale("en"):
        yield
