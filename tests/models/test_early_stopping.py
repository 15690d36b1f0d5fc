"""Early stopping: a validation part carved from the end of the train part, a patience, the best weights kept."""

import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from data.windows import carve_validation
from models import create_model
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.knobs import parse_values
from models.run import RunRecord
from models.train import TrainConfig, train


def test_validation_windows_predict_the_last_train_points_and_never_a_test_point():
    p = prepare(make_series(SeriesConfig(length=300)), seq_len=20)
    fit_on, val = carve_validation(p, 0.2)
    assert p.split == 210 and val.target_index.tolist() == list(range(210 - 42, 210))
    assert fit_on.target_index.max() == 167 and fit_on.X.shape[0] + val.X.shape[0] == p.train.X.shape[0]
    assert carve_validation(p, 0.0) == (p.train, None)


def test_training_stops_after_patience_epochs_without_progress_and_keeps_the_best_weights():
    p = prepare(make_series(SeriesConfig(length=300)), seq_len=20, dtype=np.float64)
    fit_on, val = carve_validation(p, 0.2)
    model = create_model("numpy", "lstm", hidden_size=8, dtype="float64")
    config = TrainConfig(epochs=80, learning_rate=0.05, val_fraction=0.2, patience=3)
    logs = train(model, fit_on.X, fit_on.y, p.test.X, p.test.y, config, validation=(val.X, val.y))
    losses = [e.val_loss for e in logs]
    best = int(np.argmin(losses)) + 1
    assert len(logs) < 80 and len(logs) - best == 3  # stopped three epochs after the best one
    assert all(loss >= losses[best - 1] for loss in losses[best:])
    # the model is left with the best epoch's weights: its validation loss is that epoch's
    assert float(np.mean((model.predict(val.X) - val.y) ** 2)) == pytest.approx(losses[best - 1], rel=1e-12)


def test_a_run_with_early_stopping_says_so_and_records_its_validation_curve():
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8,
                              train=TrainConfig(epochs=80, learning_rate=0.05, val_fraction=0.2, patience=3))
    record = run_experiment(config)
    assert record.epochs_done == record.best_epoch + 3 < 80
    assert record.stopped == f"early stop at epoch {record.epochs_done}, best epoch {record.best_epoch}"
    assert len(record.history.val_loss) == record.epochs_done
    again = RunRecord.from_json(record.to_json())
    assert again.best_epoch == record.best_epoch and again.history.val_loss == record.history.val_loss
    # off by default: today's figures stay
    plain = run_experiment(config.with_(train=TrainConfig(epochs=3)))
    assert plain.best_epoch == 0 and plain.history.val_loss == () and plain.stopped == ""


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(val_fraction=0.6), "val_fraction must be a number from 0 to 0.5, got 0.6"),
        (dict(patience=0), "patience must be a whole number from 1 to 1000, got 0"),
    ],
)
def test_train_config_names_the_bad_field(changes, message):
    with pytest.raises(ValueError) as e:
        TrainConfig(**changes)
    assert str(e.value) == message


def test_a_validation_part_that_leaves_no_room_is_refused_with_the_numbers():
    with pytest.raises(ValueError) as e:
        ExperimentConfig(series=SeriesConfig(length=100), seq_len=60, train=TrainConfig(val_fraction=0.2))
    assert str(e.value) == ("val_fraction leaves 0 training window(s) of length 60 in the 56 train points before "
                            "the validation part; it must leave two, got 0.2")
    _, errors = parse_values({"series-length": "100", "seq-len": "20", "val-fraction": "0.001"})
    assert errors == {"val-fraction": "Validation fraction must hold out at least one of the 70 train points "
                                      "(at least 0.0143), or be 0 for no validation part, got 0.001"}
    _, errors = parse_values({"val-fraction": "0.7"})
    assert errors == {"val-fraction": "Validation fraction must be a number from 0 to 0.5, got 0.7"}


def test_the_loss_chart_draws_the_validation_curve_and_stars_the_best_epoch():
    from components.page.figures import make_live_loss_figure, make_loss_figure

    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, hidden_size=8,
                              train=TrainConfig(epochs=80, learning_rate=0.05, val_fraction=0.2, patience=3))
    record = run_experiment(config)
    fig = make_loss_figure([record])
    by_meta = {t.meta: t for t in fig.data}
    assert list(by_meta["val"].y) == list(record.history.val_loss)
    assert list(by_meta["best"].x) == [record.best_epoch]
    assert by_meta["best"].y[0] == min(record.history.val_loss)
    assert by_meta["best"].name == f"best epoch {record.best_epoch}"
    assert [t.meta for t in make_live_loss_figure(80, validation=True).data] == ["train", "test", "grad", "val"]
    assert [t.meta for t in make_loss_figure([record.with_(best_epoch=0, history=record.history.__class__())]).data] \
        == ["train", "test", "grad"]
