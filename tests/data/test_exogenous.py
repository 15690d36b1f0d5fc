"""Exogenous inputs: calendar features, holidays, a CSV file's covariates, and windows with D > 1."""

import json

import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from data.exogenous import Covariate, calendar, calendar_problem
from data.synthetic import holiday_days
from data.upload import UploadError, read_csv
from models import create_model
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.forecaster import Forecaster
from models.horizon import direct_windows, recursive_paths
from models.knobs import BY_KEY, parse_values
from models.rollout import rollout, rollout_slow
from models.run import RunRecord, restore
from models.train import TrainConfig
from tests.helpers import finite_difference_grads


def test_the_calendar_follows_the_spacing_of_the_dates_and_runs_past_their_end():
    monthly = calendar(["2021-01-01", "2021-02-01", "2021-03-01"], extra=2)
    assert [c.name for c in monthly] == ["month (sin)", "month (cos)"] and all(c.known for c in monthly)
    np.testing.assert_allclose(monthly[0].values, np.sin(2 * np.pi * np.arange(5) / 12), atol=1e-12)  # Jan .. May
    weekly = calendar(["2021-01-01", "2021-01-08"], extra=1)
    np.testing.assert_allclose(weekly[1].values, np.cos(2 * np.pi * np.array([0, 7, 14]) / 365.25), atol=1e-12)
    hourly = calendar(["2021-01-01 00:00", "2021-01-01 06:00"], extra=1)
    np.testing.assert_allclose(hourly[0].values, [0, 1, 0], atol=1e-12)  # 0 h, 6 h, 12 h


@pytest.mark.parametrize("times, words", [
    (None, "has no dates"),
    (["1871", "1872", "1873"], "one point a year"),
    (["2020-01-01", "soon"], "'soon', which is not a date"),
    (["2020-01-02", "2020-01-01"], "the dates must increase"),
])
def test_calendar_features_say_why_they_cannot_be_used(times, words):
    assert words in calendar_problem(times)
    with pytest.raises(ValueError, match="calendar features cannot be used"):
        calendar(times, 1)


def test_holidays_are_seeded_spaced_and_known_ahead():
    days = holiday_days(42, 500)
    gaps = np.diff(np.flatnonzero(days))
    assert days.sum() >= 10 and gaps.min() >= 15 and gaps.max() < 45
    np.testing.assert_array_equal(holiday_days(42, 800)[:500], days)  # a longer stretch starts the same
    assert not np.array_equal(holiday_days(43, 500), days)
    plain, spiked = make_series(SeriesConfig()), make_series(SeriesConfig(holidays=2.5))
    np.testing.assert_allclose(spiked - plain, 2.5 * holiday_days(42, 900), atol=1e-12)


def test_a_window_row_reads_a_known_covariate_one_step_ahead_and_an_unknown_one_beside_the_series():
    n = 120
    series = make_series(SeriesConfig(length=n))
    known = Covariate("k", tuple(np.arange(n + 10, dtype=float) ** 1.5), True)
    unknown = Covariate("u", tuple(np.cos(np.arange(n) / 3.0)), False)
    p = prepare(series, seq_len=5, covariates=(known, unknown), dtype=np.float64)
    assert p.train.X.shape[2] == 3 and p.width == 3 and p.known == (True, False)
    z = {c.name: (np.asarray(c.values) - np.mean(c.values[: p.split])) / np.std(c.values[: p.split])
         for c in (known, unknown)}  # standardized on the train part
    t = p.train.target_index[7]  # this window reads rows t - 5 .. t - 1
    rows = np.arange(t - 5, t)
    np.testing.assert_allclose(p.train.X[7, :, 0], p.inputs[rows])
    np.testing.assert_allclose(p.train.X[7, :, 1], z["k"][rows + 1])  # the last row sees the target's own step
    np.testing.assert_allclose(p.train.X[7, :, 2], z["u"][rows])
    assert p.rollout_limit == n - p.split  # the unknown covariate ends with the data


@pytest.mark.parametrize("cov, words", [
    (Covariate("gappy", tuple([1.0, np.nan] + [2.0] * 98), False), "'gappy' has 1 missing value(s)"),
    (Covariate("flat", tuple([3.0] * 100), False), "'flat' is constant on the train part"),
    (Covariate("short", (1.0, 2.0), False), "'short' has 2 values for a series of 100"),
])
def test_a_bad_covariate_says_what_is_wrong(cov, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        prepare(make_series(SeriesConfig(length=100)), seq_len=5, covariates=(cov,))


@pytest.fixture(scope="module")
def wide():
    n = 160
    covs = (Covariate("k", tuple(np.sin(np.arange(n + 40) / 4.0)), True),
            Covariate("u", tuple(np.random.default_rng(1).normal(size=n)), False))
    return prepare(make_series(SeriesConfig(length=n)), seq_len=8, covariates=covs, dtype=np.float64)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn", "gru_cho"])
def test_the_fast_rollout_with_covariates_is_the_exact_one(wide, cell):
    model = create_model("numpy", cell, 3, 5, seed=2, dtype="float64")
    window = wide.rows(wide.split - 8, wide.split)
    future = wide.future_features(12)
    np.testing.assert_allclose(rollout(model, window, 12, future), rollout_slow(model, window, 12, future),
                               rtol=1e-10, atol=1e-12)
    torch_model = create_model("torch", cell if cell != "gru_cho" else "gru", 3, 5, seed=2, dtype="float64")
    if cell != "gru_cho":
        np.testing.assert_allclose(rollout(torch_model, window, 12, future), rollout(model, window, 12, future),
                                   rtol=1e-9)


def test_the_recursive_path_appends_each_steps_covariates(wide):
    model = create_model("numpy", "gru", 3, 4, seed=1, dtype="float64")
    _, test = direct_windows(wide, 6)
    paths = recursive_paths(model, test.X[:2], 6, test.appended()[:2])
    for i in range(2):
        np.testing.assert_allclose(paths[i], rollout_slow(model, test.X[i], 6, test.appended()[i]), rtol=1e-12)
    t = test.t[0]
    np.testing.assert_allclose(test.appended()[0, 0], wide.features[t])  # the row at t, the first forecast's


def test_a_rollout_stops_where_an_unknown_covariate_ends(wide):
    f = Forecaster(ExperimentConfig(hidden_size=4, dtype="float64", train=TrainConfig(epochs=1))).fit(wide)
    assert f.rollout(500).shape == (wide.inputs.shape[0] - wide.split,)


def test_gradients_with_several_inputs_match_finite_differences(wide):
    model = create_model("numpy", "lstm", 3, 3, seed=0, dtype="float64")
    X, y = wide.train.X[:4, :5], wide.train.y[:4]
    _, grads = model.loss_and_grads(X, y)
    numeric = finite_difference_grads(model, X, y, names=["rnn.weight_ih_l0"])
    np.testing.assert_allclose(grads["rnn.weight_ih_l0"], numeric["rnn.weight_ih_l0"], rtol=1e-5, atol=1e-8)


def test_seeing_the_holidays_lowers_the_error_on_a_series_with_holiday_spikes():
    base = ExperimentConfig(series=SeriesConfig(holidays=2.0), rollout_steps=50, train=TrainConfig(epochs=30))
    blind = run_experiment(base)
    seeing = run_experiment(base.with_(covariates=("holidays",)))
    assert seeing.metrics.mse < 0.6 * blind.metrics.mse
    assert len(seeing.rollout.pred) == 50  # holidays are known ahead: the rollout goes on
    again = RunRecord.from_json(json.loads(json.dumps(seeing.to_json())))
    assert again.covariates == seeing.covariates and again.config.inputs == 2
    np.testing.assert_allclose(restore(again).rollout(50), seeing.rollout.pred, rtol=1e-5, atol=1e-6)
    assert restore(again).rollout(500).shape == (500,)  # the page's longest rollout: the holidays reach that far
    assert restore(again).gate_activations(0)["h"].shape == (60, 32)


def test_calendar_features_reach_the_model_on_a_dated_data_set():
    config = ExperimentConfig(dataset="co2", seq_len=10, hidden_size=4, calendar=True, rollout_steps=20,
                              train=TrainConfig(epochs=1))
    record = run_experiment(config)
    assert [c.name for c in record.covariates] == ["day of year (sin)", "day of year (cos)"]
    assert record.weights["rnn.weight_ih_l0"].shape == (16, 3) and len(record.rollout.pred) == 20


def test_a_csv_files_covariates_are_complete_and_follow_the_rows_kept():
    t = read_csv(b"date,x,temp\n2020-01-01,1,5\n2020-01-02,,6\n2020-01-03,3,\n2020-01-04,4,8\n", "f.csv")
    with pytest.raises(UploadError, match=r"covariate column 'temp' has 1 empty or non-numeric cell\(s\), the "
                                          r"first in row 3; a covariate must be complete"):
        t.uploaded("x", "interpolate", "date", ("temp",))
    t2 = read_csv(b"date,x,temp\n2020-01-01,1,5\n2020-01-02,,6\n2020-01-03,3,7\n", "f.csv")
    data = t2.uploaded("x", "drop", "date", ("temp",))
    assert data.series.tolist() == [1, 3] and data.columns["temp"].tolist() == [5, 7]
    assert data.times == ["2020-01-01", "2020-01-03"]


def test_the_form_reads_a_switch_and_a_list_of_names():
    config, errors = parse_values({"dataset": "co2", "seq-len": "52", "calendar-features": True})
    assert errors == {} and config.calendar and config.inputs == 3
    assert BY_KEY["calendar-features"].parse("on", "")[0] is True
    assert BY_KEY["covariates"].parse(["holidays"], "")[0] == ("holidays",)
    assert BY_KEY["covariates"].parse("a, b,", "")[0] == ("a", "b")
    _, errors = parse_values({"calendar-features": "maybe"})
    assert errors["calendar-features"] == "Calendar features must be on or off, got 'maybe'"
    _, errors = parse_values({"dataset": "upload", "covariates": "temp"}, length=300, columns=("x", "temp"),
                             value_column="temp")
    assert "must be numeric columns of the file other than the value column (x), got temp" in errors["covariates"]
