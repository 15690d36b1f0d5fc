import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from models.config import ExperimentConfig
from models.train import TrainConfig
from models import create_model
from models.forecaster import Forecaster, NotFittedError
from models.rollout import rollout, rollout_slow


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("L, steps", [(12, 30), (1, 5), (60, 200)])
def test_pipelined_rollout_equals_rerunning_the_window(backend, cell, L, steps):
    model = create_model(backend, cell, 1, 7, seed=L, dtype="float64")
    model.load_state_dict({k: 2 * v for k, v in model.state_dict().items()})
    window = np.sin(np.arange(L) / 3.0)
    fast = rollout(model, window, steps)
    slow = rollout_slow(model, window, steps)
    assert fast.shape == (steps,)
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-12)


def test_carrying_the_hidden_state_would_be_a_different_model():
    """Guards the docstring's claim: the exact rollout is not a stateful one."""
    import torch

    model = create_model("torch", "lstm", 1, 7, seed=1, dtype="float64")
    model.load_state_dict({k: 3 * v for k, v in model.state_dict().items()})
    window = np.sin(np.arange(12) / 3.0)
    exact = rollout(model, window, 10)
    x = torch.as_tensor(window[None, :, None])
    with torch.no_grad():
        out, state = model.net.rnn(x)
        value = model.net.head(out[:, -1]).item()
        stateful = [value]
        for _ in range(9):
            out, state = model.net.rnn(torch.full((1, 1, 1), value, dtype=torch.float64), state)
            value = model.net.head(out[:, -1]).item()
            stateful.append(value)
    assert exact[0] == pytest.approx(stateful[0])
    assert np.abs(exact[1:] - np.array(stateful[1:])).max() > 1e-4  # the exact one matches to 1e-12


@pytest.fixture(scope="module")
def fitted():
    p = prepare(make_series(SeriesConfig(length=400)), seq_len=30, transform="diff")
    return Forecaster(ExperimentConfig(backend="numpy", cell="gru", hidden_size=8, train=TrainConfig(epochs=3))).fit(p)


def test_forecaster_is_an_estimator():
    f = Forecaster(ExperimentConfig(backend="torch", train=TrainConfig(epochs=2)))
    assert f.config.backend == "torch" and not hasattr(f, "model_")
    with pytest.raises(NotFittedError, match="call fit"):
        f.predict_test()
    p = prepare(make_series(SeriesConfig(length=200)), seq_len=10)
    assert f.fit(p) is f
    assert len(f.history_) == 2 and f.model_.backend == "torch"


def test_rollout_in_original_units_adds_up_the_changes(fitted):
    p = fitted.prep_
    out = fitted.rollout(15)
    changes = rollout(fitted.model_, p.inputs[p.split - 30 : p.split], 15) * p.target_scale * p.scaler.std
    np.testing.assert_allclose(np.diff(np.r_[p.series[p.split - 1], out]), changes, rtol=1e-4, atol=1e-6)


def test_one_step_forecasts_in_original_units(fitted):
    p = fitted.prep_
    pred = fitted.predict_test()
    manual = p.to_original(fitted.model_.predict(p.test.X), p.test.ref)
    np.testing.assert_allclose(pred, manual)
    assert np.abs(pred - p.series[p.test.target_index]).mean() < 0.6


def test_gates_of_a_test_window(fitted):
    g = fitted.gate_activations(0)
    assert set(g) == {"r", "z", "n", "h"} and g["z"].shape == (30, 8)
    with pytest.raises(ValueError, match=r"test_window must be in \[0, 119\], got 500"):
        fitted.gate_activations(500)


def test_a_rollout_that_leaves_the_range_seen_in_training_is_caught_at_its_first_step_outside():
    from models.rollout import leaves_range

    train = np.array([100.0, 150.0, 200.0])  # span 100: from 0 to 300 is inside
    assert leaves_range(train, np.array([210.0, 290.0, 299.0])) is None
    assert leaves_range(train, np.array([210.0, 290.0, 301.0, 4000.0])) == 3
    assert leaves_range(train, np.array([50.0, -1.0])) == 2
    assert leaves_range(train, np.array([np.nan])) == 1
