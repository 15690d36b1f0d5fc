"""Real series shipped with Gatelab (``data/datasets/*.csv``; sources and licences in
``data/datasets/SOURCES.md``), read with pandas.

    ds = DATASETS["nile"]
    times, values = ds.load()

Each data set brings its season (for the seasonal naive baseline) and the settings
it trains well with (``defaults``: knob key -> value). Window, hidden size and
learning rate were chosen on a validation part carved from the end of the train part
(the last 20 %), never on the test part, and the epochs are the best validation
epoch, rounded up (``tools/dataset_defaults.py`` repeats the choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

FOLDER = Path(__file__).resolve().parent / "datasets"
SYNTHETIC = "synthetic"
UPLOAD = "upload"  # a CSV a person gave the page (components.page.upload)


@dataclass(frozen=True)
class DataSet:
    name: str
    title: str
    file: str
    time_column: str
    value_column: str
    unit: str
    season: int  # steps per season for the seasonal naive baseline; 1 = none
    note: str  # one line for the page: what the data is like (claims about results: ``models.findings``)
    defaults: dict[str, Any] = field(default_factory=dict)

    def load(self) -> tuple[list[str], np.ndarray]:
        """(time labels, values (n,) float64)."""
        return _read(self.file, self.time_column, self.value_column)

    @property
    def length(self) -> int:
        return len(self.load()[0])


@lru_cache(maxsize=None)
def _read(file: str, time_column: str, value_column: str) -> tuple[list[str], np.ndarray]:
    import pandas as pd

    frame = pd.read_csv(FOLDER / file)
    values = frame[value_column].to_numpy(dtype=np.float64)
    values.setflags(write=False)
    return [str(t) for t in frame[time_column]], values


DATASETS: dict[str, DataSet] = {
    "nile": DataSet("nile", "Nile flow at Aswan, yearly 1871-1970", "nile.csv", "year", "volume", "10^8 m^3",
                    season=1, note="A level shift near 1898, and no season.",
                    defaults={"seq-len": 10, "hidden-size": 16, "epochs": 60, "learning-rate": 0.003,
                              "batch-size": 16, "transform": "none", "power": "none", "ensemble": 5}),
    "co2": DataSet("co2", "Mauna Loa CO2, weekly 1958-2001", "co2.csv", "week", "co2", "ppm", season=52,
                   note="A rising trend and a yearly cycle of 52 weeks.",
                   defaults={"seq-len": 52, "hidden-size": 32, "epochs": 60, "learning-rate": 0.002,
                             "batch-size": 64, "transform": "diff", "power": "log", "ensemble": 5}),
    "sunspots": DataSet("sunspots", "Sunspot numbers, yearly 1700-2008", "sunspots.csv", "year", "sunspots",
                        "sunspot number", season=11,
                        note="Cycles of about 11 years whose peaks differ: a non-linear series.",
                        defaults={"seq-len": 11, "hidden-size": 32, "epochs": 10, "learning-rate": 0.005,
                                  "batch-size": 16, "transform": "none", "power": "sqrt", "ensemble": 5}),
}
