"""Forms of the import pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(_l("File (CSV, Excel .xlsx, MARC .mrc/.dat or MARCXML)"),
                     validators=[FileRequired(_l("Choose a file."))])


class ImportForm(FlaskForm):
    """The preview's form: the column mapping (map_<field> selects) and the action buttons."""
