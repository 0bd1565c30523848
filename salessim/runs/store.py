"""A resumable result store: a directory of Parquet part files, written as work completes.

Layout of a store directory::

    experiment.json                  what experiment this is (kind, definition, fingerprint)
    part-<time>-<pid>-<n>.parquet    one file per finished chunk of runs
    .tmp-*.parquet                   a part being written (renamed when complete)

Every row is one replication of one scenario and is keyed by :data:`KEY_COLUMNS`: the
scenario's content hash (every parameter that affects results), the point's parameters
(canonical JSON), the master seed and the replication index. The other columns are the
replication's summary metrics.

**Writing.** A part is written to a temporary file, flushed to disk and then renamed into
place (``os.replace``, atomic on POSIX): a part file is either complete or absent, so an
interrupted run (Ctrl-C, a killed process, a lost machine) loses only the work that had not
finished. When a run completes, its parts are merged into one (:meth:`ResultStore.compact`).

**Resuming.** :meth:`ResultStore.open` checks that the store was made by the same experiment
definition (the same scenarios, points, seed and model code) and reads every part; finished
keys are then skipped. Duplicate rows (e.g. from a merge interrupted half-way) are dropped
when identical; conflicting ones are an error.

**Never silently overwritten.** An unreadable part, a missing or damaged ``experiment.json``,
a store of a different experiment, or a store with results when neither resume nor overwrite
was asked for: each raises :class:`~salessim.errors.UserError` naming the file and what to do,
and leaves the directory as it was. ``overwrite`` discards a *valid* store only; a damaged one
must be moved away by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd
import pyarrow.parquet as pq

from salessim.errors import UserError
from salessim.runs.fingerprint import code_fingerprint

#: Columns that identify a row.
KEY_COLUMNS = ("scenario_hash", "params", "seed", "replication")
#: Version of the store layout (in ``experiment.json``).
FORMAT = 1
MANIFEST = "experiment.json"

def fingerprint(definition: Mapping[str, Any]) -> str:
    """A hash of an experiment definition (canonical JSON)."""
    blob = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class ResultStore:
    """An open store: the finished rows, and a writer for new parts.

    Use :meth:`open`; do not construct directly.
    """

    path: Path
    kind: str
    definition: dict[str, Any]
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _parts: list[Path] = field(default_factory=list)
    _counter: int = 0

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, kind: str, definition: Mapping[str, Any], *, resume: bool = False,
             overwrite: bool = False) -> "ResultStore":
        """Open (or create) the store at ``path`` for the experiment ``kind``/``definition``.

        Parameters
        ----------
        resume:
            Reuse the finished rows of an existing store of the same experiment.
        overwrite:
            Discard an existing, valid store's results and start again.
        """
        path = Path(path)
        src = str(path)
        definition = {**dict(definition), "engine": code_fingerprint()}
        fp = fingerprint({"kind": kind, **definition})
        if path.exists() and not path.is_dir():
            raise UserError("expected a result-store directory, found a file", source=src)
        notes: list[str] = []
        if path.is_dir() and any(path.iterdir()):
            manifest = path / MANIFEST
            if not manifest.exists():
                raise UserError(f"not a salessim result store (no {MANIFEST}); refusing to write into a directory "
                                "that holds other files: choose an empty or new directory", source=src)
            meta = _read_manifest(manifest)
            parts = sorted(path.glob("part-*.parquet"))
            rows = _read_parts(parts)  # raises on a damaged part, before anything is changed
            notes += _remove_temporaries(path)
            if overwrite:
                for p in parts:
                    p.unlink()
                manifest.unlink()
                if parts:
                    notes.append(f"discarded {len(rows)} earlier results (--overwrite)")
            else:
                if meta.get("fingerprint") != fp:
                    difference = _difference(meta, kind, definition)
                    extendable = meta.get("kind") == kind and _canon((meta.get("definition") or {}).get("engine")) \
                        == _canon(definition["engine"])
                    if not (resume and extendable):
                        hint = (" pass --resume to extend it (its finished runs that this experiment shares are "
                                "reused: rows are keyed by scenario content, parameters, seed and replication),"
                                if extendable else "")
                        raise UserError(f"holds results of a different experiment ({difference});{hint} "
                                        "choose another directory, or pass --overwrite to discard them", source=src)
                    # same kind, same model code: every row is still valid for its key, so keep them all
                    _atomic_write_text(manifest, json.dumps(
                        {**meta, "fingerprint": fp, "definition": definition,
                         "extended": time.strftime("%Y-%m-%dT%H:%M:%S")},
                        indent=2, sort_keys=True, default=str))
                    notes.append(f"extending the store's experiment ({difference}); its runs are kept")
                if not resume and len(parts):
                    raise UserError(
                        f"already holds {len(rows)} results of this experiment; pass --resume to continue it "
                        "or --overwrite to discard them", source=src)
                store = cls(path, kind, definition, rows, notes, list(parts), len(parts))
                if len(rows):
                    notes.append(f"resuming: {len(rows)} finished runs found in {src}")
                return store
        path.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(path / MANIFEST, json.dumps(
            {"format": FORMAT, "kind": kind, "fingerprint": fp, "definition": definition,
             "created": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=2, sort_keys=True, default=str))
        return cls(path, kind, definition, _empty(), notes, [], 0)

    # ------------------------------------------------------------------ reading
    def finished(self) -> set[tuple]:
        """The keys of every finished row."""
        if self.rows.empty:
            return set()
        return set(zip(*(self.rows[c].tolist() for c in KEY_COLUMNS)))

    # ------------------------------------------------------------------ writing
    def write(self, rows: pd.DataFrame) -> Path:
        """Save ``rows`` as a new part file, atomically; return its path."""
        missing = [c for c in KEY_COLUMNS if c not in rows.columns]
        if missing:
            raise ValueError(f"rows lack key columns {missing}")
        self._counter += 1
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self._counter:06d}.parquet"
        final = self.path / name
        tmp = self.path / f".tmp-{name}"
        rows.to_parquet(tmp, index=False)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        self._parts.append(final)
        return final

    def compact(self) -> None:
        """Merge every part into one (atomically; old parts are removed after the new one exists)."""
        parts = sorted(self.path.glob("part-*.parquet"))
        if len(parts) <= 1:
            return
        rows = _read_parts(parts)
        merged = self.write(rows)
        for p in parts:
            if p != merged:
                p.unlink()
        self._parts = [merged]

    def read(self) -> pd.DataFrame:
        """Every row now in the store (identical duplicates dropped), sorted by key."""
        return _read_parts(sorted(self.path.glob("part-*.parquet")))


# --------------------------------------------------------------------------- helpers
def _empty() -> pd.DataFrame:
    return pd.DataFrame({"scenario_hash": pd.Series(dtype=str), "params": pd.Series(dtype=str),
                         "seed": pd.Series(dtype="int64"), "replication": pd.Series(dtype="int64")})


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"damaged store description ({type(e).__name__}: {e}); the store was left as it is: "
                        "move it away and start a new one", source=str(path)) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "fingerprint" not in meta:
        raise UserError(f"expected a salessim store description (format {FORMAT}) with a fingerprint; "
                        "the store was left as it is", source=str(path))
    return meta


def _remove_temporaries(path: Path) -> list[str]:
    tmps = list(path.glob(".tmp-*"))
    for t in tmps:
        t.unlink()
    return [f"removed {len(tmps)} unfinished part file(s) left by an interrupted run"] if tmps else []


def _read_parts(parts: Iterable[Path]) -> pd.DataFrame:
    frames = []
    for p in parts:
        try:
            table = pq.read_table(p)
        except Exception as e:  # noqa: BLE001 - any failure to read is a damaged part
            raise UserError(
                f"damaged part file ({type(e).__name__}: {_first_line(e)}); the store was left as it is: move or "
                "delete that file (its runs will be redone) and run again with --resume", source=str(p)) from None
        missing = [c for c in KEY_COLUMNS if c not in table.column_names]
        if missing:
            raise UserError(f"damaged part file: missing key column(s) {', '.join(missing)}; the store was left as "
                            "it is", source=str(p))
        df = table.to_pandas()
        _check_types(df, p)
        frames.append(df)
    if not frames:
        return _empty()
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rows = rows.drop_duplicates(ignore_index=True)
    dup = rows.duplicated(subset=list(KEY_COLUMNS), keep=False)
    if dup.any():
        k = rows.loc[dup, list(KEY_COLUMNS)].iloc[0].to_dict()
        raise UserError(f"the store holds different results for the same run ({k}); it was left as it is: "
                        "it was changed by hand or by another program", source=str(Path(next(iter(parts))).parent))
    return rows.sort_values(list(KEY_COLUMNS), ignore_index=True)


def _check_types(df: pd.DataFrame, p: Path) -> None:
    for c in ("seed", "replication"):
        if not pd.api.types.is_integer_dtype(df[c]):
            raise UserError(f"damaged part file: column {c} should hold whole numbers, found {df[c].dtype}",
                            source=str(p))
    for c in ("scenario_hash", "params"):
        if not (pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object):
            raise UserError(f"damaged part file: column {c} should hold text, found {df[c].dtype}", source=str(p))
    for c in df.columns:
        if c not in KEY_COLUMNS and not pd.api.types.is_numeric_dtype(df[c]):
            raise UserError(f"damaged part file: metric column {c} should hold numbers, found {df[c].dtype}",
                            source=str(p))


def _difference(meta: Mapping[str, Any], kind: str, definition: Mapping[str, Any]) -> str:
    old = meta.get("definition") or {}
    if meta.get("kind") != kind:
        return f"it is a {meta.get('kind')!r} store, this is a {kind!r}"
    keys = sorted(k for k in set(old) | set(definition) if _canon(old.get(k)) != _canon(definition.get(k)))
    if "engine" in keys:
        return "it was made by a different version of the model code"
    return "differs in: " + ", ".join(keys) if keys else "different fingerprint"


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
