"""Independent random-number streams, one per purpose and entity.

Every draw in the model comes from a ``numpy.random.Generator`` obtained here, keyed by a
purpose name (``"prospecting"``, ``"inbound"``, ...) and an entity key (a rep id, a product
name, ...). Keys are names, not positions, so rep ``rep03`` draws the same numbers whether
the team has 7 reps or 15. This is what makes comparisons between scenarios paired
(common random numbers): a change in one part of a scenario does not reshuffle the draws
of the others. The same ``(seed, replication)`` always gives the same streams, whichever
process or machine runs it.
"""

from __future__ import annotations

import zlib

import numpy as np


def _key(part: str | int) -> int:
    if isinstance(part, (int, np.integer)):
        return int(part)
    return zlib.crc32(str(part).encode("utf-8"))


class Streams:
    """Factory of independent generators for one replication.

    Parameters
    ----------
    seed:
        The experiment's master seed (a non-negative integer).
    replication:
        The replication index; replication ``i`` of two scenarios shares its streams.
    """

    def __init__(self, seed: int, replication: int = 0):
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative")
        self.seed = int(seed)
        self.replication = int(replication)

    def get(self, purpose: str, *key: str | int) -> np.random.Generator:
        """A generator for ``purpose`` and ``key``, the same on every call and machine."""
        ss = np.random.SeedSequence(
            entropy=self.seed,
            spawn_key=(self.replication, _key(purpose), *(_key(k) for k in key)),
        )
        return np.random.Generator(np.random.PCG64(ss))
