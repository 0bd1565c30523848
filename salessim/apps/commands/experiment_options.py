"""Options shared by ``compare``, ``sweep`` and ``sensitivity``: seeds, where to run, where to store."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from salessim.apps.commands.common import (
    add_formats_arg,
    assignment,
    check_out_dir,
    out_path,
    positive_int,
    seed_int,
)
from salessim.errors import UserError
from salessim.runs.execution import dask_client, default_workers, describe_backend


def add_common(p: argparse.ArgumentParser, default_n: int) -> None:
    """Add the options every experiment command takes (replications, seed, horizon, where to run, results)."""
    p.add_argument("--replications", "-n", type=positive_int, default=default_n, metavar="N",
                   help=f"replications per scenario or point (default {default_n})")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S",
                   help="master seed, shared by every scenario so runs are paired (default 0)")
    p.add_argument("--months", type=positive_int, default=None, metavar="M", help="override the horizon (months)")
    p.add_argument("--set", dest="overrides", metavar="PATH=VALUE", type=assignment, action="append", default=[],
                   help="override a parameter of every scenario by its dotted path (repeatable)")
    g = p.add_argument_group("where to run")
    g.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core)")
    g.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on a dask.distributed cluster, e.g. tcp://10.0.0.5:8786 (results equal a local run)")
    g = p.add_argument_group("results")
    g.add_argument("--out", metavar="DIR", type=out_path, default=None,
                   help="write tables (CSV, Parquet), charts (see --formats) and the result store (DIR/store) here")
    g.add_argument("--store", metavar="DIR", type=out_path, default=None,
                   help="keep finished runs in this Parquet store as they complete (default with --out: DIR/store)")
    g.add_argument("--resume", action="store_true",
                   help="reuse the finished runs in the store; run only what is missing")
    g.add_argument("--overwrite", action="store_true", help="discard the store's earlier results and start again")
    g.add_argument("--json", action="store_true", help="print a machine-readable summary instead of tables")
    add_formats_arg(g)


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """``--set`` values plus ``--months``."""
    out = dict(args.overrides)
    if args.months:
        out["calendar.months"] = args.months
    return out


def runner_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for the experiment functions, checked before anything runs."""
    if args.resume and args.overwrite:
        raise UserError("choose one of --resume and --overwrite", field="--resume")
    if args.out:
        check_out_dir(args.out)
    store = args.store or (str(Path(args.out) / "store") if args.out else None)
    if store is not None:  # --store /proc/x ran everything, then failed to write (FileNotFoundError)
        check_out_dir(store, "--store" if args.store else "--out")
    if (args.resume or args.overwrite) and store is None:
        raise UserError("--resume and --overwrite need a store: give --out DIR or --store DIR", field="--resume")
    if args.scheduler is not None:
        dask_client(args.scheduler)  # an unreachable address fails now, before anything is written
    workers = args.workers or default_workers()
    return {"workers": workers, "scheduler": args.scheduler, "store": store, "resume": args.resume,
            "overwrite": args.overwrite, "progress": sys.stderr.isatty() and not args.json}


def say(args: argparse.Namespace, text: str) -> None:
    """A progress note on stderr (kept out of --json output)."""
    if not args.json:
        print(text, file=sys.stderr)


def runs_note(res: Any, kw: dict[str, Any], seconds: float) -> str:
    """``"12 runs on 2 local worker processes in 3.1 s"``, plus the runs the store already held."""
    text = f"{res.ran} runs on {backend_note(kw)} in {seconds:.1f} s"
    if res.reused:
        text += f"; {res.reused} finished runs reused from the store"
    return text


def backend_note(kw: dict[str, Any]) -> str:
    """Where the runs go, in words."""
    return describe_backend(kw["workers"], kw["scheduler"])


@contextmanager
def interrupt_hint(store: str | None) -> Iterator[None]:
    """On Ctrl-C, say where the finished work is and how to resume; then stop as interrupted."""
    try:
        yield
    except KeyboardInterrupt:
        if store:
            print(f"finished runs are saved in {store}; run the same command with --resume to continue",
                  file=sys.stderr)
        raise


def list_arg(text: str) -> list[str]:
    """Comma-separated names."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"expected comma-separated names, got {text!r}")
    return items
