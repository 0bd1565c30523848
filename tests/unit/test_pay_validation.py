"""Bad pay schemes: one clear line naming the file and the field, and exit code 2.

Checked three ways: a scheme file applied with ``salessim comp SCENARIO --scheme FILE``, the
same scheme inline in a scenario file (``salessim show``), and a scenario that names the
scheme file with ``[pay] scheme = "..."``.
"""

from __future__ import annotations

import pytest

import salessim as ss
from salessim.cli import main
from salessim.scenarios.files import apply_scheme
from salessim.scenarios.schemes import builtin_schemes

COMMISSION = '[[components]]\ntype = "commission"\nbase = "executed_margin"\n'
TIERED = '[[components]]\ntype = "tiered"\nbase = "executed_margin"\n'

# name: (scheme file text, field inside the scheme file, fragment of the message)
BAD = {
    "negative_rate": (COMMISSION + "rates = { A = -0.1 }\n", "components.0.rates.A", "expected a number >= 0, got -0.1"),
    "negative_default_rate": (COMMISSION + "default_rate = -1\n", "components.0.default_rate", "expected a number >= 0"),
    "unknown_product": (COMMISSION + "rates = { Z = 0.1 }\n", "components.0.rates.Z",
                        "expected a product or product group ('A'), got 'Z'"),
    "overlapping_tiers": (TIERED + 'tiers = [{ from = 0.0, to = 1.2, rate = 0.1 }, { from = 1.0, rate = 0.2 }]\n',
                          "components.0.tiers.1.from", "tiers overlap"),
    "unordered_tiers": (TIERED + 'tiers = [{ from = 1.0, rate = 0.1 }, { from = 0.5, rate = 0.2 }]\n',
                        "components.0.tiers.1.from", "tiers overlap"),
    "cap_below_threshold": (TIERED + 'tiers = [{ from = 0.8, rate = 0.3 }]\ncap = 0.5\n', "components.0.cap",
                            "expected a cap above the first threshold (0.8), got 0.5"),
    "plan_cap_below_threshold": ('[[components]]\ntype = "plan_fulfilment"\nthreshold_fulfilment = 1.0\n'
                                 'cap_fulfilment = 0.9\n', "components.0.cap_fulfilment",
                                 "expected a cap above threshold_fulfilment (1), got 0.9"),
    "unknown_type": ('[[components]]\ntype = "stock_options"\n', "components.0",
                     "expected one of 'salary', 'draw', 'commission'"),
    "unknown_action": ('[[components]]\ntype = "per_action"\nrates = { handshake = 3.0 }\n',
                       "components.0.rates.handshake", "expected 'call', 'contact'"),
    "unknown_metric": ('[[components]]\ntype = "bonus"\nmetric = "smiles"\ntarget = 1\n', "components.0.metric",
                       "expected 'calls_per_day'"),
    "unknown_field": (COMMISSION + "ratez = { A = 0.1 }\n", "components.0.ratez",
                      "unknown field (expected one of: base, cap_per_month, default_rate, include_reorders, name, rates"),
    "unknown_tier_field": (TIERED + "tiers = [{ from = 0.0, rate = 0.1, rat = 0.1 }]\n", "components.0.tiers.0.rat",
                           "unknown field (expected one of: from, rate, to)"),
    "unknown_rep_group": (COMMISSION + 'rates = { A = 0.1 }\nreps = ["seniors"]\n', "components.0.reps.0",
                          "expected a rep group id ('rep'), got 'seniors'"),
    "two_draws": ('[[components]]\ntype = "draw"\nper_month = 100\n[[components]]\ntype = "draw"\nper_month = 200\n',
                  "components.1.reps", "already has a draw"),
    "unknown_supervisor": ('[[components]]\ntype = "override"\nbase = "margin"\nrate = 0.01\nsupervisors = ["boss"]\n',
                           "components.0.supervisors.0", "expected a supervisor id ('head'), got 'boss'"),
    "unknown_lead_source": ('[handoff]\nsalary_per_month = 1000\nsources = ["telegram"]\n', "handoff.sources.0",
                            "expected a lead source ('phone', 'website'), got 'telegram'"),
    "rate_not_a_number": (COMMISSION + 'rates = { A = "ten" }\n', "components.0.rates.A", "expected a number"),
}


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scheme_file_exits_2_with_one_line(case, tmp_path, capsys, monkeypatch):
    text, field, fragment = BAD[case]
    f = tmp_path / f"{case}.toml"
    f.write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["comp", "baseline", "--scheme", f.name, "-n", "1", "--months", "1", "--workers", "1"]) == 2
    err = _one_line(capsys)
    assert f"{case}.toml: {field}: " in err, err
    assert fragment in err, err


@pytest.mark.parametrize("case", ["negative_rate", "overlapping_tiers", "cap_below_threshold", "unknown_product"])
def test_bad_scheme_inline_in_a_scenario_names_the_scenario_file(case, tmp_path, capsys, monkeypatch):
    text, field, fragment = BAD[case]
    inline = text.replace("[[components]]", "[[pay.components]]")
    f = tmp_path / f"{case}.toml"
    f.write_text('extends = "baseline"\n' + inline)
    monkeypatch.chdir(tmp_path)
    assert main(["show", f.name]) == 2
    err = _one_line(capsys)
    assert f"{case}.toml: pay.{field}: " in err and fragment in err, err


def test_scenario_naming_a_bad_scheme_file_names_the_scheme_file(tmp_path, capsys, monkeypatch):
    text, field, fragment = BAD["negative_rate"]
    (tmp_path / "scheme.toml").write_text(text)
    (tmp_path / "sc.toml").write_text('extends = "baseline"\n[pay]\nscheme = "scheme.toml"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["show", "sc.toml"]) == 2
    err = _one_line(capsys)
    assert f"scheme.toml: pay.{field}: " in err and fragment in err, err


def test_missing_scheme_file_and_not_a_scheme(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["comp", "baseline", "--scheme", "nosuch.toml", "-n", "1"]) == 2
    assert "nosuch.toml: no such scheme file or built-in scheme" in _one_line(capsys)
    (tmp_path / "notascheme.toml").write_text('name = "x"\n[calendar]\nmonths = 3\n')
    assert main(["comp", "baseline", "--scheme", "notascheme.toml", "-n", "1"]) == 2
    assert "expected a scheme file" in _one_line(capsys)


def test_scenario_can_name_a_scheme_and_override_part_of_it(tmp_path):
    (tmp_path / "scheme.toml").write_text('description = "x"\n' + COMMISSION + "rates = { A = 0.2 }\n"
                                          "[handoff]\nsalary_per_month = 900\n")
    (tmp_path / "sc.toml").write_text('extends = "baseline"\n[pay]\nscheme = "scheme.toml"\n'
                                      'attainment_spread = 0.5\n[pay.handoff]\nsalary_per_month = 1000\n')
    sc = ss.load_scenario(str(tmp_path / "sc.toml"))
    assert sc.pay.components[0].rates == {"A": 0.2}
    assert sc.pay.attainment_spread == 0.5
    assert sc.pay.handoff.salary_per_month == 1000       # the scenario's own key wins


def test_builtin_schemes_load_and_apply(baseline):
    names = builtin_schemes()
    assert {"margin_25", "contracted_with_clawback", "bonus_and_contest", "team_override"} <= set(names)
    for name in names:
        sc = apply_scheme(baseline, name)
        assert sc.pay.components, name
        assert sc.team == baseline.team and sc.products == baseline.products


def test_every_rate_and_threshold_error_is_caught_before_running(baseline):
    with pytest.raises(ss.ScenarioError, match=r"pay\.components\.0\.tiers\.1\.from: tiers overlap"):
        ss.with_overrides(baseline, {"pay.components": [
            {"type": "tiered", "base": "margin", "tiers": [{"from": 0.0, "rate": 0.1}, {"from": 0.0, "rate": 0.2}]}]})
