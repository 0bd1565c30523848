"""``salessim show SCENARIO``: print the fully resolved parameters as TOML."""

from __future__ import annotations

import argparse

from salessim.apps.commands.common import add_scenario_args, load_from_args
from salessim.scenarios.files import to_toml


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    add_scenario_args(p)


def handle(args) -> int:
    sc = load_from_args(args)
    print(f"# {sc.name}: every parameter after 'extends' and --set are applied")
    print(to_toml(sc), end="")
    return 0
