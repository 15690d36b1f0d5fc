"""Exponential smoothing for the hybrid input transform ("es"), in the spirit of Smyl's ES-RNN (M4, 2018).

    sm = fit_smoothing(z, split, season=12)   # parameters fitted on the train part of z
    f = sm.forecasts(z)                       # f[t]: its forecast of z[t] from z[:t], for every t

An additive Holt-Winters model with a damped trend, on the standardized series ``z`` (after the power
transform: with the log, its seasons are multiplicative in the series' units). After each value z[t]:

    f[t] = l + phi * b + s[t - m]        the forecast of z[t] from the states before it
    e[t] = z[t] - f[t]
    l <- l + phi * b + alpha * e[t]      the level
    b <- phi * b + beta * e[t]           the trend, damped by phi
    s[t] = s[t - m] + gamma * e[t]       the seasonal factor of t's place in the season

alpha, beta, gamma and phi are fitted by least squares on the train part's one-step errors, then held
fixed over the whole series. The network reads e (each value less the smoothing model's forecast of it,
so each window arrives normalized by the level and the seasonal factors of its own steps) and forecasts
the next e; the forecast is f[t] plus the network's e. A network that learns nothing (e = 0) forecasts
what the smoothing model does. A rollout feeds the smoothing model its own forecasts: knowing e, each
step's states follow without the series (``paths``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

MIN_SEASONS = 2  # a season is smoothed only when the train part holds this many of it
_FITTED: OrderedDict = OrderedDict()  # the last fits of this process: a page shows one run many times


@dataclass(frozen=True)
class Smoothing:
    """A fitted model: its parameters and its starting states."""

    alpha: float
    beta: float
    gamma: float
    phi: float
    season: int  # m; 1 = no seasonal factors
    level0: float
    trend0: float
    seasonal0: tuple[float, ...]  # (m,) the factors of steps 0 .. m - 1, before they are first updated

    def states(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Run over ``z`` (n,): (f (n,) the one-step forecasts, level (n + 1,) and trend (n + 1,) before
        each step and after the last, seasonal (n + m,): s[t] for t = -m .. n - 1, as index t + m)."""
        z = np.asarray(z, dtype=np.float64)
        n, m = z.shape[0], self.season
        a, bt, g, phi = self.alpha, self.beta, self.gamma, self.phi
        zs = z.tolist()  # plain floats: this loop runs for every value, many times while fitting
        f, lv, tr = [0.0] * n, [0.0] * (n + 1), [0.0] * (n + 1)
        s = (list(self.seasonal0) if m > 1 else [0.0]) + [0.0] * n
        l, b = self.level0, self.trend0
        seasonal = m > 1
        for t in range(n):
            lv[t] = l
            tr[t] = b
            pb = phi * b
            ft = l + pb + s[t] if seasonal else l + pb
            f[t] = ft
            e = zs[t] - ft
            l, b = l + pb + a * e, pb + bt * e
            if seasonal:
                s[t + m] = s[t] + g * e
        lv[n], tr[n] = l, b
        seasons = np.asarray(s[: n + m]) if seasonal else np.zeros(n + m)
        return np.asarray(f), np.asarray(lv), np.asarray(tr), seasons

    def forecasts(self, z: np.ndarray) -> np.ndarray:
        """f (n,): the forecast of each z[t] from the values before it."""
        return self.states(z)[0]

    def paths(self, z: np.ndarray, t: np.ndarray, E: np.ndarray) -> np.ndarray:
        """Paths of values (N, k) from the steps ``t`` (N,) on, when the true series is known up to each
        t - 1 (``z``, at least max(t) values) and each step's error is ``E`` (N, k): step j of path i is
        its smoothing forecast plus E[i, j], and the states then move on as if that value were seen."""
        z = np.asarray(z, dtype=np.float64)
        t = np.asarray(t, dtype=int)
        E = np.asarray(E, dtype=np.float64)
        _, level, trend, s = self.states(z[: int(t.max())])
        m, phi = self.season, self.phi
        l, b = level[t].copy(), trend[t].copy()
        ring = np.stack([s[t + i] for i in range(m)], axis=1) if m > 1 else np.zeros((t.shape[0], 1))
        # ring[:, i]: the factor of step t - m + i, which step t + i reads (and then replaces)
        out = np.empty_like(E)
        for j in range(E.shape[1]):
            i = j % m if m > 1 else 0
            f = l + phi * b + ring[:, i]
            out[:, j] = f + E[:, j]
            l, b = l + phi * b + self.alpha * E[:, j], phi * b + self.beta * E[:, j]
            if m > 1:
                ring[:, i] = ring[:, i] + self.gamma * E[:, j]
        return out


def starting_states(z: np.ndarray, m: int) -> tuple[float, float, tuple[float, ...]]:
    """(level, trend, seasonal factors) to start from: the first season's mean, the step from the first
    season's mean to the second's (per step), and the first season's values less its mean."""
    if m > 1:
        first, second = float(np.mean(z[:m])), float(np.mean(z[m : 2 * m]))
        return first, (second - first) / m, tuple((z[:m] - first).tolist())
    return float(z[0]), float(np.mean(np.diff(z[: min(len(z), 10)]))), ()


def fit_smoothing(z: np.ndarray, split: int, season: int | None) -> Smoothing:
    """The model above fitted on ``z[:split]``: a season only where the train part holds
    ``MIN_SEASONS`` of it; the parameters minimize the sum of squared one-step errors there."""
    z = np.asarray(z, dtype=np.float64)
    key = (hashlib.sha256(z[:split].tobytes()).hexdigest(), split, season)
    if key not in _FITTED:
        _FITTED[key] = _fit(z[:split], split, season)
        if len(_FITTED) > 16:
            _FITTED.popitem(last=False)
    return _FITTED[key]


def _fit(train: np.ndarray, split: int, season: int | None) -> Smoothing:
    from scipy.optimize import minimize

    m = int(season) if season and season > 1 and split >= MIN_SEASONS * season + 2 else 1
    level0, trend0, seasonal0 = starting_states(train, m)

    def model(p) -> Smoothing:
        return Smoothing(float(p[0]), float(p[1]), float(p[2]) if m > 1 else 0.0, float(p[3]), m,
                         level0, trend0, seasonal0)

    skip = m if m > 1 else 1  # the first season made the starting states; its errors are not fitted

    def sse(p) -> float:
        err = train[skip:] - model(p).forecasts(train)[skip:]
        return float(np.dot(err, err))

    bounds = [(0.01, 0.99), (0.0, 0.3), (0.0, 0.5), (0.8, 0.98)]
    with np.errstate(all="ignore"):
        best = minimize(sse, np.array([0.3, 0.02, 0.1, 0.95]), method="L-BFGS-B", bounds=bounds,
                        options={"maxiter": 200})
    return model(best.x if np.isfinite(best.fun) else np.array([0.3, 0.02, 0.1, 0.95]))
