"""API endpoint for call numbers: what the library's rules make of a class, author and title."""

from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, Field

from app.api import bp
from app.api.spec import operation
from app.callnumbers import generate_call_number
from app.catalog import callnumbers
from app.core.access import access
from app.core.validation import Text
from app.models import Role

KDC_PATTERN = r"^\s*[0-9]{3}(\.[0-9]{1,12})?\s*$"


class CallNumberRequest(BaseModel):
    """What the call number is made of; the library's settings fill in what is not given."""

    kdc: str = Field(pattern=KDC_PATTERN, max_length=20,
                     description="The class number (KDC), e.g. 813.7 or 810.")
    author: Text(1000) = Field(description="The author(s) as printed, e.g. 김호연 지음; "
                                           "several separated by ; or ,.")
    title: Text(500) = Field(description="The title, e.g. 불편한 편의점.")
    volume: Text(20, required=False) | int | None = Field(
        None, description="The volume (권차): 2, \"v.2\", \"상\".")
    copy_: int | None = Field(None, alias="copy", ge=1, le=999_999,
                              description="The copy number (복본); 1 carries no copy mark.")
    shelf: Text(16, required=False) | None = Field(
        None, description="The shelf prefix (별치기호), e.g. 아; none when not given.")
    title_mark: Literal["initial", "syllable"] | None = Field(
        None, description="The title mark as the title's initial consonant (ㅂ) or its whole "
                          "first syllable (불); the library's setting when not given.")


class CallNumberAnswer(BaseModel):
    """The call number on one line, its author mark, and the spine label's lines."""

    call_number: str = Field(description="One line, e.g. 813.7-김95ㅂ.")
    author_mark: str | None = Field(description="The author mark with the title mark.")
    lines: list[str] = Field(description="The spine label's lines: 별치기호, class, author "
                                         "mark, volume, copy.")


@bp.route("/call-numbers", methods=["POST"])
@access(Role.VOLUNTEER)
@operation("makeCallNumber", tag="catalogue", body=CallNumberRequest, responses={
    200: (CallNumberAnswer, "The call number by 리재철 table 5 and the library's rules."),
})
def make_call_number(body: CallNumberRequest):
    """Make a call number (청구기호) from a class number, an author and a title."""
    rules = callnumbers.rules()
    if body.title_mark:
        rules = replace(rules, title_mark=body.title_mark)
    made = generate_call_number(title=body.title, author=body.author, kdc=body.kdc.strip(),
                                volume=body.volume, copy=body.copy_, shelf=body.shelf or "",
                                rules=rules)
    return CallNumberAnswer(call_number=made.call_number, author_mark=made.author_mark,
                            lines=list(made.lines))
