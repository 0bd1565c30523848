"""The command line: run, scenarios, show, and clear errors with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import salessim as ss
from salessim.cli import main
from salessim.scenarios.reading import builtin_names


def test_run_json_has_the_documented_keys(capsys):
    assert main(["run", "baseline", "-n", "3", "--seed", "1", "--months", "3", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("revenue", "won_deals", "meetings", "meetings_per_rep_month", "win_rate", "salaries", "profit"):
        assert set(out[key]) >= {"mean", "low", "high"}, key
        assert out[key]["low"] <= out[key]["mean"] <= out[key]["high"]
    assert out["replications"] == 3 and out["seed"] == 1


def test_run_table_and_outputs(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", "baseline", "-n", "2", "--months", "2", "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "95% interval" in text and "revenue" in text
    for f in ("summary.csv", "department_monthly.parquet", "pnl_monthly.csv", "revenue_profit.png",
              "revenue_profit.svg", "meetings_per_rep.png", "funnel.png"):
        assert (out / f).stat().st_size > 0, f


def test_months_flag_changes_the_horizon(capsys):
    main(["run", "baseline", "-n", "2", "--months", "2", "--workers", "1", "--json"])
    short = json.loads(capsys.readouterr().out)
    main(["run", "baseline", "-n", "2", "--months", "4", "--workers", "1", "--json"])
    longer = json.loads(capsys.readouterr().out)
    assert longer["won_deals"]["mean"] > 1.5 * short["won_deals"]["mean"]


def test_scenarios_lists_every_builtin(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in builtin_names():
        assert name in out


def test_show_prints_resolved_toml(capsys):
    assert main(["show", "baseline", "--set", "team.reps.0.count=9"]) == 0
    out = capsys.readouterr().out
    assert "count = 9" in out and "[calendar]" in out


@pytest.mark.parametrize("argv,fragment", [
    (["run", "baseline", "-n", "0"], "expected a whole number >= 1, got '0'"),
    (["run", "baseline", "--seed", "-4"], "expected a whole number >= 0"),
    (["run", "nosuch_scenario"], "no such scenario file or built-in scenario"),
    (["run", "baseline", "--set", "calendar.monthz=3"], "calendar.monthz: unknown parameter path"),
    (["run", "baseline", "--set", "nonsense"], "expected PATH=VALUE"),
    (["run", "baseline", "--set", "calendar.months=0"], "calendar.months: expected a number >= 1"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_flags_exit_2_with_one_line(argv, fragment, capsys):
    with pytest.raises(SystemExit) as e:
        code = main(argv)
        raise SystemExit(code)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_console_script_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n[plan]\nmonthly_per_rep = -5\n')
    proc = subprocess.run([sys.executable, "-m", "salessim", "run", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "plan.monthly_per_rep" in proc.stderr and "Traceback" not in proc.stderr


def test_run_flags_commission_above_gross_profit(capsys):
    assert main(["run", "new_product_group_commission_5x", "-n", "2", "--months", "2", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning: product B" in err and "gross" in err
    assert main(["run", "baseline", "-n", "2", "--months", "2", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["warnings"] == []


@pytest.mark.parametrize("command", [
    ["run", "baseline", "-n", "2", "--months", "1", "--workers", "1"],
    ["compare", "baseline", "raise_deal_size", "-n", "2", "--months", "1", "--workers", "1"],
])
def test_a_reader_that_leaves_early_is_no_traceback_and_the_outputs_are_still_written(tmp_path, command):
    """``salessim run ... | head -1``: the pipe closes before the table is printed (here: before
    the command starts, which makes the race deterministic). The command still writes its
    files and exits 0, with nothing on stderr about the pipe."""
    out = tmp_path / "o"
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "salessim", *command, "--out", str(out)],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 0
    assert any(out.glob("*.png")) and any(out.glob("*.csv"))



@pytest.mark.parametrize("call,field,fragment", [
    (lambda ss: ss.replicate("baseline", n=2, seed=-1), "seed", "expected a whole number from 0"),
    (lambda ss: ss.replicate("baseline", n=2.5), "n", "expected a whole number, got 2.5"),
    (lambda ss: ss.replicate("baseline", n="3"), "n", "expected a whole number, got '3'"),
    (lambda ss: ss.replicate("baseline", n=10**9), "n", "from 1 to 1,000,000"),
    (lambda ss: ss.simulate("baseline", seed=1.5), "seed", "expected a whole number, got 1.5"),
    (lambda ss: ss.with_overrides("baseline", [("calendar.months", 3)]), "overrides", "expected overrides as a mapping"),
    (lambda ss: __import__("salessim.analyses.sweep", fromlist=["sweep"]).sweep("baseline", {"team.reps.0.count": [5]}, n=1,
                                                                       workers=0), "workers", "from 1 to 1,024"),
    (lambda ss: _optimise(replications=0), "replications", "from 1 to 1,000,000"),
    (lambda ss: _optimise(seed=-1), "seed", "from 0"),
    (lambda ss: _optimise(params=["calendar.months=0:3"]), "params calendar.months", "the bound 0 is not allowed"),
    (lambda ss: _optimise(params=["nope=1:2"]), "params nope", "unknown parameter path"),
    (lambda ss: _report(n=2.5), "n", "expected a whole number, got 2.5"),
    (lambda ss: _report(workers=5000), "workers", "from 1 to 1,024"),
    (lambda ss: __import__("salessim.analyses.sensitivity", fromlist=["x"]).sensitivity(
        "baseline", {"supervision.intensity_floor": (0.1, 0.3)}, samples=1, n=1), "samples", "at least 2"),
])
def test_the_python_api_turns_a_notebook_users_wrong_value_into_one_clear_error(call, field, fragment):
    """These were a ValueError, TypeError or AttributeError from deep inside."""
    import salessim as ss

    with pytest.raises(ss.UserError, match=fragment) as e:
        call(ss)
    assert e.value.field == field


def _optimise(**kw):
    from salessim.analyses.scheme_search import optimise_scheme

    args = {"params": ["pay.components.0.rates.B=0.3:1.2"], **kw}
    return optimise_scheme(ss.load_scenario("new_product_group"), args.pop("params"), **args)


def _report(**kw):
    from salessim.views.report.build import build_report

    return build_report("baseline", **kw)


def test_with_overrides_accepts_a_scenario_name():
    import salessim as ss

    assert ss.with_overrides("baseline", {"calendar.months": 3}).calendar.months == 3


@pytest.mark.parametrize("argv", [
    ["run", "baseline", "-n", "2", "--months", "1", "--workers", "1"],
    ["compare", "baseline", "raise_deal_size", "-n", "2", "--months", "1", "--workers", "1"],
    ["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "-n", "1", "--months", "1", "--workers", "1"],
    ["plan", "baseline", "-n", "2", "--workers", "1"],
    ["comp", "baseline", "-n", "2", "--months", "1", "--workers", "1"],
], ids=lambda a: a[0])
def test_an_output_path_that_cannot_be_a_directory_fails_before_any_work(argv, tmp_path, capsys):
    """It used to end in a NotADirectoryError traceback after every run had finished."""
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main([*argv, "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"--out: expected a directory path, but {blocker} is a file" in err
    assert "runs on" not in err                       # refused before anything ran


def test_api_argument_names_become_this_commands_flags():
    """``as_flags``: an API argument named in an error becomes the flag of the command that ran it."""
    import argparse

    from salessim.cli import as_flags

    def named(field, **dests):
        return as_flags(ss.UserError("x", field=field), argparse.Namespace(**dests)).field

    assert named("probability", probability=0.7) == "--probability"              # salessim plan
    assert named("probability", plan_probability=0.7) == "--plan-probability"    # salessim calibrate
    assert named("ranges supervision.intensity_floor", ranges=[]) == "--range supervision.intensity_floor"
    assert named("n", replications=5) == "--replications"
    assert named("n") == "n"                                                      # no such flag here
    assert named("months", months=3) == "months"                                  # not an API argument name
    err = ss.UserError("x", source="a.toml", field="seed")
    assert as_flags(err, argparse.Namespace(seed=1)).field == "seed"              # a file's field stays
