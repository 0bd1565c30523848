"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``).

Each benchmark prints what it measured; none asserts a time. Pass names to run a subset,
e.g. ``python -m benchmarks engine``.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("engine", "experiments", "comp_search", "calibration", "widgets", "robustness")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        print(f"== {name}")
        importlib.import_module(f"benchmarks.bench_{name}").main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
