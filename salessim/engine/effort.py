"""How reps choose where to spend their free selling time.

Reps split the time left after meetings, pipeline work and inbound leads between
prospecting each product and contacting key clients. They lean towards what pays them
more per hour of effort, with bounded rationality: a softmax ("logit") choice rule whose
``temperature`` sets how sharply they follow pay. At temperature 0 everything goes to the
best-paid activity; as it grows the split tends to equal shares. Management may instead
impose a fixed mix (``effort_choice.forced_mix``).

Activities can be capped (a rep cannot contact more key clients than are due); time a
capped activity cannot use is split again among the others by the same rule.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence


def choice_shares(values: Sequence[float], temperature: float) -> list[float]:
    """Shares of time per activity from their pay per hour ``values`` (currency per hour).

    ``share_i = exp((v_i - v_max) / (temperature * v_max)) / sum_j(...)``: the temperature
    is relative to the best value, so the rule does not depend on the currency.
    """
    n = len(values)
    if n == 0:
        return []
    vmax = max(values)
    if vmax <= 0:
        return [1.0 / n] * n
    if temperature <= 0:
        best = [i for i, v in enumerate(values) if v == vmax]
        return [1.0 / len(best) if i in best else 0.0 for i in range(n)]
    w = [math.exp((v - vmax) / (temperature * vmax)) for v in values]
    total = sum(w)
    return [x / total for x in w]


def allocate(hours: float, caps: Sequence[float | None], shares_of: Callable[[list[int]], list[float]]) -> list[float]:
    """Split ``hours`` between activities, respecting ``caps`` (None = no cap).

    ``shares_of(open)`` gives the shares of the activities still open (indices into
    ``caps``). When an activity reaches its cap, the hours left are split again among the
    others by the same rule: a rep who has contacted every due key client chooses afresh
    between the products. If every activity is capped, the remainder stays unallocated.
    """
    n = len(caps)
    out = [0.0] * n
    open_ = [i for i in range(n) if (c := caps[i]) is None or c > 0]
    if len(open_) == 1:  # the common case: one activity left to choose
        i = open_[0]
        cap = caps[i]
        out[i] = hours if cap is None else min(hours, cap)
        return out
    remaining = hours
    while remaining > 1e-12 and open_:
        shares = shares_of(open_)
        total = sum(shares)
        if total <= 0:
            break
        give = {i: remaining * s / total for i, s in zip(open_, shares)}
        capped = [i for i in open_ if (c := caps[i]) is not None and give[i] >= c - out[i]]
        if not capped:
            for i in open_:
                out[i] += give[i]
            break
        for i in capped:
            cap = caps[i]
            assert cap is not None  # only capped activities get here
            room = cap - out[i]
            out[i] += room
            remaining -= room
            open_.remove(i)
    return out


def forced_shares(names: Sequence[str], mix: Mapping[str, float]) -> list[float]:
    """Shares imposed by management, in the order of ``names`` (missing names get 0)."""
    return [float(mix.get(n, 0.0)) for n in names]
