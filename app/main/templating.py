"""Template globals: navigation by role, the café's name, languages."""

from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.access import ANYONE
from app.core.i18n import install_template_gettext, sentence_date
from app.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    who: object
    group: object = None  # items of one group share a drop-down when two or more show


# The book work of volunteers, one drop-down, so the coordinator's menu fits one line at
# 1280 px (with the café's name, the language switch and the user).
BOOK_WORK = _l("Book work")


# Items whose blueprint is not registered (yet) are left out of the menu.
NAV = [
    NavItem("catalog.search", _l("Catalogue"), ANYONE),
    NavItem("circulation.desk", _l("Desk"), Role.VOLUNTEER),
    NavItem("intake.station", _l("Intake"), Role.VOLUNTEER, BOOK_WORK),
    NavItem("labels.queue", _l("Labels"), Role.VOLUNTEER, BOOK_WORK),
    NavItem("stocktake.index", _l("Stocktake"), Role.VOLUNTEER, BOOK_WORK),
    NavItem("campaigns.index", _l("Campaigns"), Role.MEMBER),
    NavItem("reports.index", _l("Reports"), Role.COORDINATOR),
    NavItem("admin.index", _l("Admin"), Role.COORDINATOR),
    NavItem("accounts.me", _l("My page"), Role.MEMBER),
]


def _nav_links() -> list[dict]:
    """The menu's links and labels for the user's role and language, built once per app
    (a url_for and a translation per item were ~0.7 ms of every page); whether a link is
    the current page is worked out per request."""
    role = current_user.role if current_user.is_authenticated else None
    cache = current_app.extensions.setdefault("bookcafe_nav", {})
    key = (role, str(get_locale()), request.script_root)
    links = cache.get(key)
    if links is None:
        links = []
        for item in NAV:
            if item.endpoint not in current_app.view_functions:
                continue
            if item.who != ANYONE and not (role is not None and current_user.has_role(item.who)):
                continue
            links.append({"url": url_for(item.endpoint), "label": str(item.label),
                          "group": str(item.group) if item.group is not None else None})
        cache[key] = links
    return links


def nav_items() -> list[dict]:
    """Return the menu for the current user: links, and groups of links ({"group", "items"})."""
    items: list[dict] = []
    groups: dict[str, dict] = {}
    path = request.path
    for cached in _nav_links():
        url = cached["url"]
        active = path == url or (url != "/" and path.startswith(url + "/"))
        link = {"url": url, "label": cached["label"], "active": active}
        key = cached["group"]
        if key is None:
            items.append(link)
            continue
        if key not in groups:
            groups[key] = {"group": key, "items": [], "active": False}
            items.append(groups[key])
        groups[key]["items"].append(link)
        groups[key]["active"] = groups[key]["active"] or active
    # A group of one is just its link.
    return [entry["items"][0] if "group" in entry and len(entry["items"]) == 1 else entry
            for entry in items]


def book_url(book_id: int) -> str:
    """Return the URL of a book's page (url_for once per request: a result list has dozens)."""
    prefix = g.get("_book_url_prefix")
    if prefix is None:
        prefix = g._book_url_prefix = url_for("catalog.book", book_id=0)[:-1]
    return f"{prefix}{book_id}"


def page_translations():
    """Return the translations of the current locale, looked up once per request.

    flask_babel looks them up anew (app context, locale, cache key) for every string,
    and a page has dozens. Kept with their locale, so force_locale() still switches.
    """
    # flask_babel keeps the request's locale (and a forced one) on g._flask_babel: read it
    # there with one lookup of g (get_locale() costs half a dozen per string).
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:
        locale = get_locale()
        if locale is None:
            return get_translations()
        babel_context = g._flask_babel
    cached = getattr(babel_context, "page_translations", None)
    if cached is None or cached[0] is not locale:
        cached = babel_context.page_translations = (locale, get_translations())
    return cached[1]


def _template_url_for(app: Flask):
    """url_for for the templates, remembering the static files' URLs (a page asks for
    eight of them; each url_for builds its URL anew)."""
    static: dict[tuple[str, str], str] = {}

    def template_url_for(endpoint: str, **values) -> str:
        if endpoint == "static" and len(values) == 1 and "filename" in values:
            key = (values["filename"],
                   request.script_root if has_request_context() else None)
            url = static.get(key)
            if url is None:
                url = static[key] = app.url_for(endpoint, **values)
            return url
        return app.url_for(endpoint, **values)

    return template_url_for


def register(app: Flask) -> None:
    """Register the template globals and the templates' gettext."""
    app.jinja_env.globals["url_for"] = _template_url_for(app)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    install_template_gettext(app.jinja_env, page_translations)
    app.jinja_env.filters["sentence_date"] = sentence_date

    @app.context_processor
    def _globals():
        return {
            "nav_items": nav_items,
            "book_url": book_url,
            "cafe_name": app.config["CAFE_NAME"],
            "current_locale": str(get_locale()),
            "Role": Role,
            "endpoints": app.view_functions,
        }
