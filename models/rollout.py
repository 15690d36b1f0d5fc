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
"""

from __future__ import annotations

import numpy as np

from models.base import RecurrentRegressor


def rollout(model: RecurrentRegressor, window: np.ndarray, steps: int) -> np.ndarray:
    """Forecast ``steps`` values (steps,) after ``window`` (L,), in model units."""
    window = np.asarray(window, dtype=np.float64).reshape(-1)
    L = window.shape[0]
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    values = np.concatenate([window, np.empty(steps)])
    lanes = model.rollout_lanes(L)
    for t in range(L + steps - 1):
        lanes.reset(t % L)
        lanes.step(values[t])
        if t + 1 >= L:
            values[t + 1] = lanes.readout((t + 1) % L)
    return values[L:]


def rollout_slow(model: RecurrentRegressor, window: np.ndarray, steps: int) -> np.ndarray:
    """The same forecasts by re-running the whole window for each step (reference)."""
    values = list(np.asarray(window, dtype=np.float64).reshape(-1))
    L = len(values)
    for _ in range(steps):
        x = np.asarray(values[-L:])[None, :, None]
        values.append(float(model.predict(x)[0, 0]))
    return np.asarray(values[L:])


def rollout_mc_dropout(model, window: np.ndarray, steps: int, passes: int = 30, seed: int = 0) -> np.ndarray:
    """``passes`` rollouts (passes, steps) in model units with dropout left on (Gal and
    Ghahramani's Monte-Carlo dropout): every pass draws its own mask at every step, so
    their spread shows how unsure the model is. Each step re-runs the whole window, as
    ``rollout_slow`` does, for all passes at once. The model needs ``dropout`` > 0 and
    ``predict(X, mask)`` (the NumPy backend)."""
    window = np.asarray(window, dtype=np.float64).reshape(-1)
    rng = np.random.default_rng(seed)
    X = np.repeat(window[None, :, None], passes, axis=0)
    out = np.empty((passes, steps))
    keep = 1.0 - model.dropout
    for j in range(steps):
        mask = (rng.random((passes, model.hidden_size)) < keep) / keep
        out[:, j] = model.predict(X, mask)[:, 0]
        X[:, :-1] = X[:, 1:]
        X[:, -1, 0] = out[:, j]
    return out
