"""Writing a simulated history as a CRM export, in a preset's format.

:func:`write_export` turns a :class:`~salessim.results.result.Result`'s leads (one row per lead:
created and closed day, won / lost / open, value, product, rep) into the deal export a CRM
would give: the preset's column names, stage names, date format, delimiter, decimal mark
and encoding. With :func:`write_teams` and :func:`write_price_list` it makes a complete
synthetic export, used for the round-trip tests (simulate a known scenario, export it,
calibrate it, recover what was known) and for the project's bundled demo export.

What a CRM would not show is left out: leads created in the warm-up, and nothing about
clients (the account column, where a preset has one, holds numbered placeholders).
Dropped leads (never worked) are written as lost on the day they were dropped.
"""

from __future__ import annotations

import csv
import datetime as _dt
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.calibration.presets import PRESETS, Preset
from salessim.engine.calendar import add_months
from salessim.results.result import Result
from salessim.runs.replications import simulate
from salessim.scenarios.files import load_scenario
from salessim.scenarios.schema import group_rep_ids
from salessim.views.exports import csv_text, to_csv, to_excel


def _fmt_number(x: float, decimal: str) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x)}"
    return s.replace(".", decimal) if decimal != "." else s


def export_frame(result: Result, preset: str = "crm_sample") -> pd.DataFrame:
    """The leads of ``result`` as a deal table with ``preset``'s columns (values as text)."""
    p = PRESETS[preset]
    leads = result.leads()
    leads = leads[leads["created_day"] >= 0].reset_index(drop=True)
    n = len(leads)
    state = leads["state"].to_numpy()
    state = np.where(state == "dropped", "lost", state)
    won, lost = state == "won", state == "lost"
    created = pd.to_datetime(leads["created_date"])
    closed = pd.to_datetime(leads["closed_date"])
    fmt = p.date_format

    def dates(s: pd.Series, mask: np.ndarray) -> list[str]:
        return [d.strftime(fmt).replace("00:00", "10:00") if m and not pd.isna(d) else ""
                for d, m in zip(s, mask)]

    stage = np.where(won, p.stage_names["won"][0], np.where(lost, p.stage_names["lost"][0], p.stage_names["open"][0]))
    value = leads["value"].to_numpy(dtype=float)
    if preset == "crm_sample":  # the sample writes 0 for lost deals and nothing for open ones
        vals = [_fmt_number(v, p.decimal) if w else ("0" if lo else "") for v, w, lo in zip(value, won, lost)]
    else:
        amount = np.where(value > 0, value, leads["potential"].to_numpy(dtype=float))
        vals = [_fmt_number(round(v, 2), p.decimal) for v in amount]
    cols: dict[str, list] = {}
    ids = [f"D{int(i) + 1:06d}" for i in leads["lead_id"]]
    cols["id"] = ids
    cols["rep"] = list(leads["rep"])
    cols["stage"] = list(stage)
    cols["created"] = dates(created, np.ones(n, dtype=bool))
    closed_mask = won | lost
    if preset == "pipedrive":
        cols["won_time"] = dates(closed, won)
        cols["lost_time"] = dates(closed, lost)
    cols["closed"] = dates(closed, closed_mask)
    cols["value"] = vals
    cols["product"] = list(leads["product"])
    if "channel" in p.columns:
        cols["channel"] = list(leads["channel"])
    if "currency" in p.columns:
        cols["currency"] = [result.scenario.currency] * n
    if "won_flag" in p.columns:
        cols["won_flag"] = ["true" if w else "false" for w in won]
    if "closed_flag" in p.columns:
        yes, no = ("Да", "Нет") if p.encoding == "cp1251" else ("true", "false")
        cols["closed_flag"] = [yes if c else no for c in closed_mask]
    if "account" in p.columns:
        cols["account"] = [f"Client {k % 997 + 1:04d}" for k in range(n)]
    order = [f for f in ("account", "id", "rep", "stage", "product", "closed", "won_time", "lost_time", "value",
                         "currency", "won_flag", "closed_flag", "channel", "created") if f in cols]
    return pd.DataFrame({p.columns[f][0]: cols[f] for f in order})


def write_export(result: Result, path: str | Path, preset: str = "crm_sample") -> Path:
    """Write ``result``'s leads as ``preset``'s CSV export (or XLSX if ``path`` ends in .xlsx)."""
    p: Preset = PRESETS[preset]
    df = export_frame(result, preset)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        to_excel({"deals": df}, path)
        return path
    text = csv_text(df, sep=p.delimiter, quoting=csv.QUOTE_MINIMAL,
                    lineterminator="\r\n" if p.encoding == "cp1251" else "\n")
    path.write_bytes(text.encode(p.encoding))
    return path


def write_teams(result: Result, path: str | Path) -> Path:
    """The teams table of ``result``'s department: rep, manager, region."""
    sc = result.scenario
    region = {}

    for g in sc.team.reps:
        for rid in group_rep_ids(g):
            region[rid] = g.region
    df = pd.DataFrame({"sales_agent": result.reps, "manager": [s or "" for s in result.rep_supervisor],
                       "regional_office": [region[r] for r in result.reps]})
    path = Path(path)
    to_csv(df, path)
    return path


def write_price_list(result: Result, path: str | Path) -> Path:
    """A price list: each product's median deal size as its list price."""
    sc = result.scenario
    df = pd.DataFrame({"product": list(sc.products),
                       "sales_price": [round(sc.products[p].deal_size.median, 2) for p in sc.products]})
    path = Path(path)
    to_csv(df, path)
    return path


def export_date(result: Result) -> dt.date:
    """The last day of the simulated period (the synthetic export's date)."""
    sc = result.scenario
    return add_months(sc.calendar.start, sc.calendar.months) - dt.timedelta(days=1)


def write_demo_export(directory: str | Path, seed: int = 1, preset: str = "hubspot") -> list[Path]:
    """The project's own demo export: a year of the built-in baseline, as a CRM would export it.

    Writes ``demo_deals.csv`` (in ``preset``'s format), ``demo_teams.csv`` and
    ``demo_products.csv`` into ``directory``. The baseline starts with an empty pipeline
    (no warm-up), as a CRM export of a new department would.
    """
    # a past year, so that no date lies in the future; no warm-up: the CRM starts empty
    sc = load_scenario("baseline", {"calendar.warmup_months": 0, "calendar.start": _dt.date(2024, 1, 1),
                                    "calendar.holidays": []})
    res = simulate(sc, seed=seed)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    return [write_export(res, d / "demo_deals.csv", preset), write_teams(res, d / "demo_teams.csv"),
            write_price_list(res, d / "demo_products.csv")]
