"""What a verdict rests on, timed: ``salessim compare baseline double_headcount_one_supervisor --robust``.

Target (issue 16): under a minute on the 2-core machine. Prints the wall time, the CPU time of this
process and the load average (the machine is shared: a loaded machine stretches the wall time, so
the runs per second are printed as well), the number of runs and what the check found.
"""

from __future__ import annotations

import os
import time

from salessim.analyses.robustness import robustness
from salessim.runs.execution import local_pool, shutdown_local_pool


def main() -> None:
    shutdown_local_pool()
    local_pool(2)                         # a warm pool, as a second compare in a session has
    load = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    rob = robustness("baseline", "double_headcount_one_supervisor", workers=2, progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"robust check, baseline vs double_headcount_one_supervisor: {wall:.1f} s wall on 2 workers "
          f"(target < 60 s; main process {cpu:.1f} CPU-s; load average before {load[0]:.2f}, after "
          f"{os.getloadavg()[0]:.2f})")
    print(f"  {rob.runs} runs ({rob.runs / wall:.1f} per second), {len(rob.factors)} assumptions varied, "
          f"claim: {rob.claim.text}; holds in {rob.holds_share:.0%} of the plausible space; "
          f"turned by: {', '.join(f.parameter for f in rob.flips) or 'none'}")


if __name__ == "__main__":
    main()
