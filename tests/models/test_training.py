import numpy as np
import pytest
import torch

from data import SeriesConfig, make_series, prepare
from models import create_model
from models.optim import Adam, clip_by_global_norm
from models.train import TrainConfig, TrainingDiverged, train


@pytest.fixture(scope="module")
def small():
    p = prepare(make_series(SeriesConfig(length=300)), seq_len=20, transform="diff", dtype=np.float64)
    return p.train.X, p.train.y, p.test.X, p.test.y


def test_adam_matches_torch_optim_adam():
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=10)
    mine = p0.copy()
    opt = Adam(mine, lr=0.01)
    tp = torch.tensor(p0, requires_grad=True)
    topt = torch.optim.Adam([tp], lr=0.01)
    for _ in range(5):
        g = rng.normal(size=10)
        opt.update(g.copy())
        tp.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(mine, tp.detach().numpy(), rtol=1e-12)


def test_clip_by_global_norm():
    g = np.array([3.0, 4.0])
    assert clip_by_global_norm(g, 1.0) == 5.0
    np.testing.assert_allclose(np.linalg.norm(g), 1.0, rtol=1e-6)
    g = np.array([0.3, 0.4])
    assert clip_by_global_norm(g, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(g, [0.3, 0.4])


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_numpy_and_torch_training_follow_the_same_path(cell, small):
    """Same init, same batches, the same Adam and clipping: the same losses."""
    config = TrainConfig(epochs=3, learning_rate=0.01, batch_size=16, clip_norm=0.5, seed=1)
    logs = {}
    for backend in ("numpy", "torch"):
        model = create_model(backend, cell, 1, 6, seed=2, dtype="float64")
        logs[backend] = train(model, *small, config)
    for a, b in zip(logs["numpy"], logs["torch"]):
        assert a.train_loss == pytest.approx(b.train_loss, rel=1e-7)
        assert a.test_loss == pytest.approx(b.test_loss, rel=1e-7)
        assert a.grad_norm == pytest.approx(b.grad_norm, rel=1e-7)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_loss_falls_and_hooks_report_every_epoch(backend):
    p = prepare(make_series(SeriesConfig(length=300)), seq_len=20, transform="none")
    seen = []
    model = create_model(backend, "gru", 1, 8, seed=0)
    logs = train(model, p.train.X, p.train.y, p.test.X, p.test.y, TrainConfig(epochs=8, learning_rate=1e-2),
                 on_epoch_end=seen.append)
    assert [e.epoch for e in seen] == list(range(1, 9)) and seen == logs
    assert logs[-1].train_loss < 0.3 * logs[0].train_loss
    assert logs[-1].test_loss < logs[0].test_loss
    assert all(e.grad_norm > 0 and e.seconds > 0 for e in logs)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_same_seed_same_numbers(backend, small):
    def run():
        m = create_model(backend, "lstm", 1, 4, seed=3)
        return [e.train_loss for e in train(m, *small, TrainConfig(epochs=3, seed=9))]

    assert run() == run()


def test_should_stop_ends_training_early(small):
    logs = []
    model = create_model("numpy", "lstm", 1, 4)
    train(model, *small, TrainConfig(epochs=50), on_epoch_end=logs.append, should_stop=lambda: len(logs) >= 2)
    assert len(logs) == 2


def test_divergence_is_reported_clearly(small):
    X, y, Xt, yt = small
    model = create_model("numpy", "gru", 1, 4)
    with pytest.raises(TrainingDiverged, match="training diverged at epoch 1: the loss is nan"):
        train(model, X, y * np.nan, Xt, yt, TrainConfig(epochs=3))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(epochs=0), "epochs must be a whole number from 1 to 10000, got 0"),
        (dict(learning_rate=-1.0), "learning_rate must be a number from 1e-05 to 1, got -1"),
        (dict(batch_size=0), "batch_size must be a whole number from 1 to 1024, got 0"),
        (dict(clip_norm=-2.0), "clip_norm must be a number from 0 to 100, got -2"),
    ],
)
def test_train_config_names_the_bad_field(kwargs, message):
    with pytest.raises(ValueError) as e:
        TrainConfig(**kwargs)
    assert str(e.value) == message


def test_gradient_flow_is_measured_every_few_epochs_and_at_the_end(small):
    from models.train import GRAD_FLOW_BATCH, GRAD_FLOW_EVERY

    model = create_model("numpy", "rnn", 1, 5, seed=1, dtype="float64")
    logs = train(model, *small, TrainConfig(epochs=12, batch_size=16))
    measured = [log.epoch for log in logs if log.grad_flow is not None]
    assert measured == [1, GRAD_FLOW_EVERY, 2 * GRAD_FLOW_EVERY, 12]
    X, y = small[0][:GRAD_FLOW_BATCH], small[1][:GRAD_FLOW_BATCH]
    np.testing.assert_allclose(logs[-1].grad_flow, model.grad_flow(X, y), rtol=1e-12)
