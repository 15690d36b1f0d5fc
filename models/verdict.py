"""The sentence under Results: who scored best on the test part, by how much, and against which baseline.

    verdict(record)   # "#1 NumPy LSTM: MSE 1,778, 7.9 times AutoARIMA's 226, the best here; it beats
                      #  persistence and seasonal naive."
    comparison(rows)  # several runs (Train all, a sweep): who won, and whether the gap is more than the seeds'

Baselines marked unreliable here (``models.experiment.unreliable``) are named, but never "the best". Where
MAE ranks another first, the sentence says so. The command's ``--json`` carries the same words.
"""

from __future__ import annotations

import statistics
from typing import Mapping, Sequence

from models.metrics import Scores
from models.wording import BASELINE_NAMES


def number(v: float) -> str:
    """A figure as the sentences write it: 1,778, 13.3, 0.0459."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def names(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def trusted(baselines: Mapping[str, Scores], notes: Mapping[str, str]) -> dict[str, Scores]:
    """The baselines a verdict may name as the best: those not marked unreliable here."""
    return {k: s for k, s in baselines.items() if not notes.get(k, "").startswith("unreliable")}


def times(a: float, b: float) -> str:
    """How ``a`` compares with ``b`` in words: "7.9 times", "12 % below"."""
    if b <= 0:
        return "against"
    r = a / b
    if r >= 1.05:
        return f"{r:.2g} times" if r < 10 else f"{r:,.0f} times"
    if r > 0.995:
        return "about the same as"
    return f"{(1 - r) * 100:.0f} % below"


def verdict_of(label: str, metrics: Scores, baselines: Mapping[str, Scores], notes: Mapping[str, str] = {}) -> str:
    """One run against its baselines, as above."""
    if not baselines:
        return f"{label}: MSE {number(metrics.mse)}; no baseline was scored."
    good = trusted(baselines, notes) or dict(baselines)
    best_name = min(good, key=lambda k: good[k].mse)
    best = good[best_name]
    who = BASELINE_NAMES.get(best_name, best_name)
    beaten = [BASELINE_NAMES.get(k, k) for k, s in baselines.items() if metrics.mse < s.mse]
    if metrics.mse < best.mse:
        text = (f"{label} scored best on the test part: MSE {number(metrics.mse)}, "
                f"{times(metrics.mse, best.mse)} {who}'s {number(best.mse)}, the best baseline here.")
    else:
        text = (f"{label}: MSE {number(metrics.mse)}, {times(metrics.mse, best.mse)} {who}'s {number(best.mse)}, "
                f"the best here; " + (f"it beats {names(beaten)}." if beaten else "it beats none of the baselines."))
    everyone = {label: metrics, **{BASELINE_NAMES.get(k, k): s for k, s in good.items()}}
    by_mse = min(everyone, key=lambda k: everyone[k].mse)
    by_mae = min(everyone, key=lambda k: everyone[k].mae)
    if by_mae != by_mse:
        text += (f" By MAE, {by_mae} ranks first instead ({number(everyone[by_mae].mae)} against "
                 f"{number(everyone[by_mse].mae)}): MSE weighs the large errors more.")
    shaky = [BASELINE_NAMES.get(k, k) for k in baselines if k not in good]
    if shaky:
        text += f" Left out as unreliable here: {names(shaky)}."
    return text


def verdict(record) -> str:
    """The sentence for a ``models.run.RunRecord``; for an ensemble, whether the gap to the best baseline is
    larger than the spread of its seeds' own scores."""
    text = verdict_of(record.label, record.metrics, record.baselines, record.baseline_notes)
    seeds = [m.metrics.mse for m in record.members]
    good = trusted(record.baselines, record.baseline_notes) or dict(record.baselines)
    if len(seeds) > 1 and good:
        best = min(good, key=lambda k: good[k].mse)
        gap, spread = abs(record.metrics.mse - good[best].mse), record.seed_spread
        text += (f" Its {len(seeds)} seeds alone scored MSE {number(min(seeds))} to {number(max(seeds))}: the gap to "
                 f"{BASELINE_NAMES.get(best, best)} ({number(gap)}) is "
                 + ("larger than their spread." if gap > spread else
                    "within their spread, so neither is a clear winner."))
    return text


def across_origins(model: str, one_step: Mapping[str, Sequence[float]]) -> str:
    """A backtest (``models.backtest``): ``one_step`` maps "model" and each baseline to its MSE per origin.
    Who had the lowest median, against the next, and at how many origins it was lower: a winner at only
    some origins is no clear winner."""
    names = {"model": model, **BASELINE_NAMES}
    scores = {k: list(v) for k, v in one_step.items() if len(v)}
    if len(scores) < 2:
        return ""
    medians = {k: statistics.median(v) for k, v in scores.items()}
    first, second = sorted(medians, key=medians.get)[:2]
    n = len(scores[first])
    wins = sum(a < b for a, b in zip(scores[first], scores[second]))
    text = (f"{names.get(first, first)} had the lowest median MSE over the {n} origins ({number(medians[first])}), "
            f"against {names.get(second, second)}'s {number(medians[second])}")
    if n >= 3 and wins == n:
        return text + "; it was lower at every origin."
    return text + f"; it was lower at {wins} of {n}, so this is no clear winner: another origin could reverse it."


def comparison(rows: list[tuple[str, float, float]], metric: str = "test MSE") -> str:
    """Several settings or cells: ``rows`` of (name, the mean score over seeds, the spread of its seeds:
    their highest less their lowest, 0 for one seed). Who won, by how much, and whether the gap is larger
    than the seeds' spread."""
    if not rows:
        return ""
    if len(rows) == 1:
        return f"Only {rows[0][0]} was scored: {metric} {number(rows[0][1])}."
    ranked = sorted(rows, key=lambda r: r[1])
    (first, a, sa), (second, b, sb) = ranked[0], ranked[1]
    gap = b - a
    spread = max(sa, sb)
    text = f"{first[:1].upper()}{first[1:]} scored best ({metric} {number(a)}), {number(gap)} below {second} " \
           f"({number(b)})"
    if spread <= 0:
        return text + "; with one seed each there is no spread to weigh the gap against."
    if gap <= spread:
        return (text + f"; the gap is smaller than the spread of the seeds ({number(spread)}), so this is no "
                "winner: another seed could reverse it.")
    return text + f"; the gap is larger than the spread of the seeds ({number(spread)})."
