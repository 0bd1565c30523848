"""Regenerate the back tests' expected tables: ``python tests/back/regenerate.py``.

Each built-in scenario is run for :data:`REPLICATIONS` replications of :data:`SEED`, and two
tables are written to ``tests/back/expected/<scenario>.csv``:

* one row per replication, one column per KPI of the replication's summary (money in the
  scenario's currency, shares 0-1, counts, days), at full float precision.

Run this only when a change is *meant* to move the numbers (a model change), and say so in
the commit message; a refactoring must leave these files untouched (``tests/back`` then
passes as it is).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
#: the master seed and the number of replications of every back test
SEED = 20261206
REPLICATIONS = 3


def kpi_table(name: str):
    """The per-replication KPI summary of built-in scenario ``name`` (a DataFrame)."""
    import salessim as ss

    reps = ss.replicate(ss.load_scenario(name), n=REPLICATIONS, seed=SEED, workers=1)
    df = reps.per_replication
    return df[["replication", *sorted(c for c in df.columns if c != "replication")]]


def main() -> int:
    import salessim as ss

    EXPECTED.mkdir(exist_ok=True)
    names = ss.builtin_names()
    for name in names:
        kpi_table(name).to_csv(EXPECTED / f"{name}.csv", index=False, float_format="%.17g")
        print(f"wrote {EXPECTED / f'{name}.csv'}")
    for stale in EXPECTED.glob("*.csv"):
        if stale.stem not in names:
            stale.unlink()
            print(f"removed {stale} (no such built-in scenario)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
