"""``salessim show SCENARIO``: print the fully resolved parameters as TOML."""

from __future__ import annotations

from ..scenario_io import to_toml
from .common import add_scenario_args, load_from_args

ORDER = 30


def register(sub) -> None:
    p = sub.add_parser("show", help="print a scenario's resolved parameters", description=__doc__)
    add_scenario_args(p)
    p.set_defaults(handler=handle)


def handle(args) -> int:
    sc = load_from_args(args)
    print(f"# {sc.name}: every parameter after 'extends' and --set are applied")
    print(to_toml(sc), end="")
    return 0
