"""Weight snapshots for the replay: how many a run keeps, and the run as it stood at one of them."""

import numpy as np

from data import SeriesConfig
from models.config import ExperimentConfig
from models.experiment import MAX_SNAPSHOTS, run_experiment, snapshot_every
from models.run import RunRecord, restore
from models.train import TrainConfig

CONFIG = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5, train=TrainConfig(epochs=12))


def test_snapshots_are_bounded_in_number_and_in_bytes():
    assert snapshot_every(CONFIG) == 1
    assert snapshot_every(CONFIG.with_(train=TrainConfig(epochs=500))) == 10  # at most 50 a run
    big = CONFIG.with_(hidden_size=256, train=TrainConfig(epochs=100))  # 265,473 float32 weights: 1.06 MB each
    assert snapshot_every(big) == 34  # three fit in 4 MB: epochs 1, 34, 68 (and the end)
    assert MAX_SNAPSHOTS == 50


def test_a_run_at_an_earlier_epoch_has_those_weights_and_their_forecasts():
    record = run_experiment(CONFIG)
    assert [e for e, _ in record.snapshots] == list(range(1, 13))
    early = record.at_epoch(2)
    np.testing.assert_array_equal(early.weights["rnn.weight_hh_l0"], dict(record.snapshots)[2]["rnn.weight_hh_l0"])
    assert early.metrics == record.metrics  # the scores stay the run's own
    np.testing.assert_allclose(early.forecast.pred, restore(early).predict_test(), rtol=1e-12)
    assert not np.allclose(early.forecast.pred, record.forecast.pred, rtol=1e-3)
    assert record.at_epoch(12) is record and record.at_epoch(99) is record
    again = RunRecord.from_json(record.to_json())
    assert [e for e, _ in again.snapshots] == list(range(1, 13))
    np.testing.assert_array_equal(again.snapshots[3][1]["head.weight"], record.snapshots[3][1]["head.weight"])
