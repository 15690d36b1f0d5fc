"""Forecasts you can trust (issue 22): power transforms, seed ensembles, backtests and conformal intervals."""

import json

import numpy as np
import pytest

from data.datasets import DATASETS
from data.power import POWERS, Power, boxcox_lambda, fit_power
from data.synthetic import SeriesConfig
from data.windows import prepare
from models.backtest import backtest, origins_of
from models.config import ExperimentConfig
from models.conformal import conformal_quantile
from models.ensemble import combine, member_configs, run_ensemble
from models.experiment import run_experiment
from models.knobs import parse_values
from models.run import RunRecord, restore
from models.train import TrainConfig

SUNSPOTS = ExperimentConfig(dataset="sunspots", seq_len=11, hidden_size=8, transform="none",
                            train=TrainConfig(epochs=3, learning_rate=0.005, batch_size=16))


# -- power transforms ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", POWERS)
def test_every_power_round_trips_a_positive_series(name):
    x = np.random.default_rng(0).gamma(2.0, 30.0, 500) + 0.5
    p = fit_power(name, x, 350)
    assert np.allclose(p.inverse(p.forward(x)), x, rtol=1e-12, atol=0)
    if name == "none":
        assert np.array_equal(p.forward(x), x)


def test_the_power_is_applied_before_the_transform_and_inverted_on_every_forecast():
    x = DATASETS["sunspots"].load()[1]
    for transform in ("none", "diff", "detrend"):
        prep = prepare(x, 11, 0.7, transform, np.float64, power="sqrt")
        assert prep.scaler.power == Power("sqrt")
        # the network's targets, mapped back, are the series itself (every window, both parts)
        for w in (prep.train, prep.test):
            back = prep.to_original(w.y, w.ref)
            assert np.allclose(back, x[w.target_index], atol=1e-9)
        paths = np.stack([prep.test.y[:-2, 0], prep.test.y[1:-1, 0], prep.test.y[2:, 0]], axis=1)
        t = prep.test.target_index[:-2]
        assert np.allclose(prep.paths_to_original(paths, t), np.stack([x[t], x[t + 1], x[t + 2]], axis=1), atol=1e-9)
    # the scale it standardizes is the square root's: its train part has mean 0, std 1
    z = prep.scaler.transform(x[: prep.split])
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12


def test_box_cox_fits_lambda_on_the_train_part_only_by_maximum_likelihood():
    from scipy import stats  # at development time only: the product finds lambda itself

    x = DATASETS["sunspots"].load()[1][:216] + 1.0  # the train part, shifted above 0
    assert boxcox_lambda(x) == pytest.approx(stats.boxcox(x)[1], abs=1e-5)  # 0.343: scipy's MLE
    rng = np.random.default_rng(1)
    y = rng.gamma(3.0, 10.0, 3000)
    assert boxcox_lambda(y) == pytest.approx(stats.boxcox(y)[1], abs=1e-5)
    tail = np.concatenate([x, 1e6 * np.ones(93)])  # an absurd test part changes nothing
    assert fit_power("boxcox", tail, 216).lam == boxcox_lambda(x)
    assert boxcox_lambda(DATASETS["co2"].load()[1][:1500]) == 0.0  # its MLE (-5.6) lies below the range: the log


def test_a_power_that_needs_positive_values_refuses_a_series_with_a_sentence():
    sun = DATASETS["sunspots"].load()[1]
    with pytest.raises(ValueError, match=r"power 'log' needs values above 0; this series has 0 at step 11"):
        prepare(sun, 11, 0.7, "none", power="log")
    with pytest.raises(ValueError, match=r"power 'sqrt' needs values of at least 0; this series has -2 at step 1"):
        prepare(np.array([1.0, -2.0, 3.0] * 40), 5, 0.7, "none", power="sqrt")
    assert prepare(sun, 11, 0.7, "none", power="sqrt").scaler.power.name == "sqrt"  # zeros are fine for sqrt
    config, errors = parse_values({"power": "boxcox"})  # the synthetic series goes below 0
    assert config is None and errors["power"].startswith("Power transform 'boxcox' needs values above 0")
    with pytest.raises(ValueError, match="power must be one of"):
        ExperimentConfig(power="cube")


def test_forecasts_under_a_power_stay_in_original_units_and_the_baselines_do_not_move():
    plain, rooted = (run_experiment(SUNSPOTS.with_(power=p)) for p in ("none", "sqrt"))
    assert rooted.baselines == plain.baselines  # the baselines read levels, whatever the model reads
    assert rooted.forecast.truth == plain.forecast.truth
    assert min(rooted.forecast.pred) >= 0 and min(rooted.rollout.pred) >= 0  # a square never falls below 0
    assert 0.2 < np.mean(rooted.forecast.pred) / np.mean(rooted.forecast.truth) < 5


# -- ensembles -------------------------------------------------------------------------------------------
def test_an_ensemble_of_one_is_the_single_run_bit_for_bit():
    single = run_experiment(SUNSPOTS)
    members, one = run_ensemble(SUNSPOTS.with_(ensemble=1))
    assert one.forecast == single.forecast and one.rollout == single.rollout and one.metrics == single.metrics
    assert all(np.array_equal(one.weights[k], single.weights[k]) for k in single.weights)
    alone = combine(SUNSPOTS.with_(ensemble=1), members)  # averaging one member changes nothing
    assert alone.forecast.pred == single.forecast.pred and alone.metrics == single.metrics


def test_an_ensembles_forecast_is_the_mean_of_its_members_trained_with_seeds_in_turn():
    config = SUNSPOTS.with_(ensemble=3, train=TrainConfig(epochs=3, learning_rate=0.005, batch_size=16, seed=7))
    assert [c.train.seed for c in member_configs(config)] == [7, 8, 9]
    members, whole = run_ensemble(config)
    assert [m.config.train.seed for m in members] == [7, 8, 9]
    solo = run_experiment(SUNSPOTS.with_(train=TrainConfig(epochs=3, learning_rate=0.005, batch_size=16, seed=8)))
    assert members[1].forecast == solo.forecast
    mean = np.mean([m.forecast.pred for m in members], axis=0)
    assert np.array_equal(np.asarray(whole.forecast.pred), mean)
    assert np.array_equal(np.asarray(whole.rollout.pred), np.mean([m.rollout.pred for m in members], axis=0))
    assert whole.metrics.mse == pytest.approx(np.mean((mean - np.asarray(whole.forecast.truth)) ** 2), rel=1e-12)
    assert [m.seed for m in whole.members] == [7, 8, 9] and whole.label == "NumPy LSTM, ensemble of 3"
    assert whole.members[2].metrics == members[2].metrics
    # the record carries its members through JSON, weights and all
    again = RunRecord.from_json(json.loads(json.dumps(whole.to_json())))
    assert [m.forecast for m in again.members] == [m.forecast for m in whole.members]
    assert np.array_equal(again.members[1].weights["rnn.weight_hh_l0"], members[1].weights["rnn.weight_hh_l0"])
    # the ensemble's gates and rollouts restore from its first member's weights
    assert np.array_equal(restore(whole).predict_test(), restore(members[0]).predict_test())


def test_a_stopped_ensemble_keeps_the_members_that_finished_and_says_so():
    config = SUNSPOTS.with_(ensemble=4)
    calls = []

    def should_stop() -> bool:  # stop during the third member, after its first epoch
        return len(calls) >= 3 + 3 + 1

    def on_epoch_end(log):
        calls.append(log.epoch)

    members, whole = run_ensemble(config, on_epoch_end=on_epoch_end, should_stop=should_stop)
    assert len(members) == 2 and len(whole.members) == 2
    assert whole.stopped == "an ensemble of the 2 member(s) that finished, of 4 (stopped)"
    assert whole.forecast.pred == tuple(np.mean([m.forecast.pred for m in members], axis=0).tolist())


def test_an_ensemble_goes_with_one_step_models_only():
    with pytest.raises(ValueError, match="ensemble averages one-step models"):
        ExperimentConfig(ensemble=3, horizon=5)
    config, errors = parse_values({"ensemble": "11"})
    assert errors == {"ensemble": "Ensemble of seeds must be a whole number from 1 to 10, got 11"}


# -- backtests -------------------------------------------------------------------------------------------
def test_a_backtest_with_one_origin_is_the_plain_run():
    plain = run_experiment(SUNSPOTS)
    result = backtest(SUNSPOTS, origins=1)
    assert result.origins == (plain.split,) and result.ends == (len(plain.series),)
    assert result.one_step["model"] == (plain.metrics.mse,)
    # the backtest's table holds the simple baselines; the statistical ones come with a plain run only
    assert {k: v[0] for k, v in result.one_step.items() if k != "model"} == {
        k: s.mse for k, s in plain.baselines.items() if not k.startswith("auto_")}
    assert result.rollout == (plain.rollout_scores.mse,)


def test_a_backtest_trains_at_every_origin_on_what_lies_before_it():
    result = backtest(SUNSPOTS, origins=3, refit="every")
    n, split = 309, 216
    assert origins_of(n, split, 3) == [(216, 247), (247, 278), (278, 309)]
    assert result.origins == (216, 247, 278) and result.ends == (247, 278, 309)
    series = DATASETS["sunspots"].load()[1]
    second = run_experiment(SUNSPOTS, series=series[:278], split=247)  # origin 2's own training
    assert result.one_step["model"][1] == second.metrics.mse
    assert result.one_step["linear_ar"][1] == second.baselines["linear_ar"].mse
    assert len(result.as_dict()["labels"]) == 3 and result.as_dict()["labels"][0] == "1916"


def test_a_backtest_that_trains_once_scores_one_models_forecasts_block_by_block():
    once = backtest(SUNSPOTS, origins=3, refit="once")
    plain = run_experiment(SUNSPOTS)
    err = (np.asarray(plain.forecast.pred) - np.asarray(plain.forecast.truth)) ** 2
    index = np.asarray(plain.forecast.index)
    for i, (o, end) in enumerate(zip(once.origins, once.ends)):
        assert once.one_step["model"][i] == pytest.approx(float(err[(index >= o) & (index < end)].mean()), rel=1e-12)
    assert once.rollout[0] == pytest.approx(float(np.mean((np.asarray(plain.rollout.pred[:31]) -
                                                           np.asarray(plain.rollout.truth[:31])) ** 2)), rel=1e-6)


def test_a_backtest_refuses_origins_that_do_not_fit_with_the_range():
    with pytest.raises(ValueError, match=r"origins must be a whole number from 1 to 20 \(each block of the test "
                                         r"part's 93 points needs 2 at least\), got 0"):
        backtest(SUNSPOTS, origins=0)
    with pytest.raises(ValueError, match="refit must be one of every, once"):
        backtest(SUNSPOTS, origins=2, refit="sometimes")


# -- conformal intervals ---------------------------------------------------------------------------------
def test_the_conformal_quantile_is_the_rank_the_level_asks_for():
    scores = np.arange(1.0, 20.0)  # 19 scores
    assert conformal_quantile(scores, 0.8) == 16.0  # ceil(20 * 0.8) = 16
    assert conformal_quantile(scores, 0.95) == 19.0  # ceil(20 * 0.95) = 19
    assert conformal_quantile(scores[:10], 0.95) == np.inf  # ceil(11 * 0.95) = 11 > 10: no band


@pytest.mark.parametrize("level", [0.8, 0.95])
def test_intervals_cover_the_nominal_share_of_the_test_part_over_20_seeds(level):
    """Synthetic series with known Gaussian noise, 20 series and training seeds, calibrated on the
    validation part: the mean coverage of the one-step forecasts is within 5 points of the level."""
    coverage = []
    for seed in range(20):
        config = ExperimentConfig(series=SeriesConfig(seed=seed), seq_len=30, hidden_size=8, interval=level,
                                  train=TrainConfig(epochs=8, learning_rate=0.01, batch_size=32, seed=seed,
                                                    val_fraction=0.2, patience=100))
        run = run_experiment(config, statistical=False)  # the intervals alone are under test here
        iv = run.intervals
        truth, low, high = (np.asarray(v) for v in (run.forecast.truth, iv.forecast_low, iv.forecast_high))
        assert iv.coverage == np.mean((truth >= low) & (truth <= high)) and iv.part == "the validation part"
        assert np.allclose(np.asarray(run.forecast.pred) - low, high - np.asarray(run.forecast.pred))
        coverage.append(iv.coverage)
    assert abs(np.mean(coverage) - level) <= 0.05, np.mean(coverage)


def test_intervals_under_a_square_root_stay_above_zero_and_widen_with_the_level():
    run = run_experiment(SUNSPOTS.with_(power="sqrt", interval=0.8))
    low, high, pred = (np.asarray(v) for v in (run.intervals.forecast_low, run.intervals.forecast_high,
                                               run.forecast.pred))
    assert low.min() >= 0 and np.all(low <= pred) and np.all(pred <= high)
    width = high - low
    assert np.corrcoef(pred, width)[0, 1] > 0.9  # the band is even on the root's scale: wider at high levels
    steps = np.diff(np.asarray(run.intervals.rollout_high) - np.asarray(run.intervals.rollout_low))
    assert len(run.intervals.rollout_low) > 5 and run.intervals.part.startswith("the last 20% of the train part")
    assert steps.size and run.intervals.rollout_coverage is not None
    again = RunRecord.from_json(json.loads(json.dumps(run.to_json())))
    assert again.intervals == run.intervals


# -- the job: what a forged request can ask --------------------------------------------------------------
def test_a_request_is_checked_for_its_ensemble_and_backtest_where_the_job_runs():
    from components.server.job import make_request, run_request

    config = SUNSPOTS.with_(ensemble=2)
    assert run_request(lambda p: None, make_request("a1", "", [config, config])).status == (
        "not started: an ensemble trains on its own: Train all and sweeps take an ensemble of 1")
    for bad, said in [({"origins": 47, "refit": "every"}, "origins must be a whole number from 1 to 20"),
                      ({"origins": 2.5, "refit": "every"}, "a backtest has a whole number of origins"),
                      ({"origins": 3, "refit": "twice"}, "a backtest has a whole number of origins"),
                      ("3", "a backtest has a whole number of origins")]:
        assert said in run_request(lambda p: None, make_request("a2", "", [SUNSPOTS], backtest=bad)).status
    forged = make_request("a3", "", [SUNSPOTS])
    forged["configs"][0]["ensemble"] = 50
    assert run_request(lambda p: None, forged).status == (
        "not started: the settings are not allowed: ensemble must be a whole number from 1 to 10, got 50")


def test_an_ensemble_job_shelves_its_members_then_their_ensemble():
    from components.server.job import make_request, run_request

    progress = []
    outcome = run_request(progress.append, make_request("b1", "", [SUNSPOTS.with_(ensemble=2, interval=0.8)]))
    assert outcome.status == "done"
    assert [r.label for r in outcome.runs] == ["NumPy LSTM, member 1 of 2", "NumPy LSTM, member 2 of 2",
                                               "NumPy LSTM, ensemble of 2"]
    assert any(p[1].startswith("member 2 of 2, NumPy LSTM seed 1: epoch") for p in progress)
    page = outcome.page_json()
    assert [r.get("ensemble", False) for r in page["runs"]] == [False, False, True]
    assert outcome.runs[2].intervals is not None and outcome.runs[2].snapshots == ()


def test_a_backtest_job_reports_each_origin_and_returns_its_errors():
    from components.server.job import make_request, run_request

    progress = []
    outcome = run_request(progress.append, make_request("c1", "", [SUNSPOTS], backtest={"origins": 2,
                                                                                        "refit": "once"}))
    assert outcome.status == "done" and outcome.runs == ()
    assert [p[1] for p in progress if "origin" in p[1]] == ["backtest of NumPy LSTM, origin 1 of 2 (step 216)"]
    assert outcome.page_json()["backtest"] == backtest(SUNSPOTS, 2, "once").as_dict() | {
        "seconds": outcome.backtest["seconds"]}


def test_the_backtest_command_prints_its_errors_per_origin_and_names_a_bad_option(capsys):
    from cli import main

    from models.findings import dataset_config

    assert main(["backtest", "--dataset", "sunspots", "--epochs", "3", "--ensemble", "2", "--origins", "2",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    config = dataset_config("sunspots").with_(ensemble=2)  # the data set's own settings, as the page's
    config = config.with_(train=TrainConfig(**{**config.train.__dict__, "epochs": 3}))
    assert out == backtest(config, 2).as_dict() | {"seconds": out["seconds"]}
    assert main(["backtest", "--origins", "0"]) == 2
    assert capsys.readouterr().err == "gatelab: error: --origins must be a whole number from 1 to 20, got 0\n"
    assert main(["train", "--dataset", "sunspots", "--power", "log"]) == 2
    assert "--power 'log' needs values above 0" in capsys.readouterr().err
    assert main(["train", "--dataset", "sunspots", "--epochs", "3", "--hidden-size", "8", "--ensemble", "2",
                 "--interval", "0.8", "--json"]) == 0
    record = RunRecord.from_json(json.loads(capsys.readouterr().out))
    assert len(record.members) == 2 and record.intervals.level == 0.8
