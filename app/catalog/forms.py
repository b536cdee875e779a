"""Forms of the catalogue's staff pages."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from app.core.forms import BaseForm


class ShelfListForm(BaseForm):
    """The shelf list's filters (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    shelf = StringField(_l("Shelf prefix (별치기호)"), validators=[Optional(), Length(max=64)])
    class_from = StringField(_l("From call number"), validators=[Optional(), Length(max=64)])
    class_to = StringField(_l("To call number"), validators=[Optional(), Length(max=64)])

    def filters(self) -> dict:
        """Return the filters as entered (empty is none)."""
        return {name: (getattr(self, name).data or "").strip() or None
                for name in ("shelf", "class_from", "class_to")}
