"""Classroom job control: a cap on running jobs, a queue in order, one job per browser
session, and a way to notice that nobody is watching a job any more.

The board is ``{"next", "slots", "waiting", "running"}`` (ticket -> entry), kept
where every web worker and every job sees it: a JSON file under ``flock`` on one
machine (``FileStore``), or a Redis key under a Redis lock when Celery workers run
elsewhere (``RedisStore``). Changes happen under the lock; reads need none.
The kernel queues ``flock`` waiters and wakes them in turn, so no writer starves
(docs/decisions.md, "The job board under flock").

Cancel is a request on the board (``cancel``): the job looks for it several times
a second, ends its run and says "cancelled", keeping the epochs it finished. Pause,
Step and the slow speed are requests of the same kind (``pause``, ``step``,
``set_slow``): the job holds at the end of an epoch while its pause stands. A
second job of the same tab asks the first to stop the same way, and the first
says it was replaced. A job can still die at any moment (a worker may vanish),
so no ``finally`` block is relied on. An entry counts only while its lease is fresh and, when
it comes from this machine, while its process is alive: a killed job's slot is
free at the next look, and a job that stopped renewing loses its place after
``lease_s``. Pages send a heartbeat every few seconds; a job whose page has been
silent for ``heartbeat_s`` (a closed tab) stops itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Protocol

import psutil

Board = dict  # {"next": int, "slots": int, "waiting": {ticket: entry}, "running": {ticket: entry}}
HOST = socket.gethostname()
CANCEL_TTL_S = 3600.0  # a cancel request (and a pause, a step, a speed) is kept this long
CONTROLS = ("cancel-", "replaced-", "pause-", "step-", "slow-")  # what a page asks of its job
SWEEP_EVERY_S = 30.0  # how often a heartbeat may look for files of pages long gone
ALIVE_KEEP_S = 600.0  # a page's heartbeat file is forgotten this long after its last beat


class QueueFull(RuntimeError):
    """One client already has as many runs waiting or running as the server allows."""


class Store(Protocol):
    def load(self) -> dict: ...

    def locked(self) -> Any: ...  # a context manager

    def save(self, board: dict) -> None: ...

    def touch(self, name: str, ttl_s: float) -> None: ...

    def touched(self, name: str, ttl_s: float) -> bool: ...

    def forget(self, name: str) -> None: ...


class FileStore:
    """The board in ``folder``: board.json (atomic rename), board.lock (flock), alive/ (mtimes)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        (self.folder / "alive").mkdir(parents=True, exist_ok=True)
        self._file = self.folder / "board.json"

    def load(self) -> dict:
        try:
            return json.loads(self._file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    @contextmanager
    def locked(self) -> Iterator[None]:
        with open(self.folder / "board.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released on close, or when the process dies
            yield

    def save(self, board: dict) -> None:
        tmp = self._file.with_name(f"board.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(board))
        os.replace(tmp, self._file)

    def touch(self, name: str, ttl_s: float) -> None:
        (self.folder / "alive" / name).touch()
        self._sweep()

    def forget(self, name: str) -> None:
        (self.folder / "alive" / name).unlink(missing_ok=True)

    def touched(self, name: str, ttl_s: float) -> bool:
        try:
            return time.time() - (self.folder / "alive" / name).stat().st_mtime < ttl_s
        except FileNotFoundError:
            return False

    def _sweep(self) -> None:
        """Forget pages long silent and old cancel requests, so the folder does not grow without
        bound; at most every ``SWEEP_EVERY_S`` for all processes (a marker file's mtime says when)."""
        now = time.time()
        marker = self.folder / "swept"
        try:
            if now - marker.stat().st_mtime < SWEEP_EVERY_S:
                return
        except FileNotFoundError:
            pass
        marker.touch()
        for f in (self.folder / "alive").iterdir():
            keep = CANCEL_TTL_S if f.name.startswith(CONTROLS) else ALIVE_KEEP_S
            try:
                if f.stat().st_mtime < now - keep:
                    f.unlink()
            except FileNotFoundError:
                pass


class RedisStore:
    """The board in Redis, for Celery workers on several machines."""

    def __init__(self, client: Any, prefix: str = "gatelab:") -> None:
        self.r, self.prefix = client, prefix

    def load(self) -> dict:
        raw = self.r.get(self.prefix + "board")
        return json.loads(raw) if raw else {}

    def locked(self) -> Any:
        # a lock with a timeout: a holder killed mid-change cannot block the board for long
        return self.r.lock(self.prefix + "board-lock", timeout=10, blocking_timeout=30)

    def save(self, board: dict) -> None:
        self.r.set(self.prefix + "board", json.dumps(board))

    def touch(self, name: str, ttl_s: float) -> None:
        self.r.set(f"{self.prefix}alive:{name}", 1, px=int(ttl_s * 1000))

    def touched(self, name: str, ttl_s: float) -> bool:
        return bool(self.r.exists(f"{self.prefix}alive:{name}"))

    def forget(self, name: str) -> None:
        self.r.delete(f"{self.prefix}alive:{name}")


def _alive(entry: dict) -> bool:
    if entry.get("host", HOST) != HOST:
        return True  # another machine's process: its lease alone decides
    try:
        return psutil.Process(entry["pid"]).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _safe(session: str) -> str:
    return "".join(c for c in session if c.isalnum() or c in "-_")[:64] or "anonymous"


class JobBoard:
    def __init__(self, store: Store | Path | str, slots: int, lease_s: float = 120.0,
                 heartbeat_s: float = 20.0) -> None:
        self.store = store if hasattr(store, "locked") else FileStore(store)
        self.slots, self.lease_s, self.heartbeat_s = slots, lease_s, heartbeat_s

    # -- the page ------------------------------------------------------------
    def beat(self, session: str) -> None:
        """The page of ``session`` is open."""
        self.store.touch(_safe(session), self.heartbeat_s)

    def watched(self, session: str) -> bool:
        return self.store.touched(_safe(session), self.heartbeat_s)

    def closed(self, session: str) -> None:
        """The page of ``session`` has gone (its tab closed or reloaded): its job stops at its next look."""
        self.store.forget(_safe(session))

    def cancel(self, request_id: str) -> None:
        """Ask the job of ``request_id`` to stop; it ends its run and reports "cancelled"."""
        self.store.touch(f"cancel-{_safe(request_id)}", CANCEL_TTL_S)

    def cancelled(self, request_id: str) -> bool:
        return self.store.touched(f"cancel-{_safe(request_id)}", CANCEL_TTL_S)

    def pause(self, request_id: str, paused: bool = True) -> None:
        """Ask the job of ``request_id`` to hold at the end of its epoch (``paused``), or to go on."""
        name = f"pause-{_safe(request_id)}"
        if paused:
            self.store.touch(name, CANCEL_TTL_S)
        else:
            self.store.forget(name)
            self.store.forget(f"step-{_safe(request_id)}")

    def paused(self, request_id: str) -> bool:
        return self.store.touched(f"pause-{_safe(request_id)}", CANCEL_TTL_S)

    def step(self, request_id: str) -> None:
        """Ask the paused job of ``request_id`` for one more epoch (it then holds again)."""
        self.store.touch(f"step-{_safe(request_id)}", CANCEL_TTL_S)

    def take_step(self, request_id: str) -> bool:
        """Whether a step was asked for since the last look; the request is used up."""
        name = f"step-{_safe(request_id)}"
        if not self.store.touched(name, CANCEL_TTL_S):
            return False
        self.store.forget(name)
        return True

    def set_slow(self, request_id: str, slow: bool) -> None:
        """Train the job of ``request_id`` at about an epoch a second (``slow``), or at full speed."""
        name = f"slow-{_safe(request_id)}"
        if slow:
            self.store.touch(name, CANCEL_TTL_S)
        else:
            self.store.forget(name)

    def slow(self, request_id: str) -> bool:
        return self.store.touched(f"slow-{_safe(request_id)}", CANCEL_TTL_S)

    def replaced(self, request_id: str) -> bool:
        """Whether a newer job of the same tab asked the job of ``request_id`` to stop."""
        return self.store.touched(f"replaced-{_safe(request_id)}", CANCEL_TTL_S)

    # -- the job -------------------------------------------------------------
    def join(self, session: str, request_id: str = "", client: str = "", max_per_client: int = 0) -> int:
        """Queue the calling process for ``session``; any other job of that session is asked to stop
        (it says it was replaced). ``QueueFull`` when ``client`` (an address) already has
        ``max_per_client`` other jobs waiting or running (0: no limit)."""
        with self._changing() as board:
            mine = (os.getpid(), HOST)
            others = [e for entries in (board["waiting"], board["running"]) for e in entries.values()
                      if (e["pid"], e.get("host")) != mine]
            same_tab = [e for e in others if e["session"] == session]
            from_client = [e for e in others if client and e.get("client") == client
                           and e["session"] != session]
            if max_per_client and len(from_client) >= max_per_client:
                raise QueueFull(f"this computer already has {len(from_client)} runs waiting or running, the most "
                                f"this server allows (GATELAB_MAX_QUEUED_PER_CLIENT); wait for one to finish")
            for e in same_tab:
                self.store.touch(f"replaced-{_safe(e.get('request', ''))}", CANCEL_TTL_S)  # it stops within a second
            ticket = board["next"]
            board["next"] += 1
            board["waiting"][ticket] = {"pid": os.getpid(), "host": HOST, "session": session, "request": request_id,
                                        "client": client, "renewed": time.time()}
        return ticket

    def try_start(self, ticket: int) -> int:
        """0 if ``ticket`` now holds a slot (it moves to running), else its place in the queue (1 = next).

        A waiting job calls this several times a second: it reads without the lock, and
        locks only to claim a slot or, now and then, to renew its lease.
        """
        board = self._read()
        place = self._place(board, ticket)
        entry = board["waiting"].get(ticket)
        if place > 0 and entry is not None and time.time() - entry["renewed"] < self.lease_s / 4:
            return place
        with self._changing() as board:
            place = self._place(board, ticket)
            if place == 0 and ticket in board["waiting"]:
                board["running"][ticket] = board["waiting"].pop(ticket)
            for entries in (board["waiting"], board["running"]):
                if ticket in entries:
                    entries[ticket]["renewed"] = time.time()
        return place

    def renew(self, ticket: int) -> None:
        with self._changing() as board:
            for entries in (board["waiting"], board["running"]):
                if ticket in entries:
                    entries[ticket]["renewed"] = time.time()

    def leave(self, ticket: int) -> None:
        with self._changing() as board:
            board["waiting"].pop(ticket, None)
            board["running"].pop(ticket, None)

    def set_slots(self, slots: int) -> None:
        """How many jobs may run at once, for every process that reads this board."""
        with self._changing() as board:
            board["slots"] = slots
        self.slots = slots

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        board = self._read()
        return len(board["running"]), len(board["waiting"])

    # -- internals -----------------------------------------------------------
    def _place(self, board: Board, ticket: int) -> int:
        if ticket in board["running"]:
            return 0
        if ticket not in board["waiting"]:
            raise LookupError(f"ticket {ticket} is not on the board (its lease ran out)")
        ahead = sum(1 for t in board["waiting"] if t < ticket)
        return 0 if ahead < board.get("slots", self.slots) - len(board["running"]) else ahead + 1

    def _read(self) -> Board:
        """The board without entries whose process is gone or whose lease ran out."""
        raw = self.store.load()
        now = time.time()
        board: Board = {"next": raw.get("next", 1)}
        if "slots" in raw:
            board["slots"] = raw["slots"]
        for name in ("waiting", "running"):
            board[name] = {int(t): e for t, e in raw.get(name, {}).items()
                           if now - e["renewed"] < self.lease_s and _alive(e)}
        return board

    @contextmanager
    def _changing(self) -> Iterator[Board]:
        """The live board, under the lock; saved when the block ends."""
        with self.store.locked():
            board = self._read()
            yield board
            self.store.save(board)
