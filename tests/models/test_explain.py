"""Explain the number (issue 21), below the page: one unit's arithmetic, ACF and PACF, saliency by lag,
the what-if window and the parity meter."""

import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from data.acf import acf, band, pacf
from models import create_model
from models.baselines import linear_ar_coefficients, linear_ar_paths
from models.cells import CELLS, cell_gates
from models.cells.arithmetic import GateSum, unit_arithmetic
from models.cells.common import sigmoid
from models.saliency import by_lag, lag_saliency, lag_statistics, peaks


def layer_params(model) -> dict:
    state = model.state_dict()
    return {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def torch_states(cell: str, model, x: np.ndarray) -> np.ndarray:
    """Every step's hidden state (T, H) of one window by PyTorch's own layer (not the lesson's steps)."""
    import torch

    with torch.no_grad():
        out, _ = model.net.rnn(torch.from_numpy(x[None]))
    return out[0].numpy()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_every_number_of_the_arithmetic_is_recomputed_from_the_weights(cell):
    """Each product is a weight of the layer times the input or the previous hidden state (PyTorch's own,
    step before), the sum adds up, and the gate is the heatmap's value, to 1e-6."""
    D, H, T = 2, 5, 12
    torch_model = create_model("torch", cell, D, H, seed=3, dtype="float64")
    p = {k: v.astype(np.float64) for k, v in layer_params(torch_model).items()}
    x = np.random.default_rng(1).normal(size=(T, D))
    h_torch = torch_states(cell, torch_model, x)
    gates = cell_gates(cell, x[None], p)
    blocks = {"lstm": "ifgo", "gru": "rzn", "rnn": "a"}[cell]
    for step in (0, 1, 7, T - 1):
        h_prev = h_torch[step - 1] if step else np.zeros(H)
        for unit in (0, 3, H - 1):
            shown = unit_arithmetic(cell, x, p, step, unit)
            for name, item in shown.items():
                if not isinstance(item, GateSum):
                    continue
                row = blocks.index(name) * H + unit
                for d, term in enumerate(item.inputs):
                    assert term.weight == p["weight_ih"][row, d] and term.value == x[step, d]
                for k, term in enumerate(item.recurrent):
                    assert term.weight == p["weight_hh"][row, k]
                    assert term.value == pytest.approx(h_prev[k], abs=1e-6)
                assert item.bias_ih == p["bias_ih"][row] and item.bias_hh == p["bias_hh"][row]
                pre = (p["weight_ih"][row] @ x[step] + p["bias_ih"][row]
                       + item.scale * (p["weight_hh"][row] @ h_prev + p["bias_hh"][row]))
                assert item.pre == pytest.approx(pre, abs=1e-6)
                assert item.value == pytest.approx(gates[name][step, unit], abs=1e-6)
                top, rest = item.top_recurrent(3)
                assert sum(t.product for t in top) + rest == pytest.approx(sum(t.product for t in item.recurrent))
                assert [abs(t.product) for t in top] == sorted((abs(t.product) for t in item.recurrent),
                                                              reverse=True)[:3]
            assert shown["h"].value == pytest.approx(h_torch[step, unit], abs=1e-6)
            if cell == "lstm":
                assert shown["c"].value == pytest.approx(gates["c"][step, unit], abs=1e-6)
            if cell == "gru":  # r multiplies the recurrent part of the candidate
                assert shown["n"].scale == shown["r"].value


def test_the_textbook_grus_candidate_reads_r_times_h():
    D, H, T = 1, 4, 6
    model = create_model("numpy", "gru_cho", D, H, seed=2, dtype="float64")
    p = layer_params(model)
    x = np.random.default_rng(4).normal(size=(T, D))
    shown = unit_arithmetic("gru_cho", x, p, 3, 2)
    gates = cell_gates("gru_cho", x[None], p)
    state = np.zeros((1, H))
    for t in range(3):
        state = CELLS["gru_cho"].step(x[None, t], (state,), p)[0][0]
    h_prev = state[0]
    r = sigmoid(p["weight_ih"][:H] @ x[3] + p["bias_ih"][:H] + p["weight_hh"][:H] @ h_prev + p["bias_hh"][:H])
    n = shown["n"]
    assert n.scale == 1.0 and n.recurrent[0].source.startswith("r h_prev")
    np.testing.assert_allclose([t.value for t in n.recurrent], r * h_prev, atol=1e-12)
    assert n.value == pytest.approx(gates["n"][3, 2], abs=1e-12)


def test_the_arithmetic_refuses_a_step_or_unit_outside_the_window():
    model = create_model("numpy", "lstm", 1, 4, seed=0, dtype="float64")
    x = np.zeros((8, 1))
    with pytest.raises(ValueError, match="step must be a whole number from 0 to 7, got 8"):
        unit_arithmetic("lstm", x, layer_params(model), 8, 0)
    with pytest.raises(ValueError, match="unit must be a whole number from 0 to 3, got 4"):
        unit_arithmetic("lstm", x, layer_params(model), 0, 4)


def test_acf_and_pacf_match_statsmodels():
    stattools = pytest.importorskip("statsmodels.tsa.stattools")
    rng = np.random.default_rng(0)
    x = np.zeros(400)
    for t in range(2, 400):  # an AR(2): the PACF is nonzero at lags 1 and 2 only
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    np.testing.assert_allclose(acf(x, 30), stattools.acf(x, nlags=30, fft=False), atol=1e-12)
    np.testing.assert_allclose(pacf(x, 30), stattools.pacf(x, nlags=30, method="ldb"), atol=1e-10)
    p = pacf(x, 30)
    assert abs(p[1]) > 3 * band(400) and abs(p[2]) > 3 * band(400)
    assert np.mean(np.abs(p[3:]) < band(400)) > 0.85
    with pytest.raises(ValueError, match="constant"):
        acf(np.ones(10), 3)


class Linear:
    """A stand-in model whose forecast is w . window: its input gradient is w for every window."""

    def __init__(self, w: np.ndarray) -> None:
        self.w = w

    def input_gradient(self, X, output=0):
        return np.broadcast_to(self.w, np.shape(X)).copy()


def test_saliency_is_in_lag_order_the_last_step_is_lag_1():
    prep = prepare(make_series(SeriesConfig(length=400)), seq_len=20)
    w = np.zeros((20, 1))
    w[-1], w[-17] = 2.0, -0.5  # lag 1 and lag 17
    sal = lag_saliency(Linear(w), prep, 3)
    assert sal.lags[0] == 1 and sal.lags[-1] == 20
    assert sal.chosen[0, 0] == 2.0 and sal.chosen[16, 0] == 0.5 and sal.mean[16, 0] == 0.5
    assert peaks(sal.mean[:, 0], 2) == [1, 17]
    np.testing.assert_array_equal(by_lag(np.arange(3)), [2, 1, 0])


def test_the_ar_coefficients_are_those_of_the_window_and_the_statistics_use_the_train_part():
    prep = prepare(make_series(SeriesConfig()), seq_len=60)
    coef = linear_ar_coefficients(prep)[:, 0]
    z = prep.scaler.transform(prep.series)
    t = prep.test.target_index[:5]
    by_hand = prep.scaler.inverse(np.stack([z[i - 60 : i] for i in t]) @ coef[:60] + coef[60])
    np.testing.assert_allclose(linear_ar_paths(prep, 1, t)[:, 0], by_hand, rtol=1e-10)
    stats = lag_statistics(prep)
    np.testing.assert_allclose(stats.ar, np.abs(coef[:60])[::-1])
    np.testing.assert_allclose(stats.acf, acf(prep.inputs[: prep.split], 60)[1:])
    assert stats.band == pytest.approx(1.96 / np.sqrt(prep.split))
    # the reference series: periods 50 and 17, so the autocorrelation peaks again near lag 50
    assert 48 <= int(np.argmax(stats.acf[40:])) + 41 <= 52


def test_saliency_of_a_real_model_matches_its_backward_pass_per_window():
    prep = prepare(make_series(SeriesConfig(length=300)), seq_len=15, dtype=np.float64)
    model = create_model("numpy", "gru", 1, 4, seed=0, dtype="float64")
    sal = lag_saliency(model, prep, 2, max_windows=7)
    dx = model.input_gradient(prep.test.X)
    np.testing.assert_allclose(sal.chosen, np.abs(dx[2])[::-1])
    rows = np.linspace(0, len(dx) - 1, 7).astype(int)
    np.testing.assert_allclose(sal.mean, np.abs(dx[rows]).mean(axis=0)[::-1])


def test_a_large_models_saliency_averages_fewer_windows_within_the_views_budget():
    from components.page.views.saliency import MAX_WINDOWS, VIEW_MACS, windows_within
    from models.config import ExperimentConfig

    assert windows_within(ExperimentConfig()) == MAX_WINDOWS  # the defaults: 400 windows, well within
    big = ExperimentConfig().with_(hidden_size=256, seq_len=600)
    used = windows_within(big)
    assert 1 <= used < MAX_WINDOWS and used * 3 * 600 * 4 * 256 * 257 <= VIEW_MACS
