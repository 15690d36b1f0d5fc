"""How far to trust a run's forecasts, as the result views show it: an ensemble's spread and members,
and the prediction intervals with their coverage.

- An ensemble (``models.ensemble``) draws the range of its members' forecasts as a grey band
  around their mean, and the metrics table gives the members' range beside the mean's score.
- Intervals (``models.conformal``) shade the band at their level, in the run's colour, and
  the table says how often the test part's truth fell inside, beside the nominal level.

The rollout of an ensemble is the mean of its members' rollouts, made again here for the
length the page asks, like any run's (``components.page.views.results.rollouts``).
"""

from __future__ import annotations

import numpy as np

from models.run import RunRecord, prepared, restore

SPREAD = "#7f7f7f"


def _whose(run: RunRecord) -> str:
    """A band's legend names its run by number, short enough for a phone: "#6 "."""
    return f"#{run.number} " if run.number else ""


def forecast_bands(run: RunRecord) -> list[tuple]:
    """(name, low, high[, colour]) bands around ``run``'s one-step forecasts."""
    out = []
    if run.members:
        F = np.array([m.forecast for m in run.members])
        out.append((f"{_whose(run)}range of {len(run.members)} members", F.min(axis=0).tolist(),
                    F.max(axis=0).tolist(), SPREAD))
    if run.intervals is not None:
        iv = run.intervals
        out.append((f"{_whose(run)}{iv.level:.0%} interval", list(iv.forecast_low), list(iv.forecast_high)))
    return out


def rollout_bands(run: RunRecord, member_paths: np.ndarray | None) -> list[tuple]:
    """Bands around ``run``'s rollout: the members' range (``member_paths`` (k, steps)), and its interval
    as far as it was calibrated."""
    out = []
    if member_paths is not None and member_paths.shape[0] > 1:
        out.append((f"{_whose(run)}range of {member_paths.shape[0]} members", member_paths.min(axis=0).tolist(),
                    member_paths.max(axis=0).tolist(), SPREAD))
    if run.intervals is not None and run.intervals.rollout_low:
        iv = run.intervals
        out.append((f"{_whose(run)}{iv.level:.0%} interval, {len(iv.rollout_low)} calibrated steps",
                    list(iv.rollout_low), list(iv.rollout_high)))
    return out


def member_rollouts(run: RunRecord, steps: int, prep=None) -> np.ndarray:
    """Each member's rollout of ``steps`` (k, steps), original units, from its own weights; ``prep``: the
    run's data as ``models.run.prepared`` makes it, if made already."""
    prep = prepared(run) if prep is None else prep
    return np.array([restore(run.with_(weights=m.weights), prep=prep).rollout(steps) for m in run.members])


def trust_rows(runs: list[RunRecord]) -> list[tuple[str, str]]:
    """(what, the sentence) for each shown run's ensemble and intervals."""
    rows = []
    for run in runs:
        if run.members:
            mse = [m.metrics.mse for m in run.members]
            seeds = ", ".join(str(m.seed) for m in run.members)
            rows.append((f"{run.label}: members", f"seeds {seeds}: test MSE from {min(mse):.4f} to {max(mse):.4f}, "
                         f"median {float(np.median(mse)):.4f}"))
        if run.intervals is not None:
            rows.append((f"{run.label}: {run.intervals.level:.0%} interval", coverage_sentence(run)))
    return rows


def coverage_sentence(run: RunRecord) -> str:
    iv = run.intervals
    text = f"holds the truth at {iv.coverage:.0%} of the test part's one-step forecasts (nominal {iv.level:.0%})"
    if iv.rollout_coverage is not None:
        text += f" and {iv.rollout_coverage:.0%} of the rollout's {len(iv.rollout_low)} calibrated steps"
    if not iv.rollout_low:
        text += "; the rollout has no band: too few calibration windows for this level"
    return f"{text}; width from {iv.windows} windows of {iv.part}."
