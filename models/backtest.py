"""Rolling-origin backtests: is a result true across time, or one lucky split?

    result = backtest(config, origins=5, refit="every")

The test part (from the config's split to the end) is cut into ``origins`` blocks of
equal length (the last one takes the remainder). At each block's first point, the
origin, the model forecasts the block: one step ahead at every point of it (each
window reads the true values before its target), and recursively from the origin
for as many steps as the block has (at most ``rollout_steps``). Every baseline
forecasts the same points one step ahead.

- ``refit="every"``: at each origin a model is trained on everything before it (its
  scaler, its trend line and its power fit there too): N trainings.
- ``refit="once"``: one model, trained on everything before the first origin, is fed
  the new data as it comes; its scaling stays the one of its training. One training.

A backtest with one origin is the plain run: the same split, data and seed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from data.datasets import DATASETS
from data.upload import Uploaded
from data.windows import split_index
from models.baselines import BASELINES
from models.config import ExperimentConfig
from models.ensemble import run_ensemble
from models.experiment import cut_series, series_values
from models.horizon import recursive_paths
from models.run import RunRecord, restore

REFITS = ("every", "once")
MAX_ORIGINS = 20


@dataclass(frozen=True)
class Backtest:
    """Errors per origin (MSE, original units) of the model and of each baseline."""

    origins: tuple[int, ...]  # the first point of each block
    ends: tuple[int, ...]  # one past each block's last point
    refit: str
    one_step: dict[str, tuple[float, ...]]  # "model" and each baseline -> MSE per origin
    rollout: tuple[float, ...]  # the model's recursive forecast of each block from its origin
    seconds: float = 0.0
    model_name: str = ""
    times: tuple[str, ...] = field(default=(), repr=False)  # the series' labels, for the chart's axis

    def as_dict(self) -> dict:
        return {"origins": list(self.origins), "ends": list(self.ends), "refit": self.refit,
                "one_step": {k: list(v) for k, v in self.one_step.items()}, "rollout": list(self.rollout),
                "seconds": self.seconds, "model": self.model_name,
                "labels": [self.times[o] for o in self.origins] if self.times else []}

    def wins(self, baseline: str = "linear_ar") -> int:
        """At how many origins the model's one-step MSE is below ``baseline``'s."""
        return int(np.sum(np.asarray(self.one_step["model"]) < np.asarray(self.one_step[baseline])))


def origins_of(n: int, split: int, origins: int) -> list[tuple[int, int]]:
    """The blocks (origin, end) of a test part from ``split`` to ``n`` cut in ``origins``."""
    block = (n - split) // origins
    starts = [split + i * block for i in range(origins)]
    return [(o, starts[i + 1] if i + 1 < origins else n) for i, o in enumerate(starts)]


def origins_problem(origins: int, n: int, split: int, horizon: int = 1) -> str | None:
    """Why ``origins`` does not fit a test part of ``n - split`` points, as the end of a sentence that
    starts with "origins"; None when it does."""
    most = min(MAX_ORIGINS, (n - split) // max(2, horizon + 1))
    if not isinstance(origins, (int, np.integer)) or not 1 <= origins <= most:
        return (f"must be a whole number from 1 to {most} (each block of the test part's {n - split} points "
                f"needs {max(2, horizon + 1)} at least), got {origins!r}")
    return None


def backtest(config: ExperimentConfig, origins: int = 5, refit: str = "every",
             series: np.ndarray | Uploaded | None = None,
             on_origin: Callable[[int, int], None] | None = None,
             should_stop: Callable[[], bool] | None = None, **kwargs) -> Backtest:
    """Train and forecast at every origin (``refit``), the baselines beside; ``on_origin(i, origin)`` hears
    of each as it starts, and ``kwargs`` go to each training (``models.experiment.run_experiment``).
    A stop ends the backtest with the origins it finished."""
    if refit not in REFITS:
        raise ValueError(f"refit must be one of {', '.join(REFITS)}, got {refit!r}")
    kwargs.setdefault("statistical", False)  # its table holds the simple baselines; refitting the rest is waste
    values = series_values(config, series)
    n = values.shape[0]
    split = split_index(n, config.train_fraction)
    problem = origins_problem(origins, n, split, config.horizon)
    if problem:
        raise ValueError(f"origins {problem}")
    start = time.perf_counter()
    blocks = origins_of(n, split, origins)
    rows: list[tuple[dict[str, float], float]] = []
    if refit == "once":
        rows = _once(config, series, values, blocks, on_origin, should_stop, **kwargs)
    else:
        for i, (o, end) in enumerate(blocks):
            if should_stop is not None and should_stop() and rows:
                break
            if on_origin is not None:
                on_origin(i, o)
            record = _train(config, cut_series(series if isinstance(series, Uploaded) else values, end), o, should_stop,
                            **kwargs)
            rows.append(_scores(record))
            if should_stop is not None and should_stop():
                break
    done = blocks[: len(rows)]
    names = ("model", *rows[0][0].keys() - {"model"}) if rows else ("model",)
    names = ("model", *[b for b in BASELINES if b in names])
    return Backtest(tuple(o for o, _ in done), tuple(e for _, e in done), refit,
                    {m: tuple(r[m] for r, _ in rows) for m in names}, tuple(roll for _, roll in rows),
                    time.perf_counter() - start, config.model_name, _times(config, series, n))


def _train(config: ExperimentConfig, series, origin: int, should_stop, **kwargs) -> RunRecord:
    return run_ensemble(config, series=series, should_stop=should_stop, split=origin, **kwargs)[1]


def _scores(record: RunRecord) -> tuple[dict[str, float], float]:
    roll = record.rollout_scores
    return ({"model": record.metrics.mse, **{k: s.mse for k, s in record.baselines.items()}},
            roll.mse if roll is not None else float("nan"))


def _once(config, series, values, blocks, on_origin, should_stop, **kwargs) -> list:
    """One training before the first origin; every block forecast by that model, fed the true values."""
    first = blocks[0][0]
    if on_origin is not None:
        on_origin(0, first)
    record = _train(config, series, first, should_stop, **kwargs)
    truth = np.asarray(record.forecast.truth)
    index = np.asarray(record.forecast.index)
    pred = np.asarray(record.forecast.pred)
    model = restore(record)
    prep = model.prep_
    season = config.season if config.season is not None else 1
    base = {name: fn(prep, season) for name, fn in BASELINES.items()
            if name != "seasonal_naive" or config.season is not None}
    members = [restore(record.with_(weights=m.weights), prep=prep).model_ for m in record.members] or [model.model_]
    rows = []
    for o, end in blocks:
        inside = (index >= o) & (index < end)
        scores = {"model": float(np.mean((pred[inside] - truth[inside]) ** 2))}
        scores.update({k: float(np.mean((v[inside] - truth[inside]) ** 2)) for k, v in base.items()})
        steps = min(end - o, config.rollout_steps)
        w = prep.test.subset(prep.test.target_index == o)
        appended = None
        if prep.features is not None:
            appended = prep.features[np.minimum(o + np.arange(steps), prep.features.shape[0] - 1)][None]
        path = np.mean([prep.paths_to_original(recursive_paths(m, w.X, steps, appended), w.target_index)[0]
                        for m in members], axis=0)
        rolled = float(np.mean((path - values[o:o + steps]) ** 2))
        rows.append((scores, rolled))
    return rows


def _times(config: ExperimentConfig, series, n: int) -> tuple[str, ...]:
    if isinstance(series, Uploaded):
        return tuple(series.times or ())
    return tuple(DATASETS[config.dataset].load()[0]) if config.dataset in DATASETS and series is None else ()
