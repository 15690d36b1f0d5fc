"""Dropout on the last hidden state, before the head: NumPy draws its own mask and applies it in the
backward pass; PyTorch uses ``nn.Dropout``. Given one mask, both compute the same numbers."""

import numpy as np
import pytest
import torch

from data import SeriesConfig
from models import create_model
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.knobs import parse_values
from models.train import TrainConfig
from tests.helpers import finite_difference_grads


def _batch(N=5, T=6, D=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_given_one_mask_both_backends_agree(cell):
    X, y = _batch()
    a = create_model("numpy", cell, 1, 4, seed=2, dtype="float64", dropout=0.5)
    b = create_model("torch", cell, 1, 4, seed=2, dtype="float64", dropout=0.5)
    mask = a.dropout_mask(5)
    loss_a, ga = a.loss_and_grads(X, y, mask=mask)
    loss_b, gb = b.loss_and_grads(X, y, mask=mask)
    assert loss_a == pytest.approx(loss_b, rel=1e-12)
    for k in ga:
        np.testing.assert_allclose(ga[k], gb[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_numpy_matches_nn_dropout_on_the_mask_nn_dropout_drew(cell):
    X, y = _batch(N=8, seed=1)
    b = create_model("torch", cell, 1, 6, seed=4, dtype="float64", dropout=0.4)
    seen = {}
    b.net.drop.register_forward_hook(lambda m, inp, out: seen.update(inp=inp[0].detach(), out=out.detach()))
    b.net.train()
    b.net.zero_grad()
    loss = torch.nn.functional.mse_loss(b.net(torch.as_tensor(X)), torch.as_tensor(y))
    loss.backward()
    b.net.eval()
    mask = (seen["out"] / seen["inp"]).numpy()  # what nn.Dropout multiplied by: 0 or 1 / (1 - p)
    assert set(np.round(np.unique(mask), 12)) == {0.0, round(1 / 0.6, 12)}
    a = create_model("numpy", cell, 1, 6, seed=4, dtype="float64", dropout=0.4)
    loss_a, ga = a.loss_and_grads(X, y, mask=mask)
    assert loss_a == pytest.approx(loss.item(), rel=1e-12)
    for k, p in b.net.named_parameters():
        np.testing.assert_allclose(ga[k], p.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


def test_dropout_gradients_match_finite_differences():
    X, y = _batch(N=3, T=4, seed=3)
    model = create_model("numpy", "lstm", 1, 3, seed=1, dtype="float64", dropout=0.5)
    mask = np.array([[2.0, 0.0, 2.0], [0.0, 0.0, 2.0], [2.0, 2.0, 0.0]])
    _, grads = model.loss_and_grads(X, y, mask=mask)
    names = ("head.weight", "rnn.weight_hh_l0", "rnn.bias_ih_l0")
    for name, num in finite_difference_grads(model, X, y, names, mask=mask).items():
        np.testing.assert_allclose(grads[name], num, rtol=1e-6, atol=1e-9, err_msg=name)
    assert np.all(grads["head.weight"][0, mask.sum(axis=0) == 0] == 0)  # a unit dropped everywhere learns nothing


def test_numpy_masks_drop_the_asked_share_and_keep_the_mean():
    model = create_model("numpy", "gru", 1, 50, seed=0, dtype="float64", dropout=0.3)
    mask = model.dropout_mask(400)
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    assert np.mean(mask == 0) == pytest.approx(0.3, abs=0.01) and mask.mean() == pytest.approx(1.0, abs=0.02)
    assert not np.array_equal(mask, model.dropout_mask(400))  # a fresh draw every batch


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_prediction_never_drops(backend):
    X, _ = _batch()
    with_drop = create_model(backend, "lstm", 1, 4, seed=2, dtype="float64", dropout=0.9)
    without = create_model(backend, "lstm", 1, 4, seed=2, dtype="float64")
    np.testing.assert_array_equal(with_drop.predict(X), without.predict(X))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_run_with_dropout_repeats_and_differs_from_one_without(backend):
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8, dropout=0.3,
                              backend=backend, train=TrainConfig(epochs=3))
    first, again = run_experiment(config), run_experiment(config)
    plain = run_experiment(config.with_(dropout=0.0))
    assert first.history.train_loss == again.history.train_loss
    assert first.history.train_loss != plain.history.train_loss


def test_bad_dropout_is_refused_with_the_range():
    with pytest.raises(ValueError, match=r"dropout must be a number from 0 to 0.9, got 1"):
        create_model("numpy", "lstm", dropout=1.0)
    _, errors = parse_values({"dropout": "0.95"})
    assert errors == {"dropout": "Dropout must be a number from 0 to 0.9, got 0.95"}


def test_monte_carlo_dropout_rollouts_spread_around_the_plain_one_and_repeat():
    from models.rollout import rollout_mc_dropout, rollout_slow

    model = create_model("numpy", "lstm", 1, 8, seed=3, dtype="float64", dropout=0.3)
    window = np.sin(np.arange(20) / 3.0)
    paths = rollout_mc_dropout(model, window, 15, passes=30, seed=1)
    assert paths.shape == (30, 15) and paths.std(axis=0).min() > 0
    np.testing.assert_array_equal(paths, rollout_mc_dropout(model, window, 15, passes=30, seed=1))
    plain = rollout_slow(model, window, 15)  # no dropout: the passes scatter around it
    assert np.abs(np.median(paths, axis=0) - plain).mean() < np.abs(paths - plain).mean()
    off = create_model("numpy", "lstm", 1, 8, seed=3, dtype="float64", dropout=1e-12)
    np.testing.assert_allclose(rollout_mc_dropout(off, window, 15, passes=3)[2], plain, rtol=1e-9)


def test_a_dropout_run_draws_its_band_in_original_units():
    from components.page.figures import make_rollout_figure
    from models.run import restore

    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8, dropout=0.3,
                              train=TrainConfig(epochs=3))
    record = run_experiment(config)
    model = restore(record)
    low, high = model.rollout_band(40)
    pred = model.rollout(40)
    assert np.all(low <= high) and np.mean((low <= pred) & (pred <= high)) > 0.5
    fig = make_rollout_figure(record.series, record.split, [("run", pred.tolist())], bands={0: (low, high)})
    assert [t.meta for t in fig.data][1:3] == ["band-high", "band"] and fig.data[2].fill == "tonexty"
