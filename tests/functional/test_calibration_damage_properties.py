"""Property test: the sample export damaged in random ways never breaks calibration, and never bends it.

Hypothesis draws damages (cell edits, a text encoding, quoting, Excel's ="..." wrapping, a deleted
column, another delimiter) and applies them to a seeded 600-row piece of the shared sample export.
For every damaged file, calibration either stops with one :class:`UserError` line, or:

* every data row is accounted for (accepted + rejected = rows, each row once in the verdicts);
* the fitted win rate lies within 0.02 of the win rate of the rows that survived validation.

The normal suite runs ``SALESSIM_MUTATIONS`` examples (default 12, well under a minute); a nightly run
sets it to 1,000 or more (``SALESSIM_MUTATIONS=1000 .venv/bin/python -m pytest
tests/functional/test_calibration_damage_properties.py``). How many ran is reported as a warning in the test output.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim.calibration import calibrate
from salessim.errors import UserError
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "sales_pipeline.csv").exists(),
                                reason=f"the sample CRM export is not at {SHARED_DATA}")

MUTATIONS = int(os.environ.get("SALESSIM_MUTATIONS", "12"))
RUN = {"n": 0, "stopped": 0}


class MutationCount(UserWarning):
    """Carries the number of damaged exports the property test ran (shown in the warnings summary)."""


@pytest.fixture(scope="module")
def piece() -> pd.DataFrame:
    raw = pd.read_csv(SHARED_DATA / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    return raw.sample(600, random_state=7).sort_values("created_on").reset_index(drop=True)


@pytest.fixture(scope="module", autouse=True)
def report_count():
    yield
    warnings.warn(MutationCount(f"damage property test: {RUN['n']} mutations run ({RUN['stopped']} stopped with "
                                "one line)"))


CELL_VALUES = ["", "N/A", "garbage", "-5", "1e999", "2099-01-01", "1900-01-01", '="123"', "  WON ", "lost",
               "(300)", "1.234,50", "31/02/2017", "x" * 2000, "Ünïcödé", "0"]

damage = st.fixed_dictionaries({
    "edits": st.lists(st.tuples(st.integers(0, 599), st.integers(0, 7), st.sampled_from(CELL_VALUES)), max_size=40),
    "encoding": st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    "delimiter": st.sampled_from([",", ";", "\t"]),
    "quote_all": st.booleans(),
    "stray_quote": st.one_of(st.none(), st.integers(0, 599)),
    "excel_wrap": st.sampled_from([None, "close_value", "opportunity_id", "close_date"]),
    "drop_column": st.one_of(st.none(), st.integers(0, 7)),
})


def damaged_file(piece: pd.DataFrame, d: dict, path) -> int:
    """Write ``piece`` with damage ``d``; return the number of data records written."""
    df = piece.copy()
    for r, c, v in d["edits"]:
        df.iat[r, c] = v
    if d["excel_wrap"] and d["excel_wrap"] in df:
        col = d["excel_wrap"]
        df[col] = [f'="{x}"' if x else x for x in df[col]]
    if d["drop_column"] is not None:
        df = df.drop(columns=df.columns[d["drop_column"]])
    sep = d["delimiter"]
    lines = []
    for row in [list(df.columns), *df.to_numpy().tolist()]:
        cells = []
        for x in row:
            x = str(x)
            if d["quote_all"] or sep in x or '"' in x:
                x = '"' + x.replace('"', '""') + '"'
            cells.append(x)
        lines.append(sep.join(cells))
    if d["stray_quote"] is not None:
        k = 1 + d["stray_quote"]
        lines[k] = '"' + lines[k]
    text = "\n".join(lines) + "\n"
    try:
        data = text.encode(d["encoding"])
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    return len(df)


@settings(max_examples=MUTATIONS, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(d=damage)
def test_damage_never_breaks_or_bends_calibration(piece, tmp_path, d):
    RUN["n"] += 1
    path = tmp_path / "damaged.csv"
    damaged_file(piece, d, path)
    try:
        cal = calibrate(path, as_of=pd.Timestamp("2017-12-31").date())
    except UserError as e:                       # a clear stop: one line naming the problem
        RUN["stopped"] += 1
        assert "\n" not in str(e) and str(e).strip()
        return
    v = cal.validated
    # every row accounted for, once
    assert v.n_accepted + v.n_rejected == v.n_rows
    assert sorted(v.verdicts["row"]) == list(range(1, v.n_rows + 1))
    s = v.summary.set_index(["verdict", "reason"])["rows"]
    assert s[("total", "accepted")] + s[("total", "rejected")] == v.n_rows
    # the fit is not bent: the fitted win rate is the surviving rows'
    d_ = v.deals
    won, lost = int((d_["outcome"] == "won").sum()), int((d_["outcome"] == "lost").sum())
    assert abs(cal.fit.overall_win_rate() - won / (won + lost)) < 0.02
    assert np.isfinite(cal.fit.overall_win_rate())
