"""``salessim report SCENARIO [VARIANTS...] --out report.html``: a self-contained HTML report for a client.

Runs the scenario (and each variant, on the same paired replications) and writes one HTML
file that opens anywhere, offline: the question and the short answer, the scenarios in plain
words, key figures with 95% intervals, monthly revenue and profit with bands, the funnel, the
P&L, pay and payroll with warnings, the paired comparison with the first scenario, the
model's assumptions and limits, and the provenance (version, seed, replications, date, the
scenario files' SHA-256). ``--csv DIR`` and ``--xlsx FILE`` export every table of the report;
text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import tomli_w

from salessim.analyses.horizons import DEFAULT_HORIZONS
from salessim.apps.commands.common import (
    assignment,
    check_out_dir,
    horizons_arg,
    int_at_least,
    out_path,
    positive_int,
    seed_int,
)
from salessim.errors import UserError
from salessim.views.report import build_report


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("scenario", metavar="SCENARIO", help="the scenario (built-in name or .toml file); variants are "
                   "compared with it")
    p.add_argument("variants", metavar="VARIANT", nargs="*", help="alternative scenarios to compare with SCENARIO")
    p.add_argument("--out", metavar="FILE.html", type=out_path, required=True, help="where to write the report")
    p.add_argument("--replications", "-n", type=int_at_least(2), default=20, metavar="N",
                   help="replications per scenario (default 20)")
    p.add_argument("--seed", type=seed_int, default=0, metavar="S", help="master seed, shared by every scenario "
                   "(default 0)")
    p.add_argument("--months", type=positive_int, default=None, metavar="M", help="override the horizon (months)")
    p.add_argument("--set", dest="overrides", metavar="PATH=VALUE", type=assignment, action="append", default=[],
                   help="override a parameter of every scenario by its dotted path (repeatable)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="W",
                   help="local worker processes (default: one per core; results do not depend on it)")
    p.add_argument("--csv", metavar="DIR", type=out_path, default=None, help="also write every table of the report as CSV here")
    p.add_argument("--xlsx", metavar="FILE.xlsx", type=out_path, default=None, help="also write every table to one Excel workbook")
    p.add_argument("--images", choices=("svg", "png"), default="svg",
                   help="charts as inline SVG (default; sharp at any size) or embedded PNG")
    p.add_argument("--horizons", type=horizons_arg, default=DEFAULT_HORIZONS, metavar="M,M,...",
                   help="with variants: also answer over these horizons in months, with each variant's payback month "
                        "(default 12,24,36; 'none' to leave out)")
    p.add_argument("--robust", action="store_true",
                   help="with variants: show where each verdict turns across the plausible values of its assumptions "
                        "(about a minute per variant)")


def check_file_target(path: str, flag: str, suffixes: tuple[str, ...]) -> Path:
    """Check that ``path`` can be written as a file before anything runs."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise UserError(f"expected a file name ending in {' or '.join(suffixes)}", source=path, field=flag)
    if p.is_dir():
        raise UserError("expected a file, found a directory", source=path, field=flag)
    if p.exists() and not os.access(p, os.W_OK):
        raise UserError("file is not writable", source=path, field=flag)
    probe = next((q for q in p.absolute().parents if q.exists()), Path("."))
    if not probe.is_dir() or not os.access(probe, os.W_OK):
        raise UserError("directory is not writable", source=str(probe), field=flag)
    if p.parent.is_dir():  # try it: permissions, read-only file systems, special directories
        existed = p.exists()
        try:
            with open(p, "a"):
                pass
        except OSError as e:
            raise UserError(f"cannot write here ({e.strerror or e})", source=path, field=flag) from None
        if not existed:
            p.unlink(missing_ok=True)
    return p


def command_line(args) -> str:
    """The canonical command that reproduces the report."""
    parts = ["salessim", "report", args.scenario, *args.variants, "--out", args.out, "-n", str(args.replications),
             "--seed", str(args.seed)]
    if args.months:
        parts += ["--months", str(args.months)]
    for path, value in args.overrides:
        parts += ["--set", f"{path}={_toml(value)}"]
    return " ".join(shlex.quote(p) for p in parts)


def _toml(value) -> str:
    return tomli_w.dumps({"v": value}).strip()[4:]


def handle(args) -> int:
    out = check_file_target(args.out, "--out", (".html", ".htm"))
    xlsx = check_file_target(args.xlsx, "--xlsx", (".xlsx",)) if args.xlsx else None
    if args.csv:
        check_out_dir(args.csv, "--csv")  # made and written to now: /proc/x is refused before the runs
    report = build_report(args.scenario, args.variants, n=args.replications, seed=args.seed, months=args.months,
                          overrides=dict(args.overrides), workers=args.workers, progress=sys.stderr.isatty(),
                          image_format=args.images, command=command_line(args), horizons=args.horizons or None,
                          robust=args.robust)
    out.parent.mkdir(parents=True, exist_ok=True)
    report.write_html(out)
    print(f"{report.title}")
    print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KB): {len(report.charts())} charts, "
          f"{len(report.tables())} tables")
    if args.csv:
        files = report.write_csv(args.csv)
        print(f"wrote {len(files)} CSV files to {args.csv}/ (formula-safe: see the README)")
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        report.write_xlsx(xlsx)
        print(f"wrote {xlsx} ({len(report.tables()) + 1} sheets, formula-safe)")
    return 0
