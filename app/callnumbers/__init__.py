"""Call numbers (청구기호): author marks by 리재철 제5표, composing, and shelf order.

Pure functions: no database, no Flask. ``generate_call_number`` is what a route calls;
``sort_key`` puts call numbers (ours or imported strings) in shelf order.
"""

from app.callnumbers.authormark import (
    CONSONANT_DIGITS,
    VOWEL_DIGITS,
    VOWEL_DIGITS_AFTER_CHIEUT,
    author_mark,
    avoid_collision,
    heading_number,
    syllable_digits,
    title_mark,
)
from app.callnumbers.collation import (
    ParsedCallNumber,
    parse_call_number,
    placed_call_number,
    shelf_key,
    shelf_of,
    sort_key,
)
from app.callnumbers.generator import (
    CHILDREN_PREFIX,
    DEFAULT_FORM_PREFIXES,
    DEFAULT_READER_GROUP_PREFIXES,
    DEFAULT_RULES,
    LARGE_PRINT_PREFIX,
    CallNumber,
    CallNumberRules,
    class_number,
    format_call_number,
    generate_call_number,
    shelf_prefix,
)
from app.callnumbers.heading import ROLE_WORDS, choose_heading, first_author, personal_heading

__all__ = [
    "CHILDREN_PREFIX",
    "CONSONANT_DIGITS",
    "DEFAULT_FORM_PREFIXES",
    "DEFAULT_READER_GROUP_PREFIXES",
    "DEFAULT_RULES",
    "LARGE_PRINT_PREFIX",
    "ROLE_WORDS",
    "VOWEL_DIGITS",
    "VOWEL_DIGITS_AFTER_CHIEUT",
    "CallNumber",
    "CallNumberRules",
    "ParsedCallNumber",
    "author_mark",
    "avoid_collision",
    "choose_heading",
    "class_number",
    "first_author",
    "format_call_number",
    "generate_call_number",
    "heading_number",
    "parse_call_number",
    "personal_heading",
    "placed_call_number",
    "shelf_key",
    "shelf_of",
    "shelf_prefix",
    "sort_key",
    "syllable_digits",
    "title_mark",
]
