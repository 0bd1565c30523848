"""Answers over several horizons, and the month a change pays back.

A change that costs first and earns later (a second head of sales, new hires, a new product
group) can look worse than doing nothing over 12 months and clearly better over 24. A verdict
must not rest on one 12-month total when the sign changes later. :func:`horizons` runs a base
and a variant for the longest horizon asked (paired replications: the same seed and
replication indices) and reads, from their monthly series:

* for each horizon ``H`` (default 12, 24 and 36 months) and each additive KPI (profit,
  revenue, ...): the totals over the first ``H`` months, their paired difference (variant -
  base) with its 95% Student-t interval and the verdict in the KPI's good direction;
* the **payback month**: the cumulative paired difference of profit, month by month; the
  change pays back in the first month from which its mean stays at or above zero (having been
  below it before), with an interval: from the first month from which its upper 95% bound stays
  at or above zero to the first from which its lower bound does (``None`` where that month is
  not reached within the longest horizon).

The model draws every random number in calendar order, so the first ``H`` months of a longer
run are the ``H``-month run: the 12-month column is the 12-month answer. Money is in the
scenario's currency; months are calendar months of the reporting period (after the warm-up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results import metrics
from salessim.results.metrics import direction, format_value
from salessim.runs.replication import PNL_SERIES
from salessim.runs.replications import Replications, replicate_many
from salessim.scenarios.files import load_scenario, with_overrides
from salessim.scenarios.schema import Scenario

#: The horizons of an answer unless asked otherwise (months).
DEFAULT_HORIZONS = (12, 24, 36)
#: Longest horizon (months): ten years.
MAX_HORIZON = 120
#: KPIs summed month by month (those a horizon total means something for).
ADDITIVE = ("profit", "revenue", "gross_margin", "payroll", "salaries", "variable_pay", "wins", "meetings")


@dataclass
class Payback:
    """When the cumulative paired profit difference turns and stays non-negative.

    ``month`` (1-based, within the reporting period) and ``label`` (``YYYY-MM``) are None when it
    does not happen within the horizon; ``earliest``/``latest`` bound it (the months from which
    the upper and the lower 95% bounds stay at or above zero; ``latest`` None when the lower
    bound never gets there). ``never_behind``: the difference is at or above zero from month 1.
    """

    month: int | None
    label: str | None
    earliest: int | None
    latest: int | None
    never_behind: bool
    months: int

    def sentence(self, labels: Sequence[str]) -> str:
        """In words."""
        if self.never_behind:
            return "it is ahead on cumulative profit from the first month"
        if self.month is None:
            return f"it does not pay back within {self.months} months (cumulative profit stays behind)"
        lo = f"month {self.earliest}" if self.earliest is not None else "?"
        hi = f"month {self.latest}" if self.latest is not None else f"after month {self.months}"
        return (f"it pays back in month {self.month} ({self.label}): cumulative profit turns and stays ahead "
                f"(95% interval {lo} to {hi})")


@dataclass
class Horizons:
    """The outcome of :func:`horizons` for one variant against the base.

    ``table``: one row per horizon and KPI (``months, kpi, base, variant, diff, low, high,
    verdict``); ``cumulative``: the cumulative paired profit difference per month (``month``,
    ``label``, ``mean``, ``low``, ``high``); ``payback``: :class:`Payback`.
    """

    base: str
    variant: str
    n: int
    seed: int
    horizons: tuple[int, ...]
    currency: str
    table: pd.DataFrame
    cumulative: pd.DataFrame = field(repr=False)
    payback: Payback | None = None

    def turns(self, kpi: str = "profit") -> bool:
        """Does the verdict on ``kpi`` differ between horizons?"""
        v = self.table[self.table["kpi"] == kpi]["verdict"]
        return v.nunique() > 1

    def sentences(self, kpi: str = "profit") -> list[str]:
        """The answer over each horizon, and the payback, in words."""
        rows = self.table[self.table["kpi"] == kpi]
        what = metrics.label(kpi)
        parts = [f"over {int(r.months)} months {_word(r.verdict)} "
                 f"({format_value(r.diff, kpi, self.currency, signed=True)} "
                 f"[{format_value(r.low, kpi, self.currency, signed=True)}, "
                 f"{format_value(r.high, kpi, self.currency, signed=True)}])" for r in rows.itertuples()]
        out = [f"{self.variant} against {self.base} on {what}: " + "; ".join(parts) + "."]
        if self.payback is not None and kpi == "profit":
            labels = list(self.cumulative["label"])
            out.append(self.payback.sentence(labels)[0].upper() + self.payback.sentence(labels)[1:] + ".")
        return out

    def to_json(self) -> dict[str, Any]:
        p = self.payback
        return {
            "base": self.base, "variant": self.variant, "replications": self.n, "seed": self.seed,
            "horizons": list(self.horizons),
            "table": [{k: _num(v) for k, v in r.items()} for r in self.table.to_dict("records")],
            "payback": None if p is None else {"month": p.month, "label": p.label, "earliest": p.earliest,
                                               "latest": p.latest, "never_behind": p.never_behind},
        }


def _word(verdict: str) -> str:
    return {"better": "better", "worse": "worse"}.get(verdict, verdict)


def _num(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def check_horizons(horizons: Sequence[int]) -> tuple[int, ...]:
    """Whole numbers of months from 1 to :data:`MAX_HORIZON`, sorted and without repeats."""
    out = tuple(sorted({whole_number(h, "horizons", 1, MAX_HORIZON) for h in horizons}))
    if not out:
        raise UserError("expected at least one horizon in months, e.g. 12,24,36", field="horizons")
    return out


def _interval(x: np.ndarray, level: float) -> tuple[float, float, float]:
    """Mean and Student-t interval over the first axis (replications); no interval from one."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    if n < 2:
        nan = np.full_like(mean, np.nan, dtype=float)
        return mean, nan, nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(axis=0, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def from_replications(base: Replications, variant: Replications, horizons: Sequence[int] = DEFAULT_HORIZONS,
                      kpis: Sequence[str] = ("profit", "revenue"), level: float = 0.95) -> Horizons:
    """:class:`Horizons` of two paired sets of replications that kept their monthly series."""
    if [o.replication for o in base.outcomes] != [o.replication for o in variant.outcomes]:
        raise UserError("the two sets of replications are not paired", field="horizons")
    hs = check_horizons(horizons)
    months = len(base.months)
    if hs[-1] > months:
        raise UserError(f"the runs cover {months} months, fewer than the longest horizon {hs[-1]}", field="horizons")
    rows = []
    for kpi in kpis:
        if kpi not in PNL_SERIES and kpi not in ("meetings", "wins", "payroll"):
            raise UserError(f"a horizon total needs a KPI that adds up month by month ({', '.join(ADDITIVE)}), "
                            f"got {kpi!r}", field="horizons")
        b, v = base.monthly(kpi), variant.monthly(kpi)
        for h in hs:
            tb, tv = b[:, :h].sum(axis=1), v[:, :h].sum(axis=1)
            mean, low, high = _interval((tv - tb)[:, None], level)
            lo, hi = float(low[0]), float(high[0])
            rows.append({"months": h, "kpi": kpi, "base": float(tb.mean()), "variant": float(tv.mean()),
                         "diff": float(mean[0]), "low": lo, "high": hi, "verdict": _verdict(kpi, lo, hi, base.n)})
    cum = np.cumsum(variant.monthly("profit") - base.monthly("profit"), axis=1)
    mean, low, high = _interval(cum, level)
    labels = list(base.months)
    cumulative = pd.DataFrame({"month": np.arange(1, months + 1), "label": labels, "mean": mean, "low": low,
                               "high": high})
    return Horizons(base.scenario.name, variant.scenario.name, base.n, base.seed, hs, base.currency,
                    pd.DataFrame(rows), cumulative, _payback(mean, low, high, labels))


def _verdict(kpi: str, low: float, high: float, n: int) -> str:
    if n < 2 or not (math.isfinite(low) and math.isfinite(high)):
        return f"{n} replication: no interval"
    sign = direction(kpi) or 1
    if low > 0:
        return "better" if sign > 0 else "worse"
    if high < 0:
        return "worse" if sign > 0 else "better"
    return "no detectable difference"


def _stays(flags: np.ndarray) -> int | None:
    """1-based first month from which ``flags`` stays true to the end, or None."""
    if not flags[-1]:
        return None
    bad = np.flatnonzero(~flags)
    return int(bad[-1]) + 2 if len(bad) else 1


def _payback(mean: np.ndarray, low: np.ndarray, high: np.ndarray, labels: list[str]) -> Payback:
    months = len(mean)
    m = _stays(mean >= 0)
    if m == 1:
        return Payback(1, labels[0], 1, _stays(low >= 0) if np.all(np.isfinite(low)) else None, True, months)
    earliest = _stays(high >= 0) if np.all(np.isfinite(high)) else None
    latest = _stays(low >= 0) if np.all(np.isfinite(low)) else None
    return Payback(m, labels[m - 1] if m is not None else None, earliest, latest, False, months)


def horizons(base: Scenario | str, variant: Scenario | str, n: int = 20, seed: int = 0, *,
             horizons: Sequence[int] = DEFAULT_HORIZONS, kpis: Sequence[str] = ("profit", "revenue"),
             variant_seed: int | None = None, overrides: dict[str, Any] | None = None, workers: int | None = None,
             progress: bool = False, level: float = 0.95) -> Horizons:
    """Run ``base`` and ``variant`` for the longest of ``horizons`` (months) and read each horizon's answer
    and the payback month (see the module docs). ``variant_seed``: the variant's own seed, when a
    comparison gives it one (no common random numbers)."""
    hs = check_horizons(horizons)
    n = whole_number(n, "n", 1, MAX_REPLICATIONS)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    longest = {"calendar.months": hs[-1]}
    b = with_overrides(load_scenario(base, overrides), longest)
    v = with_overrides(load_scenario(variant, overrides), longest)
    if variant_seed is None or variant_seed == seed:
        rb, rv = replicate_many([b, v], n, seed, detail="outcome", workers=workers, progress=progress)
    else:
        (rb,) = replicate_many([b], n, seed, detail="outcome", workers=workers, progress=progress)
        (rv,) = replicate_many([v], n, variant_seed, detail="outcome", workers=workers, progress=progress)
    return from_replications(rb, rv, hs, kpis, level)
