import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from models.baselines import drift, linear_ar, persistence, seasonal_naive
from models.metrics import Scores, naive_scale


def test_reference_baselines_on_the_default_series():
    p = prepare(make_series(SeriesConfig()), seq_len=60)
    truth = p.series[p.test.target_index]
    scale = naive_scale(p.series, p.split)
    assert Scores.of(truth, persistence(p), scale).mse == pytest.approx(0.094, abs=0.001)
    assert Scores.of(truth, linear_ar(p), scale).mse == pytest.approx(0.0422, abs=0.001)
    # 50 steps back: the 50-step sine repeats, but two noise draws (2 x 0.18^2 = 0.065), 50 steps of trend
    # (0.125^2 = 0.016) and the 17-step sine's phase slip (about 0.02) add up to about persistence's error
    seasonal = Scores.of(truth, seasonal_naive(p, 50), scale)
    assert seasonal.mse == pytest.approx(0.0999, abs=0.001)
    assert seasonal.mase == pytest.approx(seasonal.mae / scale)
    assert Scores.of(truth, drift(p), scale).mse == pytest.approx(0.094, abs=0.002)


def test_linear_ar_recovers_an_exact_autoregression():
    x = np.empty(300)
    x[:2] = [1.0, 0.5]
    for t in range(2, 300):
        x[t] = 1.6 * x[t - 1] - 0.9 * x[t - 2] + 0.1
    p = prepare(x, seq_len=4)
    np.testing.assert_allclose(linear_ar(p), x[p.test.target_index], atol=1e-8)


def test_persistence_is_the_last_value():
    x = np.arange(50.0) ** 1.5
    p = prepare(x, seq_len=5)
    np.testing.assert_array_equal(persistence(p), x[p.test.target_index - 1])


def test_metrics():
    m = Scores.of([0, 0, 0, 0], [1, -1, 3, -3], scale=4.0)
    assert (m.mse, m.mae, m.mase) == (5.0, 2.0, 0.5) and m.rmse == pytest.approx(5**0.5)


def test_seasonal_naive_looks_one_season_back_and_falls_back_to_the_last_value():
    x = np.sin(np.arange(80) * 2 * np.pi / 10) + np.arange(80) * 0.01
    p = prepare(x, seq_len=5)
    t = p.test.target_index
    np.testing.assert_array_equal(seasonal_naive(p, 10), x[t - 10])
    np.testing.assert_array_equal(seasonal_naive(p, 1000), x[t - 1])  # longer than the data: the last value


def test_drift_carries_the_train_parts_mean_step():
    x = 3.0 + 0.5 * np.arange(40.0) + np.tile([0.0, 1.0], 20)
    p = prepare(x, seq_len=3)
    step = (x[p.split - 1] - x[0]) / (p.split - 1)
    np.testing.assert_allclose(drift(p), x[p.test.target_index - 1] + step)


def test_mase_divides_by_the_in_sample_naive_mae():
    series = np.array([0.0, 2.0, 1.0, 3.0, 5.0, 4.0])
    scale = naive_scale(series, split=4)  # |2| + |-1| + |2|, over 3
    assert scale == pytest.approx(5 / 3)
    m = Scores.of([0, 0], [1, -3], scale)
    assert m.mae == 2.0 and m.mase == pytest.approx(2.0 / (5 / 3))
    with pytest.raises(ValueError, match="the train part never changes"):
        naive_scale(np.ones(10), split=5)