"""The statistical models a forecaster fits first, as baselines: statsforecast's AutoETS, AutoARIMA and
AutoTheta.

    fits = fit_statistical(series, split, season=12, steps=200)
    fits["auto_ets"].one_step      # its forecast of each test point from the true history before it
    fits["auto_ets"].rollout       # its forecast of the next ``steps`` points from the split

Each model is fitted on the train part only (the points before ``split``). Its one-step forecasts of the
test points come from running the fitted model, its parameters fixed, over the series (statsforecast's
``forward``): the forecast of point t reads the true values before t, as the network's test windows do.
ETS and ARIMA filter the series step by step, so one pass over the whole of it (``fitted=True``) gives
every such forecast at once. Theta's ``forward`` takes the season out of the whole series it is given, the
test part included, so its forecast of each test point is made from the values before it alone, one call
a point. Its rollout forecasts from the split, as the network's does.

A long train part is fitted on its last ``FIT_POINTS`` points, and the baseline says so; a model that
fails to fit (a series too short for its season, a numerical failure) is left out, and ``skipped`` says
why. ``should_stop`` is asked between models, so a job's Cancel and time limit hold here too.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

STATISTICAL = ("auto_ets", "auto_arima", "auto_theta")
FIT_POINTS = 1000  # the longest stretch of the train part a model is fitted on (AutoARIMA's time grows with it)
LONGEST_SEASON = 24  # seasons ETS and ARIMA take (statsforecast's ETS stops here; ARIMA's search slows past it)
_KEPT: OrderedDict = OrderedDict()  # the last few fits of this process: an ensemble's members, a sweep's runs,
KEEP = 8  # and a paused run share one series, and fit it once
SHELF_FILES = 512  # fits kept on disk (``use_shelf``): a class that trains on one series fits it once
_SHELF: list[Path] = []  # the folder, once a server names one


def use_shelf(folder: Path | str | None) -> None:
    """Keep fits in ``folder`` too (a server's cache folder), so that every job on the same series, split
    and season reads them instead of fitting again; None: this process's memory only."""
    _SHELF[:] = [Path(folder)] if folder else []


@dataclass(frozen=True)
class StatisticalFit:
    """One model's forecasts, original units."""

    one_step: np.ndarray  # (n - split,) the test points, each from the true values before it
    rollout: np.ndarray  # (steps,) from the split on
    note: str = ""  # what differs from a plain fit on the whole train part, e.g. "fitted on the last 1,000 ..."


def season_length(season: int | None, train_points: int) -> int:
    """statsforecast's season length: 1 (no season) when none is known, or when the train part holds fewer
    than two whole seasons, which no seasonal model can be fitted on."""
    if season is None or season < 2 or train_points < 2 * season + 2:
        return 1
    return int(season)


def approximate(points: int, season: int) -> bool:
    """Whether AutoARIMA searches with an approximate likelihood: R's auto.arima's own rule (more than
    150 points, or a season over 12), which keeps its search to a second or two."""
    return points > 150 or season > 12


def _model(name: str, season: int, points: int):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    short = season if season <= LONGEST_SEASON else 1  # a longer season: fitted without it, and the note says so
    if name == "auto_ets":
        return AutoETS(season_length=short)
    if name == "auto_arima":
        return AutoARIMA(season_length=short, approximation=approximate(points, short))
    return AutoTheta(season_length=season)


def fit_one(name: str, series: np.ndarray, split: int, season: int | None, steps: int) -> StatisticalFit:
    """Fit model ``name`` on ``series[:split]`` (its last ``FIT_POINTS``) and forecast as above."""
    series = np.asarray(series, dtype=np.float64)
    n = series.shape[0]
    start = max(0, split - FIT_POINTS)
    m = season_length(season, split - start)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fitted = _model(name, m, split - start).fit(series[start:split])
        if name == "auto_theta":  # no test value may shape the season its forecasts use
            one_step = np.array([fitted.forward(y=series[start:t], h=1)["mean"][0] for t in range(split, n)])
        else:
            one_step = fitted.forward(y=series[start:], h=1, fitted=True)["fitted"][split - start:]
        rollout = fitted.predict(h=steps)["mean"]
    one_step = np.asarray(one_step, dtype=np.float64)
    rollout = np.asarray(rollout, dtype=np.float64)
    if not (np.all(np.isfinite(one_step)) and np.all(np.isfinite(rollout))):
        raise ValueError("its forecasts are not finite numbers")
    notes = []
    if start:
        notes.append(f"fitted on the last {FIT_POINTS:,} of {split:,} train points")
    if season and season > 1 and m == 1:
        notes.append(f"no season: the train part holds fewer than two seasons of {season}")
    elif name != "auto_theta" and m > LONGEST_SEASON:
        notes.append(f"no season: fitted with seasons up to {LONGEST_SEASON} steps only, and this one is {m} "
                     "(AutoTheta takes it)")
    if name == "auto_arima" and approximate(split - start, m if m <= LONGEST_SEASON else 1):
        notes.append("orders searched with an approximate likelihood, as R's auto.arima does past 150 points")
    return StatisticalFit(one_step, rollout, "; ".join(notes))


def fit_statistical(series: np.ndarray, split: int, season: int | None, steps: int,
                    should_stop: Callable[[], bool] | None = None) -> tuple[dict[str, StatisticalFit], dict[str, str]]:
    """(each model that fitted -> its forecasts, each that did not -> why), in ``STATISTICAL``'s order."""
    series = np.asarray(series, dtype=np.float64)
    key = (hashlib.sha256(series.tobytes()).hexdigest(), split, season, steps)
    if key in _KEPT:
        _KEPT.move_to_end(key)
        return _KEPT[key]
    shelved = _from_shelf(key)
    if shelved is not None:
        _KEPT[key] = shelved
        return shelved
    fits: dict[str, StatisticalFit] = {}
    skipped: dict[str, str] = {}
    for name in STATISTICAL:
        if should_stop is not None and should_stop():
            skipped[name] = "the run was stopped before it was fitted"
            continue
        try:
            fits[name] = fit_one(name, series, split, season, steps)
        except Exception as e:  # a model that cannot fit this series is left out, with the reason
            skipped[name] = f"it could not be fitted here ({type(e).__name__}: {str(e)[:120]})"
    if not any("stopped" in why for why in skipped.values()):
        _KEPT[key] = (fits, skipped)
        if len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)
        _to_shelf(key, fits, skipped)
    return fits, skipped


def _shelf_path(key: tuple) -> Path | None:
    if not _SHELF:
        return None
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return _SHELF[0] / f"{name}.npz"


def _from_shelf(key: tuple):
    """The fits kept on disk for ``key``, or None (none kept, or a file that cannot be read)."""
    path = _shelf_path(key)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            if meta["key"] != list(key):
                return None
            fits = {name: StatisticalFit(f[f"{name}_one"], f[f"{name}_roll"], note)
                    for name, note in meta["notes"].items()}
        return fits, dict(meta["skipped"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _to_shelf(key: tuple, fits: dict[str, StatisticalFit], skipped: dict[str, str]) -> None:
    """Keep ``fits`` on disk (written whole, then renamed into place); the oldest files go past ``SHELF_FILES``."""
    path = _shelf_path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"{n}_one": f.one_step for n, f in fits.items()} | {f"{n}_roll": f.rollout for n, f in fits.items()}
        meta = json.dumps({"key": list(key), "notes": {n: f.note for n, f in fits.items()}, "skipped": skipped})
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, meta=np.array(meta), **arrays)
        os.replace(tmp, path)
        files = sorted(path.parent.glob("*.npz"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - SHELF_FILES)]:
            old.unlink(missing_ok=True)
    except OSError:  # a full or read-only disk: the fits are still returned, only not kept
        pass
