import numpy as np
import pytest

from data import SeriesConfig, make_series, prepare
from models.baselines import linear_ar, persistence
from models.metrics import Scores


def test_reference_baselines_on_the_default_series():
    p = prepare(make_series(SeriesConfig()), seq_len=60)
    truth = p.series[p.test.target_index]
    assert Scores.of(truth, persistence(p)).mse == pytest.approx(0.094, abs=0.001)
    assert Scores.of(truth, linear_ar(p)).mse == pytest.approx(0.0422, abs=0.001)


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
    m = Scores.of([0, 0, 0, 0], [1, -1, 3, -3])
    assert (m.mse, m.mae) == (5.0, 2.0) and m.rmse == pytest.approx(5**0.5)
