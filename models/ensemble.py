"""Seed ensembles: one setting trained with k training seeds, and their forecasts averaged.

    members, ensemble = run_ensemble(config.with_(ensemble=5))

Member i is the same run with the training seed ``seed + i`` (its initial weights and
its batch order). The ensemble's one-step forecasts and its rollout are the members'
mean, in original units; its metrics are those of the mean, and ``members`` keep each
seed's own forecasts, scores and weights, for the spread and the downloads. Gates,
replay and the loss curve of the ensemble's record are its first member's: each
member is a whole run of its own (``members``' records) for a closer look.

An ensemble of the members that finished is still an ensemble: a job cancelled after
three of five members shows the three, and says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np

from models.config import ExperimentConfig
from models.conformal import Predictor, calibrate
from models.metrics import Scores
from models.run import Curve, Member, RunRecord, prepared, restore


def member_configs(config: ExperimentConfig) -> list[ExperimentConfig]:
    """The k single runs of an ensemble: the seeds ``seed`` .. ``seed + k - 1``, each an ensemble of one."""
    return [config.with_(ensemble=1, train=replace(config.train, seed=config.train.seed + i))
            for i in range(config.ensemble)]


def combine(config: ExperimentConfig, members: list[RunRecord], reason: str = "") -> RunRecord:
    """The ensemble of ``members`` (records of ``member_configs(config)``, in order, at least one).
    ``reason``: why fewer than ``config.ensemble`` finished, if they did."""
    if not members:
        raise ValueError("an ensemble needs at least one finished member")
    first = members[0]
    F = np.array([m.forecast.pred for m in members], dtype=np.float64)
    steps = min(len(m.rollout.pred) for m in members)
    R = np.array([m.rollout.pred[:steps] for m in members], dtype=np.float64)
    mean, rolled = F.mean(axis=0), R.mean(axis=0)
    truth = np.asarray(first.forecast.truth)
    stopped = "" if len(members) == config.ensemble else (
        f"an ensemble of the {len(members)} member(s) that finished, of {config.ensemble}"
        + (f" ({reason})" if reason else ""))
    record = first.with_(
        config=config,
        metrics=Scores.of(truth, mean, first.scale),
        forecast=Curve(first.forecast.index, first.forecast.truth, tuple(mean.tolist())),
        rollout=Curve(first.rollout.index[:steps], first.rollout.truth[:steps], tuple(rolled.tolist())),
        members=tuple(Member(m.config.train.seed, m.epochs_done, m.metrics, m.forecast.pred, m.rollout.pred[:steps],
                             m.weights, m.stopped) for m in members),
        stopped=stopped,
        baseline_rollouts={k: v[:steps] for k, v in first.baseline_rollouts.items()},
        id="", number=0, role="", snapshots=(),
    )
    if config.interval > 0:
        prep = prepared(first)
        models = [Predictor.of(restore(m, prep=prep).model_, prep) for m in members]
        record = record.with_(intervals=calibrate(prep, config.interval, config.train.val_fraction,
                                                  Predictor.mean(models), mean, rolled))
    return record


def run_ensemble(config: ExperimentConfig, series=None,
                 on_member: Callable[[int, ExperimentConfig], None] | None = None,
                 should_stop: Callable[[], bool] | None = None, **kwargs) -> tuple[list[RunRecord], RunRecord]:
    """Train every member in turn (``models.experiment.run_experiment``, with ``kwargs``) and combine
    them: (the members' records, the ensemble's). ``on_member(i, config)`` hears of each member as it
    starts. A stop keeps the members that finished before it."""
    from models.experiment import NoEpoch, run_experiment

    members: list[RunRecord] = []
    for i, member in enumerate(member_configs(config)):
        if should_stop is not None and should_stop() and members:
            break
        if on_member is not None:
            on_member(i, member)
        try:
            record = run_experiment(member, series=series, should_stop=should_stop, **kwargs)
        except NoEpoch:
            if not members:
                raise
            break
        cut = should_stop is not None and should_stop()
        if cut and members:  # a member cut short is left out; the first is kept, whatever it did
            break
        members.append(record)
        if cut:
            break
    if config.ensemble == 1:
        return members, members[0]
    return members, combine(config, members, "stopped" if len(members) < config.ensemble else "")
