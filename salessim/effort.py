"""How reps choose where to spend their free selling time.

Reps split the time left after meetings, pipeline work and inbound leads between
prospecting each product and contacting key clients. They lean towards what pays them
more per hour of effort, with bounded rationality: a softmax ("logit") choice rule whose
``temperature`` sets how sharply they follow pay. At temperature 0 everything goes to the
best-paid activity; as it grows the split tends to equal shares. Management may instead
impose a fixed mix (``effort_choice.forced_mix``).

Activities can be capped (a rep cannot contact more key clients than are due); time a
capped activity cannot use flows to the others in proportion to their shares.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence


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


def allocate(hours: float, shares: Sequence[float], caps: Sequence[float | None]) -> list[float]:
    """Split ``hours`` by ``shares``, respecting ``caps`` (None = no cap).

    Hours a capped activity cannot use are given to the uncapped ones in proportion to
    their shares; if every activity is capped, the remainder is left unallocated.
    """
    n = len(shares)
    out = [0.0] * n
    open_ = [i for i in range(n) if shares[i] > 0 and (caps[i] is None or caps[i] > 0)]
    remaining = hours
    while remaining > 1e-12 and open_:
        total = sum(shares[i] for i in open_)
        if total <= 0:
            break
        capped_now = []
        for i in open_:
            give = remaining * shares[i] / total
            room = None if caps[i] is None else caps[i] - out[i]
            if room is not None and give >= room:
                capped_now.append((i, room))
        if not capped_now:
            for i in open_:
                out[i] += remaining * shares[i] / total
            remaining = 0.0
            break
        for i, room in capped_now:
            out[i] += room
            remaining -= room
            open_.remove(i)
    return out


def forced_shares(names: Sequence[str], mix: Mapping[str, float]) -> list[float]:
    """Shares imposed by management, in the order of ``names`` (missing names get 0)."""
    return [float(mix.get(n, 0.0)) for n in names]
