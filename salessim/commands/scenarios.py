"""``salessim scenarios``: list the built-in scenarios and the question each answers."""

from __future__ import annotations

from ..scenario_io import describe_builtins

ORDER = 20


def register(sub) -> None:
    p = sub.add_parser("scenarios", help="list built-in scenarios", description=__doc__)
    p.set_defaults(handler=handle)


def handle(args) -> int:
    rows = describe_builtins()
    width = max(len(n) for n, _ in rows)
    for name, text in rows:
        print(f"{name:<{width}}  {text}")
    return 0
