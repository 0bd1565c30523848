"""``salessim show SCENARIO``: print the fully resolved parameters as TOML.

``--assumptions`` lists instead every value the scenario *assumes* (rather than takes from your
business or your CRM export): where it comes from (the source documents, fitted to reproduce a
claim of theirs, one anecdote, or assumed), the range a real department can plausibly have, and
why. These are what ``salessim compare A B --robust`` varies to see whether a verdict holds.
"""

from __future__ import annotations

import argparse

from salessim.apps.commands.common import add_scenario_args, load_from_args
from salessim.results import strict_json
from salessim.scenarios.files import to_toml
from salessim.scenarios.provenance import ASSUMPTION_KINDS, KINDS, Assumption, assumptions_of


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    add_scenario_args(p)
    p.add_argument("--assumptions", action="store_true",
                   help="list the values the scenario assumes, where each comes from and its plausible range")
    p.add_argument("--json", action="store_true", help="with --assumptions: print them as JSON")


def handle(args) -> int:
    sc = load_from_args(args)
    if args.assumptions:
        items = assumptions_of(sc)
        if args.json:
            print(strict_json.dumps([_as_json(a) for a in items], indent=1))
        else:
            print_assumptions(sc.name, items)
        return 0
    print(f"# {sc.name}: every parameter after 'extends' and --set are applied")
    print(to_toml(sc), end="")
    return 0


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:,.4g}"


def _as_json(a: Assumption) -> dict:
    return {"parameter": a.path, "value": a.value, "provenance": a.kind, "range": [a.low, a.high],
            "reason": a.reason}


def print_assumptions(name: str, items: list[Assumption]) -> None:
    """The table of a scenario's assumptions, grouped by where they come from."""
    print(f"# {name}: the values this answer assumes (salessim compare --robust varies them over their ranges)")
    rows = [a for a in items if a.is_assumption]
    width = max((len(a.path) for a in rows), default=10)
    for kind in ASSUMPTION_KINDS:
        group = [a for a in rows if a.kind == kind]
        if not group:
            continue
        print(f"\n{kind}: {KINDS[kind]} ({len(group)})")
        for a in group:
            rng = f"[{_num(a.low)}, {_num(a.high)}]" if a.low is not None else "no range"
            print(f"  {a.path:<{width}}  {_num(a.value):>9}  {rng:<22} {a.reason}")
    yours = [a for a in items if not a.is_assumption]
    print(f"\n{len(yours)} more values are yours to enter or read from your CRM (salaries, margins, headcount, "
          f"plan, pay scheme, calendar; {sum(a.kind == 'calibrated' for a in yours)} calibrated): "
          f"'salessim show {name}' prints them all.")
