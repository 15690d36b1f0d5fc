"""The explicit registry of backends behind ``create_model`` and ``create_seq2seq``: the one place that
knows which module builds which model (so a model's base module never imports its backends)."""

from __future__ import annotations

from typing import Callable

from models.base import RecurrentRegressor
from models.config import ExperimentConfig

RUN = ExperimentConfig()  # the defaults, read from the settings' one home


def _numpy(**kwargs) -> RecurrentRegressor:
    from models.numpy_backend import NumpyRecurrentRegressor

    return NumpyRecurrentRegressor(**kwargs)


def _torch(**kwargs) -> RecurrentRegressor:
    from models.torch_backend import TorchRecurrentRegressor  # torch loads only when asked for

    return TorchRecurrentRegressor(**kwargs)


BACKENDS: dict[str, Callable[..., RecurrentRegressor]] = {"numpy": _numpy, "torch": _torch}


def create_model(backend: str = RUN.backend, cell: str = RUN.cell, input_size: int = 1,
                 hidden_size: int = RUN.hidden_size, seed: int = RUN.train.seed, dtype: str = RUN.dtype,
                 dropout: float = RUN.dropout, outputs: int = 1) -> RecurrentRegressor:
    """A recurrent layer plus linear head on ``backend`` ("numpy" or "torch").

    The same arguments give the same initial weights on both backends. ``outputs`` > 1 makes a
    direct multi-step forecaster: one head row per step ahead.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {tuple(BACKENDS)}, got {backend!r}")
    return BACKENDS[backend](cell=cell, input_size=input_size, hidden_size=hidden_size, seed=seed, dtype=dtype,
                             dropout=dropout, outputs=outputs)


def create_seq2seq(backend: str, cell: str, input_size: int, hidden_size: int, horizon: int, covariates: int = 0,
                   seed: int = RUN.train.seed, dtype: str = RUN.dtype):
    """The seq2seq forecaster on ``backend``; the same arguments give the same first weights on both."""
    if backend == "numpy":
        from models.numpy_seq2seq import NumpySeq2Seq

        return NumpySeq2Seq(cell, input_size, hidden_size, horizon, covariates, seed, dtype)
    if backend == "torch":
        from models.torch_seq2seq import TorchSeq2Seq

        return TorchSeq2Seq(cell, input_size, hidden_size, horizon, covariates, seed, dtype)
    raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
