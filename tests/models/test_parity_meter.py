"""The live parity meter (issue 21): Train all's NumPy and PyTorch runs of a cell compared epoch by epoch."""

import numpy as np
import pytest

from components.page.views import parity
from models import parity_meter
from models.parity_meter import ParityMeter
from components.server.job import make_request, run_request
from models.config import TrainConfig
from models.train import EpochLog
from tests.conftest import TINY



def log(epoch: int, loss: float) -> EpochLog:
    return EpochLog(epoch, loss, loss, 1.0, 0.01)


def test_the_meter_compares_the_same_epoch_of_the_same_cell():
    configs = [TINY.with_(backend=b, cell=c) for b in ("numpy", "torch") for c in ("lstm", "gru")]
    meter = ParityMeter(configs)
    assert set(meter.cells) == {"lstm", "gru"}
    weights = {"a": np.zeros(3), "b": np.ones((2, 2))}
    meter.begin(configs[0])  # NumPy LSTM
    for e in (1, 2, 3):
        meter.epoch(log(e, 1.0 / e), lambda: weights)
    meter.begin(configs[2])  # PyTorch LSTM: epoch 2 is off by 1e-7 in a weight and 2e-8 in the loss
    meter.epoch(log(1, 1.0), lambda: weights)
    meter.epoch(log(2, 0.5 + 2e-8), lambda: {"a": np.array([0, 1e-7, 0]), "b": np.ones((2, 2))})
    row = {r["cell"]: r for r in meter.rows()}["lstm"]
    assert row["compared"] == 2 and row["epoch"] == 2 and row["epochs"] == 3
    assert row["loss"] == pytest.approx(2e-8) and row["weights"] == pytest.approx(1e-7)
    assert row["max_weights"] == pytest.approx(1e-7) and row["forecasts"] is None
    assert {r["cell"]: r for r in meter.rows()}["gru"]["compared"] == 0


def test_past_its_budget_the_meter_keeps_every_kth_epoch(monkeypatch):
    monkeypatch.setattr(parity_meter, "BUDGET_BYTES", 8 * 100 * 10)  # room for 10 epochs of 100 weights
    config = TINY.with_(train=TrainConfig(epochs=40))
    meter = ParityMeter([config, config.with_(backend="torch")])
    meter.begin(config)
    for e in range(1, 41):
        meter.epoch(log(e, 1.0), lambda: {"w": np.zeros(100)})
    assert meter.cells["lstm"].every == 4 and sorted(meter.cells["lstm"].numpy)[:3] == [1, 4, 8]
    assert 40 in meter.cells["lstm"].numpy and len(meter.cells["lstm"].numpy) <= 12


def test_train_all_reports_the_meter_and_the_forecasts_differences():
    configs = [TINY, TINY.with_(backend="torch")]
    progress = []
    outcome = run_request(progress.append, make_request("pm", "s", configs))
    assert outcome.status == "done"
    rows = [p[5] for p in progress if len(p) > 5]
    assert rows, "no progress carried the meter"
    last = rows[-1][0]
    assert last["cell"] == "lstm" and last["compared"] == 3  # every epoch of the PyTorch run
    assert last["max_loss"] < 1e-5 and last["max_weights"] < 1e-5  # float32, same start, same batches
    a, b = outcome.runs
    assert last["forecasts"] == pytest.approx(np.max(np.abs(np.array(a.forecast.pred) - b.forecast.pred)))
    assert last["forecasts"] < 1e-4
    table = parity.view(rows[-1])
    assert "3 of 3" in str(table) and parity.view(None) == []
