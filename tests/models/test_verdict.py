"""The verdict under Results (``models.verdict``): who won, by how much, against which baseline."""

from models.metrics import Scores
from models.verdict import comparison, verdict, verdict_of


def s(mse: float, mae: float | None = None) -> Scores:
    mae = mse ** 0.5 if mae is None else mae
    return Scores(mse, mae, mse ** 0.5, 1.0)


def test_a_model_that_loses_names_the_best_baseline_and_the_ratio():
    text = verdict_of("#1 NumPy LSTM", s(1778), {"persistence": s(2441), "seasonal_naive": s(1814),
                                                  "auto_arima": s(226), "auto_ets": s(686)})
    assert text.startswith("#1 NumPy LSTM: MSE 1,778, 7.9 times AutoARIMA's 226, the best here;")
    assert text.endswith("it beats persistence and seasonal naive.")


def test_a_model_that_wins_says_by_how_much():
    text = verdict_of("#2 PyTorch GRU", s(80), {"persistence": s(200), "auto_ets": s(100)})
    assert text == ("#2 PyTorch GRU scored best on the test part: MSE 80, 20 % below AutoETS's 100, "
                    "the best baseline here.")


def test_mse_and_mae_that_disagree_are_said():
    text = verdict_of("#1 NumPy LSTM", s(90, mae=9.5), {"persistence": s(100, mae=8.0)})
    assert "By MAE, persistence ranks first instead (8 against 9.5)" in text


def test_an_unreliable_baseline_is_never_the_best():
    text = verdict_of("#1 NumPy LSTM", s(50), {"persistence": s(60), "linear_ar": s(1)},
                      {"linear_ar": "unreliable here: its test MSE is 2,000 times persistence's"})
    assert "scored best" in text and "persistence's 60" in text
    assert text.endswith("Left out as unreliable here: linear AR.")


def test_a_gap_inside_the_seeds_spread_is_no_winner():
    text = comparison([("LSTM", 0.0512, 0.010), ("GRU", 0.0540, 0.024), ("RNN", 0.0525, 0.012)])
    assert text.startswith("LSTM scored best (test MSE 0.0512), 0.0013 below RNN (0.0525)")
    assert "smaller than the spread of the seeds (0.012), so this is no winner" in text
    wide = comparison([("LSTM", 0.02, 0.001), ("RNN", 0.05, 0.002)])
    assert wide.endswith("the gap is larger than the spread of the seeds (0.002).")


def test_a_seed_sweep_says_whether_its_winner_beats_the_spread_of_the_seeds():
    from models.sweep import sweep_verdict

    points = [{"cell": c, "value": seed, "mse": m} for c, ms in (("lstm", (0.050, 0.052, 0.060)),
                                                                 ("rnn", (0.051, 0.055, 0.058)))
              for seed, m in enumerate(ms)]
    text = sweep_verdict(points, "seed")
    assert text.startswith("LSTM scored best (mean test MSE over the seeds 0.054), 0.000667 below RNN (0.0547)")
    assert "smaller than the spread of the seeds (0.01), so this is no winner" in text
    assert "Fed their own" not in text  # points without a rollout: no rollout sentence
    rolled = [p | {"rollout_mse": r} for p, r in zip(points, (0.2, 0.3, 0.25, 0.8, 0.9, 0.85))]
    assert sweep_verdict(rolled, "seed").endswith(
        "Fed their own forecasts: LSTM scored best (median rollout MSE 0.25), 0.6 below RNN (0.85); the gap is larger "
        "than the spread of the seeds (0.1).")
    windows = sweep_verdict([{"cell": "gru", "value": 40, "mse": 0.03}, {"cell": "lstm", "value": 60, "mse": 0.02}],
                            "seq-len")
    assert windows.startswith("LSTM scored best, at window 60 (test MSE 0.02); the others at their best: GRU 0.03 at 40")


def test_an_ensembles_verdict_weighs_the_gap_against_its_seeds_spread(tiny_record):
    from models.metrics import Scores
    from models.run import Member

    def scores(mse):
        return Scores(mse, mse ** 0.5, mse ** 0.5, 1.0)

    best = min(s.mse for s in tiny_record.baselines.values())
    members = tuple(Member(seed=s, epochs=3, metrics=scores(best * f), forecast=(), rollout=(), weights={})
                    for s, f in enumerate((0.4, 0.5, 0.6)))
    clear = tiny_record.with_(metrics=scores(best * 0.5), members=members)
    assert verdict(clear).endswith("is larger than their spread.")  # gap 0.5 x best, spread 0.2 x best
    close = clear.with_(metrics=scores(best * 0.9))
    assert verdict(close).endswith("within their spread, so neither is a clear winner.")
    assert "seeds alone" not in verdict(tiny_record)  # one seed: nothing to weigh


def test_a_backtests_verdict_says_whether_its_winner_won_at_every_origin():
    from models.verdict import across_origins

    every = across_origins("NumPy LSTM", {"model": [1.0, 2.0, 3.0], "linear_ar": [2.0, 3.0, 4.0],
                                          "persistence": [5.0, 5.0, 5.0]})
    assert every == ("NumPy LSTM had the lowest median MSE over the 3 origins (2), against linear AR's 3; it was "
                     "lower at every origin.")
    some = across_origins("NumPy LSTM", {"model": [1.0, 2.0, 3.0], "linear_ar": [0.5, 3.0, 4.0]})
    assert some.endswith("it was lower at 2 of 3, so this is no clear winner: another origin could reverse it.")
