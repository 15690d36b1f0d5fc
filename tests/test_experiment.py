import json

import numpy as np
import pytest

from data import SeriesConfig
from models.experiment import ExperimentConfig, run_experiment
from models.train import TrainConfig

SMALL = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=6,
                         train=TrainConfig(epochs=3), rollout_steps=40)


def test_result_holds_everything_the_views_need():
    r = run_experiment(SMALL)
    assert r["epochs_done"] == 3 and not r["cancelled"]
    assert set(r["metrics"]) == {"mse", "mae", "rmse"}
    assert r["metrics"]["rmse"] == pytest.approx(r["metrics"]["mse"] ** 0.5)
    assert set(r["baselines"]) == {"persistence", "linear_ar"}
    assert all(len(v) == 3 for v in r["history"].values())
    assert r["series"]["split"] == 210 and len(r["series"]["values"]) == 300
    assert r["forecast"]["index"][0] == 210 and len(r["forecast"]["pred"]) == 90
    assert len(r["rollout"]["pred"]) == 40 and r["rollout"]["index"][0] == 210
    np.testing.assert_allclose(r["forecast"]["truth"], np.array(r["series"]["values"])[210:])
    json.dumps(r)  # JSON-ready all the way down


def test_rollout_longer_than_the_series_has_no_truth_past_the_end():
    r = run_experiment(SMALL.with_(rollout_steps=120))
    assert len(r["rollout"]["pred"]) == 120 and len(r["rollout"]["truth"]) == 90


def test_cancelled_run_is_marked():
    r = run_experiment(SMALL.with_(train=TrainConfig(epochs=10)), should_stop=lambda: True)
    assert r["cancelled"] and r["epochs_done"] == 0


def test_a_series_of_your_own():
    x = np.sin(np.arange(200) / 4.0) + np.linspace(0, 2, 200)
    r = run_experiment(SMALL, series=x)
    assert len(r["series"]["values"]) == 200
    with pytest.raises(ValueError, match="seq_len must be an integer in \\[1, 15\\] for a series of 25 points"):
        run_experiment(SMALL, series=x[:25])


def test_config_round_trips_through_a_dict():
    cfg = ExperimentConfig(series=SeriesConfig.from_lists([30, 7], [1, 2], [0, 1], noise=0.3), backend="torch",
                           cell="gru", train=TrainConfig(epochs=5, clip_norm=None))
    again = ExperimentConfig.from_dict(json.loads(json.dumps(cfg.as_dict())))
    assert again == cfg


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(seq_len=700), "seq_len must be an integer in [1, 628] for a series of 900 points with train_fraction 0.7, got 700"),
        (dict(backend="tf"), "backend must be one of ('numpy', 'torch'), got 'tf'"),
        (dict(transform="log"), "transform must be one of ('none', 'diff', 'detrend'), got 'log'"),
        (dict(rollout_steps=0), "rollout_steps must be an integer in [1, 5000], got 0"),
        (dict(train_fraction=1.0), "train_fraction must be in [0.1, 0.95], got 1.0"),
    ],
)
def test_experiment_config_names_the_bad_field(changes, message):
    with pytest.raises(ValueError) as e:
        ExperimentConfig(**changes)
    assert str(e.value) == message


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match=r"unknown setting\(s\): \['colour'\]"):
        ExperimentConfig.from_dict({"colour": "red"})
