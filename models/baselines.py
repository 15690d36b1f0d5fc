"""Baselines every result is shown beside, each a function of the prepared data and the season.

- persistence: the next value is the last one.
- seasonal naive: the next value is the one a season earlier (the season is the
  longest period given); where the data does not reach back a season, the last value.
- drift: the last value plus the train part's mean step (the line from the first
  to the last train point, carried on).
- linear AR: least squares on the same L lags plus an intercept, fit on the
  training windows only, on the series' levels (whatever power the model reads:
  the baseline stays the same for every setting of one window length).
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


def linear_ar(prep: Prepared, season: int = 1) -> np.ndarray:
    """Least-squares AR(L) forecasts for the test windows, original units (N_test,): the direct AR one
    step ahead."""
    return linear_ar_paths(prep, 1, prep.test.target_index)[:, 0]


BASELINES = {"persistence": persistence, "seasonal_naive": seasonal_naive, "drift": drift, "linear_ar": linear_ar}
