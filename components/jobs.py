"""Classroom job control: a cap on running jobs, a queue in order, one job per browser
session, and a way to notice that nobody is watching a job any more.

The board is a small JSON file in the cache folder, so every web worker and every
job process on the machine sees the same one: ``waiting`` and ``running`` (ticket ->
entry) and the next ticket number. Changes happen under an exclusive ``flock``
and land by atomic rename, so a reader without the lock always sees a whole
board. (An SQLite transaction was the first design; with 30 students at once its
busy handler, which sleeps and retries, starved one writer for a full minute.
The kernel queues ``flock`` waiters and wakes them on release.)

Dash cancels a job with SIGKILL, so no ``finally`` block can be relied on. The
kernel drops a killed process's ``flock``, and an entry counts only while its
process is alive *and* its lease is fresh: a killed job's slot is free at the
next look, and a job that stopped renewing loses its place after ``lease_s``.
Pages send a heartbeat every few seconds (a file's modification time); a job
whose page has been silent for ``heartbeat_s`` stops itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

Board = dict  # {"next": int, "slots": int, "waiting": {ticket: entry}, "running": {ticket: entry}}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class JobBoard:
    folder: Path
    slots: int
    lease_s: float = 120.0
    heartbeat_s: float = 20.0

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        (self.folder / "alive").mkdir(parents=True, exist_ok=True)
        self._file = self.folder / "board.json"
        self._lock = self.folder / "board.lock"

    # -- the page ------------------------------------------------------------
    def beat(self, session: str) -> None:
        """The page of ``session`` is open."""
        (self.folder / "alive" / _safe(session)).touch()

    def watched(self, session: str) -> bool:
        try:
            return time.time() - (self.folder / "alive" / _safe(session)).stat().st_mtime < self.heartbeat_s
        except FileNotFoundError:
            return False

    # -- the job -------------------------------------------------------------
    def join(self, session: str) -> int:
        """Queue the calling process for ``session``; any other job of that session is stopped."""
        with self._changing() as board:
            ticket = board["next"]
            board["next"] += 1
            for entries in (board["waiting"], board["running"]):
                for t, e in list(entries.items()):
                    if e["session"] == session and e["pid"] != os.getpid():
                        _kill(e["pid"])
                        del entries[t]
            board["waiting"][ticket] = {"pid": os.getpid(), "session": session, "renewed": time.time()}
        self._sweep_heartbeats()
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
        try:
            raw = json.loads(self._file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            raw = {}
        now = time.time()
        board: Board = {"next": raw.get("next", 1)}
        if "slots" in raw:
            board["slots"] = raw["slots"]
        for name in ("waiting", "running"):
            board[name] = {int(t): e for t, e in raw.get(name, {}).items()
                           if now - e["renewed"] < self.lease_s and _alive(e["pid"])}
        return board

    @contextmanager
    def _changing(self) -> Iterator[Board]:
        """The live board, under the lock; written back (atomically) when the block ends."""
        with open(self._lock, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            board = self._read()
            yield board
            tmp = self._file.with_name(f"board.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(board))
            os.replace(tmp, self._file)
        # the lock goes with the file's closing, or with the process

    def _sweep_heartbeats(self) -> None:
        """Forget pages silent for an hour, so the folder does not grow without bound."""
        old = time.time() - 3600
        for f in (self.folder / "alive").iterdir():
            try:
                if f.stat().st_mtime < old:
                    f.unlink()
            except FileNotFoundError:
                pass


def _safe(session: str) -> str:
    return "".join(c for c in session if c.isalnum() or c in "-_")[:64] or "anonymous"


def _kill(pid: int) -> None:
    try:
        psutil.Process(pid).kill()
    except psutil.NoSuchProcess:
        pass
