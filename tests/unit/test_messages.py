"""Error messages stay short and in our words: a value is echoed cut to a readable length, and no
wording of the validation library (pydantic) reaches the user, whatever is wrong with a scenario."""

from __future__ import annotations

import pytest

import salessim as ss
from salessim.errors import MAX_ECHO, MAX_LINE, ScenarioError, UserError, short_line, shown
from salessim.scenarios.files import scenario_data, validate

#: Phrases of pydantic's own messages (none may reach a user).
LIBRARY_WORDING = ("Input should", "Unable to parse", "Value error", "validation error", "should have at",
                   "pydantic", "Field required", "Extra inputs", "input_value", "type=")


def test_a_long_value_is_echoed_cut_with_its_size():
    text = shown("x" * 100_000)
    assert len(text) <= MAX_ECHO and text.endswith("(100,000 characters)") and text.startswith("'xxx")
    assert shown("short") == "'short'"
    assert shown(list(range(10_000))).endswith("(10,000 entries)")


def test_a_whole_number_too_long_to_print_is_described_not_printed():
    """repr() itself refuses an int of 4,300+ digits (a ValueError): it is described instead."""
    assert shown(5 * 10**4999) == "a whole number of about 5,000 digits"


def test_a_long_line_is_cut_but_a_file_path_is_kept():
    path = "/tmp/" + "d" * 150 + "/out.csv"
    assert short_line(f"error: cannot write {path}") == f"error: cannot write {path}"
    line = short_line("error: got " + "y" * 100_000)
    assert len(line) < MAX_LINE and "(100,000 characters)" in line
    assert len(short_line("word " * 10_000)) <= MAX_LINE


def bad(path: str, value):
    """The message for the baseline with ``path`` set to ``value`` (validated as a file would be)."""
    data = scenario_data(ss.load_scenario("baseline"))
    cur = data
    parts = path.split(".")
    for p in parts[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    elif value is KeyError:
        del cur[parts[-1]]
    else:
        cur[parts[-1]] = value
    with pytest.raises(ScenarioError) as e:
        validate(data, default_source="s.toml")
    return str(e.value)


CASES = [
    ("calendar.months", "9" * 5000),                 # was: Unable to parse input string as an integer, exceeded ...
    ("calendar.months", 10**5000 - 1),
    ("calendar.months", True),
    ("calendar.months", 7.5),
    ("calendar.hours_per_day", "8"),
    ("calendar.hours_per_day", float("nan")),
    ("calendar.start", "yesterday"),
    ("calendar.start", 20270101),
    ("calendar.workdays", ["Mon", "Funday"]),
    ("calendar.workdays", ["Mon"] * 8),
    ("calendar.holidays", "2027-01-01"),
    ("team.reps.0.id", "x" * 100_000),
    ("team.reps.0.id", ""),
    ("team", []),
    ("team.reps", []),
    ("team.reps.0", "rep"),
    ("products", {}),
    ("products.A.deal_size", {"dist": "cauchy"}),
    ("products.A.deal_size", {"median": 5}),
    ("products.A.deal_size", {"dist": "lognormal", "median": 5, "sigma": 1, "extra": 1}),
    ("products.A.margin", KeyError),
    ("routing.assignment", "random"),
    ("routing.overflow", "yes"),
    ("description", "d" * 100_000),
    ("key_clients.enabled", 1),
    ("pay", {"components": [{"type": "bonus"}]}),
    ("pay", {"components": [{"type": "commission", "base": "revenue", "rates": {"A": "10%"}}]}),
    ("market_mood.persistence", 1.5),
    ("effort_choice.forced_mix", {"A": 2}),
]


@pytest.mark.parametrize("path,value", CASES, ids=[f"{p}={type(v).__name__}" for p, v in CASES])
def test_every_validation_message_is_ours_and_short(path, value):
    msg = bad(path, value)
    assert not any(w in msg for w in LIBRARY_WORDING), msg
    assert len(msg) < MAX_LINE, msg[:300]
    assert "\n" not in msg


def test_the_analyses_settings_speak_our_words_too():
    """The growth and commission-design settings (widgets, notebooks) are pydantic models too."""
    from salessim.analyses.commission_design import as_design
    from salessim.analyses.growth import _settings

    for call, value in ((_settings, {"replications": "9" * 5000}), (as_design, {"threshold": "lots"}),
                        (_settings, {"sideways": 1})):
        with pytest.raises(UserError) as e:
            call(value)
        assert not any(w in str(e.value) for w in LIBRARY_WORDING), str(e.value)
