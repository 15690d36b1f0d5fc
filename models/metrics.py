"""Error measures in original units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    """MSE, MAE and RMSE of forecasts against the truth."""

    mse: float
    mae: float
    rmse: float

    @classmethod
    def of(cls, truth: np.ndarray, pred: np.ndarray) -> "Scores":
        """Scores of two same-length vectors."""
        err = np.asarray(pred, dtype=np.float64).reshape(-1) - np.asarray(truth, dtype=np.float64).reshape(-1)
        mse = float(np.mean(err**2))
        return cls(mse, float(np.mean(np.abs(err))), float(np.sqrt(mse)))
