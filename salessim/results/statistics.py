"""Intervals over replications: the mean of a metric with its Student-t confidence interval."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

#: What a table says instead of an interval when there is one replication (an interval needs two).
NO_INTERVAL = "1 replication: no interval"


def plural(n: int, word: str) -> str:
    """``1 replication``, ``20 replications``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def mean_interval(x: np.ndarray, level: float = 0.95, bounds: tuple[float, float] | None = None) -> dict[str, float]:
    """Mean with a Student-t confidence interval at ``level`` (NaN values ignored).

    Returns ``{"mean", "sd", "low", "high", "n"}`` in the unit of ``x``. With fewer than two
    values there is no interval: ``sd``, ``low`` and ``high`` are NaN. ``bounds``: the range the
    quantity can take (e.g. :func:`salessim.results.metrics.bounds`); the interval is cut
    to it, which keeps its coverage since the true mean lies inside.
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return {"mean": math.nan, "sd": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    mean = float(x.mean())
    if n == 1:
        return {"mean": mean, "sd": math.nan, "low": math.nan, "high": math.nan, "n": 1}
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return {"mean": mean, "sd": sd, "low": low, "high": high, "n": n}
