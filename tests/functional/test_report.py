"""The client report: one self-contained HTML file that opens, lists every chart and table it holds
(and holds every one it lists), shows numbers that agree with an independent comparison, and says
how to reproduce it; bad input is one line and exit code 2."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

import salessim as ss
from salessim.analyses.compare import compare
from salessim.cli import main
from salessim.scenarios.reading import builtin_path
from salessim.views.report import build_report

SEED, N, MONTHS = 3, 3, 2
CREATED = dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
VARIANT = "double_headcount_two_supervisors"


@pytest.fixture(scope="module")
def single():
    return build_report("baseline", n=N, seed=SEED, months=MONTHS, workers=1, created=CREATED)


@pytest.fixture(scope="module")
def paired():
    return build_report("baseline", [VARIANT], n=N, seed=SEED, months=MONTHS, workers=2, created=CREATED,
                        command="salessim report baseline " + VARIANT)


class Page(HTMLParser):
    """What a browser would load and show: ids, contents links, figures, tables, resources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.toc: list[str] = []
        self.figures: dict[str, dict] = {}
        self.resources: list[tuple[str, str, str]] = []   # (tag, attribute, value) that would load something
        self.tags: list[str] = []
        self._nav = 0
        self._fig: str | None = None
        self._depth = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "nav" and a.get("id") == "contents":
            self._nav = 1
        elif self._nav and tag == "nav":
            self._nav += 1
        if self._nav and tag == "a" and a.get("href", "").startswith("#"):
            self.toc.append(a["href"][1:])
        if tag == "figure" and a.get("data-kind"):
            self._fig = a["id"]
            self.figures[a["id"]] = {"kind": a["data-kind"], "svg": 0, "img": [], "rows": 0, "cells": 0}
        elif self._fig:
            f = self.figures[self._fig]
            if tag == "svg":
                f["svg"] += 1
            elif tag == "img":
                f["img"].append(a.get("src", ""))
            elif tag == "tr":
                f["rows"] += 1
            elif tag == "td":
                f["cells"] += 1
        for attr in ("src", "href", "xlink:href", "data", "poster", "action", "background"):
            if attr in a and a[attr] is not None:
                self.resources.append((tag, attr, a[attr]))
        if "style" in a and "url(" in (a["style"] or ""):
            self.resources.append((tag, "style", a["style"]))

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav:
            self._nav -= 1
        if tag == "figure" and self._fig:
            self._fig = None

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


def _check_self_contained_and_complete(report) -> Page:
    html = report.to_html()
    page = parse(html)
    # it opens: a full document with a title and one main
    assert html.startswith("<!DOCTYPE html>") and page.tags.count("main") == 1 and "title" in page.tags
    # no external resources: no scripts, style sheets or frames; every link is internal, every image a data URI
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    for tag, attr, value in page.resources:
        assert value.startswith("#") or value.startswith("data:image/"), (tag, attr, value[:80])
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I), "an external address in the page"
    assert not re.search(r"@import|url\((?!#)", html)
    # ids are unique (several inline SVGs share the page)
    dupes = {i for i in page.ids if page.ids.count(i) > 1}
    assert not dupes
    # the contents list every chart and table, and every chart and table is in the contents
    listed = {t for t in page.toc if t.startswith(("figure-", "table-"))}
    present = set(page.figures)
    assert listed == present
    assert len(listed) == len(report.charts()) + len(report.tables())
    # section links resolve
    for target in page.toc:
        assert target in page.ids, target
    # charts carry an image, tables carry rows
    for fid, f in page.figures.items():
        if f["kind"] == "chart":
            assert f["svg"] >= 1 or (f["img"] and all(s.startswith("data:image/png;base64,") for s in f["img"])), fid
        else:
            assert f["kind"] == "table" and f["rows"] >= 2 and f["cells"] >= 2, fid
    return page


def test_single_scenario_report_is_self_contained_and_lists_every_chart_and_table(single):
    page = _check_self_contained_and_complete(single)
    titles = [c.title for c in single.charts()]
    assert "baseline: what will revenue and profit be, month by month?" in titles
    assert {"section-answer", "section-scenarios", "section-kpis", "section-monthly", "section-funnel",
            "section-pnl", "section-pay", "section-assumptions", "section-provenance"} <= set(page.ids)
    assert "section-comparison" not in page.ids
    text = " ".join(page.text)
    for words in ("The model's assumptions and limits", "Pay warnings", "95% confidence interval", "SHA-256"):
        assert words in text, words


def test_report_with_a_variant_has_the_paired_comparison(paired):
    page = _check_self_contained_and_complete(paired)
    assert "section-comparison" in page.ids
    keys = {c.key for c in paired.charts()}
    assert {f"differences_{VARIANT}", "profit_difference", "revenue_monthly", "profit_monthly"} <= keys
    assert {f"differences_{VARIANT}", "scenario_differences", "kpi_summary", "pnl", "payroll", "funnel"} <= \
        {t.key for t in paired.tables()}
    text = " ".join(page.text)
    assert "Verdict on profit:" in text


def test_png_charts_are_embedded_as_data_uris():
    rep = build_report("baseline", n=2, seed=1, months=1, workers=1, image_format="png")
    page = _check_self_contained_and_complete(rep)
    charts = [f for f in page.figures.values() if f["kind"] == "chart"]
    assert charts and all(f["svg"] == 0 and len(f["img"]) == 1 for f in charts)


def test_the_comparison_agrees_with_an_independent_paired_compare(paired):
    kpis = ["revenue", "profit", "won_deals", "meetings_per_rep_month"]
    ref = compare("baseline", [VARIANT], n=N, seed=SEED, overrides={"calendar.months": MONTHS}, workers=1,
                  progress=False).differences(kpis)
    got = paired.comparison.differences(kpis)
    cols = ["kpi", "base_mean", "variant_mean", "diff", "low", "high", "verdict"]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), ref[cols].reset_index(drop=True))
    # and the table the page shows holds the same differences
    table = next(t for t in paired.tables() if t.key == f"differences_{VARIANT}")
    d = table.data.set_index("kpi")
    for row in ref.itertuples():
        assert d.loc[row.kpi, "diff"] == pytest.approx(row.diff)


def test_key_figures_are_the_replications_means_with_their_intervals(single):
    reps = single.runs["baseline"]
    per = reps.per_replication
    table = next(t for t in single.tables() if t.key == "kpi_summary").data.set_index("kpi")
    for kpi in ("revenue", "profit", "won_deals"):
        x = per[kpi].to_numpy(dtype=float)
        assert table.loc[kpi, "mean"] == pytest.approx(x.mean())
        assert table.loc[kpi, "low_95"] < x.mean() < table.loc[kpi, "high_95"]
        assert table.loc[kpi, "replications"] == N
    html = single.to_html()
    assert f"{x.mean():,.1f}" in html  # deals won, as shown in the page


def test_provenance_names_version_seed_replications_date_and_file_hashes(paired):
    prov = paired.provenance
    assert prov["salessim"] == ss.__version__ and prov["seed"] == SEED and prov["replications"] == N
    assert prov["created_utc"] == CREATED.isoformat() and prov["months"] == MONTHS
    files = {(s["label"], f["role"], f["path"].rsplit("/", 1)[-1]): f["sha256"]
             for s in prov["scenarios"] for f in s["files"]}
    for label, role, name in [("baseline", "scenario", "baseline.toml"),
                              (VARIANT, "scenario", f"{VARIANT}.toml"),
                              (VARIANT, "extends", "double_headcount_one_supervisor.toml"),
                              (VARIANT, "extends", "baseline.toml")]:
        expected = hashlib.sha256(builtin_path(name[:-5]).read_bytes()).hexdigest()
        assert files[(label, role, name)] == expected
    html = paired.to_html()
    assert hashlib.sha256(builtin_path("baseline").read_bytes()).hexdigest() in html
    assert "salessim report baseline " + VARIANT in html


def test_the_same_seed_gives_the_same_report():
    a = build_report("raise_deal_size", n=2, seed=5, months=1, workers=1, created=CREATED).to_html()
    b = build_report("raise_deal_size", n=2, seed=5, months=1, workers=2, created=CREATED).to_html()
    a_no_workers = re.sub(r"<td>\d+ \(results do not depend on it\)</td>", "", a)
    b_no_workers = re.sub(r"<td>\d+ \(results do not depend on it\)</td>", "", b)
    assert a_no_workers == b_no_workers


def test_tables_export_to_csv_and_xlsx(paired, tmp_path):
    files = paired.write_csv(tmp_path / "csv")
    assert len(files) == len(paired.tables()) + 1
    contents = pd.read_csv(files[0])
    assert list(contents["title"]) == [t.title for t in paired.tables()]
    for t, f in zip(paired.tables(), files[1:]):
        back = pd.read_csv(f)
        assert back.shape == t.data.shape, f.name
    wb = openpyxl.load_workbook(paired.write_xlsx(tmp_path / "r.xlsx"))
    assert wb.sheetnames == ["00_contents"] + [t.sheet for t in paired.tables()] == \
        ["00_contents"] + list(contents["sheet"])
    ws = wb[next(t.sheet for t in paired.tables() if t.key == "kpi_summary")]
    header = [c.value for c in ws[3]]
    mean_col = header.index("mean") + 1
    assert all(isinstance(ws.cell(row=r, column=mean_col).value, (int, float)) for r in range(4, ws.max_row + 1))


def test_report_command_writes_the_files(tmp_path, capsys):
    out = tmp_path / "deep" / "report.html"
    assert main(["report", "baseline", "raise_deal_size", "-n", "2", "--months", "1", "--workers", "1",
                 "--out", str(out), "--xlsx", str(tmp_path / "t.xlsx"), "--seed", "9"]) == 0
    text = capsys.readouterr().out
    assert "wrote" in text and out.stat().st_size > 10_000 and (tmp_path / "t.xlsx").stat().st_size > 0
    html = out.read_text(encoding="utf-8")
    assert "salessim report baseline raise_deal_size" in html and "master seed" in html


@pytest.mark.parametrize("argv,fragment", [
    (["report", "nosuch_scenario", "--out", "{tmp}/r.html"], "no such scenario file or built-in scenario"),
    (["report", "baseline", "nosuch_variant", "--out", "{tmp}/r.html"], "no such scenario"),
    (["report", "baseline", "--out", "{tmp}/blocker/r.html"], "--out"),
    (["report", "baseline", "--out", "{tmp}/r.txt"], "expected a file name ending in .html"),
    (["report", "baseline", "--out", "{tmp}"], "--out"),
    (["report", "baseline", "--out", "{tmp}/r.html", "-n", "1"], "expected a whole number >= 2"),
    (["report", "baseline", "--out", "{tmp}/r.html", "--xlsx", "{tmp}/t.csv"], "expected a file name ending in .xlsx"),
    (["report", "baseline", "--out", "{tmp}/r.html", "--csv", "{tmp}/blocker"], "expected a directory"),
    (["report", "baseline", "--out", "{tmp}/r.html", "--set", "calendar.monthz=2"], "unknown parameter path"),
    (["report", "baseline", "--out", "{tmp}/r.html", "--images", "gif"], "invalid choice"),
    (["report", "baseline"], "--out"),
])
def test_bad_input_is_one_line_and_exit_2(argv, fragment, tmp_path, capsys):
    (tmp_path / "blocker").write_text("a file where a directory is expected")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as e:
        raise SystemExit(main(argv))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_scenarios_of_different_periods_or_currencies_are_refused_before_running():
    with pytest.raises(ss.UserError, match="same period"):
        build_report("baseline", [ss.load_scenario("baseline", {"calendar.months": 6})], n=2)
    with pytest.raises(ss.UserError, match="one currency"):
        build_report("baseline", [ss.load_scenario("baseline", {"currency": "EUR"})], n=2)


def test_what_changes_lists_each_changed_parameter_once():
    from salessim.views.report.describe import scenario_differences, value_text

    base = ss.load_scenario("baseline")
    deal = ss.load_scenario("raise_deal_size")
    rows = scenario_differences(base, deal)
    t0, t1 = base.deal_size.training, deal.deal_size.training
    changed = {f"deal_size.training.{f}": (getattr(t0, f), getattr(t1, f))
               for f in type(t0).model_fields if getattr(t0, f) != getattr(t1, f)}
    assert {r[0]: (r[1], r[2]) for r in rows} == changed
    # a pay part of another kind is one row, in words; a new product is one row
    rows = scenario_differences(base, ss.load_scenario("commission_tiered_accelerator"))
    assert [r[0] for r in rows] == ["pay.components.0"] and value_text(rows[0][2]).startswith("tiered commission")
    rows = {r[0]: r for r in scenario_differences(base, ss.load_scenario("new_product_group"))}
    assert "products.B" in rows and not any(k.startswith("products.B.") for k in rows)
    assert value_text(rows["products.B"][1]) == "(not set)"


def test_a_report_with_a_variant_answers_over_time_and_says_what_it_rests_on(monkeypatch):
    """Horizons with the payback month, and the values that come from a fit or an anecdote, marked; with
    robust=True, where the verdict turns (the simulation replaced by a known formula to keep it quick)."""
    import numpy as np

    from salessim.analyses import robustness as rb

    def runs(self, designs, reps):
        b = np.full((len(designs), reps), 3e6)
        v = np.array([[3e6 + 4e6 * (d.get("deal_size.training.threshold_multiplier", 4.0) - 2.5)] * reps
                      for d in designs]) + np.linspace(-1e4, 1e4, reps)
        return b, v

    monkeypatch.setattr(rb._Design, "runs", runs)
    report = build_report("baseline", ["raise_deal_size"], n=N, seed=SEED, months=MONTHS, workers=1,
                          created=CREATED, horizons=(2, 4), robust=True)
    page = _check_self_contained_and_complete(report)
    text = " ".join(page.text)
    assert "Over time: when does each change pay back?" in text and "over 4 months" in text
    assert "What the answer rests on" in text
    assert "taken from one case in the documents" in text and "deal_size.training.threshold_multiplier" in text
    assert "It turns if" in text and "Claim: training reps to ask for more at least doubles revenue" in text
    keys = {t.key for sec in report.sections for t in sec.items if getattr(t, "kind", "") == "table"}
    assert "horizons_raise_deal_size" in keys and "assumptions_raise_deal_size" in keys
