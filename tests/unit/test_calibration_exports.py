"""Shapes of real CRM exports that broke the calibration's reading, each checked on the unit that reads it:
stage names in other languages and custom lost stages, month names in other languages, dates with a zone,
Excel's accounting zero and whole amounts grouped with points, Windows-1252 euro signs, a status beside a
pipeline stage, yes/no Won / Closed columns, won and lost dates, lost reasons, stage-history exports, rep names
written differently from the teams table. ``tests/functional/test_calibration_corpus.py`` runs whole files of
these shapes through the command line."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.calibration.readers import (
    decode,
    parse_amounts,
    parse_date_cells,
    resolve_date_order,
    to_dates,
)


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
