"""From a series to supervised windows: time split, scaling, input transform, windowing.

A variance-stabilizing transform (``data.power``: square root, log, Box-Cox) may come
first; the scaler carries it, so every map back to original units inverts it too.

The split is by time and never shuffled: the first ``train_fraction`` of the points
are train. The scaler is fit on the train part only, so nothing about the test part
leaks into training. A window of length L whose target index is t holds the points
t-L .. t-1 and predicts point t; it is a training window iff t < split.

Three input transforms, all made for recursive rollouts (each value is transformed
the same way whatever window it sits in, see ``models.rollout``):

- ``"none"``: the network sees standardized levels and predicts the next level.
  This is the plain textbook setting. On a trending series the test part lies
  above every level seen in training, and the network has to extrapolate.
- ``"diff"``: the network sees first differences z[t] - z[t-1] (rescaled to unit
  variance on the train part) and predicts the change from the last value. The
  level drops out, so a trend no longer carries the inputs out of range. Fed
  back its own smooth forecasts, though, a rollout adds up their small biases.
- ``"detrend"``: a straight line is fit to the train part by least squares and
  taken away; the network sees and predicts what is left (rescaled to unit
  variance), and the line is added back to its forecasts. Inputs stay in range
  as long as the trend is linear, and rollouts do not drift.
- ``"sdiff"``: seasonal differences z[t] - z[t-m], m the season; the network
  predicts the change from the same step a season earlier. A season repeats
  itself for free, and the network learns how this one differs from the last.
  Windows whose target lies in the first season are not trained on.
- ``"es"``: the exponential-smoothing hybrid (``data.smoothing``): a Holt-Winters
  model fitted on the train part forecasts every step; the network reads and
  predicts what it misses, each step measured from the model's level and
  seasonal factor at that step. A network that learns nothing forecasts as the
  smoothing model does.

Covariates (``data.exogenous``) widen each window: row t of a window holds the
series' input at t and, per covariate standardized on the train part, its value
at t + 1 when it is known in advance (the step being forecast: a holiday, a date)
or at t when it is not (observed beside the series, never ahead of it). The
series is always column 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.bounds import TRAIN_FRACTION
from data.power import Power, fit_power

from data.smoothing import Smoothing, fit_smoothing

TRANSFORMS = ("none", "diff", "detrend", "sdiff", "es")
SEASONAL = ("sdiff",)  # transforms that need a season


@dataclass(frozen=True)
class Scaler:
    """Standardization ``z = (p(x) - mean) / std`` with statistics of the train part, after the
    variance-stabilizing transform ``p`` (``data.power``; none by default)."""

    mean: float
    std: float
    power: Power = Power()

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (self.power.forward(x) - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return self.power.inverse(np.asarray(z) * self.std + self.mean)


@dataclass(frozen=True)
class Windows:
    """Supervised windows of one series, ready for a model, and how to map back.

    Shapes: X (N, L, D), y (N, 1), D = 1 + covariates; ``target_index`` (N,) is the position in the
    series that each window predicts. A prediction ``p`` in model units becomes
    ``scaler.inverse(ref + target_scale * p)`` in original units.
    """

    X: np.ndarray
    y: np.ndarray
    target_index: np.ndarray
    ref: np.ndarray  # (N, 1) standardized value the target is measured from
    is_train: np.ndarray  # (N,) bool

    def subset(self, mask: np.ndarray) -> "Windows":
        return Windows(self.X[mask], self.y[mask], self.target_index[mask], self.ref[mask], self.is_train[mask])


@dataclass(frozen=True)
class Prepared:
    """A series turned into train and test windows, with everything needed to map back."""

    series: np.ndarray  # (n,) original units
    split: int  # first test index
    seq_len: int
    transform: str
    scaler: Scaler
    target_scale: float  # 1 for "none", the train std of what the network reads otherwise
    inputs: np.ndarray  # (n,) the transformed series the network reads
    train: Windows
    test: Windows
    line: tuple[float, float] = (0.0, 0.0)  # "detrend": z[t] ~ line[0] + line[1] * t
    features: np.ndarray | None = None  # (rows, C) standardized covariates as windows read them; row t: see above
    feature_names: tuple[str, ...] = ()
    known: tuple[bool, ...] = ()  # per covariate: known past the data's end
    season: int = 1  # "sdiff": m, the steps back each value is measured from
    smoothing: Smoothing | None = None  # "es": the fitted smoothing model

    @property
    def width(self) -> int:
        """D: the values a window holds per step."""
        return 1 + len(self.feature_names)

    @property
    def rollout_limit(self) -> int | None:
        """The most rollout steps the covariates allow from ``split`` (None: no limit)."""
        return None if self.features is None else self.features.shape[0] - self.split

    def rows(self, start: int, stop: int, values: np.ndarray | None = None) -> np.ndarray:
        """Window rows ``start`` .. ``stop`` - 1 (stop - start, D): the series' inputs (or ``values``
        in their place, for forecasts fed back) beside the covariates of those rows."""
        x = self.inputs[start:stop] if values is None else np.asarray(values)
        if self.features is None:
            return np.asarray(x, dtype=np.float64)[:, None]
        return np.column_stack([x, self.features[start:stop]])

    def window_of(self, values: np.ndarray, target: int) -> tuple[np.ndarray, float]:
        """The window that forecasts step ``target`` if the series read ``values`` (n,) (an edited copy,
        original units), with this preparation's scaler and transform: (its rows (L, D), the standardized
        value its forecast is measured from, as ``ref``)."""
        z = self.scaler.transform(np.asarray(values, dtype=np.float64))
        if self.transform == "none":
            inputs, ref = z, 0.0
        elif self.transform == "diff":
            inputs, ref = np.concatenate([[0.0], np.diff(z)]) / self.target_scale, float(z[target - 1])
        elif self.transform in ("sdiff", "es"):
            d, base = _relative(z, self.transform, self.season, self.smoothing)
            inputs, ref = d / self.target_scale, float(base[target])
        else:
            base = self.line[0] + self.line[1] * np.arange(len(z))
            inputs, ref = (z - base) / self.target_scale, float(base[target])
        start = target - self.seq_len
        return self.rows(start, target, inputs[start:target]), ref

    def future_features(self, steps: int) -> np.ndarray:
        """The covariates (steps, C) of the rows a rollout of ``steps`` from ``split`` appends."""
        if self.features is None:
            return np.zeros((steps, 0))
        return self.features[self.split : self.split + steps]

    def to_original(self, pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """Model outputs (N, 1) with their reference values -> original units (N,)."""
        return self.scaler.inverse(ref + self.target_scale * pred).reshape(-1)

    def paths_to_original(self, P: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Forecast paths (N, k) in model units whose first targets are the steps ``t`` (N,) -> original
        units (N, k): the inverse of the transform, step after step along each path."""
        z = np.asarray(P, dtype=np.float64) * self.target_scale
        t = np.asarray(t)
        if self.transform == "diff":  # forecasts are changes: add them up from the last known level
            z = self.scaler.transform(self.series[t - 1])[:, None] + np.cumsum(z, axis=1)
        elif self.transform == "detrend":
            z = z + self.line[0] + self.line[1] * (t[:, None] + np.arange(z.shape[1])[None, :])
        elif self.transform == "sdiff":  # a season back: the truth while it is known, then the path itself
            known = self.scaler.transform(self.series)
            m, out = self.season, np.empty_like(z)
            for j in range(z.shape[1]):
                out[:, j] = (known[t + j - m] if j < m else out[:, j - m]) + z[:, j]
            z = out
        elif self.transform == "es":
            z = self.smoothing.paths(self.scaler.transform(self.series), t, z)
        return self.scaler.inverse(z)

    def rollout_to_original(self, out: np.ndarray) -> np.ndarray:
        """Recursive forecasts (steps,) in model units, starting at ``split`` -> original units: one path."""
        return self.paths_to_original(np.asarray(out)[None, :], np.array([self.split]))[0]


def check_series(x: np.ndarray, name: str = "series") -> np.ndarray:
    """A 1-D float array without NaN or inf, else ``ValueError`` naming the first bad point."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ValueError(f"{name} has {bad.size} missing or infinite value(s), the first at index {bad[0]}")
    return x


def split_index(n: int, train_fraction: float) -> int:
    """Index of the first test point: ``floor(n * train_fraction)``."""
    TRAIN_FRACTION.check("train_fraction", train_fraction)
    return int(np.floor(n * train_fraction))


def max_seq_len(n: int, train_fraction: float) -> int:
    """The longest window that still leaves two training windows."""
    return split_index(n, train_fraction) - 2


def seq_len_problem(seq_len: int, n: int, train_fraction: float) -> str | None:
    """The one window-length rule, as the end of a sentence that starts with the field's name;
    None when ``seq_len`` fits a series of ``n`` points."""
    longest = max_seq_len(n, train_fraction)
    if seq_len <= longest:
        return None
    needed = int(np.ceil((seq_len + 2) / train_fraction))
    while max_seq_len(needed, train_fraction) < seq_len:  # floor() may leave it one short
        needed += 1
    if longest < 1:
        return (f"{seq_len} needs a series of at least {needed} points; this one has {n} "
                f"({split_index(n, train_fraction)} of them train)")
    return (f"must be at most {longest} for a series of {n} points ({split_index(n, train_fraction)} of them "
            f"train, and two training windows at least), got {seq_len}; a window of {seq_len} needs "
            f"{needed} points")


def held_out(split: int, val_fraction: float) -> int:
    """How many points at the end of the train part are held out for validation."""
    return int(np.floor(split * val_fraction))


def val_problem(seq_len: int, n: int, train_fraction: float, val_fraction: float) -> str | None:
    """The validation rule, as the end of a sentence that starts with the field's name; None when
    ``val_fraction`` (0 = no validation part) leaves at least one validation window and two training ones."""
    return _val_problem(seq_len, split_index(n, train_fraction), val_fraction)


def _val_problem(seq_len: int, split: int, val_fraction: float) -> str | None:
    if val_fraction == 0:
        return None
    v = held_out(split, val_fraction)
    if v < 1:
        return (f"must hold out at least one of the {split} train points (at least {1 / split:.3g}), "
                f"or be 0 for no validation part, got {val_fraction:g}")
    if split - v - seq_len < 2:
        return (f"leaves {max(split - v - seq_len, 0)} training window(s) of length {seq_len} in the "
                f"{split - v} train points before the validation part; it must leave two, got {val_fraction:g}")
    return None


def carve_validation(prep: "Prepared", val_fraction: float) -> tuple[Windows, Windows | None]:
    """(train, validation) windows: a validation window predicts one of the last ``val_fraction``
    of the train part's points. Never a test point; None when ``val_fraction`` is 0."""
    if val_fraction == 0:
        return prep.train, None
    problem = _val_problem(prep.seq_len, prep.split, val_fraction)
    if problem:
        raise ValueError(f"val_fraction {problem}")
    is_val = prep.train.target_index >= prep.split - held_out(prep.split, val_fraction)
    return prep.train.subset(~is_val), prep.train.subset(is_val)


def fit_scaler(train: np.ndarray, power: Power = Power()) -> Scaler:
    p = power.forward(train)
    std = float(np.std(p))
    if not std > 0:
        raise ValueError("series is constant on the train part; there is nothing to learn")
    return Scaler(float(np.mean(p)), std, power)


def make_windows(values: np.ndarray, seq_len: int, features: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All windows of ``values`` (n,): X (n - L, L, D) as a strided copy, target index (n - L,).
    ``features`` (at least n - 1 rows, C) are the covariates of each row (D = 1 + C)."""
    n = values.shape[0]
    rows = values[:-1, None] if features is None else np.column_stack([values[:-1], features[: n - 1]])
    X = np.lib.stride_tricks.sliding_window_view(rows, seq_len, axis=0).transpose(0, 2, 1)
    return np.ascontiguousarray(X), np.arange(seq_len, n)


def covariate_features(covariates, n: int, split: int) -> np.ndarray:
    """(rows, C) the covariates as window rows read them, each standardized on the train part."""
    columns, rows = [], None
    for cov in covariates:
        v = np.asarray(cov.values, dtype=np.float64)
        if v.shape[0] < n:
            raise ValueError(f"covariate {cov.name!r} has {v.shape[0]} values for a series of {n}")
        bad = np.flatnonzero(~np.isfinite(v[:n]))
        if bad.size:
            raise ValueError(f"covariate {cov.name!r} has {bad.size} missing value(s), the first at index {bad[0]}; "
                             "a covariate must be complete")
        std = float(np.std(v[:split]))
        if not std > 0:
            raise ValueError(f"covariate {cov.name!r} is constant on the train part; it tells the model nothing")
        z = (v - np.mean(v[:split])) / std
        z = z[1:] if cov.known else z[:n]  # row t reads a known covariate at t + 1, another at t
        columns.append(z)
        rows = z.shape[0] if rows is None else min(rows, z.shape[0])
    return np.column_stack([c[:rows] for c in columns])


def _relative(z: np.ndarray, transform: str, m: int, smoothing: Smoothing | None) -> tuple[np.ndarray, np.ndarray]:
    """("sdiff" and "es") (what the network reads before rescaling, what each target is measured from)."""
    if transform == "sdiff":
        base = np.concatenate([z[:m], z[:-m]])  # the first season is measured from itself: 0, not trained on
        return z - base, base
    f = smoothing.forecasts(z)
    return z - f, f


def season_problem(transform: str, season: int | None, split: int) -> str | None:
    """Why ``transform`` cannot be used with this season and train part, as the end of a sentence that
    starts with "transform"; None when it can."""
    if transform not in SEASONAL:
        return None
    if not season or season < 2:
        return ("'sdiff' (seasonal differences) needs a season, and this series has none known: "
                "no dates that make one, or a yearly series; choose another input transform")
    if split < 2 * season + 2:
        return (f"'sdiff' needs two seasons of {season} in the train part ({2 * season + 2} points), "
                f"which holds {split}")
    return None


def prepare(
    series: np.ndarray,
    seq_len: int = 60,
    train_fraction: float = 0.7,
    transform: str = "detrend",
    dtype=np.float32,
    covariates: tuple = (),
    power: str = "none",
    split: int | None = None,
    season: int | None = None,
) -> Prepared:
    """Split, scale, transform and window ``series`` (n,) for a one-step forecaster; ``covariates``
    (``data.exogenous.Covariate``) widen every window. ``power`` (``data.power``) comes first, fit on
    the train part; the series and every forecast stay in original units. ``split`` puts the first test
    point elsewhere than ``train_fraction`` does (a backtest's origin, ``models.backtest``). ``season``:
    the steps in a season, for "sdiff" (needed) and "es" (used when the train part holds two)."""
    x = check_series(series)
    n = x.shape[0]
    if not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
        raise ValueError(f"seq_len must be a positive integer, got {seq_len!r}")
    if split is None:
        split = split_index(n, train_fraction)
        problem = seq_len_problem(int(seq_len), n, train_fraction)
    elif not seq_len + 2 <= split < n:
        problem = (f"must leave two training windows before the origin at step {split} and a test part after "
                   f"it, in {n} points, got {seq_len}")
    else:
        problem = None
    if problem:
        raise ValueError(f"seq_len {problem}")
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {TRANSFORMS}, got {transform!r}")
    problem = season_problem(transform, season, split)
    if problem:
        raise ValueError(f"transform {problem}")

    scaler = fit_scaler(x[:split], fit_power(power, x, split))
    z = scaler.transform(x)
    line = (0.0, 0.0)
    m, smoothing, trained_from = int(season or 1), None, 0
    if transform == "none":
        inputs, target_scale, base = z, 1.0, np.zeros(n)
    elif transform == "diff":
        d = np.concatenate([[0.0], np.diff(z)])
        target_scale = float(np.std(d[1:split]))
        if not target_scale > 0:
            raise ValueError("series has constant differences on the train part; use transform 'none'")
        inputs, base = d / target_scale, np.concatenate([[0.0], z[:-1]])  # the change from the last value
    elif transform == "detrend":
        slope, intercept = np.polyfit(np.arange(split), z[:split], 1)
        line = (float(intercept), float(slope))
        base = intercept + slope * np.arange(n)
        target_scale = float(np.std(z[:split] - base[:split]))
        if not target_scale > 0:
            raise ValueError("series is a straight line on the train part; there is nothing left to learn")
        inputs = (z - base) / target_scale
    else:  # "sdiff", "es": measured from a season back, or from the smoothing model's forecast
        if transform == "es":
            smoothing = fit_smoothing(z, split, season)
            m = smoothing.season
        d, base = _relative(z, transform, m, smoothing)
        trained_from = m if transform == "sdiff" or m > 1 else 1  # the first season's targets are not learned
        target_scale = float(np.std(d[trained_from:split]))
        if not target_scale > 0:
            raise ValueError(f"series has nothing left to learn after transform {transform!r} on the train part")
        inputs = d / target_scale

    features = covariate_features(covariates, n, split).astype(dtype) if covariates else None
    X, t = make_windows(inputs, seq_len, features)
    y, ref = inputs[t], base[t]
    is_train = (t < split) & (t >= trained_from)
    allw = Windows(X.astype(dtype), y[:, None].astype(dtype), t, ref[:, None], is_train)
    train, test = allw.subset(is_train), allw.subset(t >= split)
    if test.X.shape[0] < 2:
        raise ValueError(f"the test part has {test.X.shape[0]} window(s); lower train_fraction or lengthen the series")
    if train.X.shape[0] < 2:
        raise ValueError(f"seq_len {seq_len} leaves {train.X.shape[0]} training window(s) after the first season "
                         f"of {m}; shorten the window or choose another input transform")
    return Prepared(x, split, seq_len, transform, scaler, target_scale, inputs.astype(dtype), train, test, line,
                    features, tuple(c.name for c in covariates), tuple(c.known for c in covariates), m, smoothing)
