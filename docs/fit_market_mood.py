"""Choose the baseline's market mood so that the baseline shows the sample export's month-to-month swing.

    .venv/bin/python docs/fit_market_mood.py [--replications 60]

`salessim calibrate` measures the sample CRM export's swing as the sd and lag-1 correlation of
the log-odds of its monthly won share (over its scored months). A scenario's
`market_mood.monthly_sd` is a swing of *each client decision*, and the baseline's deals pass
several decisions spread over weeks, so its won share swings less than one decision does; a
short history also reads both figures low. So the baseline's values are chosen by simulation
(the method of simulated moments): the baseline is run for as many months as the export has
scored months, measured exactly as calibrate measures an export
(:func:`salessim.calibration.fitting.result_mood`), and the grid point whose mean reading is
closest to the export's (in units of the readings' standard errors) is printed.
``tests/test_market_mood.py`` checks that the baseline's values read back the export's figures.
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

import numpy as np

import salessim as ss
from salessim.calibration import calibrate
from salessim.calibration.fitting import result_mood

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "crm_export_sample"


def export_figures() -> tuple[float, float, int]:
    """The sample export's swing (sd), persistence and number of scored months, as calibrate reads them."""
    cal = calibrate(SAMPLE / "sales_pipeline.csv", teams=SAMPLE / "sales_teams.csv", products=SAMPLE / "products.csv")
    m = cal.fit.mood
    return m["sd"], m["persistence"], m["months"]


def readings(sd: float, persistence: float, months: int, n: int, seed: int = 21) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: the swing and persistence read from the baseline run for ``months`` months."""
    sc = ss.load_scenario("baseline", {"calendar.months": months, "market_mood.monthly_sd": sd,
                                       "market_mood.persistence": persistence})
    runs = ss.replicate(sc, n=n, seed=seed, keep_leads=True, workers=2)
    got = [result_mood(r) for r in runs.results]
    return np.array([g["sd"] for g in got]), np.array([g["persistence"] for g in got])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=60)
    args = ap.parse_args()
    sd0, r0, months = export_figures()
    print(f"sample export: swing {sd0:.3f}, persistence {r0:.3f}, over {months} scored months")
    best = None
    print("| monthly_sd | persistence | swing read back | persistence read back | distance (SEs) |")
    print("| --- | --- | --- | --- | --- |")
    for sd, r in itertools.product((0.28, 0.32, 0.36, 0.40, 0.44), (0.25, 0.37, 0.5, 0.6)):
        s, p = readings(sd, r, months, args.replications)
        se_s, se_p = s.std(ddof=1) / math.sqrt(len(s)), p.std(ddof=1) / math.sqrt(len(p))
        dist = math.hypot((s.mean() - sd0) / se_s, (p.mean() - r0) / se_p)
        print(f"| {sd:.2f} | {r:.2f} | {s.mean():.3f} +/- {se_s:.3f} | {p.mean():.3f} +/- {se_p:.3f} | {dist:.1f} |")
        if best is None or dist < best[0]:
            best = (dist, sd, r)
    print(f"closest: monthly_sd = {best[1]:.2f}, persistence = {best[2]:.2f} ({best[0]:.1f} standard errors away)")


if __name__ == "__main__":
    main()
