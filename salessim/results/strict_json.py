"""Strict JSON for everything the command line writes: no ``NaN``, ``Infinity`` or ``-Infinity``.

Python's :func:`json.dumps` writes non-finite floats as ``NaN``/``-Infinity``, which strict JSON
parsers (JavaScript's ``JSON.parse``, ``jq``, most other languages) reject. :func:`plain` turns a
result into plain JSON data, a value that is not a finite number becoming ``null`` (a metric that
is undefined, such as a win rate with no closed deal, or an interval from one replication);
:func:`dumps` writes it with ``allow_nan=False``, so a non-finite value that slipped through is an
error here rather than invalid JSON in a user's file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from typing import Any

import numpy as np


def plain(obj: Any) -> Any:
    """``obj`` as plain JSON data: dicts, lists, text, true/false, null and finite numbers only."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist())
    if isinstance(obj, (dt.date, dt.datetime)):
        return None if obj != obj else obj.isoformat()  # pandas' NaT is a datetime that is not itself
    try:  # pandas' missing values (NaT; pd.NA cannot even be compared) without importing pandas here
        if obj != obj:
            return None
    except (TypeError, ValueError):
        return None
    return str(obj)


def dumps(obj: Any, **kwargs: Any) -> str:
    """Strict JSON text of ``obj`` (non-finite numbers as ``null``)."""
    return json.dumps(plain(obj), allow_nan=False, **kwargs)


def records(frame: Any) -> list[dict[str, Any]]:
    """A pandas table as a list of row dicts, ready for :func:`dumps`."""
    return [plain(r) for r in frame.to_dict(orient="records")]
