"""NumPy and PyTorch: the same state_dict gives the same predictions, gradients and gates."""

import numpy as np
import pytest
import torch

from models import GATES, create_model
from models.kernels.lstm import CHUNK

SHAPES = [(4, 6, 1, 5), (1, 9, 1, 3), (3, 1, 1, 4), (5, 4, 3, 8)]  # N, T, D, H
TOL = {"float64": dict(rtol=1e-6, atol=1e-9), "float32": dict(rtol=1e-4, atol=1e-5)}


def _pair(cell, D, H, dtype, seed=0):
    a = create_model("numpy", cell, D, H, seed=seed, dtype=dtype)
    b = create_model("torch", cell, D, H, seed=seed + 100, dtype=dtype)
    b.load_state_dict(a.state_dict())  # a plain dict copy moves the weights across
    return a, b


def test_state_dict_has_pytorchs_keys_shapes_and_order():
    for cell, layer, k in [("lstm", torch.nn.LSTM, 4), ("gru", torch.nn.GRU, 3), ("rnn", torch.nn.RNN, 1)]:
        ref = torch.nn.Module()
        ref.rnn = layer(3, 8, batch_first=True)
        ref.head = torch.nn.Linear(8, 1)
        expected = {n: tuple(v.shape) for n, v in ref.state_dict().items()}
        for backend in ("numpy", "torch"):
            got = create_model(backend, cell, 3, 8).state_dict()
            assert list(got) == list(expected)
            assert {n: v.shape for n, v in got.items()} == expected
        assert expected["rnn.weight_ih_l0"] == (k * 8, 3)


def test_same_seed_gives_the_same_initial_weights_on_both_backends():
    a = create_model("numpy", "gru", 1, 6, seed=5).state_dict()
    b = create_model("torch", "gru", 1, 6, seed=5).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    c = create_model("numpy", "gru", 1, 6, seed=6).state_dict()
    assert not np.allclose(a["rnn.weight_hh_l0"], c["rnn.weight_hh_l0"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("shape", SHAPES)
def test_predictions_and_gradients_agree(cell, dtype, shape):
    N, T, D, H = shape
    rng = np.random.default_rng(N * 100 + T)
    X, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    a, b = _pair(cell, D, H, dtype)
    np.testing.assert_allclose(a.predict(X), b.predict(X), **TOL[dtype])
    la, ga = a.loss_and_grads(X, y)
    lb, gb = b.loss_and_grads(X, y)
    assert la == pytest.approx(lb, rel=TOL[dtype]["rtol"])
    assert set(ga) == set(gb)
    for k in ga:
        scale = max(np.abs(gb[k]).max(), 1e-3)
        np.testing.assert_allclose(ga[k] / scale, gb[k] / scale, atol=TOL[dtype]["rtol"], err_msg=k)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_gate_activations_agree_and_rebuild_the_hidden_state(cell):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 2))
    a, b = _pair(cell, 2, 5, "float64")
    ga, gb = a.gate_activations(x), b.gate_activations(x)
    assert tuple(ga) == GATES[cell] and tuple(gb) == GATES[cell]
    for k in ga:
        assert ga[k].shape == (7, 5)
        np.testing.assert_allclose(ga[k], gb[k], rtol=1e-9, atol=1e-12, err_msg=k)
    # the hidden states are nn.LSTM / nn.GRU's own outputs
    out, _ = b.net.rnn(torch.as_tensor(x[None]))
    np.testing.assert_allclose(ga["h"], out[0].detach().numpy(), rtol=1e-9, atol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(ga["h"], ga["o"] * np.tanh(ga["c"]), rtol=1e-12)
    elif cell == "rnn":
        np.testing.assert_allclose(ga["h"], np.tanh(ga["a"]), rtol=1e-12)
    else:
        assert np.all((ga["z"] > 0) & (ga["z"] < 1)) and np.all(np.abs(ga["n"]) < 1)


def test_bad_state_dict_is_refused():
    m = create_model("numpy", "lstm", 1, 4)
    sd = m.state_dict()
    sd["rnn.weight_hh_l0"] = np.zeros((4, 4))
    with pytest.raises(ValueError, match=r"state_dict\['rnn.weight_hh_l0'\] must have shape \(16, 4\), got \(4, 4\)"):
        m.load_state_dict(sd)
    with pytest.raises(ValueError, match="missing"):
        create_model("torch", "gru", 1, 4).load_state_dict({})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(backend="jax"), "backend must be one of ('numpy', 'torch'), got 'jax'"),
        (dict(cell="elman"), "cell must be one of ('lstm', 'gru', 'rnn', 'gru_cho'), got 'elman'"),
        (dict(hidden_size=0), "hidden_size must be a whole number from 1 to 1024, got 0"),
        (dict(hidden_size=100000), "hidden_size must be a whole number from 1 to 1024, got 100000"),
        (dict(dtype="float16"), "dtype must be one of ('float32', 'float64'), got 'float16'"),
    ],
)
def test_create_model_names_the_bad_argument(kwargs, message):
    with pytest.raises(ValueError) as e:
        create_model(**kwargs)
    assert str(e.value) == message


@pytest.mark.parametrize("T", [CHUNK, CHUNK + 1, 2 * CHUNK + 3, 3 * CHUNK])
def test_lstm_backward_in_chunks_agrees_with_autograd(T):
    """The NumPy LSTM walks back through time a chunk of steps at a time: lengths at, just past and
    between chunk boundaries give PyTorch's loss gradients and gradient flow."""
    assert 1 < CHUNK < 2 * CHUNK + 3
    rng = np.random.default_rng(T)
    X, y = rng.normal(size=(3, T, 2)), rng.normal(size=(3, 1))
    a, b = _pair("lstm", 2, 4, "float64")
    (la, ga), (lb, gb) = a.loss_and_grads(X, y), b.loss_and_grads(X, y)
    assert la == pytest.approx(lb, rel=1e-9)
    for k in ga:
        np.testing.assert_allclose(ga[k], gb[k], rtol=1e-6, atol=1e-10, err_msg=k)
    np.testing.assert_allclose(a.grad_flow(X, y), b.grad_flow(X, y), rtol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_gradient_flow_agrees_with_autograd(cell):
    """||dL/dh_t|| from the hand-written backward pass against autograd on the unrolled layer."""
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(5, 12, 1)), rng.normal(size=(5, 1))
    a, b = _pair(cell, 1, 6, "float64")
    na, nb = a.grad_flow(X, y), b.grad_flow(X, y)
    assert na.shape == (12,)
    np.testing.assert_allclose(na, nb, rtol=1e-6)
    # the last step's gradient is the head's alone: dL/dh_T = dL/dy * w_head, row by row
    err = a.predict(X) - y
    direct = np.abs(2 * err / len(y)) * np.linalg.norm(a.state_dict()["head.weight"])
    assert na[-1] == pytest.approx(direct.mean(), rel=1e-9)
    assert all(p.grad is None for p in b.net.parameters())  # the probe leaves no gradient behind
