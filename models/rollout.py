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
