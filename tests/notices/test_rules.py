"""The rules of notices: message lengths (SMS/LMS in EUC-KR bytes), mobile numbers,
choices per member and channel, the schedule and quiet hours, 알림톡 templates."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Member
from app.notices import build
from app.notices.channels import SolapiProvider, TextChannel
from app.notices.preferences import channels_for, normalise_mobile, save_preference
from app.notices.schedule import Schedule, load_schedule, save_schedule
from app.notices.text import Section, TextMessage, compose_text, cut_to_bytes, text_bytes
from tests.notices.conftest import TODAY


def _member(**kw) -> Member:
    return Member(name=kw.get("name", "김하늘"), locale=kw.get("locale", "ko"),
                  email="a@example.com", card_barcode="M1", active=True)


def test_hangul_counts_two_bytes_as_the_networks_count_it():
    assert text_bytes("abc") == 3
    assert text_bytes("아몬드") == 6
    assert text_bytes("똠방각하") == 8  # 똠 is outside EUC-KR's 2,350 syllables, not CP949's
    assert cut_to_bytes("가나다라", 5) == "가나"


def test_a_short_message_is_an_sms_and_a_long_one_an_lms_naming_every_book(app):
    with app.test_request_context("/"):
        one = compose_text(_member(), [Section("due_today", [{"title": "아몬드"}])],
                           cafe_name="북카페")
        assert one.type == "SMS" and text_bytes(one.text) <= 90 and "아몬드" in one.text
        titles = [f"아주 긴 제목의 책 {i}번째" for i in range(5)]
        many = compose_text(_member(), [Section("overdue", [{"title": t} for t in titles])],
                            cafe_name="북카페")
        assert many.type == "LMS" and 90 < text_bytes(many.text) <= 2000
        assert all(t in many.text for t in titles)
        assert many.subject and text_bytes(many.subject) <= 40
        huge = compose_text(_member(), [Section("overdue", [{"title": "책" * 90 + str(i)}
                                                            for i in range(30)])],
                            cafe_name="북카페")
        assert huge.type == "LMS" and text_bytes(huge.text) <= 2000 and "외 29권" in huge.text


def test_a_message_is_written_in_the_members_language(app):
    with app.test_request_context("/"):
        english = compose_text(_member(name="Alice", locale="en"),
                               [Section("overdue", [{"title": "Almond"}])], cafe_name="Cafe")
        korean = compose_text(_member(), [Section("overdue", [{"title": "아몬드"}])],
                              cafe_name="북카페")
    assert english.text.startswith("[Cafe] Alice,") and "Overdue" in english.text
    assert korean.text.startswith("[북카페] 김하늘님,") and "반납" in korean.text


@pytest.mark.parametrize(("typed", "stored"), [
    ("010-1234-5678", "01012345678"), ("010 1234 5678", "01012345678"),
    ("+82 10-1234-5678", "01012345678"), ("011-123-4567", "0111234567"),
    ("(010)1234.5678", "01012345678"),
    ("02-123-4567", None), ("010-1234-567", None), ("1234", None), ("", None),
    ("010-1234-56789", None),
])
def test_mobile_numbers_are_korean_and_stored_as_digits(typed, stored):
    assert normalise_mobile(typed) == stored


def test_each_member_chooses_channels_and_kinds(app, make_member):
    member = make_member(password="")
    assert channels_for(member, "overdue") == ["email"]  # email only until they choose
    save_preference(member, by_email=False, by_text=True, mobile="01012345678",
                    kinds_off=["due_soon"])
    assert channels_for(member, "overdue") == ["text"]
    assert channels_for(member, "due_soon") == []
    save_preference(member, by_email=True, by_text=True, mobile=None, kinds_off=[])
    assert channels_for(member, "overdue") == ["email"]  # no number: no texts


def test_an_opted_out_kind_puts_nothing_in_the_outbox(app, make_member, lend, clock):
    member = make_member(password="")
    save_preference(member, by_email=True, by_text=False, mobile=None, kinds_off=["overdue"])
    db.session.commit()
    lend(member, "아몬드", TODAY - timedelta(days=1))
    dues = build.gather(clock(), load_schedule())
    assert [d.kind for d in dues] == ["overdue"]
    assert build.add_to_outbox(dues, now=clock(), channels={"email"}) == []


def test_quiet_hours_and_the_send_hour_are_seoul_time():
    schedule = Schedule(send_hour=10, quiet_from=21)
    at = lambda hour: datetime(2026, 3, 2, hour, 0, tzinfo=UTC) - timedelta(hours=9)  # noqa: E731
    assert schedule.is_quiet(at(23)) and schedule.is_quiet(at(9))
    assert not schedule.is_quiet(at(10)) and not schedule.is_quiet(at(20))
    assert not schedule.daily_due(at(9)) and schedule.daily_due(at(10))


def test_the_schedule_is_kept_and_its_days_decide_what_is_due(app, make_member, lend, clock):
    member = make_member(password="")
    lend(member, "아몬드", TODAY + timedelta(days=3))
    assert build.gather(clock(), load_schedule()) == []  # 2 days before by default
    save_schedule(Schedule(days_before=[3], kinds_on=["due_soon"]))
    db.session.commit()
    schedule = load_schedule()
    assert schedule.days_before == [3] and schedule.kinds_on == ["due_soon"]
    assert [d.kind for d in build.gather(clock(), schedule)] == ["due_soon"]
    assert build.gather(clock() - timedelta(hours=2), schedule) == []  # before the send hour


def test_an_alimtalk_template_is_used_for_a_message_of_one_kind(app):
    config = {**app.config, "NOTICES_SMS_PROVIDER": "solapi", "SOLAPI_API_KEY": "k",
              "SOLAPI_API_SECRET": "s", "SOLAPI_SENDER": "0215441234",
              "SOLAPI_KAKAO_PFID": "KA01PF1", "NOTICES_KAKAO_TEMPLATES": "overdue=KA01TP9"}
    channel = TextChannel(config)
    member = _member()
    one = [Section("overdue", [{"title": "아몬드", "date": "2026-03-01"}])]
    kakao = channel.kakao_for(member, one)
    assert kakao.template_id == "KA01TP9" and kakao.variables["#{books}"] == "아몬드"
    payload = SolapiProvider(config).payload("01012345678", TextMessage("SMS", "x"), kakao)
    assert payload["message"]["type"] == "ATA"
    assert payload["message"]["kakaoOptions"]["disableSms"] is False  # SMS fallback
    two = [*one, Section("due_today", [{"title": "채식주의자"}])]
    assert channel.kakao_for(member, two) is None  # no template for a mixed message
