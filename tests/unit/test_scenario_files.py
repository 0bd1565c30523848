"""Scenario files: extends, overrides, and one-line errors naming file, field and expectation."""

from __future__ import annotations

import pytest

import salessim as ss
from salessim.cli import main
from salessim.scenarios.files import load_raw, to_toml
from salessim.scenarios.reading import builtin_names

BAD = {
    "unknown_field": ('extends = "baseline"\n[activity]\nmeeting_hourz = 2\n',
                      "activity.meeting_hourz", "unknown field (expected one of:"),
    "wrong_type": ('extends = "baseline"\n[calendar]\nmonths = "twelve"\n',
                   "calendar.months", "expected a whole number, got 'twelve'"),
    "probability_above_one": ('extends = "baseline"\n[products.A.funnel]\nbooking_rate = 1.3\n',
                              "products.A.funnel.booking_rate", "between 0 and 1, got 1.3"),
    "negative_headcount": ('extends = "baseline"\n[[team.reps]]\nid = "r"\ncount = -3\nsupervisor = "head"\n'
                           'salary_per_month = 1\n', "team.reps.0.count", "expected a count of 0 or more, got -3"),
    "missing_supervisor": ('extends = "baseline"\n[[team.reps]]\nid = "r"\ncount = 3\nsupervisor = "boss"\n'
                           'salary_per_month = 1\n', "team.reps.0.supervisor", "expected the id of a supervisor"),
    "unknown_distribution": ('extends = "baseline"\n[products.A]\ndeal_size = { dist = "normal", mean = 3 }\n',
                             "products.A.deal_size", "expected one of"),
    "mid_month_start": ('extends = "baseline"\n[calendar]\nstart = 2027-01-15\n',
                        "calendar.start", "expected the first day of a month"),
    "unknown_product_in_source": ('extends = "baseline"\n[[lead_sources]]\nname = "x"\nproduct = "Z"\n'
                                  'rate_per_day = 1\n', "lead_sources.0.product", "expected a product ('A')"),
    # infinity passed every positive-number field and failed deep in the model (OverflowError)
    "infinite_rate": ('extends = "baseline"\n[prospecting]\ncalls_per_hour = inf\n',
                      "prospecting.calls_per_hour", "expected a finite number"),
    "infinite_deal_size": ('extends = "baseline"\n[products.A]\ndeal_size = { dist = "lognormal", median = inf, '
                           'sigma = 1.0 }\n', "products.A.deal_size.median", "expected a finite number"),
    # sizes that would need more memory than any machine has (the process was killed)
    "huge_headcount": ('extends = "baseline"\n[[team.reps]]\nid = "r"\ncount = 100000000000\nsupervisor = "head"\n'
                       'salary_per_month = 1\n', "team.reps.0.count", "10000"),
    "huge_department": ('extends = "baseline"\n' + "".join(
        f'[[team.reps]]\nid = "g{i}"\ncount = 4000\nsupervisor = "head"\nsalary_per_month = 1\n' for i in range(3)),
        "team.reps", "expected at most 10,000 reps in a department"),
    "huge_booking_horizon": ('extends = "baseline"\n[activity]\nbooking_horizon_days = 10000000\n',
                             "activity.booking_horizon_days", "260"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_is_one_line_naming_file_and_field(case, tmp_path, capsys, monkeypatch):
    text, field, expectation = BAD[case]
    f = tmp_path / f"{case}.toml"
    f.write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["show", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"{case}.toml: {field}: " in err
    assert expectation in err
    assert "Traceback" not in err


def test_extends_cycle_is_reported(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["show", "a.toml"]) == 2
    err = capsys.readouterr().err
    assert "extends" in err and "cycle: a.toml -> b.toml -> a.toml" in err


def test_supervisor_reporting_cycle_is_reported(tmp_path):
    f = tmp_path / "loop.toml"
    f.write_text('extends = "baseline"\n'
                 '[[team.supervisors]]\nid = "head"\nreports_to = "lead"\nweekly_hours = 40\nsalary_per_month = 1\n'
                 '[[team.supervisors]]\nid = "lead"\nreports_to = "head"\nweekly_hours = 40\nsalary_per_month = 1\n')
    with pytest.raises(ss.ScenarioError, match=r"team\.supervisors\.0\.reports_to: reporting cycle"):
        ss.load_scenario(str(f))


def test_invalid_toml_names_the_line(tmp_path):
    f = tmp_path / "broken.toml"
    f.write_text('extends = "baseline"\n[calendar\n')
    with pytest.raises(ss.ScenarioError, match=r"broken.toml: not valid TOML: .*line 2"):
        ss.load_scenario(str(f))


def test_variant_holds_only_what_differs(tmp_path, baseline):
    f = tmp_path / "bigger.toml"
    f.write_text('extends = "baseline"\nname = "bigger"\n[plan]\nmonthly_per_rep = 55000.0\n')
    sc = ss.load_scenario(str(f))
    assert sc.name == "bigger"
    assert sc.plan.monthly_per_rep == 55000.0
    # everything else comes from the parent, including untouched keys of the same table
    assert sc.plan.fact_basis == baseline.plan.fact_basis
    assert sc.products == baseline.products
    assert sc.description == ""  # the parent's text does not describe the child


def test_child_distribution_replaces_parents_whole(tmp_path):
    f = tmp_path / "d.toml"
    f.write_text('extends = "baseline"\n[products.A]\ndeal_size = { dist = "gamma", mean = 9000, cv = 0.5 }\n')
    sc = ss.load_scenario(str(f))
    assert sc.products["A"].deal_size.mean == 9000
    data, origin = load_raw(f)
    assert set(data["products"]["A"]["deal_size"]) == {"dist", "mean", "cv"}


def test_overrides_by_dotted_path(baseline):
    sc = ss.with_overrides(baseline, {"team.reps.0.count": 15, "calendar.months": 6})
    assert sc.n_reps() == 15 and sc.calendar.months == 6
    assert baseline.n_reps() == 7  # the original is unchanged
    with pytest.raises(ss.ScenarioError, match="unknown parameter path"):
        ss.with_overrides(baseline, {"team.repz.0.count": 15})
    with pytest.raises(ss.ScenarioError, match="expected a count of 0 or more"):
        ss.with_overrides(baseline, {"team.reps.0.count": -1})


def test_resolved_toml_round_trips(tmp_path):
    for name in builtin_names():
        sc = ss.load_scenario(name)
        f = tmp_path / f"{name}.toml"
        f.write_text(to_toml(sc))
        again = ss.load_scenario(str(f))
        assert again.model_dump() == sc.model_dump(), name
        assert again.content_hash() == sc.content_hash()


def test_content_hash_tracks_parameters_not_names(baseline):
    renamed = ss.with_overrides(baseline, {"name": "other", "description": "x"})
    assert renamed.content_hash() == baseline.content_hash()
    assert ss.with_overrides(baseline, {"plan.monthly_per_rep": 1.0}).content_hash() != baseline.content_hash()


def test_every_builtin_scenario_loads_and_says_what_it_answers():
    for name in builtin_names():
        sc = ss.load_scenario(name)
        assert sc.question, f"{name} has no question"


def test_a_byte_order_mark_is_not_a_toml_error(tmp_path):
    """Windows Notepad saves UTF-8 with a byte-order mark; it was 'Invalid statement at line 1'."""
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + b'extends = "baseline"\n[calendar]\nmonths = 3\n')
    assert ss.load_scenario(str(f)).calendar.months == 3


@pytest.mark.parametrize("ref,fragment", [
    ("baselin", "did you mean 'baseline'?"),
    ("Baseline", "did you mean 'baseline'?"),
    ("new_product", "did you mean 'new_product_group'?"),
])
def test_a_misspelt_scenario_name_gets_a_suggestion(ref, fragment):
    with pytest.raises(ss.UserError, match=fragment):
        ss.load_scenario(ref)


def test_a_directory_is_not_a_scenario(tmp_path):
    with pytest.raises(ss.UserError, match=r"expected a scenario file \(\.toml\), found a directory"):
        ss.load_scenario(str(tmp_path))
