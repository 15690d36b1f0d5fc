"""``models.cells``, the lesson form of each cell: against PyTorch's layers, against finite
differences (every gradient, and dx), and the fast kernels against it. All in float64, on odd
shapes: one step, a window past the LSTM kernel's chunk of 10 steps, several inputs, one unit."""

import numpy as np
import pytest
import torch

from models import create_model
from models.cells import CELLS, layer, layer_back

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
    """The trained NumPy models (their chunked, fused layouts) against ``models.cells``: every gate of
    a window, and the loss and every gradient of a batch."""
    N, T, D, H = shape
    rng = np.random.default_rng(3)
    model = create_model("numpy", cell, input_size=D, hidden_size=H, seed=4, dtype="float64")
    state = model.state_dict()
    p = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    hs, last, caches = layer(cell, x, p)
    plain = {k: np.stack([CELLS[cell].gates(c)[k][0] for c in caches]) for k in CELLS[cell].gates(caches[0])}
    fast = model.gate_activations(x[0])
    for name, value in fast.items():
        np.testing.assert_allclose(value, plain[name], rtol=1e-10, atol=1e-12, err_msg=name)
    # the head reads the last h; the loss is the mean squared error
    w, b = state["head.weight"], state["head.bias"]
    pred = last[0] @ w.T + b
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


def test_the_page_the_command_and_a_config_refuse_the_same_batch_sizes_and_lengths():
    """Two bounds that had drifted apart: batch size (the form said 1024, a config 4096) and the series'
    length (the form said 50, a config 10). Each is now one constant that all three read."""
    from components.controls import form_config
    from components.settings import Settings
    from data.synthetic import MIN_LENGTH, SeriesConfig
    from models.config import ExperimentConfig
    from models.train import MAX_BATCH, TrainConfig
    from models.knobs import parse_values
    from components.controls import preset_values

    assert (MAX_BATCH, MIN_LENGTH) == (1024, 50)
    for field, bad, good in (("batch-size", MAX_BATCH + 1, MAX_BATCH), ("series-length", MIN_LENGTH - 1, MIN_LENGTH)):
        values = preset_values(None) | {field: str(bad)}
        config, errors = parse_values(values)  # the command reads its options through the same knobs
        assert config is None and field in errors
        _, page_errors = form_config(values, Settings())
        assert field in page_errors
        config, errors = parse_values(values | {field: str(good), "seq-len": "20"})
        assert config is not None, errors
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 1024\]"):
        TrainConfig(batch_size=MAX_BATCH + 1)
    with pytest.raises(ValueError, match=r"length must be an integer in \[50, "):
        SeriesConfig(length=MIN_LENGTH - 1)
    assert ExperimentConfig(series=SeriesConfig(length=MIN_LENGTH), seq_len=20).series.length == MIN_LENGTH
