"""Does a verdict hold across the plausible values of the assumptions it rests on?

A comparison's verdict ("15 reps under one head sell less than the 7 did") is computed with
the scenarios' assumed values: numbers from the source documents, values fitted to reproduce
one of their claims, one anecdote, plausible defaults (:mod:`salessim.scenarios.provenance`).
The verdict is a :class:`Claim` about one KPI: the one a built-in scenario carries from the
documents (its ``[claim]`` table), one the user states, or the sign of the main KPI's paired
difference. This module varies the assumptions over their plausible ranges and reports what
the claim rests on, working on its *margin* (the compared quantity minus its threshold):

1. **Screening** (Morris elementary effects, SALib, on the claim's margin):
   the assumptions are screened in groups of related parameters (the attention curve, the
   funnel's odds, clients' decision times, ...), ``trajectories`` Morris trajectories of
   ``screen_n`` paired replications per point. A group whose effect (``mu_star`` plus its
   confidence half-width) reaches :data:`MATTERS` of the margin is screened in (at most
   :data:`MAX_GROUPS`, the strongest).
2. **One at a time**: each member of a screened-in group is set to the low and the high end of
   its range, the others at their values, with ``screen_n`` paired replications. A member at one
   end of which the claim turns is a candidate; one that moves the claim's margin by at least
   :data:`MATTERS` of its size without turning it *matters*; the rest, with the groups screened
   out, *do not matter* for this question.
3. **Where it turns**: for each candidate, the margin is computed on a grid over the range
   (``n`` replications each); where the grid's means cross the threshold the assumption
   *decides* the claim: the crossing is found by linear interpolation, and its 95% interval by
   Fieller's theorem on a line fitted to the points around it (the points share their
   replications, common random numbers, so their covariance enters). A candidate whose grid
   does not cross *matters*.
4. **How much of the space agrees**: ``holds_points`` points of a Latin hypercube over every
   assumption's range at once, ``screen_n`` replications each; the share whose difference has
   the verdict's sign, with a Wilson 95% interval.

Assumptions that are the same in both scenarios are set to the same value in both (the
question stays the same); an assumption only the variant makes (the trained threshold of
``raise_deal_size``) is varied in the variant. Values that differ between the scenarios and
are yours (the headcount, the scheme) are the decision and stay as they are.

Every run goes through the one runner (:func:`salessim.runs.experiment.run_points`) with the
same master seed, so the result is the same serially, in parallel or on a cluster.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.sample import latin as latin_sampling
from SALib.sample import morris as morris_sampling
from scipy import stats

from salessim.analyses.compare import paired_difference
from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, whole_number
from salessim.runs.experiment import Point, Runner, check_metrics, run_points
from salessim.scenarios.files import get_path, load_scenario, scenario_data, with_overrides
from salessim.scenarios.parameters import parameter_label
from salessim.scenarios.provenance import KINDS, Assumption, assumptions_of
from salessim.scenarios.schema import Scenario

#: Share of the verdict's difference an assumption must move it by to matter (screening and one at a time).
MATTERS = 0.25
#: Most groups screened in for the one-at-a-time stage (the strongest first).
MAX_GROUPS = 4
#: Grid points over a deciding assumption's range (both ends and the scenario's value included).
GRID = 5
#: Most candidates whose turning point is located (the strongest first; the others are listed as turning it).
MAX_FLIPS = 4

#: Screening groups: (label, path prefixes or patterns); the first that matches a path wins.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("how reps respond to supervision", ("supervision.intensity_floor", "supervision.attention_threshold",
                                         "supervision.recovery_per_day", "supervision.decay_per_day")),
    ("the head's time", ("supervision.",)),
    ("ramp and turnover", ("people.",)),
    ("the funnel's odds", ("products.*.funnel.",)),
    ("clients' decision times", ("products.*.delays_days.",)),
    ("deal sizes", ("products.*.deal_size.", "deal_size.ask_spread", "deal_size.reference", "deal_size.win_elasticity",
                    "deal_size.cycle_elasticity", "team.reps.*.threshold")),
    ("training", ("deal_size.training.",)),
    ("hours per task", ("products.*.effort_hours.", "activity.meeting_hours", "activity.travel_hours",
                        "activity.first_contact_minutes", "activity.admin_share")),
    ("key clients", ("key_clients.", "activity.client_contact_hours", "team.reps.*.key_clients")),
    ("the market and its leads", ("products.*.market_size", "prospecting.", "lead_sources.")),
    ("meeting and contact rules", ("activity.",)),
    ("a new group's uptake", ("products.*.familiarity", "products.*.stall_share")),
    ("back office", ("back_office.",)),
    ("how reps choose their work", ("effort_choice.", "pay.")),
    ("the market's mood", ("market_mood.",)),
    ("costs", ("costs.",)),
    ("differences between reps", ("team.reps.*.skill_spread",)),
    ("lost-deal review", ("lost_review.",)),
)


def group_of(path: str) -> str:
    """The screening group of a parameter path (see :data:`GROUPS`; ``*`` is any key or index).

    A prefix that ends in ``.`` matches the paths under it; one that does not matches paths
    whose last named step starts with it (``team.reps.*.threshold`` takes ``threshold_spread``).
    """
    parts = path.split(".")
    for name, prefixes in GROUPS:
        for prefix in prefixes:
            pat = prefix.rstrip(".").split(".")
            if len(parts) < len(pat) or not all(a in ("*", b) for a, b in zip(pat[:-1], parts)):
                continue
            last, step = pat[-1], parts[len(pat) - 1]
            if (prefix.endswith(".") and last in ("*", step)) or (not prefix.endswith(".") and step.startswith(last)):
                return name
    return parts[0]


@dataclass(frozen=True)
class Factor:
    """One assumption a robustness check varies, set in one or several paths of the two scenarios.

    Paths that share a registry entry and a value are one assumption (the threshold spread of
    every rep group; a product's booking rate where the variant's new product copies it). With a
    ``relative`` range, ``low``/``high``/``value`` are multiples of each path's own value (the
    inbound rates of every lead source scaled together); otherwise they are in the parameter's unit.
    ``base_paths`` / ``variant_paths``: ``(path, its value)`` set in each scenario (an assumption
    only the variant makes has no base path).
    """

    name: str
    kind: str
    low: float
    high: float
    value: float
    relative: bool
    integer: bool
    base_paths: tuple[tuple[str, Any], ...]
    variant_paths: tuple[tuple[str, Any], ...]
    reason: str
    group: str

    @property
    def where(self) -> str:
        """``"both"`` or ``"variant"``: which scenarios the assumption is set in."""
        return "both" if self.base_paths else "variant"

    def at(self, u: float) -> float:
        """The factor's value at ``u`` in [0, 1] of its range (whole numbers for whole-number parameters)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.integer and not self.relative:
            return int(min(self.low + math.floor(u * (self.high - self.low + 1)), self.high))
        return float(self.low + u * (self.high - self.low))

    def settings(self, x: float) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(base values, variant values)`` by path for the factor's value ``x``."""
        def one(path_values: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
            out = {}
            for path, own in path_values:
                v = own * x if self.relative else x
                out[path] = int(round(v)) if isinstance(own, int) else float(v)
            return out
        return one(self.base_paths), one(self.variant_paths)


def factors(base: Scenario, variant: Scenario) -> list[Factor]:
    """The assumptions of a comparison, with their ranges (see the module docs)."""
    def usable(sc: Scenario) -> list[Assumption]:
        return [a for a in assumptions_of(sc)
                if a.is_assumption and a.low is not None and a.high is not None and a.low < a.high]

    def key(a: Assumption) -> tuple:
        return (a.pattern, a.kind, a.relative) if a.relative else (a.pattern, a.kind, False, a.low, a.high, a.value)

    found: dict[tuple, dict[str, list[Assumption]]] = {}
    for a in usable(variant):
        found.setdefault(key(a), {"base": [], "variant": []})["variant"].append(a)
    for a in usable(base):
        if key(a) in found:
            found[key(a)]["base"].append(a)
    out = []
    for k, sides in found.items():
        first = sides["variant"][0]
        name = _common_name(sorted({a.path for side in sides.values() for a in side}))
        if any(f.name == name for f in out):
            name = f"{name}={first.value:g}"
        integer = all(a.integer for a in sides["variant"])
        relative = first.relative and len({a.value for side in sides.values() for a in side}) > 1
        if relative:  # paths with different values scaled together: the factor is a multiple of each
            low, high, value = first.low / first.value, first.high / first.value, 1.0
        else:
            low, high, value = first.low, first.high, first.value
            if integer:
                low, high = int(round(low)), int(round(high))
                if not low < high:
                    continue
        out.append(Factor(name, first.kind, low, high, value, relative, integer,
                          tuple((a.path, a.value) for a in sides["base"]),
                          tuple((a.path, a.value) for a in sides["variant"]), first.reason, group_of(first.path)))
    return out


def _common_name(paths: Sequence[str]) -> str:
    """The paths as one name: steps they share kept, the others ``*`` (``products.*.funnel.booking_rate``)."""
    split = [p.split(".") for p in paths]
    if len({len(p) for p in split}) != 1:
        return paths[0]
    return ".".join(steps[0] if len(set(steps)) == 1 else "*" for steps in zip(*split))


def _apply(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` with ``values`` set; a share of a forced mix rescales the others so the mix sums to 1."""
    if not values:
        return scenario
    plain: dict[str, Any] = {}
    mix_prefix = "effort_choice.forced_mix."
    mix_values = {k[len(mix_prefix):]: v for k, v in values.items() if k.startswith(mix_prefix)}
    if mix_values:
        mix = dict(get_path(scenario_data(scenario), "effort_choice.forced_mix"))
        rest = [k for k in mix if k not in mix_values]
        fixed = sum(mix_values.values())
        others = sum(mix[k] for k in rest)
        new = {k: float(v) for k, v in mix_values.items()}
        for k in rest:
            new[k] = (1.0 - fixed) * (mix[k] / others if others > 0 else 1.0 / len(rest))
        plain["effort_choice.forced_mix"] = new
    plain.update({k: v for k, v in values.items() if not k.startswith(mix_prefix)})
    return with_overrides(scenario, plain)


@dataclass(frozen=True)
class Claim:
    """A verdict to check: a statement about one KPI of a comparison.

    ``compare="difference"``: the paired difference (variant minus base) of ``kpi`` against
    ``threshold`` (the KPI's unit; with ``relative``, a share of the base's mean: ``1.0`` means
    the variant doubles it). ``compare="level"``: the variant's own mean against ``threshold``.
    The claim holds where the compared quantity is above (``op=">"``) or below (``"<"``) it.
    """

    kpi: str
    op: str
    threshold: float = 0.0
    compare: str = "difference"
    relative: bool = False
    text: str = ""

    @classmethod
    def of(cls, spec: Any) -> "Claim":
        """From a scenario's ``[claim]`` table (:class:`salessim.scenarios.schema.ClaimSpec`)."""
        return cls(spec.kpi, spec.op, float(spec.threshold), spec.compare, bool(spec.relative), spec.text)

    @classmethod
    def parse(cls, text: str) -> "Claim":
        """``"revenue < 0"``, ``"revenue > +100%"`` (a share of the base's mean) or
        ``"key_clients_lost_share > 0.3 level"`` (the variant's own value)."""
        words = text.replace(">", " > ").replace("<", " < ").split()
        level = bool(words) and words[-1] == "level"
        if level:
            words = words[:-1]
        if len(words) != 3 or words[1] not in (">", "<"):
            raise UserError(f"expected KPI > VALUE or KPI < VALUE (e.g. 'revenue < 0', 'revenue > +100%', "
                            f"'key_clients_lost_share > 0.3 level'), got {text!r}", field="claim")
        kpi, op, value = words
        relative = value.endswith("%")
        try:
            threshold = float(value.rstrip("%")) / (100.0 if relative else 1.0)
        except ValueError:
            raise UserError(f"expected a number (or a percentage of the base), got {value!r}", field="claim") from None
        if not math.isfinite(threshold):
            raise UserError(f"expected a finite number, got {value!r}", field="claim")
        if level and relative:
            raise UserError("a level is compared with a number, not a percentage", field="claim")
        return cls(kpi, op, threshold, "level" if level else "difference", relative, text.strip())

    def quantity(self, b: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per replication: the compared quantity minus the threshold (the claim holds where it has the op's sign)."""
        if self.compare == "level":
            return v - self.threshold
        return v - b - (self.threshold * b if self.relative else self.threshold)

    def holds(self, y: float) -> bool:
        return y > 0 if self.op == ">" else y < 0

    @property
    def sign(self) -> float:
        return 1.0 if self.op == ">" else -1.0

    def describe(self) -> str:
        """The claim as a formula: ``revenue: variant - base < 0``."""
        if self.compare == "level":
            return f"{self.kpi} of the variant {self.op} {self.threshold:g}"
        t = f"{self.threshold:+.0%} of the base" if self.relative else f"{self.threshold:g}"
        return f"{self.kpi}: variant - base {self.op} {t}"


@dataclass
class Flip:
    """Where a deciding assumption flips the verdict.

    ``flips_at`` is the value at which the main KPI's mean paired difference crosses zero, with
    its 95% interval ``low``/``high`` (bootstrap over replications; ``None`` where the bootstrap's
    crossing falls outside the range). ``side`` is ``"above"`` or ``"below"``: the verdict turns
    when the assumption is above (below) ``flips_at``. ``curve``: the grid's values with the mean
    difference and its 95% interval at each.
    """

    parameter: str
    provenance: str
    range: tuple[float, float]
    value: float
    flips_at: float
    low: float | None
    high: float | None
    side: str
    curve: pd.DataFrame = field(repr=False)
    #: the values are multiples of each path's own value (paths with different values scaled together)
    relative: bool = False


@dataclass
class Robustness:
    """The result of :func:`robustness` (money in the scenarios' currency)."""

    base: str
    variant: str
    claim: Claim
    currency: str
    holds: bool
    margin: float
    margin_low: float
    margin_high: float
    n: int
    screen_n: int
    holds_share: float
    holds_low: float
    holds_high: float
    holds_points: int
    flips: list[Flip]
    matters: list[str]
    not_deciding: list[str]
    factors: list[Factor] = field(repr=False)
    screening: pd.DataFrame = field(repr=False)
    one_at_a_time: pd.DataFrame = field(repr=False)
    runs: int = 0
    seconds: float = 0.0
    #: assumptions that turn the claim at an end of their range, beyond the :data:`MAX_FLIPS` located
    unlocated: list[str] = field(default_factory=list)

    def label(self, path: str) -> str:
        """A parameter's name in words, with its unit."""
        return parameter_label(path, self.currency)

    def sentences(self) -> list[str]:
        """The claim, whether it holds, what it rests on and where it turns, in plain words."""
        c = self.claim
        unit = _unit(c, self.currency)
        now = "holds" if self.holds else "does not hold"
        sure = ("" if (self.margin_low > 0) == (self.margin_high > 0)
                else " (not significantly: the interval crosses the threshold)")
        out = [f"Claim: {c.text} ({c.describe()}).",
               f"With the scenarios' values it {now}{sure}: the {_quantity(c)} is {_fmt(self.margin, signed=True)} "
               f"[{_fmt(self.margin_low, signed=True)}, {_fmt(self.margin_high, signed=True)}]{unit} from the threshold "
               f"({self.n} paired replications).",
               f"It {now} in {self.holds_share:.0%} [{self.holds_low:.0%}, {self.holds_high:.0%}] of the plausible "
               f"assumption space ({self.holds_points} points varying all {len(self.factors)} assumptions at once)."]
        for f in self.flips:
            ci = (f"[{_fmt(f.low)}, {_fmt(f.high)}]" if f.low is not None and f.high is not None
                  else "(its interval reaches the end of the range)")
            x = "x" if f.relative else ""
            scaled = " (multiples of each one's value)" if f.relative else ""
            out.append(f"It turns if {self.label(f.parameter)}{scaled} ({KINDS[f.provenance]}; now {x}{_fmt(f.value)}, "
                       f"plausible {x}{_fmt(f.range[0])} to {x}{_fmt(f.range[1])}) is {f.side} {x}{_fmt(f.flips_at)} {ci}.")
        if self.unlocated:
            out.append("These also turn it within their plausible range (where, was not located): "
                       + ", ".join(self.label(p) for p in self.unlocated) + ".")
        if not self.flips and not self.unlocated:
            out.append("No single assumption turns it within its plausible range.")
        if self.matters:
            out.append("Move it, but do not turn it alone: " + ", ".join(self.label(p) for p in self.matters) + ".")
        out.append("Do not matter for this question: " + ", ".join(self.not_deciding) + ".")
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: ``parameters`` (the deciding assumptions with where they turn) and ``holds_share``."""
        c = self.claim
        return {
            "claim": {"text": c.text, "kpi": c.kpi, "compare": c.compare, "op": c.op, "threshold": c.threshold,
                      "relative": c.relative},
            "holds": self.holds, "margin": _num(self.margin), "margin_interval": [_num(self.margin_low),
                                                                                   _num(self.margin_high)],
            "n": self.n, "holds_share": _num(self.holds_share),
            "holds_interval": [_num(self.holds_low), _num(self.holds_high)], "holds_points": self.holds_points,
            "parameters": [{"parameter": f.parameter, "provenance": f.provenance, "range": list(f.range),
                            "value": f.value, "flips_at": _num(f.flips_at), "low": _num(f.low), "high": _num(f.high),
                            "side": f.side, "relative": f.relative} for f in self.flips],
            "also_turning": list(self.unlocated), "matters": list(self.matters),
            "not_deciding": list(self.not_deciding),
            "assumptions_varied": len(self.factors), "runs": self.runs, "seconds": round(self.seconds, 1),
        }


def _quantity(c: Claim) -> str:
    if c.compare == "level":
        return f"variant's {c.kpi.replace('_', ' ')}"
    return f"difference in {c.kpi.replace('_', ' ')}"


def _unit(c: Claim, currency: str) -> str:
    return f" {currency}" if _is_money(c.kpi) else ""


def _num(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _is_money(metric: str) -> bool:
    return metric in ("profit", "revenue", "gross_margin", "payroll", "salaries", "variable_pay", "avg_deal")


def _fmt(v: float | None, signed: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    sign = "+" if signed and v > 0 else ""
    if abs(v) >= 1000:
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:.3g}"


# --------------------------------------------------------------------------- running points
class _Design:
    """Design points (assumption values) evaluated as paired runs of base and variant."""

    def __init__(self, base: Scenario, variant: Scenario, fs: list[Factor], seed: int, runner: Runner,
                 main_kpi: str):
        self.base, self.variant, self.factors, self.seed, self.runner = base, variant, fs, seed, runner
        self.main_kpi = main_kpi
        self.claim = Claim(main_kpi, ">")
        self.by_path = {f.name: f for f in fs}

    def scenarios(self, values: Mapping[str, float]) -> tuple[Scenario, Scenario]:
        """The two scenarios with the factors (by name) at ``values``."""
        on_base: dict[str, Any] = {}
        on_variant: dict[str, Any] = {}
        for name, x in values.items():
            b, v = self.by_path[name].settings(x)
            on_base.update(b)
            on_variant.update(v)
        try:
            return _apply(self.base, on_base), _apply(self.variant, on_variant)
        except UserError as e:
            raise UserError(f"an assumption's plausible value is not a valid scenario ({e.message}); fix its range in "
                            f"the registry or the scenario's [provenance]", source=e.source, field=e.field) from None

    def runs(self, designs: Sequence[Mapping[str, float]], reps: int) -> tuple[np.ndarray, np.ndarray]:
        """The KPI of base and variant per design point and replication (0 .. reps-1), each (points, reps)."""
        points = []
        for i, values in enumerate(designs):
            b, v = self.scenarios(values)
            points += [Point(f"{i}:base", b, {}, self.seed), Point(f"{i}:variant", v, {}, self.seed)]
        table = run_points(points, reps, runner=self.runner, kind="robustness", desc="robustness")
        y = table[self.main_kpi].to_numpy(dtype=float).reshape(len(designs), 2, reps)
        return y[:, 0, :], y[:, 1, :]

    def diffs(self, designs: Sequence[Mapping[str, float]], reps: int) -> np.ndarray:
        """Per design point and replication: the claim's quantity minus its threshold."""
        b, v = self.runs(designs, reps)
        return self.claim.quantity(b, v)


def robustness(base: Scenario | str, variant: Scenario | str, *, claim: Claim | str | None = None,
               main_kpi: str = "profit", n: int = 4, screen_n: int = 2, trajectories: int = 2,
               holds_points: int = 24, seed: int = 0, overrides: Mapping[str, Any] | None = None,
               workers: int | None = None, scheduler: Any = None, progress: bool | None = None,
               level: float = 0.95) -> Robustness:
    """How far a comparison's verdict holds across the plausible values of its assumptions.

    Parameters
    ----------
    base, variant:
        The scenarios compared (objects, built-in names or files).
    claim:
        The verdict to check: a :class:`Claim` or its text (``"revenue < 0"``, ``"revenue > +100%"``,
        ``"key_clients_lost_share > 0.3 level"``). Default: the variant's own ``[claim]`` (what
        the documents say it shows) if it is made against ``base``, else the sign of ``main_kpi``'s
        paired difference as the scenarios' values give it ("the variant gives less profit").
    main_kpi:
        The summary metric of the default claim.
    n:
        Paired replications per point of the one-at-a-time and flip stages (the verdict itself at
        the scenarios' values uses ``2 n``).
    screen_n, trajectories:
        Paired replications per screening point, and Morris trajectories.
    holds_points:
        Latin-hypercube points for the share of the assumption space where the verdict holds.
    seed:
        The master seed (every point runs replications ``0 ..`` of it: common random numbers).
    overrides:
        ``{dotted.path: value}`` applied to both scenarios first.
    workers, scheduler, progress:
        Where the runs execute (see :class:`salessim.runs.experiment.Runner`).
    """
    t0 = time.perf_counter()
    n = whole_number(n, "n", 2, MAX_REPLICATIONS)
    screen_n = whole_number(screen_n, "screen_n", 1, MAX_REPLICATIONS)
    trajectories = whole_number(trajectories, "trajectories", 2, 1000)
    holds_points = whole_number(holds_points, "holds_points", 4, 100_000)
    seed = whole_number(seed, "seed", 0, MAX_SEED)
    b = load_scenario(base, overrides)
    v = load_scenario(variant, overrides)
    if isinstance(claim, str):
        claim = Claim.parse(claim)
    elif claim is None and v.claim is not None and _names_base(v.claim.versus, base, b):
        claim = Claim.of(v.claim)
    kpi = claim.kpi if claim is not None else main_kpi
    check_metrics([kpi], [b, v], "claim" if claim is not None else "main_kpi")
    fs = factors(b, v)
    if not fs:
        raise UserError("the two scenarios make no assumption with a plausible range to vary", field="robust")
    runner = Runner(workers=workers, scheduler=scheduler, progress=progress)
    design = _Design(b, v, fs, seed, runner, kpi)

    # the verdict at the scenarios' values
    kb, kv = design.runs([{}], 2 * n)
    if claim is None:
        d = float(np.mean(kv - kb))
        word = "more" if d > 0 else "less"
        claim = Claim(kpi, ">" if d > 0 else "<", text=f"{v.name} gives {word} {kpi.replace('_', ' ')} than {b.name}")
    design.claim = claim
    y0 = claim.quantity(kb, kv)[0]
    st = paired_difference(np.zeros_like(y0), y0, level)
    holds_now = claim.holds(st["diff"])
    sign = claim.sign if holds_now else -claim.sign      # the side the result is on at the scenarios' values
    scale = abs(st["diff"]) if st["diff"] != 0 else float(np.std(y0, ddof=1) or 1.0)

    # 1. Morris screening by groups, and the Latin hypercube for the share that agrees
    groups = list(dict.fromkeys(f.group for f in fs))
    problem = {"num_vars": len(fs), "names": [f.name for f in fs], "bounds": [[0.0, 1.0]] * len(fs),
               "groups": [f.group for f in fs]}
    X = morris_sampling.sample(problem, trajectories, num_levels=4, seed=seed)
    H = latin_sampling.sample({"num_vars": len(fs), "names": [f.name for f in fs], "bounds": [[0.0, 1.0]] * len(fs)},
                              holds_points, seed=seed)
    as_values = [{f.name: f.at(u) for f, u in zip(fs, row)} for row in np.vstack([X, H])]
    d1 = design.diffs(as_values, screen_n)
    y_morris, y_holds = d1[: len(X)].mean(axis=1), d1[len(X):].mean(axis=1)
    r = morris_analysis.analyze(problem, X, y_morris, num_levels=4, seed=seed)
    screening = pd.DataFrame({"group": list(r["names"]), "mu_star": np.asarray(r["mu_star"], dtype=float),
                              "mu_star_conf": np.asarray(r["mu_star_conf"], dtype=float),
                              "sigma": np.asarray(r["sigma"], dtype=float)})
    screening["members"] = [sum(f.group == g for f in fs) for g in screening["group"]]
    screening["share_of_margin"] = (screening["mu_star"] + screening["mu_star_conf"]) / scale
    screening = screening.sort_values("mu_star", ascending=False, ignore_index=True)
    keep = screening[screening["share_of_margin"] >= MATTERS]["group"].tolist()[:MAX_GROUPS]
    screening["screened_in"] = screening["group"].isin(keep)
    agree = int(sum(claim.holds(y) for y in y_holds))
    h_share, h_low, h_high = agree / len(y_holds), *_wilson(agree, len(y_holds))

    # 2. one at a time: each member of a screened-in group at both ends of its range
    members = [f for f in fs if f.group in keep]
    ends = [{f.name: f.low} for f in members] + [{f.name: f.high} for f in members]
    d2 = design.diffs(ends, screen_n) if ends else np.zeros((0, screen_n))
    rows, flipping, matters = [], [], []
    for j, f in enumerate(members):
        lo, hi = float(d2[j].mean()), float(d2[len(members) + j].mean())
        turns = bool(np.sign(lo) == -sign or np.sign(hi) == -sign)
        moves = max(abs(lo - st["diff"]), abs(hi - st["diff"])) >= MATTERS * scale
        rows.append({"parameter": f.name, "group": f.group, "provenance": f.kind, "low": f.low, "high": f.high,
                     "value": f.value, "margin_at_low": lo, "margin_at_high": hi, "turns": turns, "matters": moves})
        if turns:
            flipping.append(f)
        elif moves:
            matters.append(f.name)
    oat = pd.DataFrame(rows)

    # 3. where each deciding assumption turns the verdict (confirmed with n replications), the strongest first
    effect = {r["parameter"]: abs(r["margin_at_high"] - r["margin_at_low"]) for r in rows}
    flipping.sort(key=lambda f: effect[f.name], reverse=True)
    flips, unlocated = [], []
    for f in flipping[:MAX_FLIPS]:
        found = _flip(design, f, n, sign, level)
        if found is not None:
            flips.append(found)
        else:
            matters.append(f.name)
    unlocated = [f.name for f in flipping[MAX_FLIPS:]]
    not_deciding = [g for g in groups if g not in keep] + sorted(
        {f.group for f in members} - {f.group for f in flipping} - {design.by_path[p].group for p in matters})
    return Robustness(b.name, v.name, claim, b.currency, holds_now, st["diff"], st["low"], st["high"], 2 * n,
                      screen_n, h_share, h_low, h_high, len(y_holds), flips, matters, not_deciding, fs, screening,
                      oat, runs=runner.ran, seconds=time.perf_counter() - t0, unlocated=unlocated)


def _names_base(versus: str, ref: Scenario | str, loaded: Scenario) -> bool:
    """Is ``versus`` (a claim's) the base of this comparison (by name or by file)?"""
    if versus == loaded.name:
        return True
    return isinstance(ref, str) and versus == ref


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval of a share ``k / n``."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _crossing(xs: np.ndarray, ys: np.ndarray, sign: float, start: float | None = None) -> float | None:
    """Where the piecewise-linear curve through (xs, ys) leaves the verdict's sign nearest the
    scenario's value ``start`` (the lowest crossing when ``start`` is None); None if it never does."""
    segments = range(len(xs) - 1)
    if start is not None:       # nearest first: by the distance of the segment from the value
        segments = sorted(segments, key=lambda i: max(0.0, xs[i] - start, start - xs[i + 1]))
    for i in segments:
        y0, y1 = ys[i], ys[i + 1]
        if (np.sign(y0) == sign) != (np.sign(y1) == sign):
            if y1 == y0:
                return float(xs[i])
            return float(xs[i] + (xs[i + 1] - xs[i]) * (0 - y0) / (y1 - y0))
    return None


def _fieller(xs: np.ndarray, d: np.ndarray, root: float, level: float, wide: bool = True
             ) -> tuple[float, float | None, float | None]:
    """The crossing near ``root`` and its ``level`` interval (a local line and Fieller's theorem).

    The grid points of the segment holding ``root`` (``wide``: and one more on each side) are
    fitted, one replication at a time, by a line ``m = a + b (x - root)``. The crossing is where
    the replications' mean line crosses zero, ``root - a / b``, and the interval is the set of
    crossings the lines do not reject, so it always holds the estimate (with the segment alone the
    estimate is ``root`` itself, the crossing of the grid's means). The replications are paired
    (common random numbers), so ``a`` and ``b`` are estimated from the same ``n`` lines, with
    their covariance, and a Student ``t(n - 1)`` quantile: exact for a margin linear there with
    normal noise. The interval is ``None`` where it is unbounded (the slope is not
    distinguishable from zero).
    """
    i = int(np.clip(np.searchsorted(xs, root, side="right") - 1, 0, len(xs) - 2))
    near = slice(max(0, i - 1), min(len(xs), i + 3)) if wide else slice(i, i + 2)
    x = xs[near] - root
    X = np.column_stack([np.ones_like(x), x])
    coef = np.linalg.lstsq(X, d[near], rcond=None)[0]           # (2, n): a_i, b_i per replication
    a_i, b_i = coef[0], coef[1]
    n = len(a_i)
    a, b = a_i.mean(), b_i.mean()
    estimate = root - a / b if b != 0 else root
    t2 = stats.t.ppf(0.5 + level / 2, n - 1) ** 2
    cov = np.cov(np.vstack([a_i, b_i]), ddof=1) / n
    # -a/b = s: (a + s b)^2 = t^2 (v_aa + 2 s v_ab + s^2 v_bb)
    qa = b * b - t2 * cov[1, 1]
    qb = 2 * (a * b - t2 * cov[0, 1])
    qc = a * a - t2 * cov[0, 0]
    disc = qb * qb - 4 * qa * qc
    if qa <= 0 or disc < 0:
        return float(estimate), None, None
    r1, r2 = sorted(((-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)))
    return float(estimate), float(root + r1), float(root + r2)


def _flip(design: _Design, f: Factor, n: int, sign: float, level: float) -> Flip | None:
    """Where ``f`` moves the claim's quantity across its threshold (``sign``: its side at the scenario's
    values), from a grid of ``n`` replications per value; None if the grid's means never cross it."""
    grid = sorted({f.at(u) for u in np.linspace(0, 1, GRID)} | {f.value})
    xs = np.array(grid, dtype=float)
    d = design.diffs([{f.name: x} for x in grid], n)
    root = _crossing(xs, d.mean(axis=1), sign, f.value)
    low = high = None
    if root is not None:
        # the segment's own line (its crossing is the means', right however the margin bends
        # elsewhere); where its two points cannot bound the crossing, the line through the segment
        # and its neighbours, if that crosses inside the range
        flip, low, high = _fieller(xs, d, root, level, wide=False)
        if low is None:
            wide = _fieller(xs, d, root, level)
            if wide[1] is not None and f.low <= wide[0] <= f.high:
                flip, low, high = wide
        root = flip
        low, high = (max(low, f.low) if low is not None else None), (min(high, f.high) if high is not None else None)
    means = d.mean(axis=1)
    sds = d.std(axis=1, ddof=1) if n > 1 else np.zeros(len(xs))
    half = 1.96 * sds / math.sqrt(n)
    curve = pd.DataFrame({"value": xs, "diff": means, "low": means - half, "high": means + half})
    if root is None:
        return None
    above = curve[curve["value"] > f.value]
    turns_above = bool(len(above) and (np.sign(above["diff"]) == -sign).any())
    return Flip(f.name, f.kind, (f.low, f.high), f.value, float(root), low, high,
                "above" if turns_above else "below", curve, f.relative)
