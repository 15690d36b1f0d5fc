"""What classical statistics says a forecast should look at: the autocorrelation and the
partial autocorrelation of a series, lag by lag.

    acf(k)  = sum_t (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2        (the usual biased estimate)
    pacf(k) = the last coefficient of the best linear AR(k) on those autocorrelations
              (Durbin-Levinson's recursion, so AR(1) .. AR(k) in one pass)

Under white noise either estimate at lag k >= 1 lies within +-1.96 / sqrt(n) about 95 % of
the time: peaks outside that band are the lags worth a model's attention.
"""

from __future__ import annotations

import numpy as np


def acf(x: np.ndarray, lags: int) -> np.ndarray:
    """Autocorrelations at lags 0 .. ``lags`` (``lags`` + 1,); lag 0 is 1."""
    x = np.asarray(x, dtype=np.float64)
    if not 1 <= lags < len(x):
        raise ValueError(f"lags must be a whole number from 1 to {len(x) - 1}, got {lags}")
    d = x - x.mean()
    denom = float(d @ d)
    if denom == 0.0:
        raise ValueError("the series is constant: its autocorrelation is not defined")
    return np.array([1.0] + [float(d[:-k] @ d[k:]) / denom for k in range(1, lags + 1)])


def pacf(x: np.ndarray, lags: int) -> np.ndarray:
    """Partial autocorrelations at lags 0 .. ``lags`` (Durbin-Levinson on ``acf``); lag 0 is 1."""
    r = acf(x, lags)
    out = np.ones(lags + 1)
    phi = np.zeros(0)
    var = 1.0  # the AR(k - 1)'s prediction error variance, relative to the series'
    for k in range(1, lags + 1):
        a = (r[k] - phi @ r[k - 1 : 0 : -1]) / var if k > 1 else r[1]
        phi = np.concatenate([phi - a * phi[::-1], [a]])
        var *= 1.0 - a * a
        out[k] = a
    return out


def band(n: int) -> float:
    """The half-width of the white-noise band, 1.96 / sqrt(n)."""
    return 1.96 / np.sqrt(n)
