"""Settings that fit a series, proposed from the data alone: what a CSV file trains at before anyone tunes.

    p = propose(series, season=12, season_why="monthly dates")
    p.settings      # knob key -> value: {"seq-len": 24, "hidden-size": 16, "transform": "es", ...}
    p.line          # "season 12 (monthly dates); window 24 (two seasons); ES hybrid; log: the swings grow ..."

Only the train part (the first ``train_fraction`` of the points) is read, so the proposal never sees the
test part. The rules:

- **Window**: two seasons where they fit in a third of the train part, else one, else a third of it;
  12 steps for a series without a season. At least two training windows always remain.
- **Input**: the exponential-smoothing hybrid (``data.smoothing``): a network that learns nothing then
  forecasts as a Holt-Winters model does, which is a sound place to start on any series.
- **Power**: the log where the series is positive and its swings grow with its level (the spread of each
  season's values rises with their mean), so the seasons become additive.
- **Hidden size and epochs**: small for a short series, larger for a long one; an ensemble of five seeds
  for a series short enough that five trainings take seconds.

``models.suggest`` searches around this with a backtest on the train part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data.bounds import TRAIN_FRACTION
from data.windows import split_index

MIN_POINTS = 40  # the shortest series a proposal promises to train on
GROWS = 0.6  # the correlation of the blocks' spread with their level above which the log is proposed
SHORT = 400  # points: an ensemble of five below this


@dataclass(frozen=True)
class Proposal:
    season: int | None
    settings: dict = field(default_factory=dict)  # knob key -> value, as the form and the command read them
    reasons: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        return "Proposed from the data: " + "; ".join(self.reasons) + "."


def swings_grow(train: np.ndarray, block: int) -> tuple[bool, float]:
    """(whether the train part's swings grow with its level, the correlation that says so): the
    standard deviation of each block of ``block`` points against the block's mean."""
    k = train.shape[0] // block
    if k < 4 or np.min(train) <= 0:
        return False, 0.0
    blocks = train[: k * block].reshape(k, block)
    means, spreads = blocks.mean(axis=1), blocks.std(axis=1)
    if np.ptp(means) <= 0 or np.ptp(spreads) <= 0:
        return False, 0.0
    r = float(np.corrcoef(means, spreads)[0, 1])
    return r > GROWS and means.max() > 1.3 * means.min(), r


def window_for(season: int | None, split: int) -> tuple[int, str]:
    """(the window, why) for a train part of ``split`` points."""
    third = max(2, split // 3)
    if season and season > 1:
        if 2 * season <= third:
            return 2 * season, "two seasons"
        if season <= third:
            return season, "one season"
        return third, "a third of the train part (a season does not fit)"
    return min(12, third), "12 steps, no season known" if third >= 12 else "a third of the train part"


def propose(series, season: int | None, season_why: str = "", train_fraction: float = 0.7) -> Proposal:
    """The settings above for ``series`` (n,) whose season is ``season`` (None: none known), found as
    ``season_why`` says ("monthly dates")."""
    x = np.asarray(series, dtype=np.float64)
    n = x.shape[0]
    TRAIN_FRACTION.check("train_fraction", train_fraction)
    if n < MIN_POINTS:
        raise ValueError(f"the series has {n} points; settings are proposed for {MIN_POINTS} or more")
    split = split_index(n, train_fraction)
    train = x[:split]
    reasons = [f"season {season} ({season_why})" if season and season > 1 else
               f"no season ({season_why})" if season_why else "no season"]
    seq_len, why = window_for(season, split)
    reasons.append(f"window {seq_len} ({why})")
    grows, r = swings_grow(train, season if season and season > 1 else max(4, split // 10))
    power = "log" if grows else "none"
    reasons.append("ES hybrid inputs (the network learns what a Holt-Winters model fitted on the train part "
                   "misses)")
    if grows:
        reasons.append(f"log: the swings grow with the level (correlation {r:.2f})")
    hidden = 16 if split < 300 else 32
    epochs = 100 if split < 300 else 60
    ensemble = 5 if n < SHORT else 1
    reasons.append(f"hidden size {hidden}, {epochs} epochs" + (f", an ensemble of {ensemble} seeds (a short series: "
                                                                "seeds disagree, and five trainings take seconds)"
                                                                if ensemble > 1 else ""))
    settings = {"seq-len": seq_len, "hidden-size": hidden, "epochs": epochs, "transform": "es", "power": power,
                "ensemble": ensemble, "batch-size": 16 if split < 300 else 64}
    return Proposal(season, settings, tuple(reasons))
