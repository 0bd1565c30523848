"""Where runs execute: serial, local processes and a dask cluster give the same tables."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pandas as pd
import pytest

import salessim as ss
from salessim.analyses.sweep import sweep
from salessim.errors import UserError
from salessim.runs.execution import chunk_plan, chunk_size, dask_client, run_tasks

SHORT = {"calendar.months": 2, "calendar.warmup_months": 1}
GRID = {"team.reps.0.count": [5, 8], "supervision.intensity_floor": [0.2, 0.3]}


def _square(x: int) -> int:
    return x * x


def test_results_come_back_in_task_order_and_every_chunk_is_reported():
    seen: list[int] = []
    out = run_tasks(list(range(23)), _square, workers=2, on_chunk=lambda idx, res: seen.extend(idx))
    assert out == [i * i for i in range(23)]
    assert sorted(seen) == list(range(23))


def test_chunks_are_small_enough_to_lose_little_and_balance_two_workers():
    assert chunk_size(1000, 2) == 8          # capped: at most 8 runs lost per interrupted chunk
    assert chunk_size(16, 2) == 2            # about four chunks per worker
    assert chunk_size(5, 1) == 1             # serial: every run is saved as it finishes


@pytest.mark.parametrize("n_tasks,workers", [(20, 2), (100, 2), (7, 3), (1, 2), (1000, 4), (5, 1)])
def test_chunk_plan_covers_every_task_once_and_ends_in_single_tasks(n_tasks, workers):
    plan = chunk_plan(n_tasks, workers)
    assert [i for c in plan for i in c] == list(range(n_tasks))      # in order, each once
    sizes = [len(c) for c in plan]
    assert max(sizes) <= chunk_size(n_tasks, workers)
    assert sizes == sorted(sizes, reverse=True)                      # shrinking towards the end
    assert sizes[-min(workers, len(sizes)):] == [1] * min(workers, len(sizes))  # workers finish together


@pytest.fixture(scope="module")
def serial_table():
    base = ss.load_scenario("baseline", SHORT)
    return base, sweep(base, GRID, n=3, seed=5, workers=1).table


def test_two_local_workers_give_the_serial_table(serial_table):
    base, serial = serial_table
    parallel = sweep(base, GRID, n=3, seed=5, workers=2).table
    pd.testing.assert_frame_equal(serial, parallel)


def test_a_dask_cluster_on_loopback_gives_the_serial_table(serial_table):
    distributed = pytest.importorskip("distributed")
    base, serial = serial_table
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        # by address, as the CLI's --scheduler does
        on_cluster = sweep(base, GRID, n=3, seed=5, scheduler=cluster.scheduler_address).table
        pd.testing.assert_frame_equal(serial, on_cluster)
        # replicate() runs there too, with the same answer as in this process
        reps = ss.replicate(base, n=2, seed=5, scheduler=cluster.scheduler_address)
        local = ss.replicate(base, n=2, seed=5)
        pd.testing.assert_frame_equal(reps.per_replication, local.per_replication)
        # a worker's address answers dask's handshake but is not a scheduler
        worker = next(iter(cluster.scheduler_info["workers"]))
        with pytest.raises(UserError, match="not a dask scheduler"):
            dask_client(worker)
        dask_client(cluster.scheduler_address).close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_not_a_hang():
    address = f"tcp://127.0.0.1:{_free_port()}"
    t = time.perf_counter()
    with pytest.raises(UserError, match="cannot reach a dask scheduler at " + address):
        dask_client(address)
    assert time.perf_counter() - t < 30  # the connect timeout is a few seconds, not the default minutes


@contextlib.contextmanager
def _foreign_server(greeting: bytes):
    """A loopback TCP server that is not dask: it sends ``greeting`` (if any) and then only listens."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    held: list[socket.socket] = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)
            if greeting:
                conn.sendall(greeting)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        srv.close()
        for c in held:
            c.close()


@pytest.mark.parametrize("greeting", [b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n", b""], ids=["ssh banner", "silent"])
def test_a_port_held_by_another_kind_of_server_is_a_clear_error_not_a_hang(greeting):
    """Before the probe, an SSH banner was read as a frame length (a 2.8 EiB allocation and a
    traceback) and a silent server (a web server waiting for a request) made the run wait for ever;
    then the banner gave one line that still quoted the library's 'MemoryError: Unable to allocate'."""
    with _foreign_server(greeting) as address:
        t = time.perf_counter()
        expected = "did not answer as a dask scheduler does" if greeting else "cannot reach a dask scheduler at"
        with pytest.raises(UserError, match=expected) as info:
            dask_client(address)
        assert time.perf_counter() - t < 30
        assert address in str(info.value) and "Error" not in str(info.value)   # ours, not the library's words


def test_a_malformed_scheduler_address_is_a_clear_error():
    with pytest.raises(UserError, match="scheduler"):
        dask_client("not an address at all://")
