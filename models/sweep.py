"""The notebook's first two exercises as sweeps: several runs that differ in one setting.

    spec = SweepSpec.parse("seed", "0, 1, 2, 3, 4", "lstm, gru, rnn")
    points = [point(c, run_experiment(c)) for c in spec.configs(ExperimentConfig())]

- over "seed": the training seed (initial weights and batch order). How much of a
  result is luck? Drawn as test MSE per cell, one dot per seed.
- over "seq-len": the window length L. A window shorter than a season cannot see a
  whole cycle. The classic case (``LONG_SEASON``) has a second, longer period of 120
  steps; drawn as test MSE against L, one line per cell.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import Any

from data.datasets import SYNTHETIC
from data.synthetic import SeriesConfig
from models.base import CELL_NAMES, CELLS
from models.config import ExperimentConfig
from models.run import RunRecord

OVER = {"seed": "Training seed", "seq-len": "Window length L"}
DEFAULT_VALUES = {"seed": (0, 1, 2, 3, 4), "seq-len": (20, 40, 60, 90, 120)}
DEFAULT_CELLS = ("lstm", "gru", "rnn")
MAX_RUNS = 30
LONG_SEASON = SeriesConfig.from_lists([50.0, 120.0], [1.2, 0.6], [0.0, 0.8])  # the window-length case


def on_long_season(config: ExperimentConfig) -> ExperimentConfig:
    """``config`` on the synthetic long-season series (its length, trend, noise and seed kept)."""
    return config.with_(dataset=SYNTHETIC, series=replace(config.series, components=LONG_SEASON.components))


@dataclass(frozen=True)
class SweepSpec:
    over: str  # "seed" or "seq-len"
    values: tuple[int, ...]
    cells: tuple[str, ...]

    @classmethod
    def parse(cls, over: str, values: str | None, cells: str | list[str] | None,
              names: dict[str, str] | None = None) -> "SweepSpec":
        """A spec from text as a person types it; ``ValueError`` names the field (``names`` maps
        "over", "values" and "cells" to what a message calls them)."""
        names = {"over": "Sweep over", "values": "Values", "cells": "Cells", **(names or {})}
        if over not in OVER:
            raise ValueError(f"{names['over']} must be one of {', '.join(OVER)}, got {over!r}")
        text = (values or "").strip()
        if not text:
            parsed = DEFAULT_VALUES[over]
        else:
            try:
                parsed = tuple(int(v) for v in text.replace(";", ",").split(","))
            except ValueError:
                raise ValueError(f"{names['values']} must be whole numbers separated by commas, such as "
                                 f"{', '.join(map(str, DEFAULT_VALUES[over]))}; got {text!r}") from None
        low = 0 if over == "seed" else 1
        if any(v < low for v in parsed) or len(set(parsed)) != len(parsed):
            raise ValueError(f"{names['values']} must be different whole numbers of at least {low}, got {text!r}")
        chosen = cells.split(",") if isinstance(cells, str) else list(DEFAULT_CELLS if cells is None else cells)
        chosen = tuple(c.strip() for c in chosen if c.strip())
        unknown = [c for c in chosen if c not in CELLS]
        if not chosen or unknown:
            raise ValueError(f"{names['cells']} must be some of {', '.join(CELLS)}, got {', '.join(chosen) or 'none'}")
        if len(parsed) * len(chosen) > MAX_RUNS:
            raise ValueError(f"a sweep may have at most {MAX_RUNS} runs; {len(parsed)} values x {len(chosen)} cells "
                             f"make {len(parsed) * len(chosen)}")
        return cls(over, parsed, chosen)

    def configs(self, base: ExperimentConfig) -> list[ExperimentConfig]:
        """One config per cell and value, cell by cell; ``ValueError`` (from the config's own checks)
        if one cannot run: a cell the backend lacks, a window too long for the series."""
        out = []
        for cell in self.cells:
            for v in self.values:
                c = base.with_(cell=cell)
                out.append(c.with_(train=replace(c.train, seed=v)) if self.over == "seed" else c.with_(seq_len=v))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"over": self.over, "values": list(self.values), "cells": list(self.cells)}


def point_value(config: ExperimentConfig, over: str) -> int:
    """The value of the swept setting in ``config``."""
    return config.train.seed if over == "seed" else config.seq_len


def point(record: RunRecord, over: str) -> dict[str, Any]:
    """One finished run of a sweep, as the sweep view and ``gatelab sweep --json`` keep it."""
    c = record.config
    return {"cell": c.cell, "label": CELL_NAMES[c.cell], "value": point_value(c, over),
            "mse": record.metrics.mse, "mase": record.metrics.mase, "epochs": record.epochs_done,
            "rollout_mse": record.rollout_scores.mse if record.rollout_scores else None,
            "baselines": {k: s.mse for k, s in record.baselines.items()}, "stopped": record.stopped}


def summary(points: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per cell: the mean, spread (max - min) and best value of the test MSE, and the median of the rollout
    MSE (None where a run has no rollout to score)."""
    out: dict[str, dict[str, float]] = {}
    for cell in dict.fromkeys(p["cell"] for p in points):
        mine = [p for p in points if p["cell"] == cell]
        mses = [p["mse"] for p in mine]
        best = min(mine, key=lambda p: p["mse"])
        rolls = [p.get("rollout_mse") for p in mine]
        out[cell] = {"mean": sum(mses) / len(mses), "spread": max(mses) - min(mses), "best_value": best["value"],
                     "best_mse": best["mse"],
                     "rollout_median": None if None in rolls else float(statistics.median(rolls)),
                     "rollout_spread": None if None in rolls else max(rolls) - min(rolls)}
    return out


def sweep_verdict(points: list[dict[str, Any]], over: str) -> str:
    """Who won the sweep, in words (``models.verdict.comparison``): over seeds, the cells' mean test MSE
    against the spread of their seeds; over window lengths, each cell at its best window."""
    from models.base import CELL_NAMES
    from models.verdict import comparison, number

    if not points:
        return ""
    table = summary(points)
    if over == "seed":
        text = comparison([(CELL_NAMES.get(c, c), s["mean"], s["spread"]) for c, s in table.items()],
                          "mean test MSE over the seeds")
        if len(table) > 1 and all(s["rollout_median"] is not None for s in table.values()):
            text += " Fed their own forecasts: " + comparison(
                [(CELL_NAMES.get(c, c), s["rollout_median"], s["rollout_spread"]) for c, s in table.items()],
                "median rollout MSE")
        return text
    ranked = sorted(table.items(), key=lambda kv: kv[1]["best_mse"])
    best_cell, best = ranked[0]
    text = (f"{CELL_NAMES.get(best_cell, best_cell)} scored best, at window {best['best_value']} (test MSE "
            f"{number(best['best_mse'])})")
    others = [f"{CELL_NAMES.get(c, c)} {number(s['best_mse'])} at {s['best_value']}" for c, s in ranked[1:]]
    return text + (f"; the others at their best: {', '.join(others)}. One seed each: a gap smaller than a seed "
                   "sweep's spread is no winner." if others else ".")
