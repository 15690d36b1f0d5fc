"""Synthetic series: a sum of sinusoids plus a linear trend plus Gaussian noise, and optional
"holiday" spikes.

    x[t] = sum_k a_k * sin(2 * pi * t / p_k + phi_k) + trend * t + holidays * d[t] + noise[t]
    noise[t] ~ Normal(0, noise ** 2)

``d[t]`` is 1 on holiday steps, 15 to 45 steps apart at seeded places, and 0 elsewhere:
a covariate known in advance (``holiday_days``), which a model may be shown.

Everything random comes from the ``numpy.random.Generator`` that is passed in,
so the same seed always gives the same series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data.bounds import AMPLITUDE, HOLIDAYS, LENGTH, NOISE, PERIOD, PHASE, SEED, TREND, count_problems

MAX_COMPONENTS = 8  # seasonal components of one series


@dataclass(frozen=True)
class Seasonal:
    """One sinusoidal component: ``amplitude * sin(2 pi t / period + phase)``."""

    period: float
    amplitude: float = 1.0
    phase: float = 0.0

    def __post_init__(self) -> None:
        PERIOD.check("period", self.period)
        AMPLITUDE.check("amplitude", self.amplitude)
        PHASE.check("phase", self.phase)


def _default_components() -> tuple[Seasonal, ...]:
    return (Seasonal(50.0, 1.2, 0.0), Seasonal(17.0, 0.6, 0.8))


@dataclass(frozen=True)
class SeriesConfig:
    """The knobs of a synthetic series. The defaults are the reference experiment: 900 points,
    periods 50 and 17 (amplitudes 1.2 and 0.6, phases 0 and 0.8), trend 0.0025, noise 0.18, seed 42."""

    length: int = 900
    components: tuple[Seasonal, ...] = field(default_factory=_default_components)
    trend: float = 0.0025
    noise: float = 0.18
    seed: int = 42
    holidays: float = 0.0  # the height of a holiday spike; 0 = none

    def __post_init__(self) -> None:
        LENGTH.check("length", self.length)
        TREND.check("trend", self.trend)
        NOISE.check("noise", self.noise)
        HOLIDAYS.check("holidays", self.holidays)
        SEED.check("seed", self.seed)
        object.__setattr__(self, "components", tuple(self.components))
        if len(self.components) > MAX_COMPONENTS:
            raise ValueError(f"a series has at most {MAX_COMPONENTS} seasonal components, got {len(self.components)}")
        for c in self.components:
            if not isinstance(c, Seasonal):
                raise ValueError(f"components must be Seasonal, got {c!r}")

    @property
    def season(self) -> int:
        """The seasonal naive baseline's season: the longest period, rounded to whole steps (1 if none)."""
        return max(1, round(max(self.periods, default=1.0)))

    @property
    def periods(self) -> tuple[float, ...]:
        return tuple(c.period for c in self.components)

    @property
    def amplitudes(self) -> tuple[float, ...]:
        return tuple(c.amplitude for c in self.components)

    @property
    def phases(self) -> tuple[float, ...]:
        return tuple(c.phase for c in self.components)

    @classmethod
    def from_lists(
        cls,
        periods: list[float],
        amplitudes: list[float] | None = None,
        phases: list[float] | None = None,
        **kwargs,
    ) -> "SeriesConfig":
        """Components from parallel lists, by one rule wherever a series is typed in (the page,
        the command): one amplitude per period (all 1 when none are given); phases may be
        fewer than periods, and the missing ones are 0."""
        amplitudes = list(amplitudes) if amplitudes is not None else [1.0] * len(periods)
        phases = list(phases) if phases is not None else []
        for name, problem in count_problems(len(periods), len(amplitudes), len(phases)).items():
            raise ValueError(f"{name} {problem}")
        phases += [0.0] * (len(periods) - len(phases))
        comps = tuple(Seasonal(float(p), float(a), float(f)) for p, a, f in zip(periods, amplitudes, phases))
        return cls(components=comps, **kwargs)


def make_series(config: SeriesConfig, rng: np.random.Generator | None = None, dtype=np.float64) -> np.ndarray:
    """The series of ``config``, shape (n,).

    ``rng`` defaults to ``numpy.random.default_rng(config.seed)``; pass one to draw
    the noise from a generator of your own.
    """
    rng = np.random.default_rng(config.seed) if rng is None else rng
    t = np.arange(config.length, dtype=np.float64)
    x = config.trend * t
    for c in config.components:
        x = x + c.amplitude * np.sin(2.0 * np.pi * t / c.period + c.phase)
    x = x + rng.normal(0.0, config.noise, size=config.length) if config.noise > 0 else x
    if config.holidays:
        x = x + config.holidays * holiday_days(config.seed, config.length)
    return x.astype(dtype, copy=False)


HOLIDAY_GAPS = (15, 45)  # steps between two holidays, drawn uniformly


def holiday_days(seed: int, length: int) -> np.ndarray:
    """(length,) 1.0 on holiday steps, else 0. The same seed gives the same days, and a longer
    ``length`` the same days followed by more, so they are known past the end of the data."""
    rng = np.random.default_rng([seed, 11])  # not the noise's stream
    days = np.zeros(length)
    t = int(rng.integers(*HOLIDAY_GAPS))
    while t < length:
        days[t] = 1.0
        t += int(rng.integers(*HOLIDAY_GAPS))
    return days
