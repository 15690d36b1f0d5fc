"""``models.cells``, the lesson form of each cell: against PyTorch's layers, against finite
differences (every gradient, and dx), and the fast kernels against it. All in float64, on odd
shapes: one step, a window past the LSTM kernel's chunk of 10 steps, several inputs, one unit."""

import numpy as np
import pytest
import torch

from models import create_model
from models.cells import CELLS, layer, layer_back, zero_state

SHAPES = [(2, 1, 1, 1), (3, 13, 2, 4), (2, 23, 3, 1)]  # N, T, D, H
GATE_BLOCKS = {"lstm": 4, "gru": 3, "rnn": 1, "gru_cho": 3}
TORCH = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def params(cell, D, H, rng):
    G = GATE_BLOCKS[cell]
    return {"weight_ih": rng.normal(0, 0.6, (G * H, D)), "weight_hh": rng.normal(0, 0.6, (G * H, H)),
            "bias_ih": rng.normal(0, 0.3, G * H), "bias_hh": rng.normal(0, 0.3, G * H)}


def loss_of(cell, x, p, weights):
    """A loss that reads every step's h and the last state: sum(hs * Wh) + sum(last * Wl)."""
    hs, last, caches = layer(cell, x, p)
    return float(np.sum(hs * weights[0]) + sum(np.sum(s * w) for s, w in zip(last, weights[1:]))), caches


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("shape", SHAPES)
def test_each_cell_computes_what_pytorch_computes_forward_and_back(cell, shape):
    N, T, D, H = shape
    rng = np.random.default_rng(1)
    p, x = params(cell, D, H, rng), rng.normal(size=(N, T, D))
    dhs, dlast = rng.normal(size=(N, T, H)), tuple(rng.normal(size=(N, H)) for _ in range(CELLS[cell].STATES))
    hs, last, caches = layer(cell, x, p)
    dx, _, grads = layer_back(cell, dhs, caches, dlast)

    net = TORCH[cell](D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for name, value in p.items():
            getattr(net, f"{name}_l0").copy_(torch.from_numpy(value))
    xt = torch.from_numpy(x).requires_grad_(True)
    out, state = net(xt)
    state = state if isinstance(state, tuple) else (state,)
    loss = (out * torch.from_numpy(dhs)).sum() + sum((s[0] * torch.from_numpy(d)).sum() for s, d in zip(state, dlast))
    loss.backward()
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-12, atol=1e-12)
    for s, ts in zip(last, state):
        np.testing.assert_allclose(s, ts[0].detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, g in grads.items():
        np.testing.assert_allclose(g, getattr(net, f"{name}_l0").grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", list(CELLS))
def test_every_gradient_and_dx_match_finite_differences(cell):
    N, T, D, H = 2, 4, 2, 3
    rng = np.random.default_rng(2)
    p, x = params(cell, D, H, rng), rng.normal(size=(N, T, D))
    weights = [rng.normal(size=(N, T, H))] + [rng.normal(size=(N, H)) for _ in range(CELLS[cell].STATES)]
    _, caches = loss_of(cell, x, p, weights)
    dx, _, grads = layer_back(cell, weights[0], caches, tuple(weights[1:]))
    eps = 1e-6

    def numeric(array, f):
        out = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            keep = array[idx]
            array[idx] = keep + eps
            up = f()
            array[idx] = keep - eps
            down = f()
            array[idx] = keep
            out[idx] = (up - down) / (2 * eps)
        return out

    f = lambda: loss_of(cell, x, p, weights)[0]  # noqa: E731
    for name in p:
        np.testing.assert_allclose(grads[name], numeric(p[name], f), rtol=1e-6, atol=1e-8, err_msg=name)
    np.testing.assert_allclose(dx, numeric(x, f), rtol=1e-6, atol=1e-8, err_msg="dx")


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("shape", SHAPES)
def test_the_fast_kernels_compute_what_the_lesson_says(cell, shape):
    """The trained NumPy models (their chunked, fused layouts) against ``models.cells``: the forecasts,
    the loss and every gradient of a batch, and dx."""
    N, T, D, H = shape
    rng = np.random.default_rng(3)
    model = create_model("numpy", cell, input_size=D, hidden_size=H, seed=4, dtype="float64")
    state = model.state_dict()
    p = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    hs, last, caches = layer(cell, x, p)
    # the head reads the last h; the loss is the mean squared error
    w, b = state["head.weight"], state["head.bias"]
    pred = last[0] @ w.T + b
    np.testing.assert_allclose(model.predict(x), pred, rtol=1e-11, atol=1e-13)
    loss = float(np.mean((pred - y) ** 2))
    dpred = 2.0 * (pred - y) / y.size
    dhs = np.zeros_like(hs)
    dhs[:, -1] = dpred @ w
    _, _, grads = layer_back(cell, dhs, caches)
    fast_loss, fast_grads = model.loss_and_grads(x, y)
    assert fast_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(fast_grads["head.weight"], dpred.T @ last[0], rtol=1e-10, atol=1e-12)
    for name, g in grads.items():
        np.testing.assert_allclose(fast_grads[f"rnn.{name}_l0"], g, rtol=1e-9, atol=1e-12, err_msg=name)
    # dx: the forecast's gradient with respect to every input, from the fast backward pass
    dhs[:, -1] = w[0]
    dx, _, _ = layer_back(cell, dhs, caches)
    np.testing.assert_allclose(model.input_gradient(x), dx, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_run_restores_in_its_own_precision_bit_for_bit(dtype):
    from models.config import ExperimentConfig, SeriesConfig, TrainConfig
    from models.experiment import run_experiment
    from models.run import prepared, restore

    config = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5, dtype=dtype,
                              train=TrainConfig(epochs=2), rollout_steps=20)
    record = run_experiment(config)
    assert prepared(record).train.X.dtype == np.dtype(dtype)
    again = restore(record)
    assert again.predict_test().tolist() == list(record.forecast.pred)  # bit for bit
    assert again.rollout(20).tolist() == list(record.rollout.pred)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_torchs_own_cell_kernels_take_the_lessons_step(cell):
    """The PyTorch backend's unrolled layer (gradient flow, rollouts) uses torch's cell kernels: one
    step of each is the lesson's step."""
    from models.torch_backend import _CELL_KERNELS

    N, D, H = 3, 2, 4
    rng = np.random.default_rng(5)
    p, x = params(cell, D, H, rng), rng.normal(size=(N, D))
    state = tuple(rng.normal(size=(N, H)) for _ in range(CELLS[cell].STATES))
    plain, _ = CELLS[cell].step(x, state, p)
    weights = [torch.from_numpy(p[k]) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    ts = tuple(torch.from_numpy(s) for s in state)
    out = _CELL_KERNELS[cell](torch.from_numpy(x), ts if cell == "lstm" else ts[0], *weights)
    out = out if isinstance(out, tuple) else (out,)
    for a, b in zip(plain, out):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_both_backends_show_the_same_gates(cell):
    x = np.random.default_rng(6).normal(size=(9, 2))
    numpy_model = create_model("numpy", cell, input_size=2, hidden_size=3, seed=7, dtype="float64")
    torch_model = create_model("torch", cell, input_size=2, hidden_size=3, seed=7, dtype="float64")
    a, b = numpy_model.gate_activations(x), torch_model.gate_activations(x)
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("shape", [(2, 1, 3, 1), (3, 23, 3, 5), (1, 12, 1, 1)])  # N, T, D, H
def test_both_backends_give_the_same_input_gradient(cell, shape):
    """d yhat / d X: NumPy's backward pass against PyTorch's autograd, and against finite differences."""
    N, T, D, H = shape
    x = np.random.default_rng(5).normal(size=(N, T, D))
    models = [create_model(b, cell, input_size=D, hidden_size=H, seed=6, dtype="float64", outputs=2)
              for b in ("numpy", "torch")]
    got = [m.input_gradient(x, output=1) for m in models]
    np.testing.assert_allclose(got[0], got[1], rtol=1e-10, atol=1e-13)
    eps, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        n = idx[0]
        numeric[idx] = (models[0].predict(up)[n, 1] - models[0].predict(down)[n, 1]) / (2 * eps)
    np.testing.assert_allclose(got[0], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("cell", list(CELLS))
def test_the_rollout_lanes_take_the_lessons_step(cell):
    """The NumPy rollout lanes (the fast kernels' own step) against the lesson's step, lane by lane, and
    a lane reset to the zero state starting over."""
    lanes, H, D = 5, 3, 2
    model = create_model("numpy", cell, input_size=D, hidden_size=H, seed=7, dtype="float64")
    state = model.state_dict()
    p = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    w, b = state["head.weight"][0], state["head.bias"][0]
    rows = np.random.default_rng(8).normal(size=(6, D))
    fast, plain = model.rollout_lanes(lanes), zero_state(cell, lanes, H)
    for t, row in enumerate(rows):
        if t == 3:
            fast.reset(2)
            plain = tuple(np.where(np.arange(lanes)[:, None] == 2, 0.0, s) for s in plain)
        fast.step(row)
        plain, _ = CELLS[cell].step(np.repeat(row[None], lanes, axis=0), plain, p)
        for lane in range(lanes):
            assert fast.readout(lane) == pytest.approx(float(plain[0][lane] @ w + b), rel=1e-12, abs=1e-14)
