"""Recurrent forecasters: NumPy and PyTorch LSTM/GRU behind one interface."""

from models.base import CELLS, GATES, RecurrentRegressor
from models.registry import BACKENDS, create_model

__all__ = ["BACKENDS", "CELLS", "GATES", "RecurrentRegressor", "create_model"]
