"""Split-conformal prediction intervals: how wide a band must be, read from errors the model has not trained on.

    intervals = calibrate(prep, 0.8, val_fraction, Predictor.of(model))

The calibration part is the validation part when the run has one (the model never
trained on it); else the last ``CAL_FRACTION`` of the train part, on which the model
did train, so its errors there are smaller than on new data and the band is likely
too narrow (the part's name says so). The score of a window is its absolute error in
the scale the model reads (after the power transform, ``data.power``, before the
standardization): a band ``p(pred) -+ q`` maps back through the inverse, so a square
root gives a band that widens with the level and never falls below 0.

``q`` is the ``ceil((m + 1) level)``-th smallest of the m scores: if the calibration
errors and the test errors are exchangeable, a new truth falls inside with a
probability of at least ``level``. Fewer than ``level / (1 - level)`` scores cannot
give that; no band is drawn then, rather than one that only looks calibrated.

For the rollout, each step ahead h has its own ``q``, from recursive paths started at
every calibration window and compared with the truth h steps on, as far as it lies in
the train part: the errors of a path grow with h, and so does its band. The band ends
at the last step with enough scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from data.windows import Prepared, Windows, carve_validation
from models.horizon import recursive_paths

CAL_FRACTION = 0.2  # without a validation part: the last fifth of the train windows calibrate


@dataclass(frozen=True)
class Intervals:
    """Bands at ``level`` around the one-step forecasts and the rollout (original units), and how often
    the test part's truth fell inside."""

    level: float
    part: str  # where the scores came from, in words
    windows: int  # calibration windows
    width: float  # the one-step q, in the model's scale (after the power transform)
    forecast_low: tuple[float, ...]
    forecast_high: tuple[float, ...]
    rollout_low: tuple[float, ...]  # per step ahead, as far as the scores reach (may be shorter than the rollout)
    rollout_high: tuple[float, ...]
    coverage: float  # the share of one-step test truths inside their band
    rollout_coverage: float | None = None  # the same along the rollout, over its calibrated steps with truth

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, d: dict) -> "Intervals":
        f = lambda k: tuple(float(v) for v in d[k])  # noqa: E731
        cov = d.get("rollout_coverage")
        return cls(float(d["level"]), str(d["part"])[:200], int(d["windows"]), float(d["width"]),
                   f("forecast_low"), f("forecast_high"), f("rollout_low"), f("rollout_high"), float(d["coverage"]),
                   None if cov is None else float(cov))


@dataclass(frozen=True)
class Predictor:
    """What calibration asks of a model (or of an ensemble: the mean of its members, original units)."""

    one_step: Callable[[Windows], np.ndarray]  # windows -> forecasts (N,)
    paths: Callable[[np.ndarray, np.ndarray, np.ndarray | None, int], np.ndarray]  # X, t, appended, K -> (N, K)

    @classmethod
    def of(cls, model, prep: Prepared) -> "Predictor":
        """A trained regressor (``RecurrentRegressor``) on ``prep``."""
        return cls(lambda w: prep.to_original(model.predict(w.X), w.ref),
                   lambda X, t, appended, k: prep.paths_to_original(recursive_paths(model, X, k, appended), t))

    @classmethod
    def mean(cls, members: Sequence["Predictor"]) -> "Predictor":
        return cls(lambda w: np.mean([m.one_step(w) for m in members], axis=0),
                   lambda X, t, a, k: np.mean([m.paths(X, t, a, k) for m in members], axis=0))


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ``ceil((m + 1) level)``-th smallest of the m ``scores``; inf when there are too few."""
    m = scores.shape[0]
    rank = math.ceil((m + 1) * level - 1e-9)
    return float(np.sort(scores)[rank - 1]) if 1 <= rank <= m else math.inf


def calibration_windows(prep: Prepared, val_fraction: float) -> tuple[Windows, str]:
    """(the windows whose errors set the width, the part's name)."""
    if val_fraction > 0:
        _, val = carve_validation(prep, val_fraction)
        return val, "the validation part"
    w = prep.train
    first = int(np.floor(w.X.shape[0] * (1 - CAL_FRACTION)))
    return (w.subset(np.arange(w.X.shape[0]) >= first),
            f"the last {CAL_FRACTION:.0%} of the train part (trained on: the band may be too narrow)")


def calibrate(prep: Prepared, level: float, val_fraction: float, model: Predictor, forecast: Sequence[float],
              rollout: Sequence[float]) -> Intervals:
    """Bands at ``level`` for the run's one-step test ``forecast`` and its ``rollout`` from the split."""
    cal, part = calibration_windows(prep, val_fraction)
    u = prep.scaler.power.forward
    truth = prep.series[cal.target_index]
    q = conformal_quantile(np.abs(u(truth) - u(model.one_step(cal))), level)
    low, high = _band(prep, np.asarray(forecast, dtype=np.float64), np.array([q]))
    test_truth = prep.series[prep.test.target_index]
    coverage = float(np.mean((test_truth >= low) & (test_truth <= high))) if math.isfinite(q) else 0.0

    steps = min(len(rollout), cal.X.shape[0])
    qs = _path_quantiles(prep, cal, model, steps, level)
    qs = qs[: int(np.argmax(~np.isfinite(qs))) if not np.all(np.isfinite(qs)) else qs.shape[0]]
    r_low, r_high = _band(prep, np.asarray(rollout[: qs.shape[0]], dtype=np.float64), qs)
    index = prep.split + np.arange(qs.shape[0])
    seen = index < prep.series.shape[0]
    r_truth = prep.series[index[seen]]
    r_cov = float(np.mean((r_truth >= r_low[seen]) & (r_truth <= r_high[seen]))) if seen.any() else None
    return Intervals(level, part, int(cal.X.shape[0]), q, tuple(low.tolist()), tuple(high.tolist()),
                     tuple(r_low.tolist()), tuple(r_high.tolist()), coverage, r_cov)


def _band(prep: Prepared, pred: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    power = prep.scaler.power
    centre = power.forward(pred)
    return power.inverse(centre - q), power.inverse(centre + q)


def _path_quantiles(prep: Prepared, cal: Windows, model: Predictor, steps: int, level: float) -> np.ndarray:
    """q per step ahead (steps,) from recursive paths at every calibration window, scored where the truth
    lies in the train part."""
    if steps < 1:
        return np.zeros(0)
    t = cal.target_index
    appended = None
    if prep.features is not None:
        rows = np.minimum(t[:, None] + np.arange(steps)[None, :], prep.features.shape[0] - 1)
        appended = prep.features[rows]
    paths = model.paths(cal.X, t, appended, steps)  # (N, steps) original units
    at = t[:, None] + np.arange(steps)[None, :]
    inside = at < prep.split
    u = prep.scaler.power.forward
    truth = u(prep.series[np.minimum(at, prep.series.shape[0] - 1)])
    errors = np.abs(truth - u(paths))
    return np.array([conformal_quantile(errors[inside[:, h], h], level) for h in range(steps)])
