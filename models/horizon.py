"""Several steps ahead: a *direct* or a *seq2seq* model against the *recursive* use of the one-step model.

For a horizon k, every window that reads L values predicts the k values after it:

- direct: a second network of the same kind, whose head has k outputs, trained on
  the next k values (``create_model(outputs=k)``);
- seq2seq: an encoder reads the window and a decoder cell unrolls k steps from its
  state (``models.seq2seq``), trained with teacher forcing or scheduled sampling;
- recursive: the run's one-step model, fed its own forecasts k - 1 times, each
  step re-running the whole window from the zero state (the exact rollout);
- persistence: the last value, for every step;
- linear AR (direct): least squares from the same L lags to each of the k values.

A run's ``horizon_method`` says which second model it trains: ``direct``, ``seq2seq``,
or none (``recursive``). The recursive path and both baselines are always measured.
Errors are measured per step ahead, in original units, on every window whose k
targets all lie in the test part. The k-step models and the linear AR learn only
from windows whose k targets all lie in the train part.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

import numpy as np

from data.windows import Prepared, make_windows
from models.base import RecurrentRegressor
from models.baselines import linear_ar_paths
from models.metrics import Scores
from models.registry import create_model, create_seq2seq
from models.seq2seq import pack, schedule_hook
from models.train import train

if TYPE_CHECKING:
    from models.config import ExperimentConfig

METHODS = ("direct", "seq2seq", "recursive", "persistence", "linear_ar")


@dataclass(frozen=True)
class Horizon:
    """Test error per step ahead (k values per method, original units) and the scores at step k."""

    k: int
    mse: dict[str, tuple[float, ...]]  # method -> MSE at steps 1..k
    at_k: dict[str, Scores]  # method -> scores of the k-th step
    windows: int  # test windows measured
    rollout: tuple[float, ...] = ()  # seq2seq: a long rollout from the end of the train part, k steps at a time


@dataclass(frozen=True)
class DirectWindows:
    """Windows of the model inputs with their next k values: X (N, L, D), Y (N, k), first target t (N,);
    ``rows`` (N, k + 1, C): the covariates of rows t - 1 .. t + k - 1 (C = 0 without covariates)."""

    X: np.ndarray
    Y: np.ndarray
    t: np.ndarray
    rows: np.ndarray

    def appended(self) -> np.ndarray:
        """(N, k, C) the covariates of the k rows a recursive path appends to each window."""
        return self.rows[:, 1:]

    def decoder_inputs(self, known: tuple[bool, ...]) -> np.ndarray:
        """(N, k, C_known) what a seq2seq decoder reads beside the value before each step: the known
        covariates of the row that value sits in, i.e. of the step being forecast."""
        return self.rows[:, :-1][:, :, np.asarray(known, dtype=bool)] if known else self.rows[:, :-1]

    def subset(self, keep: np.ndarray) -> "DirectWindows":
        return DirectWindows(self.X[keep], self.Y[keep], self.t[keep], self.rows[keep])


def direct_windows(prep: Prepared, k: int) -> tuple[DirectWindows, DirectWindows]:
    """(train, test) windows for k steps ahead, split so that no window straddles the split."""
    X, t = make_windows(prep.inputs, prep.seq_len, prep.features)
    n = prep.inputs.shape[0]
    keep = t + k <= n
    X, t = X[keep], t[keep]
    Y = np.stack([prep.inputs[t + j] for j in range(k)], axis=1)
    C = prep.width - 1
    rows = (np.stack([prep.features[t + j - 1] for j in range(k + 1)], axis=1) if C
            else np.zeros((t.shape[0], k + 1, 0), dtype=X.dtype))
    every = DirectWindows(X, Y, t, rows)
    return every.subset(t + k <= prep.split), every.subset(t >= prep.split)


def recursive_paths(model: RecurrentRegressor, X: np.ndarray, k: int, appended: np.ndarray | None = None) -> np.ndarray:
    """k forecasts (N, k) in model units after each window of ``X`` (N, L, D), by the one-step
    model fed its own forecasts, the whole window re-run from the zero state at every step;
    ``appended`` (N, k, C): the covariates of the rows the forecasts go into."""
    window = np.array(X, dtype=X.dtype)
    out = np.empty((X.shape[0], k))
    for j in range(k):
        out[:, j] = model.predict(window)[:, 0]
        window[:, :-1] = window[:, 1:]
        window[:, -1, 0] = out[:, j]
        if window.shape[2] > 1:
            window[:, -1, 1:] = appended[:, j]
    return out


def measure(prep: Prepared, one_step: RecurrentRegressor, config: "ExperimentConfig", scale: float,
            should_stop: Callable[[], bool] | None = None) -> Horizon | None:
    """Train the run's k-step model (``config.horizon_method``; the run's cell and training settings,
    without a validation part) and measure it, the recursive path and both baselines at 1..k steps;
    None if stopped first."""
    k, t, method = config.horizon, config.train, config.horizon_method
    fit_on, test = direct_windows(prep, k)
    paths, rolled = {}, ()
    if method != "recursive":
        model = k_step_model(config, prep)
        before = schedule_hook(model, t.epochs, config.scheduled_sampling) if method == "seq2seq" else None
        X_fit, X_test = (model_inputs(prep, w, method) for w in (fit_on, test))
        history = train(model, X_fit, fit_on.Y, X_test, test.Y, replace(t, val_fraction=0.0),
                        should_stop=should_stop, before_epoch=before)
        if len(history) < t.epochs:
            return None
        paths[method] = prep.paths_to_original(model.predict(X_test), test.t)
        if method == "seq2seq":
            rolled = tuple(prep.rollout_to_original(chained_rollout(model, prep, config.rollout_steps)).tolist())
    truth = prep.series[test.t[:, None] + np.arange(k)[None, :]]
    paths.update({
        "recursive": prep.paths_to_original(recursive_paths(one_step, test.X, k, test.appended()), test.t),
        "persistence": np.repeat(prep.series[test.t - 1][:, None], k, axis=1),
        "linear_ar": linear_ar_paths(prep, k, test.t),
    })
    return Horizon(
        k=k,
        mse={m: tuple(float(v) for v in np.mean((p - truth) ** 2, axis=0)) for m, p in paths.items()},
        at_k={m: Scores.of(truth[:, -1], p[:, -1], scale) for m, p in paths.items()},
        windows=int(test.t.shape[0]),
        rollout=rolled,
    )


def k_step_model(config: "ExperimentConfig", prep: Prepared):
    """The untrained k-step model of a run: direct (k outputs) or seq2seq, the run's cell and size."""
    t = config.train
    if config.horizon_method == "seq2seq":
        return create_seq2seq(config.backend, config.cell, prep.width, config.hidden_size, config.horizon,
                              covariates=sum(prep.known), seed=t.seed, dtype=config.dtype)
    return create_model(config.backend, config.cell, prep.width, config.hidden_size, seed=t.seed, dtype=config.dtype,
                        dropout=config.dropout, outputs=config.horizon)


def model_inputs(prep: Prepared, w: DirectWindows, method: str) -> np.ndarray:
    """What the k-step model reads: the windows, and for seq2seq the decoder's known covariates after them."""
    return pack(w.X, w.decoder_inputs(prep.known)) if method == "seq2seq" else w.X


def chained_rollout(model, prep: Prepared, steps: int) -> np.ndarray:
    """``steps`` forecasts (steps,) in model units from the last training window, k at a time: each
    block of k forecasts is appended to the window, which then slides on by k. Fewer steps when a
    covariate is not known that far (``Prepared.rollout_limit``)."""
    L, k, split = prep.seq_len, model.outputs, prep.split
    limit = prep.rollout_limit
    if limit is not None:
        steps = max(1, min(steps, limit - k))
    values = np.array(prep.inputs[split - L : split], dtype=np.float64)
    known = np.asarray(prep.known, dtype=bool)
    while values.shape[0] < L + steps:
        start = split - L + (values.shape[0] - L)  # the series position of the window's first row
        window = prep.rows(start, start + L, values[-L:])[None]
        future = prep.features[start + L - 1 : start + L - 1 + k][None][:, :, known] if known.any() else None
        values = np.concatenate([values, model.predict(pack(window, future))[0]])
    return values[L : L + steps]
