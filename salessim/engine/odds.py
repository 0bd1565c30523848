"""Conversion probabilities scaled on the odds scale.

A stage's base probability ``p`` (for an average, ramped rep and an established product)
is adjusted by multiplying its odds: ``p' = p*m / (1 - p + p*m)``. With ``m = 1`` nothing
changes, ``m -> 0`` gives 0, and ``m > 1`` raises ``p`` without ever reaching 1. The
multiplier is the product of the rep's effectiveness (skill x ramp), the product's
familiarity, and the proposal-size factor.
"""

from __future__ import annotations


def scale(p: float, m: float) -> float:
    """``p`` with its odds multiplied by ``m`` (``0 <= p <= 1``, ``m >= 0``)."""
    if p <= 0.0 or m <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    pm = p * m
    return pm / (1.0 - p + pm)


def logit_sensitivity(probs: list[float]) -> float:
    """How far the log-odds of passing every stage moves per unit shift of each stage's log-odds.

    For stages passed with probabilities ``p_i`` (overall ``P = prod p_i``), shifting every
    stage's log-odds by ``z`` shifts ``logit P`` by about ``k z`` with
    ``k = sum(1 - p_i) / (1 - P)`` (the derivative at ``z = 0``). One uncertain stage gives
    ``k = 1``; 0 when every stage is certain. Used to turn a swing seen in a CRM export's won
    share into the same swing on each client decision of a scenario's funnel.
    """
    total = 1.0
    for p in probs:
        total *= p
    if total >= 1.0:
        return 0.0
    return sum(1.0 - p for p in probs) / (1.0 - total)
