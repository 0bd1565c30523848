"""Argument types and helpers shared by sub-commands."""

from __future__ import annotations

import argparse
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from salessim.errors import MAX_REPLICATIONS, MAX_SEED, UserError, shown
from salessim.scenarios.files import load_scenario
from salessim.scenarios.parameters import check_decimal, check_parameter_path
from salessim.scenarios.schema import Scenario
from salessim.views.formats import DEFAULT_FORMATS, FORMATS, parse_formats


def int_at_least(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number >= ``minimum`` (and <= ``maximum``, if given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {shown(text)}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected a whole number from {minimum} to {maximum:,}, got {shown(text)}")
        return value

    parse.__name__ = f"whole number >= {minimum}"
    return parse


positive_int = int_at_least(1, MAX_REPLICATIONS)
seed_int = int_at_least(0, MAX_SEED)


def parse_value(text: str) -> Any:
    """A TOML value (number, true/false, date, [list], {table}); anything else is a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, ValueError):  # ValueError: an integer of more than 4,300 digits
        return text


def assignment(text: str) -> tuple[str, Any]:
    """``dotted.path=value`` for --set."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE (e.g. team.reps.0.count=15), got {shown(text)}")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path:
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE, got {shown(text)}")
    try:
        check_parameter_path(path)
        check_decimal(value, path)
    except UserError as e:
        raise argparse.ArgumentTypeError(f"{path}: {e.message}") from None
    return path, parse_value(value.strip())


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in scenario name or a scenario .toml file")
    p.add_argument("--set", dest="overrides", metavar="PATH=VALUE", type=assignment, action="append", default=[],
                   help="override a parameter by its dotted path (repeatable), e.g. --set team.reps.0.count=15")


def load_from_args(args: argparse.Namespace, extra: dict[str, Any] | None = None) -> Scenario:
    overrides = dict(args.overrides)
    if extra:
        overrides.update(extra)
    return load_scenario(args.scenario, overrides or None)


def out_path(text: str) -> str:
    """An argparse type for a flag that names where to write (``--out``, ``--store``, ``--report``, ...):
    an empty path is refused (``--out ''`` wrote nothing without a word)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a path to write to, got an empty one")
    return text


def check_out_dir(path: str, field: str = "--out") -> None:
    """Make sure the output directory ``path`` can be written, before any work is done.

    Creates it (with its parents) and writes and removes a probe file, so that a path under a
    file, a read-only or virtual file system (``/proc``) or a full disk is one clear error at
    the start rather than a traceback after a long run.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UserError("expected a directory, found a file", source=path, field=field)
    for q in p.parents:
        if q.exists() and not q.is_dir():
            raise UserError(f"expected a directory path, but {q} is a file", source=path, field=field)
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=p, prefix=".salessim-write-test-"):
            pass
    except OSError as e:
        raise UserError(f"cannot write there ({e.strerror or e})", source=path, field=field) from None


def chart_formats(text: str) -> tuple[str, ...]:
    """``--formats png,svg,pdf``: chart file formats (an unknown one is a usage error, exit 2)."""
    try:
        return parse_formats(text)
    except UserError as e:
        raise argparse.ArgumentTypeError(e.message) from None


def add_formats_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--formats`` to a command that writes charts."""
    p.add_argument("--formats", type=chart_formats, default=DEFAULT_FORMATS, metavar="F,F",
                   help=f"chart file formats, any of {','.join(FORMATS)} (default {','.join(DEFAULT_FORMATS)})")


def horizons_arg(text: str) -> tuple[int, ...]:
    """``--horizons 12,24,36``: months from 1 to 120, sorted, or ``none`` (an empty tuple)."""
    if text.strip().lower() in ("none", "off", "0", ""):
        return ()
    try:
        months = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected months separated by commas (e.g. 12,24,36) or none, got {text!r}") \
            from None
    if not months or months[0] < 1 or months[-1] > 120:
        raise argparse.ArgumentTypeError(f"expected horizons from 1 to 120 months, got {text!r}")
    return tuple(months)
