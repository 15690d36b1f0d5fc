"""Classroom job control: a cap on running jobs, a queue in order, one job per browser
session, and a way to notice that nobody is watching a job any more.

The state lives in the shared diskcache, so every web worker and every job process
sees the same board: two dicts (``waiting`` and ``running``, ticket -> entry),
read and written only inside a cache transaction.

Dash cancels a job with SIGKILL, so no ``finally`` block can be relied on. An
entry therefore counts only while its process is alive *and* its lease is
fresh: a killed job's slot is free at the next look, and a job that stopped
renewing (hung, or on a machine that went away) loses its place after
``lease_s``. Pages send a heartbeat every few seconds; a job whose page has been
silent for ``heartbeat_s`` (closed or reloaded tab) stops itself.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import psutil

KEY = "gatelab:board"
TICKET = "gatelab:ticket"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class JobBoard:
    cache: Any  # diskcache.Cache or FanoutCache shared by the web workers and the jobs
    slots: int
    lease_s: float = 120.0
    heartbeat_s: float = 20.0

    # -- the page ------------------------------------------------------------
    def beat(self, session: str) -> None:
        """The page of ``session`` is open."""
        self.cache.set(f"gatelab:alive:{session}", time.time(), expire=self.heartbeat_s)

    def watched(self, session: str) -> bool:
        return self.cache.get(f"gatelab:alive:{session}") is not None

    # -- the job -------------------------------------------------------------
    def join(self, session: str) -> int:
        """Queue the calling process for ``session``; any other job of that session is stopped."""
        ticket = self.cache.incr(TICKET)
        with self.cache.transact():
            board = self._live()
            for entries in board.values():
                for t, e in list(entries.items()):
                    if e["session"] == session and e["pid"] != os.getpid():
                        _kill(e["pid"])
                        del entries[t]
            board["waiting"][ticket] = {"pid": os.getpid(), "session": session, "renewed": time.time()}
            self.cache.set(KEY, board)
        return ticket

    def try_start(self, ticket: int) -> int:
        """0 if ``ticket`` now holds a slot (it moves to running), else its place in the queue (1 = next)."""
        with self.cache.transact():
            board = self._live()
            if ticket in board["running"]:
                return 0
            if ticket not in board["waiting"]:
                raise LookupError(f"ticket {ticket} is not on the board (its lease ran out)")
            ahead = sorted(t for t in board["waiting"] if t < ticket)
            free = self.slots - len(board["running"])
            if len(ahead) < free:
                entry = board["waiting"].pop(ticket)
                entry["renewed"] = time.time()
                board["running"][ticket] = entry
                self.cache.set(KEY, board)
                return 0
            board["waiting"][ticket]["renewed"] = time.time()
            self.cache.set(KEY, board)
            return len(ahead) + 1

    def renew(self, ticket: int) -> None:
        with self.cache.transact():
            board = self._live()
            for entries in board.values():
                if ticket in entries:
                    entries[ticket]["renewed"] = time.time()
            self.cache.set(KEY, board)

    def leave(self, ticket: int) -> None:
        with self.cache.transact():
            board = self._live()
            for entries in board.values():
                entries.pop(ticket, None)
            self.cache.set(KEY, board)

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self.cache.transact():
            board = self._live()
        return len(board["running"]), len(board["waiting"])

    def _live(self) -> dict[str, dict[int, dict]]:
        """The board without entries whose process is gone or whose lease ran out."""
        board = self.cache.get(KEY) or {"waiting": {}, "running": {}}
        now = time.time()
        return {
            name: {t: e for t, e in entries.items() if now - e["renewed"] < self.lease_s and _alive(e["pid"])}
            for name, entries in board.items()
        }


def _kill(pid: int) -> None:
    try:
        psutil.Process(pid).kill()
    except psutil.NoSuchProcess:
        pass
