"""The range of a setting, said once: the config that checks a value and the form or the command
that reads it refuse the same values with the same sentence, after the setting's own name.

    LENGTH.problem(20)  ->  "must be a whole number from 50 to 100000, got 20"

The page names the field by its label ("Length n must be ..."), the command by its flag
("--length must be ..."), a config by its field ("length must be ..."). The bounds of a
synthetic series and of the train part live here, below ``models``; the model's and the
training's are in ``models.rules``, which gathers every bound under its config path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bound:
    """Allowed values: whole numbers (``"int"``) or numbers (``"float"``) from ``low`` to ``high``;
    ``low_open``: the low end itself is not allowed."""

    kind: str
    low: float
    high: float
    low_open: bool = False

    def text(self, high: float | None = None) -> str:
        """How a message says the range: "a whole number from 1 to 1024"."""
        high = self.high if high is None else high
        if self.kind == "int":
            return f"a whole number from {int(self.low)} to {int(high)}"
        if self.low_open:
            return f"a number greater than {self.low:g} and at most {high:g}"
        return f"a number from {self.low:g} to {high:g}"

    def holds(self, value: float, high: float | None = None) -> bool:
        high = self.high if high is None else high
        return (value > self.low if self.low_open else value >= self.low) and value <= high

    def problem(self, value: Any, high: float | None = None) -> str | None:
        """Why ``value`` is refused, as the end of a sentence that starts with the setting's name; None
        when it is allowed. Text is read as a person typed it; a bool is not a number."""
        must = f"must be {self.text(high)}"
        if isinstance(value, str):
            text = value.strip()
            if text == "":
                return f"{must}; it is empty"
            value = number(text)
            if value is None:
                return f"{must}; {text!r} is not a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"{must}, got {value!r}"
        if self.kind == "int" and not float(value).is_integer():
            return f"{must}; {value:g} is not a whole number"
        if not self.holds(value, high):
            shown = f"{int(value)}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"
            return f"{must}, got {shown}"
        return None

    def check(self, name: str, value: Any) -> None:
        """``ValueError`` naming ``name`` unless ``value`` is allowed (a config's own check)."""
        problem = self.problem(value)
        if problem is None and self.kind == "int" and not isinstance(value, int):
            problem = f"must be {self.text()}, got {value!r}"  # a config holds ints, not 3.0
        if problem:
            raise ValueError(f"{name} {problem}")


def number(text: str) -> float | None:
    """The finite number a person typed, or None (not a number, or infinite, or NaN)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


LENGTH = Bound("int", 50, 100_000)  # points in a synthetic series
MIN_LENGTH, MAX_LENGTH = int(LENGTH.low), int(LENGTH.high)
SEED = Bound("int", 0, 999_999)  # a series' seed and a run's training seed
NOISE = Bound("float", 0.0, 10.0)
TREND = Bound("float", -1.0, 1.0)
HOLIDAYS = Bound("float", -1e5, 1e5)
PERIOD = Bound("float", 2.0, 1e5, low_open=True)  # at one sample a step, a period of 2 or less is flat or a zig-zag
AMPLITUDE = Bound("float", -1e5, 1e5)
PHASE = Bound("float", -10.0, 10.0)
TRAIN_FRACTION = Bound("float", 0.1, 0.95)

SERIES_BOUNDS = {"length": LENGTH, "seed": SEED, "noise": NOISE, "trend": TREND, "holidays": HOLIDAYS,
                 "periods": PERIOD, "amplitudes": AMPLITUDE, "phases": PHASE}  # a list's bound is its items'


def count_problems(periods: int, amplitudes: int, phases: int) -> dict[str, str]:
    """The rule between a series' lists: one amplitude per period, at most one phase per period. Field ->
    the end of a sentence that starts with its name; empty when they fit."""
    problems = {}
    if amplitudes != periods:
        problems["amplitudes"] = f"need one value per period ({periods}), got {amplitudes}"
    if phases > periods:
        problems["phases"] = f"may have at most one value per period ({periods}), got {phases}"
    return problems
