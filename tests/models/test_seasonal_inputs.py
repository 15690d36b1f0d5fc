"""The two seasonal input transforms: seasonal differences ("sdiff") and the exponential-smoothing hybrid
("es"). Forecasts, rollouts and intervals map back to the series' units on both backends, checked here
against a step-by-step reconstruction written out in the test."""

import numpy as np
import pytest

from data.smoothing import fit_smoothing
from data.synthetic import SeriesConfig, make_series
from data.windows import prepare
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.rollout import rollout
from models.run import restore
from models.train import TrainConfig

SEASON = 50  # the synthetic series' longest period


def _reference_es(sm, z_known: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """Holt-Winters with a damped trend, written out once more: the states after the known values, then each
    step's value is its forecast plus ``errors[j]`` and the states move on with it."""
    m = sm.season
    level, trend = sm.level0, sm.trend0
    seasonal = list(sm.seasonal0) if m > 1 else [0.0]
    for value in z_known:
        s = seasonal[-m] if m > 1 else 0.0
        forecast = level + sm.phi * trend + s
        e = value - forecast
        level, trend = level + sm.phi * trend + sm.alpha * e, sm.phi * trend + sm.beta * e
        seasonal.append(s + sm.gamma * e if m > 1 else 0.0)
    out = []
    for e in errors:
        s = seasonal[-m] if m > 1 else 0.0
        forecast = level + sm.phi * trend + s
        out.append(forecast + e)
        level, trend = level + sm.phi * trend + sm.alpha * e, sm.phi * trend + sm.beta * e
        seasonal.append(s + sm.gamma * e if m > 1 else 0.0)
    return np.array(out)


@pytest.mark.parametrize("transform", ["sdiff", "es"])
def test_true_inputs_map_back_to_the_series_exactly(transform):
    """An oracle: fed the true transformed values, every map back gives the series itself."""
    x = make_series(SeriesConfig(length=400)) + 5.0
    p = prepare(x, 60, 0.7, transform, dtype=np.float64, season=SEASON, power="log")
    t = p.test.target_index
    assert p.to_original(p.test.y, p.test.ref) == pytest.approx(x[t], rel=1e-12)
    k = 30
    paths = np.stack([p.inputs[t[:-k] + j] for j in range(k)], axis=1)
    truth = np.stack([x[t[:-k] + j] for j in range(k)], axis=1)
    assert p.paths_to_original(paths, t[:-k]) == pytest.approx(truth, rel=1e-12)
    assert p.rollout_to_original(p.inputs[p.split:p.split + 80]) == pytest.approx(x[p.split:p.split + 80], rel=1e-12)
    rows, ref = p.window_of(x, int(t[3]))  # the what-if view's window, from the series as edited (unedited here)
    assert rows[:, 0] == pytest.approx(p.test.X[3, :, 0]) and ref == pytest.approx(p.test.ref[3, 0])


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("transform", ["sdiff", "es"])
def test_forecasts_rollouts_and_intervals_come_back_in_the_series_units(backend, transform):
    config = ExperimentConfig(series=SeriesConfig(length=300), seq_len=24, hidden_size=4, transform=transform,
                              backend=backend, dtype="float64", rollout_steps=60, interval=0.8,
                              train=TrainConfig(epochs=2, val_fraction=0.2))
    record = run_experiment(config)
    model = restore(record)
    p = model.prep_
    x = np.asarray(record.series)
    z = p.scaler.transform(x)
    m = p.season
    # one step: each test target from its own raw output, measured from a season back or the smoothing forecast
    raw = model.model_.predict(p.test.X)[:, 0]
    t = p.test.target_index
    base = z[t - m] if transform == "sdiff" else p.smoothing.forecasts(z)[t]
    assert np.asarray(record.forecast.pred) == pytest.approx(p.scaler.inverse(base + p.target_scale * raw), rel=1e-6)
    # the rollout: the raw recursive outputs, put together step by step
    steps = len(record.rollout.pred)
    out = rollout(model.model_, p.rows(p.split - p.seq_len, p.split), steps) * p.target_scale
    if transform == "sdiff":
        values = list(z[: p.split])
        for j in range(steps):
            values.append(values[p.split + j - m] + out[j])
        want = np.array(values[p.split:])
    else:
        want = _reference_es(p.smoothing, z[: p.split], out)
    assert np.asarray(record.rollout.pred) == pytest.approx(p.scaler.inverse(want), rel=1e-6)
    # the intervals: a band of the conformal width around each forecast, in the series' units
    iv = record.intervals
    q = iv.width
    assert np.asarray(iv.forecast_high) - np.asarray(record.forecast.pred) == pytest.approx(np.full(len(t), q), rel=1e-6)
    assert np.asarray(record.forecast.pred) - np.asarray(iv.forecast_low) == pytest.approx(np.full(len(t), q), rel=1e-6)
    assert len(iv.rollout_low) >= 1 and np.all(np.asarray(iv.rollout_low) <= np.asarray(record.rollout.pred)[:len(iv.rollout_low)])


def test_a_network_that_learns_nothing_forecasts_as_the_smoothing_model_does():
    x = make_series(SeriesConfig(length=400))
    p = prepare(x, 24, 0.7, "es", dtype=np.float64, season=SEASON)
    zero = np.zeros((p.test.X.shape[0], 1))
    z = p.scaler.transform(x)
    sm = fit_smoothing(z, p.split, SEASON)
    assert p.to_original(zero, p.test.ref) == pytest.approx(p.scaler.inverse(sm.forecasts(z)[p.test.target_index]))
    # and its rollout is the smoothing model's own forecast from the split
    assert p.rollout_to_original(np.zeros(40)) == pytest.approx(
        p.scaler.inverse(_reference_es(sm, z[: p.split], np.zeros(40))))


def test_seasonal_differences_need_a_season():
    x = make_series(SeriesConfig(length=400))
    with pytest.raises(ValueError, match="transform 'sdiff' .* needs a season"):
        prepare(x, 24, 0.7, "sdiff", season=None)
    with pytest.raises(ValueError, match="needs two seasons of 200"):
        prepare(x, 24, 0.7, "sdiff", season=200)
