"""What others see of a member at the desk: a masked name."""

import pytest

from app.circulation.privacy import mask_name


@pytest.mark.parametrize(("name", "masked"), [
    ("이서준", "이OO"), ("이수", "이OO"), ("Emma Wilson", "E."), ("emma", "E."),
    ("  ", "—"), (None, "—")])
def test_a_masked_name_tells_its_first_letter_only(name, masked):
    assert mask_name(name) == masked
