"""The x axis of a series' charts: years, dates, or time steps.

    axis = time_axis(times, n + 500)   # times: the data's labels; n + 500 positions, past the data too
    axis.x(12), axis.xs([0, 1, 2]), axis.edge(700), axis.title

A series whose labels are whole years (the Nile, sunspots) gets a year axis; one
whose labels are increasing dates (CO2, a CSV's time column) gets a date axis;
any other (the synthetic series, labels that are neither) keeps its time steps.
Positions past the labels (a rollout beyond the data's end) continue at the
labels' spacing. ``edge(i)`` is where a line between position i - 1 and i goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from data.exogenous import _dates, dates_after

YEAR = re.compile(r"-?\d{1,4}(\.0+)?")


@dataclass(frozen=True)
class TimeAxis:
    title: str  # "year", "date" or "time step"
    values: tuple = ()  # x of each position; empty: the position itself
    half: float = 0.5  # how far before a position its left edge lies (0 on a date axis)

    def x(self, i: int):
        return self.values[i] if self.values and 0 <= i < len(self.values) else i

    def xs(self, positions: Sequence[int]) -> list:
        return [self.x(int(i)) for i in positions]

    def edge(self, i: int):
        x = self.x(i)
        return x - self.half if isinstance(x, (int, float)) else x

    @property
    def is_steps(self) -> bool:
        return not self.values


STEPS = TimeAxis("time step")


def time_axis(times: Sequence[str] | None, length: int) -> TimeAxis:
    """The axis of ``length`` positions for data labelled ``times`` (None or empty: time steps)."""
    if not times or len(times) < 2:
        return STEPS
    return _axis(tuple(times), int(length))


@lru_cache(maxsize=32)
def _axis(times: tuple[str, ...], length: int) -> TimeAxis:
    extra = max(0, length - len(times))
    if all(YEAR.fullmatch(t.strip()) for t in times):
        years = [int(float(t)) for t in times]
        step = int(np.median(np.diff(years)))
        if step > 0 and all(b > a for a, b in zip(years, years[1:])):
            return TimeAxis("year", tuple(years[:length] + [years[-1] + step * j for j in range(1, extra + 1)]))
        return STEPS
    dates = _dates(times)
    if dates is None or not (dates[1:] > dates[:-1]).all():
        return STEPS
    every = dates.append(dates_after(dates, extra)) if extra else dates
    daily = (every.normalize() == every).all()
    labels = every.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M:%S")
    return TimeAxis("date", tuple(labels[:length]), half=0)
