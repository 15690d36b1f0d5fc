"""The seq2seq forecaster: NumPy against its PyTorch twin, gradients against finite differences,
scheduled sampling, and its place among the horizon methods."""

import numpy as np
import pytest
import torch

from data import SeriesConfig, make_series, prepare
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.horizon import chained_rollout, direct_windows
from models.knobs import parse_values
from models.registry import create_seq2seq
from models.seq2seq import Sampler, pack, sampling_schedule, seq2seq_shapes
from models.train import TrainConfig, train
from tests.helpers import finite_difference_grads

CELLS = ("lstm", "gru", "rnn")
SHAPES = [(1, 0), (3, 2)]  # D window inputs, C known covariates for the decoder


def _batch(D, C, N=5, L=6, k=4, seed=0):
    rng = np.random.default_rng(seed)
    X = pack(rng.normal(size=(N, L, D)), rng.normal(size=(N, k, C)))
    return X, rng.normal(size=(N, k)), rng.random((N, k)) < 0.5


def _pair(cell, D, C, k=4, H=5):
    a = create_seq2seq("numpy", cell, D, H, k, C, seed=3, dtype="float64")
    b = create_seq2seq("torch", cell, D, H, k, C, seed=3, dtype="float64")
    return a, b


def test_the_twin_is_built_from_pytorchs_layers_with_their_keys_and_shapes():
    for cell, layer, step in [("lstm", torch.nn.LSTM, torch.nn.LSTMCell), ("gru", torch.nn.GRU, torch.nn.GRUCell),
                              ("rnn", torch.nn.RNN, torch.nn.RNNCell)]:
        ref = torch.nn.Module()
        ref.encoder, ref.decoder, ref.head = layer(3, 8, batch_first=True), step(3, 8), torch.nn.Linear(8, 1)
        expected = {n: tuple(v.shape) for n, v in ref.state_dict().items()}
        assert seq2seq_shapes(cell, 3, 8, covariates=2) == expected
        for backend in ("numpy", "torch"):
            got = create_seq2seq(backend, cell, 3, 8, 5, 2).state_dict()
            assert {n: v.shape for n, v in got.items()} == expected and list(got) == list(expected)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("D,C", SHAPES)
def test_numpy_and_torch_agree_on_forecasts_loss_and_gradients(cell, D, C):
    a, b = _pair(cell, D, C)
    X, Y, own = _batch(D, C)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-6, atol=1e-9)
    for mask in (None, own):
        la, ga = a.loss_and_grads(X, Y, mask)
        lb, gb = b.loss_and_grads(X, Y, mask)
        assert la == pytest.approx(lb, rel=1e-6)
        for name in ga:
            np.testing.assert_allclose(ga[name], gb[name], rtol=1e-6, atol=1e-9, err_msg=name)
    np.testing.assert_allclose(a.grad_flow(X, Y), b.grad_flow(X, Y), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("D,C", SHAPES)
def test_backpropagation_through_decoder_and_encoder_matches_finite_differences(cell, D, C):
    model = create_seq2seq("numpy", cell, D, 3, 3, C, seed=1, dtype="float64")
    X, Y, _ = _batch(D, C, N=3, L=4, k=3, seed=2)
    _, grads = model.loss_and_grads(X, Y)  # teacher forced: a fed-back output is a constant only to autograd
    numeric = finite_difference_grads(model, X, Y)
    for name, g in grads.items():
        np.testing.assert_allclose(g, numeric[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_feeding_own_outputs_everywhere_is_what_prediction_does():
    model = create_seq2seq("numpy", "gru", 1, 4, 5, seed=2, dtype="float64")
    X, Y, _ = _batch(1, 0, k=5)
    own = np.ones(Y.shape, dtype=bool)
    loss, _ = model.loss_and_grads(X, Y, own)
    assert loss == pytest.approx(float(np.mean((model.predict(X) - Y) ** 2)), rel=1e-12)
    forced, _ = model.loss_and_grads(X, Y)  # teacher forcing reads the truth: a different loss
    assert abs(forced - loss) > 1e-6


def test_the_sampling_probability_rises_linearly_from_zero_to_the_final_value():
    assert [sampling_schedule(e, 5, 0.5) for e in range(1, 6)] == [0.0, 0.125, 0.25, 0.375, 0.5]
    assert sampling_schedule(1, 1, 0.3) == 0.3
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        sampling_schedule(1, 5, 1.5)


def test_the_sampler_is_seeded_never_samples_the_first_step_and_follows_its_probability():
    a, b = Sampler(7), Sampler(7)
    a.probability = b.probability = 0.5
    first = a.draw(2000, 6)
    np.testing.assert_array_equal(first, b.draw(2000, 6))
    assert not first[:, 0].any()
    assert first[:, 1:].mean() == pytest.approx(0.5, abs=0.02)
    a.probability = 0.0
    assert not a.draw(50, 6).any()


@pytest.mark.parametrize("cell", CELLS)
def test_both_backends_train_to_the_same_losses_with_scheduled_sampling(cell):
    from models.seq2seq import schedule_hook

    prep = prepare(make_series(SeriesConfig(length=200)), seq_len=12, dtype=np.float64)
    fit_on, test = direct_windows(prep, 4)
    config = TrainConfig(epochs=4, batch_size=32, seed=5)
    logs = []
    for backend in ("numpy", "torch"):
        m = create_seq2seq(backend, cell, 1, 6, 4, seed=5, dtype="float64")
        logs.append(train(m, fit_on.X, fit_on.Y, test.X, test.Y, config,
                          before_epoch=schedule_hook(m, config.epochs, 0.6)))
        assert m.sampler.probability == 0.6
    np.testing.assert_allclose([e.train_loss for e in logs[0]], [e.train_loss for e in logs[1]], rtol=1e-6)
    np.testing.assert_allclose([e.test_loss for e in logs[0]], [e.test_loss for e in logs[1]], rtol=1e-6)


def test_scheduled_sampling_changes_training_and_teacher_forcing_reads_the_truth():
    prep = prepare(make_series(SeriesConfig(length=200)), seq_len=12, dtype=np.float64)
    fit_on, test = direct_windows(prep, 4)
    config = TrainConfig(epochs=3, batch_size=32, seed=5)
    losses = {}
    for final in (0.0, 1.0):
        m = create_seq2seq("numpy", "lstm", 1, 6, 4, seed=5, dtype="float64")
        from models.seq2seq import schedule_hook
        losses[final] = [e.train_loss for e in train(m, fit_on.X, fit_on.Y, test.X, test.Y, config,
                                                     before_epoch=schedule_hook(m, 3, final))]
    assert losses[0.0][0] == losses[1.0][0]  # the first epoch is teacher forced either way
    assert losses[0.0][2] != losses[1.0][2]


def test_a_seq2seq_run_measures_its_model_beside_recursive_and_rolls_out_k_at_a_time():
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=6, horizon=5,
                              horizon_method="seq2seq", scheduled_sampling=0.5, rollout_steps=30,
                              train=TrainConfig(epochs=3))
    record = run_experiment(config)
    h = record.horizon
    assert set(h.mse) == {"seq2seq", "recursive", "persistence", "linear_ar"} and len(h.mse["seq2seq"]) == 5
    assert len(h.rollout) == 30
    assert record.to_json()["horizon"]["rollout"] == list(h.rollout)
    from models.run import RunRecord
    assert RunRecord.from_json(record.to_json()).horizon == h


def test_the_chained_rollout_appends_each_block_of_k_forecasts_to_the_window():
    prep = prepare(make_series(SeriesConfig(length=200)), seq_len=10, dtype=np.float64)
    model = create_seq2seq("numpy", "rnn", 1, 4, 3, seed=1, dtype="float64")
    out = chained_rollout(model, prep, 7)
    window = prep.inputs[prep.split - 10 : prep.split]
    first = model.predict(window[None, :, None])[0]
    second = model.predict(np.concatenate([window[3:], first])[None, :, None])[0]
    np.testing.assert_allclose(out, np.concatenate([first, second, model.predict(
        np.concatenate([window[6:], first, second])[None, :, None])[0][:1]]), rtol=1e-12)


def test_recursive_only_trains_no_second_model():
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=4, horizon=4,
                              horizon_method="recursive", train=TrainConfig(epochs=2))
    assert set(run_experiment(config).horizon.mse) == {"recursive", "persistence", "linear_ar"}


@pytest.mark.parametrize("raw,key,words", [
    ({"horizon-method": "seq2seq"}, "horizon-method", "seq2seq needs a horizon k of at least 2"),
    ({"horizon-method": "seq2seq", "horizon": "5", "cell": "gru_cho"}, "horizon-method", "LSTM, GRU or RNN"),
    ({"horizon": "5", "scheduled-sampling": "0.5"}, "scheduled-sampling", "seq2seq decoder only"),
    ({"horizon": "5", "horizon-method": "seq2seq", "scheduled-sampling": "1.5"}, "scheduled-sampling",
     "from 0 to 1"),
])
def test_bad_settings_get_a_message_beside_their_field(raw, key, words):
    config, errors = parse_values(raw)
    assert config is None and words in errors[key]
    assert errors[key].startswith({"horizon-method": "Horizon method", "scheduled-sampling": "Scheduled sampling"}[key])
