"""Calibration speed: reading, validating and fitting a CRM export, one backtest replication, and the
whole ``salessim calibrate`` command (backtest, holdout and plans included).

Uses the real sample export (../shared/data/crm_export_sample/, 14,277 deals) when it is
there, else the project's bundled demo export. Targets: calibrating the 14k-row sample takes
seconds, not minutes (issue 6); the whole command takes at most 10 s on 2 cores (issue 17). The
whole command's wall time depends on what else the machine runs, so its CPU time (the command
and its worker processes) and the load average are printed beside it: on an idle machine the
wall time is about the serial part plus the rest of the CPU time shared by the cores.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import salessim as ss
from salessim.calibration import calibrate

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "crm_export_sample"


def _inputs():
    if (SAMPLE / "sales_pipeline.csv").exists():
        return (SAMPLE / "sales_pipeline.csv", SAMPLE / "sales_teams.csv", SAMPLE / "products.csv",
                SAMPLE / "sales_pipeline.xlsx")
    data = Path(str(resources.files("salessim.calibration") / "demo"))
    return data / "demo_deals.csv", data / "demo_teams.csv", data / "demo_products.csv", None


def main() -> None:
    export, teams, products, xlsx = _inputs()
    calibrate(export, teams=teams, products=products)  # warm imports and caches
    runs = [calibrate(export, teams=teams, products=products) for _ in range(3)]
    t = {k: statistics.median(r.timings[k] for r in runs) for k in runs[0].timings}
    cal = runs[0]
    print(f"export                      : {export.name} ({cal.validated.n_rows:,} rows, "
          f"{cal.validated.n_accepted:,} accepted)")
    print(f"read + validate + fit       : median {t['total_s']:.2f} s (read {t['read_s']:.2f}, validate "
          f"{t['validate_s']:.2f}, fit {t['fit_s']:.2f}) over 3 runs")
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        cal.write_scenario(Path(d) / "s.toml")
        print(f"write the scenario file     : {time.perf_counter() - t0:.2f} s")
    if xlsx is not None:
        t0 = time.perf_counter()
        calibrate(xlsx, teams=teams, products=products)
        print(f"same from the XLSX workbook : {time.perf_counter() - t0:.2f} s")
    from salessim.calibration.backtest import _history_rates
    from salessim.calibration.fitting import month_start
    from salessim.calibration.scenario_writer import scenario_text

    f = cal.fit
    _, sc, _ = scenario_text(f, start=month_start(f.months[0]), months=len(f.months), warmup_months=0,
                             rate_by_month=_history_rates(f, f.months), weights="history")
    secs = []
    for seed in range(3):
        t0 = time.perf_counter()
        ss.simulate(sc, seed=seed, record_events=False)
        secs.append(time.perf_counter() - t0)
    print(f"one backtest replication    : median {statistics.median(secs):.2f} s ({len(f.months)} months, "
          f"{sc.n_reps()} reps, {f.data_figures['deals']:,} deals)")
    whole_command(export, teams, products)


def whole_command(export: Path, teams: Path, products: Path, runs: int = 3) -> None:
    """``salessim calibrate`` end to end, as a user runs it: wall and CPU seconds, median of ``runs``."""
    exe = Path(sys.executable).with_name("salessim")
    walls, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as d:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([str(exe), "calibrate", str(export), "--teams", str(teams), "--products", str(products),
                            "--out", f"{d}/s.toml", "--report", f"{d}/report"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    load = os.getloadavg()[0]
    print(f"whole calibrate command     : median {statistics.median(walls):.1f} s wall (runs "
          f"{', '.join(f'{w:.1f}' for w in walls)}), "
          f"{statistics.median(cpus):.1f} s CPU (command + workers) on {os.cpu_count()} cores, load average "
          f"{load:.1f} (target: at most 10 s on 2 cores)")


if __name__ == "__main__":
    main()
