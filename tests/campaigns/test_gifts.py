"""What became of every gift: the donor's page and thank-you letter list every item with
its outcome (kept and where it is now, passed on, declined, withdrawn later)."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from app.campaigns.gifts import donation_lines
from app.extensions import db
from app.models import (
    Disposition,
    DonationItem,
    ItemOutcome,
    Role,
    WithdrawalReason,
)
from app.stocktake.weeding import withdraw
from tests.campaigns.factories import add_donation, add_loan, seoul

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def gift(app, make_member, make_book, make_campaign):
    """A donation of five items: two kept (one lent twice, one withdrawn and passed on
    later), one passed on at intake, one declined with a reason, one declined without."""
    volunteer = make_member(Role.VOLUNTEER)
    donor = make_member(Role.MEMBER, name="김기증", locale="ko")
    campaign = make_campaign(name="작은도서관 살리기")
    lent, weeded = make_book(title="채식주의자"), make_book(title="오래된 백과사전")
    donation = add_donation(campaign, [lent, weeded], donor=donor, by=volunteer,
                            received_at=seoul(2026, 3, 2, 10, 0))
    kept, old = sorted(donation.copies, key=lambda c: c.book.title != "채식주의자")
    add_loan(kept, at=seoul(2026, 3, 5, 10, 0), returned_at=seoul(2026, 3, 9, 10, 0))
    add_loan(kept, at=seoul(2026, 4, 5, 10, 0), returned_at=seoul(2026, 4, 9, 10, 0))
    withdraw([old], reason=WithdrawalReason.OUTDATED, disposition=Disposition.PASSED_ON,
             passed_to="해밀 지역아동센터", by=volunteer, now=NOW)
    for title, outcome, reason, passed_to in [
        ("수학의 정석 2012", ItemOutcome.PASSED_ON, None, "○○도서관"),
        ("토익 기출 2010", ItemOutcome.DECLINED, "너무 낡음", None),
        ("잡지 한 묶음", ItemOutcome.DECLINED, None, None),
    ]:
        db.session.add(DonationItem(donation_id=donation.id, title=title, held_for="copy_cap",
                                    outcome=outcome, reason=reason, passed_to=passed_to,
                                    recorded_at=NOW))
    db.session.commit()
    return donor, donation


def test_every_item_is_a_line_with_its_outcome_and_fate(gift):
    _donor, donation = gift
    lines = donation_lines([donation.id])[donation.id]
    assert [(line.title, line.outcome, line.fate, line.loans) for line in lines] == [
        ("오래된 백과사전", ItemOutcome.KEPT, "passed_on_later", 0),
        ("채식주의자", ItemOutcome.KEPT, "on_shelf", 2),
        ("수학의 정석 2012", ItemOutcome.PASSED_ON, "passed_on", 0),
        ("토익 기출 2010", ItemOutcome.DECLINED, "declined", 0),
        ("잡지 한 묶음", ItemOutcome.DECLINED, "declined", 0),
    ]
    assert lines[0].passed_to == "해밀 지역아동센터"


def test_the_donors_page_shows_what_became_of_each_gift(client, gift):
    donor, donation = gift
    with client.session_transaction() as session:
        session["_user_id"] = donor.get_id()
    page = client.get("/me", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "도서: 5권" in page and "장서 등록 2권" in page
    for text in ("채식주의자 · <span class=\"muted\">장서 등록: 서가에 있음 · 대출: 2건</span>",
                 "오래된 백과사전 · <span class=\"muted\">장서 등록: 제적 후 해밀 "
                 "지역아동센터에 전달함",
                 "수학의 정석 2012 · <span class=\"muted\">○○도서관에 전달함",
                 "토익 기출 2010 · <span class=\"muted\">장서로 등록하지 않음 (너무 낡음)",
                 "잡지 한 묶음 · <span class=\"muted\">장서로 등록하지 않음</span>"):
        assert text in page, text


def test_the_thank_you_letter_lists_the_outcomes_in_korean(client, gift):
    donor, donation = gift
    with client.session_transaction() as session:
        session["_user_id"] = donor.get_id()
    response = client.get(f"/me/donations/{donation.id}/acknowledgement.pdf?lang=ko")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in
                   PdfReader(io.BytesIO(response.get_data())).pages)
    flat = text.replace(" ", "").replace("\n", "")
    for expected in ("기증도서:5권", "장서로등록한책:2권", "채식주의자", "서가에있음",
                     "대출:2건", "제적후해밀지역아동센터에전달함", "○○도서관에전달함",
                     "장서로등록하지않음(너무낡음)", "잡지한묶음"):
        assert expected in flat, (expected, text)
