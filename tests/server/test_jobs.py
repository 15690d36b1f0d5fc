"""The job board with real processes: slots, the queue's order, SIGKILL, one job per session,
a bound per client, and heartbeat files that do not pile up."""

import multiprocessing as mp
import os
import signal
import time

import pytest

from components.server.board import JobBoard
from components.server.job import Watch

CTX = mp.get_context("fork")


def member(folder, session, slots, reports):
    """A stand-in job: joins, waits its turn while reporting its place, then holds its slot."""
    board = JobBoard(folder, slots)
    request = f"{session}{os.getpid()}"
    ticket = board.join(session, request)
    last = None
    while True:
        if board.replaced(request):  # as a real job's Watch does: it stops, and says why
            board.leave(ticket)
            return
        place = board.try_start(ticket) if last != 0 else 0  # holds its slot once it has one
        if place != last:
            reports.put((session, place))
            last = place
        time.sleep(0.02)


@pytest.fixture
def room(tmp_path):
    reports = CTX.Queue()
    procs = []

    def start(session, slots=1):
        p = CTX.Process(target=member, args=(str(tmp_path), session, slots, reports), daemon=True)
        p.start()
        procs.append(p)
        return p

    seen = []  # every report so far: one member's report may arrive while the test waits for another's

    def expect(session, place, timeout=5.0):
        deadline = time.monotonic() + timeout
        while (session, place) not in seen and time.monotonic() < deadline:
            try:
                seen.append(reports.get(timeout=0.2))
            except Exception:
                continue
        if (session, place) not in seen:
            raise AssertionError(f"{session} never reported place {place}; reports: {seen}")

    yield start, expect, str(tmp_path)
    for p in procs:
        if p.is_alive():
            os.kill(p.pid, signal.SIGKILL)
        p.join(2)


def test_queue_in_order_and_a_killed_job_frees_its_slot(room):
    start, expect, _ = room
    a = start("a")
    expect("a", 0)
    start("b")
    expect("b", 1)
    start("c")
    expect("c", 2)
    os.kill(a.pid, signal.SIGKILL)  # as Dash's Cancel does: no finally block runs
    a.join(2)
    expect("b", 0)
    expect("c", 1)


def test_two_slots_run_two_at_once(room):
    start, expect, _ = room
    start("a", slots=2)
    expect("a", 0)
    start("b", slots=2)
    expect("b", 0)
    start("c", slots=2)
    expect("c", 1)


def test_a_new_job_of_the_same_session_replaces_the_old_one(room):
    start, expect, _ = room
    old = start("tab")
    expect("tab", 0)
    start("other")
    expect("other", 1)
    new = start("tab")
    old.join(5)
    assert not old.is_alive()  # stopped by its successor
    expect("tab", 1)  # and the successor queues behind "other", which was there first
    assert new.is_alive()


def test_stale_leases_do_not_count(tmp_path):
    board = JobBoard(tmp_path, slots=1, lease_s=0.2)
    ticket = board.join("s")
    assert board.try_start(ticket) == 0 and board.counts() == (1, 0)
    time.sleep(0.3)
    assert board.counts() == (0, 0)  # a job that stopped renewing lost its slot
    with pytest.raises(LookupError, match="lease ran out"):
        board.try_start(ticket)


def test_heartbeat_and_watch(tmp_path):
    board = JobBoard(tmp_path, slots=1, heartbeat_s=0.3)
    ticket = board.join("s")
    board.try_start(ticket)
    board.beat("s")
    watch = Watch(board, ticket, "r1", "s", limit_s=60)
    assert watch.poll() is False and watch() is False and watch.reason == ""
    time.sleep(0.4)
    assert watch() is False  # calling it only reads what the last look found
    assert watch.poll() is True and watch() is True and watch.reason == "stopped: its page was closed"
    late = Watch(None, None, "r1", "s", limit_s=0.0)
    time.sleep(0.01)
    assert late.poll() is True and "longest a run may take" in late.reason


def test_thirty_processes_join_at_once_and_get_thirty_tickets(tmp_path):
    """The crowd that starved SQLite: every join must go through, each with its own ticket."""
    reports = CTX.Queue()
    counted = CTX.Event()  # each process stays until the board was counted: a loaded machine cannot end one early

    def join(folder):
        board = JobBoard(folder, slots=2)
        reports.put(board.join(f"s{os.getpid()}"))
        counted.wait(60)

    procs = [CTX.Process(target=join, args=(str(tmp_path),), daemon=True) for _ in range(30)]
    for p in procs:
        p.start()
    tickets = sorted(reports.get(timeout=20) for _ in procs)
    assert tickets == list(range(1, 31))
    assert JobBoard(tmp_path, slots=2).counts() == (0, 30)
    counted.set()
    for p in procs:
        p.join(10)
    assert JobBoard(tmp_path, slots=2).counts() == (0, 0)  # gone with their processes


def test_cancel_is_a_request_that_only_its_own_job_sees(tmp_path):
    board = JobBoard(tmp_path, slots=1)
    board.beat("s")
    mine, other = Watch(board, None, "r1", "s", limit_s=60), Watch(board, None, "r2", "s", limit_s=60)
    assert mine.poll() is False and other.poll() is False
    board.cancel("r1")
    assert mine.poll() is True and mine.reason == "cancelled"
    assert other.poll() is False and other.reason == ""


def test_a_job_keeps_its_lease_while_its_process_lives(tmp_path):
    """A running job renews its lease from its watching thread, however long a phase takes."""
    board = JobBoard(tmp_path, slots=1, lease_s=0.5)
    board.beat("s")
    ticket = board.join("s", "r1")
    assert board.try_start(ticket) == 0
    watch = Watch(board, ticket, "r1", "s", limit_s=60)
    import components.server.job as runner
    old, runner.RENEW_EVERY_S = runner.RENEW_EVERY_S, 0.1
    try:
        for _ in range(10):
            time.sleep(0.1)
            watch.poll()
        assert board.counts() == (1, 0)  # 1 s past a 0.5 s lease, still on the board
    finally:
        runner.RENEW_EVERY_S = old


def test_one_client_may_queue_only_so_many_runs(tmp_path):
    from components.server.board import QueueFull

    board = JobBoard(tmp_path, slots=1)
    first = board.join("tab1", "r1", client="10.0.0.7", max_per_client=2)
    board.join("tab2", "r2", client="10.0.0.7", max_per_client=2)
    # join() counts other processes' entries; these two share this test's pid, so give them another
    raw = board.store.load()
    for t in raw["waiting"]:
        raw["waiting"][t]["pid"] = os.getppid()
    board.store.save(raw)
    with pytest.raises(QueueFull, match="this computer already has 2 runs waiting or running"):
        board.join("tab3", "r3", client="10.0.0.7", max_per_client=2)
    board.join("tab4", "r4", client="10.0.0.8", max_per_client=2)  # another computer is not held up
    assert first in board._read()["waiting"]


def test_heartbeats_of_many_pages_do_not_slow_each_other(tmp_path):
    """The sweep for old heartbeat files runs at most every SWEEP_EVERY_S, not on every beat."""
    from components.server.board import FileStore

    board = JobBoard(tmp_path, slots=1)
    for i in range(3000):
        board.beat(f"page{i}")
    swept = []
    original = FileStore._sweep

    def counting(self):
        swept.append(1)
        original(self)

    FileStore._sweep = counting
    try:
        start = time.perf_counter()
        for i in range(200):
            board.beat("page1")
    finally:
        FileStore._sweep = original
    marker = tmp_path / "swept"
    assert marker.exists()
    # every beat still calls the sweep, but it returns at once until the marker is old
    assert len(swept) == 200
    old = time.time() - 3600
    for f in list((tmp_path / "alive").iterdir())[:100]:
        os.utime(f, (old, old))
    os.utime(marker, (old, old))
    board.beat("page1")
    assert len(list((tmp_path / "alive").iterdir())) == 2900  # the hour-old ones went, at the next sweep
