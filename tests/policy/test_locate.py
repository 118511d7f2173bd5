"""Where a profile's error is: the line of its key, or the parser's line for a syntax error."""

from __future__ import annotations

import pytest

from casetrail.policy.errors import ProfileError
from casetrail.policy.locate import error_line
from casetrail.policy.profiles import builtin_profile_text, parse_profile

TEXT = """key = "x"
[filing_check]
unit = "working_days"
days = "seven"

[summary_procedure]
citizen_fine_cap_yuan = 200
"""


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("key", 1),
        ("filing_check", 2),
        ("filing_check.days", 4),
        ("summary_procedure.citizen_fine_cap_yuan", 7),
        ("summary_procedure.missing", 6),
        ("nowhere", None),
        ("", None),
    ],
)
def test_a_key_is_found_on_its_line(key: str, line: int | None) -> None:
    assert error_line(TEXT, ProfileError("x.toml", key, "…")) == line


def test_an_inline_table_key_is_on_its_table_line_and_syntax_errors_keep_theirs() -> None:
    text = builtin_profile_text("luanchuan-2020").replace(
        'unit = "working_days" }', "unit = 1 }", 1
    )
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, source="x.toml")
    line = error_line(text, refused.value)
    assert line is not None
    assert text.splitlines()[line - 1].startswith(refused.value.key.split(".")[0])
    with pytest.raises(ProfileError) as broken:
        parse_profile('key = "x"\n\nname = \n', source="x.toml")
    assert error_line("", broken.value) == 3
