"""The textbook GRU (Cho et al., 2014), NumPy only: checked against finite differences and against
the same equations written with torch autograd (no PyTorch layer computes them)."""

import numpy as np
import pytest
import torch

from data import SeriesConfig
from models import create_model
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.knobs import parse_values
from models.rollout import rollout, rollout_slow
from models.train import TrainConfig
from tests.helpers import finite_difference_grads


def cho_by_autograd(state, X, y):
    """Loss, parameter gradients, and ||dL/dh_t|| per step, by autograd on the textbook equations."""
    p = {k: torch.tensor(v, requires_grad=True) for k, v in state.items()}
    x = torch.as_tensor(X)
    H = p["rnn.weight_hh_l0"].shape[1]
    wi, wh, bi, bh = (p[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    h = torch.zeros(x.shape[0], H, dtype=torch.float64)
    states = []
    for t in range(x.shape[1]):
        gi = x[:, t] @ wi.T + bi
        r = torch.sigmoid(gi[:, :H] + h @ wh[:H].T + bh[:H])
        z = torch.sigmoid(gi[:, H : 2 * H] + h @ wh[H : 2 * H].T + bh[H : 2 * H])
        n = torch.tanh(gi[:, 2 * H :] + (r * h) @ wh[2 * H :].T + bh[2 * H :])
        h = (1 - z) * n + z * h
        h.retain_grad()
        states.append(h)
    loss = torch.nn.functional.mse_loss(h @ p["head.weight"].T + p["head.bias"], torch.as_tensor(y))
    loss.backward()
    flow = np.array([float(s.grad.norm(dim=1).mean()) for s in states])
    return loss.item(), {k: v.grad.numpy() for k, v in p.items()}, flow


@pytest.mark.parametrize("shape", [(3, 5, 1, 4), (1, 1, 1, 3), (2, 7, 3, 2)])
def test_gradients_match_finite_differences(shape):
    N, T, D, H = shape
    rng = np.random.default_rng(sum(shape))
    X, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    model = create_model("numpy", "gru_cho", D, H, seed=3, dtype="float64")
    state = {k: v * 3.0 for k, v in model.state_dict().items()}  # gates saturate somewhere
    model.load_state_dict(state)
    _, grads = model.loss_and_grads(X, y)
    for name, num in finite_difference_grads(model, X, y).items():
        np.testing.assert_allclose(grads[name], num, rtol=1e-5, atol=1e-8, err_msg=name)


def test_loss_gradients_and_gradient_flow_match_autograd_on_the_same_equations():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 9, 1)), rng.normal(size=(6, 1))
    model = create_model("numpy", "gru_cho", 1, 5, seed=1, dtype="float64")
    loss, grads = model.loss_and_grads(X, y)
    ref_loss, ref_grads, ref_flow = cho_by_autograd(model.state_dict(), X, y)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-9, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(model.grad_flow(X, y), ref_flow, rtol=1e-6)


def test_it_is_not_pytorchs_gru_on_the_same_weights():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 8, 1))
    cho = create_model("numpy", "gru_cho", 1, 6, seed=5, dtype="float64")
    gru = create_model("numpy", "gru", 1, 6, seed=5, dtype="float64")
    assert not np.allclose(cho.predict(X), gru.predict(X), rtol=1e-3)
    gates = cho.gate_activations(X[0])
    assert list(gates) == ["r", "z", "n", "h"] and all(g.shape == (8, 6) for g in gates.values())


def test_fast_rollout_equals_rerunning_the_window():
    model = create_model("numpy", "gru_cho", 1, 4, seed=0, dtype="float64")
    window = np.sin(np.arange(12) / 2.0)
    np.testing.assert_allclose(rollout(model, window, 15), rollout_slow(model, window, 15), rtol=1e-12)


def test_the_pytorch_backend_refuses_it_with_a_reason_and_nothing_starts():
    problem = ("GRU (Cho), the textbook GRU, runs on the NumPy backend only: PyTorch's nn.GRU applies the reset "
               "gate after the matrix product, not before; choose the NumPy backend")
    message = f"cell {problem}"  # the model and the config say it the same way; the page under its label
    with pytest.raises(ValueError) as e:
        create_model("torch", "gru_cho")
    assert str(e.value) == message
    with pytest.raises(ValueError) as e:
        ExperimentConfig(backend="torch", cell="gru_cho")
    assert str(e.value) == message
    config, errors = parse_values({"backend": "torch", "cell": "gru_cho"})
    assert config is None and errors == {"cell": f"Cell {problem}"}


def test_a_run_learns_and_is_named():
    record = run_experiment(ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8,
                                             cell="gru_cho", train=TrainConfig(epochs=30, learning_rate=0.01)))
    assert record.label == "NumPy GRU (Cho)"
    assert record.history.train_loss[-1] < 0.5 * record.history.train_loss[0]
    assert record.metrics.mse < record.baselines["persistence"].mse
