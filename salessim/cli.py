"""The ``salessim`` command line.

Each sub-command is a module of :mod:`salessim.apps.commands` with ``arguments(parser)`` and
``handle(args)``; :data:`COMMANDS` lists them with their one-line help, in the order
``salessim --help`` shows them. Only the command that runs is imported (with what it uses), so
``salessim --help`` and ``salessim scenarios`` start in a fraction of a second. Errors in user
input (a scenario file, a flag value) print one line and exit with code 2; nothing prints a
traceback for them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from typing import Sequence

from salessim import __version__
from salessim.apps.parsing import Parser
from salessim.errors import UserError, short_line

#: The sub-commands, in the order ``salessim --help`` lists them: name -> one-line help.
COMMANDS = {
    "run": "replicate a scenario and summarise it",
    "comp": "pay distribution, P&L and warnings of a pay scheme; 'comp optimise' searches one",
    "scenarios": "list built-in scenarios",
    "show": "print a scenario's resolved parameters",
    "calibrate": "calibrate a scenario from a CRM export, backtest it, propose plans",
    "compare": "compare scenarios with paired replications",
    "plan": "propose plans per rep at a chosen attainment probability",
    "sweep": "run a scenario over a grid or a sample of parameter values",
    "sensitivity": "rank the parameters that drive profit and revenue",
    "report": "write a self-contained HTML report for a client",
    "present": "serve a notebook as an app on localhost (Voila), without code cells",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; the arguments of ``command`` (and only its) are added, importing its module."""
    parser = Parser(prog="salessim", description="What-if simulation of a sales department.")
    parser.add_argument("--version", action="version", version=f"salessim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name, text in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text)
        if name == command:
            module = importlib.import_module(f"salessim.apps.commands.{name}")  # the one deliberate lazy import
            module.arguments(p)
            p.set_defaults(handler=module.handle)
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv``: its first word that is not an option (the top-level
    options, ``--help`` and ``--version``, take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


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
    argv = list(sys.argv[1:] if argv is None else argv)
    command = chosen_command(argv)
    try:
        parser = build_parser(command)
    except UserError as e:  # raised while the command's modules load (e.g. a stale compiled engine)
        print(short_line(f"salessim {command}: error: {e}"), file=sys.stderr)
        return e.exit_code
    args = parser.parse_args(argv)
    stdout = sys.stdout
    sys.stdout = QuietWhenReaderLeaves(stdout)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
        return code
    except UserError as e:
        print(short_line(f"salessim {args.command}: error: {as_flags(e, args)}"), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"salessim {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


def run() -> None:
    """The ``salessim`` command: :func:`main`, then exit with its code.

    The process ends here, so the objects of the libraries it imported are frozen first: the
    interpreter's last garbage collection then skips them (it took 0.4 s of every command's
    time after pandas, scipy and matplotlib were loaded). :func:`main` itself leaves the
    collector alone, for callers that go on (tests, notebooks)."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
