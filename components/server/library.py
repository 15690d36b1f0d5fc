"""The runs a page's views draw, read from the shelf and rebuilt once per web process.

    page = library.page(tab, store)          # tab: the page's signed tab id; store: its runs store
    page.shown(selected_rows, current_id)    # RunRecords, from the shelf, each read once per process
    with page.model(run, epoch) as model:    # its model after ``epoch``, rebuilt once (prep and weights)
        model.rollout(200)
    page.at(run, epoch)                      # the run with that epoch's one-step forecasts

A slider move redraws three views of one run at one epoch; they share one rebuild.
What is kept is bounded by memory (``RunCache``: least recently used first), and
keyed by the tab as well as the run, so one page's request can never reach another
page's run, whatever ids it names. A tab id this server did not sign sees no runs.
A model is used by one thread at a time (the NumPy cells reuse their work arrays).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from components.server.shelf import MAX_RUNS, Shelf
from components.server.signing import Signer
from models.run import RunRecord, prepared, restore


class RunCache:
    """Least recently used first, within ``max_mb``; thread-safe (a web process serves in threads)."""

    def __init__(self, max_mb: float = 256) -> None:
        self.max_bytes = int(max_mb * 2**20)
        self.items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def __getstate__(self) -> dict:
        """A job process gets the services its callback closes over, pickled: not what this process drew."""
        return {"max_bytes": self.max_bytes}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["max_bytes"] / 2**20)

    def get(self, key: Any, make: Callable[[], Any], size: Callable[[Any], int]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key][0]
        value = make()  # outside the lock: two threads may both build it, and one copy is kept
        if value is None:
            return None
        nbytes = int(size(value))
        with self.lock:
            if key not in self.items:
                self.items[key] = (value, nbytes)
                self.size += nbytes
            while self.size > self.max_bytes and len(self.items) > 1:
                _, (_, n) = self.items.popitem(last=False)
                self.size -= n
            return self.items[key][0] if key in self.items else value


def record_bytes(run: RunRecord) -> int:
    arrays = list(run.weights.values()) + [a for _, w in run.snapshots for a in w.values()]
    points = len(run.series) + 2 * len(run.forecast.index) + 2 * len(run.rollout.pred)
    return sum(np.asarray(a).nbytes for a in arrays) + 8 * points + 65_536


def model_bytes(run: RunRecord) -> int:
    """About what a restored model holds: its windows (n x L x inputs) and its weights."""
    c = run.config
    return 8 * len(run.series) * (c.seq_len + 2) * c.inputs + sum(np.asarray(a).nbytes for a in run.weights.values())


class Held:
    """A rebuilt model and the lock its users take in turn."""

    def __init__(self, model) -> None:
        self.model, self.lock = model, threading.RLock()

    def __enter__(self):
        self.lock.acquire()
        return self.model

    def __exit__(self, *exc) -> None:
        self.lock.release()


class RunLibrary:
    """The shelf (where runs are kept) and this web process's cache of what was read and rebuilt."""

    def __init__(self, shelf: Shelf, signer: Signer, max_mb: float = 256) -> None:
        self.shelf, self.signer, self.cache = shelf, signer, RunCache(max_mb)

    def page(self, tab: Any, store: Any) -> "PageRuns":
        """The runs page ``tab`` may see, in the order its ``store`` lists them."""
        if not self.signer.valid_tab(tab):
            return PageRuns(self, "", ())
        entries = store if isinstance(store, list) else []
        ids = tuple(e["id"] for e in entries[:MAX_RUNS] if isinstance(e, dict) and isinstance(e.get("id"), str))
        return PageRuns(self, tab, ids)


@dataclass(frozen=True)
class PageRuns:
    library: RunLibrary
    tab: str
    ids: tuple[str, ...]  # newest first, as the page's runs store lists them

    def find(self, run_id: Any) -> RunRecord | None:
        if not self.tab or not isinstance(run_id, str) or run_id not in self.ids:
            return None
        lib = self.library
        return lib.cache.get(("run", self.tab, run_id), lambda: lib.shelf.get(self.tab, run_id), record_bytes)

    def paused(self, marker: Any) -> RunRecord | None:
        """The run of this page's paused job as it stands (``marker``: {"request", "epoch"}, the page's
        ``paused-run``), while the shelf holds that epoch's."""
        if not self.tab or not isinstance(marker, dict):
            return None
        request, epoch = marker.get("request"), marker.get("epoch")
        if not isinstance(request, str) or not isinstance(epoch, int):
            return None
        lib = self.library

        def read():  # a newer pause may have replaced it on the shelf: that one is not kept under this epoch
            record = lib.shelf.paused(self.tab, request)
            return record if record is not None and record.epochs_done == epoch else None

        return lib.cache.get(("paused", self.tab, request, epoch), read, record_bytes)

    def all(self) -> list[RunRecord]:
        """Every run the page lists and the shelf still has, newest first."""
        return [r for r in (self.find(i) for i in self.ids) if r is not None]

    def shown(self, selected_rows: Any, current_id: Any) -> list[RunRecord]:
        """The ticked runs (rows of the runs table, newest first), oldest first; or else the current one."""
        rows = [i for i in selected_rows if isinstance(i, int)] if isinstance(selected_rows, list) else []
        ticked = [self.find(self.ids[i]) for i in sorted(set(rows), reverse=True) if 0 <= i < len(self.ids)]
        ticked = [r for r in ticked if r is not None]
        if ticked:
            return ticked
        current = self.find(current_id)
        return [current] if current else []

    def _prep(self, run: RunRecord):
        return self.library.cache.get(("prep", self.tab, run.id), lambda: prepared(run),
                                      lambda _: model_bytes(run))

    @staticmethod
    def _weights_of(run: RunRecord, epoch: int | None) -> int | None:
        """The epoch whose weights ``epoch`` stands for: None for the run's own (its end, or no snapshot)."""
        return None if run.weights_at(epoch) is run.weights else epoch

    def model(self, run: RunRecord, epoch: int | None = None) -> Held:
        """``run``'s model with its weights after ``epoch`` (its final ones for None or its end), to use
        in a ``with`` block."""
        key = ("model", self.tab, run.id, self._weights_of(run, epoch))
        return self.library.cache.get(key, lambda: Held(restore(run.with_(weights=run.weights_at(epoch)),
                                                                prep=self._prep(run))),
                                      lambda _: model_bytes(run) // 4)

    def rollout(self, run: RunRecord, epoch: int | None, steps: int, band_passes: int = 0):
        """(``run``'s rollout of ``steps`` with its weights after ``epoch``, and with ``band_passes``, the
        low and high of that many Monte-Carlo dropout rollouts, else None); made once."""
        def make():
            with self.model(run, epoch) as model:
                return model.rollout(steps), model.rollout_band(steps, band_passes) if band_passes else None

        key = ("rollout", self.tab, run.id, self._weights_of(run, epoch), steps, band_passes)
        return self.library.cache.get(key, make, lambda _: 24 * steps + 4096)

    def member_paths(self, run: RunRecord, steps: int) -> np.ndarray:
        """An ensemble's members' rollouts of ``steps`` (k, steps) (``models.trust``); made once."""
        from models.trust import member_rollouts

        key = ("members", self.tab, run.id, steps)
        return self.library.cache.get(key, lambda: member_rollouts(run, steps, self._prep(run)),
                                      lambda a: a.nbytes + 4096)

    def remember(self, run: RunRecord, epoch: int | None, what: tuple, make: Callable[[], Any],
                 size: Callable[[Any], int]) -> Any:
        """What ``make`` computes of ``run`` with its weights after ``epoch`` (``what`` names it), made once
        and kept like the models: a replay that comes back to an epoch redraws from here."""
        key = ("view", self.tab, run.id, self._weights_of(run, epoch), *what)
        return self.library.cache.get(key, make, size)

    def at(self, run: RunRecord, epoch: int | None) -> RunRecord:
        """``run`` as it stood after ``epoch``: that epoch's weights and one-step forecasts."""
        if self._weights_of(run, epoch) is None:
            return run

        def make() -> RunRecord:
            with self.model(run, epoch) as model:
                return run.at_epoch(epoch, model)

        # it shares the run's arrays: only its forecasts are its own
        return self.library.cache.get(("at", self.tab, run.id, epoch), make, lambda r: 24 * len(r.forecast.index))
