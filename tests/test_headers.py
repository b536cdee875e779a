"""Security headers on every page and API answer."""

from app.models import Role


def test_headers_on_pages_and_api(client, login_as):
    login_as(Role.COORDINATOR)
    for path in ("/", "/login", "/admin", "/me", "/api/v1/me", "/nope", "/static/css/app.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        script_src = csp.split("script-src")[1].split(";")[0]
        assert "'self'" in script_src and "unsafe-inline" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Request-ID"]
        response.close()


def test_no_inline_scripts_in_templates():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                offenders.append(str(template))
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template} (inline event handler)")
    assert offenders == []


def test_hsts_only_when_cookies_are_secure(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_camera_and_its_webassembly_decoder_are_allowed_from_this_site_only(client):
    response = client.get("/login")
    script_src = response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert script_src.split() == ["'self'", "'wasm-unsafe-eval'"]  # never 'unsafe-eval'
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
