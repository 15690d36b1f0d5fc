"""Baselines every result is shown beside, each a function of the prepared data and the season.

- persistence: the next value is the last one.
- seasonal naive: the next value is the one a season earlier (the season is the
  longest period given); where the data does not reach back a season, the last value.
- drift: the last value plus the train part's mean step (the line from the first
  to the last train point, carried on).
- linear AR: least squares on the last p values plus an intercept, fit on the
  train part only, on the series' standardized levels (whatever power and input
  transform the model reads: the baseline is the same for every setting of them).
  Its order p is chosen by AIC among 1 .. min(L, the train part's points / 3 - 1),
  so it never has more coefficients than a third of the equations it is fit on.

``linear_ar_coefficients`` and ``linear_ar_paths`` are the other AR: all L lags of the
network's own window, fit to the next k values; the horizon view and the saliency view
compare the network with it, lag for lag.
"""

from __future__ import annotations

import numpy as np

from data.windows import Prepared, fit_scaler, make_windows


def persistence(prep: Prepared, season: int = 1) -> np.ndarray:
    """Forecasts for the test windows, original units (N_test,)."""
    return prep.series[prep.test.target_index - 1]


def seasonal_naive(prep: Prepared, season: int) -> np.ndarray:
    """The value ``season`` steps before each test target, original units (N_test,)."""
    t = prep.test.target_index
    back = np.where(t - season >= 0, t - season, t - 1)
    return prep.series[back]


def drift(prep: Prepared, season: int = 1) -> np.ndarray:
    """The last value plus the train part's mean step, original units (N_test,)."""
    x, split = prep.series, prep.split
    step = (x[split - 1] - x[0]) / (split - 1)
    return x[prep.test.target_index - 1] + step


def _level_scaler(prep: Prepared):
    """The series' own standardization: the baselines read levels, whatever power the model reads."""
    return fit_scaler(prep.series[: prep.split])


def _ar_design(prep: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the standardized series z, each window's L lags and an intercept (N, L + 1), its target index)."""
    z = _level_scaler(prep).transform(prep.series)
    X, t = make_windows(z, prep.seq_len)
    return z, np.hstack([X[:, :, 0], np.ones((X.shape[0], 1))]), t


def linear_ar_coefficients(prep: Prepared, k: int = 1) -> np.ndarray:
    """Least squares from the L standardized lags (and an intercept) to each of the next k values,
    fit on the windows whose k targets are train points: (L + 1, k), row j the window's step j (lag
    L - j from the first target), the last row the intercept."""
    z, A, t = _ar_design(prep)
    fit = t + k <= prep.split
    Y = np.stack([z[t[fit] + j] for j in range(k)], axis=1)
    coef, *_ = np.linalg.lstsq(A[fit], Y, rcond=None)
    return coef


def linear_ar_paths(prep: Prepared, k: int, test_t: np.ndarray) -> np.ndarray:
    """The AR's forecasts of the next k values from the test windows at ``test_t``
    (``linear_ar_coefficients``); original units (N_test, k)."""
    _, A, t = _ar_design(prep)
    rows = np.searchsorted(t, test_t)
    return _level_scaler(prep).inverse(A[rows] @ linear_ar_coefficients(prep, k))


def ar_most(split: int, seq_len: int) -> int:
    """The highest order the AR may choose: the window's L, and at most a third of the train points
    less one, so that its p + 1 coefficients meet at least twice as many equations."""
    return max(1, min(seq_len, split // 3 - 1))


_LAST_FIT: list = [(None, None)]  # (prep, its fit): the baseline's forecasts and its note read one fit of a run


def ar_fit(prep: Prepared) -> tuple[int, np.ndarray]:
    """(the order p that AIC picks on the train part, the coefficients: p lags, the newest first, then
    the intercept). Every order is scored on the same equations, the targets ``ar_most`` .. split - 1."""
    last_prep, last_fit = _LAST_FIT[0]  # one read: another thread may replace it meanwhile
    if last_prep is prep:
        return last_fit
    z = _level_scaler(prep).transform(prep.series)
    most = ar_most(prep.split, prep.seq_len)
    t = np.arange(most, prep.split)
    lags = np.column_stack([z[t - j] for j in range(1, most + 1)])  # column j - 1: lag j
    best = None
    for p in range(1, most + 1):
        A = np.hstack([lags[:, :p], np.ones((t.shape[0], 1))])
        coef, *_ = np.linalg.lstsq(A, z[t], rcond=None)
        rss = float(np.sum((A @ coef - z[t]) ** 2))
        aic = t.shape[0] * np.log(max(rss, 1e-300) / t.shape[0]) + 2 * (p + 1)
        if best is None or aic < best[0]:
            best = (aic, p, coef)
    _LAST_FIT[0] = (prep, (best[1], best[2]))
    return best[1], best[2]


def linear_ar(prep: Prepared, season: int = 1) -> np.ndarray:
    """The order-chosen AR's one-step forecasts of the test targets, original units (N_test,)."""
    p, coef = ar_fit(prep)
    scaler = _level_scaler(prep)
    z = scaler.transform(prep.series)
    t = prep.test.target_index
    A = np.hstack([np.column_stack([z[t - j] for j in range(1, p + 1)]), np.ones((t.shape[0], 1))])
    return scaler.inverse(A @ coef)


def ar_note(prep: Prepared) -> str:
    """What the AR read, for the table: "AR(13) on the standardized levels, its order chosen by AIC"."""
    p, _ = ar_fit(prep)
    return (f"AR({p}) on the series' levels (not the model's transform), order chosen by AIC on the train part "
            f"among 1 to {ar_most(prep.split, prep.seq_len)}")


BASELINES = {"persistence": persistence, "seasonal_naive": seasonal_naive, "drift": drift, "linear_ar": linear_ar}
