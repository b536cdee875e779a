"""Stored and reflected XSS: payloads typed into every text field never come back as markup.

Each text field a person can fill (forms, an import file, the JSON API) receives a payload
through the real pages, then every page that shows it is fetched by each role that can see
it, and the HTML is parsed: no injected element, no event-handler attribute, no
javascript: URL. test_every_text_field_is_covered fails when a form gains a text field
this file does not know about.
"""

import csv
import importlib
import inspect
import io
import pkgutil
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

import app as app_package
from app.accounts.services import issue_token
from app.extensions import db
from app.models import (
    Book,
    Campaign,
    Copy,
    CopyStatus,
    DonationItem,
    LabelTemplate,
    Loan,
    Member,
    Partner,
    Role,
    VolunteerShift,
    Withdrawal,
    utcnow,
)
from tests.support.providers import block_network, web  # noqa: F401

# The classic payloads, in one string (fields of 100+ characters) ...
LONG = "<script>alert(1)</script>\"onmouseover=\"alert(1)'><img src=x onerror=alert(1)>"
# ... and a short one for fields of 20-64 characters.
SHORT = "'\"><b onclick=x>"
JS_URL = "javascript:alert(1)"
ISBN_UNKNOWN = "9791190090018"

# Every WTForms text field in app/*/forms.py, and how this file covers it. "payload": the
# payload is submitted through that form below. Other entries say why not.
COVERED = {
    "accounts.LoginForm.email": "payload",  # the login page echoes nothing but an error
    "accounts.LoginForm.password": "password: never shown",
    "accounts.RegisterForm.name": "payload",
    "accounts.RegisterForm.email": "validated: an email address",
    "accounts.RegisterForm.phone": "validated: digits, spaces, + and - only",
    "accounts.RegisterForm.password": "password: never shown",
    "accounts.RegisterForm.confirm": "password: never shown",
    "accounts.SettingsForm.name": "payload",
    "accounts.SettingsForm.phone": "validated: digits, spaces, + and - only",
    "accounts.PasswordForm.current": "password: never shown",
    "accounts.PasswordForm.password": "password: never shown",
    "accounts.PasswordForm.confirm": "password: never shown",
    "admin.MemberSearchForm.q": "payload",
    "admin.NewMemberForm.name": "payload",
    "admin.NewMemberForm.email": "validated: an email address",
    "admin.NewMemberForm.phone": "payload",
    "admin.CallNumberSettingsForm.large_print_prefix": "payload",
    "admin.CallNumberSettingsForm.reader_group_0": "payload",
    "admin.CallNumberSettingsForm.reader_group_1": "payload",
    "admin.CallNumberSettingsForm.reader_group_2": "payload",
    "admin.CallNumberSettingsForm.reader_group_4": "payload",
    "admin.CallNumberSettingsForm.reader_group_5": "payload",
    "admin.CallNumberSettingsForm.reader_group_6": "payload",
    "admin.CallNumberSettingsForm.reader_group_7": "payload",
    "admin.CallNumberSettingsForm.reader_group_9": "payload",
    "admin.CallNumberSettingsForm.form_0": "payload",
    "admin.CallNumberSettingsForm.form_1": "payload",
    "admin.CallNumberSettingsForm.form_2": "payload",
    "admin.CallNumberSettingsForm.form_3": "payload",
    "admin.CallNumberSettingsForm.form_4": "payload",
    "admin.CallNumberSettingsForm.form_5": "payload",
    "admin.CallNumberSettingsForm.form_6": "payload",
    "admin.CallNumberSettingsForm.form_7": "payload",
    "admin.CallNumberSettingsForm.form_8": "payload",
    "catalog.ShelfListForm.shelf": "payload",
    "catalog.ShelfListForm.class_from": "payload",
    "catalog.ShelfListForm.class_to": "payload",
    "campaigns.CampaignForm.name": "payload",
    "campaigns.CampaignForm.description": "payload",
    "circulation.ScanForm.code": "payload",
    "circulation.HoldForm.next": "payload",  # a javascript: URL
    "circulation.SelfCheckoutForm.barcode": "payload",
    "intake.StartForm.donor": "payload",
    "intake.ScanForm.scan": "payload",
    "intake.ManualBookForm.title": "payload",
    "intake._BookDetailsForm.authors": "payload",  # manual and edit forms
    "intake._BookDetailsForm.publisher": "payload",
    "intake._BookDetailsForm.language": "validated: letters and - only",
    "intake.EditBookForm.isbn13": "payload",
    "intake.EditBookForm.title": "payload",
    "intake.EditBookForm.subtitle": "payload",
    "intake.EditBookForm.kdc": "validated: a KDC number",
    "intake.EditBookForm.addon_code": "validated: 5 digits",
    "intake.EditBookForm.description": "payload",
    "labels.RangeForm.first": "payload",
    "labels.RangeForm.last": "payload",
    "labels.ScansForm.codes": "payload",
    "labels.TemplateForm.name": "payload",
    "stocktake.StartForm.shelf": "payload",
    "stocktake.StartForm.call_from": "payload",
    "stocktake.StartForm.call_to": "payload",
    "stocktake.StartForm.note": "payload",
    "stocktake.ScanForm.code": "payload",
    "stocktake.ScanForm.lane": "payload",  # refused: letters and digits only
    "stocktake.ReinstateForm.stocktake_id": "read only as a number, never shown",
    "stocktake.WithdrawForm.passed_to": "payload",
    "stocktake.WithdrawForm.note": "payload",
    "stocktake.DispositionForm.passed_to": "payload",
    "notices.ScheduleForm.days_before": "validated: digits, commas and spaces only",
    "notices.ScheduleForm.days_after": "validated: digits, commas and spaces only",
    "notices.PreferencesForm.mobile": "validated: a Korean mobile number, stored as digits",
    "intake.TriageForm.reason": "payload",
    "intake.PartnerForm.name": "payload",
    "volunteers.LogShiftForm.note": "payload",
}


def _text_fields() -> set[str]:
    """Return area.Form.field for every text field of every form under app/."""
    found = set()
    for info in pkgutil.iter_modules(app_package.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"app.{info.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, FlaskForm) or form.__module__ != module.__name__:
                continue
            for field_name, unbound in vars(form).items():
                field_class = getattr(unbound, "field_class", None)
                if field_class is not None and issubclass(field_class, StringField):
                    found.add(f"{info.name}.{name}.{field_name}")
    return found


def test_every_text_field_is_covered():
    """A new text field in a form must get a payload below (or a reason in COVERED)."""
    fields = _text_fields()
    assert fields - set(COVERED) == set(), "add these fields to tests/test_xss.py"
    assert set(COVERED) - fields == set(), "these fields no longer exist"
    assert issubclass(PasswordField, StringField)  # so passwords are enumerated too


def test_the_scanner_sees_each_payload_unescaped():
    for payload in (LONG, f'<a title="{SHORT}">', f'<a href="{JS_URL}">x</a>'):
        scanner = _Scanner()
        scanner.feed(f"<p>{payload}</p>")
        assert scanner.problems, payload


class _Scanner(HTMLParser):
    """Collect what an injected payload would look like once parsed as HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in {"img", "b", "svg"} and any(n in {"onerror", "onclick", "onload"}
                                               for n, _v in attrs):
            self.problems.append(f"injected <{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} of <{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(1)" in data:
            self.problems.append(f"injected script {data[:80]!r}")


def assert_clean(response, where: str) -> str:
    """Fail if the response carries an executable payload; return its text."""
    text = response.get_data(as_text=True)
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type:
        scanner = _Scanner()
        scanner.feed(text)
        scanner.close()
        assert scanner.problems == [], f"{where}: {scanner.problems}"
        assert "<script>alert(1)" not in text, where
    else:
        # JSON, CSV, PDF: never sniffed into HTML (nosniff is checked by test_headers).
        assert content_type.split(";")[0] in {
            "application/json", "text/csv", "application/pdf", "image/png",
            "application/octet-stream",
        }, f"{where}: {content_type}"
    return text


@pytest.fixture
def browser(app, client, make_member, web):  # noqa: F811
    """A client that acts as one member after another, posting forms with their CSRF token."""

    class Browser:
        def __init__(self):
            self.member = None

        def as_(self, member: Member | None):
            with client.session_transaction() as session:
                session.clear()
                if member is not None:
                    session["_user_id"] = member.get_id()
                    session["_fresh"] = True
            self.member = member
            return self

        def token(self) -> str:
            html = client.get("/").get_data(as_text=True)
            return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)

        def post(self, path, data=None, **kw):
            response = client.post(path, data={"csrf_token": self.token(), **(data or {})},
                                   **kw)
            assert response.status_code < 500, (path, response.status_code)
            assert_clean(response, f"POST {path}")
            return response

        def get(self, path, **kw):
            response = client.get(path, **kw)
            assert response.status_code < 500, (path, response.status_code)
            assert_clean(response, f"GET {path}")
            return response

        def api(self, path, headers, body):
            response = client.post(path, json=body, headers=headers)
            assert response.status_code < 500, (path, response.status_code)
            assert_clean(response, f"POST {path}")
            return response

        def follow(self, response):
            """Fetch the redirect target (flash messages show there)."""
            if response.status_code in (301, 302, 303):
                location = response.headers["Location"]
                assert not location.lower().startswith("javascript:"), location
                return self.get(location)
            return response

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return Browser()


def _scalar(model, **where):
    db.session.expire_all()  # see what the requests wrote
    return db.session.scalar(sa.select(model).filter_by(**where))


def test_payloads_never_come_back_as_markup(app, browser, make_member, make_book, make_copy):
    """Store the payloads through the forms, then read every page that shows them."""
    coordinator = make_member(Role.COORDINATOR, name="Coordinator", locale="en")
    volunteer = make_member(Role.VOLUNTEER, name="Volunteer", locale="en")
    b = browser

    # --- a member registers and changes settings -----------------------------------
    b.as_(None)
    b.follow(b.post("/login", {"email": f"{LONG}@x.example", "password": "x"}))
    b.follow(b.post("/register", {
        "name": LONG, "email": "xss@example.com", "password": "a long password",
        "confirm": "a long password", "locale": "en", "privacy": "y", "donor_named": "y",
        "keep_history": "y"}))
    member = _scalar(Member, email="xss@example.com")
    assert member is not None and member.name == LONG
    b.as_(member)
    b.follow(b.post("/me/settings", {"name": "S" + LONG[:99], "locale": "en",
                                      "donor_named": "y", "keep_history": "y"}))
    b.follow(b.post("/me/checkout", {"barcode": SHORT + "x" * 10}))

    # --- a coordinator adds a member, a campaign, a label sheet; searches -------------
    b.as_(coordinator)
    b.follow(b.post("/admin/members/new", {"name": "N" + LONG[:99], "phone": SHORT,
                                            "role": "member"}))
    b.get("/admin", query_string={"q": LONG})
    b.follow(b.post("/campaigns/new", {"name": LONG, "description": LONG * 3,
                                        "goal_books": "10", "starts_on": "2026-01-01",
                                        "is_active": "y", "is_default": "y"}))
    campaign = _scalar(Campaign, name=LONG)
    assert campaign is not None
    b.follow(b.post("/labels/templates/new", {
        "name": "T" + LONG[:99], "kind": "copy", "page_width_mm": "210",
        "page_height_mm": "297", "rows": "7", "columns": "3", "label_width_mm": "63.5",
        "label_height_mm": "38.1", "margin_top_mm": "15.1", "margin_left_mm": "7.2",
        "gap_x_mm": "2.5", "gap_y_mm": "0", "offset_x_mm": "0", "offset_y_mm": "0"}))
    assert _scalar(LabelTemplate, name="T" + LONG[:99]) is not None

    # --- a CSV import with payloads in its cells -----------------------------------
    rows = [("서명", "저자", "발행자", "발행년도", "ISBN", "등록번호", "청구기호"),
            ("I" + LONG, LONG, LONG, "2020", "", "", SHORT),
            (LONG, "", "", "", "not an isbn" + LONG, SHORT, "")]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    upload = b.post("/admin/import", {"file": (io.BytesIO(buffer.getvalue().encode()),
                                               "x<script>alert(1)</script>.csv")},
                    content_type="multipart/form-data")
    assert upload.status_code == 302, upload.get_data(as_text=True)[:300]
    preview = upload.headers["Location"]
    b.get(preview)
    b.follow(b.post(preview, {"action": "import"}))
    b.get(preview + "/report.csv")

    # --- an institution to pass gifts on to ------------------------------------------
    b.follow(b.post("/intake/partners", {"name": "P" + LONG}))
    partner = _scalar(Partner, name="P" + LONG)
    assert partner is not None

    # --- a volunteer takes in a donation, types unknown books in, edits one -----------
    b.as_(volunteer)
    b.follow(b.post("/shifts/log", {"day": "2026-01-05", "start": "10:00", "end": "12:00",
                                    "activity": "desk", "note": LONG}))
    assert _scalar(VolunteerShift, note=LONG) is not None
    b.follow(b.post("/intake/start", {"donor": LONG[:100], "campaign_id": str(campaign.id),
                                       "find": "y"}))
    b.follow(b.post("/intake/start", {"donor_id": SHORT, "campaign_id": str(campaign.id),
                                       "find": "y"}))
    b.follow(b.post("/intake/start", {"donor": member.card_barcode,
                                       "campaign_id": str(campaign.id), "find": "y"}))
    b.follow(b.post("/intake/scan", {"scan": SHORT + "12345"}))
    b.follow(b.post("/intake/scan", {"scan": ISBN_UNKNOWN}))
    b.follow(b.post("/intake/manual", {"title": "M" + LONG, "authors": LONG,
                                        "publisher": LONG, "language": "ko", "save": "y"}))
    book = _scalar(Book, title="M" + LONG)
    assert book is not None
    b.follow(b.post("/intake/no-isbn"))
    b.post("/intake/manual", {"title": "", "authors": LONG, "save": "y"})
    b.follow(b.post(f"/intake/books/{book.id}/edit", {
        "isbn13": LONG[:64], "title": "E" + LONG, "subtitle": LONG, "authors": LONG,
        "publisher": LONG, "description": LONG}))
    b.follow(b.post(f"/intake/books/{book.id}/edit", {
        "isbn13": ISBN_UNKNOWN, "title": "E" + LONG, "subtitle": LONG, "authors": LONG,
        "publisher": LONG, "description": LONG}))
    assert _scalar(Book, id=book.id).subtitle == LONG
    # Triage: items marked damaged, one declined with a reason, one passed on.
    for outcome in ("declined", "passed_on"):
        b.follow(b.post("/intake/scan", {"scan": "4"}))
        b.follow(b.post("/intake/scan", {"scan": ISBN_UNKNOWN}))
        b.follow(b.post("/intake/triage", {outcome: "y", "reason": LONG,
                                           "partner_id": str(partner.id)}))
    assert _scalar(DonationItem, reason=LONG, passed_to="P" + LONG) is not None
    b.follow(b.post("/intake/finish"))

    # --- the desk and the label queue echo what was scanned ------------------------
    b.follow(b.post("/desk/scan", {"code": LONG[:100]}))
    b.follow(b.post("/desk/scan", {"code": SHORT}))
    b.follow(b.post("/desk/scan", {"code": member.card_barcode}))
    b.follow(b.post("/labels/add/range", {"first": SHORT, "last": SHORT + "1"}))
    b.follow(b.post("/labels/add/scans", {"codes": LONG + "\n" + SHORT}))

    # --- the desk lends the typed-in book to the member (as the page's script does too) --
    copy = _scalar(Copy, book_id=book.id)
    b.follow(b.post("/desk/scan", {"code": member.card_barcode}))
    b.post("/desk/scan", {"code": copy.barcode}, headers={"X-Desk-Fetch": "1"})
    b.post("/desk/scan", {"code": LONG[:100]}, headers={"X-Desk-Fetch": "1"})
    assert _scalar(Loan, copy_id=copy.id) is not None

    # --- a stocktake with payloads in its scope and scans; weeding with its fate -------
    b.as_(volunteer)
    open_one = b.post("/stocktake", {"shelf": SHORT, "call_from": SHORT, "call_to": SHORT + "z",
                                     "note": LONG, "in_order": "y"}).headers["Location"]
    b.follow(b.post(f"{open_one}/scan", {"code": LONG[:100], "lane": SHORT}))
    b.post(f"{open_one}/scan", {"code": LONG[:100]})
    b.post(f"{open_one}/scan", {"code": SHORT}, headers={"X-Stocktake-Fetch": "1"})
    closed_one = b.post("/stocktake", {"note": "N" + LONG}).headers["Location"]
    b.as_(coordinator)
    b.follow(b.post(f"{closed_one}/close"))
    spares = [make_copy(book=book, status=CopyStatus.DAMAGED) for _ in range(2)]
    b.follow(b.post("/weeding/withdraw", {
        "copy_ids": [str(spares[0].id)], "reason": "other", "disposition": "passed_on",
        "passed_to": LONG, "note": LONG}))
    b.follow(b.post("/weeding/withdraw", {"copy_ids": [str(spares[1].id)], "reason": "damaged",
                                          "disposition": "pending", "note": SHORT}))
    pending = _scalar(Withdrawal, copy_id=spares[1].id)
    b.follow(b.post(f"/weeding/withdrawals/{pending.id}", {"disposition": "passed_on",
                                                            "passed_to": "P" + LONG}))
    assert _scalar(Withdrawal, copy_id=spares[1].id).passed_to == "P" + LONG

    # --- call-number settings with payload shelf prefixes, then every copy gets one ----
    b.as_(coordinator)
    b.follow(b.post("/admin/call-numbers", {
        "title_mark": "initial", "volume_style": "v", "copy_style": "equals",
        "large_print_prefix": SHORT, **{f"reader_group_{d}": SHORT for d in "01245679"},
        **{f"form_{d}": SHORT for d in "012345678"}}))
    b.follow(b.post("/admin/call-numbers/fill"))

    # --- the JSON API: a book and a campaign with payloads ---------------------------
    api = {}
    for who in (volunteer, coordinator):
        raw, _stored = issue_token(who, days=1, now=utcnow())
        api[who.role] = {"Authorization": f"Bearer {raw}"}
    db.session.commit()
    created = b.api("/api/v1/intake", api[Role.VOLUNTEER], {
        "scan": "9788936434120", "anonymous": True,
        "metadata": {"title": "A" + LONG, "authors": [LONG], "publisher": LONG}})
    assert created.status_code == 201, created.json
    b.api("/api/v1/intake", api[Role.VOLUNTEER], {"scan": LONG})
    created = b.api("/api/v1/campaigns", api[Role.COORDINATOR], {
        "name": "C" + LONG, "goal_books": 5, "starts_on": "2026-01-01", "description": LONG})
    assert created.status_code == 201, created.json
    b.api("/api/v1/checkouts", api[Role.VOLUNTEER], {"member_card": LONG[:32],
                                                     "copy_barcode": SHORT})
    b.api("/api/v1/labels", api[Role.VOLUNTEER], {"copies": [LONG, SHORT]})

    # --- javascript: URLs where the app redirects after a form ------------------------
    make_copy(book=book)  # a second copy, so the book can be held while one is out
    b.as_(member)
    for path, data in (("/holds", {"book_id": str(book.id), "next": JS_URL}),
                       ("/lang", {"lang": "en", "next": JS_URL}),
                       ("/lang", {"lang": "en", "next": "//evil.example/x"})):
        location = b.post(path, data).headers.get("Location", "")
        assert not location.lower().startswith(("javascript:", "//")), (path, location)
    b.as_(None)
    b.get("/login", query_string={"next": JS_URL})

    # --- now read every page that shows them, as each role that can see them -------
    public = ["/", "/catalog", f"/catalog/{book.id}", "/campaigns", f"/campaigns/{campaign.id}",
              "/api/v1/books", f"/api/v1/books/{book.id}", "/api/v1/campaigns",
              f"/api/v1/campaigns/{campaign.id}", "/api/v1/books/new"]
    api_book = _scalar(Book, title="A" + LONG)
    api_campaign = _scalar(Campaign, name="C" + LONG)
    public += [f"/catalog/{api_book.id}", f"/campaigns/{api_campaign.id}",
               "/api/v1/books/popular"]
    searches = [("/catalog", {"q": LONG}), ("/catalog", {"q": "M<script>"}),
                ("/", {"q": LONG}), ("/api/v1/books", {"q": LONG}),
                ("/api/v1/books", {"q": "script"}), ("/catalog", {"q": "script alert"})]
    member_pages = ["/me", "/me/settings", "/me/data.json", "/api/v1/me", "/api/v1/me/holds",
                    "/api/v1/me/loans", f"/holds/new/{book.id}"]
    staff_pages = [f"/api/v1/isbn/{ISBN_UNKNOWN}", "/desk", "/desk/overdue",
                   "/desk/overdue/letters", "/labels",
                   "/labels/templates", "/labels/preview", "/intake", "/intake/incomplete",
                   f"/intake/books/{book.id}/edit", f"/campaigns/{campaign.id}/donations",
                   "/stocktake", open_one, closed_one, f"{closed_one}/report.csv"]
    coordinator_pages = [
        "/admin", f"/admin/members/{member.id}", "/admin/deletions", "/admin/import",
        "/labels/cards", f"/campaigns/{campaign.id}/edit",
        f"/campaigns/{campaign.id}/donations.csv", "/reports", "/reports/collection.csv",
        "/admin/members/new",
        f"/labels/templates/{_scalar(LabelTemplate, name='T' + LONG[:99]).id}",
        "/weeding", "/weeding/withdrawals", "/weeding/least-borrowed",
        "/weeding/least-borrowed.csv", ("/weeding", {"damaged": "y", "years": "1"}),
        "/admin/call-numbers", "/catalog/shelf-list", "/catalog/shelf-list.csv",
        ("/catalog/shelf-list", {"shelf": SHORT, "class_from": SHORT, "class_to": LONG}),
        ("/catalog/shelf-list.csv", {"shelf": SHORT, "class_from": SHORT}),
    ]
    reports = [("/reports", {"start": LONG, "end": LONG}),
               ("/reports", {"start": "2026-01-01", "end": SHORT}),
               ("/reports/loans.csv", {"start": LONG, "end": "2026-12-31"})]
    # The payloads are there, as text.
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    b.as_(coordinator)
    for path in (f"/catalog/{book.id}", f"/campaigns/{campaign.id}", "/labels/templates",
                 f"/admin/members/{member.id}", "/intake/incomplete", open_one, closed_one,
                 "/weeding/withdrawals"):
        assert escaped in b.get(path).get_data(as_text=True), path
    for who in (None, member, volunteer, coordinator):
        b.as_(who)
        pages = list(public) + [(p, q) for p, q in searches]
        if who is not None:
            pages += member_pages
        if who in (volunteer, coordinator):
            pages += staff_pages
        if who is coordinator:
            pages += coordinator_pages + reports
        for page in pages:
            path, query = page if isinstance(page, tuple) else (page, None)
            b.get(path, query_string=query)
