"""The compare, sweep and sensitivity commands: outputs, and bad input as one line with exit code 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from salessim.cli import main
from salessim.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["--set", "calendar.months=2", "--set", "calendar.warmup_months=1"]


def _exit_code(argv) -> int:
    try:
        return main(argv)
    except SystemExit as e:  # argparse usage errors
        return int(e.code)


def test_compare_json(capsys):
    code = main(["compare", "baseline", "double_headcount_one_supervisor", "-n", "3", *SHORT, "--workers", "2",
                 "--json", "--kpis", "revenue,profit,salaries"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["replications"] == 3 and out["common_random_numbers"] is True
    kpis = {d["kpi"] for d in out["differences"]}
    assert kpis == {"revenue", "profit", "salaries"}
    for d in out["differences"]:
        assert set(d) >= {"diff", "low", "high", "p_better", "win_share", "verdict"}
    assert "double_headcount_one_supervisor" in out["verdicts"]


def test_compare_table_with_precision_and_outputs(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "baseline", "double_headcount_one_supervisor", "--precision", "8%", "--main-kpi",
                 "revenue", "--pilot", "5", *SHORT, "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "precision: 95% half-width of the revenue difference within 8% of the base mean reached" in text
    assert "verdict:" in text and "P(better)" in text
    for f in ("differences.csv", "means.csv", "per_replication.parquet", "comparison.json", "differences.png",
              "differences.svg", "revenue_difference.png"):
        assert (out / f).stat().st_size > 0, f
    assert (out / "store" / "experiment.json").exists()


def test_sweep_outputs_and_heatmap(tmp_path, capsys):
    out = tmp_path / "sw"
    code = main(["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--grid",
                 "supervision.intensity_floor=0.2:0.3:2", "-n", "2", *SHORT, "--out", str(out)])
    assert code == 0
    assert "grid sweep of team.reps.0.count, supervision.intensity_floor; 4 points x 2" in capsys.readouterr().out
    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == 4 * 2
    for f in ("sweep.csv", "summary.csv", "sweep_profit.png", "sweep_profit.svg", "heatmap_profit.png",
              "heatmap_revenue.svg"):
        assert (out / f).stat().st_size > 0, f
    # the same command again refuses to mix with the results there, then resumes with nothing to run
    assert _exit_code(["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--grid",
                       "supervision.intensity_floor=0.2:0.3:2", "-n", "2", *SHORT, "--out", str(out)]) == 2
    assert "pass --resume" in capsys.readouterr().err
    assert main(["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--grid",
                 "supervision.intensity_floor=0.2:0.3:2", "-n", "2", *SHORT, "--out", str(out), "--resume"]) == 0
    assert "resuming: 8 finished runs" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), table)


def test_latin_hypercube_sweep(tmp_path, capsys):
    code = main(["sweep", "baseline", "--lhs", "team.reps.0.count=4:8", "--lhs", "deal_size.ask_spread=0.1:0.3",
                 "--points", "4", "-n", "1", *SHORT, "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["design"] == "lhs" and len({p["point"] for p in out["points"]}) == 4


def test_sensitivity_outputs(tmp_path, capsys):
    out = tmp_path / "se"
    code = main(["sensitivity", "baseline", "--range", "team.reps.0.count=4:8", "--range",
                 "supervision.intensity_floor=0.15:0.35", "--samples", "2", "-n", "1", *SHORT, "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "drivers of profit, strongest first" in text and "drivers of revenue paid, strongest first" in text
    for f in ("indices.csv", "tornado.csv", "samples.csv", "runs.parquet", "tornado_profit.png", "tornado_profit.svg",
              "morris_revenue.png"):
        assert (out / f).stat().st_size > 0, f


# --------------------------------------------------------------------------- bad input
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("argv,fragment", [
    (["sweep", "baseline", "--grid", "calendar.monthz=1,2"], "calendar.monthz: unknown parameter path"),
    (["sensitivity", "baseline", "--range", "supervision.intensity_flor=0.1:0.2"], "unknown parameter path"),
    (["compare", "baseline", "baseline", "--set", "calendar.monthz=1"], "unknown parameter path"),
    (["sweep", "baseline", "--lhs", "supervision.intensity_floor=0.3:0.2"], "empty range"),
    (["sensitivity", "baseline", "--range", "supervision.intensity_floor=0.3:0.3"], "empty range"),
    (["sweep", "baseline", "--grid", "team.reps.0.count="], "empty list of values"),
    (["sweep", "baseline", "--grid", "team.reps.0.count=7.5,9"], "expected whole numbers"),
    (["sweep", "baseline"], "expected at least one --grid"),
    (["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--lhs", "deal_size.ask_spread=0.1:0.3"], "not both"),
    (["sensitivity", "baseline", "--range", "supervision.intensity_floor=0.1:0.3", "--method", "sobol",
      "--samples", "100"], "power of 2"),
    (["compare", "baseline", "baseline", "--precision", "0"], "expected a percentage above 0"),
    (["compare", "baseline", "baseline", "--precision", "two"], "expected a percentage"),
    (["compare", "baseline", "baseline", "--resume"], "need a store"),
    (["compare", "baseline", "baseline", "--main-kpi", "proft", "-n", "2", "--months", "1"],
     "--main-kpi: unknown metric 'proft'; did you mean 'profit'?"),
    # a misspelt metric is refused before anything runs (the one-line check: no "N runs on ..." line)
    (["sweep", "baseline", "--grid", "team.reps.0.count=5,7,9", "-n", "6", "--months", "6", "--metrics", "profit,nope"],
     "--metrics: unknown metric 'nope'"),
    (["compare", "baseline", "raise_deal_size", "-n", "6", "--months", "6", "--kpis", "revenue,profti"],
     "--kpis: unknown metric 'profti'; did you mean 'profit'?"),
    (["compare", "baseline", "baseline", "--scheduler", "tcp://127.0.0.1:PORT"], "cannot reach a dask scheduler"),
    # --points was silently ignored with a grid
    (["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "--points", "5"], "--points: --points and --sample-seed"),
    (["sweep", "baseline", "--grid", "team.reps.0.count=1:9:100000000"], "expected at most 10,000 values on one axis"),
])
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys):
    argv = [a.replace("PORT", str(_free_port())) for a in argv]
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_corrupt_store_is_reported_and_never_overwritten(tmp_path, capsys):
    out = tmp_path / "sw"
    argv = ["sweep", "baseline", "--grid", "team.reps.0.count=5,7", "-n", "1", *SHORT, "--out", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    part = next((out / "store").glob("part-*.parquet"))
    damaged = part.read_bytes()[: len(part.read_bytes()) // 2]
    part.write_bytes(damaged)
    for extra in (["--resume"], ["--overwrite"], []):
        proc = subprocess.run([sys.executable, "-m", "salessim", *argv, *extra], capture_output=True, text=True,
                              cwd=ROOT)
        assert proc.returncode == 2, proc.stderr
        assert "damaged part file" in proc.stderr and part.name in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert part.read_bytes() == damaged


def test_ctrl_c_keeps_finished_runs_and_says_how_to_resume(tmp_path):
    store = tmp_path / "store"
    # 200 runs (about 3 s on 2 workers): far more than can finish between the first saved part and the signal
    argv = ["sweep", "baseline", "--grid", "team.reps.0.count=3,4,5,6,7,8,9,10,11,12", "-n", "20", *SHORT,
            "--workers", "2", "--store", str(store), "--json"]
    proc = subprocess.Popen([sys.executable, "-m", "salessim", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(store.glob("part-*.parquet")):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "run the same command with --resume" in err and "Traceback" not in err
    saved = sum(len(pd.read_parquet(p)) for p in store.glob("part-*.parquet"))
    assert 0 < saved < 200
    assert main([*argv, "--resume"]) == 0


@pytest.mark.parametrize("body,fragment", [
    ('path = "supervision.intensity_flor"\nlow = 0.1\nhigh = 0.2\n', "supervision.intensity_flor: unknown parameter path"),
    ('path = "supervision.intensity_floor"\nlow = 0.3\nhigh = 0.2\n', "supervision.intensity_floor: empty range"),
])
def test_a_mistake_in_a_ranges_file_names_the_file_and_the_path(tmp_path, body, fragment, capsys):
    spec = tmp_path / "ranges.toml"
    spec.write_text("[[parameter]]\n" + body, encoding="utf-8")
    assert _exit_code(["sensitivity", "baseline", "--spec", str(spec)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{spec}: {fragment}" in err and "--range" not in err, err
    assert len(err.splitlines()) == 1


def test_the_python_api_names_its_arguments_and_the_cli_its_flags(capsys):
    """compare(precision=0) says 'precision: ...'; salessim compare ... -n 1 says '--replications: ...'."""
    from salessim.analyses.compare import compare
    from salessim.analyses.sweep import sweep

    with pytest.raises(UserError, match=r"^precision: expected a precision in percent"):
        compare("baseline", "baseline", precision=0)
    with pytest.raises(UserError, match=r"^n: expected at least 2 replications"):
        compare("baseline", "baseline", n=1)
    with pytest.raises(UserError, match=r"^grid calendar.monthz: unknown parameter path"):
        sweep("baseline", {"calendar.monthz": [1, 2]}, n=1)
    assert _exit_code(["compare", "baseline", "baseline", "-n", "1"]) == 2
    assert capsys.readouterr().err.strip().startswith("salessim compare: error: --replications: expected at least 2")
