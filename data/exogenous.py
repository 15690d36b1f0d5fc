"""Exogenous inputs: series a model reads beside the one it forecasts.

    cal = calendar(times, extra=200)          # sine and cosine of the place in the year (or day)
    hol = Covariate("holidays", holiday_days(seed, n + 200), known=True)

A covariate is *known* in the future when its values past the end of the data can
be written down in advance: the calendar, announced holidays. Those extend past the
data, so rollouts and multi-step models can read them. Any other column (a CSV's
extra columns) is *unknown*: it is read up to the data's last point and no further.

Calendar features follow the spacing of the time labels: hourly or finer data gets
the hour of the day, daily or weekly data the day of the year, monthly data the
month. Yearly data has no place in the year, and an undated series has no calendar;
both are refused with a sentence (``calendar_problem``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

HOLIDAYS = "holidays"  # the synthetic series' covariate


@dataclass(frozen=True)
class Covariate:
    name: str
    values: tuple[float, ...]  # original units; past the data's end only if ``known``
    known: bool

    def as_dict(self) -> dict:
        return {"name": self.name, "values": list(self.values), "known": self.known}

    @classmethod
    def from_dict(cls, d: dict) -> "Covariate":
        return cls(str(d["name"]), tuple(float(v) for v in d["values"]), bool(d["known"]))


def _dates(times: Sequence[str]):
    import pandas as pd

    try:
        dates = pd.to_datetime(pd.Series(list(times), dtype=object), errors="raise", format="mixed")
    except (ValueError, TypeError, OverflowError):
        return None
    return pd.DatetimeIndex(dates).as_unit("s")  # seconds reach past the year 2262, where pandas 2's ns end


def calendar_problem(times: Sequence[str] | None) -> str | None:
    """Why ``times`` cannot give calendar features, as the end of a sentence that starts with the
    field's name; None when they can."""
    if times is None:
        return "cannot be used: this series has no dates (choose CO2, or a CSV file with a time column)"
    if len(times) < 2:
        return "cannot be used: they need at least two dated points"
    dates = _dates(times)
    if dates is None:
        bad = next((t for t in times if _dates([t]) is None), times[0])
        return f"cannot be used: the time column holds {bad!r}, which is not a date"
    step = _step_days(dates)
    if not step > 0:
        return "cannot be used: the dates must increase"
    if step >= 360:
        return ("cannot be used: this series has one point a year, so a point has no place in its year to "
                "encode (they need monthly data or finer)")
    return None


def _step_days(dates) -> float:
    return float(np.median((dates[1:] - dates[:-1]).total_seconds()) / 86_400)


SEASONS = ((1 / 24, 24, "hourly"), (1.0, 7, "daily"), (7.0, 52, "weekly"), (30.44, 12, "monthly"),
           (91.31, 4, "quarterly"))  # (days between points, points per season, name)
NO_SEASON = ("left out: no season is known for this series (a time column of hourly, daily, weekly, monthly "
             "or quarterly dates gives one)")


def season_of(times: Sequence[str] | None) -> tuple[int | None, str]:
    """(the seasonal naive baseline's season for data labelled ``times``, how it was found); the season is
    None where the labels give none: no dates, yearly or irregular ones."""
    if not times or len(times) < 3:
        return None, "no time column"
    dates = _dates(times)
    if dates is None:
        return None, "its time column holds no dates"
    step = _step_days(dates)
    for days, season, name in SEASONS:
        if abs(step - days) <= 0.15 * days:
            return season, f"{name} dates"
    return None, "yearly or irregular dates"


def dates_after(dates, extra: int):
    """The ``extra`` dates after ``dates`` (a ``DatetimeIndex`` of two or more), at their median spacing:
    whole months for monthly or coarser data, days (or parts of one) for finer."""
    import pandas as pd

    step = _step_days(dates)
    if step >= 27:
        months = max(1, round(step / 30.44))
        return pd.DatetimeIndex(np.array([dates[-1] + pd.DateOffset(months=months * j) for j in range(1, extra + 1)],
                                         dtype="datetime64[s]"))
    return (dates[-1] + pd.to_timedelta(np.arange(1, extra + 1) * step, unit="D")).round("s")


def calendar(times: Sequence[str], extra: int) -> list[Covariate]:
    """Sine and cosine of the place in the cycle that fits the data's spacing, for the data's dates
    and ``extra`` dates after them (at the median spacing): two known covariates."""
    problem = calendar_problem(times)
    if problem:
        raise ValueError(f"calendar features {problem}")
    dates = _dates(times)
    step = _step_days(dates)
    every = dates.append(dates_after(dates, extra))
    if step < 1:
        name, angle = "hour of day", 2 * np.pi * (every.hour + every.minute / 60) / 24
    elif step < 27:
        name, angle = "day of year", 2 * np.pi * (every.dayofyear - 1) / 365.25
    else:
        name, angle = "month", 2 * np.pi * (every.month - 1) / 12
    return [Covariate(f"{name} (sin)", tuple(np.sin(angle).tolist()), True),
            Covariate(f"{name} (cos)", tuple(np.cos(angle).tolist()), True)]


@lru_cache(maxsize=None)
def _dataset_calendar_problem(name: str) -> str | None:
    """``calendar_problem`` of a bundled data set's dates, parsed once (every config checks it)."""
    from data.datasets import DATASETS

    return calendar_problem(DATASETS[name].load()[0])


def exogenous_problems(dataset: str, calendar_on: bool, covariates: Sequence[str],
                       columns: Sequence[str] | None = None, value_column: str | None = None) -> dict[str, str]:
    """The rules for calendar features and covariates on a data set: setting (``calendar``,
    ``covariates``) -> the end of a sentence that starts with its name; empty when none.
    For an upload, ``columns`` are the file's numeric columns (None: not known yet)."""
    from data.datasets import DATASETS, SYNTHETIC

    problems = {}
    if calendar_on and dataset == SYNTHETIC:
        problems["calendar"] = ("cannot be used: the synthetic series has no dates (choose CO2, or a CSV file "
                                "with a time column)")
    elif calendar_on and dataset in DATASETS:
        problem = _dataset_calendar_problem(dataset)
        if problem:
            problems["calendar"] = problem
    names = list(covariates)
    if len(set(names)) < len(names):
        problems["covariates"] = f"name a column once each, got {', '.join(names)}"
    elif names and dataset == SYNTHETIC and names != [HOLIDAYS]:
        problems["covariates"] = (f"of the synthetic series can only be {HOLIDAYS!r} (set a holiday spike height "
                                  f"to see them), got {', '.join(names)}")
    elif names and dataset in DATASETS:
        problems["covariates"] = (f"are columns of a CSV file of your own; the data set {DATASETS[dataset].title} "
                                  f"has none, got {', '.join(names)}")
    elif names and columns is not None:
        unknown = [c for c in names if c not in columns or c == value_column]
        if unknown:
            others = [c for c in columns if c != value_column]
            problems["covariates"] = (f"must be numeric columns of the file other than the value column "
                                      f"({', '.join(others) or 'it has none'}), got {', '.join(unknown)}")
    return problems
