"""The job board with real processes: slots, the queue's order, SIGKILL, one job per session."""

import multiprocessing as mp
import os
import signal
import time

import pytest

from components.jobs import JobBoard
from components.runner import Watch

CTX = mp.get_context("fork")


def member(folder, session, slots, reports):
    """A stand-in job: joins, waits its turn while reporting its place, then holds its slot."""
    board = JobBoard(folder, slots)
    ticket = board.join(session)
    last = None
    while True:
        place = board.try_start(ticket)
        if place != last:
            reports.put((session, place))
            last = place
        if place == 0:
            time.sleep(60)
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

    def expect(session, place, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = reports.get(timeout=0.2)
            except Exception:
                continue
            if got == (session, place):
                return
        raise AssertionError(f"{session} never reported place {place}")

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
    assert watch() is False and watch.reason == ""
    time.sleep(0.4)
    watch.next_check = 0.0
    assert watch() is True and watch.reason == "stopped: its page was closed"
    late = Watch(None, None, "r1", "s", limit_s=0.0)
    time.sleep(0.01)
    assert late() is True and "longest a run may take" in late.reason


def test_thirty_processes_join_at_once_and_get_thirty_tickets(tmp_path):
    """The crowd that starved SQLite: every join must go through, each with its own ticket."""
    reports = CTX.Queue()

    def join(folder):
        board = JobBoard(folder, slots=2)
        reports.put(board.join(f"s{os.getpid()}"))
        time.sleep(3)

    procs = [CTX.Process(target=join, args=(str(tmp_path),), daemon=True) for _ in range(30)]
    for p in procs:
        p.start()
    tickets = sorted(reports.get(timeout=20) for _ in procs)
    assert tickets == list(range(1, 31))
    assert JobBoard(tmp_path, slots=2).counts() == (0, 30)
    for p in procs:
        p.join(10)
    assert JobBoard(tmp_path, slots=2).counts() == (0, 0)  # gone with their processes


def test_cancel_is_a_request_that_only_its_own_job_sees(tmp_path):
    board = JobBoard(tmp_path, slots=1)
    board.beat("s")
    mine, other = Watch(board, None, "r1", "s", limit_s=60), Watch(board, None, "r2", "s", limit_s=60)
    assert mine() is False and other() is False
    board.cancel("r1")
    mine.next_check = other.next_check = 0.0
    assert mine() is True and mine.reason == "cancelled"
    assert other() is False and other.reason == ""
