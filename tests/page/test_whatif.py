"""The what-if window (issue 21): an edited test window as the network reads it, and edits the server
takes from the page only when they are the run's own, well formed and in range."""

import numpy as np
import pytest

from components.page.views.whatif import edited_window, forecast, parse_edits, value_bound
from data import SeriesConfig, make_series, prepare
from models.config import ExperimentConfig, TrainConfig
from models.experiment import run_experiment
from models.run import restore


@pytest.mark.parametrize("transform", ["none", "diff", "detrend"])
def test_an_unedited_window_is_the_test_window_and_an_edit_moves_only_its_own_inputs(transform):
    prep = prepare(make_series(SeriesConfig(length=300)), seq_len=20, transform=transform, dtype=np.float64)
    k = 5
    target = int(prep.test.target_index[k])
    rows, ref = prep.window_of(prep.series, target)
    np.testing.assert_allclose(rows, prep.test.X[k], atol=1e-12)
    assert ref == pytest.approx(prep.test.ref[k, 0], abs=1e-12)
    values = np.array(prep.series)
    values[target - 20 + 7] += 1.0  # step 7 of the window, one unit up in original units
    rows2, ref2 = prep.window_of(values, target)
    changed = np.flatnonzero(np.abs(rows2[:, 0] - rows[:, 0]) > 1e-12).tolist()
    assert changed == ([7, 8] if transform == "diff" else [7])  # a difference reads two values
    step = 1.0 / prep.scaler.std / prep.target_scale
    assert rows2[7, 0] - rows[7, 0] == pytest.approx(step)
    assert ref2 == pytest.approx(ref)  # the reference (last value or the line) is not step 7


@pytest.fixture(scope="module")
def run():
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=20, train=TrainConfig(epochs=2))
    return run_experiment(config)


def test_edits_of_another_run_or_window_and_malformed_ones_are_ignored(run):
    good = {"run": run.id, "window": 3, "points": {"4": 1.5, "19": -0.25}}
    assert parse_edits(good, run, 3) == {4: 1.5, 19: -0.25}
    assert parse_edits(good, run, 4) == {}
    assert parse_edits({**good, "run": "other"}, run, 3) == {}
    assert parse_edits("nonsense", run, 3) == {} and parse_edits(None, run, 3) == {}
    bound = value_bound(run.series)
    odd = {"20": 1.0, "-1": 1.0, "x": 1.0, "5": "1.0", "6": True, "7": float("nan"), "8": bound.high * 2, "9": 0.5}
    assert parse_edits({**good, "points": odd}, run, 3) == {9: 0.5}
    many = {str(i): 0.0 for i in range(21)}
    assert parse_edits({**good, "points": many}, run, 3) == {}  # more points than the window has


def test_the_edited_forecast_is_the_models_forecast_of_the_edited_rows(run):
    model = restore(run)
    prep = model.prep_
    k = 2
    assert edited_window(run, prep, k, None) is None
    pred = forecast(model, prep.test.X[k], float(prep.test.ref[k, 0]))
    assert pred == pytest.approx(run.forecast.pred[k], rel=1e-5)
    edits = {"run": run.id, "window": k, "points": {"19": float(prep.series[int(prep.test.target_index[k]) - 1]) + 2}}
    rows, ref = edited_window(run, prep, k, edits)
    np.testing.assert_allclose(rows[:19], prep.test.X[k][:19], atol=1e-6)
    assert rows[19, 0] > prep.test.X[k][19, 0]
    by_hand = prep.to_original(model.model_.predict(rows[None]), np.array([[ref]]))[0]
    assert forecast(model, rows, ref) == pytest.approx(by_hand)
    assert forecast(model, rows, ref) != pytest.approx(pred)
