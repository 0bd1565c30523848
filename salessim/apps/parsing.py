"""The command line's argument parser: a usage mistake is one line and exit code 2."""

from __future__ import annotations

import argparse

from salessim.errors import short_line


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, short_line(f"{self.prog}: error: {message} (see '{self.prog} --help')") + "\n")
