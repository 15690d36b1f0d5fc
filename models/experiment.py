"""One experiment from settings to a run record: the unit the command line and the dashboard run.

    record = run_experiment(ExperimentConfig(backend="torch", cell="gru"), on_epoch_end=print)

The record (``models.run.RunRecord``) holds metrics and baselines in original
units, the per-epoch history, the one-step and rollout forecasts against the
truth, and the trained weights, so that gates and other rollouts can be
recomputed later without training.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from data.exogenous import HOLIDAYS, Covariate, calendar
from data.synthetic import holiday_days, make_series
from data.upload import Uploaded
from data.windows import check_series, prepare
from models.base import param_shapes
from models.baselines import BASELINES, ar_note
from models.conformal import Predictor, calibrate
from models.config import ExperimentConfig
from models.forecaster import Forecaster
from models.horizon import measure
from models.metrics import Scores, naive_scale
from models.run import Curve, History, RunRecord
from models.statistical import fit_statistical
from models.train import EpochLog, best_epoch

class NoEpoch(RuntimeError):
    """A run stopped (``should_stop``) before its first epoch ended."""


KNOWN_AHEAD = 500  # steps past the data that known covariates are written for (the page's longest rollout)
MAX_SNAPSHOTS = 50
SNAPSHOT_BYTES = 4 * 2**20  # a run's snapshots together; the page keeps up to 16 runs


def run_experiment(
    config: ExperimentConfig,
    series: np.ndarray | Uploaded | None = None,
    on_epoch_end: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_phase: Callable[[str], None] | None = None,
    hold: Callable[[EpochLog, Callable[[], RunRecord]], None] | None = None,
    on_weights: Callable[[EpochLog, Callable[[], dict]], None] | None = None,
    split: int | None = None,
    statistical: bool = True,
) -> RunRecord:
    """Train and evaluate; ``series`` (n,) replaces the synthetic one when given, or an ``Uploaded``
    file's part, with its time labels and covariate columns.
    ``on_phase`` hears of each phase after the last epoch (forecasts, rollout, the direct model of a
    horizon, baselines), so that a page can say what is being drawn.
    ``hold(log, now)`` is called after each epoch, with a function that makes the run's record as it
    stands (evaluated with the weights of that epoch): a job that pauses there shows it, and training
    goes on when ``hold`` returns. ``on_weights(log, weights)`` is called after each epoch too, with a
    function that gives the model's weights as they stand (the live parity meter compares them).
    ``split``: the first test point, in place of the config's train fraction (a backtest's origin).
    ``statistical``: fit the statistical baselines (``models.statistical``); a search that scores only the
    model (``models.suggest``) leaves them out.

    A run that ``should_stop`` ends early keeps what it learned so far, with
    ``stopped`` saying "stopped at epoch k"; the caller may reword why.
    """
    upload = series if isinstance(series, Uploaded) else None
    if upload is not None:
        series = upload.series
    given = series is not None
    series = series_values(config, series)
    if given and split is None:
        config.check_fits(series.shape[0])
    covariates = covariates_for(config, series.shape[0], upload)
    season = config.season_for(series_times(config, upload) or None)
    prep = prepare(series, config.seq_len, config.train_fraction, config.transform, dtype=np.dtype(config.dtype),
                   covariates=covariates, power=config.power, split=split, season=season)  # in its own precision
    t = config.train
    model = Forecaster(config)
    every = snapshot_every(config)
    snapshots: list[tuple[int, dict]] = []
    logs: list[EpochLog] = []
    run = _Scoring(config, prep, model, upload, covariates, snapshots, should_stop, statistical)

    def at_epoch_end(log: EpochLog) -> None:
        logs.append(log)
        if log.epoch == 1 or log.epoch % every == 0:  # for the replay: the weights as they were
            snapshots.append((log.epoch, model.model_.state_dict()))
        if on_weights is not None:
            on_weights(log, model.model_.state_dict)
        if on_epoch_end is not None:
            on_epoch_end(log)
        if hold is not None:
            hold(log, lambda: run.record(list(logs), f"paused at epoch {log.epoch}"))

    phase = on_phase or (lambda what: None)
    model.fit(prep, on_epoch_end=at_epoch_end, should_stop=should_stop)
    if not model.history_:
        raise NoEpoch("stopped before its first epoch ended: there is nothing to evaluate")
    h = model.history_
    val_loss = tuple(e.val_loss for e in h if e.val_loss is not None)
    best = best_epoch(val_loss)
    early = bool(best) and len(h) - best >= t.patience  # what made train() stop before its last epoch
    stopped = "" if len(h) == t.epochs else (f"early stop at epoch {len(h)}, best epoch {best}" if early
                                             else f"stopped at epoch {len(h)}")

    def horizon(scale: float):
        if config.horizon > 1 and (len(h) == t.epochs or early):  # a run stopped from outside ends here
            phase(f"training the direct {config.horizon}-step model ({t.epochs} epochs)")
            return measure(prep, model.model_, config, scale, should_stop)
        return None

    return run.record(h, stopped, phase, horizon)


class _Scoring:
    """What a run's record is made from: its data, its model as it stands, and its snapshots."""

    def __init__(self, config: ExperimentConfig, prep, model: Forecaster, upload: Uploaded | None,
                 covariates: tuple[Covariate, ...], snapshots: list,
                 should_stop: Callable[[], bool] | None = None, statistical: bool = True) -> None:
        self.config, self.prep, self.model, self.upload = config, prep, model, upload
        self.covariates, self.snapshots, self.should_stop = covariates, snapshots, should_stop
        self.fits_statistical = statistical

    def statistical(self, season: int | None, steps: int, phase: Callable[[str], None]):
        """The statistical models' fits (``models.statistical``, which keeps them: a paused run's records and
        an ensemble's members read the first fit); none when the run leaves them out."""
        if not self.fits_statistical:
            return {}, {}
        phase("fitting AutoETS, AutoARIMA and AutoTheta on the train part")
        return fit_statistical(self.prep.series, self.prep.split, season, steps, self.should_stop)

    def record(self, h: list[EpochLog], stopped: str, phase: Callable[[str], None] = lambda what: None,
               horizon: Callable[[float], object] = lambda scale: None) -> RunRecord:
        """The record of the model with its weights now, after the epochs ``h``: its forecasts, rollout
        and metrics, the baselines, and (``horizon``) its k-step model."""
        config, prep, model, upload = self.config, self.prep, self.model, self.upload
        target = prep.test.target_index
        truth = prep.series[target]
        n = prep.series.shape[0]
        phase(f"forecasting the {target.shape[0]} test windows")
        pred = model.predict_test()
        phase(f"rolling out {config.rollout_steps} steps")
        rolled = model.rollout(config.rollout_steps)  # shorter where a covariate ends with the data
        roll_index = np.arange(prep.split, prep.split + rolled.shape[0])
        val_loss = tuple(e.val_loss for e in h if e.val_loss is not None)
        scale = naive_scale(prep.series, prep.split)
        # a file's season comes from its time column's spacing; none known, no seasonal naive baseline
        season = config.season_for(upload.times if upload else None)
        intervals = None
        if config.interval > 0:
            phase(f"calibrating the {config.interval:.0%} prediction intervals")
            intervals = calibrate(prep, config.interval, config.train.val_fraction, Predictor.of(model.model_, prep),
                                  pred, rolled)
        k_step = horizon(scale)
        fits, skipped = self.statistical(season, max(rolled.shape[0], 1), phase)
        phase("scoring the baselines")
        baselines = {name: Scores.of(truth, fn(prep, season), scale) for name, fn in BASELINES.items()
                     if season is not None or name != "seasonal_naive"}
        notes = {"linear_ar": ar_note(prep)}
        for name, fit in fits.items():
            baselines[name] = Scores.of(truth, fit.one_step[target - prep.split], scale)
            if fit.note:
                notes[name] = fit.note
        notes |= {name: f"left out: {why}" for name, why in skipped.items()}
        notes = unreliable(baselines, notes)
        return RunRecord(
            config=config,
            series=tuple(prep.series.tolist()),
            split=prep.split,
            history=History(tuple(e.train_loss for e in h), tuple(e.test_loss for e in h),
                            tuple(e.grad_norm for e in h), tuple(e.seconds for e in h), val_loss),
            metrics=Scores.of(truth, pred, scale),
            baselines=baselines,
            forecast=Curve(tuple(target.tolist()), tuple(truth.tolist()), tuple(pred.tolist())),
            rollout=Curve(tuple(roll_index.tolist()), tuple(prep.series[roll_index[roll_index < n]].tolist()),
                          tuple(rolled.tolist())),
            weights=model.model_.state_dict(),
            grad_flow=tuple((e.epoch, e.grad_flow) for e in h if e.grad_flow is not None),
            horizon=k_step,
            snapshots=tuple(self.snapshots),
            best_epoch=best_epoch(val_loss),
            stopped=stopped,
            covariates=self.covariates,
            source=upload.name if upload is not None else "",
            times=tuple(times) if len(times := series_times(config, upload)) == n else (),
            intervals=intervals,
            baseline_notes=notes,
            baseline_rollouts={name: tuple(fit.rollout[: rolled.shape[0]].tolist()) for name, fit in fits.items()},
        )


UNRELIABLE = 10.0  # a baseline whose test MSE is this many times persistence's or more is marked


def unreliable(baselines: dict, notes: dict[str, str]) -> dict[str, str]:
    """``notes`` with every baseline far worse than persistence marked as unreliable here, with the reason."""
    if "persistence" not in baselines or not baselines["persistence"].mse > 0:
        return notes
    out = dict(notes)
    for name, s in baselines.items():
        times = s.mse / baselines["persistence"].mse
        if times >= UNRELIABLE:
            why = f"unreliable here: its test MSE is {times:,.0f} times persistence's"
            out[name] = f"{why}; {out[name]}" if out.get(name) else why
    return out


def series_values(config: ExperimentConfig, series: np.ndarray | Uploaded | None = None) -> np.ndarray:
    """The series (n,) ``config`` trains on: ``series`` (or a file's part) when given, checked; else the
    synthetic one or a bundled data set's. An upload without its series is refused with the reason."""
    if isinstance(series, Uploaded):
        return check_series(series.series)
    if series is not None:
        return check_series(series)
    if config.dataset == UPLOAD:
        raise ValueError("an uploaded data set needs its series: upload a CSV first")
    return make_series(config.series) if config.dataset == SYNTHETIC else DATASETS[config.dataset].load()[1]


def cut_series(series: np.ndarray | Uploaded, end: int) -> np.ndarray | Uploaded:
    """The data up to ``end``: a file's part keeps its time labels and columns, cut alike."""
    if isinstance(series, Uploaded):
        return Uploaded(series.series[:end], series.times[:end] if series.times else None,
                        {k: v[:end] for k, v in series.columns.items()}, series.name)
    return np.asarray(series)[:end]


def series_times(config: ExperimentConfig, upload: Uploaded | None = None) -> list[str]:
    """The time labels of the series ``config`` trains on: a data set's, a file's time column; none for
    the synthetic series."""
    if config.dataset in DATASETS:
        return DATASETS[config.dataset].load()[0]
    return list(upload.times or []) if upload is not None else []


def covariates_for(config: ExperimentConfig, n: int, upload: Uploaded | None = None) -> tuple[Covariate, ...]:
    """The inputs beside the series that ``config`` asks for, in order: calendar features, then the
    covariates. Those known in advance reach ``KNOWN_AHEAD`` steps past the data's end, or the run's
    own rollout if longer, plus its horizon."""
    extra = max(config.rollout_steps, KNOWN_AHEAD) + config.horizon
    out: list[Covariate] = []
    if config.calendar:
        out += calendar(series_times(config, upload) or None, extra)
    for name in config.covariates:
        if config.dataset == SYNTHETIC:
            out.append(Covariate(HOLIDAYS, tuple(holiday_days(config.series.seed, n + extra).tolist()), True))
        elif upload is None or name not in upload.columns:
            raise ValueError(f"covariates: the uploaded file has no numeric column {name!r} to read")
        else:
            out.append(Covariate(name, tuple(upload.columns[name][:n].tolist()), False))
    return tuple(out)


def snapshot_every(config: ExperimentConfig) -> int:
    """Epochs between two weight snapshots: at most ``MAX_SNAPSHOTS`` a run, and at most
    ``SNAPSHOT_BYTES`` of weights in all, so a large model keeps fewer."""
    size = sum(int(np.prod(s)) for s in param_shapes(config.cell, config.inputs, config.hidden_size).values())
    size *= 8 if config.dtype == "float64" else 4
    count = max(2, min(MAX_SNAPSHOTS, SNAPSHOT_BYTES // size))
    return max(1, math.ceil(config.train.epochs / count))
