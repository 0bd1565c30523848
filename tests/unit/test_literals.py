"""Numbers are taken as written: hexadecimal, octal and binary integers are found in TOML text (outside
strings and comments) so that a scenario file or --set value using them can be refused."""

from __future__ import annotations

import pytest

from salessim.errors import UserError
from salessim.scenarios.parameters import check_decimal, check_parameter_path
from salessim.scenarios.reading import non_decimal_integer


@pytest.mark.parametrize("text,found", [
    ("count = 0x10", ("0x10", 1)),
    ("a = 1\nr = { count = 0o17 }", ("0o17", 2)),
    ("v = [1, 0b11]", ("0b11", 1)),
    ("count = 10", None),
    ("x = 1_000", None),
    ('id = "0x10"', None),
    ("id = '0x10'", None),
    ("# count = 0x10\nb = 1", None),
    ('t = """\n0x10\n"""\ny = 2', None),
    ("d = 2027-01-01", None),
    ("f = 0.5e10", None),
])
def test_non_decimal_integers_are_found_outside_strings_and_comments(text, found):
    assert non_decimal_integer(text) == found


def test_a_set_value_in_hexadecimal_is_refused():
    with pytest.raises(UserError, match="expected a whole number written in decimal, got '0x10'"):
        check_decimal(" 0x10", "team.reps.0.count")
    check_decimal("10", "team.reps.0.count")
    check_decimal('"0x10"', "team.reps.0.id")  # text is text


@pytest.mark.parametrize("path", ["name", "extends", "description", "question", "claim", "claim.text",
                                  "provenance.team.reps.0.count"])
def test_labels_and_the_parent_are_not_parameters(path):
    with pytest.raises(UserError, match="not a parameter of the model"):
        check_parameter_path(path)
    check_parameter_path("team.reps.0.count")
    check_parameter_path("currency")          # a label of money, but free to change
