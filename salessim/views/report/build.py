"""Building a client report: run the scenarios, then lay out the answer as text, charts and tables.

:func:`build_report` replicates the base scenario and each variant on the same replications
of the same seed (common random numbers, so the comparison is paired), and assembles a
:class:`Report`:

1. the question and the short answer;
2. the scenarios in plain words (and what changes in each variant);
3. key figures with 95% intervals;
4. month by month: revenue and profit, meetings per rep (charts with bands), monthly table;
5. the funnel;
6. the P&L and the products;
7. pay: each person's monthly pay, payroll by part, pay warnings;
8. (with variants) the paired comparison with the base: differences with 95% intervals,
   verdicts in words, difference charts;
9. the model's assumptions and limits;
10. provenance: versions, seed, replications, date, the scenario files' SHA-256 hashes.

:meth:`Report.to_html` renders one self-contained HTML page (:mod:`salessim.views.report.html`);
:meth:`Report.write_csv` and :meth:`Report.write_xlsx` export its tables through
:mod:`salessim.views.exports`, so no cell can run as a spreadsheet formula.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import platform
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
import simpy

from salessim import __version__
from salessim.analyses.compare import Comparison, _labels
from salessim.analyses.horizons import DEFAULT_HORIZONS, check_horizons
from salessim.analyses.horizons import horizons as run_horizons
from salessim.analyses.pay_summary import pay_distribution, pnl_summary, product_summary, replication_warnings
from salessim.analyses.robustness import Robustness, robustness
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.results import metrics
from salessim.results.metrics import format_number, format_value
from salessim.results.result import FUNNEL_STAGES
from salessim.results.statistics import mean_interval
from salessim.runs.execution import default_workers
from salessim.runs.replications import Replications, replicate_many
from salessim.scenarios.files import load_scenario, resolve_reference
from salessim.scenarios.provenance import KINDS, assumptions_of
from salessim.scenarios.reading import read_toml
from salessim.scenarios.schema import Scenario
from salessim.scenarios.schemes import resolve_scheme
from salessim.views import charts
from salessim.views import style as st
from salessim.views.experiment_charts import difference_chart, main_kpi_chart, payback_chart, turning_chart
from salessim.views.exports import to_csv, to_excel
from salessim.views.report import assumptions, describe
from salessim.views.report.content import Chart, Section, Table, Text, number_items
from salessim.views.report.html import inline_svg, render

#: KPIs of the key-figures table and of the comparison (words, units and formats: the KPI table,
#: :mod:`salessim.results.metrics`).
KPIS: tuple[str, ...] = (
    "revenue", "profit", "gross_margin", "won_deals", "avg_deal", "win_rate", "meetings", "meetings_per_rep_month",
    "cycle_days", "payroll", "salaries", "variable_pay", "cost_of_sales_pct", "intensity", "quota_attainment_rate",
    "key_clients_lost_share", "dropped_leads",
)
#: The funnel's stages (lead states, not KPIs) in a reader's words.
STAGE_LABELS = {
    "first_contact": "inbound leads contacted", "meeting": "meetings booked", "proposal": "proposals",
    "negotiation": "negotiations", "invoicing": "invoiced", "won": "won and kept",
}
BAND_LEVEL = 0.90


# --------------------------------------------------------------------------- formatting
def interval(low: float, high: float, name: str, signed: bool = False) -> str:
    """``low to high`` of metric ``name`` (n/a without an interval)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    return f"{format_value(low, name, signed=signed)} to {format_value(high, name, signed=signed)}"


def _mean_low_high(m: float, lo: float, hi: float, name: str) -> str:
    return f"{format_value(m, name)} [{interval(lo, hi, name)}]" if math.isfinite(lo) else format_value(m, name)


def _money(v: float) -> str:
    return format_number(v, "money")


# --------------------------------------------------------------------------- provenance
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scenario_files(ref: str | Path | Scenario) -> list[tuple[str, Path]]:
    """The files a scenario reference reads: the file itself, its ``extends`` chain, scheme files.

    Returns ``(role, path)`` pairs, the named file first. A :class:`Scenario` object built in
    code has no files.
    """
    if isinstance(ref, Scenario):
        return []

    out: list[tuple[str, Path]] = []
    path: Path | None = resolve_reference(str(ref))
    role = "scenario"
    seen: set[Path] = set()
    while path is not None and path not in seen:
        seen.add(path)
        out.append((role, path))
        raw = read_toml(path)
        pay = raw.get("pay")
        if isinstance(pay, dict) and isinstance(pay.get("scheme"), str):
            try:
                out.append(("pay scheme", resolve_scheme(pay["scheme"], relative_to=path.parent)))
            except UserError:
                pass
        parent = raw.get("extends")
        path = resolve_reference(parent, relative_to=path.parent) if isinstance(parent, str) else None
        role = "extends"
    return out


def check_comparable(scenarios: Sequence[Scenario]) -> None:
    """Scenarios compared in one report must share the currency and the reported period."""
    base = scenarios[0]
    for sc in scenarios[1:]:
        if sc.currency != base.currency:
            raise UserError(f"{sc.name} is in {sc.currency} but {base.name} is in {base.currency}: a report compares "
                            "scenarios in one currency", field="currency")
        a, b = base.calendar, sc.calendar
        if (a.start, a.months) != (b.start, b.months):
            raise UserError(f"{sc.name} covers {b.months} months from {b.start} but {base.name} covers {a.months} "
                            f"months from {a.start}: a report compares the same period (give --months to align the "
                            "horizons)", field="calendar")


# --------------------------------------------------------------------------- the report
@dataclass
class Report:
    """A laid-out report: sections of text, charts and tables, plus its provenance."""

    title: str
    subtitle: str
    sections: list[Section]
    provenance: dict[str, Any]
    runs: dict[str, Replications] = field(default_factory=dict, repr=False)
    comparison: Comparison | None = field(default=None, repr=False)

    def charts(self) -> list[Chart]:
        return [i for s in self.sections for i in s.items if isinstance(i, Chart)]

    def tables(self) -> list[Table]:
        return [i for s in self.sections for i in s.items if isinstance(i, Table)]

    def to_html(self) -> str:
        """The report as one self-contained HTML page."""
        return render(self)

    def write_html(self, path: str | Path) -> Path:
        """Write the HTML page to ``path``."""
        path = Path(path)
        try:
            path.write_text(self.to_html(), encoding="utf-8")
        except OSError as e:
            raise UserError(f"cannot write the report ({e.strerror or e})", source=str(path)) from None
        return path

    def contents_table(self) -> pd.DataFrame:
        """Every table of the report: number, title, key, file name, unit note."""
        return pd.DataFrame([{"table": t.number, "title": t.title, "file": f"{t.file_stem}.csv", "sheet": t.sheet,
                              "note": t.note} for t in self.tables()])

    def write_csv(self, directory: str | Path) -> list[Path]:
        """Each table as ``NN_key.csv`` in ``directory`` (plus ``00_contents.csv``), formula-neutralised."""
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise UserError("expected a directory, found a file", source=str(d))
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"cannot create the directory ({e.strerror or e})", source=str(d)) from None
        files = [d / "00_contents.csv"]
        to_csv(self.contents_table(), files[0])
        for t in self.tables():
            f = d / f"{t.file_stem}.csv"
            to_csv(t.data, f)
            files.append(f)
        return files

    def write_xlsx(self, path: str | Path) -> Path:
        """Every table as a sheet of one workbook (first sheet: the contents), formula-neutralised."""
        sheets = {"00_contents": self.contents_table()}
        notes = {"00_contents": f"{self.title}. {self.subtitle}"}
        for t in self.tables():
            sheets[t.sheet] = t.data
            notes[t.sheet] = f"{t.label}: {t.title}" + (f" ({t.note})" if t.note else "")
        return to_excel(sheets, path, notes=notes)


def build_report(base: str | Path | Scenario, variants: Sequence[str | Path | Scenario] = (), *, n: int = 20,
                 seed: int = 0, months: int | None = None, overrides: Mapping[str, Any] | None = None,
                 workers: int | None = None, progress: bool = False, image_format: str = "svg",
                 command: str | None = None, created: dt.datetime | None = None,
                 horizons: Sequence[int] | None = DEFAULT_HORIZONS, robust: bool = False) -> Report:
    """Run ``base`` and ``variants`` (paired replications) and lay out the report.

    Parameters
    ----------
    base, variants:
        Scenarios (built-in names, ``.toml`` paths or :class:`Scenario` objects). Variants are
        compared with the base.
    n, seed:
        Replications per scenario (at least 2, for intervals) and the master seed.
    months:
        Override every scenario's horizon (``calendar.months``).
    overrides:
        ``{dotted.path: value}`` applied to every scenario.
    workers:
        Local worker processes (default: one per core); the results do not depend on it.
    image_format:
        ``svg`` (inline vector charts, the default) or ``png`` (embedded images).
    command:
        The command line that made the report (shown in the provenance).
    created:
        The report's timestamp (default: now, UTC).
    horizons:
        With variants: also answer over these horizons (months) with each variant's payback
        month (:mod:`salessim.analyses.horizons`; ``None`` or empty to leave it out).
    robust:
        With variants: check each verdict across the plausible values of its assumptions
        (:mod:`salessim.analyses.robustness`; about a minute per variant on 2 cores).
    """
    n = whole_number(n, "n", 0, MAX_REPLICATIONS)
    if n < 2:
        raise UserError(f"expected at least 2 replications for 95% intervals, got {n}", field="n")
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    if workers is not None:
        workers = whole_number(workers, "workers", 1, 1024)
    if image_format not in ("svg", "png"):
        raise UserError(f"expected svg or png, got {image_format!r}", field="image_format")
    refs = [base, *variants]
    over = dict(overrides or {})
    if months:
        over["calendar.months"] = months
    scenarios = [load_scenario(r, over or None) for r in refs]
    check_comparable(scenarios)
    labels = _labels(scenarios)
    files = [scenario_files(r) for r in refs]
    workers = workers or min(default_workers(), n * len(scenarios))
    hs = check_horizons(horizons) if horizons else ()
    sets = replicate_many(scenarios, n, seed, detail="result", keep_leads=True, workers=workers, progress=progress)
    runs = dict(zip(labels, sets))
    created = created or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    builder = _Builder(runs, labels, scenarios, refs, files, seed, n, image_format, over, command, created, workers)
    if builder.cmp is not None:
        for lab, sc in zip(labels[1:], scenarios[1:]):
            if hs:
                builder.cmp.horizons[lab] = run_horizons(scenarios[0], sc, n, seed, horizons=hs, workers=workers,
                                                         progress=progress)
            if robust:
                builder.robust[lab] = robustness(scenarios[0], sc, seed=seed, workers=workers, progress=progress)
    return builder.build()


class _Builder:
    def __init__(self, runs: dict[str, Replications], labels: list[str], scenarios: list[Scenario], refs: list,
                 files: list[list[tuple[str, Path]]], seed: int, n: int, image_format: str,
                 overrides: dict[str, Any], command: str | None, created: dt.datetime, workers: int):
        self.runs, self.labels, self.scenarios, self.refs, self.files = runs, labels, scenarios, refs, files
        self.seed, self.n, self.image_format, self.overrides = seed, n, image_format, overrides
        self.command, self.created, self.workers = command, created, workers
        self.base = labels[0]
        self.variants = labels[1:]
        self.sc = scenarios[0]
        self.cur = self.sc.currency
        self.cmp = self._comparison() if self.variants else None
        self.summaries = {lab: r.summary() for lab, r in runs.items()}
        #: per variant: what its verdict rests on (build_report(robust=True))
        self.robust: dict[str, Robustness] = {}

    # ------------------------------------------------------------------ helpers
    def _comparison(self) -> Comparison:
        frames = []
        for point, (lab, reps) in enumerate(self.runs.items()):
            pr = reps.per_replication.copy()
            pr.insert(0, "seed", self.seed)
            pr.insert(0, "scenario_hash", reps.scenario.content_hash())
            pr.insert(0, "label", lab)
            pr.insert(0, "point", point)
            frames.append(pr)
        table = pd.concat(frames, ignore_index=True)
        return Comparison(table, self.base, self.variants, self.seed, main_kpi="profit", currency=self.cur)

    def chart(self, key: str, fig) -> Chart:
        title = st.title_of(fig)
        cap = st.caption_of(fig) or ""
        st.without_caption(fig)  # the page prints the caption under the chart, as text
        if self.image_format == "svg":
            item = Chart(key, title, cap, svg=inline_svg(fig, key))
        else:
            item = Chart(key, title, cap, png=st.figure_bytes(fig, "png"))
        st.plt.close(fig)
        return item

    @property
    def period(self) -> str:
        c = self.sc.calendar
        return f"{c.months} months from {c.start:%B %Y}"

    def question_of(self, lab: str) -> str:
        sc = self.runs[lab].scenario
        return sc.question or sc.description or ""

    # ------------------------------------------------------------------ build
    def build(self) -> Report:
        sections = [self.answer(), self.scenarios_section(), self.kpis(), self.monthly(), self.funnel(), self.pnl(),
                    self.pay()]
        if self.cmp is not None:
            sections.append(self.comparison())
            if self.cmp.horizons:
                sections.append(self.over_time())
            sections.append(self.rests_on())
        sections += [self.assumptions(), self.provenance()]
        number_items(sections)
        if self.variants:
            title = f"{self.base} compared with {', '.join(self.variants)}"
        else:
            title = f"{self.base}: what the department delivers"
        subtitle = (f"{self.period}; {self.n} replications per scenario, seed {self.seed}; "
                    f"made {self.created:%d %B %Y %H:%M} UTC with salessim {_version()}")
        return Report(title, subtitle, sections, self.prov, self.runs, self.cmp)

    # ------------------------------------------------------------------ 1. the answer
    def answer(self) -> Section:
        s = Section("answer", "The question and the short answer")
        qs = [f"{lab}: {self.question_of(lab)}" for lab in self.labels if self.question_of(lab)]
        if self.variants:
            s.text("p", f"Should the department change from {self.base} to "
                        f"{' or '.join(self.variants)}? Each option was simulated {self.n} times over "
                        f"{self.period}, with the same random draws for every option, so the differences below come "
                        "from the change itself, not from luck.")
        else:
            s.text("p", f"What does {self.base} deliver over {self.period}? It was simulated {self.n} times; every "
                        "figure is the mean of those runs with its 95% confidence interval.")
        if qs:
            s.text("ul", *qs)
        s.text("h3", "The short answer")
        lines = []
        for lab in self.labels:
            sm = self.summaries[lab]
            r, p, w = sm.loc["revenue"], sm.loc["profit"], sm.loc["won_deals"]
            lines.append(f"{lab}: {metrics.label('revenue')} {format_value(r['mean'], 'revenue', self.cur)} "
                         f"(95% interval {interval(r['low'], r['high'], 'revenue')}), profit "
                         f"{format_value(p['mean'], 'profit', self.cur)} ({interval(p['low'], p['high'], 'profit')}), "
                         f"{format_value(w['mean'], 'won_deals')} {metrics.label('won_deals')} "
                         f"over the {self.sc.calendar.months} months.")
        s.text("ul", *lines)
        if self.cmp is not None:
            s.text("p", *[f"Verdict: {v}" for v in self.plain_verdicts()])
        warns = sum(len(replication_warnings(r)) for r in self.runs.values())
        if warns:
            s.text("note", f"{warns} pay warning(s): see the pay section.")
        return s

    def plain_verdicts(self) -> list[str]:
        d = self.cmp.differences(["profit", "revenue"])
        out = []
        for v in self.variants:
            parts = []
            for row in d[d["variant"] == v].itertuples():
                word = row.verdict
                amount = format_value(row.diff, row.kpi, self.cur, signed=True)
                pct = f" ({row.diff_pct:+.1f}%)" if math.isfinite(row.diff_pct) else ""
                what = metrics.label(row.kpi)
                if word in ("better", "worse"):
                    parts.append(f"{what} {amount}{pct}, {word} than {self.base}")
                else:
                    parts.append(f"{what} {amount}{pct}, no detectable difference from {self.base}")
            out.append(f"{v}: " + "; ".join(parts) + ".")
        return out

    # ------------------------------------------------------------------ 2. scenarios
    def scenarios_section(self) -> Section:
        s = Section("scenarios", "The scenarios in plain words")
        base_words = describe.describe(self.runs[self.base].scenario)
        for lab in self.labels:
            sc = self.runs[lab].scenario
            role = "base scenario" if lab == self.base and self.variants else ("variant" if self.variants else "scenario")
            s.text("h3", f"{lab} ({role})")
            if sc.description:
                s.text("p", sc.description)
            words = describe.describe(sc)
            if lab == self.base:
                s.add(Text("dl", [], pairs=list(words.items())))
                continue
            changed = [(h, lines) for h, lines in words.items() if lines != base_words.get(h)]
            if changed:
                s.add(Text("dl", [], pairs=changed))
            same = [h.lower() for h, lines in words.items() if lines == base_words.get(h)]
            if same:
                s.text("p", f"As in {self.base}: {', '.join(same)}.")
        if self.variants:
            rows = []
            for lab, sc in zip(self.labels[1:], self.scenarios[1:]):
                for path, a, b in describe.scenario_differences(self.scenarios[0], sc):
                    rows.append({"variant": lab, "parameter": path, "base_value": describe.value_text(a),
                                 "variant_value": describe.value_text(b)})
            data = pd.DataFrame(rows, columns=["variant", "parameter", "base_value", "variant_value"])
            disp = data.rename(columns={"variant": "variant", "parameter": "parameter (dotted path)",
                                        "base_value": f"in {self.base}", "variant_value": "in the variant"})
            s.add(Table("scenario_differences", f"What changes in each variant, compared with {self.base}?", data,
                        disp, note="parameters by their dotted path in the scenario file; money in "
                        f"{self.cur}, time in the units of docs/model.md", numeric=[False] * 4))
        return s

    # ------------------------------------------------------------------ 3. key figures
    def kpis(self) -> Section:
        s = Section("kpis", "Key figures")
        s.text("p", f"Totals over the {self.sc.calendar.months} months (rates and shares over the whole period). Each "
                    f"cell: the mean of {self.n} replications and, in brackets, its 95% confidence interval.")
        rows, disp = [], []
        for kpi in KPIS:
            d = {"KPI": metrics.label(kpi), "unit": metrics.shown_unit(kpi, self.cur)}
            for lab in self.labels:
                sm = self.summaries[lab]
                if kpi not in sm.index:
                    continue
                r = sm.loc[kpi]
                rows.append({"kpi": kpi, "label": d["KPI"], "unit": metrics.unit(kpi, self.cur),
                             "scenario": lab, "mean": r["mean"], "low_95": r["low"], "high_95": r["high"],
                             "sd": r["sd"], "replications": int(r["n"])})
                d[lab] = _mean_low_high(r["mean"], r["low"], r["high"], kpi)
            disp.append(d)
        s.add(Table("kpi_summary", "What does each scenario deliver over the period?", pd.DataFrame(rows),
                    pd.DataFrame(disp), note=f"mean [95% confidence interval] of {self.n} replications; money in "
                    f"{self.cur}", numeric=[False, False] + [True] * len(self.labels)))
        return s

    # ------------------------------------------------------------------ 4. monthly
    def monthly(self) -> Section:
        s = Section("monthly", "Month by month")
        cur, n = self.cur, self.n
        if not self.variants:
            reps = self.runs[self.base]
            bands = {metrics.label(m): reps.monthly_band(m, table="pnl") for m in ("revenue", "profit")}
            fig = charts.band_chart(bands,
                                    f"{self.base}: what will revenue and profit be, month by month?",
                                    "revenue and profit", level=BAND_LEVEL, currency=cur, n=n, seed=self.seed,
                                    unit=f"{cur} per month")
            s.add(self.chart("revenue_profit_monthly", fig))
        else:
            for metric, q in (("revenue", "Which option brings in more revenue, month by month?"),
                              ("profit", "Which option makes more profit, month by month?")):
                bands = {lab: r.monthly_band(metric, table="pnl") for lab, r in self.runs.items()}
                fig = charts.band_chart(bands, q, metrics.label(metric), level=BAND_LEVEL, currency=cur, n=n,
                                        seed=self.seed, unit=f"{cur} per month")
                s.add(self.chart(f"{metric}_monthly", fig))
        bands = {lab: r.monthly_band("meetings_per_rep") for lab, r in self.runs.items()}
        fig = charts.band_chart(bands, "How many meetings does each rep hold a month?",
                                metrics.label("meetings_per_rep"), level=BAND_LEVEL, n=n, seed=self.seed,
                                unit=metrics.unit("meetings_per_rep", cur))
        s.add(self.chart("meetings_per_rep_monthly", fig))
        rows = []
        for lab, reps in self.runs.items():
            pnl = reps.pnl()
            dm = reps.department_monthly()[["replication", "month", "meetings_per_rep"]]
            pnl = pnl.merge(dm, on=["replication", "month"])
            lo, hi = (1 - BAND_LEVEL) / 2, 1 - (1 - BAND_LEVEL) / 2
            for month, g in pnl.groupby("month", sort=True):
                row = {"scenario": lab, "month": month}
                for m in ("revenue", "profit", "salaries", "variable_pay", "meetings_per_rep"):
                    x = g[m].to_numpy(dtype=float)
                    row[f"{m}_mean"] = float(x.mean())
                    row[f"{m}_p05"] = float(np.quantile(x, lo))
                    row[f"{m}_p95"] = float(np.quantile(x, hi))
                rows.append(row)
        data = pd.DataFrame(rows)
        note = (f"{cur} per month, mean of {n} replications; the export adds the 5th and 95th percentiles (the band "
                "of the charts)")
        if not self.variants:
            display = pd.DataFrame({"month": data["month"]})
            for m in ("revenue", "profit", "salaries", "variable_pay", "meetings_per_rep"):
                display[metrics.label(m)] = data[f"{m}_mean"].map(lambda v, m=m: format_value(v, m))
            s.add(Table("monthly", "How do revenue and profit develop month by month?", data, display,
                        note=note.replace(f"{cur} per month", f"{cur} per month (meetings: "
                                          f"{metrics.unit('meetings_per_rep', cur)})")))
            return s
        for metric, q, extra in (("revenue", "How much revenue does each option bring in, month by month?",
                                  ["meetings_per_rep"]),
                                 ("profit", "How much profit does each option make, month by month?",
                                  ["salaries", "variable_pay"])):
            cols = ["scenario", "month"] + [f"{m}_{k}" for m in [metric, *extra] for k in ("mean", "p05", "p95")]
            wide = data.pivot(index="month", columns="scenario", values=f"{metric}_mean")
            display = pd.DataFrame({"month": list(wide.index)})
            for lab in self.labels:
                display[lab] = [format_value(v, metric) for v in wide[lab].to_numpy()]
            s.add(Table(f"{metric}_monthly", q, data[cols].reset_index(drop=True), display,
                        note=note + (f", and {metrics.label('meetings_per_rep')} "
                                     f"({metrics.unit('meetings_per_rep', cur)})" if metric == "revenue" else
                                     f", {metrics.label('salaries')} and {metrics.label('variable_pay')}")))
        return s

    # ------------------------------------------------------------------ 5. funnel
    def funnel(self) -> Section:
        s = Section("funnel", "The funnel: where do leads go?")
        s.text("p", "Leads created in the period, by the furthest stage they reached (outbound leads start at a "
                    "booked meeting; only inbound leads have a first contact). Counts per replication, averaged.")
        rows, means = [], {}
        for lab, reps in self.runs.items():
            per = pd.concat([r.funnel() for r in reps.results], ignore_index=True)
            means[lab] = {}
            for stage in (*FUNNEL_STAGES, "dropped", "leads"):
                st = mean_interval(per[stage].to_numpy(dtype=float))
                means[lab][stage] = st["mean"]
                rows.append({"scenario": lab, "stage": stage, "label": STAGE_LABELS.get(stage, stage),
                             "mean": st["mean"], "low_95": st["low"], "high_95": st["high"]})
        chart_stages = [st for st in FUNNEL_STAGES if st != "first_contact"]
        if self.variants:
            counts = {lab: {STAGE_LABELS[st]: means[lab][st] for st in chart_stages} for lab in self.labels}
        else:
            counts = {STAGE_LABELS[st]: means[self.base][st] for st in chart_stages}
        fig = charts.funnel_chart(counts, "Where do deals drop out of the funnel?" if not self.variants else
                                  "Where do deals drop out of the funnel, in each option?", n=self.n,
                                  months=self.sc.calendar.months, seed=self.seed)
        s.add(self.chart("funnel", fig))
        data = pd.DataFrame(rows)
        disp = []
        order = [*FUNNEL_STAGES, "dropped", "leads"]
        for stage in order:
            d = {"stage": {"dropped": "dropped before anyone worked them", "leads": "all leads"}.get(
                stage, STAGE_LABELS.get(stage, stage))}
            for lab in self.labels:
                m = means[lab][stage]
                i = order.index(stage)
                conv = ""
                if stage in FUNNEL_STAGES and i >= 2:
                    prev = means[lab][order[i - 1]]
                    conv = f" ({m / prev:.0%})" if prev > 0 else ""
                d[lab] = f"{m:,.1f}{conv}"
            disp.append(d)
        s.add(Table("funnel", "How many leads reach each stage?", data, pd.DataFrame(disp),
                    note="leads per replication (mean); in brackets the share of the stage above that reached this "
                    "one; the export adds 95% intervals"))
        return s

    # ------------------------------------------------------------------ 6. P&L
    def pnl(self) -> Section:
        s = Section("pnl", "Profit and loss")
        rows, disp_rows = [], {}
        for lab, reps in self.runs.items():
            t = pnl_summary(reps)
            for line, r in t.iterrows():
                unit = metrics.unit(line, self.cur)
                rows.append({"scenario": lab, "line": line, "label": metrics.label(line), "unit": unit,
                             "mean": r["mean"], "low_95": r["low"], "high_95": r["high"]})
                disp_rows.setdefault(line, {"line": metrics.label(line), "unit": unit})[lab] = _mean_low_high(
                    r["mean"], r["low"], r["high"], line)
        s.add(Table("pnl", "Where does the money go over the period?", pd.DataFrame(rows),
                    pd.DataFrame(list(disp_rows.values())),
                    note=f"over the {self.sc.calendar.months} months; mean [95% confidence interval] of {self.n} "
                    "replications", numeric=[False, False] + [True] * len(self.labels)))
        rows = []
        for lab, reps in self.runs.items():
            p = product_summary(reps)
            for r in p.itertuples():
                rows.append({"scenario": lab, "product": r.product, "revenue": r.revenue,
                             "gross_margin": r.gross_margin, "commission": r.commission,
                             "commission_pct_of_gross_profit": r.commission_pct_of_gross_profit})
        data = pd.DataFrame(rows)
        disp = pd.DataFrame({"scenario": data["scenario"], "product": data["product"]})
        for m in ("revenue", "gross_margin", "commission", "commission_pct_of_gross_profit"):
            head = metrics.label("commission") if m == "commission_pct_of_gross_profit" else metrics.label(m)
            disp[st.axis_label(head, metrics.shown_unit(m, self.cur))] = data[m].map(lambda v, m=m: format_value(v, m))
        s.add(Table("products", "Which products earn the money, and what does selling them cost in commission?", data,
                    disp, note=f"over the period, mean of {self.n} replications; above 100% the company "
                    "pays more in commission than it earns on the product", numeric=[False, False, True, True, True,
                                                                                     True]))
        return s

    # ------------------------------------------------------------------ 7. pay
    def pay(self) -> Section:
        s = Section("pay", "Pay and payroll")
        warn_lines = []
        for lab, reps in self.runs.items():
            dist = pay_distribution(reps)
            fig = charts.pay_chart(dist, f"{lab}: how much does each person earn a month?", self.cur, n=self.n,
                                   seed=self.seed)
            s.add(self.chart(f"pay_{lab}", fig))
            data = dist.assign(scenario=lab)[["scenario", "role", "person", "median", "p10", "p90", "mean",
                                               "variable_share", "person_months"]]
            disp = pd.DataFrame({"person": data["person"], "role": data["role"],
                                 "median": data["median"].map(_money),
                                 "10th percentile": data["p10"].map(_money),
                                 "90th percentile": data["p90"].map(_money),
                                 "variable share": data["variable_share"].map(lambda v: format_number(v, "share"))})
            s.add(Table(f"pay_{lab}", f"{lab}: what does each person earn in a month?", data, disp,
                        note=f"{self.cur} per person per month over the months of {self.n} replications",
                        numeric=[False, False, True, True, True, True]))
            for w in replication_warnings(reps):
                warn_lines.append(f"{lab}: {w}")
        rows = []
        for lab, reps in self.runs.items():
            per = []
            for r in reps.results:
                pr = r.payroll()
                per.append(pr.groupby(["role", "part"], sort=False)["amount"].sum().rename(r.replication))
            wide = pd.concat(per, axis=1).fillna(0.0)
            for (role, part), vals in wide.iterrows():
                mi = mean_interval(vals.to_numpy(dtype=float))
                rows.append({"scenario": lab, "role": role, "part": part, "mean": mi["mean"], "low_95": mi["low"],
                             "high_95": mi["high"]})
        data = pd.DataFrame(rows)
        disp = data.pivot_table(index=["role", "part"], columns="scenario", values="mean", sort=False)
        display = pd.DataFrame({"role": [i[0] for i in disp.index], "part of pay": [i[1] for i in disp.index]})
        for lab in self.labels:
            display[lab] = [_money(v) for v in disp[lab].to_numpy()] if lab in disp else "n/a"
        s.add(Table("payroll", "What does the payroll consist of?", data, display,
                    note=f"{self.cur} over the period, everyone in each role together (before employer taxes); mean "
                    f"of {self.n} replications; the export adds 95% intervals", numeric=[False, False] +
                    [True] * len(self.labels)))
        s.text("h3", "Pay warnings")
        if warn_lines:
            s.text("ul", *warn_lines)
        else:
            s.text("p", "None: no product's commission exceeds its gross profit, and no clawback or draw is left "
                        "outstanding at the end of the period.")
        return s

    # ------------------------------------------------------------------ 8. comparison
    def comparison(self) -> Section:
        cmp = self.cmp
        s = Section("comparison", f"Compared with {self.base}")
        s.text("p", f"Each variant against {self.base}, replication by replication ({self.n} pairs, common random "
                    "numbers). Difference: variant minus base, over the whole period. Better / worse: the 95% "
                    "interval of the difference is entirely on one side of zero, in the KPI's good direction; "
                    "otherwise there is no detectable difference. P(better): the probability that the variant's mean "
                    "is better.")
        kpis = [k for k in KPIS if k in cmp.table.columns]
        sentences = cmp.verdicts()
        for v in self.variants:
            s.text("h3", f"{v} against {self.base}")
            s.text("p", f"Verdict on {metrics.label(cmp.main_kpi)}: {sentences[v]}")
            d = cmp.differences(kpis)
            d = d[d["variant"] == v].reset_index(drop=True)
            disp = []
            for r in d.itertuples():
                disp.append({
                    "KPI": metrics.label(r.kpi), "unit": metrics.shown_unit(r.kpi, self.cur),
                    "base": format_value(r.base_mean, r.kpi), "variant": format_value(r.variant_mean, r.kpi),
                    "difference": format_value(r.diff, r.kpi, signed=True),
                    "95% interval": interval(r.low, r.high, r.kpi, signed=True),
                    "% of base": "n/a" if not math.isfinite(r.diff_pct) else f"{r.diff_pct:+.1f}%",
                    "P(better)": "n/a" if not math.isfinite(r.p_better) or metrics.direction(r.kpi) == 0 else
                    f"{100 * r.p_better:.1f}%",
                    "verdict": r.verdict,
                })
            data = d.assign(base=self.base, unit=[metrics.unit(k, self.cur) for k in d["kpi"]])
            s.add(Table(f"differences_{v}", f"How does {v} differ from {self.base}?", data, pd.DataFrame(disp),
                        note=f"base: {self.base}; variant: {v}; whole period; money in {self.cur}; differences of "
                        "shares and percentages in percentage points (pts); paired differences over "
                        f"{self.n} replications",
                        numeric=[False, False, True, True, True, True, True, True, False]))
            sc = self.runs[v].scenario
            title = sc.question if sc.question.strip().endswith("?") else None
            fig = difference_chart(cmp, v, [k for k in kpis if k != "cost_of_sales_pct"], title=title)
            s.add(self.chart(f"differences_{v}", fig))
        fig = main_kpi_chart(cmp, "profit", title=f"How much does each option change profit against {self.base}?")
        s.add(self.chart("profit_difference", fig))
        return s

    # ------------------------------------------------------------------ over time
    def over_time(self) -> Section:
        s = Section("over_time", "Over time: when does each change pay back?")
        s.text("p", "A change that costs first and earns later can look worse over one year and better over two. "
                    "Each variant and the base were run for the longest horizon below with the same replications; "
                    "the totals count from the first month (the first 12 months of a longer run are the 12-month "
                    "run). The change pays back in the month from which its cumulative profit difference stays at or "
                    "above zero.")
        for v, h in self.cmp.horizons.items():
            s.text("h3", f"{v} against {self.base}, over {', '.join(str(m) for m in h.horizons)} months")
            s.text("p", *h.sentences("profit"))
            disp = [{"KPI": metrics.label(r.kpi), "months": int(r.months),
                     "difference": format_value(r.diff, r.kpi, signed=True),
                     "95% interval": interval(r.low, r.high, r.kpi, signed=True), "verdict": r.verdict}
                    for r in h.table.itertuples()]
            s.add(Table(f"horizons_{v}", f"How does {v} compare with {self.base} over time?", h.table,
                        pd.DataFrame(disp), note=f"totals from the first month; money in {self.cur}; paired "
                        f"differences over {h.n} replications", numeric=[False, True, True, True, False]))
            s.add(self.chart(f"payback_{v}", payback_chart(h)))
        return s

    # ------------------------------------------------------------------ what it rests on
    def rests_on(self) -> Section:
        s = Section("rests_on", "What the answer rests on")
        s.text("p", "Some values in these scenarios are not your data: numbers from the source documents, values "
                    "fitted so the model reproduces a claim of theirs, and values taken from one anecdote. They are "
                    "listed below for each variant, marked by where they come from, with the range a real "
                    "department can plausibly have (salessim show SCENARIO --assumptions lists them all).")
        for v in self.variants:
            sc = self.runs[v].scenario
            s.text("h3", f"{v}")
            rob = self.robust.get(v)
            if rob is not None:
                s.text("p", *rob.sentences())
                if rob.flips:
                    s.add(self.chart(f"turning_{v}", turning_chart(rob)))
            else:
                s.text("note", "Where the verdict turns was not checked for this report: make it with --robust "
                               "(salessim compare BASE VARIANT --robust gives the same).")
            marked = [a for a in assumptions_of(sc) if a.kind in ("anecdote", "fitted")]
            disp = [{"parameter": a.path, "value": f"{a.value:g}", "comes from": KINDS[a.kind],
                     "plausible": f"{a.low:g} to {a.high:g}" if a.low is not None else "", "why": a.reason}
                    for a in marked]
            data = pd.DataFrame([{"parameter": a.path, "value": a.value, "provenance": a.kind, "low": a.low,
                                  "high": a.high, "reason": a.reason} for a in marked])
            if disp:
                s.add(Table(f"assumptions_{v}", f"Which values of {v} come from an anecdote or a fit, not your data?",
                            data, pd.DataFrame(disp), note="fitted: chosen so the model reproduces a claim of the "
                            "source documents; anecdote: taken from one case in them",
                            numeric=[False, True, False, False, False]))
        return s

    # ------------------------------------------------------------------ 9. assumptions
    def assumptions(self) -> Section:
        s = Section("assumptions", "The model's assumptions and limits")
        s.text("p", "salessim is a discrete-event simulation of a B2B sales department. In brief:")
        s.text("ul", *[f"{h}: {t}" for h, t in assumptions.HOW_IT_WORKS])
        s.text("h3", "Limits")
        s.text("ul", *assumptions.LIMITS)
        s.text("h3", "How the model was checked")
        s.text("ul", *assumptions.CHECKS)
        s.text("p", "The full description (objectives, logic, parameters and their sources, outputs, verification) is "
                    "in docs/model.md of the salessim distribution.")
        return s

    # ------------------------------------------------------------------ 10. provenance
    @cached_property
    def prov(self) -> dict[str, Any]:
        scen = []
        for lab, ref, sc, fl in zip(self.labels, self.refs, self.scenarios, self.files):
            scen.append({"label": lab, "reference": ref.name if isinstance(ref, Scenario) else str(ref),
                         "content_hash": sc.content_hash(),
                         "files": [{"role": role, "path": str(p), "sha256": _sha256(p)} for role, p in fl]})
        return {
            "salessim": _version(), "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "simpy": simpy.__version__, "matplotlib": matplotlib.__version__,
            "created_utc": self.created.isoformat(), "command": self.command or "", "seed": self.seed,
            "replications": self.n, "months": self.sc.calendar.months, "overrides": self.overrides,
            "workers": self.workers, "scenarios": scen, "platform": platform.platform(terse=True),
            "currency": self.cur,
        }

    def provenance(self) -> Section:
        s = Section("provenance", "Provenance: how to reproduce this report")
        p = self.prov
        rows = [
            ("salessim version", p["salessim"]),
            ("created (UTC)", p["created_utc"]),
            ("command", p["command"] or "(built from Python)"),
            ("master seed", p["seed"]),
            ("replications per scenario", p["replications"]),
            ("months simulated", p["months"]),
            ("random numbers", "common random numbers: replication i of every scenario draws from the streams of "
                               "(seed, i), so scenarios are paired and the same seed gives the same report"),
            ("overrides", ", ".join(f"{k} = {v}" for k, v in p["overrides"].items()) or "none"),
            ("worker processes", f"{p['workers']} (results do not depend on it)"),
            ("software", f"Python {p['python']}, numpy {p['numpy']}, pandas {p['pandas']}, SimPy {p['simpy']}, "
                         f"matplotlib {p['matplotlib']} on {p['platform']}"),
        ]
        for sc in p["scenarios"]:
            rows.append((f"scenario {sc['label']}", f"given as {sc['reference']}; content hash {sc['content_hash']} "
                                                    "(SHA-256 of every resolved parameter, first 16 hex digits)"))
            for f in sc["files"]:
                rows.append((f"  {f['role']} file", f"{Path(f['path']).name}: SHA-256 {f['sha256']}"))
        data = pd.DataFrame({"item": [r[0] for r in rows], "value": pd.Series([r[1] for r in rows], dtype=object)})
        s.text("p", "Run the command below with the same scenario files (same SHA-256) and the same salessim version to "
                    "get the same numbers.")
        s.add(Table("provenance", "What produced this report?", data, data.astype(str), numeric=[False, False]))
        return s


def _version() -> str:
    return __version__
