"""The data sets' notes say only what a measurement shows (``models.findings``): each run at the data
set's own settings is trained again, and its figures and the verdict made from them must still hold.
About five seconds."""

import pytest

from data.datasets import DATASETS
from models.findings import FINDINGS, Finding, dataset_config, measure, verdict, verdict_of


@pytest.mark.parametrize("name", list(DATASETS))
def test_each_data_sets_note_holds_at_its_own_settings(name):
    assert name in FINDINGS, f"data set {name} has no measured finding for its note"
    table, now = FINDINGS[name], measure(name)
    assert now.model == pytest.approx(table.model, rel=0.02)
    assert set(now.baselines) == set(table.baselines)
    for k, v in table.baselines.items():  # no training: only the table's rounding
        assert now.baselines[k] == pytest.approx(v, rel=5e-4), k
    assert verdict_of(now).split(")")[1] == verdict(name).split(")")[1]  # who beats whom, measured again


def test_the_verdict_names_exactly_the_baselines_that_beat_the_model():
    f = Finding(10.0, {"persistence": 12.0, "seasonal_naive": 12.0, "drift": 9.0, "linear_ar": 8.0})
    text = verdict_of(f)
    assert "Drift and linear AR do better" in text
    assert "seasonal naive" not in text  # a season of one step is persistence again: named once
    assert verdict_of(Finding(1.0, {"persistence": 2.0})).endswith("It beats every baseline.")
    assert "Linear AR and AutoARIMA do better" in verdict("nile")  # measured: the page says so
    assert verdict("sunspots").endswith("It beats every baseline.")
    assert "(an ensemble of 5 seeds) scores test MSE 295" in verdict("sunspots")


def test_the_findings_use_the_settings_the_page_fills_in():
    config = dataset_config("sunspots")
    assert (config.seq_len, config.hidden_size, config.train.epochs, config.power, config.ensemble) == (
        11, 32, 10, "sqrt", 5)
    assert config.model_name == "NumPy LSTM"
