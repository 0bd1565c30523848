"""The corpus: exports in the shapes real CRMs and hand-kept spreadsheets produce, each run end to end
through ``salessim calibrate`` with no mapping file (tests/corpus/make_corpus.py writes them).

Each must end in plans above 0 with a fitted win rate within 0.02 of the win rate of the rows that
survived validation, print and write no nan or inf, and show what is special about it (the column it
found by content, the stray rows it rejected, the open deals it kept without a date, ...).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from salessim.cli import main
from tests.calib_helpers import assert_no_bad_numbers

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# name: (export, extra arguments, the raw file's stage column and its won / lost values (or a function of the kept
# rows giving the won and lost counts), what the output shows)
CASES = {
    "crm_opportunities": ("crm_opportunities/sales_pipeline.csv",
                          ["--teams", "crm_opportunities/sales_teams.csv", "--products", "crm_opportunities/products.csv"],
                          ("deal_stage", ["Won"], ["Lost"]),
                          ["created <- 'engage_date' (by name)", "date_outlier", "open_without_created",
                           "'GTXPro' as 'GTX Pro'"]),
    "generic_spreadsheet": ("generic_spreadsheet.csv", [], ("Where we are", ["Won"], ["Lost"]),
                            ["rep <- 'Who' (by content", "stage <- 'Where we are' (by content",
                             "created <- 'First call' (by content", "closed <- 'Signed or lost on' (by content"]),
    "two_languages": ("two_languages.csv", [], ("Stage", ["Успешно реализовано"], ["Закрыто и не реализовано"]),
                      ["closed <- 'Close date'", "decimal comma", "day_first"]),
    "open_without_created": ("open_without_created.csv", [], ("Deal Stage", ["Closed Won"], ["Closed Lost"]),
                             ["open_without_created", "of unknown age"]),
    "stray_test_rows": ("stray_test_rows.csv", [], ("Stage", ["Closed Won"], ["Closed Lost"]),
                        ["date_outlier", "after the rest of the history", "before the rest of the history",
                         "export date: 2022-03-31"]),
    "gap_in_the_middle": ("gap_in_the_middle.csv", [], ("Deal - Status", ["won"], ["lost"]),
                          ["no new deals in 2022-07..2022-09", "3 empty months left out"]),
    "product_spellings": ("product_spellings/deals.csv", ["--products", "product_spellings/price_list.csv"],
                          ("status", ["Won"], ["Lost"]), ["product_merged", "'gtx basic' as 'GTX Basic'"]),
    "ended_early": ("ended_early.csv", ["--as-of", "2024-09-30"], ("status", ["Won"], ["Lost"]),
                    ["no new deals after", "use the last 3 month(s) with new deals"]),
    # shapes that broke the command before (tests/corpus/make_corpus.py says how)
    "pipedrive_status_and_stage": ("pipedrive_status_and_stage.csv", [], ("Status", ["won"], ["lost"]),
                                   ["stage <- 'Status' (by name; its values name won and lost",
                                    "pipeline_stage <- 'Stage'", "won_time <- 'Won time'",
                                    "lost_time <- 'Lost time'"]),
    "status_and_result": ("status_and_result.csv", [], ("Result", ["Won"], ["Lost"]),
                          ["stage <- 'Result'", "pipeline_stage <- 'Status'", "'Open' -> open"]),
    "lost_reason": ("lost_reason.csv", [], lambda k: ((k["Stage"] == "Won").sum(), (k["Active"] == "False").sum()),
                    ["lost_reason <- 'Lost Reason'", "'New' with a lost reason -> lost",
                     "value <- 'Expected Revenue'"]),
    "stage_history": ("stage_history.csv", [], ("Stage", ["Closed Won"], ["Closed Lost"]),
                      ["superseded", "a stage-history export", "each deal's final state"]),
    "yes_no_flags": ("yes_no_flags.csv", [], lambda k: ((k["Won"] == "TRUE").sum(),
                                                        ((k["Closed"] == "TRUE") & (k["Won"] == "FALSE")).sum()),
                     ["won_flag <- 'Won' (by name, yes/no values)", "closed_flag <- 'Closed' (by name, yes/no values)",
                      "closed <- 'Close Date'"]),
    "german_whole_euros": ("german_whole_euros.csv", [], ("Phase", ["Gewonnen"], ["Verloren"]),
                           ["CSV, cp1252", "the point groups thousands", "'Gewonnen' -> won"]),
    "french_months": ("french_months.csv", [], ("Étape", ["Gagnée"], ["Perdue"]),
                      ["'Gagnée' -> won", "'Perdue' -> lost", "decimal comma"]),
    "zones_and_custom_stages": ("zones_and_custom_stages.csv", [],
                                ("Sales Stage", ["Won (100%)", "Stage: 6 - Closed Won"],
                                 ["Lost (0%)", "Closed - No Decision", "Closed - Disqualified"]),
                                ["'Closed - No Decision' -> lost", "'Won (100%)' -> won"]),
    "owners_last_first": ("owners_last_first/deals.csv", ["--teams", "owners_last_first/teams.csv"],
                          ("Status", ["Won"], ["Lost"]), ["rep_matched", "were read as its names"]),
    "grouped_report": ("grouped_report.csv", [], ("Probability (%)", ["100"], ["0"]),
                       ["names each of its 3 group(s) once (a grouped report)",
                        "'Stage: Closed Won (", "missing_rep"]),
}
#: how pandas reads a file of the corpus that is not UTF-8
ENCODING = {"german_whole_euros": "cp1252", "french_months": "utf-8-sig"}


def test_the_corpus_has_at_least_seven_shapes():
    assert len(CASES) >= 7 and all((CORPUS / c[0]).exists() for c in CASES.values())


def _run(name, tmp_path, capsys, *extra):
    export, args, _, _ = CASES[name]
    args = [str(CORPUS / a) if a.endswith(".csv") else a for a in args]
    out, rep = tmp_path / "s.toml", tmp_path / "report"
    code = main(["calibrate", str(CORPUS / export), *args, "--out", str(out), "--report", str(rep), "-n", "3",
                 "--workers", "1", "--plan-months", "1", "--formats", "png", *extra])
    text = capsys.readouterr()
    return code, text.out, text.err, out, rep


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_export_calibrates_with_no_mapping_file(name, tmp_path, capsys):
    code, out, err, scenario, rep = _run(name, tmp_path, capsys)
    assert code == 0, err
    assert "Traceback" not in out + err
    scores = json.loads((rep / "scores.json").read_text())
    assert scores["plans"]["department_plan_total"] > 0 and scores["plans"]["reps_with_plan"] > 0
    # the win rate of the rows that survived, computed here from the raw file and the row verdicts
    export, _, truth, shows = CASES[name]
    raw = pd.read_csv(CORPUS / export, sep=None, engine="python", dtype=str, keep_default_na=False,
                      encoding=ENCODING.get(name, "utf-8"))
    rows = pd.read_csv(rep / "validation_rows.csv", keep_default_na=False)
    kept = raw.iloc[rows.loc[rows["verdict"] == "accepted", "row"].to_numpy() - 1]
    if callable(truth):   # won and lost told by other columns (yes/no flags, an archived flag)
        w, lo = truth(kept)
    else:
        col, won, lost = truth
        w, lo = kept[col].isin(won).sum(), kept[col].isin(lost).sum()
    assert w > 0 and lo > 0
    assert abs(scores["win_rate_fitted"] - w / (w + lo)) < 0.02
    assert scores["accepted"] + scores["rejected"] == len(raw)
    for fragment in shows:
        assert fragment in out, (fragment, out)
    assert_no_bad_numbers(out + err, rep, scenario)


def test_stray_rows_are_the_injected_ones(tmp_path, capsys):
    code, out, err, _, rep = _run("stray_test_rows", tmp_path, capsys, "--no-backtest")
    rows = pd.read_csv(rep / "validation_rows.csv", keep_default_na=False)
    stray = rows[rows["reason"] == "date_outlier"]
    raw = pd.read_csv(CORPUS / "stray_test_rows.csv", dtype=str, keep_default_na=False)
    assert sorted(raw.iloc[stray["row"] - 1]["Opportunity ID"]) == ["T1", "T2", "T3", "T4", "T5"]


def test_the_prospecting_deals_are_kept_as_undated_pipeline(tmp_path, capsys):
    code, out, err, _, rep = _run("crm_opportunities", tmp_path, capsys, "--no-backtest")
    raw = pd.read_csv(CORPUS / "crm_opportunities/sales_pipeline.csv", dtype=str, keep_default_na=False)
    rows = pd.read_csv(rep / "validation_rows.csv", keep_default_na=False)
    noted = rows[rows["notes"].str.contains("open_without_created")]
    assert len(noted) == ((raw["deal_stage"] == "Prospecting") & (raw["engage_date"] == "")).sum() > 0
    assert (noted["verdict"] == "accepted").all()


def test_merging_product_spellings_can_be_turned_off(tmp_path, capsys):
    code, out, err, _, rep = _run("product_spellings", tmp_path, capsys, "--no-backtest", "--no-merge-products")
    assert code == 0 and "product_merged" not in out and "product_not_in_price_list" in out
    summary = pd.read_csv(rep / "validation_summary.csv", keep_default_na=False).set_index("reason")
    assert "'gtx basic' ~ 'GTX Basic'?" in summary.at["product_not_in_price_list", "meaning"]


def test_a_stage_history_keeps_each_deal_once_at_its_final_stage(tmp_path, capsys):
    code, out, err, _, rep = _run("stage_history", tmp_path, capsys, "--no-backtest")
    raw = pd.read_csv(CORPUS / "stage_history.csv", dtype=str, keep_default_na=False)
    rows = pd.read_csv(rep / "validation_rows.csv", keep_default_na=False)
    kept = raw.iloc[rows.loc[rows["verdict"] == "accepted", "row"].to_numpy() - 1]
    assert kept["Opportunity ID"].is_unique and set(kept["Opportunity ID"]) == set(raw["Opportunity ID"])
    final = raw.groupby("Opportunity ID")["Stage"].last()
    assert (kept.set_index("Opportunity ID")["Stage"] == final.reindex(kept["Opportunity ID"])).all()
    assert set(rows.loc[rows["verdict"] == "rejected", "reason"]) == {"superseded"}


def test_the_rep_names_are_the_teams_tables(tmp_path, capsys):
    code, out, err, scenario, rep = _run("owners_last_first", tmp_path, capsys, "--no-backtest")
    teams = pd.read_csv(CORPUS / "owners_last_first/teams.csv")
    assert code == 0 and "rep_not_in_teams" not in out
    assert set(pd.read_csv(rep / "win_reps.csv")["rep"]) <= set(teams["Rep"])
