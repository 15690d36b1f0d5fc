"""Series and windows: pure functions with an explicit random generator and dtype."""

from data.bounds import MAX_LENGTH
from data.synthetic import Seasonal, SeriesConfig, make_series
from data.windows import (
    TRANSFORMS,
    Prepared,
    Scaler,
    Windows,
    check_series,
    fit_scaler,
    make_windows,
    max_seq_len,
    prepare,
    split_index,
)

__all__ = [
    "MAX_LENGTH",
    "TRANSFORMS",
    "Prepared",
    "Scaler",
    "Seasonal",
    "SeriesConfig",
    "Windows",
    "check_series",
    "fit_scaler",
    "make_series",
    "make_windows",
    "max_seq_len",
    "prepare",
    "split_index",
]
