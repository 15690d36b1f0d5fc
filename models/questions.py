"""Predict, then observe: one question a lesson asks before Train, and its answer from a run's own numbers.

    q = QUESTIONS["basics"]
    q.text, q.choices                    # what the page asks, and the answers it offers
    answer = q.answer(Evidence(run, runs))
    answer.choice, answer.figures, answer.why

``Evidence`` holds what an answer may read: the current run, the tab's other runs (newest first), and,
for the two questions about the model's insides, the current run's gate activations on its first test
window and its mean saliency by lag, which the page computes from the restored model and a test passes
in. An answer is None where the evidence cannot answer (no run yet); ``Answer.choice`` is None where the
run cannot settle the question, and ``figures`` then says what to train.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from models.base import CELL_NAMES
from models.run import RunRecord
from models.verdict import comparison, number, times, verdict
from models.wording import BASELINE_NAMES

KEEPS = {"lstm": "f", "gru": "z", "gru_cho": "z"}  # the gate that keeps the old state, per cell
RECENT = 5  # the "newest few values" of a window


@dataclass(frozen=True)
class Evidence:
    run: RunRecord
    runs: tuple[RunRecord, ...] = ()  # the tab's runs, newest first (the current one among them or not)
    gates: Callable[[], dict[str, np.ndarray]] | None = None  # the first test window's {name: (T, H)}
    saliency: Callable[[], np.ndarray] | None = None  # mean |d forecast / d input| by lag, (L,) of the series

    def newest(self, cell: str) -> RunRecord | None:
        """The newest run of ``cell`` on the current run's data (the current run first if it is one)."""
        for r in (self.run, *self.runs):
            if r.config.cell == cell and same_data(r, self.run):
                return r
        return None


@dataclass(frozen=True)
class Answer:
    choice: str | None  # the right choice, or None where this run cannot say
    figures: str  # the numbers that decide it, in a sentence
    why: str  # a short paragraph on why it comes out this way


@dataclass(frozen=True)
class Question:
    text: str
    choices: dict[str, str]  # value -> label
    decide: Callable[[Evidence], Answer] = field(repr=False)

    def answer(self, evidence: Evidence | None) -> Answer | None:
        return None if evidence is None else self.decide(evidence)


def same_data(a: RunRecord, b: RunRecord) -> bool:
    """Trained on the same series and test part: their errors can be compared."""
    return a.series == b.series and a.split == b.split


def _against_linear_ar(e: Evidence) -> Answer:
    run = e.run
    ar = run.baselines.get("linear_ar")
    if ar is None:
        return Answer(None, "The linear AR was not scored for this run.", "")
    won = run.metrics.mse < ar.mse
    return Answer(
        "yes" if won else "no",
        f"{run.label}'s test MSE {number(run.metrics.mse)} is {times(run.metrics.mse, ar.mse)} the linear AR's "
        f"{number(ar.mse)}.",
        "The linear AR forecasts with a weighted sum of the last few values, fitted by least squares in a "
        "moment. On a series of waves and noise a few recent values already say much of what comes next, so "
        "a network has to learn a great deal just to draw level; where it wins, it has found a shape or a "
        "reach into the past that a weighted sum misses.")


def _memory_gate(e: Evidence) -> Answer:
    cell = e.run.config.cell
    if cell not in KEEPS or e.gates is None:
        return Answer(None, f"A {CELL_NAMES.get(cell, cell)} has no gate that keeps its state: train an LSTM or a GRU "
                            "(the Cell box) to see this answer.", "")
    name = KEEPS[cell]
    mean = float(np.mean(e.gates()[name]))
    return Answer(
        "open" if mean > 0.5 else "closed",
        f"{e.run.label}'s {name} averages {mean:.2f} over the first test window's units and steps.",
        f"{name} near 1 keeps the old state and near 0 replaces it. A cell that forecasts a smooth, repeating "
        "series needs to carry what it has seen across many steps, so training tends to open its keeping gate; "
        "a series whose next value depends only on the last few would not need it.")


def _rollout_rnn_lstm(e: Evidence) -> Answer:
    rnn, lstm = e.newest("rnn"), e.newest("lstm")
    if rnn is None or lstm is None:
        missing = " and ".join(w for w, r in (("a plain RNN", rnn), ("an LSTM", lstm)) if r is None)
        return Answer(None, f"Train {missing} as well: the answer compares the newest of each.", "")
    a, b = rnn.rollout_scores, lstm.rollout_scores
    if a is None or b is None:
        return Answer(None, "These runs have no rollout to score.", "")
    winner = "lstm" if b.mse < a.mse else "rnn"
    why = ("Fed its own forecasts, a model must carry the series' rhythm in its state. The plain RNN multiplies "
           "its state by the same matrix at every step, so what it learnt of the long wave fades (or blows up) "
           "within a few dozen steps, and the rollout drifts to a flat line or away. The LSTM's cell state passes "
           "from step to step through its forget gate alone, so a rhythm it has learnt can last. The gradient "
           "chart shows the same from the other side: how much of the error reaches the window's start.")
    if winner == "rnn":
        why += (f" This time the plain RNN came out ahead: after {lstm.epochs_done} epochs, and with one seed each, "
                "the LSTM may not yet have learnt the rhythm it could keep. Train both longer, or with other seeds.")
    return Answer(
        winner,
        comparison([(f"the plain RNN of run #{rnn.number}", a.mse, rnn.rollout_seed_spread),
                    (f"the LSTM of run #{lstm.number}", b.mse, lstm.rollout_seed_spread)],
                   f"{len(lstm.rollout.truth)}-step rollout MSE"),
        why)


RATIO_BANDS = (("under2", 2.0), ("2to10", 10.0), ("over10", float("inf")))


def _rollout_ratio(e: Evidence) -> Answer:
    run = e.run
    scores = run.rollout_scores
    if scores is None or run.metrics.mse <= 0:
        return Answer(None, "This run has no rollout to score.", "")
    ratio = scores.mse / run.metrics.mse
    choice = next(k for k, top in RATIO_BANDS if ratio < top)
    return Answer(
        choice,
        f"{run.label}'s {len(run.rollout.truth)}-step rollout scores MSE {number(scores.mse)}, {ratio:.1f} times its "
        f"one-step test MSE {number(run.metrics.mse)}.",
        "A one-step forecast starts from true values every time. A rollout starts from its own forecasts, so each "
        "error becomes part of the next input: errors pile up, faster where the model has learnt the next step "
        "but not the series' shape.")


def _against_auto_ets(e: Evidence) -> Answer:
    run = e.run
    ets = run.baselines.get("auto_ets")
    if ets is None:
        note = run.baseline_notes.get("auto_ets", "")
        return Answer(None, "AutoETS was not scored for this run" + (f": {note}" if note else "."), "")
    return Answer(
        "yes" if run.metrics.mse < ets.mse else "no",
        f"{run.label}'s test MSE {number(run.metrics.mse)} is {times(run.metrics.mse, ets.mse)} AutoETS's "
        f"{number(ets.mse)}.",
        "AutoETS chooses its form of error, trend and season by AICc and fits a handful of parameters on the "
        "train part. It assumes what a network has to learn from the windows, so on a short or regular series "
        "it is hard to beat; a network gains on long series with shapes that smoothing cannot follow.")


def _best_cell(e: Evidence) -> Answer:
    best: dict[str, RunRecord] = {}
    for r in (e.run, *e.runs):
        cell = "gru" if r.config.cell == "gru_cho" else r.config.cell
        if cell in ("lstm", "gru", "rnn") and same_data(r, e.run):
            if cell not in best or r.metrics.mse < best[cell].metrics.mse:
                best[cell] = r
    if len(best) < 2:
        return Answer(None, "Train at least two cells on this data (Train all trains every one): the answer "
                            "compares the best run of each.", "")
    rows = [(CELL_NAMES[c], r.metrics.mse, r.seed_spread) for c, r in best.items()]
    winner = min(best, key=lambda c: best[c].metrics.mse)
    return Answer(winner, comparison(rows) + ("" if len(best) == 3 else " (not every cell was trained)."),
                  "One run of each cell is one draw of its starting weights and batch order. A gap between cells "
                  "means something only where it is larger than the spread a seed sweep shows for each cell.")


def _where_it_looks(e: Evidence) -> Answer:
    run = e.run
    if e.saliency is None:
        return Answer(None, "The saliency of this run is not at hand.", "")
    by_lag = np.asarray(e.saliency(), dtype=float)
    lag = int(np.argmax(by_lag)) + 1
    season = run.config.season_for(run.times)
    if lag <= RECENT:
        choice = "recent"
    elif season and season <= len(by_lag) and abs(lag - season) <= 2:
        choice = "season"
    else:
        choice = "elsewhere"
    where = f" (its season is {season} steps)" if season else ""
    return Answer(
        choice,
        f"{run.label}'s forecast moves most with the value {lag} step{'' if lag == 1 else 's'} back{where}: "
        f"{by_lag[lag - 1]:.3g} per unit "
        f"of input, against {float(np.median(by_lag)):.3g} for the median lag.",
        "A network is free to read any value of its window, but training rewards the ones that predict: the "
        "newest values for a smooth series, those a season back where the season repeats. Compare with the "
        "autocorrelation under the chart: the lags the statistics point at.")


def _beats_everything(e: Evidence) -> Answer:
    run = e.run
    if not run.baselines:
        return Answer(None, "No baseline was scored for this run.", "")
    beaten = all(run.metrics.mse < s.mse for s in run.baselines.values())
    best = min(run.baselines, key=lambda k: run.baselines[k].mse)
    return Answer(
        "yes" if beaten else "no",
        verdict(run) + ("" if beaten else f" The best of the baselines is {BASELINE_NAMES.get(best, best)}."),
        "Persistence, seasonal naive and drift cost nothing; AutoETS, AutoARIMA and AutoTheta are what "
        "forecasters reach for first. A model worth keeping beats all of them on data it has not seen, and "
        "keeps doing so with other seeds (an ensemble) and at other forecast origins (the backtest).")


QUESTIONS: dict[str, Question] = {
    "basics": Question("Will the model beat the linear AR (a weighted sum of the last few values) on the test "
                       "part?", {"yes": "Yes, a lower test MSE", "no": "No, the linear AR does as well or better"},
                       _against_linear_ar),
    "inside": Question("Will the gate that keeps the state (LSTM f, GRU z) average above 0.5?", {"open": "Mostly open: it keeps", "closed": "Mostly closed: it replaces"},
                       _memory_gate),
    "why-gates": Question("Whose 200-step rollout stays closer to the truth?",
                          {"lstm": "The LSTM's", "rnn": "The plain RNN's"}, _rollout_rnn_lstm),
    "ahead": Question("How much larger will the rollout's MSE be than the one-step test MSE?",
                      {"under2": "Less than 2 times", "2to10": "2 to 10 times", "over10": "More than 10 times"},
                      _rollout_ratio),
    "data": Question("Will the model beat AutoETS, the exponential smoothing forecasters start with?",
                     {"yes": "Yes", "no": "No"}, _against_auto_ets),
    "compare": Question("Which cell will score the lowest test MSE among this page's runs?",
                        {"lstm": "LSTM", "gru": "GRU", "rnn": "Plain RNN"}, _best_cell),
    "looks": Question("Which past values will the forecast move with most?",
                      {"recent": f"The newest few (the last {RECENT})", "season": "Those about a season back",
                       "elsewhere": "Others in the window"}, _where_it_looks),
    "trust": Question("Will the model beat every baseline, the statistical models included?",
                      {"yes": "Yes, every one", "no": "No, at least one does better"}, _beats_everything),
}


def valid(lesson: object, choice: object) -> bool:
    """A prediction a page may keep: a lesson's question and one of its choices."""
    return isinstance(lesson, str) and lesson in QUESTIONS and isinstance(choice, str) \
        and choice in QUESTIONS[lesson].choices
