"""Calibration from historical CRM exports, backtesting, and plans.

Typical use::

    from salessim.calibration import calibrate
    cal = calibrate("deals.csv", teams="teams.csv", products="products.csv")
    cal.validated.summary          # every row accepted or rejected, counted by reason
    cal.fit.wins.products          # fitted win probabilities with 90% intervals
    cal.write_scenario("calibrated.toml")
    bt = cal.backtest(n=20)        # the history re-simulated, month by month
    plans = cal.plans(probability=0.7)

Modules, one concept each: :mod:`.readers` (files, encodings, delimiters, numbers, dates),
:mod:`.presets` (CRM column names), :mod:`.stages` (won / lost / open), :mod:`.tables`
(teams, price list, activities), :mod:`.validation` (row verdicts), :mod:`.survival`
(time to close), :mod:`.pooling` (win probabilities), :mod:`.fitting`,
:mod:`.scenario_writer`, :mod:`.backtest`, :mod:`.plans`, :mod:`.export` (a simulation
written as a CRM export), :mod:`.report` (the report directory).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from salessim.calibration.backtest import backtest, holdout
from salessim.calibration.bias import bias_check
from salessim.calibration.checks import CheckRun, run_checks
from salessim.calibration.fitting import Fit
from salessim.calibration.fitting import fit as fit_deals
from salessim.calibration.plans import propose_plans
from salessim.calibration.presets import PRESETS, Mapping, detect, expected_names, load_mapping, read_options
from salessim.calibration.readers import RawTable, read_table
from salessim.calibration.scenario_writer import scenario_text, write_scenario
from salessim.calibration.tables import Activities, PriceList, Teams, read_activities, read_products, read_teams
from salessim.calibration.validation import Validated, validate

__all__ = ["Calibration", "PRESETS", "calibrate"]


@dataclass
class Calibration:
    """An export read, validated and fitted; ready to write, backtest and plan."""

    source: str
    raw: RawTable
    mapping: Mapping
    validated: Validated
    fit: Fit
    teams: Teams | None = None
    prices: PriceList | None = None
    activities: Activities | None = None
    anonymize: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def source_name(self) -> str:
        return Path(self.source).name

    def scenario_text(self, **kw) -> str:
        kw.setdefault("anonymize", self.anonymize)
        return scenario_text(self.fit, source_name=self.source_name, **kw)[0]

    def scenario(self, **kw):
        kw.setdefault("anonymize", self.anonymize)
        return scenario_text(self.fit, source_name=self.source_name, **kw)[1]

    def write_scenario(self, path: str | Path, **kw):
        """Write the calibrated scenario (next period) and return it, loaded back from the file."""
        kw.setdefault("anonymize", self.anonymize)
        return write_scenario(self.fit, path, source_name=self.source_name, **kw)

    def backtest(self, n: int = 8, seed: int = 0, workers: int = 1):
        return backtest(self.validated, self.fit, n=n, seed=seed, workers=workers, source_name=self.source_name)

    def holdout(self, months_out: int = 3, n: int = 8, seed: int = 0, workers: int = 1):
        return holdout(self.validated, self.fit, months_out=months_out, n=n, seed=seed, workers=workers,
                       teams=self.teams, prices=self.prices, source_name=self.source_name)

    def plans(self, probability: float = 0.7, months: int = 3, n: int = 12, seed: int = 0, workers: int = 1):
        return propose_plans(self.scenario(months=months), probability=probability, n=n, seed=seed, workers=workers)

    def checks(self, n: int | None = None, seed: int = 0, workers: int = 1, holdout_months: int = 3,
               plan_probability: float = 0.7, plan_months: int = 3, log=None):
        """Backtest, holdout and plans together, their replications on ``workers`` processes
        (:func:`salessim.calibration.checks.run_checks`)."""
        return run_checks(self, n=n, seed=seed, workers=workers, holdout_months=holdout_months,
                          plan_probability=plan_probability, plan_months=plan_months, log=log)

    def start_checks(self, n: int | None = None, seed: int = 0, workers: int = 1, holdout_months: int = 3,
                     plan_probability: float = 0.7, plan_months: int = 3, log=None):
        """:meth:`checks` in two steps: the replications start now, ``.collect()`` waits for them."""
        return CheckRun(self, n=n, seed=seed, workers=workers, holdout_months=holdout_months,
                        plan_probability=plan_probability, plan_months=plan_months, log=log).start()

    def bias(self, share: float = 0.05):
        """Figures of the export that move by more than ``share`` when its rejected rows are kept where
        possible (:func:`salessim.calibration.bias.bias_check`)."""
        return bias_check(self.validated, self.fit, share=share)


def calibrate(export: str | Path, *, teams: str | Path | None = None, products: str | Path | None = None,
              activities: str | Path | None = None, preset: str | None = None, mapping: str | Path | None = None,
              as_of: dt.date | None = None, today: dt.date | None = None, recent_months: int = 3,
              anonymize: bool = False, encoding: str | None = None, columns: dict[str, str] | None = None,
              merge_products: bool = True, sheet: str | None = None, workers: int = 1) -> Calibration:
    """Read, validate and fit a CRM export (and its optional side tables).

    Parameters
    ----------
    export:
        The deals / opportunities export (CSV or XLSX).
    teams, products, activities:
        Optional side tables (see :mod:`.tables`).
    preset, mapping:
        Force a column preset by name, or give a mapping file (TOML); default: detect.
    as_of:
        The export date (open deals are observed up to it; later dates are rejected).
        Default: the latest date in the export (and today's date for the future check).
    recent_months:
        Months at the end of the history whose rates and rep shares set the next period.
    anonymize:
        Write reps and managers as rep01, manager01, ... in the scenario.
    encoding:
        The export's text encoding (e.g. ``"cp1252"``), when the detected one is wrong; it
        overrides a mapping file's ``encoding``.
    columns:
        ``{field: column}`` for the columns detection gets wrong (``--map FIELD=COLUMN``);
        only these are overridden, the rest is still detected.
    merge_products:
        Read spellings of one product that differ in case, spaces or punctuation ("GTXPro",
        "GTX Pro") as one (``--no-merge-products`` keeps them apart).
    sheet:
        The workbook's sheet to read (default: the one whose header names known columns).
    workers:
        Local worker processes for the time-to-close fits (the same fit for any number; the
        pool stays up for the checks' replications).
    """
    t0 = time.perf_counter()
    opts = read_options(mapping)
    raw = read_table(export, encoding=encoding or opts.get("encoding"), delimiter=opts.get("delimiter"),
                     sheet=sheet or opts.get("sheet"), expected=sorted(expected_names()))
    src = str(export)
    if mapping is not None:
        m = load_mapping(mapping, raw.header, src, rows=raw.rows, overrides=columns)
    else:
        m = detect(raw.header, src, preset, rows=raw.rows, overrides=columns)
    tm = read_teams(teams) if teams is not None else None
    pr = read_products(products) if products is not None else None
    ac = read_activities(activities) if activities is not None else None
    t1 = time.perf_counter()
    v = validate(raw, m, teams=tm, prices=pr, today=today or as_of, as_of=as_of, merge_products=merge_products)
    t2 = time.perf_counter()
    f = fit_deals(v, teams=tm, prices=pr, activities=ac, recent_months=recent_months,
                  workers=workers)
    # what the side tables skipped or doubted (duplicate reps, prices that are not numbers, ...)
    f.notes[:0] = [f"{t.source}: {n}" for t in (tm, pr, ac) if t is not None for n in t.notes]
    f.notes[:0] = v.stage_map.doubts()
    t3 = time.perf_counter()
    return Calibration(src, raw, m, v, f, tm, pr, ac, anonymize,
                       {"read_s": t1 - t0, "validate_s": t2 - t1, "fit_s": t3 - t2, "total_s": t3 - t0})

