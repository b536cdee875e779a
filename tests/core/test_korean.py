"""Korean particles chosen by the word's last sound, and the gettext hook that uses them."""

from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext

from app.circulation.rules import Block
from app.core.korean import korean_date, particle, resolve_markers, with_particle
from app.errors import DomainError

# Real titles, by how they end: (title, 은/는, 이/가, 을/를, 과/와, 으로/로).
TITLES = [
    # Hangul, a vowel
    ("어린 왕자", "는", "가", "를", "와", "로"),
    ("채식주의자", "는", "가", "를", "와", "로"),
    ("소년이 온다", "는", "가", "를", "와", "로"),
    ("파친코", "는", "가", "를", "와", "로"),
    # Hangul, a final consonant
    ("데미안", "은", "이", "을", "과", "으로"),
    ("태백산맥", "은", "이", "을", "과", "으로"),
    ("82년생 김지영", "은", "이", "을", "과", "으로"),
    ("불편한 편의점", "은", "이", "을", "과", "으로"),
    ("마당을 나온 암탉", "은", "이", "을", "과", "으로"),  # ㄺ is not ㄹ
    # Hangul, a final ㄹ: 으로 -> 로
    ("해리 포터와 마법사의 돌", "은", "이", "을", "과", "로"),
    ("하늘과 바람과 별과 시 그리고 별", "은", "이", "을", "과", "로"),
    # Latin words, by their English sound
    ("Harry Potter", "는", "가", "를", "와", "로"),
    ("Pride and Prejudice", "는", "가", "를", "와", "로"),
    ("Emma", "는", "가", "를", "와", "로"),
    ("The Great Gatsby", "는", "가", "를", "와", "로"),
    ("Animal Farm", "은", "이", "을", "과", "으로"),
    ("Little Women", "은", "이", "을", "과", "으로"),
    ("Dune", "은", "이", "을", "과", "으로"),
    ("Hamlet", "은", "이", "을", "과", "으로"),
    ("Moby-Dick", "은", "이", "을", "과", "으로"),
    ("The Hobbit", "은", "이", "을", "과", "으로"),
    ("Brave New World", "는", "가", "를", "와", "로"),
    ("Animal Farm: A Fairy Story", "는", "가", "를", "와", "로"),
    ("Jungle", "은", "이", "을", "과", "로"),  # 정글: ㄹ
    ("Little Novel", "은", "이", "을", "과", "로"),
    # abbreviations by the letters' names
    ("ISBN", "은", "이", "을", "과", "으로"),  # 엔
    ("KDC", "는", "가", "를", "와", "로"),  # 씨
    ("URL", "은", "이", "을", "과", "로"),  # 엘
    # digits by their Korean reading
    ("1984", "는", "가", "를", "와", "로"),  # 사
    ("Fahrenheit 451", "은", "이", "을", "과", "로"),  # 일
    ("Catch-22", "는", "가", "를", "와", "로"),  # 이
    ("토지 3", "은", "이", "을", "과", "으로"),  # 삼
    ("토지 16", "은", "이", "을", "과", "으로"),  # 육
    ("1Q84", "는", "가", "를", "와", "로"),
    ("2001: A Space Odyssey", "는", "가", "를", "와", "로"),
    ("A0017", "은", "이", "을", "과", "로"),  # 칠
    ("100", "은", "이", "을", "과", "으로"),  # 백
    ("BC000120", "은", "이", "을", "과", "으로"),  # 이십
    # quotes and a parenthesis are looked through
    ("“데미안”", "은", "이", "을", "과", "으로"),
    ("“hello”", "는", "가", "를", "와", "로"),
    ("토지(전 20권)", "는", "가", "를", "와", "로"),
]


@pytest.mark.parametrize(("title", "topic", "subject", "object_", "and_", "toward"), TITLES)
def test_particles_of_real_titles(title, topic, subject, object_, and_, toward):
    assert [particle(title, pair) for pair in ("은/는", "이/가", "을/를", "과/와", "으로/로")] == [
        topic, subject, object_, and_, toward]
    marked = f"{title}은(는) {title}이(가) {title}을(를) {title}와(과) {title}(으)로"
    assert resolve_markers(marked) == (
        f"{title}{topic} {title}{subject} {title}{object_} {title}{and_} {title}{toward}")


def test_with_particle_and_markers_left_alone():
    assert with_particle("데미안", "을/를") == "데미안을"
    assert resolve_markers("은(는) 앞에 단어가 없으면 그대로") == "은(는) 앞에 단어가 없으면 그대로"
    assert resolve_markers("no markers here") == "no markers here"


def test_korean_date():
    assert korean_date(date(2026, 12, 3)) == "2026년 12월 3일"


def test_python_gettext_resolves_particles(app):
    with app.test_request_context(), force_locale("ko"):
        text = gettext("Your hold on %(title)s is placed. We will keep the next returned copy "
                       "for you.", title="데미안")
        assert text.startswith("데미안을 예약했습니다")
        lazy = lazy_gettext("The donation is moved to %(name)s.", name="서울 북카페")
        assert str(lazy) == "기증을 서울 북카페로 옮겼습니다."
        assert "(" not in gettext("%(value)s is not an ISBN", value="KDC")


def test_domain_errors_and_blocks_resolve_particles(app):
    with app.test_request_context(), force_locale("ko"):
        error = DomainError(lazy_gettext("%(value)s is not an ISBN"), value="Hamlet")
        assert str(error) == "Hamlet은 ISBN이 아닙니다"
        block = Block("x", lazy_gettext("%(value)s is not an ISBN"), (("value", "Emma"),))
        assert block.message == "Emma는 ISBN이 아닙니다"


def test_template_gettext_resolves_particles(app):
    with app.test_request_context(), force_locale("ko"):
        html = render_template_string(
            '{{ _("%(value)s is not an ISBN", value=v) }}|'
            '{% trans value=v %}{{ value }} is not an ISBN{% endtrans %}', v='"Dune"')
        assert html == "&#34;Dune&#34;은 ISBN이 아닙니다|&#34;Dune&#34;은 ISBN이 아닙니다"


def test_english_is_untouched(app):
    with app.test_request_context(), force_locale("en"):
        assert gettext("%(value)s is not an ISBN", value="책(이)") == "책(이) is not an ISBN"


def test_template_gettext_fixed_strings_follow_the_locale(app):
    # Fixed strings are kept once per locale: switching the locale switches them, an
    # HTML template and a text template read them alike, "%%" reads "%".
    page = "{{ _('Catalogue') }}|{{ _('Catalogue') }}"
    with app.test_request_context():
        with force_locale("ko"):
            assert render_template_string(page) == "자료 검색|자료 검색"
        with force_locale("en"):
            assert render_template_string(page) == "Catalogue|Catalogue"
        with force_locale("ko"):
            assert render_template_string(page) == "자료 검색|자료 검색"
            env = app.jinja_env
            plain = env.overlay(autoescape=False).from_string("{{ _('100%%') }} {{ _('a<b') }}")
            html = env.from_string("{{ _('100%%') }} {{ _('a<b') }}")
            for _round in range(2):
                # A translation is trusted text (as Jinja's own gettext treats it) in both.
                assert plain.render() == html.render() == "100% a<b"
