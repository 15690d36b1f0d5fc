import json

import numpy as np
import pytest

from data import SeriesConfig
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.run import RunRecord, RunRecordError, restore
from models.train import TrainConfig

SMALL = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=6,
                         train=TrainConfig(epochs=3), rollout_steps=40)


@pytest.fixture(scope="module")
def record():
    return run_experiment(SMALL)


def test_record_holds_everything_the_views_need(record):
    assert record.epochs_done == 3 and record.stopped == ""
    assert record.metrics.rmse == pytest.approx(record.metrics.mse ** 0.5)
    assert list(record.baselines) == ["persistence", "seasonal_naive", "drift", "linear_ar", "auto_ets", "auto_arima",
                                      "auto_theta"]
    assert record.baseline_notes["linear_ar"].startswith("AR(")
    assert len(record.baseline_rollouts["auto_ets"]) == len(record.rollout.pred)
    assert all(len(getattr(record.history, k)) == 3 for k in ("train_loss", "test_loss", "grad_norm"))
    assert record.split == 210 and len(record.series) == 300
    assert record.forecast.index[0] == 210 and len(record.forecast.pred) == 90
    assert len(record.rollout.pred) == 40 and record.rollout.index[0] == 210
    np.testing.assert_allclose(record.forecast.truth, np.array(record.series)[210:])
    assert record.label == "NumPy LSTM" and record.with_(number=3).label == "#3 NumPy LSTM"
    # gradient flow at the first and the last epoch, one norm per window step, on a fixed batch
    assert [e for e, _ in record.grad_flow] == [1, 3]
    assert all(len(n) == 20 and min(n) > 0 for _, n in record.grad_flow)


def test_record_round_trips_through_json_exactly(record):
    text = json.dumps(record.with_(id="abc", number=2).to_json())
    again = RunRecord.from_json(json.loads(text))
    assert again.config == record.config and again.history == record.history
    assert again.metrics == record.metrics and dict(again.baselines) == dict(record.baselines)
    assert again.forecast == record.forecast and again.rollout == record.rollout and again.series == record.series
    assert (again.id, again.number) == ("abc", 2) and again.grad_flow == record.grad_flow
    for name, w in record.weights.items():
        np.testing.assert_array_equal(again.weights[name], w)
    # restored without training, it gives the run's own forecasts
    np.testing.assert_allclose(restore(again).rollout(40), record.rollout.pred, rtol=1e-6)
    np.testing.assert_allclose(restore(again).predict_test(), record.forecast.pred, rtol=1e-6)


def test_float64_weights_travel_in_float64():
    r = run_experiment(SMALL.with_(dtype="float64", train=TrainConfig(epochs=1)))
    again = RunRecord.from_json(json.loads(json.dumps(r.to_json())))
    for name, w in r.weights.items():
        assert again.weights[name].dtype == np.float64
        np.testing.assert_array_equal(again.weights[name], w)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(version=0), "this run record has version 0; this Gatelab reads versions 2 and 3"),
        (lambda d: d.pop("schema"), "this is not a Gatelab run record"),
        (lambda d: d["metrics"].update(mse=0.0), "changed after it was made: its digest does not match"),
        (lambda d: d["series"]["values"].__setitem__(0, 99.0), "its digest does not match"),
    ],
)
def test_old_foreign_or_tampered_records_are_refused(record, change, message):
    d = json.loads(json.dumps(record.to_json()))
    change(d)
    with pytest.raises(RunRecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        RunRecord.from_json(d)


def test_a_malformed_record_with_a_good_digest_is_refused(record):
    from models.run import _digest

    d = json.loads(json.dumps(record.to_json()))
    d["weights"]["tensors"]["rnn.weight_hh_l0"]["shape"] = [1, 4 * 6 * 6]
    d.pop("digest")
    d["digest"] = _digest(d)
    with pytest.raises(RunRecordError, match="malformed"):
        RunRecord.from_json(d)


def test_rollout_longer_than_the_series_has_no_truth_past_the_end():
    r = run_experiment(SMALL.with_(rollout_steps=120))
    assert len(r.rollout.pred) == 120 and len(r.rollout.truth) == 90


def test_stopped_run_keeps_its_epochs_and_says_so():
    calls = []
    r = run_experiment(SMALL.with_(train=TrainConfig(epochs=10)),
                       should_stop=lambda: len(calls) > 0, on_epoch_end=calls.append)
    assert r.epochs_done == 1 and r.stopped == "stopped at epoch 1"


def test_a_series_of_your_own():
    x = np.sin(np.arange(200) / 4.0) + np.linspace(0, 2, 200)
    r = run_experiment(SMALL, series=x)
    assert len(r.series) == 200
    with pytest.raises(ValueError, match="seq_len must be at most 15 for a series of 25 points"):
        run_experiment(SMALL, series=x[:25])


def test_config_round_trips_through_a_dict():
    cfg = ExperimentConfig(series=SeriesConfig.from_lists([30, 7], [1, 2], [0, 1], noise=0.3), backend="torch",
                           cell="gru", train=TrainConfig(epochs=5, clip_norm=None))
    again = ExperimentConfig.from_dict(json.loads(json.dumps(cfg.as_dict())))
    assert again == cfg


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(seq_len=700), "seq_len must be at most 628 for a series of 900 points (630 of them train, and two "
                            "training windows at least), got 700; a window of 700 needs 1003 points"),
        (dict(backend="tf"), "backend must be one of ('numpy', 'torch'), got 'tf'"),
        (dict(transform="log"), "transform must be one of ('none', 'diff', 'detrend', 'sdiff', 'es'), got 'log'"),
        (dict(rollout_steps=0), "rollout_steps must be a whole number from 1 to 5000, got 0"),
        (dict(train_fraction=1.0), "train_fraction must be a number from 0.1 to 0.95, got 1"),
    ],
)
def test_experiment_config_names_the_bad_field(changes, message):
    with pytest.raises(ValueError) as e:
        ExperimentConfig(**changes)
    assert str(e.value) == message


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match=r"unknown setting\(s\): \['colour'\]"):
        ExperimentConfig.from_dict({"colour": "red"})
