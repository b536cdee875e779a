"""Forms of the import pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.core.forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(_l("File (CSV, Excel .xlsx, MARC .mrc/.dat or MARCXML)"),
                     validators=[FileRequired(_l("Choose a file."))])


class ImportForm(BaseForm):
    """The preview's form: the column mapping (map_<field> selects) and the action buttons."""
