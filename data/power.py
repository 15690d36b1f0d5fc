"""Variance-stabilizing transforms, applied to a series before it is scaled and inverted on every forecast.

A series whose swings grow with its level (sunspots, sales, counts) is easier to learn
on a scale where they do not. Four choices:

- ``"none"``: the series as it is.
- ``"sqrt"``: the square root; needs values >= 0.
- ``"log"``: the natural log; needs values > 0.
- ``"boxcox"``: ``(x**lam - 1) / lam`` (the log at lam 0), with ``lam`` chosen on the
  train part alone by the profile log-likelihood of a normal model, searched in
  [0, 2] (from the log to the square), so that every forecast maps back to a
  finite value of the series' own range; needs values > 0.

A forecast in the transformed scale can fall outside the transform's range (a square
root below 0); it maps back to the edge (0), never to a complex or folded value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POWERS = ("none", "sqrt", "log", "boxcox")
LAMBDA_RANGE = (0.0, 2.0)
_LOG_CAP = 700.0  # exp(700) is near the largest float64: a forecast beyond it maps to that


@dataclass(frozen=True)
class Power:
    """One transform and its parameter: ``forward`` the series, ``inverse`` a forecast."""

    name: str = "none"
    lam: float = 1.0  # Box-Cox only

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.name == "sqrt":
            return np.sqrt(x)
        if self.name == "log" or (self.name == "boxcox" and self.lam == 0):
            return np.log(x)
        if self.name == "boxcox":
            return np.expm1(self.lam * np.log(x)) / self.lam
        return x

    def inverse(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if self.name == "sqrt":
            return np.square(np.maximum(y, 0.0))
        if self.name == "log" or (self.name == "boxcox" and self.lam == 0):
            return np.exp(np.minimum(y, _LOG_CAP))
        if self.name == "boxcox":
            base = np.maximum(self.lam * y + 1.0, 0.0)
            with np.errstate(divide="ignore"):
                return np.exp(np.minimum(np.log(base) / self.lam, _LOG_CAP))
        return y

    @property
    def label(self) -> str:
        """How the page and the command name it: "Box-Cox (λ 0.42)"."""
        return {"none": "none", "sqrt": "square root", "log": "log",
                "boxcox": f"Box-Cox (λ {self.lam:.2f})"}[self.name]


def power_problem(name: str, series: np.ndarray) -> str | None:
    """Why ``name`` cannot transform ``series``, as the end of a sentence that starts with "power";
    None when it can."""
    if name not in POWERS:
        return f"must be one of {', '.join(POWERS)}, got {name!r}"
    if name == "none":
        return None
    x = np.asarray(series, dtype=np.float64)
    low = int(np.argmin(x))
    if name == "sqrt" and x[low] < 0:
        return (f"'sqrt' needs values of at least 0; this series has {x[low]:g} at step {low}: "
                "choose power none, or a series without negative values")
    if name in ("log", "boxcox") and x[low] <= 0:
        return (f"{name!r} needs values above 0; this series has {x[low]:g} at step {low}: "
                "choose power sqrt (values of 0 and more) or none")
    return None


def fit_power(name: str, series: np.ndarray, split: int) -> Power:
    """The transform ``name`` for ``series``, its parameter fit on the train part ``series[:split]``;
    ``ValueError`` with a sentence when the series is out of its range."""
    problem = power_problem(name, series)
    if problem:
        raise ValueError(f"power {problem}")
    if name != "boxcox":
        return Power(name)
    return Power(name, boxcox_lambda(np.asarray(series[:split], dtype=np.float64)))


def boxcox_lambda(x: np.ndarray, tol: float = 1e-6) -> float:
    """The lam in ``LAMBDA_RANGE`` that maximizes the Box-Cox profile log-likelihood of ``x`` (> 0):
    ``-n/2 log(var(y(lam))) + (lam - 1) sum(log x)``, by golden-section search (it is unimodal in lam)."""
    logs = np.log(x)
    total = float(np.sum(logs))
    n = x.shape[0]

    def loglik(lam: float) -> float:
        y = logs if lam == 0 else np.expm1(lam * logs) / lam
        var = float(np.var(y))
        return -np.inf if not var > 0 else -0.5 * n * np.log(var) + (lam - 1.0) * total

    lo, hi = LAMBDA_RANGE
    g = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = loglik(a), loglik(b)
    while hi - lo > tol:
        if fa < fb:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = loglik(b)
        else:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = loglik(a)
    best = (lo + hi) / 2.0
    edges = {LAMBDA_RANGE[0]: loglik(LAMBDA_RANGE[0]), LAMBDA_RANGE[1]: loglik(LAMBDA_RANGE[1])}
    edge, at_edge = max(edges.items(), key=lambda kv: kv[1])
    return float(edge if at_edge > loglik(best) else best)
