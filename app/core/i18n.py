"""gettext that picks Korean particles after the values are put in.

The Korean catalogue writes a particle that depends on a value as a marker
(``%(title)s을(를)``); both the Python gettext (a Domain, bound through `ParticleBabel`)
and the templates' gettext (`install_template_gettext`) resolve the markers of a message
after interpolation (app.core.korean.resolve_markers; a message asked for without values,
as a lazy string's text is before its values go in, keeps its markers), so the catalogue
stays readable for translators and the reader sees one particle. Only messages whose
translation has a marker are touched, so a value's own text (a title with "(이)" in it)
in other messages stays as it is.
"""

from functools import cached_property

from flask_babel import Babel, Domain
from jinja2 import pass_context
from markupsafe import Markup

from app.core.korean import has_marker, resolve_markers


def _resolved(template: str, text):
    """Return the text with its particle markers resolved when its template has any."""
    if not has_marker(template):
        return text
    if isinstance(text, Markup):
        # Already escaped markup; the markers and particles hold no HTML characters.
        return Markup(resolve_markers(str(text)))  # noqa: S704  # nosec B704
    return resolve_markers(text)


class ParticleDomain(Domain):
    """A flask_babel Domain whose messages get their Korean particles resolved."""

    def gettext(self, string, **variables):
        t = self.get_translations()
        s = t.ugettext(string)
        return _resolved(s, s % variables) if variables else s

    def ngettext(self, singular, plural, num, **variables):
        variables.setdefault("num", num)
        s = self.get_translations().ungettext(singular, plural, num)
        return _resolved(s, s % variables)

    def pgettext(self, context, string, **variables):
        s = self.get_translations().upgettext(context, string)
        return _resolved(s, s % variables) if variables else s

    def npgettext(self, context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        s = self.get_translations().unpgettext(context, singular, plural, num)
        return _resolved(s, s % variables)


class ParticleBabel(Babel):
    """Babel whose default domain is a ParticleDomain."""

    @cached_property
    def domain_instance(self):
        return ParticleDomain(domain=self.domain)


def install_template_gettext(env, translations) -> None:
    """Wrap the templates' newstyle gettext/ngettext (already installed) to resolve markers.

    `translations` returns the current request's translations (looked up once a page).
    """
    jinja_gettext = env.globals["gettext"]
    jinja_ngettext = env.globals["ngettext"]

    @pass_context
    def gettext(__context, __string, **variables):
        if not variables:
            # A page asks for dozens of fixed strings: each is looked up, escaped and
            # formatted (Jinja's newstyle gettext formats even without values: "%%" -> "%")
            # once per locale, then read from the translations' own memo.
            current = translations()
            autoescape = __context.eval_ctx.autoescape
            memo = current.__dict__.setdefault("_template_memo", {})
            rv = memo.get((__string, autoescape))
            if rv is None:
                text = current.ugettext(__string)
                # Our own catalogue's text, trusted as Jinja's gettext trusts it.
                safe = Markup(text) if autoescape else text  # noqa: S704  # nosec B704
                rv = memo[__string, autoescape] = safe % {}
            return rv
        rv = jinja_gettext(__context, __string, **variables)
        return _resolved(translations().ugettext(__string), rv)

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        rv = jinja_ngettext(__context, __singular, __plural, __num, **variables)
        return _resolved(translations().ungettext(__singular, __plural, __num), rv)

    env.globals.update(gettext=gettext, _=gettext, ngettext=ngettext)


def interpolate(template, params) -> str:
    """Return `template % params` (a translated message and its values), particles resolved."""
    text = str(template)
    return _resolved(text, text % dict(params)) if params else text


def sentence_date(value) -> str:
    """Return a date as it is written inside a sentence: 2026년 12월 3일 / December 3, 2026.

    Tables keep the short form (2026. 12. 3.); a date in running text reads as words.
    """
    from flask_babel import format_date

    return format_date(value, "long")
