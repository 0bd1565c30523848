"""The corruption suite: damaged exports give a clear message or a counted rejection, never a traceback.

A small clean export is generated, damaged in one way per case, and run through
``salessim calibrate`` (without the backtest). Each case expects either exit code 2 with
one line naming the problem, or success with the damage counted under its reason in the
validation summary (or noted, when the row is still usable). An unexpected exception
fails the test: that is the "no traceback" check.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from salessim.cli import main
from tests.calib_helpers import assert_no_bad_numbers

HEADER = ["account", "opportunity_id", "sales_agent", "deal_stage", "product", "close_date", "close_value",
          "created_on"]
REPS = ["Ann Lee", "Bob Ray", "Cy Dunn", "Di Fox"]


def clean_rows(n: int = 240, seed: int = 3) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    start = dt.date(2024, 1, 1)
    for i in range(n):
        created = start + dt.timedelta(days=int(rng.integers(0, 300)))
        rep = REPS[i % len(REPS)]
        product = ["GTXPro", "MGRPFS"][int(rng.integers(0, 2))]
        u = rng.random()
        if u < 0.5:
            stage, closed, value = "Won", created + dt.timedelta(days=int(rng.integers(1, 60))), f"{rng.integers(500, 900)}.0"
        elif u < 0.8:
            stage, closed, value = "Lost", created + dt.timedelta(days=int(rng.integers(1, 60))), "0.0"
        else:
            stage, closed, value = "In_Progress", None, ""
        if closed is not None and closed > dt.date(2024, 12, 31):
            stage, closed, value = "In_Progress", None, ""
        rows.append([f"Client {i % 20}", f"ID{i:05d}", rep, stage, product, closed.isoformat() if closed else "",
                     value, created.isoformat()])
    return rows


def csv_text(rows, header=HEADER, sep=",") -> str:
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


def _teams(tmp_path, reps=REPS, header="sales_agent,manager,regional_office"):
    p = tmp_path / "teams.csv"
    p.write_text(header + "\n" + "\n".join(f"{r},Boss {k % 2},{'East' if k % 2 else 'West'}"
                                           for k, r in enumerate(reps)) + "\n")
    return p


# each case: (files -> export path and extra args, expected)
# expected: ("error", fragment) or ("reason", code, min_count) or ("ok", check(report_dir, stdout))
CASES = {}


def case(name, expected):
    def deco(fn):
        CASES[name] = (fn, expected)
        return fn
    return deco


def _rows_mod(fn):
    rows = clean_rows()
    fn(rows)
    return rows


def _won_rows(rows):
    return [i for i, r in enumerate(rows) if r[3] == "Won"]


@case("wrong_encoding_cp1251", ("ok", lambda rep, out: "cp1251" in out))
def _c1(tmp):
    rows = clean_rows()
    for r in rows[::3]:
        r[2] = "Иван Петров"
    p = tmp / "deals.csv"
    p.write_bytes(csv_text(rows).encode("cp1251"))
    return p, []


@case("utf16_with_bom", ("ok", lambda rep, out: "utf-16" in out))
def _c2(tmp):
    p = tmp / "deals.csv"
    p.write_bytes(csv_text(clean_rows()).encode("utf-16"))
    return p, []


@case("binary_file", ("error", "not a text file"))
def _c3(tmp):
    p = tmp / "deals.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    return p, []


@case("double_encoded_text", ("ok", lambda rep, out: "double-encoded" in out))
def _c4(tmp):
    rows = clean_rows()
    for r in rows[::2]:
        r[2] = "JosÃ© MuÃ±oz"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows), encoding="utf-8")
    return p, []


@case("shifted_columns", ("reason", "wrong_field_count", 5))
def _c5(tmp):
    rows = clean_rows()
    for r in rows[10:15]:
        r.insert(2, "extra")
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("text_in_amounts", ("reason", "bad_amount", 4))   # a note now: the won deals still count
def _c6(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:4]:
        rows[i][6] = "N/A"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("mixed_date_formats", ("reason", "bad_created", 3))
def _c7(tmp):
    rows = clean_rows()
    for r in rows[:40]:  # day-first dates among ISO ones, some of them unambiguous
        y, m, d = r[7].split("-")
        r[7] = f"{d}/{m}/{y}"
    for r in rows[40:43]:  # and three month-first ones, contradicting them
        y, m, d = r[7].split("-")
        r[7] = f"{m}/{28}/{y}"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("empty_file", ("error", "the file is empty"))
def _c8(tmp):
    p = tmp / "deals.csv"
    p.write_text("")
    return p, []


@case("header_only", ("error", "no data rows"))
def _c9(tmp):
    p = tmp / "deals.csv"
    p.write_text(",".join(HEADER) + "\n\n\n")
    return p, []


@case("repeated_header_line", ("reason", "repeated_header", 1))
def _c10(tmp):
    rows = clean_rows()
    rows.insert(100, list(HEADER))
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("duplicate_column_name", ("error", "appears 2 times"))
def _c11(tmp):
    rows = [r + [r[6]] for r in clean_rows()]
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows, header=HEADER + ["close_value"]))
    return p, []


@case("all_deals_open", ("error", "are open"))
def _c12(tmp):
    rows = clean_rows()
    for r in rows:
        r[3], r[5], r[6] = "In_Progress", "", ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("one_rep_only", ("ok", lambda rep, out: len(pd.read_csv(rep / "win_reps.csv")) == 1))
def _c13(tmp):
    rows = clean_rows()
    for r in rows:
        r[2] = "Solo Rep"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("missing_required_column", ("error", "missing required column"))
def _c14(tmp):
    rows = [r[:2] + r[3:] for r in clean_rows()]
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows, header=HEADER[:2] + HEADER[3:]))
    return p, []


@case("duplicate_ids", ("reason", "duplicate_id", 6))
def _c15(tmp):
    rows = clean_rows()
    for r in rows[50:56]:
        r[1] = "ID00001"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("close_before_create", ("reason", "close_before_create", 3))
def _c16(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:3]:
        rows[i][5] = "2023-01-01"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("dates_in_the_future", ("reason", "future_date", 2))
def _c17(tmp):
    rows = clean_rows()
    opened = [i for i, r in enumerate(rows) if r[3] == "In_Progress"]
    rows[opened[0]][7] = "2099-01-01"
    rows[opened[1]][7] = "2099-02-01"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("won_without_value", ("reason", "won_without_value", 3))
def _c18(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:3]:
        rows[i][6] = ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("unknown_stage_names", ("ok", lambda rep, out: "'Maybe' -> open" in out))
def _c19(tmp):
    rows = clean_rows()
    for r in rows[:5]:
        r[3], r[5], r[6] = "Maybe", "", ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("negative_amounts", ("ok", lambda rep, out: "negative_amount" in out
                              and _scores(rep)["win_rate_fitted"] == pytest.approx(_win_rate(clean_rows()), abs=1e-4)))
def _c20(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:2]:
        rows[i][6] = "-500"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("blank_lines_inside", ("reason", "blank_row", 2))
def _c21(tmp):
    text = csv_text(clean_rows()).splitlines()
    text.insert(30, ",,,,,,,")
    text.insert(60, ",,,,,,,")
    p = tmp / "deals.csv"
    p.write_text("\n".join(text) + "\n")
    return p, []


@case("totals_row_at_the_end", ("reason", "missing_stage", 1))
def _c22(tmp):
    rows = clean_rows()
    rows.append(["Total", "", "", "", "", "", "123456", ""])
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("unclosed_quote", ("reason", "wrong_field_count", 1))
def _c23(tmp):
    rows = clean_rows()
    rows[200][0] = '"Client, unclosed'
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("semicolons_and_decimal_commas", ("ok", lambda rep, out: "decimal comma" in out))
def _c24(tmp):
    rows = clean_rows()
    for r in rows:
        r[6] = r[6].replace(".0", ",50") if r[6] else ""
        for k in (5, 7):
            if r[k]:
                y, m, d = r[k].split("-")
                r[k] = f"{d}.{m}.{y}"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows, sep=";"))
    return p, []


@case("xlsx_named_csv", ("ok", lambda rep, out: "XLSX workbook" in out))
def _c25(tmp):
    df = pd.DataFrame(clean_rows(), columns=HEADER)
    x = tmp / "deals.xlsx"
    df.to_excel(x, index=False)
    p = tmp / "deals.csv"
    p.write_bytes(x.read_bytes())
    return p, []


@case("truncated_xlsx", ("error", "not a valid XLSX workbook"))
def _c26(tmp):
    df = pd.DataFrame(clean_rows(), columns=HEADER)
    x = tmp / "deals.xlsx"
    df.to_excel(x, index=False)
    x.write_bytes(x.read_bytes()[:700])
    return x, []


@case("every_date_unreadable", ("error", "no usable rows"))
def _c27(tmp):
    rows = clean_rows()
    for r in rows:
        r[7] = "someday"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("teams_table_without_manager_column", ("error", "missing column(s) manager"))
def _c28(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    t = tmp / "teams.csv"
    t.write_text("sales_agent,office\n" + "\n".join(f"{r},East" for r in REPS) + "\n")
    return p, ["--teams", str(t)]


@case("product_near_miss_in_price_list", ("reason", "product_merged", 1))
def _c29(tmp):
    """'GTXPro' in the export, 'GTX Pro' in the price list: read as one product, with a note."""
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    pr = tmp / "products.csv"
    pr.write_text("product,sales_price\nGTX Pro,5624\nMGRPFS,64\n")
    return p, ["--products", str(pr)]


@case("product_near_miss_kept_apart", ("reason", "product_not_in_price_list", 1))
def _c29b(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    pr = tmp / "products.csv"
    pr.write_text("product,sales_price\nGTX Pro,5624\nMGRPFS,64\n")
    return p, ["--products", str(pr), "--no-merge-products"]


@case("rep_missing_from_teams", ("reason", "rep_not_in_teams", 1))
def _c30(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    return p, ["--teams", str(_teams(tmp, REPS[:3]))]


@case("mapping_file_not_toml", ("error", "not valid TOML"))
def _c31(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    m = tmp / "map.toml"
    m.write_text("[columns\nrep = ")
    return p, ["--mapping", str(m)]


@case("mapping_file_names_a_missing_column", ("error", "no column 'Owner'"))
def _c32(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    m = tmp / "map.toml"
    m.write_text('preset = "crm_sample"\n[columns]\nrep = "Owner"\n')
    return p, ["--mapping", str(m)]


@case("nul_bytes", ("error", "not a text file"))
def _c33(tmp):
    p = tmp / "deals.csv"
    p.write_bytes(csv_text(clean_rows()).encode()[:500] + b"\x00\x00garbage")
    return p, []


@case("old_xls_workbook", ("error", "old Excel .xls"))
def _c34(tmp):
    p = tmp / "deals.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return p, []


@case("no_such_file", ("error", "file not found"))
def _c35(tmp):
    return tmp / "nope.csv", []


@case("single_column", ("error", "missing required column"))
def _c36(tmp):
    p = tmp / "deals.csv"
    p.write_text("deal\n" + "\n".join(f"d{i}" for i in range(30)) + "\n")
    return p, []


@case("excel_serial_dates", ("ok", lambda rep, out: "accepted" in out))
def _c37(tmp):
    rows = clean_rows()
    for r in rows:
        for k in (5, 7):
            if r[k]:
                r[k] = str((dt.date.fromisoformat(r[k]) - dt.date(1899, 12, 30)).days)
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("stage_case_and_spaces", ("ok", lambda rep, out: "'  WON ' -> won" not in out and "rejected" in out))
def _c38(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:10]:
        rows[i][3] = "  WON "
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("no_lost_deals", ("ok", lambda rep, out: "(export 100.0%)" in out))
def _c39(tmp):
    rows = [r for r in clean_rows() if r[3] != "Lost"]
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("closed_deal_without_close_date", ("reason", "missing_closed", 2))
def _c40(tmp):
    rows = clean_rows()
    for i in _won_rows(rows)[:2]:
        rows[i][5] = ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


TINY_HEADER = "opportunity_id,sales_agent,deal_stage,product,close_date,close_value,created_on\n"
WITH_BACKTEST = ["WITH_BACKTEST", "-n", "2", "--workers", "1", "--plan-months", "1"]


@case("three_rows_only", ("ok", lambda rep, out: (rep / "backtest.png").exists()))
def _c41(tmp):
    p = tmp / "deals.csv"
    p.write_text(TINY_HEADER + "a,R1,Won,P,2024-02-01,100,2024-01-05\nb,R1,Lost,P,2024-02-03,0,2024-01-06\n"
                 "c,R1,In_Progress,P,,,2024-01-07\n")
    return p, WITH_BACKTEST


@case("every_deal_closes_the_day_it_opens", ("ok", lambda rep, out: (rep / "time_to_close.png").exists()))
def _c42(tmp):
    p = tmp / "deals.csv"
    p.write_text(TINY_HEADER + "".join(f"x{i},R{i % 2},{'Won' if i % 2 else 'Lost'},P,2024-03-0{1 + i % 8},{50 + i},"
                                       f"2024-03-0{1 + i % 8}\n" for i in range(40)))
    return p, []


@case("a_product_with_only_open_deals", ("ok", lambda rep, out: "Q" in (rep / "win_products.csv").read_text()
                                          or "Q" in (rep / "lead_sources.csv").read_text()))
def _c43(tmp):
    rows = []
    for i in range(90):
        k = i % 3
        stage = ["Won", "Lost", "In_Progress"][k]
        closed, value = ("", "") if k == 2 else (f"2024-05-1{i % 9}", str(100 + i))
        rows.append(f"x{i},R{i % 3},{stage},{'Q' if k == 2 else 'P'},{closed},{value},2024-0{1 + i % 4}-0{1 + i % 9}\n")
    p = tmp / "deals.csv"
    p.write_text(TINY_HEADER + "".join(rows))
    return p, []


def test_the_suite_has_at_least_twenty_kinds_of_damage():
    assert len(CASES) >= 20


@case("placeholder_dates_long_ago", ("reason", "implausible_date", 2))
def _c_ancient(tmp):
    """A deal created on 1900-01-01 (a placeholder) stretched the history to 9,912 months, silently."""
    rows = clean_rows()
    opened = [i for i, r in enumerate(rows) if r[3] == "In_Progress"]
    rows[opened[0]][7] = "1900-01-01"
    rows[opened[1]][7] = "1917-11-07"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("typo_in_a_closed_stage", ("ok", lambda rep, out: "stage 'Wonn'" in out and "read as open pipeline" in out))
def _c_stage_typo(tmp):
    """A typo in a closed stage made those deals open pipeline, visible only in the stage summary."""
    rows = clean_rows()
    for i in _won_rows(rows)[:5]:
        rows[i][3] = "Wonn"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("latin1_names", ("ok", lambda rep, out: "cp1252" in out and "cp1251" not in out))
def _c_latin1(tmp):
    """Accented Latin names in Windows-1252 were read as Cyrillic Windows-1251."""
    rows = clean_rows()
    for r in rows[::3]:
        r[2] = "José Núñez"
    p = tmp / "deals.csv"
    p.write_bytes(csv_text(rows).encode("cp1252"))
    return p, []


@case("encoding_given_on_the_command_line", ("ok", lambda rep, out: "CSV, latin-1" in out))
def _c_encoding_flag(tmp):
    rows = clean_rows()
    p = tmp / "deals.csv"
    p.write_bytes(csv_text(rows).encode("latin-1"))
    return p, ["--encoding", "latin-1"]


@case("unknown_encoding_on_the_command_line", ("error", "unknown encoding 'nope'"))
def _c_encoding_bad(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    return p, ["--encoding", "nope"]


# ---- issue 17 and 19: rejections that would bend the fit, detection, mappings, workbooks, oversized fields
@case("excel_wrapped_amounts", ("ok", lambda rep, out: "bad_amount" not in out
                                and _scores(rep)["win_rate_fitted"] == pytest.approx(_win_rate(clean_rows()), abs=1e-4)))
def _c_excel_wrap(tmp):
    """Amounts written ="123" (Excel's keep-as-text wrapping): read as the number inside."""
    rows = clean_rows()
    for r in rows:
        if r[6]:
            r[6] = f'="{r[6]}"'
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("won_amounts_unreadable_are_kept", ("ok", lambda rep, out: "bad_amount" in out
                                          and _scores(rep)["win_rate_fitted"] == pytest.approx(
                                              _win_rate(clean_rows()), abs=1e-4)))
def _c_won_text(tmp):
    """Text in a third of the won deals' amounts: they still count as won (the win rate is the file's)."""
    rows = clean_rows()
    for i in _won_rows(rows)[::3]:
        rows[i][6] = "see contract"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("value_column_empty_everywhere", ("error", "pass --products PRICE_LIST"))
def _c_no_values(tmp):
    rows = clean_rows()
    for r in rows:
        r[6] = ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("value_column_empty_with_a_price_list", ("ok", lambda rep, out: "the price list's prices" in out
                                               and _scores(rep)["win_rate_fitted"] > 0))
def _c_no_values_prices(tmp):
    rows = clean_rows()
    for r in rows:
        r[6] = ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    pr = tmp / "products.csv"
    pr.write_text("product,sales_price\nGTXPro,5624\nMGRPFS,64\n")
    return p, ["--products", str(pr)]


@case("xlsx_data_on_the_second_sheet", ("ok", lambda rep, out: "read 'Deals'" in out))
def _c_xlsx_second(tmp):
    x = tmp / "deals.xlsx"
    with pd.ExcelWriter(x) as w:
        pd.DataFrame({"About": ["Exported by the CRM", "Do not edit"]}).to_excel(w, sheet_name="Info", index=False)
        pd.DataFrame(clean_rows(), columns=HEADER).to_excel(w, sheet_name="Deals", index=False)
    return x, []


@case("xlsx_two_sheets_none_known", ("error", "pass --sheet NAME"))
def _c_xlsx_unknown(tmp):
    x = tmp / "deals.xlsx"
    with pd.ExcelWriter(x) as w:
        pd.DataFrame({"a": range(5), "b": range(5)}).to_excel(w, sheet_name="One", index=False)
        pd.DataFrame({"c": range(5), "d": range(5)}).to_excel(w, sheet_name="Two", index=False)
    return x, []


@case("ten_megabyte_field", ("error", "row 12 (line 13)"))
def _c_huge_field(tmp):
    rows = clean_rows()
    rows[11][0] = '"' + "x" * 10_000_000 + '"'
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("created_column_named_otherwise", ("ok", lambda rep, out: "created <- 'engage_date' (by name)" in out))
def _c_engage(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows(), header=HEADER[:-1] + ["engage_date"]))
    return p, []


@case("mapping_file_names_one_column", ("ok", lambda rep, out: "created <- 'Opened'" in out))
def _c_partial_mapping(tmp):
    """A mapping file that names only the column detection cannot find: the rest is still detected."""
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows(), header=HEADER[:-1] + ["Opened"]))
    m = tmp / "map.toml"
    m.write_text('[columns]\ncreated = "Opened"\n')
    return p, ["--mapping", str(m)]


@case("map_flag_names_one_column", ("ok", lambda rep, out: "created <- 'When' (--map)" in out))
def _c_map_flag(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows(), header=HEADER[:-1] + ["When"]))
    return p, ["--map", "created=When"]


@case("map_flag_names_a_missing_column", ("error", "--map created: no column 'Nope'"))
def _c_map_missing(tmp):
    p = tmp / "deals.csv"
    p.write_text(csv_text(clean_rows()))
    return p, ["--map", "created=Nope"]


@case("stray_rows_years_later", ("reason", "date_outlier", 3))
def _c_stray(tmp):
    rows = clean_rows()
    for r in rows[:3]:
        r[3], r[5], r[6], r[7] = "Won", "2021-06-03", "1", "2021-06-01"
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


@case("open_deals_without_created_date", ("reason", "open_without_created", 5))
def _c_undated(tmp):
    rows = clean_rows()
    for i in [i for i, r in enumerate(rows) if r[3] == "In_Progress"][:5]:
        rows[i][7] = ""
    p = tmp / "deals.csv"
    p.write_text(csv_text(rows))
    return p, []


def _scores(rep):
    import json

    return json.loads((rep / "scores.json").read_text())


def _win_rate(rows) -> float:
    won = sum(1 for r in rows if r[3] == "Won")
    lost = sum(1 for r in rows if r[3] == "Lost")
    return won / (won + lost)


@pytest.mark.parametrize("name", sorted(CASES))
def test_damage_gives_a_clear_message_or_a_counted_rejection(name, tmp_path, capsys):
    make, expected = CASES[name]
    export, extra = make(tmp_path)
    rep = tmp_path / "report"
    backtest = "WITH_BACKTEST" in extra
    extra = [x for x in extra if x != "WITH_BACKTEST"]
    argv = ["calibrate", str(export), "--out", str(tmp_path / "s.toml"), "--report", str(rep),
            *([] if backtest else ["--no-backtest"]), "--as-of", "2024-12-31", *extra]
    code = main(argv)   # any exception other than a user error propagates and fails the test
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    # no number printed or written is nan or inf, whatever the damage
    assert_no_bad_numbers(out + err, rep, tmp_path / "s.toml")
    if expected[0] == "error":
        assert code == 2, out
        lines = err.strip().splitlines()
        assert len(lines) == 1 and expected[1] in lines[0], err
        return
    assert code == 0, err
    if expected[0] == "reason":
        s = pd.read_csv(rep / "validation_summary.csv")
        got = s.loc[s["reason"] == expected[1], "rows"]
        assert len(got) and int(got.iloc[0]) >= expected[2], s
        total = s.set_index("reason")["rows"]
        assert total["accepted"] + total["rejected"] == total["rows"]
        rows = pd.read_csv(rep / "validation_rows.csv", keep_default_na=False)
        flagged = rows[(rows["reason"] == expected[1]) | rows["notes"].str.contains(expected[1])]
        assert len(flagged) == int(got.iloc[0]) and flagged["row"].between(1, len(rows)).all()
    else:
        assert expected[1](rep, out), out

