"""The training loop. It knows no model: it asks for an optimizer and reports through hooks.

    history = train(model, X_train, y_train, X_test, y_test, config,
                    on_epoch_end=lambda log: ..., should_stop=lambda: ...)

The command line binds ``on_epoch_end`` to a progress bar; the dashboard binds it
to live progress and ``should_stop`` to its Cancel button.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from models.base import RecurrentRegressor
from models.rules import BATCH, CLIP_NORM, EPOCHS, LEARNING_RATE, PATIENCE, SEED, VAL_FRACTION
GRAD_FLOW_EVERY = 5  # epochs between two measurements of the gradient flow (also the first and last)
GRAD_FLOW_BATCH = 64  # the first training windows: the same batch every time


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings; validates itself."""

    epochs: int = 60
    learning_rate: float = 2e-3
    batch_size: int = 64
    clip_norm: float | None = 1.0  # None (or 0): no clipping
    seed: int = 0
    val_fraction: float = 0.0  # the end of the train part held out for early stopping; 0 = off
    patience: int = 10  # epochs without a better validation loss before training stops

    def __post_init__(self) -> None:
        EPOCHS.check("epochs", self.epochs)
        LEARNING_RATE.check("learning_rate", self.learning_rate)
        BATCH.check("batch_size", self.batch_size)
        if self.clip_norm is not None:
            CLIP_NORM.check("clip_norm", self.clip_norm)
            if self.clip_norm == 0:
                object.__setattr__(self, "clip_norm", None)
        SEED.check("seed", self.seed)
        VAL_FRACTION.check("val_fraction", self.val_fraction)
        PATIENCE.check("patience", self.patience)


@dataclass(frozen=True)
class EpochLog:
    epoch: int  # 1-based
    train_loss: float  # mean over the epoch's batches, weighted by batch size
    test_loss: float  # on the test windows after the epoch; shown, never used to choose anything
    grad_norm: float  # mean over the epoch's batches, before clipping
    seconds: float
    grad_flow: tuple[float, ...] | None = None  # ||dL/dh_t||, t = 1..T, on a fixed batch; some epochs only
    val_loss: float | None = None  # on the validation windows, when there are any

    def as_dict(self) -> dict:
        return asdict(self)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def train(
    model: RecurrentRegressor,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig,
    on_epoch_end: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    before_epoch: Callable[[int], None] | None = None,
) -> list[EpochLog]:
    """Mini-batch training with Adam and clipping; returns one log per finished epoch.

    Batches are reshuffled every epoch by ``numpy.random.default_rng(config.seed)``,
    so the same model, data and config give the same numbers. At the first and last
    epoch and every ``GRAD_FLOW_EVERY`` epochs, the log also holds the gradient flow
    through time (``model.grad_flow``) on the first training windows. ``should_stop`` is
    asked before every batch, so a long epoch stops at once; the epoch it cuts
    short is not in the history.

    Early stopping, with ``validation`` (X_val, y_val): after every epoch the loss on
    those windows is measured; training ends once ``config.patience`` epochs in a row
    brought no lower one, and the model is left with the weights of its best epoch
    (also when training ends for another reason).

    ``before_epoch(epoch)`` is called as each epoch starts (a seq2seq model's sampling schedule).
    """
    rng = np.random.default_rng(config.seed)
    opt = model.optimizer(config.learning_rate, config.clip_norm)
    history: list[EpochLog] = []
    best = _Best(model) if validation is not None else None
    try:
        n = X_train.shape[0]
        for epoch in range(1, config.epochs + 1):
            if before_epoch is not None:
                before_epoch(epoch)
            start = time.perf_counter()
            order = rng.permutation(n)
            loss_sum = norm_sum = 0.0
            batches = 0
            for lo in range(0, n, config.batch_size):
                if should_stop is not None and should_stop():
                    return history  # an epoch cut short is not reported
                idx = order[lo : lo + config.batch_size]
                loss, norm = opt.step(X_train[idx], y_train[idx])
                loss_sum += loss * idx.shape[0]
                norm_sum += norm
                batches += 1
            train_loss = loss_sum / n
            if not math.isfinite(train_loss):
                raise TrainingDiverged(
                    f"training diverged at epoch {epoch}: the loss is {train_loss}; "
                    "lower the learning rate or turn on gradient clipping"
                )
            test_loss = float(np.mean((model.predict(X_test) - y_test) ** 2))
            flow = None
            if epoch == 1 or epoch % GRAD_FLOW_EVERY == 0 or epoch == config.epochs:
                batch = slice(0, GRAD_FLOW_BATCH)
                flow = tuple(float(v) for v in model.grad_flow(X_train[batch], y_train[batch]))
            val_loss = None
            if best is not None:
                val_loss = float(np.mean((model.predict(validation[0]) - validation[1]) ** 2))
                best.offer(epoch, val_loss)
            log = EpochLog(epoch, train_loss, test_loss, norm_sum / batches, time.perf_counter() - start, flow,
                           val_loss)
            history.append(log)
            if on_epoch_end is not None:
                on_epoch_end(log)
            if best is not None and epoch - best.epoch >= config.patience:
                break  # early stopping
    finally:
        if best is not None:
            best.restore()
    return history


class _Best:
    """The lowest validation loss so far, its epoch and its weights."""

    def __init__(self, model: RecurrentRegressor) -> None:
        self.model, self.loss, self.epoch, self.state = model, math.inf, 0, None

    def offer(self, epoch: int, loss: float) -> None:
        if loss < self.loss:
            self.loss, self.epoch, self.state = loss, epoch, self.model.state_dict()

    def restore(self) -> None:
        if self.state is not None:
            self.model.load_state_dict(self.state)


def best_epoch(val_losses) -> int:
    """The 1-based epoch with the lowest validation loss (the first of equals); 0 if none."""
    return int(np.argmin(val_losses)) + 1 if len(val_losses) else 0
