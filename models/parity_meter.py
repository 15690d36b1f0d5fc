"""The parity meter: during Train all, how far apart the NumPy and PyTorch
runs of each cell are, epoch by epoch.

Train all trains every cell on NumPy first, then on PyTorch, from the same weights and on the
same batches. The meter keeps each NumPy run's training loss and weights after every epoch
(within ``BUDGET_BYTES``; past it, every k-th epoch), and as the PyTorch run of the same cell
ends each epoch it shows the largest absolute difference of the two losses and of any
weight. When Train all ends it adds the largest difference of their one-step forecasts on the
test part. The lesson "the two implementations agree" becomes a number a class watches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BUDGET_BYTES = 64 * 2**20  # the NumPy runs' weights the meter keeps in a job, together


@dataclass
class CellParity:
    epochs: int  # the epochs each run trains
    every: int = 1  # the epochs compared: every ``every``-th (and the last)
    numpy: dict[int, tuple[float, np.ndarray]] = field(default_factory=dict)  # epoch -> (loss, flat weights)
    compared: list[tuple[int, float, float]] = field(default_factory=list)  # (epoch, |d loss|, max |d weight|)
    forecasts: float | None = None  # max |d forecast| once both runs are done


def flat(weights: dict) -> np.ndarray:
    return np.concatenate([np.asarray(weights[k], dtype=np.float64).ravel() for k in sorted(weights)])


class ParityMeter:
    """Fed by a Train all job's runs in turn (``begin``, then ``epoch`` after each epoch)."""

    def __init__(self, configs: list) -> None:
        backends = {}
        for c in configs:
            backends.setdefault(c.cell, set()).add(c.backend)
        self.cells = {c.cell: CellParity(c.train.epochs) for c in configs
                      if backends[c.cell] >= {"numpy", "torch"} and c.backend == "numpy"}
        self.current: tuple[str, str] | None = None

    def begin(self, config) -> None:
        self.current = (config.backend, config.cell)

    def epoch(self, log, weights) -> None:
        """After an epoch of the current run: keep the NumPy run's numbers, compare the PyTorch run's."""
        if self.current is None or self.current[1] not in self.cells:
            return
        backend, cell = self.current
        meter = self.cells[cell]
        due = log.epoch == 1 or log.epoch % meter.every == 0 or log.epoch == meter.epochs
        if backend == "numpy":
            if due:
                w = flat(weights())
                if log.epoch == 1:  # size the budget by the first epoch's weights: every k-th epoch past it
                    share = BUDGET_BYTES / max(1, len(self.cells))
                    meter.every = max(1, math.ceil(meter.epochs * w.nbytes / share))
                meter.numpy[log.epoch] = (float(log.train_loss), w)
        elif backend == "torch" and log.epoch in meter.numpy:
            loss, w = meter.numpy[log.epoch]
            meter.compared.append((log.epoch, abs(float(log.train_loss) - loss),
                                   float(np.max(np.abs(flat(weights()) - w)))))

    def finish(self, runs: list) -> None:
        """Train all has ended: the forecasts' largest difference for each cell whose two runs finished."""
        by = {(r.config.backend, r.config.cell): r for r in runs}
        for cell, meter in self.cells.items():
            a, b = by.get(("numpy", cell)), by.get(("torch", cell))
            if a is not None and b is not None and len(a.forecast.pred) == len(b.forecast.pred):
                meter.forecasts = float(np.max(np.abs(np.asarray(a.forecast.pred) - np.asarray(b.forecast.pred))))
            meter.numpy.clear()  # done with them

    def rows(self) -> list[dict]:
        """What the page shows: per cell, the epochs compared and the latest and largest differences."""
        out = []
        for cell, m in self.cells.items():
            last = m.compared[-1] if m.compared else None
            out.append({"cell": cell, "epochs": m.epochs, "every": m.every, "compared": len(m.compared),
                        "epoch": last[0] if last else None, "loss": last[1] if last else None,
                        "weights": last[2] if last else None,
                        "max_loss": max((c[1] for c in m.compared), default=None),
                        "max_weights": max((c[2] for c in m.compared), default=None), "forecasts": m.forecasts})
        return out
