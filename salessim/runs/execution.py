"""Where the work runs: in this process, on local worker processes, or on a dask cluster.

Every long computation in salessim is a list of independent *tasks* (one replication of one
scenario each) and a module-level function that runs one task. :func:`run_tasks` applies the
function to every task and returns the results **in task order**, whatever ran them, so a
result never depends on scheduling: the same seed gives the same table serially, on two
local processes or on a cluster.

Three back-ends:

* **serial** (``workers=1``): in this process;
* **local** (``workers=N``): a pool of ``N`` worker processes, created once and reused, so
  that the second run in a notebook or a sweep does not pay the start-up again. Workers are
  started with ``fork`` where the platform has it: they start at once, with everything
  already imported, and work when the main program is a notebook or a script read from
  stdin (``forkserver`` and ``spawn`` re-import ``__main__``, which a stdin script does
  not have). Workers ignore Ctrl-C; the main process handles it and cancels what has not
  started. On Linux a worker also ends when the main process is killed (no orphans);
* **dask** (``scheduler="tcp://host:port"`` or a ``distributed.Client``): the same tasks on
  a dask.distributed cluster. An address that cannot be reached within
  :data:`CONNECT_TIMEOUT_S` is a :class:`~salessim.errors.UserError`.

Tasks are sent in small *chunks* (a few tasks each) with a bounded number of chunks in flight;
``on_chunk`` is called in the main process as each chunk finishes, which is how the result
store (:mod:`salessim.runs.store`) saves work as it completes. A progress bar (tqdm; it renders in
Jupyter too) counts finished tasks.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import itertools
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterator, Sequence

from tqdm.auto import tqdm

from salessim.errors import UserError

#: Seconds to wait for a dask scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 5.0

#: Most tasks in one chunk: a chunk is the unit of work lost if a run is interrupted.
MAX_CHUNK = 8

_MISSING = object()
_POOL: dict[str, Any] = {"workers": 0, "pool": None, "pid": None}
_CLIENTS: dict[str, Any] = {}


# --------------------------------------------------------------------------- local pool
def default_workers() -> int:
    """Worker processes to use by default: one per CPU core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker() -> None:  # pragma: no cover - runs in the worker processes
    """Leave Ctrl-C to the main process, end with it if it is killed (Linux), and keep the
    garbage collector off what the worker inherited (with fork, the parent's whole heap: a
    notebook kernel's can be large, and scanning it would also copy its pages)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def local_pool(workers: int) -> Executor:
    """A process pool of ``workers``, created once and reused (so repeated runs start fast)."""
    pool = _POOL["pool"]
    if pool is not None and (_POOL["workers"] != workers or _POOL["pid"] != os.getpid() or _broken(pool)):
        shutdown_local_pool()
        pool = None
    if pool is None:
        # fork starts workers at once with everything imported and works from notebooks and
        # stdin scripts; where there is no fork, fall back to spawn
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)
        _POOL.update(pool=pool, workers=workers, pid=os.getpid())
    return pool


def _broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False)) or bool(getattr(pool, "_shutdown_thread", False))


def shutdown_local_pool() -> None:
    """Stop the cached local pool (a new one starts on next use)."""
    pool = _POOL["pool"]
    _POOL.update(pool=None, workers=0, pid=None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


# --------------------------------------------------------------------------- dask
def dask_client(scheduler: Any):
    """A ``distributed.Client`` for ``scheduler`` (an address, or a client to use as is).

    Clients are cached per address. An address that does not answer within
    :data:`CONNECT_TIMEOUT_S` seconds raises :class:`UserError` (exit code 2 on the CLI).
    """
    if not isinstance(scheduler, str):
        if hasattr(scheduler, "submit") and hasattr(scheduler, "scheduler_info"):
            return scheduler
        raise UserError(f"expected a scheduler address such as tcp://host:8786 or a dask Client, got {scheduler!r}",
                        field="scheduler")
    address = scheduler.strip()
    if not address:
        raise UserError("expected a scheduler address such as tcp://host:8786, got an empty string",
                        field="scheduler")
    cached = _CLIENTS.get(address)
    if cached is not None and cached.status == "running":
        return cached
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a declared dependency
        raise UserError("running on a cluster needs dask.distributed (pip install 'dask[distributed]')",
                        field="scheduler") from None
    _probe_scheduler(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise UserError(f"cannot reach a dask scheduler at {address} within {CONNECT_TIMEOUT_S:g} s "
                        f"({type(e).__name__}: {_first_line(e)})", field="scheduler") from None
    except (ValueError, TypeError) as e:
        raise UserError(f"expected a scheduler address such as tcp://host:8786, got {address!r} ({_first_line(e)})",
                        field="scheduler") from None
    _CLIENTS[address] = client
    return client


def _probe_scheduler(address: str) -> None:
    """Check that a dask scheduler answers at ``address`` before a ``Client`` is made.

    ``Client`` bounds only the connection itself: a port held by another kind of server (a web
    or SSH server, a proxy) can make it wait for ever, or read the other server's bytes as a
    frame length and fail with a memory error. Here dask's own ``comm.connect`` (with its
    handshake) and an ``identity`` request must both finish within :data:`CONNECT_TIMEOUT_S`,
    in a thread of their own so that a notebook's running event loop is not in the way; any
    failure is one :class:`UserError`.
    """
    from distributed.comm import connect

    async def identity() -> Any:
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> Any:
        return await asyncio.wait_for(identity(), CONNECT_TIMEOUT_S)

    outcome: dict[str, Any] = {}

    def probe() -> None:
        try:
            outcome["info"] = asyncio.run(bounded())
        except BaseException as e:  # noqa: BLE001 - reported below, in the caller's thread
            outcome["error"] = e

    # a daemon thread: should the probe ever outlive its timeout, it cannot keep the program alive
    thread = threading.Thread(target=probe, name="salessim-scheduler-probe", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S + 5)
    e = outcome.get("error")
    if isinstance(e, (ValueError, TypeError)):
        raise UserError(f"expected a scheduler address such as tcp://host:8786, got {address!r} ({_first_line(e)})",
                        field="scheduler") from None
    if e is not None and not isinstance(e, (OSError, TimeoutError)):   # bytes that are not dask's protocol
        raise UserError(f"the server at {address} did not answer as a dask scheduler does (another kind of server "
                        "on that port?); give the scheduler's address, usually tcp://host:8786",
                        field="scheduler") from None
    if e is not None or "info" not in outcome:  # refused or timed out
        what = "no answer" if e is None or isinstance(e, TimeoutError) else f"{type(e).__name__}: {_first_line(e)}"
        raise UserError(f"cannot reach a dask scheduler at {address} within {CONNECT_TIMEOUT_S:g} s ({what})",
                        field="scheduler") from None
    info = outcome["info"]
    if not isinstance(info, dict) or info.get("type") != "Scheduler":
        kind = info.get("type") if isinstance(info, dict) else type(info).__name__
        raise UserError(f"the server at {address} is not a dask scheduler (it says it is {kind!r}); "
                        "give the scheduler's address, usually tcp://host:8786", field="scheduler")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def describe_backend(workers: int = 1, scheduler: Any = None) -> str:
    """One line saying where work will run (for CLI output)."""
    if scheduler is not None:
        client = dask_client(scheduler)
        n = len(client.scheduler_info().get("workers", {}))
        return f"dask cluster at {client.scheduler.address} ({n} workers)"
    return "this process" if workers <= 1 else f"{workers} local worker processes"


# --------------------------------------------------------------------------- running tasks
def _run_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [fn(t) for t in chunk]


def chunk_size(n_tasks: int, workers: int) -> int:
    """Tasks per chunk: about four chunks per worker, at most :data:`MAX_CHUNK`."""
    if workers <= 1:
        return 1
    return max(1, min(MAX_CHUNK, math.ceil(n_tasks / (4 * workers))))


def run_tasks(tasks: Sequence[Any], fn: Callable[[Any], Any], *, workers: int = 1, scheduler: Any = None,
              progress: bool = False, desc: str = "runs",
              on_chunk: Callable[[list[int], list[Any]], None] | None = None) -> list[Any]:
    """Apply ``fn`` to every task; return the results in task order.

    Parameters
    ----------
    tasks:
        Picklable task descriptions.
    fn:
        A module-level function (so worker processes and dask workers can import it).
    workers:
        Local worker processes; 1 runs in this process. Ignored when ``scheduler`` is given.
    scheduler:
        A dask scheduler address (``tcp://host:port``) or a ``distributed.Client``.
    progress:
        Show a tqdm progress bar counting finished tasks.
    on_chunk:
        Called in this process with ``(task_indices, results)`` as each chunk finishes (in
        completion order), e.g. to save results as they come.
    """
    n = len(tasks)
    out: list[Any] = [_MISSING] * n
    if n == 0:
        return out
    bar = _progress(n, desc) if progress else None
    try:
        if scheduler is not None:
            stream = _dask_chunks(tasks, fn, dask_client(scheduler))
        elif workers <= 1 or n == 1:
            stream = ((list(range(i, i + 1)), [fn(tasks[i])]) for i in range(n))
        else:
            stream = _pool_chunks(tasks, fn, workers)
        for idx, results in stream:
            for i, r in zip(idx, results):
                out[i] = r
            if on_chunk is not None:
                on_chunk(idx, results)
            if bar is not None:
                bar.update(len(idx))
        finished = sum(1 for r in out if r is not _MISSING)
        if finished != n:  # pragma: no cover - a back-end that lost work must not pass silently
            raise RuntimeError(f"only {finished} of {n} tasks came back")
    finally:
        if bar is not None:
            bar.close()
    return out


def chunk_plan(n_tasks: int, workers: int) -> list[list[int]]:
    """Task indices in chunks of :func:`chunk_size`, shrinking towards the end (guided scheduling).

    A chunk never holds more than half a worker's share of what is left, so the last chunks
    are single tasks: workers finish together instead of one waiting for another's last
    full chunk (a round of a comparison ends about half a chunk sooner).
    """
    size = chunk_size(n_tasks, workers)
    out, i = [], 0
    while i < n_tasks:
        k = min(size, max(1, math.ceil((n_tasks - i) / (2 * max(1, workers)))))
        out.append(list(range(i, i + k)))
        i += k
    return out


def _pool_chunks(tasks: Sequence[Any], fn, workers: int) -> Iterator[tuple[list[int], list[Any]]]:
    pool = local_pool(workers)
    chunks = chunk_plan(len(tasks), workers)
    window = 2 * workers
    pending: dict[Future, list[int]] = {}
    it = iter(chunks)
    try:
        for idx in it:
            pending[pool.submit(_run_chunk, fn, [tasks[i] for i in idx])] = idx
            if len(pending) >= window:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                idx = pending.pop(fut)
                yield idx, fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(_run_chunk, fn, [tasks[i] for i in nxt])] = nxt
    finally:
        for fut in pending:
            fut.cancel()


def _dask_chunks(tasks: Sequence[Any], fn, client) -> Iterator[tuple[list[int], list[Any]]]:
    from distributed import as_completed

    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    chunks = chunk_plan(len(tasks), n_workers)
    window = 2 * n_workers
    it = iter(chunks)
    index: dict[str, list[int]] = {}

    def submit(idx):
        fut = client.submit(_run_chunk, fn, [tasks[i] for i in idx], pure=False)
        index[fut.key] = idx
        return fut

    first = [submit(idx) for idx in itertools.islice(it, window)]
    ac = as_completed(first, loop=client.loop)
    try:
        for fut in ac:
            idx = index.pop(fut.key)
            yield idx, fut.result()
            nxt = next(it, None)
            if nxt is not None:
                ac.add(submit(nxt))
    finally:
        for fut in list(ac.futures):
            fut.cancel()


def interactive() -> bool:
    """True when a person is likely watching: stderr is a terminal, or this is a Jupyter kernel."""
    return "ipykernel" in sys.modules or bool(getattr(sys.stderr, "isatty", lambda: False)())


def _progress(total: int, desc: str):
    return tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)
