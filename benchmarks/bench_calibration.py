"""Calibration speed: reading, validating and fitting a CRM export, and one backtest replication.

Uses the real sample export (../shared/data/crm_export_sample/, 14,277 deals) when it is
there, else the project's bundled demo export. Target (issue 6): calibrating the 14k-row
sample takes seconds, not minutes.
"""

from __future__ import annotations

import statistics
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
          f"{sc.n_reps()} reps, {f.data_figures['deals']:,} deals); the CLI's default 20 run on all cores")


if __name__ == "__main__":
    main()
