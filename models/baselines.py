"""Baselines every result is shown beside.

- persistence: the next value is the last one.
- linear AR: least squares on the same L lags plus an intercept, fit on the
  training windows only.
"""

from __future__ import annotations

import numpy as np

from data.windows import Prepared, make_windows


def _level_windows(prep: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = prep.scaler.transform(prep.series)
    X, t = make_windows(z, prep.seq_len)
    return X[:, :, 0], z[t], t < prep.split


def persistence(prep: Prepared) -> np.ndarray:
    """Forecasts for the test windows, original units (N_test,)."""
    return prep.series[prep.test.target_index - 1]


def linear_ar(prep: Prepared) -> np.ndarray:
    """Least-squares AR(L) forecasts for the test windows, original units (N_test,)."""
    X, y, train = _level_windows(prep)
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A[train], y[train], rcond=None)
    return prep.scaler.inverse(A[~train] @ coef)


BASELINES = {"persistence": persistence, "linear_ar": linear_ar}
BASELINE_NAMES = {"persistence": "persistence", "linear_ar": "linear AR"}  # as the page and the command show them
BASELINE_HELP = {
    "persistence": "the next value is the last one seen",
    "linear_ar": "least squares on the same window of past values, fit on the train part",
}
