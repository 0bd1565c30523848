"""Widgets (salessim/widgets/): knobs read from the schemas, and panels that validate, cache and update in place."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets", reason="the notebooks extra (ipywidgets) is not installed")

import ipywidgets as W  # noqa: E402

import salessim as ss  # noqa: E402
from salessim.analyses.growth import GrowthSettings  # noqa: E402
from salessim.apps.widgets import Knob, commission_panel, growth_panel, resolve, scenario_panel  # noqa: E402
from salessim.apps.widgets.knobs import unit_of  # noqa: E402
from salessim.runs.cache import CACHE  # noqa: E402
from salessim.scenarios.schema import Scenario  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_cache():
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture(scope="module")
def short() -> ss.Scenario:
    return ss.load_scenario("baseline", {"calendar.months": 3})


# --------------------------------------------------------------------------- knobs
def test_knobs_read_kind_bounds_and_units_from_the_schema():
    sal = resolve(Scenario, "team.reps.0.salary_per_month", 3000.0, "EUR")
    assert (sal.kind, sal.unit, sal.min) == ("float", "EUR per month", 0.0)
    assert sal.full_label == "salary per month (EUR per month)"
    p = resolve(Scenario, "products.A.funnel.booking_rate", 0.25)
    assert (p.min, p.max, p.unit) == (0.0, 1.0, "share")
    months = resolve(Scenario, "calendar.months", 12)
    assert (months.kind, months.min, months.max, months.unit) == ("int", 1, 120, "months")
    choice = resolve(Scenario, "routing.assignment", "round_robin")
    assert choice.kind == "choice" and choice.options == ("round_robin", "least_loaded")
    assert resolve(Scenario, "routing.overflow", False).kind == "bool"
    # the dropdown shows the choices in words and keeps the schema's values
    from salessim.apps.widgets.panel import control
    dropdown = control(choice)
    dropdown = dropdown if isinstance(dropdown, W.Dropdown) else next(
        c for c in getattr(dropdown, "children", ()) if isinstance(c, W.Dropdown))
    assert dropdown.label == "round robin" and dropdown.value == "round_robin"
    assert [label for label, _ in dropdown.options] == ["round robin", "least loaded"]
    reps = resolve(GrowthSettings, Knob("reps", "Reps"), 15)
    assert (reps.kind, reps.min, reps.max, reps.unit, reps.full_label) == ("int", 1, 40, "people", "Reps (people)")
    assert "after hiring" in reps.description


def test_knob_overrides_and_unknown_paths():
    k = resolve(Scenario, Knob("team.reps.0.count", "Reps", min=1, max=30), 7)
    assert (k.min, k.max, k.step, k.label, k.full_label) == (1, 30, 1, "Reps", "Reps (people)")  # the README example
    with pytest.raises(ss.UserError, match="unknown setting") as e:
        resolve(Scenario, "team.reps.0.cuont", 7)
    assert e.value.field == "team.reps.0.cuont"
    with pytest.raises(ss.UserError, match="at most 30"):
        k.check(31)
    with pytest.raises(ss.UserError, match="whole number"):
        k.check(7.5)


@pytest.mark.parametrize("text,unit", [
    ("Fixed salary (currency per month), paid from day one.", "USD per month"),
    ("Rate above the point, as a multiple (x; 1 = none).", "x"),
    ("Skill multiplies the odds of every stage (1 = average).", ""),
    ("Log-sd of skill across the group (drawn per rep).", ""),
    ("Dials per hour of prospecting, including logging (calls/hour).", "calls/hour"),
])
def test_units_come_from_the_description(text, unit):
    assert unit_of(text, "USD") == unit


# --------------------------------------------------------------------------- panels
def test_controls_update_on_release_and_label_their_units(short):
    p = scenario_panel(short, [Knob("team.reps.0.count", "Reps", min=1, max=12)], replications=2, workers=1,
                       run_now=False)
    c = p.controls["team.reps.0.count"]
    assert isinstance(c, W.IntSlider) and c.continuous_update is False and (c.min, c.max) == (1, 12)
    assert isinstance(p.controls["replications"], W.IntSlider)
    labels = [row.children[0].value for row in p.knobs_box.children[0].children + p.knobs_box.children[-1].children]
    assert any("Replications (runs)" in v for v in labels)


def test_panel_caches_settings_and_updates_the_chart_in_place(short):
    p = scenario_panel(short, [Knob("team.reps.0.count", "Reps", min=1, max=12)], replications=3, workers=1)
    image, numbers, children = p.image, p.numbers, p.widget.children
    first_png, first_numbers = image.value, numbers.value
    assert first_png[:4] == b"\x89PNG" and CACHE.simulated == 3 and p.runs == 1
    assert p.progress.value == p.progress.max == 3
    p.controls["team.reps.0.count"].value = 9                     # a change re-runs at once (update on change)
    assert CACHE.simulated == 6 and p.runs == 2
    assert p.image is image and p.numbers is numbers and p.widget.children == children
    assert image.value != first_png and numbers.value != first_numbers
    p.controls["team.reps.0.count"].value = 7                     # settings already seen: no simulation at all
    assert CACHE.simulated == 6 and p.runs == 2 and p.view_hits == 1
    assert image.value == first_png and numbers.value == first_numbers
    assert "from memory" in p.status.value
    # a new panel on the same settings redraws, but takes every replication from the outcome cache
    q = scenario_panel(short, [Knob("team.reps.0.count", "Reps", min=1, max=12)], replications=3, workers=1)
    assert CACHE.simulated == 6 and q.runs == 1 and "all replications from memory" in q.status.value
    # more replications of the same settings run only the new ones
    p.controls["replications"].value = 5
    assert CACHE.simulated == 8


def test_invalid_scenario_combination_shows_salessims_message_not_a_traceback(short):
    knobs = [Knob("activity.meeting_lead_days", "Lead days", min=0, max=10),
             Knob("activity.booking_horizon_days", "Horizon", min=0, max=30)]
    p = scenario_panel(short, knobs, replications=2, workers=1)
    good = p.image.value
    view = p.set(**{"activity.booking_horizon_days": 1, "activity.meeting_lead_days": 5})
    assert view is None and p.errors == 1
    assert "activity.booking_horizon_days: expected at least activity.meeting_lead_days" in p.last_error
    assert "expected at least activity.meeting_lead_days" in p.error.value and "Traceback" not in p.error.value
    assert p.error.layout.display != "none" and p.image.value == good
    p.set(**{"activity.booking_horizon_days": 15, "activity.meeting_lead_days": 2})
    assert p.last_error is None and p.error.value == "" and p.error.layout.display == "none"


def test_growth_panel_reruns_only_the_options_that_changed(short):
    p = growth_panel(short, GrowthSettings(reps=9, heads=1, threshold_uplift=2.0, months=3, replications=2),
                     workers=1)
    assert CACHE.simulated == 8                                   # today, hire, train, hire + train
    assert "salessim-numbers-table" in p.numbers.value and "hire + train" in p.numbers.value
    assert "What the numbers say" in p.text.value
    png = p.image.value
    p.controls["reps"].value = 10                                 # today and train are unchanged
    assert CACHE.simulated == 12 and p.image.value != png
    p.set(reps=3, heads=5)
    assert p.last_error == "heads: expected no more heads than reps: 5 heads for 3 reps"
    assert CACHE.simulated == 12


def test_commission_panel_explains_an_invalid_tier_combination():
    p = commission_panel("new_product_group", months=3, replications=2, workers=1)
    assert "The scheme in place" in p.text.value and "The new design" in p.text.value
    # the rate knob names the scenario's groups
    assert p.specs["new_group_rate_multiple"].label == "Rate on group B vs A"
    p.set(threshold=0.5, cap=0.25)
    assert p.last_error.startswith("cap: expected a cap above the threshold (50% of plan), got 25%")
    p.set(cap=1.5)
    assert p.last_error is None and "tiered commission" in p.text.value


@pytest.mark.parametrize("knobs,replications,field,fragment", [
    ([Knob("team.reps.0.count", "Reps", min=30, max=1)], 4, "team.reps.0.count", "expected the knob's min below its max"),
    (["calendar.months"], 0, "replications", "the starting value 0 is outside the knob's range (2 to 200)"),
    ([Knob("team.reps.0.count", "Reps", min=10, max=30)], 4, "team.reps.0.count", "starting value 7 is outside"),
])
def test_a_panel_built_with_impossible_knobs_says_so(knobs, replications, field, fragment):
    """Were an ipywidgets TraitError, or a value silently moved to the slider's end."""
    with pytest.raises(ss.UserError) as e:
        scenario_panel("baseline", knobs, replications=replications, run_now=False)
    assert e.value.field == field and fragment in e.value.message
