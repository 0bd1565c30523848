"""Where each parameter's value comes from, and the range of values it can plausibly have.

A value the user's own data does not give is an *assumption*: a number the source documents
give, one fitted so the model reproduces a claim of theirs, one taken from a single anecdote,
or a plausible default. The registry (``registry/assumptions.toml`` beside this module) gives each
parameter, by dotted path, its :data:`KINDS` kind, a plausible range with a one-line reason,
and the switch it needs; a scenario's own ``[provenance]`` table overrides an entry (e.g.
``raise_deal_size`` says its threshold multiplier of 4 is an anecdote; a calibrated scenario
marks what it read from an export). :func:`assumptions_of` resolves them for a scenario:
what ``salessim show SCENARIO --assumptions`` lists and what ``salessim compare --robust``
varies.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from salessim.scenarios.files import get_path

if TYPE_CHECKING:  # pragma: no cover
    from salessim.scenarios.schema import Scenario

#: Kinds of provenance, and what each means for a reader.
KINDS = {
    "yours": "a fact of your business (enter your own)",
    "calibrated": "read from your CRM export",
    "documents": "a number the source documents give",
    "fitted": "fitted so the model reproduces a claim of the documents",
    "anecdote": "taken from one case in the documents",
    "assumed": "no source gives a number",
}
Kind = Literal["yours", "calibrated", "documents", "fitted", "anecdote", "assumed"]
#: Kinds that are assumptions: varied by a robustness check, labelled wherever a result rests on them.
ASSUMPTION_KINDS = ("documents", "fitted", "anecdote", "assumed")

REGISTRY_FILE = Path(str(resources.files("salessim.scenarios") / "registry" / "assumptions.toml"))


@dataclass(frozen=True)
class Provenance:
    """A registry entry (or a scenario's override): where a parameter's value comes from."""

    kind: Kind
    reason: str
    range: tuple[float, float] | None = None
    relative: bool = False
    when: str | None = None


@dataclass(frozen=True)
class Assumption:
    """One parameter of one scenario with its provenance resolved.

    ``low``/``high`` are in the parameter's unit (a relative range already multiplied by the
    scenario's value); ``None`` for the kinds that are not assumptions.
    """

    path: str
    value: Any
    kind: Kind
    reason: str
    low: float | None = None
    high: float | None = None
    integer: bool = False
    #: the registry pattern (or the scenario's own path) the provenance came from
    pattern: str = ""
    #: the range was given in multiples of the value (``low``/``high`` are already multiplied)
    relative: bool = False

    @property
    def is_assumption(self) -> bool:
        return self.kind in ASSUMPTION_KINDS


@cache
def registry() -> dict[str, Provenance]:
    """The registry of ``assumptions.toml``: path pattern -> :class:`Provenance`."""
    raw = tomllib.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    return {pattern: _entry(item) for pattern, item in raw.items()}


def _entry(item: dict[str, Any]) -> Provenance:
    rng = item.get("range")
    return Provenance(kind=item["kind"], reason=item.get("reason", ""),
                      range=(float(rng[0]), float(rng[1])) if rng is not None else None,
                      relative=bool(item.get("relative", False)), when=item.get("when"))


def matches(pattern: str, path: str) -> bool:
    """Does dotted ``path`` match ``pattern``? ``*`` is one step (a key or an index), ``**`` (last) any tail."""
    p, q = pattern.split("."), path.split(".")
    if p and p[-1] == "**":
        return len(q) >= len(p) and all(a in ("*", b) for a, b in zip(p[:-1], q))
    return len(p) == len(q) and all(a in ("*", b) for a, b in zip(p, q))


def _specificity(pattern: str) -> tuple[int, int]:
    parts = pattern.split(".")
    return (sum(1 for a in parts if a not in ("*", "**")), len(parts))


def provenance_of(path: str, overrides: dict[str, Provenance] | None = None) -> tuple[str, Provenance] | None:
    """``(pattern, provenance)`` of a parameter path: a scenario's override first, then the most
    specific registry pattern; None if neither has it."""
    for table in (overrides or {}), registry():
        found = [pat for pat in table if matches(pat, path)]
        if found:
            best = max(found, key=_specificity)
            return best, table[best]
    return None


def numeric_leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted path, value)`` of every number in a scenario's data (booleans, text and dates left out)."""
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += numeric_leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += numeric_leaves(v, f"{prefix}.{i}")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out.append((prefix, data))
    return out


def scenario_overrides(scenario: "Scenario") -> dict[str, Provenance]:
    """The scenario's own ``[provenance]`` table as :class:`Provenance` entries."""
    return {path: Provenance(kind=p.kind, reason=p.reason, range=tuple(p.range) if p.range else None,
                             relative=p.relative, when=p.when)
            for path, p in scenario.provenance.items()}


def assumptions_of(scenario: "Scenario") -> list[Assumption]:
    """Every number of ``scenario`` with its provenance, in the order of the scenario's parameters.

    Parameters of a switched-off mechanism (``when``) are left out: they cannot matter.
    Raises ``KeyError`` naming a parameter that has no provenance (a test keeps the registry whole).
    """
    data = scenario.to_dict()
    for key in ("provenance", "claim"):  # what the scenario says of itself, not parameters
        data.pop(key, None)
    over = scenario_overrides(scenario)
    out = []
    for path, value in numeric_leaves(data):
        found = provenance_of(path, over)
        if found is None:
            raise KeyError(f"no provenance for {path!r}: add it to {REGISTRY_FILE.name} or the scenario's [provenance]")
        pattern, prov = found
        if prov.when is not None and not get_path(data, prov.when):
            continue
        low = high = None
        if prov.kind in ASSUMPTION_KINDS and prov.range is not None and not (prov.relative and value == 0):
            low, high = prov.range
            if prov.relative:
                low, high = low * value, high * value
        out.append(Assumption(path, value, prov.kind, prov.reason, low, high, integer=isinstance(value, int),
                              pattern=pattern, relative=prov.relative))
    return out
