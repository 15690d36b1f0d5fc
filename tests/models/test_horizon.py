"""Several steps ahead: the direct k-output model, the recursive one-step model, and their baselines."""

import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from models import create_model
from models.baselines import linear_ar
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.baselines import linear_ar_paths
from models.horizon import direct_windows, measure, recursive_paths
from models.knobs import parse_values
from models.metrics import naive_scale
from models.rollout import rollout_slow
from models.run import RunRecord
from models.train import TrainConfig
from tests.helpers import finite_difference_grads


@pytest.fixture(scope="module")
def prep():
    return prepare(make_series(SeriesConfig(length=300)), seq_len=20, dtype=np.float64)


@pytest.mark.parametrize("transform", ["none", "diff", "detrend"])
def test_true_future_inputs_map_back_to_the_truth(transform):
    p = prepare(make_series(SeriesConfig(length=300)), seq_len=20, transform=transform, dtype=np.float64)
    _, test = direct_windows(p, 7)
    np.testing.assert_allclose(p.paths_to_original(test.Y, test.t),
                               p.series[test.t[:, None] + np.arange(7)], atol=1e-9)


def test_windows_never_straddle_the_split(prep):
    train, test = direct_windows(prep, 5)
    assert train.t.max() + 5 <= prep.split and test.t.min() == prep.split and test.t.max() + 5 == 300
    assert train.Y.shape == (train.X.shape[0], 5)
    np.testing.assert_array_equal(train.Y[:, 1], prep.inputs[train.t + 1])


def test_recursive_paths_are_the_exact_rollout_of_each_window(prep):
    model = create_model("numpy", "lstm", 1, 6, seed=2, dtype="float64")
    _, test = direct_windows(prep, 12)
    paths = recursive_paths(model, test.X[:3], 12)
    for i in range(3):
        np.testing.assert_allclose(paths[i], rollout_slow(model, test.X[i, :, 0], 12), rtol=1e-12)


def test_linear_ar_one_step_ahead_is_the_linear_ar_baseline(prep):
    _, test = direct_windows(prep, 1)
    np.testing.assert_allclose(linear_ar_paths(prep, 1, test.t)[:, 0], linear_ar(prep), rtol=1e-10)


def test_one_step_ahead_the_direct_model_is_the_one_step_model(prep):
    """k = 1: same first weights, same windows, same batches: the two methods coincide exactly."""
    config = TrainConfig(epochs=3, seed=4)
    one_step = create_model("numpy", "gru", 1, 5, seed=4, dtype="float64")
    from models.train import train
    train(one_step, prep.train.X, prep.train.y, prep.test.X, prep.test.y, config)
    run = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, cell="gru", hidden_size=5, dtype="float64",
                           train=config)
    h = measure(prep, one_step, run, naive_scale(prep.series, prep.split))
    assert h.mse["direct"] == pytest.approx(h.mse["recursive"], rel=1e-12)
    assert h.windows == prep.test.X.shape[0]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_run_at_horizon_10_compares_four_methods_step_by_step(backend):
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8, horizon=10,
                              backend=backend, train=TrainConfig(epochs=5, learning_rate=0.01))
    record = run_experiment(config)
    h = record.horizon
    assert h.k == 10 and h.windows == 90 - 9 and set(h.mse) == {"direct", "recursive", "persistence", "linear_ar"}
    assert all(len(v) == 10 for v in h.mse.values())
    series = np.asarray(record.series)
    t = np.arange(210, 300 - 9)
    for j in (0, 9):  # persistence by hand, one step and ten steps ahead
        assert h.mse["persistence"][j] == pytest.approx(np.mean((series[t + j] - series[t - 1]) ** 2), rel=1e-12)
    assert h.at_k["persistence"].mse == pytest.approx(h.mse["persistence"][-1], rel=1e-12)
    # one step ahead, the recursive method is the run's own one-step forecast on those windows
    one_step = np.asarray(record.forecast.pred[:81])
    assert h.mse["recursive"][0] == pytest.approx(np.mean((one_step - series[t]) ** 2), rel=1e-4)
    again = RunRecord.from_json(record.to_json())
    assert again.horizon == h


def test_a_direct_head_with_k_outputs_has_pytorchs_shapes_and_agrees_across_backends():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 6, 1)), rng.normal(size=(4, 3))
    a = create_model("numpy", "lstm", 1, 5, seed=1, dtype="float64", outputs=3)
    b = create_model("torch", "lstm", 1, 5, seed=1, dtype="float64", outputs=3)
    assert a.state_dict()["head.weight"].shape == (3, 5) and b.state_dict()["head.bias"].shape == (3,)
    la, ga = a.loss_and_grads(X, Y)
    lb, gb = b.loss_and_grads(X, Y)
    assert la == pytest.approx(lb, rel=1e-12)
    for k in ga:
        np.testing.assert_allclose(ga[k], gb[k], rtol=1e-9, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-12)


def test_the_direct_heads_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(3, 4, 1)), rng.normal(size=(3, 4))
    model = create_model("numpy", "gru", 1, 3, seed=2, dtype="float64", outputs=4)
    _, grads = model.loss_and_grads(X, Y)
    for name, num in finite_difference_grads(model, X, Y, ("head.weight", "head.bias", "rnn.weight_hh_l0")).items():
        np.testing.assert_allclose(grads[name], num, rtol=1e-6, atol=1e-9, err_msg=name)


def test_a_horizon_that_does_not_fit_is_refused_with_the_numbers():
    with pytest.raises(ValueError) as e:
        ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, horizon=95)
    assert str(e.value) == "horizon must leave two test windows: at most 89 for a test part of 90 points, got 95"
    _, errors = parse_values({"horizon": "101"})
    assert errors == {"horizon": "Horizon k (steps ahead) must be a whole number from 1 to 100, got 101"}
    _, errors = parse_values({"series-length": "300", "seq-len": "20", "horizon": "95"})
    assert errors == {"horizon": "Horizon k (steps ahead) must leave two test windows: at most 89 for a test part "
                                 "of 90 points, got 95"}
    with pytest.raises(ValueError, match="rollouts need one output"):
        create_model("numpy", "lstm", outputs=3).rollout_lanes(4)


def test_a_job_says_when_it_trains_the_direct_model():
    from components.server.job import make_request, run_request

    progress = []
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=4, horizon=5,
                              train=TrainConfig(epochs=2))
    outcome = run_request(progress.append, make_request("h", "s", [config]))
    assert outcome.status == "done" and outcome.runs[0].horizon.k == 5
    labels = [p[1] for p in progress]
    assert "training the direct 5-step model (2 epochs)" in labels
    assert labels.index("training the direct 5-step model (2 epochs)") > labels.index("epoch 2 of 2")
