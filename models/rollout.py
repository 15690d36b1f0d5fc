"""Recursive rollouts: each forecast is fed back in as the next input.

The exact rollout runs the model over the last L values for every step, as at
training time: step k's window holds the L - k last known values and the first k
forecasts. Doing that literally costs L cell steps per forecast. The same numbers
come out of a pipeline of L lanes, one window per lane, started one tick apart:

    tick t: lane t mod L is reset to the zero state (its window starts at t);
            every lane reads value[t]  (all windows that hold position t);
            lane (t + 1) mod L has now read L values -> it forecasts value[t + 1].

Every window still starts from the zero state and reads its own L values, so the
result equals the slow re-run, at one batched cell step per value instead of L
single-window steps. (Carrying one hidden state forward instead would be faster
still, but it is a different model from the one that was trained.)

With covariates a window's rows are (D,): the forecast goes into column 0 and
``future`` (steps, C) gives the covariates of the rows the rollout appends.
"""

from __future__ import annotations

import numpy as np

from models.base import RecurrentRegressor


def extended_rows(window: np.ndarray, steps: int, future: np.ndarray | None = None) -> np.ndarray:
    """(L + steps, D): the window's rows (``window`` (L,) or (L, D)), then ``steps`` rows whose
    column 0 the forecasts will fill and whose covariates are ``future`` (steps, C)."""
    rows = np.asarray(window, dtype=np.float64)
    rows = rows[:, None] if rows.ndim == 1 else rows
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    values = np.zeros((rows.shape[0] + steps, rows.shape[1]))
    values[: rows.shape[0]] = rows
    if rows.shape[1] > 1:
        future = np.asarray(future)
        if future.shape != (steps, rows.shape[1] - 1):
            raise ValueError(f"future must hold the covariates of {steps} steps, {(steps, rows.shape[1] - 1)}, "
                             f"got {future.shape}")
        values[rows.shape[0] :, 1:] = future
    return values


GATES = {"lstm": 4, "gru": 3, "gru_cho": 3, "rnn": 1}
STEP_CALL_MACS = 2e5  # one step's call overhead, in multiply-adds of the same time (measured: about 5 us)


def rollout_macs(config, steps: int) -> float:
    """Multiply-adds of a rollout of ``steps`` for ``config``'s model: the cheaper of the two ways below."""
    L, H = config.seq_len, config.hidden_size
    step = GATES[config.cell] * H * (H + config.inputs)
    return min((L + steps) * (L * step + STEP_CALL_MACS), steps * L * (step + STEP_CALL_MACS))


def rollout(model: RecurrentRegressor, window: np.ndarray, steps: int, future: np.ndarray | None = None) -> np.ndarray:
    """Forecast ``steps`` values (steps,) after ``window`` (L,) or (L, D), in model units.

    L lanes step together, each a window started one step later, so the whole rollout is
    L + steps calls of one step of L lanes: (L + steps) L multiply-adds of a step. For a long
    window and a large model, re-running each window (``rollout_slow``, steps L of them) costs less,
    and is taken."""
    values = extended_rows(window, steps, future)
    L = values.shape[0] - steps
    H, D = model.hidden_size, values.shape[1]
    step = GATES.get(model.cell, 4) * H * (H + D)
    if steps * L * (step + STEP_CALL_MACS) < (L + steps) * (L * step + STEP_CALL_MACS):
        return rollout_slow(model, window, steps, future)
    lanes = model.rollout_lanes(L)
    for t in range(L + steps - 1):
        lanes.reset(t % L)
        lanes.step(values[t])
        if t + 1 >= L:
            values[t + 1, 0] = lanes.readout((t + 1) % L)
    return values[L:, 0].copy()


def rollout_slow(model: RecurrentRegressor, window: np.ndarray, steps: int,
                 future: np.ndarray | None = None) -> np.ndarray:
    """The same forecasts by re-running the whole window for each step (reference)."""
    values = extended_rows(window, steps, future)
    L = values.shape[0] - steps
    for j in range(steps):
        values[L + j, 0] = float(model.predict(values[None, j : L + j])[0, 0])
    return values[L:, 0].copy()


def rollout_mc_dropout(model, window: np.ndarray, steps: int, passes: int = 30, seed: int = 0,
                       future: np.ndarray | None = None) -> np.ndarray:
    """``passes`` rollouts (passes, steps) in model units with dropout left on (Gal and
    Ghahramani's Monte-Carlo dropout): every pass draws its own mask at every step, so
    their spread shows how unsure the model is. Each step re-runs the whole window, as
    ``rollout_slow`` does, for all passes at once. The model needs ``dropout`` > 0 and
    ``predict(X, mask)`` (the NumPy backend)."""
    values = np.repeat(extended_rows(window, steps, future)[None], passes, axis=0)  # (passes, L + steps, D)
    L = values.shape[1] - steps
    rng = np.random.default_rng(seed)
    keep = 1.0 - model.dropout
    for j in range(steps):
        mask = (rng.random((passes, model.hidden_size)) < keep) / keep
        values[:, L + j, 0] = model.predict(values[:, j : L + j], mask)[:, 0]
    return values[:, L:, 0].copy()


def leaves_range(train: np.ndarray, path: np.ndarray) -> int | None:
    """The first step (1-based) at which ``path`` leaves the range seen in training, widened by that range's
    own span on each side (a trend may carry a forecast somewhat past the train part's extremes); None when
    it stays inside. Original units."""
    train = np.asarray(train, dtype=np.float64)
    low, high = float(np.min(train)), float(np.max(train))
    span = high - low
    out = np.flatnonzero((np.asarray(path) < low - span) | (np.asarray(path) > high + span) | ~np.isfinite(path))
    return int(out[0]) + 1 if out.size else None
