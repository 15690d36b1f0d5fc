"""Suggest settings: a search scored by a backtest inside the train part, never on the test part.

    s = suggest(config, series, propose(series, 12), seconds=60, on_candidate=print)
    s = suggest(config, None, start_from(config))   # from the config's own settings and series
    s.settings    # knob key -> value of the winner, over ``config``'s own
    s.rows        # every candidate tried: its settings and its validation MSE

The train part (the first ``train_fraction`` of the points) is all the search reads: the rest of the
series is cut off before anything is trained, so changing the test part's values changes nothing it
chooses. Inside the train part, the last ``VALIDATION`` of it (half) is cut into ``BLOCKS`` blocks (three: on
a ten-year cycle in 80 yearly train points, two blocks of the last 30 % chose badly); each
candidate is trained on everything before a block and forecasts that block one step ahead from the true
values (``models.backtest``'s rolling origin, ``refit="every"``). Its score is the mean MSE over the blocks,
in the series' units.

The candidates start from the proposal (``models.propose``), as one seed, and vary in this order the
input transform (the ES hybrid, seasonal differences, detrended, differences), the window (one season or
two), the power, the hidden size and the epochs. The three best are then tried again as an ensemble of
five seeds, and the best of those is the choice: one seed's score is partly the luck of its draw, and an
ensemble's is steadier, on the validation blocks as on the test part. The search stops at ``seconds`` and
keeps the best so far; a candidate that does not fit the series (or a server's bounds) is left out with
its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from data.upload import Uploaded
from data.windows import split_index
from models.backtest import backtest
from models.config import ExperimentConfig
from models.experiment import NoEpoch, cut_series, series_times, series_values
from models.propose import Proposal
from models.verdict import number

VALIDATION = 0.5  # of the train part: where the candidates are scored
BLOCKS = 3
KEYS = ("transform", "seq-len", "power", "hidden-size", "epochs", "ensemble")


@dataclass(frozen=True)
class Candidate:
    settings: dict  # knob key -> value
    mse: float | None  # the mean one-step MSE over the validation blocks; None: not scored
    seconds: float
    note: str = ""  # why it was not scored

    def as_dict(self) -> dict:
        return {"settings": dict(self.settings), "validation_mse": self.mse, "seconds": round(self.seconds, 2),
                **({"note": self.note} if self.note else {})}


@dataclass(frozen=True)
class Suggestion:
    settings: dict  # the winner's knob key -> value
    rows: tuple[Candidate, ...] = field(default=())
    seconds: float = 0.0
    stopped: str = ""  # why the search ended before its last candidate
    persistence: float | None = None  # persistence's MSE on the same validation blocks

    @property
    def line(self) -> str:
        best = min((c for c in self.rows if c.mse is not None), key=lambda c: c.mse)
        tried = sum(c.mse is not None for c in self.rows)
        chosen = next(c for c in self.rows if c.mse is not None and c.settings == self.settings)
        text = (f"Suggested: {describe(self.settings)}, validation MSE {number(chosen.mse)}, chosen from {tried} "
                f"candidate(s) scored on the last {VALIDATION:.0%} of the train part in {self.seconds:.0f} s")
        if chosen is not best:
            text += f" (an ensemble; the best single seed scored {number(best.mse)}, a draw of one seed)"
        if self.persistence is not None:
            text += (f"; persistence scores {number(self.persistence)} there" +
                     (", and no candidate beat it" if chosen.mse >= self.persistence else ""))
        return text + (f" ({self.stopped})." if self.stopped else ".")

    def as_dict(self) -> dict:
        return {"settings": dict(self.settings), "line": self.line, "seconds": round(self.seconds, 2),
                "stopped": self.stopped, "validation_persistence": self.persistence,
                "candidates": [c.as_dict() for c in self.rows]}


def describe(settings: dict) -> str:
    """"ES hybrid, window 24, log, H 16, 100 epochs, ensemble of 5"."""
    from models.knobs import TRANSFORM_LABELS

    parts = [TRANSFORM_LABELS.get(settings["transform"], settings["transform"]), f"window {settings['seq-len']}"]
    if settings.get("power", "none") != "none":
        parts.append(settings["power"])
    parts += [f"H {settings['hidden-size']}", f"{settings['epochs']} epochs"]
    if settings.get("ensemble", 1) > 1:
        parts.append(f"ensemble of {settings['ensemble']}")
    return ", ".join(parts)


def candidates(proposal: Proposal, positive: bool) -> list[dict]:
    """The settings to try, the proposal first, each different from those before it."""
    p = dict(proposal.settings)
    m = proposal.season if proposal.season and proposal.season > 1 else None
    single = {**p, "ensemble": 1}
    out = [single]
    transforms = ["es", *(["sdiff"] if m else []), "detrend", "diff"]
    for tr in transforms:
        out.append({**single, "transform": tr})
    if m:
        other = m if p["seq-len"] == 2 * m else 2 * m
        out += [{**single, "transform": tr, "seq-len": other} for tr in transforms[:2]]
    if positive:
        flip = "none" if p["power"] != "none" else "log"
        out += [{**single, "transform": tr, "power": flip} for tr in transforms[:2]]
    out.append({**single, "hidden-size": 32 if p["hidden-size"] == 16 else 16})
    out.append({**single, "epochs": p["epochs"] * 2})
    out.append({**single, "epochs": max(10, p["epochs"] // 3)})
    seen, unique = set(), []
    for c in out:
        key = tuple(c.get(k) for k in KEYS)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def train_part(config: ExperimentConfig, series: np.ndarray | Uploaded | None) -> np.ndarray | Uploaded:
    """The train part of the series ``config`` trains on (``series``, or its own): all the search may read."""
    values = series_values(config, series)
    return cut_series(series if isinstance(series, Uploaded) else values,
                      split_index(values.shape[0], config.train_fraction))


def start_from(config: ExperimentConfig, series: np.ndarray | Uploaded | None = None,
               why: str = "the settings given") -> Proposal:
    """A starting point for the search: ``config``'s own values of the six settings it varies, and the
    season of its series (a file's from its dates)."""
    from models.knobs import KNOBS

    times = series_times(config, series if isinstance(series, Uploaded) else None)
    return Proposal(config.season_for(times or None), {k.key: k.value_in(config) for k in KNOBS if k.key in KEYS},
                    (why,))


def score(config: ExperimentConfig, inner, should_stop: Callable[[], bool] | None) -> tuple[float, float]:
    """(the mean one-step MSE over the validation blocks of ``inner`` (the train part), persistence's there)."""
    result = backtest(config, BLOCKS, "every", inner, should_stop=should_stop, statistical=False)
    if not result.origins:
        raise ValueError("stopped before a block was scored")
    return float(np.mean(result.one_step["model"])), float(np.mean(result.one_step["persistence"]))


def suggest(config: ExperimentConfig, series: np.ndarray | Uploaded | None, proposal: Proposal,
            seconds: float = 60.0,
            on_candidate: Callable[[int, int, Candidate], None] | None = None,
            should_stop: Callable[[], bool] | None = None, served=None) -> Suggestion:
    """The search above over ``series`` (the whole series, or None for ``config``'s own: only its train part
    is read), starting from ``proposal``; ``config`` holds every other setting. ``on_candidate(k, total, candidate)`` hears of
    each candidate scored. ``served`` (``models.cost.Served``): a server's bounds; a candidate beyond them
    is left out with the reason."""
    from models.cost import check_served
    from models.knobs import BY_KEY, KNOBS, parse_values

    start = time.perf_counter()
    inner = train_part(config, series)
    values = inner.series if isinstance(inner, Uploaded) else inner
    positive = bool(np.min(values) > 0)
    base = {k.key: k.as_text(k.value_in(config)) for k in KNOBS}

    def make(settings: dict) -> ExperimentConfig | str:
        raw = base | {k: BY_KEY[k].as_text(v) for k, v in settings.items()} | {"train-fraction": str(1 - VALIDATION)}
        made, errors = parse_values(raw, length=values.shape[0], columns=tuple(inner.columns) if isinstance(
            inner, Uploaded) else None)
        if made is None:
            return "; ".join(errors.values())
        if served is not None:
            try:
                check_served(made, values.shape[0], served)
            except ValueError as e:
                return str(e)
        return made

    plan = candidates(proposal, positive)
    rows: list[Candidate] = []
    stopped = ""
    persistence: list[float] = []

    def run(settings: dict) -> None:
        t0 = time.perf_counter()
        made = make(settings)
        if isinstance(made, str):
            rows.append(Candidate(settings, None, 0.0, made))
            return
        try:
            mse, naive = score(made, inner, should_stop)
            persistence[:] = [naive]
            row = Candidate(settings, mse if np.isfinite(mse) else None, time.perf_counter() - t0,
                            "" if np.isfinite(mse) else "its forecasts were not finite")
        except ValueError as e:
            row = Candidate(settings, None, time.perf_counter() - t0, str(e)[:200])
        except NoEpoch:  # stopped inside its first epoch: the loop below sees the stop and ends
            row = Candidate(settings, None, time.perf_counter() - t0, "stopped before its first epoch ended")
        rows.append(row)
        if on_candidate is not None:
            on_candidate(len(rows), len(plan) + 3, row)

    for settings in plan:
        if should_stop is not None and should_stop():
            stopped = "stopped"
            break
        if time.perf_counter() - start > seconds:
            stopped = f"the time budget of {seconds:.0f} s ran out after {len(rows)} candidates"
            break
        run(settings)
    scored = sorted((c for c in rows if c.mse is not None), key=lambda c: c.mse)
    if not stopped:  # the best three, as an ensemble of five (or one seed, where they were an ensemble)
        for c in scored[:3]:
            if (should_stop is not None and should_stop()) or time.perf_counter() - start > seconds:
                stopped = stopped or "the time budget ran out while ensembles were tried"
                break
            run({**c.settings, "ensemble": 5})
        scored = sorted((c for c in rows if c.mse is not None), key=lambda c: c.mse)
    if not scored and stopped:
        raise ValueError(f"{stopped} before any candidate was scored")
    if not scored:
        raise ValueError("no candidate could be scored on this series: "
                         + "; ".join(c.note for c in rows if c.note)[:300])
    # one seed's score is a draw: where ensembles were scored, the choice is made between them
    ensembles = [c for c in scored if c.settings.get("ensemble", 1) > 1]
    chosen = ensembles[0] if ensembles else scored[0]
    return Suggestion(dict(chosen.settings), tuple(rows), time.perf_counter() - start, stopped,
                      persistence[0] if persistence else None)

