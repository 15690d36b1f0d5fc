"""Where a forecast looks: |d forecast / d input| lag by lag, beside what statistics points at.

For a window x_{t-L} .. x_{t-1} and the one-step forecast of x_t, the saliency at lag k
(1 .. L) is |d yhat / d x_{t-k}|: how much the forecast moves per unit of the input k
steps back, in the units the network reads. The backends give the gradient
(``input_gradient``: NumPy's backward pass, PyTorch's autograd). Beside it, on the same
lags: the autocorrelation and partial autocorrelation of what the network reads on the
train part (``data.acf``), and the size of the coefficients of a linear AR on all L lags of the window
(``models.baselines.linear_ar_coefficients``; the baseline in the results table chooses fewer lags).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.acf import acf, band, pacf
from data.windows import Prepared
from models.baselines import linear_ar_coefficients


@dataclass(frozen=True)
class Saliency:
    """|d forecast / d input| by lag: ``chosen`` for one test window and ``mean`` over all of them,
    (L, D), row k - 1 for lag k; one column per input (the series, then each covariate)."""

    inputs: tuple[str, ...]
    chosen: np.ndarray
    mean: np.ndarray

    @property
    def lags(self) -> np.ndarray:
        return np.arange(1, self.chosen.shape[0] + 1)


@dataclass(frozen=True)
class LagStatistics:
    """On lags 1 .. L: the ACF and PACF of the train part of what the network reads, the white-noise
    band's half-width, and |coefficient| of the linear AR on all L lags (row k - 1 for lag k)."""

    acf: np.ndarray
    pacf: np.ndarray
    band: float
    ar: np.ndarray


def by_lag(a: np.ndarray) -> np.ndarray:
    """A window's steps 0 .. L - 1 (axis 0) in lag order 1 .. L: the last step is lag 1."""
    return np.asarray(a)[::-1]


def input_names(prep: Prepared) -> tuple[str, ...]:
    return ("series", *prep.feature_names)


def lag_saliency(model, prep: Prepared, test_window: int, max_windows: int | None = None) -> Saliency:
    """The saliency of ``model`` (a backend's model: ``input_gradient``) on ``prep``'s test windows; the
    mean over at most ``max_windows`` of them, evenly spaced, where given."""
    X = prep.test.X
    n = X.shape[0]
    if not 0 <= test_window < n:
        raise ValueError(f"test window must be a whole number from 0 to {n - 1}, got {test_window}")
    return Saliency(input_names(prep), window_saliency(model, X[test_window]), mean_saliency(model, prep, max_windows))


def mean_saliency(model, prep: Prepared, max_windows: int | None = None) -> np.ndarray:
    """|d forecast / d input| (L, D) by lag, averaged over ``prep``'s test windows (at most ``max_windows``
    of them, evenly spaced, where given)."""
    X = prep.test.X
    n = X.shape[0]
    rows = np.arange(n) if max_windows is None or n <= max_windows else np.linspace(0, n - 1, max_windows).astype(int)
    grads = np.abs(np.asarray(model.input_gradient(X[rows]), dtype=np.float64))  # (windows, L, D)
    return by_lag(grads.mean(axis=0))


def window_saliency(model, window: np.ndarray) -> np.ndarray:
    """|d forecast / d input| (L, D) by lag for one window ``window`` (L, D) of the network's inputs."""
    return by_lag(np.abs(np.asarray(model.input_gradient(np.asarray(window)[None]), dtype=np.float64)[0]))


def lag_statistics(prep: Prepared) -> LagStatistics:
    """ACF, PACF and the AR's coefficients on the lags of ``prep``'s windows."""
    L = prep.seq_len
    train = prep.inputs[: prep.split]
    coef = linear_ar_coefficients(prep)[:L, 0]  # window steps 0 .. L - 1; the intercept left out
    return LagStatistics(acf(train, L)[1:], pacf(train, L)[1:], band(len(train)), by_lag(np.abs(coef)))


def peaks(values: np.ndarray, count: int = 3) -> list[int]:
    """The lags (1-based) of the ``count`` largest values."""
    order = np.argsort(-np.asarray(values), kind="stable")
    return [int(i) + 1 for i in order[:count]]
