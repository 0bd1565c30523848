"""Mapping a CRM's stage names to the three outcomes salessim uses: won, lost, open.

Every distinct stage value in the export gets an outcome, with the rule that gave it, and
the mapping is reported (a table of stage, outcome, rule, number of deals) so a user can
check it and correct it in a mapping file. Rules, in order:

1. a mapping file's ``[stages]`` lists, then the preset's own stage names;
2. patterns for lost (``closed lost``, ``lost``, ``disqualified``, ``no decision``, ``cancelled``, ``провал``,
   ``не реализовано``, ``verloren``, ``perdu``, ``perdida``, ...) and won (``closed won``, ``won``, ``успешн``,
   ``gewonnen``, ``gagné``, ``ganada``, ...), in English, Russian, German, French, Spanish, Portuguese and
   Italian; then a stage that says closed and something else but not won ("Closed - No Decision") is lost;
3. a yes/no ``won_flag`` / ``closed_flag`` column, where the export has one (Salesforce,
   Bitrix24), overrides the stage name;
4. anything else is an open pipeline stage.

``deleted`` (Pipedrive) is its own outcome: such rows are rejected with that reason.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from salessim.calibration.presets import Preset, outcome_by_name
from salessim.calibration.readers import normalise_name

OUTCOMES = ("won", "lost", "open", "deleted")

_YES = {"yes", "y", "true", "1", "да", "д", "x", "истина"}
_NO = {"no", "n", "false", "0", "нет", "н", "ложь", ""}


@dataclass
class StageMap:
    """The outcome of each distinct stage value, and why."""

    table: pd.DataFrame       # stage, outcome, rule, deals

    def describe(self) -> str:
        parts = [f"{r.stage!r} -> {r.outcome} ({r.deals:,})" if r.rule != "open stage with a lost reason" else
                 f"{r.stage!r} with a lost reason -> lost ({r.deals:,})" for r in self.table.itertuples()]
        return "; ".join(parts)

    def doubts(self) -> list[str]:
        """Stages read as open pipeline whose names look like a won or lost stage (a typo such
        as 'Wonn', or 'Closed-Lsot'): the deals would count as open, silently."""
        t = self.table
        if t.attrs.get("flags"):   # yes/no Won / Closed columns decide the outcome, not the stage's name
            return []

        def bare(v: str) -> str:   # without a bracketed pipeline or probability: "Contract sent (Sales Pipeline)"
            return re.sub(r"\s*[(\[][^)\]]*[)\]]", "", normalise_name(v)).strip()
        closed = {bare(v): o for v, o in zip(t["stage"], t["outcome"]) if o in ("won", "lost")}
        vocab = {**{k: "won" for k in ("won", "closed won", "win")},
                 **{k: "lost" for k in ("lost", "closed lost", "loss")}, **closed}
        out = []
        for r in t[t["rule"] == "other stage: open pipeline"].itertuples():
            close = difflib.get_close_matches(bare(r.stage), list(vocab), n=1, cutoff=0.75)
            if close:
                out.append(f"stage {r.stage!r} ({r.deals:,} deals) was read as open pipeline, but its name is close "
                           f"to {close[0]!r} ({vocab[close[0]]}); if those deals are closed, list the stage under "
                           f"[stages] {vocab[close[0]]} in a mapping file (--mapping)")
        return out


def classify(value: str, preset: Preset | None, extra: dict[str, Sequence[str]] | None) -> tuple[str, str]:
    """Outcome of one stage value and the rule that gave it."""
    key = normalise_name(value)
    for outcome in OUTCOMES:
        for name in (extra or {}).get(outcome, ()):
            if normalise_name(name) == key:
                return outcome, "mapping file"
    if preset is not None:
        for outcome in OUTCOMES:
            for name in preset.stage_names.get(outcome, ()):
                if normalise_name(name) == key:
                    return outcome, f"preset {preset.name}"
    return outcome_by_name(key) or ("open", "other stage: open pipeline")


def flag(value: Any) -> bool | None:
    """A yes/no cell: True, False, or None when it is not a yes/no value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = normalise_name(value)
    if s in _YES:
        return True
    if s in _NO:
        return False
    return None


def map_stages(stages: Sequence[str], preset: Preset | None = None,
               extra: dict[str, Sequence[str]] | None = None,
               won_flag: Sequence[Any] | None = None, closed_flag: Sequence[Any] | None = None,
               lost_reason: Sequence[Any] | None = None) -> tuple[np.ndarray, StageMap]:
    """Outcome of every row (an array of 'won' / 'lost' / 'open' / 'deleted' / '' for empty) and the mapping table.

    ``lost_reason``: a deal at an open stage with a lost reason is lost (Odoo keeps a lost deal in its stage,
    archived, with the reason); the count is ``table.attrs["lost_by_reason"]``."""
    values = [s.strip() if isinstance(s, str) else ("" if s is None else str(s)) for s in stages]
    uniq = sorted(set(v for v in values if v))
    rule = {v: classify(v, preset, extra) for v in uniq}
    out = np.array([rule[v][0] if v else "" for v in values], dtype=object)
    overridden = 0
    has_flags = won_flag is not None or closed_flag is not None
    if has_flags:
        n = len(values)
        wf = [flag(x) for x in won_flag] if won_flag is not None else [None] * n
        cf = [flag(x) for x in closed_flag] if closed_flag is not None else [None] * n
        for i in range(n):
            if not values[i] or out[i] == "deleted":
                continue
            new = out[i]
            if cf[i] is False:
                new = "open"
            elif wf[i] is True:
                new = "won"
            elif wf[i] is False and (cf[i] is True or out[i] == "won"):
                new = "lost"
            if new != out[i]:
                out[i] = new
                overridden += 1
    by_reason: dict[str, int] = {}
    if lost_reason is not None:
        for i, r in enumerate(lost_reason):
            txt = r.strip() if isinstance(r, str) else ("" if r is None else str(r))
            if out[i] == "open" and txt and flag(txt) is not False and txt not in ("-", "--", "n/a", "N/A"):
                out[i] = "lost"
                by_reason[values[i]] = by_reason.get(values[i], 0) + 1
    counts = pd.Series(values)[pd.Series(values) != ""].value_counts()
    rows = []
    for v in uniq:
        outcome, why = rule[v]
        rows.append({"stage": v, "outcome": outcome, "rule": why, "deals": int(counts.get(v, 0))})
    table = pd.DataFrame(rows, columns=["stage", "outcome", "rule", "deals"])
    if by_reason:
        extra = [{"stage": v, "outcome": "lost", "rule": "open stage with a lost reason", "deals": k}
                 for v, k in sorted(by_reason.items())]
        table = pd.concat([table.assign(deals=[int(d) - by_reason.get(st, 0) for st, d in zip(table["stage"],
                                                                                           table["deals"])]),
                           pd.DataFrame(extra)], ignore_index=True)
        table = table[table["deals"] > 0].reset_index(drop=True)
        table.attrs["lost_by_reason"] = sum(by_reason.values())
    if overridden:
        table.attrs["flag_overrides"] = overridden
    if has_flags:
        table.attrs["flags"] = True
    return out, StageMap(table)
