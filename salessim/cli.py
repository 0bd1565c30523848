"""The ``salessim`` command line.

Each sub-command lives in its own module under :mod:`salessim.commands` and provides
``register(subparsers)`` and an ``ORDER`` number (its place in ``--help``); modules are
found automatically, so adding a command means adding a module. Errors in user input (a scenario file, a flag value) print one
line and exit with code 2; nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from .errors import UserError


def command_modules() -> list:
    """The sub-command modules, in the order ``salessim --help`` lists them."""
    import pkgutil

    from . import commands

    mods = []
    for info in pkgutil.iter_modules(commands.__path__):
        mod = importlib.import_module(f"salessim.commands.{info.name}")
        if hasattr(mod, "register"):
            mods.append(mod)
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="salessim", description="What-if simulation of a sales department.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"salessim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for mod in command_modules():
        mod.register(sub)
    return parser


class QuietWhenReaderLeaves:
    """Standard output that goes quiet, instead of raising, once its reader has gone.

    ``salessim run baseline | head -3`` closes the pipe after three lines; the command still
    finishes its work (the files of ``--out`` are written after the table is printed) and exits
    as it would have, with no ``BrokenPipeError`` traceback. The stream's file descriptor is
    pointed at ``/dev/null`` so that the interpreter's last flush cannot fail either.
    """

    def __init__(self, stream):
        self._stream = stream
        self.reader_left = False

    def write(self, text: str) -> int:
        if not self.reader_left:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._go_quiet()
        return len(text)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._go_quiet()

    def _go_quiet(self) -> None:
        self.reader_left = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


#: Python API argument names and the command-line flags that stand for them (``compare(n=...)`` is
#: ``--replications``); where commands differ, the first flag the command has is used
API_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "n": ("--replications",), "precision": ("--precision",), "max_replications": ("--max-replications",),
    "main_kpi": ("--main-kpi",), "scheduler": ("--scheduler",), "workers": ("--workers",), "seed": ("--seed",),
    "replications": ("--replications",), "grid": ("--grid",), "lhs": ("--lhs",), "points": ("--points",),
    "sample_seed": ("--sample-seed",), "metrics": ("--metrics",), "method": ("--method",), "ranges": ("--range",),
    "samples": ("--samples",), "outputs": ("--outputs",), "formats": ("--formats",), "kpis": ("--kpis",),
    "pilot": ("--pilot",), "budget": ("--budget",), "params": ("--param",), "image_format": ("--images",),
    "preset": ("--preset",), "probability": ("--probability", "--plan-probability"),
}


def as_flags(error: UserError, args: argparse.Namespace) -> UserError:
    """Name the command's flag where an error from the Python API names its argument.

    ``compare(precision=0)`` reports ``precision: ...``; ``salessim compare --precision 0`` should
    say ``--precision: ...``. Only the API's argument names are translated (the first word of
    the field, as in ``lhs team.reps.0.count``), and only to a flag this command has.
    """
    if error.source or not error.field:
        return error
    head, sep, rest = error.field.partition(" ")
    known = vars(args)
    flags = API_ARGUMENTS.get(head, ())
    flag = next((f for f in flags if f.lstrip("-").replace("-", "_") in known), None)
    if flag is None and flags and head in known:   # the flag's dest is the argument's name (--range -> ranges)
        flag = flags[0]
    if flag is None:
        return error
    error.field = flag + sep + rest
    return error


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stdout = sys.stdout
    sys.stdout = QuietWhenReaderLeaves(stdout)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
        return code
    except UserError as e:
        print(f"salessim {args.command}: error: {as_flags(e, args)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"salessim {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
