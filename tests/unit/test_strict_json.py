"""What the command line writes as JSON is strict JSON: no NaN, Infinity or -Infinity."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from salessim.results import strict_json


def strict_loads(text: str):
    """Parse as a strict parser would (JavaScript's JSON.parse rejects NaN and Infinity)."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def test_non_finite_numbers_become_null():
    data = {"a": float("nan"), "b": float("-inf"), "c": np.float64("inf"), "d": [1.5, np.nan], "e": np.int64(3),
            "f": np.bool_(True), "g": dt.date(2027, 1, 1), "h": pd.NaT, "i": (np.float32(2.5),), 7: "key"}
    text = strict_json.dumps(data)
    assert strict_loads(text) == {"a": None, "b": None, "c": None, "d": [1.5, None], "e": 3, "f": True,
                                  "g": "2027-01-01", "h": None, "i": [2.5], "7": "key"}


def test_a_table_becomes_rows_without_nan():
    df = pd.DataFrame({"x": [1.0, np.nan, np.inf], "k": ["a", "b", None]})
    assert strict_json.records(df) == [{"x": 1.0, "k": "a"}, {"x": None, "k": "b"}, {"x": None, "k": None}]


def test_json_dumps_alone_would_not_be_strict():
    """Why the module exists: the standard library writes -Infinity, which strict parsers reject."""
    with pytest.raises(ValueError):
        strict_loads(json.dumps({"profit": -math.inf}))
