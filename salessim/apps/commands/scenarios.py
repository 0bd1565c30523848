"""``salessim scenarios``: list the built-in scenarios and the question each answers."""

from __future__ import annotations

import argparse

from salessim.scenarios.reading import describe_builtins


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__


def handle(args) -> int:
    rows = describe_builtins()
    width = max(len(n) for n, _ in rows)
    for name, text in rows:
        print(f"{name:<{width}}  {text}")
    return 0
