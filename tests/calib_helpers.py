"""Helpers for the calibration tests that run the command line: no nan or inf anywhere in what it prints or writes."""

from __future__ import annotations

import re
from pathlib import Path

# a number that is not one: nan, inf, -inf (any case), as a word of its own
NOT_A_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(nan|inf|infinity)(?![A-Za-z_])", re.IGNORECASE)


def bad_numbers(text: str) -> list[str]:
    """Each line of ``text`` that shows nan or inf."""
    return [ln for ln in text.splitlines() if NOT_A_NUMBER.search(ln)]


def assert_no_bad_numbers(stdout: str, report: Path | None = None, scenario: Path | None = None) -> None:
    """Nothing calibrate or plan printed or wrote is nan or inf (the report's text files and the scenario)."""
    found = [("stdout", ln) for ln in bad_numbers(stdout)]
    files = []
    if report is not None and report.exists():
        files += [p for p in report.iterdir() if p.suffix in (".csv", ".json", ".md", ".txt", ".toml")]
    if scenario is not None and scenario.exists():
        files.append(scenario)
    for p in files:
        found += [(p.name, ln[:200]) for ln in bad_numbers(p.read_text(encoding="utf-8"))]
    assert not found, found[:10]
