"""A cache of replications' outcomes, in memory and on disk, for interactive analyses.

Notebooks, widgets and the analyses behind them (:mod:`salessim.analyses.growth`,
:mod:`salessim.analyses.commission_design`) re-run the same scenarios many times as a person
moves a slider back and forth. :class:`OutcomeCache` keeps each replication's
:class:`~salessim.runs.replication.Outcome` (its KPIs and monthly series) keyed by
``(scenario content hash, seed, replication)``. Replication ``i`` of a seed is always the same
run, so settings already seen are answered at once, and raising the replication count from 20
to 40 only runs replications 20..39 (:func:`salessim.runs.replications.replicate_many` with a
cache).

The cache also keeps each outcome **on disk** (:func:`cache_dir`, by default
``~/.cache/salessim/outcomes-<code fingerprint>``), so a notebook re-opened tomorrow, or a
``salessim present`` app view, answers settings seen in any earlier session at once. The
folder is named for the code fingerprint (:mod:`salessim.runs.fingerprint`), so outcomes of
changed model code are never reused. ``SALESSIM_CACHE_DIR=off`` turns the disk layer off;
``SALESSIM_CACHE_DIR=/path`` moves it.
"""

from __future__ import annotations

import os
import pickle
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

from salessim.runs.fingerprint import code_fingerprint
from salessim.runs.replication import Outcome

# --------------------------------------------------------------------------- the cache
#: Environment variable naming the disk cache's folder (``off`` turns the disk layer off).
CACHE_ENV = "SALESSIM_CACHE_DIR"
#: Most outcome files kept on disk; the oldest are removed beyond it (about 20 kB each).
MAX_DISK_ITEMS = 20_000


def cache_dir() -> Path | None:
    """The disk cache's folder for this model code, or None when ``SALESSIM_CACHE_DIR=off``.

    ``$SALESSIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/salessim`` (``~/.cache/salessim``),
    then ``outcomes-<code fingerprint>`` (:func:`salessim.runs.fingerprint.code_fingerprint`).
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in ("off", "0", "none", "false", "no"):
        return None
    root = Path(env).expanduser() if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "salessim"
    return root / f"outcomes-{code_fingerprint()}"


class OutcomeCache:
    """Outcomes by ``(scenario content hash, seed, replication)``: in memory, and on disk.

    ``max_items`` bounds memory (an outcome of the 7-rep baseline is about 20 kB), least
    recently used dropped first. ``directory`` is the disk layer: ``"auto"`` (the default)
    follows :func:`cache_dir` when first used, a path uses that folder, ``None`` keeps
    outcomes in memory only. A disk file that cannot be read is treated as missing (and
    replaced when the run is done again); a folder that cannot be written turns the disk
    layer off with one warning. The counters say how the cache served: ``hits`` (of
    which ``disk_hits`` came from disk) and ``misses`` count replications asked for,
    ``simulated`` counts replications actually run.
    """

    def __init__(self, max_items: int = 5000, directory: str | Path | None = "auto"):
        self.max_items = int(max_items)
        self._items: OrderedDict[tuple, Outcome] = OrderedDict()
        self._lock = threading.Lock()
        self._directory = directory
        self._writes = 0
        self.hits = 0
        self.disk_hits = 0
        self.misses = 0
        self.simulated = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def directory(self) -> Path | None:
        """The disk layer's folder now (None: memory only)."""
        if self._directory == "auto":
            return cache_dir()
        return None if self._directory is None else Path(self._directory)

    def _file(self, key: tuple) -> Path | None:
        folder = self.directory
        if folder is None:
            return None
        scenario_hash, seed, replication = key
        return folder / f"{scenario_hash}-{int(seed)}-{int(replication)}.pkl"

    def get(self, key: tuple) -> Outcome | None:
        with self._lock:
            out = self._items.get(key)
            if out is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return out
        out = self._load(key)
        with self._lock:
            if out is None:
                self.misses += 1
                return None
            self._remember(key, out)
            self.hits += 1
            self.disk_hits += 1
            return out

    def put(self, key: tuple, outcome: Outcome) -> None:
        with self._lock:
            self._remember(key, outcome)
        self._save(key, outcome)

    def _remember(self, key: tuple, outcome: Outcome) -> None:
        self._items[key] = outcome
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def _load(self, key: tuple) -> Outcome | None:
        path = self._file(key)
        if path is None or not path.is_file():
            return None
        try:
            with open(path, "rb") as f:
                out = pickle.load(f)
        except Exception:  # a truncated or foreign file: run the replication again
            return None
        return out if isinstance(out, Outcome) else None

    def _save(self, key: tuple, outcome: Outcome) -> None:
        path = self._file(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump(outcome, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError as exc:
            warnings.warn(f"salessim: cannot write the outcome cache in {path.parent} ({exc}); "
                          f"keeping outcomes in memory only (set {CACHE_ENV} to another folder, or to off)",
                          RuntimeWarning, stacklevel=3)
            self._directory = None
            return
        self._writes += 1
        if self._writes % 500 == 0:
            self.prune()

    def prune(self, max_files: int = MAX_DISK_ITEMS) -> int:
        """Remove the oldest outcome files beyond ``max_files``; return how many were removed."""
        folder = self.directory
        if folder is None or not folder.is_dir():
            return 0
        files = sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime)
        extra = files[: max(0, len(files) - max_files)]
        for f in extra:
            f.unlink(missing_ok=True)
        return len(extra)

    def clear(self, disk: bool = False) -> None:
        """Forget the outcomes in memory (and with ``disk``, this model code's files on disk)."""
        with self._lock:
            self._items.clear()
            self.hits = self.disk_hits = self.misses = self.simulated = 0
        if disk:
            folder = self.directory
            if folder is not None and folder.is_dir():
                for f in folder.glob("*.pkl"):
                    f.unlink(missing_ok=True)

    def stats(self) -> dict[str, int]:
        return {"items": len(self._items), "hits": self.hits, "disk_hits": self.disk_hits, "misses": self.misses,
                "simulated": self.simulated}


#: The cache shared by every analysis and panel in this process.
CACHE = OutcomeCache()
