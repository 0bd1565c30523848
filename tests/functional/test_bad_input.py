"""Bad input on the command line (issue 19): every command either runs correctly or stops with one
line on stderr and exit code 2, never a traceback and never a silently wrong run.

Each test runs a command the issue quotes (or its kin) through ``salessim.cli.main``.
"""

from __future__ import annotations

import json
import math

import pytest

from salessim.cli import main
from salessim.errors import MAX_LINE

QUICK = ["-n", "1", "--months", "1", "--workers", "1"]


def refused(argv: list[str], capsys) -> str:
    """Run ``argv``; assert exit code 2 and one line on stderr without a traceback; return the line."""
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err[:2000]
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- messages
def test_a_100000_character_value_is_echoed_cut(capsys):
    err = refused(["run", "baseline", "--set", "team.reps.0.id=" + "x" * 100_000, *QUICK], capsys)
    assert len(err) < MAX_LINE and "(100,000 characters)" in err


def test_a_100000_character_value_in_a_file_is_echoed_cut(tmp_path, capsys):
    f = tmp_path / "long.toml"
    f.write_text('extends = "baseline"\n[[team.supervisors]]\nid = "' + "h" * 100_000 + '"\nweekly_hours = 40\n'
                 'salary_per_month = 6000\n')
    err = refused(["show", str(f)], capsys)
    assert len(err) < MAX_LINE and "(100,000 characters)" in err


@pytest.mark.parametrize("where", ["file", "--set"])
def test_a_5000_digit_count_is_our_message_not_the_librarys(where, tmp_path, capsys):
    """It read 'Unable to parse input string as an integer, exceeded maximum size, got '9999...' (5 KB)."""
    digits = "9" * 5000
    if where == "file":
        f = tmp_path / "digits.toml"
        f.write_text(f'extends = "baseline"\n[calendar]\nmonths = "{digits}"\n')
        err = refused(["show", str(f)], capsys)
    else:
        err = refused(["show", "baseline", "--set", f'calendar.months="{digits}"'], capsys)
    assert "calendar.months: expected a whole number" in err
    assert "Unable to parse" not in err and len(err) < MAX_LINE


# --------------------------------------------------------------------------- types as written
@pytest.mark.parametrize("value", ["true", "false", "0x10", "0o20", "0b10000", "7.0", '"7"', '" 7"', '"007"'])
def test_a_count_on_the_command_line_is_a_whole_number_written_as_one(value, capsys):
    """true gave 1 rep and 0x10 gave 16."""
    err = refused(["run", "baseline", "--set", f"team.reps.0.count={value}", *QUICK], capsys)
    assert "team.reps.0.count" in err and "expected a whole number" in err


@pytest.mark.parametrize("text,fragment", [
    ("count = true", "team.reps.0.count: expected a whole number, got true"),
    ("count = 0x10", "expected whole numbers written in decimal, got 0x10 on line 4 (write 16)"),
    ('count = " 7"', "team.reps.0.count: expected a whole number, got ' 7'"),
])
def test_a_count_in_a_file_is_a_whole_number_written_as_one(text, fragment, tmp_path, capsys):
    f = tmp_path / "team.toml"
    f.write_text(f'extends = "baseline"\n[[team.reps]]\nid = "rep"\n{text}\nsupervisor = "head"\n'
                 'salary_per_month = 3000\n')
    assert fragment in refused(["run", str(f), *QUICK], capsys)


def test_a_switch_in_a_file_is_true_or_false(tmp_path, capsys):
    f = tmp_path / "switch.toml"
    f.write_text('extends = "baseline"\n[supervision]\nenabled = 1\n')
    assert "supervision.enabled: expected true or false, got 1" in refused(["run", str(f), *QUICK], capsys)


@pytest.mark.parametrize("path", ["extends", "name", "description", "question", "claim.text", "provenance"])
def test_set_on_a_field_that_is_not_a_parameter_is_refused(path, capsys):
    """--set extends=nonexistent was ignored (the parent is read with the file)."""
    err = refused(["run", "baseline", "--set", f"{path}=nonexistent", *QUICK], capsys)
    assert f"{path}: not a parameter of the model" in err


@pytest.mark.parametrize("argv", [
    ["run", "baseline", "--set", "team.reps.0.threshold_spread=1e18"],
    ["run", "baseline", "--set", "key_clients.monthly_order.sigma=1e6"],
    ["run", "baseline", "--set", "deal_size.cycle_elasticity=999999"],
    ["run", "baseline", "--set", "products.A.delays_days.proposal_to_decision.cv=1e308"],
    ["run", "baseline", "--set", "costs.overhead_per_head_month=1e308", "--json"],
    ["run", "baseline", "--set", "team.reps.0.salary_per_month=1e308"],
    ["run", "new_product_group", "--set", "products.B.stock_value=1e308"],
], ids=lambda a: a[3].split("=")[0])
def test_huge_numbers_are_refused_before_the_run(argv, capsys):
    """The first four crashed inside the simulation with OverflowError; the last three printed profit -inf
    (and -Infinity in JSON), inf, or a 300-digit profit."""
    err = refused([*argv, *QUICK], capsys)
    assert "expected a number <=" in err
    assert capsys.readouterr().out == ""


def test_a_sweep_of_the_scenarios_name_is_refused_before_running(tmp_path, capsys):
    """It ran every point and then crashed drawing the chart (could not convert string to float: 'a')."""
    out = tmp_path / "sweep"
    err = refused(["sweep", "baseline", "--grid", "name=a,b", "--out", str(out)], capsys)
    assert "--grid name: not a parameter of the model" in err
    assert not any(p.is_file() for p in out.rglob("*"))


def test_a_grid_value_in_hexadecimal_is_refused(capsys):
    err = refused(["sweep", "baseline", "--grid", "team.reps.0.count=0x10,7", *QUICK], capsys)
    assert "expected a whole number written in decimal, got '0x10'" in err


# --------------------------------------------------------------------------- where to write
@pytest.mark.parametrize("argv", [
    ["run", "baseline", "--out", ""],
    ["compare", "baseline", "raise_deal_size", "--out", ""],
    ["compare", "baseline", "raise_deal_size", "--store", " "],
    ["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--out", ""],
    ["sensitivity", "baseline", "--range", "team.reps.0.count=5:7", "--store", ""],
    ["plan", "baseline", "--out", ""],
    ["comp", "baseline", "--out", ""],
    ["report", "baseline", "--out", ""],
    ["report", "baseline", "--out", "r.html", "--csv", ""],
    ["report", "baseline", "--out", "r.html", "--xlsx", ""],
    ["calibrate", "export.csv", "--out", "", "--report", "r"],
    ["calibrate", "export.csv", "--out", "s.toml", "--report", ""],
], ids=lambda a: f"{a[0]} {a[-2]}")
def test_an_empty_output_path_is_refused(argv, capsys):
    """--out '' wrote nothing without a word."""
    assert "expected a path to write to, got an empty one" in refused(argv, capsys)


needs_proc = pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs Linux's /proc")


@needs_proc
@pytest.mark.parametrize("argv,flag", [
    (["compare", "baseline", "double_headcount_one_supervisor", "-n", "2", "--store", "/proc/x"], "--store"),
    (["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "-n", "1", "--store", "/proc/x"], "--store"),
    (["sensitivity", "baseline", "--range", "team.reps.0.count=5:7", "--store", "/proc/x"], "--store"),
    (["report", "baseline", "--out", "REPORT", "-n", "2", "--csv", "/proc/x"], "--csv"),
    (["report", "baseline", "--out", "REPORT", "-n", "2", "--xlsx", "/proc/x.xlsx"], "--xlsx"),
], ids=lambda a: f"{a[0]} {a[-2]}" if isinstance(a, list) else a)
def test_every_path_flag_is_checked_before_any_work(argv, flag, tmp_path, capsys):
    """compare --store /proc/x ran both scenarios, then crashed writing the store (FileNotFoundError)."""
    argv = [str(tmp_path / "r.html") if a == "REPORT" else a for a in argv]
    err = refused(argv, capsys)
    assert f"{flag}: cannot write" in err
    assert "runs on" not in err and not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- strict JSON
def strict_loads(text: str):
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv", [
    ["run", "baseline", *QUICK, "--json"],
    ["compare", "baseline", "raise_deal_size", "-n", "2", "--months", "1", "--workers", "1", "--json"],
    ["sweep", "baseline", "--grid", "team.reps.0.count=5,7", *QUICK, "--json"],
    ["sensitivity", "baseline", "--range", "team.reps.0.count=5:7", "--samples", "2", "--no-tornado", *QUICK,
     "--json"],
    ["comp", "baseline", *QUICK, "--json"],
    ["show", "baseline", "--assumptions", "--json"],
], ids=lambda a: a[0])
def test_json_output_is_strict(argv, capsys):
    """One replication has no interval: its ends are null, not NaN."""
    assert main(argv) == 0
    strict_loads(capsys.readouterr().out)


def test_a_non_finite_kpi_is_written_as_null(monkeypatch, capsys):
    """--set costs.overhead_per_head_month=1e308 --json wrote "profit": {"mean": -Infinity}; such a value can no
    longer arise (bounds), and if one did the JSON would still be strict."""
    from salessim.runs.replications import Replications

    real = Replications.to_json
    monkeypatch.setattr(Replications, "to_json", lambda self, *a: {**real(self, *a), "profit": {"mean": -math.inf}})
    assert main(["run", "baseline", *QUICK, "--json"]) == 0
    assert strict_loads(capsys.readouterr().out)["profit"] == {"mean": None}


# --------------------------------------------------------------------------- sweeps of categories
@pytest.mark.parametrize("grids", [
    ["routing.assignment=round_robin,least_loaded"],
    ["supervision.enabled=true,false"],
    ["plan.fact_basis=won,executed", "team.reps.0.count=5,7"],
], ids=lambda g: "+".join(x.split("=")[0] for x in g))
def test_a_sweep_of_a_categorical_parameter_runs_and_is_charted_as_categories(grids, tmp_path, capsys):
    """A text axis ran every point and then crashed drawing the chart (could not convert string to float)."""
    out = tmp_path / "sweep"
    argv = ["sweep", "baseline", *[a for g in grids for a in ("--grid", g)], "-n", "2", "--months", "1",
            "--workers", "1", "--out", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    first = grids[0].split("=")
    for value in first[1].split(","):
        assert f"{first[0]}={value}" in text
    assert (out / "sweep_profit.png").stat().st_size > 0 and (out / "sweep.parquet").exists()
    if len(grids) == 2:
        assert (out / "heatmap_profit.png").exists()


@pytest.mark.parametrize("argv,fragment", [
    (["--lhs", "routing.assignment=0:1"], "a range needs a numeric parameter; this one holds str"),
    (["--grid", "routing.assignment=0:1:2"], "a START:STOP:COUNT grid needs a numeric parameter"),
    (["--grid", "routing.assignment=fastest,slowest"], "expected 'round_robin' or 'least_loaded', got 'fastest'"),
    (["--grid", "products.A.deal_size=1,2"], "expected a single-valued parameter"),
], ids=lambda a: a[1] if isinstance(a, list) else "")
def test_a_sweep_a_categorical_parameter_cannot_take_is_refused_before_running(argv, fragment, capsys):
    assert fragment in refused(["sweep", "baseline", *argv, *QUICK], capsys)


# --------------------------------------------------------------------------- replications
@pytest.mark.parametrize("n", ["1", "2"])
def test_plans_need_three_replications(n, capsys):
    """plan baseline -n 1 reported plans 'reached in 70% of 1 replications'."""
    err = refused(["plan", "baseline", "-n", n, "--workers", "1"], capsys)
    assert f"plans need at least 3 replications (one is left out to check the others), got {n}" in err


def test_plans_from_few_replications_are_marked_rough(capsys):
    assert main(["plan", "baseline", "-n", "3", "--months", "1", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "note: 3 replications set rough plans" in out


def test_a_verdict_needs_two_replications(capsys):
    err = refused(["compare", "baseline", "raise_deal_size", *QUICK], capsys)
    assert "expected at least 2 replications for an interval, got 1" in err


@pytest.mark.parametrize("argv,words", [
    (["run", "baseline"], "(1 replication: no interval; run 2 or more for one)"),
    (["comp", "baseline"], "P&L over the period (mean; 1 replication: no interval)"),
    (["sweep", "baseline", "--grid", "team.reps.0.count=5,7"], "(means; 1 replication: no interval"),
    (["sensitivity", "baseline", "--range", "team.reps.0.count=5:7", "--samples", "2"],
     "1 replication: no interval of the swing"),
], ids=lambda a: a[0] if isinstance(a, list) else "")
def test_one_replication_says_there_is_no_interval(argv, words, capsys):
    """It printed '[n/a, n/a]' on every line under '95% interval'."""
    assert main([*argv, *QUICK]) == 0
    out = capsys.readouterr().out
    assert words in out and "[n/a, n/a]" not in out and "1 replications" not in out
