"""Error measures in original units."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

import numpy as np


def naive_scale(series: np.ndarray, split: int) -> float:
    """The in-sample one-step naive MAE: mean |x[t] - x[t-1]| over the train part.
    MASE divides a test MAE by it (Hyndman and Koehler, 2006)."""
    train = np.asarray(series, dtype=np.float64)[:split]
    scale = float(np.mean(np.abs(np.diff(train)))) if train.shape[0] > 1 else 0.0
    if not scale > 0:
        raise ValueError("the train part never changes from one step to the next; MASE has no scale")
    return scale


@dataclass(frozen=True)
class Scores:
    """MSE, MAE and RMSE of forecasts against the truth, and MASE: the MAE over the
    in-sample naive MAE (below 1 beats "the next value is the last one" as it did in training)."""

    mse: float
    mae: float
    rmse: float
    mase: float

    @classmethod
    def of(cls, truth: np.ndarray, pred: np.ndarray, scale: float) -> "Scores":
        """Scores of two same-length vectors; ``scale`` is ``naive_scale`` of the series."""
        err = np.asarray(pred, dtype=np.float64).reshape(-1) - np.asarray(truth, dtype=np.float64).reshape(-1)
        mse = float(np.mean(err**2))
        mae = float(np.mean(np.abs(err)))
        return cls(mse, mae, float(np.sqrt(mse)), mae / scale)

    def as_dict(self) -> dict[str, float]:
        return {"mse": self.mse, "mae": self.mae, "rmse": self.rmse, "mase": self.mase}

    @classmethod
    def from_json(cls, d: Any) -> "Scores":
        """``as_dict``'s dict read back; ``TypeError`` where it is not a dict of the four, each a number
        (a record from a file: a string would break every later drawing of its table)."""
        names = ("mse", "mae", "rmse", "mase")
        if not isinstance(d, dict) or set(d) != set(names):
            raise TypeError(f"scores must hold exactly {', '.join(names)}")
        for k in names:
            if not isinstance(d[k], (int, float)) or isinstance(d[k], bool):
                raise TypeError(f"the score {k} must be a number, got {str(d[k])[:20]!r}")
        return cls(*(float(d[k]) for k in names))
