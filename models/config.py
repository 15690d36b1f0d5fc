"""The settings of one run: a typed, frozen dataclass that validates itself.

    config = ExperimentConfig(backend="torch", cell="gru")
    config.with_(hidden_size=16)

Every field has its default here and nowhere else: the page's form and the
command's options are generated from these dataclasses (see ``models.knobs``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from data.exogenous import exogenous_problems, season_of
from data.power import POWERS
from data.synthetic import SeriesConfig
from data.windows import TRANSFORMS, season_problem, seq_len_problem, split_index, val_problem
from models.base import CELL_NAMES, backend_cell_problem, check_model_args
from models.rules import (BACKEND_CHOICES, ENSEMBLE, HORIZON, HORIZON_METHODS, INTERVAL, ROLLOUT, SAMPLING, SEQ_LEN,
                          ensemble_problem, horizon_problem, interval_problem, method_problems)
from models.train import TrainConfig

DATASET_NAMES = (SYNTHETIC, *DATASETS, UPLOAD)
BACKEND_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}


@dataclass(frozen=True)
class ExperimentConfig:
    """Every knob of one run; validates itself and names the bad field."""

    series: SeriesConfig = field(default_factory=SeriesConfig)
    dataset: str = SYNTHETIC  # or a bundled data set (data.datasets), or "upload": a series the caller gives
    seq_len: int = 60
    train_fraction: float = 0.7
    transform: str = "detrend"
    power: str = "none"  # before the transform: "sqrt", "log" or "boxcox" (data.power), fit on the train part
    backend: str = "numpy"
    cell: str = "lstm"
    hidden_size: int = 32
    dropout: float = 0.0  # on the last hidden state, before the head, while training only
    dtype: str = "float32"
    train: TrainConfig = field(default_factory=TrainConfig)
    rollout_steps: int = 200
    horizon: int = 1  # k > 1: a k-step model is trained too, and compared step by step
    horizon_method: str = "direct"  # which: "direct" (k outputs), "seq2seq", or none ("recursive")
    scheduled_sampling: float = 0.0  # seq2seq: the final probability of feeding the decoder its own output
    calendar: bool = False  # sine and cosine of the date's place in its year (or day) as two more inputs
    covariates: tuple[str, ...] = ()  # more inputs: an upload's columns, or the synthetic series' "holidays"
    ensemble: int = 1  # k > 1: k training seeds (seed, seed + 1, ...), their forecasts averaged (models.ensemble)
    interval: float = 0.0  # a level such as 0.8: split-conformal prediction intervals (models.conformal); 0: none

    def __post_init__(self) -> None:
        if self.backend not in BACKEND_CHOICES:
            raise ValueError(f"backend must be one of {BACKEND_CHOICES}, got {self.backend!r}")
        check_model_args(self.cell, 1, self.hidden_size, self.dtype, self.dropout)
        problem = backend_cell_problem(self.backend, self.cell)
        if problem:
            raise ValueError(f"cell {problem}")
        if self.transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}, got {self.transform!r}")
        if self.power not in POWERS:
            raise ValueError(f"power must be one of {POWERS}, got {self.power!r}")
        if self.dataset not in DATASET_NAMES:
            raise ValueError(f"dataset must be one of {DATASET_NAMES}, got {self.dataset!r}")
        split_index(self.series.length, self.train_fraction)  # checks the fraction
        if self.length is not None:
            self.check_seq_len(self.length)
        ROLLOUT.check("rollout_steps", self.rollout_steps)
        HORIZON.check("horizon", self.horizon)
        if self.horizon_method not in HORIZON_METHODS:
            raise ValueError(f"horizon_method must be one of {HORIZON_METHODS}, got {self.horizon_method!r}")
        SAMPLING.check("scheduled_sampling", self.scheduled_sampling)
        for name, problem in method_problems(self.horizon_method, self.horizon, self.cell,
                                             self.scheduled_sampling).items():
            raise ValueError(f"{name} {problem}")
        ENSEMBLE.check("ensemble", self.ensemble)
        INTERVAL.check("interval", self.interval)
        for name, problem in (("ensemble", ensemble_problem(self.ensemble, self.horizon)),
                              ("interval", interval_problem(self.interval))):
            if problem:
                raise ValueError(f"{name} {problem}")
        object.__setattr__(self, "covariates", tuple(self.covariates))
        if not isinstance(self.calendar, bool):
            raise ValueError(f"calendar must be True or False, got {self.calendar!r}")
        for name, problem in exogenous_problems(self.dataset, self.calendar, self.covariates).items():
            raise ValueError(f"{'calendar features' if name == 'calendar' else name} {problem}")
        if self.length is not None:
            self.check_horizon(self.length)
            problem = season_problem(self.transform, self.season, split_index(self.length, self.train_fraction))
            if problem:
                raise ValueError(f"transform {problem}")

    def check_seq_len(self, length: int) -> None:
        """``ValueError`` unless the window fits a series of ``length`` points."""
        SEQ_LEN.check("seq_len", self.seq_len)
        problem = seq_len_problem(self.seq_len, length, self.train_fraction)
        if problem:
            raise ValueError(f"seq_len {problem}")
        problem = val_problem(self.seq_len, length, self.train_fraction, self.train.val_fraction)
        if problem:
            raise ValueError(f"val_fraction {problem}")

    def check_fits(self, length: int) -> None:
        """``ValueError`` unless the window and the horizon fit a series of ``length`` points
        (an uploaded series, or a record's, whose length the config alone does not know)."""
        self.check_seq_len(length)
        self.check_horizon(length)

    def check_horizon(self, length: int) -> None:
        """``ValueError`` unless horizon k leaves two train and two test windows in ``length`` points."""
        if self.horizon > 1:
            problem = horizon_problem(self.seq_len, length, split_index(length, self.train_fraction), self.horizon)
            if problem:
                raise ValueError(f"horizon {problem}")

    @property
    def length(self) -> int | None:
        """Points in the series this config trains on; None for an upload (known when it comes)."""
        if self.dataset == SYNTHETIC:
            return self.series.length
        return DATASETS[self.dataset].length if self.dataset in DATASETS else None

    @property
    def season(self) -> int | None:
        """The seasonal naive baseline's season: the data set's own, or the synthetic series' longest
        period; None for an upload, whose season its time column tells (``data.exogenous.season_of``)."""
        if self.dataset == UPLOAD:
            return None
        return DATASETS[self.dataset].season if self.dataset in DATASETS else self.series.season

    def season_for(self, times=None) -> int | None:
        """The season of the series this config trains on: ``season``, or for an upload the one its time
        labels ``times`` give (``data.exogenous.season_of``)."""
        return season_of(times)[0] if self.dataset == UPLOAD else self.season

    @property
    def inputs(self) -> int:
        """D: the values a window holds per step (the series, two calendar columns, the covariates)."""
        return 1 + 2 * self.calendar + len(self.covariates)

    @property
    def model_name(self) -> str:
        """How the page and the command name this model: "NumPy LSTM"."""
        return f"{BACKEND_NAMES[self.backend]} {CELL_NAMES[self.cell]}"

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
