"""Each lesson's question is answered from a run's own numbers (``models.questions``)."""

import numpy as np
import pytest

from models.metrics import Scores
from models.questions import QUESTIONS, Evidence, valid
from models.run import Curve


def scores(mse: float) -> Scores:
    return Scores(mse, mse ** 0.5, mse ** 0.5, 1.0)


def with_cell(record, cell, mse=None, rollout_pred=None, number=0):
    run = record.with_(config=record.config.with_(cell=cell), number=number)
    if mse is not None:
        run = run.with_(metrics=scores(mse))
    if rollout_pred is not None:
        r = record.rollout
        run = run.with_(rollout=Curve(r.index, r.truth, tuple(rollout_pred)))
    return run


def test_every_lesson_has_one_question_with_choices():
    from components.page.lessons import LESSONS

    assert set(QUESTIONS) == set(LESSONS)
    assert all(len(q.choices) >= 2 and q.text.endswith("?") for q in QUESTIONS.values())
    assert valid("basics", "yes") and not valid("basics", "open") and not valid("nope", "yes")
    assert not valid("basics", ["yes"])
    assert QUESTIONS["basics"].answer(None) is None


def test_the_linear_ar_question_follows_the_run_and_its_baseline(tiny_record):
    ar = tiny_record.baselines["linear_ar"].mse
    better = tiny_record.with_(metrics=scores(ar / 2))
    worse = tiny_record.with_(metrics=scores(ar * 3))
    a, b = (QUESTIONS["basics"].answer(Evidence(r)) for r in (better, worse))
    assert a.choice == "yes" and "50 % below" in a.figures
    assert b.choice == "no" and "3 times" in b.figures and a.why


def test_the_memory_gate_reads_the_cells_keeping_gate(tiny_record):
    q = QUESTIONS["inside"]
    open_ = q.answer(Evidence(tiny_record, gates=lambda: {"f": np.full((16, 5), 0.8), "i": np.zeros((16, 5))}))
    closed = q.answer(Evidence(tiny_record, gates=lambda: {"f": np.full((16, 5), 0.3)}))
    assert (open_.choice, closed.choice) == ("open", "closed") and "0.80" in open_.figures
    gru = q.answer(Evidence(with_cell(tiny_record, "gru"), gates=lambda: {"z": np.full((16, 5), 0.7)}))
    assert gru.choice == "open" and "z averages 0.70" in gru.figures
    rnn = q.answer(Evidence(with_cell(tiny_record, "rnn"), gates=lambda: {"a": np.ones((16, 5))}))
    assert rnn.choice is None and "train an LSTM or a GRU" in rnn.figures


def test_why_gates_compares_the_newest_rnn_and_lstm_by_their_rollouts(tiny_record):
    truth = np.asarray(tiny_record.rollout.truth)
    n = len(tiny_record.rollout.pred)
    good = list(truth) + [0.0] * (n - len(truth))
    rnn = with_cell(tiny_record, "rnn", rollout_pred=[p + 1.0 for p in good], number=1)
    lstm = with_cell(tiny_record, "lstm", rollout_pred=[p + 0.1 for p in good], number=2)
    q = QUESTIONS["why-gates"]
    only = q.answer(Evidence(lstm))
    assert only.choice is None and "Train a plain RNN" in only.figures
    a = q.answer(Evidence(lstm, (lstm, rnn)))
    assert a.choice == "lstm" and a.figures.startswith("The LSTM of run #2 scored best (30-step rollout MSE 0.01), 0.99 below the plain RNN of run #1 (1)")
    assert "no spread" in a.figures  # one seed each: the words say the gap cannot be weighed
    older_good_rnn = with_cell(tiny_record, "rnn", rollout_pred=good, number=0)
    assert q.answer(Evidence(lstm, (lstm, rnn, older_good_rnn))).choice == "lstm"  # the newest run of each
    other_data = rnn.with_(split=rnn.split - 1)
    assert q.answer(Evidence(lstm, (other_data,))).choice is None  # another series is not compared


@pytest.mark.parametrize("factor, band", [(1.5, "under2"), (4.0, "2to10"), (30.0, "over10")])
def test_the_rollout_ratio_falls_in_its_band(tiny_record, factor, band):
    roll = tiny_record.rollout_scores.mse
    run = tiny_record.with_(metrics=scores(roll / factor))
    a = QUESTIONS["ahead"].answer(Evidence(run))
    assert a.choice == band and f"{factor:.1f} times" in a.figures


def test_the_best_cell_weighs_each_cells_best_run(tiny_record):
    runs = (with_cell(tiny_record, "lstm", 0.03), with_cell(tiny_record, "gru", 0.02),
            with_cell(tiny_record, "rnn", 0.05), with_cell(tiny_record, "lstm", 0.01))
    a = QUESTIONS["compare"].answer(Evidence(runs[0], runs))
    assert a.choice == "lstm" and a.figures.startswith("LSTM scored best (test MSE 0.01), 0.01 below GRU (0.02)")
    alone = QUESTIONS["compare"].answer(Evidence(runs[0], runs[:1]))
    assert alone.choice is None


def test_where_it_looks_names_recent_season_or_elsewhere(tiny_record):
    L = tiny_record.config.seq_len
    def at(lag):
        s = np.full(L, 0.1)
        s[lag - 1] = 1.0
        return QUESTIONS["looks"].answer(Evidence(tiny_record, saliency=lambda: s))
    assert at(1).choice == "recent" and "1 step back" in at(1).figures
    assert at(10).choice == "elsewhere"
    season = tiny_record.config.season_for(tiny_record.times)
    assert season > L  # the tiny series' season (50) is longer than its window: never "season" here
    long = tiny_record.with_(config=tiny_record.config.with_(seq_len=60))
    s = np.full(60, 0.1)
    s[season - 1] = 1.0
    assert QUESTIONS["looks"].answer(Evidence(long, saliency=lambda: s)).choice == "season"


def test_trust_and_data_read_every_baseline_and_autoets(tiny_record):
    best = min(s.mse for s in tiny_record.baselines.values())
    winner = tiny_record.with_(metrics=scores(best / 2))
    loser = tiny_record.with_(metrics=scores(best * 1.5))
    assert QUESTIONS["trust"].answer(Evidence(winner)).choice == "yes"
    lost = QUESTIONS["trust"].answer(Evidence(loser))
    assert lost.choice == "no" and "The best of the baselines is" in lost.figures
    ets = tiny_record.baselines["auto_ets"].mse
    assert QUESTIONS["data"].answer(Evidence(tiny_record.with_(metrics=scores(ets * 0.9)))).choice == "yes"
    assert QUESTIONS["data"].answer(Evidence(tiny_record.with_(metrics=scores(ets * 1.1)))).choice == "no"
    no_ets = tiny_record.with_(baselines={k: v for k, v in tiny_record.baselines.items() if k != "auto_ets"})
    assert QUESTIONS["data"].answer(Evidence(no_ets)).choice is None


def test_why_gates_weighs_the_rollout_gap_against_the_seeds_rollout_spread(tiny_record):
    from models.run import Member

    truth = list(tiny_record.rollout.truth)
    n = len(tiny_record.rollout.pred)
    pad = [0.0] * (n - len(truth))
    members = tuple(Member(seed=s, epochs=3, metrics=scores(0.05), forecast=(),
                           rollout=tuple(t + d for t in truth) + tuple(pad), weights={})
                    for s, d in enumerate((0.1, 1.0)))
    lstm = with_cell(tiny_record, "lstm", rollout_pred=[t + 0.5 for t in truth] + pad, number=2).with_(members=members)
    assert lstm.rollout_seed_spread == pytest.approx(1.0 - 0.01)  # each seed's rollout MSE: 0.01 and 1
    assert lstm.seed_spread == 0.0  # both seeds scored the same one-step MSE
    rnn = with_cell(tiny_record, "rnn", rollout_pred=[t + 1.0 for t in truth] + pad, number=1)
    a = QUESTIONS["why-gates"].answer(Evidence(lstm, (lstm, rnn)))
    assert a.choice == "lstm" and "smaller than the spread of the seeds (0.99), so this is no winner" in a.figures
