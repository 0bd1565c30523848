"""Shapes of real CRM exports that broke the calibration's reading, each checked on the unit that reads it:
stage names in other languages and custom lost stages, month names in other languages, dates with a zone,
Excel's accounting zero and whole amounts grouped with points, Windows-1252 euro signs, a status beside a
pipeline stage, yes/no Won / Closed columns, won and lost dates, lost reasons, stage-history exports, rep names
written differently from the teams table. ``tests/functional/test_calibration_corpus.py`` runs whole files of
these shapes through the command line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from salessim.calibration.presets import detect
from salessim.calibration.readers import (
    RawTable,
    decode,
    parse_amounts,
    parse_date_cells,
    resolve_date_order,
    to_dates,
)
from salessim.calibration.stages import classify, map_stages
from salessim.calibration.survival import _psd
from salessim.calibration.tables import Teams
from salessim.calibration.validation import _person_key, _rep_spellings, validate
from salessim.errors import UserError


# --------------------------------------------------------------------------- stages
@pytest.mark.parametrize("stage,outcome", [
    ("Gewonnen", "won"), ("Verloren", "lost"), ("Gagnée", "won"), ("Perdue", "lost"), ("Ganada", "won"),
    ("Perdida", "lost"), ("Ganho", "won"), ("Vinto", "won"), ("Perso", "lost"),
    ("Stage: 6 - Closed Won", "won"), ("Won (100%)", "won"), ("Lost (0%)", "lost"), ("closedwon", "won"),
    ("Closed - No Decision", "lost"), ("Closed - Disqualified", "lost"), ("Closed (Cancelled)", "lost"),
    ("Canceled", "lost"), ("Out-Sold", "lost"), ("Closed won (Renewals)", "won"),
    ("Closed", "open"), ("Closing", "open"), ("In Bearbeitung", "open"), ("Persona", "open"), ("On Hold", "open"),
])
def test_stage_names_in_seven_languages_and_custom_lost_stages(stage, outcome):
    assert classify(stage, None, None)[0] == outcome


def test_a_pipeline_in_brackets_does_not_make_a_stage_look_like_a_typo():
    _, table = map_stages(["Contract sent (Sales Pipeline)", "Closed won (Sales Pipeline)", "Wonn"])
    doubts = table.doubts()
    assert len(doubts) == 1 and "'Wonn'" in doubts[0]


def test_yes_no_columns_decide_so_the_stage_name_raises_no_doubt():
    out, table = map_stages(["Closed", "Closed", "Demo"], won_flag=["TRUE", "FALSE", "FALSE"],
                            closed_flag=["TRUE", "TRUE", "FALSE"])
    assert list(out) == ["won", "lost", "open"] and table.doubts() == []


def test_a_deal_at_an_open_stage_with_a_lost_reason_is_lost():
    out, table = map_stages(["Qualified", "Qualified", "Won", "New"], lost_reason=["Too expensive", "", "Price", "no"])
    assert list(out) == ["lost", "open", "won", "open"]
    assert table.table.attrs["lost_by_reason"] == 1
    assert "'Qualified' with a lost reason -> lost (1)" in table.describe()


# --------------------------------------------------------------------------- dates and amounts
@pytest.mark.parametrize("text,iso", [
    ("24 avr. 2017", "2017-04-24"), ("1 févr. 2017", "2017-02-01"), ("3 juin 2017", "2017-06-03"),
    ("3 juil. 2017", "2017-07-03"), ("1 août 2017", "2017-08-01"), ("24-abr-2017", "2017-04-24"),
    ("24 de abril de 2017", "2017-04-24"), ("12 dic 2017", "2017-12-12"), ("24. März 2017", "2017-03-24"),
    ("12 Dez 2017", "2017-12-12"), ("5 maggio 2017", "2017-05-05"), ("5 out 2017", "2017-10-05"),
    ("24-Apr-17", "2017-04-24"), ("5-Mar-99", "1999-03-05"),
    ("2017-04-24 14:05:00 UTC", "2017-04-24"), ("2017-04-24T14:05:00.000+0000", "2017-04-24"),
    ("2017-04-24T14:05:00+02:00", "2017-04-24"), ("2017-04-24 14:05:00 CET", "2017-04-24"),
    ("2017-04-24 2:05 PM", "2017-04-24"),
])
def test_month_names_in_other_languages_two_digit_years_and_zones(text, iso):
    d = parse_date_cells([text])
    dates, bad = to_dates(d, resolve_date_order([d]))
    assert str(dates[0]) == iso and not bad.any()


def test_excel_accounting_zero_and_whole_amounts_grouped_with_points():
    a = parse_amounts([" $-   ", " $1,234.00 ", ""])
    assert list(a.values[:2]) == [0.0, 1234.0] and not a.bad.any()
    g = parse_amounts(["1.412 €", "550 €", "12.500 €", "26.768 €", "0 €"])
    assert g.decimal == "," and "groups thousands" in g.evidence
    np.testing.assert_allclose(g.values, [1412, 550, 12500, 26768, 0])
    # a decimal point shown anywhere still wins; two such cells are too few to decide
    assert parse_amounts(["1.412", "1.5", "2.000", "3.000"]).decimal == "."
    np.testing.assert_allclose(parse_amounts(["1.412", "2.500", "550"]).values, [1.412, 2.5, 550])


def test_windows_1252_euro_signs_are_not_russian():
    text, enc, _ = decode("Betrag;Kunde\n500 €;Acme\n1.200 €;Globex\n".encode("cp1252"), "f")
    assert enc == "cp1252" and "500 €" in text
    assert decode("Цена;Менеджер\n500 руб;Иван Петров\n".encode("cp1251"), "f")[1] == "cp1251"


# --------------------------------------------------------------------------- columns
def _rows(n: int = 40):
    out = []
    for i in range(n):
        status = ["won", "lost", "open"][i % 3]
        out.append([f"Rep {'ABC'[i % 3]}", status, ["Qualified", "Proposal Made"][i % 2], "2024-01-05",
                    "2024-02-01" if status == "won" else "", "2024-02-03" if status == "lost" else "", "2024-03-01",
                    "Price" if status == "lost" else "", "1000"])
    return out


def test_a_status_naming_won_and_lost_is_the_outcome_beside_a_pipeline_stage():
    header = ["Owner", "Status", "Stage", "Deal created", "Won time", "Lost time", "Expected close date",
              "Lost reason", "Value"]
    rows = [[r[0], r[1], r[2], *r[3:]] for r in _rows()]
    m = detect(header, rows=rows)
    assert m.names["stage"] == "Status" and m.names["pipeline_stage"] == "Stage"
    assert m.names["won_time"] == "Won time" and m.names["lost_time"] == "Lost time"
    assert "closed" not in m.names and m.names["lost_reason"] == "Lost reason"
    # the stage first in the header makes no difference
    h2 = ["Owner", "Stage", "Status", *header[3:]]
    m2 = detect(h2, rows=[[r[0], r[2], r[1], *r[3:]] for r in _rows()])
    assert m2.names["stage"] == "Status"


def test_a_result_empty_while_open_is_read_beside_its_status():
    header = ["Sales Rep", "Status", "Result", "Created", "Closed"]
    rows = [[f"Rep {'AB'[i % 2]}", "Open" if i % 3 == 2 else "Closed", ["Won", "Lost", ""][i % 3], "2024-01-05",
             "" if i % 3 == 2 else "2024-02-01"] for i in range(30)]
    m = detect(header, rows=rows)
    assert m.names["stage"] == "Result" and m.names["pipeline_stage"] == "Status"
    raw = RawTable("deals.csv", header, rows, list(range(1, 31)), list(range(2, 32)))
    v = validate(raw, m, as_of=dt.date(2024, 6, 30))
    assert v.n_rejected == 0 and dict(v.deals["outcome"].value_counts()) == {"won": 10, "lost": 10, "open": 10}


def test_yes_no_won_and_closed_columns_are_flags_not_the_close_date():
    header = ["Deal ID", "Owner", "Stage", "Closed", "Won", "Created", "Close Date"]
    rows = [[str(i), "Ann Lee", "Closed" if i % 3 else "Demo", "TRUE" if i % 3 else "FALSE",
             "TRUE" if i % 3 == 1 else "FALSE", "01/05/2024", "02/01/2024"] for i in range(30)]
    m = detect(header, rows=rows)
    assert m.names["closed"] == "Close Date"
    assert m.names["won_flag"] == "Won" and m.names["closed_flag"] == "Closed"
    assert "yes/no" in m.found_by["closed_flag"]


def test_an_actual_amount_is_preferred_to_an_estimate():
    header = ["Owner", "Status", "Created On", "Est. Revenue", "Actual Revenue", "Est. Close Date", "Finished"]
    rows = [["Ann Lee", ["Won", "Lost", "Open"][i % 3], "2024-01-05", "900", "1000" if i % 3 == 0 else "",
             "2024-03-01", "2024-02-01" if i % 3 < 2 else ""] for i in range(30)]
    m = detect(header, rows=rows)
    assert m.names["value"] == "Actual Revenue" and m.names["closed"] == "Finished"


def test_a_map_flag_is_kept_even_when_another_column_names_won_and_lost():
    header = ["Owner", "Status", "Stage", "Created"]
    rows = [["Ann Lee", ["won", "lost"][i % 2], "Qualified", "2024-01-05"] for i in range(20)]
    m = detect(header, rows=rows, overrides={"stage": "Stage"})
    assert m.names["stage"] == "Stage" and "pipeline_stage" not in m.names


# --------------------------------------------------------------------------- rows
def test_a_stage_history_keeps_each_deal_at_its_final_stage_and_an_id_clash_stays_a_duplicate():
    header = ["Opportunity ID", "Owner", "Stage", "Created Date", "Close Date", "Amount"]
    rows = [["A", "Ann Lee", "Prospecting", "2024-01-05", "2024-03-01", "100"],
            ["A", "Ann Lee", "Proposal", "2024-01-05", "2024-03-01", "100"],
            ["A", "Ann Lee", "Closed Won", "2024-01-05", "2024-02-10", "100"],
            ["B", "Bob Ray", "Prospecting", "2024-01-08", "2024-03-01", "50"],
            ["B", "Bob Ray", "Closed Lost", "2024-01-08", "2024-02-01", "0"],
            ["C", "Bob Ray", "Prospecting", "2024-01-09", "", ""],
            ["C", "Bob Ray", "Negotiation", "2024-01-09", "", ""],
            ["D", "Ann Lee", "Closed Won", "2024-01-10", "2024-02-01", "70"],
            ["D", "Bob Ray", "Closed Lost", "2024-01-20", "2024-02-05", "0"]]
    raw = RawTable("deals.csv", header, rows, list(range(1, 10)), list(range(2, 11)))
    v = validate(raw, detect(header, rows=rows), as_of=dt.date(2024, 6, 30))
    verdict = v.verdicts.set_index("row")
    assert list(v.deals["row"]) == [3, 5, 7, 8]
    assert list(v.deals["outcome"]) == ["won", "lost", "open", "won"]
    assert list(verdict.loc[[1, 2, 4, 6], "reason"]) == ["superseded"] * 4
    assert "its final state is row 3 ('Closed Won')" in verdict.at[1, "detail"]
    assert verdict.at[9, "reason"] == "duplicate_id"   # another deal with the same id: the first one is kept
    assert any("stage-history export" in n for n in v.info["date_notes"])


def test_rep_names_are_matched_to_the_teams_table_whatever_their_order_or_form():
    assert _person_key("Cantrell, Donn") == _person_key("donn.cantrell@example.com") == _person_key("Donn Cantrell")
    assert _person_key("José Núñez") == _person_key("nunez, jose")
    assert _person_key("Admin") == ""
    teams = Teams({"Donn Cantrell": "M", "Ann Lee": "M", "Lee Ann": "N"}, {}, "teams.csv")
    got = _rep_spellings({"Cantrell, Donn", "donn.cantrell@example.com", "Ann Lee", "lee, ann", "Zed Quux"}, teams)
    assert got == {"Cantrell, Donn": "Donn Cantrell", "donn.cantrell@example.com": "Donn Cantrell"}


def test_no_deal_read_as_won_is_one_line_naming_the_stage_column(tmp_path):
    from salessim.calibration import calibrate

    p = tmp_path / "deals.csv"
    p.write_text("owner,status,created,closed,amount\n" + "".join(
        f"Ann Lee,{['Signed', 'Lost', 'Open'][i % 3]},2024-01-0{1 + i % 9},{'' if i % 3 == 2 else '2024-02-01'},"
        f"{100 + i}\n" for i in range(60)))
    with pytest.raises(UserError, match=r"none of the 20 closed deals is won: no value of the stage column 'status' "
                                        r"\('Lost' \(20\), 'Open' \(20\), 'Signed' \(20\)\)"):
        calibrate(p, as_of=dt.date(2024, 6, 30))
    q = tmp_path / "open.csv"
    q.write_text("owner,status,created\n" + "".join(f"Ann Lee,Proposal,2024-01-0{1 + i % 9}\n" for i in range(20)))
    with pytest.raises(UserError, match=r"all 20 accepted deals are open: no value of the stage column 'status' "
                                        r"\('Proposal' \(20\)\)"):
        calibrate(q, as_of=dt.date(2024, 6, 30))


def test_a_covariance_that_is_not_positive_semidefinite_is_projected_only_then():
    good = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert _psd(good) is not None and np.array_equal(_psd(good), good)
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])       # eigenvalues 3 and -1
    fixed = _psd(bad)
    assert np.linalg.eigvalsh(fixed).min() > -1e-12
    with np.errstate(all="raise"):
        np.random.default_rng(0).multivariate_normal([0, 0], fixed, size=3, method="eigh")


def test_a_grouped_report_carries_each_group_value_down_to_its_rows():
    from salessim.calibration.validation import _fill_groups

    dated = [False] + [True] * 6 + [False] + [True] * 6 + [False]
    # a header row per group, a subtotal after each
    cells = ["Stage: Closed Won (6 records)"] + [""] * 6 + ["Subtotal"] + [""] * 6 + ["Grand Total"]
    cells[8] = "Closed Lost"   # or the value on the group's first row (a merged cell)
    out, k, groups = _fill_groups(cells, dated)
    assert out[1:7] == ["Stage: Closed Won (6 records)"] * 6 and out[9:14] == ["Closed Lost"] * 5
    assert out[7] == "Subtotal" and k == 11 and groups == 2
    # a column often empty, with values on adjacent rows or one value on many rows, is data with gaps, not groups
    gaps = ["Ann Lee", "Ann Lee", "", "Bob Ray", "", "", "Ann Lee", "", "", "Bob Ray", "", ""]
    assert _fill_groups(gaps, [True] * 12) is None
    assert _fill_groups(["Won", "", ""] * 40, [True] * 120) is None
    assert _fill_groups(["Won", "Lost"] * 6, [True] * 12) is None


def test_most_rows_rejected_is_said_first():
    header = ["Owner", "Stage", "Created", "Closed"]
    rows = [["Ann Lee", "Won" if i < 3 else "", "2024-01-05", "2024-02-01"] for i in range(10)] + \
           [["Ann Lee", "Lost", "2024-01-06", "2024-02-01"]]
    raw = RawTable("deals.csv", header, rows, list(range(1, 12)), list(range(2, 13)))
    v = validate(raw, detect(header, rows=rows, overrides={"stage": "Stage"}), as_of=dt.date(2024, 6, 30))
    assert v.info["date_notes"][0].startswith("7 of the 11 rows were rejected, 7 of them as missing_stage")
