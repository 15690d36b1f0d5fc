"""One experiment from settings to results: the unit the command line and the dashboard run.

    config = ExperimentConfig(backend="torch", cell="gru")
    result = run_experiment(config, on_epoch_end=print)

The result is a plain, JSON-ready dict: metrics and baselines in original units,
the per-epoch history, one-step and rollout forecasts against the truth, and the
trained weights (so gates can be recomputed later without retraining).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable

import numpy as np

from data.synthetic import SeriesConfig, make_series
from data.windows import TRANSFORMS, check_series, max_seq_len, prepare, split_index
from models.base import check_model_args
from models.baselines import BASELINES
from models.forecaster import Forecaster
from models.metrics import regression_metrics
from models.registry import BACKENDS
from models.train import EpochLog, TrainConfig

MAX_ROLLOUT = 5_000


@dataclass(frozen=True)
class ExperimentConfig:
    """Every knob of one run; validates itself and names the bad field."""

    series: SeriesConfig = field(default_factory=SeriesConfig)
    seq_len: int = 60
    train_fraction: float = 0.7
    transform: str = "detrend"
    backend: str = "numpy"
    cell: str = "lstm"
    hidden_size: int = 32
    dtype: str = "float32"
    train: TrainConfig = field(default_factory=TrainConfig)
    rollout_steps: int = 200

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {tuple(BACKENDS)}, got {self.backend!r}")
        check_model_args(self.cell, 1, self.hidden_size, self.dtype)
        if self.transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}, got {self.transform!r}")
        split_index(self.series.length, self.train_fraction)  # checks the fraction
        self.check_seq_len(self.series.length)
        if not isinstance(self.rollout_steps, int) or not 1 <= self.rollout_steps <= MAX_ROLLOUT:
            raise ValueError(f"rollout_steps must be an integer in [1, {MAX_ROLLOUT}], got {self.rollout_steps!r}")

    def check_seq_len(self, length: int) -> None:
        longest = max_seq_len(length, self.train_fraction)
        if not isinstance(self.seq_len, int) or not 1 <= self.seq_len <= longest:
            raise ValueError(
                f"seq_len must be an integer in [1, {longest}] for a series of {length} points "
                f"with train_fraction {self.train_fraction}, got {self.seq_len!r}"
            )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ExperimentConfig":
        """The inverse of ``as_dict`` (lists for tuples are fine)."""
        d = dict(d)
        s = dict(d.pop("series", {}))
        comps = s.pop("components", None)
        series = SeriesConfig.from_lists(
            [c["period"] for c in comps], [c["amplitude"] for c in comps], [c["phase"] for c in comps], **s
        ) if comps is not None else SeriesConfig(**s)
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown setting(s): {sorted(unknown)}")
        return cls(series=series, train=TrainConfig(**d.pop("train", {})), **d)

    def with_(self, **changes) -> "ExperimentConfig":
        return replace(self, **changes)


def _forecaster(config: ExperimentConfig) -> Forecaster:
    t = config.train
    return Forecaster(config.backend, config.cell, config.hidden_size, t.epochs, t.learning_rate, t.batch_size,
                      t.clip_norm, t.seed, config.dtype)


def run_experiment(
    config: ExperimentConfig,
    series: np.ndarray | None = None,
    on_epoch_end: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Train and evaluate; ``series`` (n,) replaces the synthetic one when given."""
    if series is None:
        series = make_series(config.series)
    else:
        series = check_series(series)
        config.check_seq_len(series.shape[0])
    prep = prepare(series, config.seq_len, config.train_fraction, config.transform)
    model = _forecaster(config).fit(prep, on_epoch_end=on_epoch_end, should_stop=should_stop)

    truth = prep.series[prep.test.target_index]
    pred = model.predict_test()
    steps = config.rollout_steps
    roll = model.rollout(steps)
    roll_index = np.arange(prep.split, prep.split + steps)
    roll_truth = prep.series[roll_index[roll_index < series.shape[0]]]
    h = model.history_
    return {
        "config": config.as_dict(),
        "epochs_done": len(h),
        "cancelled": len(h) < config.train.epochs,
        "metrics": regression_metrics(truth, pred),
        "baselines": {name: regression_metrics(truth, fn(prep)) for name, fn in BASELINES.items()},
        "history": {
            "train_loss": [e.train_loss for e in h],
            "test_loss": [e.test_loss for e in h],
            "grad_norm": [e.grad_norm for e in h],
            "epoch_seconds": [e.seconds for e in h],
        },
        "series": {"values": prep.series.tolist(), "split": prep.split},
        "forecast": {"index": prep.test.target_index.tolist(), "truth": truth.tolist(), "pred": pred.tolist()},
        "rollout": {
            "index": roll_index.tolist(),
            "truth": roll_truth.tolist(),
            "pred": roll.tolist(),
            "metrics": regression_metrics(roll_truth, roll[: roll_truth.shape[0]]) if roll_truth.size else None,
        },
        "state_dict": {k: v.tolist() for k, v in model.model_.state_dict().items()},
    }
