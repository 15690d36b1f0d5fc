"""The runs of each page, kept on the server beside its jobs: the page holds their ids only.

    shelf = Shelf(DiskShelf(folder, size_mb=2048))          # or RedisShelf(client) under Celery
    numbered, gone = shelf.add(tab, records)                  # in the job process, as a run ends
    shelf.entries(tab)                                        # [{"id", "number"}], newest first
    shelf.get(tab, run_id)                                    # the RunRecord, or None

A run belongs to the tab that made it: every key holds the server-issued, signed tab
id (``components.server.signing``), and a page can name only its own (a callback reads the
tab id from the page and checks its signature). No other browser sees a run, and a
page's requests carry a few ids instead of every record.

Bounds: ``MAX_RUNS`` a tab (the oldest leaves, and the page names it); the shelf's
size on disk (least recently stored first; a run that left that way is dropped from
its tab's list when next read); and time: a tab's runs expire ``TTL_S`` after its
heartbeat last kept them, and at once when its page goes away (the page-hide beacon).
A reload is a new page with a new tab id, so it starts with no runs, as before.

Records are stored pickled: only this server's processes write them (a record from a
person's file is checked as a fresh run before it joins, ``components.page.views.runs_table``).
"""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Protocol

MAX_RUNS = 16  # a tab's runs; the oldest leaves when a new one would pass this
TTL_S = 900.0  # a tab's runs last this long after its heartbeat last kept them
FIRST_TTL_S = 60.0  # a job's first loss point waits this long for its page to fetch it
KEEP_EVERY_S = 60.0  # a heartbeat renews a tab's expiry at most this often (each renewal is a write per run)


class Backend(Protocol):
    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, ttl_s: float) -> None: ...

    def delete(self, key: str) -> None: ...

    def touch(self, key: str, ttl_s: float) -> None: ...

    def locked(self, name: str) -> Any: ...  # a context manager


class DiskShelf:
    """A diskcache folder: one machine, every process of it."""

    def __init__(self, folder: Path | str, size_mb: int = 2048) -> None:
        import diskcache

        self.cache = diskcache.Cache(str(folder), timeout=10, size_limit=size_mb * 2**20,
                                     eviction_policy="least-recently-stored")

    def get(self, key: str) -> Any:
        return self.cache.get(key)

    def set(self, key: str, value: Any, ttl_s: float) -> None:
        self.cache.set(key, value, expire=ttl_s)

    def delete(self, key: str) -> None:
        self.cache.delete(key)

    def touch(self, key: str, ttl_s: float) -> None:
        self.cache.touch(key, expire=ttl_s)

    def locked(self, name: str) -> Any:
        import diskcache

        return diskcache.Lock(self.cache, f"lock:{name}", expire=10)


class RedisShelf:
    """Redis, for web processes on several machines (with Celery)."""

    def __init__(self, client: Any, prefix: str = "gatelab:runs:") -> None:
        self.r, self.prefix = client, prefix

    def get(self, key: str) -> Any:
        raw = self.r.get(self.prefix + key)
        return None if raw is None else pickle.loads(raw)

    def set(self, key: str, value: Any, ttl_s: float) -> None:
        self.r.set(self.prefix + key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), px=int(ttl_s * 1000))

    def delete(self, key: str) -> None:
        self.r.delete(self.prefix + key)

    def touch(self, key: str, ttl_s: float) -> None:
        self.r.pexpire(self.prefix + key, int(ttl_s * 1000))

    def locked(self, name: str) -> Any:
        return self.r.lock(f"{self.prefix}lock:{name}", timeout=10, blocking_timeout=30)


def _index(tab: str) -> str:
    return f"tab:{tab}"


def _predictions(tab: str) -> str:
    return f"predict:{tab}"


def _run(tab: str, run_id: str) -> str:
    return f"run:{tab}:{run_id}"


class Shelf:
    def __init__(self, backend: Backend, max_runs: int = MAX_RUNS, ttl_s: float = TTL_S) -> None:
        self.backend, self.max_runs, self.ttl_s = backend, max_runs, ttl_s
        self._kept: dict[str, float] = {}  # tab -> when this process last renewed it
        self._kept_lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"backend": self.backend, "max_runs": self.max_runs, "ttl_s": self.ttl_s}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["backend"], state["max_runs"], state["ttl_s"])

    def add(self, tab: str, records: Iterable) -> tuple[list, list[int]]:
        """Number ``records`` after the tab's last run and put them first, oldest of them last;
        returns (the numbered records, the numbers of runs that left to keep ``max_runs``)."""
        records = list(records)
        if not records:
            return [], []
        with self.backend.locked(tab):
            index = self.backend.get(_index(tab)) or {"runs": [], "next": 1}
            numbered = []
            for record in records:
                numbered.append(record.with_(number=index["next"]))
                index["next"] += 1
            for record in numbered:
                self.backend.set(_run(tab, record.id), record, self.ttl_s)
            runs = [[r.id, r.number] for r in reversed(numbered)] + index["runs"]
            gone = runs[self.max_runs:]
            for run_id, _ in gone:
                self.backend.delete(_run(tab, run_id))
            index["runs"] = runs[: self.max_runs]
            self.backend.set(_index(tab), index, self.ttl_s)
        return numbered, [n for _, n in gone]

    def entries(self, tab: str) -> list[dict]:
        """The tab's runs, newest first: [{"id", "number"}]."""
        index = self.backend.get(_index(tab)) or {"runs": []}
        return [{"id": i, "number": n} for i, n in index["runs"]]

    def get(self, tab: str, run_id: str):
        """The tab's run ``run_id``, or None (another tab's, expired, or never made)."""
        if not isinstance(run_id, str) or not run_id:
            return None
        return self.backend.get(_run(tab, run_id))

    def put_first(self, tab: str, request_id: str, progress: Any) -> None:
        """A job's first loss point, for its page to fetch before the job's next poll (``components.page.train_bar``)."""
        self.backend.set(f"first:{tab}:{request_id}", progress, FIRST_TTL_S)

    def first(self, tab: str, request_id: str) -> Any:
        return self.backend.get(f"first:{tab}:{request_id}") if isinstance(request_id, str) else None

    def put_paused(self, tab: str, request_id: str, record: Any) -> None:
        """The run of a paused job as it stands (one per job, replaced at each pause), for its page's views."""
        self.backend.set(f"paused:{tab}:{request_id}", record, self.ttl_s)

    def paused(self, tab: str, request_id: Any) -> Any:
        return self.backend.get(f"paused:{tab}:{request_id}") if isinstance(request_id, str) else None

    def put_prediction(self, tab: str, lesson: str, choice: str) -> dict:
        """The tab's answer to a lesson's question (``models.questions``), kept with its runs; returns them all."""
        with self.backend.locked(tab):
            answers = dict(self.backend.get(_predictions(tab)) or {})
            answers[lesson] = choice
            self.backend.set(_predictions(tab), answers, self.ttl_s)
        return answers

    def predictions(self, tab: str) -> dict:
        """{lesson: choice}: the tab's predictions so far."""
        return dict(self.backend.get(_predictions(tab)) or {})

    def keep(self, tab: str) -> None:
        """The tab's page is open (its heartbeat): its runs last ``ttl_s`` more (renewed once a minute)."""
        now = time.monotonic()
        with self._kept_lock:
            if now - self._kept.get(tab, -KEEP_EVERY_S) < KEEP_EVERY_S:
                return
            self._kept[tab] = now
            if len(self._kept) > 10_000:  # a long-lived process forgets tabs long gone
                self._kept = {t: s for t, s in self._kept.items() if now - s < KEEP_EVERY_S}
        self.backend.touch(_predictions(tab), self.ttl_s)
        index = self.backend.get(_index(tab))
        if index is None:
            return
        self.backend.touch(_index(tab), self.ttl_s)
        for run_id, _ in index["runs"]:
            self.backend.touch(_run(tab, run_id), self.ttl_s)

    def forget(self, tab: str) -> None:
        """The tab's page went away: its runs go now."""
        with self.backend.locked(tab):
            index = self.backend.get(_index(tab)) or {"runs": []}
            for run_id, _ in index["runs"]:
                self.backend.delete(_run(tab, run_id))
            self.backend.delete(_index(tab))
            self.backend.delete(_predictions(tab))
