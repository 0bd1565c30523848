"""Choose the baseline's market mood so that the baseline shows the sample export's month-to-month swing.

    .venv/bin/python docs/fit_market_mood.py [--replications 40]

`salessim calibrate` measures the sample CRM export's swing as the sd and lag-1 correlation of
the log-odds of its monthly won share (over its scored months). A scenario's
`market_mood.monthly_sd` is a swing of *each client decision*, and the baseline's deals pass
several decisions spread over weeks, so its won share does not swing exactly as one decision
does; a short history also reads both figures low. So the baseline's swing is chosen by
simulation (the method of simulated moments): with the persistence taken from the export, the
baseline is run for as many months as the export has scored months, measured as calibrate
measures an export's scored months (:func:`salessim.calibration.fitting.result_mood`), and the
grid value whose mean reading is closest to the export's swing is printed, with every grid value
within two standard errors of it. Both are read after removing a linear trend (the sample's won
share drifts up over its nine months: a trend, not a mood). Persistence is hardly identified
this way, so it is not fitted: the export's (0 once detrended) is used.
``tests/functional/test_calibration_sample.py`` checks that the baseline's values read back the export's figures.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import salessim as ss
from salessim.calibration import calibrate
from salessim.calibration.fitting import result_mood

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "crm_export_sample"
#: the monthly_sd values tried
GRID = (0.16, 0.20, 0.24, 0.28, 0.32)


def export_figures() -> tuple[float, float, int]:
    """The sample export's swing (sd), persistence and number of scored months, as calibrate reads them."""
    cal = calibrate(SAMPLE / "sales_pipeline.csv", teams=SAMPLE / "sales_teams.csv", products=SAMPLE / "products.csv")
    m = cal.fit.mood
    return m["sd"], m["persistence"], m["months"]


def readings(sd: float, persistence: float, months: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: the swing and persistence read from the baseline run for ``months`` months."""
    sc = ss.load_scenario("baseline", {"calendar.months": months, "market_mood.monthly_sd": sd,
                                       "market_mood.persistence": persistence})
    runs = ss.replicate(sc, n=n, seed=seed, keep_leads=True, workers=2)
    got = [result_mood(r) for r in runs.results]
    return np.array([g["sd"] for g in got]), np.array([g["persistence"] for g in got])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=40)
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    sd0, r0, months = export_figures()
    r0 = round(r0, 2)
    print(f"sample export: swing {sd0:.3f}, persistence {r0:.2f}, over {months} scored months")
    print(f"baseline run {months} months, persistence {r0:.2f}, {args.replications} replications, seed {args.seed}:")
    print("| monthly_sd | swing read back | persistence read back | distance (SEs) |")
    print("| --- | --- | --- | --- |")
    rows = []
    for sd in GRID:
        s, p = readings(sd, r0, months, args.replications, args.seed)
        se_s, se_p = s.std(ddof=1) / math.sqrt(len(s)), p.std(ddof=1) / math.sqrt(len(p))
        dist = abs(s.mean() - sd0) / se_s
        rows.append((dist, sd))
        print(f"| {sd:.2f} | {s.mean():.3f} +/- {se_s:.3f} | {p.mean():.3f} +/- {se_p:.3f} | {dist:.1f} |")
    best = min(rows)
    near = [f"{sd:.2f}" for d, sd in rows if d <= 2]
    print(f"closest: monthly_sd = {best[1]:.2f} ({best[0]:.1f} standard errors away); within 2 standard errors: "
          f"{', '.join(near) or 'none'}; persistence = {r0:.2f} (the export's)")


if __name__ == "__main__":
    main()
