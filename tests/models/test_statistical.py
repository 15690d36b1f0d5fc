"""The statistical baselines (``models.statistical``) against statsforecast's own output, and the AR's order."""

import numpy as np
import pytest

from data.windows import prepare
from models.baselines import ar_fit, ar_most, linear_ar
from models.statistical import FIT_POINTS, LONGEST_SEASON, fit_one, fit_statistical, season_length


def _monthly(n: int = 96, seed: int = 0) -> np.ndarray:
    """A small seasonal series with a trend: 8 years of months."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 100 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, n)


@pytest.mark.parametrize("name", ["auto_ets", "auto_arima", "auto_theta"])
def test_the_baselines_are_statsforecasts_own_numbers(name):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    x = _monthly()
    split = 67
    fit = fit_one(name, x, split, 12, 10)
    model = {"auto_ets": AutoETS, "auto_arima": AutoARIMA, "auto_theta": AutoTheta}[name](season_length=12)
    model.fit(x[:split])
    # statsforecast's forecast of each test point from the values before it, one call a point: ETS and ARIMA
    # filter step by step, so one pass over the whole series gives the same (to ARIMA's state start, 1e-4)
    want = [model.forward(y=x[:t], h=1)["mean"][0] for t in range(split, x.shape[0])]
    assert fit.one_step == pytest.approx(want, rel=1e-4)
    if name != "auto_theta":
        assert fit.one_step == pytest.approx(model.forward(y=x, h=1, fitted=True)["fitted"][split:], rel=1e-9)
    assert fit.rollout == pytest.approx(model.predict(h=10)["mean"], rel=1e-9)
    # the first test point's one-step forecast is the rollout's first step: both forecast it from the train part
    assert fit.one_step[0] == pytest.approx(fit.rollout[0], rel=1e-4)
    # and it is a forecast, not the truth copied: its errors are those of a model
    assert 0 < np.mean((fit.one_step - x[split:]) ** 2) < np.var(x[split:])


def test_a_season_longer_than_the_models_take_is_left_out_and_said():
    x = _monthly(400)
    fit = fit_one("auto_arima", x, 280, 50, 5)
    assert f"up to {LONGEST_SEASON}" in fit.note and "50" in fit.note
    assert fit_one("auto_theta", x, 280, 50, 5).note == ""


def test_too_short_for_two_seasons_means_no_season():
    assert season_length(12, 25) == 1 and season_length(12, 26) == 12 and season_length(None, 500) == 1


def test_a_long_train_part_is_fitted_on_its_last_points():
    x = _monthly(FIT_POINTS + 300, seed=1)
    fit = fit_one("auto_theta", x, FIT_POINTS + 200, 12, 5)
    assert f"last {FIT_POINTS:,} of {FIT_POINTS + 200:,}" in fit.note
    assert fit.one_step.shape == (100,)


def test_a_stop_leaves_the_models_out_with_the_reason():
    fits, skipped = fit_statistical(_monthly(seed=3), 67, 12, 5, should_stop=lambda: True)
    assert fits == {} and set(skipped) == {"auto_ets", "auto_arima", "auto_theta"}
    assert all("stopped" in why for why in skipped.values())


@pytest.mark.parametrize("n,seq_len", [(60, 30), (72, 60), (144, 60), (300, 12), (900, 60)])
def test_the_ar_never_has_more_coefficients_than_its_equations_can_carry(n, seq_len):
    x = _monthly(n, seed=n)
    prep = prepare(x, min(seq_len, int(n * 0.7) - 2), 0.7, "none", dtype=np.float64)
    p, coef = ar_fit(prep)
    windows = prep.split - ar_most(prep.split, prep.seq_len)  # the AR's training windows: one per equation
    assert coef.shape == (p + 1,)
    assert p + 1 <= windows / 2  # at least two equations per coefficient
    assert p <= prep.seq_len  # and it reads no further back than the network's window


def test_the_ar_finds_the_order_of_an_ar2_process():
    rng = np.random.default_rng(0)
    x = np.zeros(600)
    for t in range(2, 600):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    prep = prepare(x, 20, 0.7, "none", dtype=np.float64)
    p, coef = ar_fit(prep)
    assert p == 2
    assert coef[:2] == pytest.approx([0.6, -0.3], abs=0.1)
    # its forecast of a test point is its own arithmetic on the two values before it
    t = prep.test.target_index[5]
    scaler = prep.scaler
    z = scaler.transform(x)
    assert linear_ar(prep)[5] == pytest.approx(scaler.inverse(coef[0] * z[t - 1] + coef[1] * z[t - 2] + coef[2]))


def test_fits_kept_on_disk_serve_the_next_job_on_the_same_series(tmp_path, monkeypatch):
    from models import statistical

    statistical.use_shelf(tmp_path)
    try:
        statistical._KEPT.clear()
        x = _monthly(seed=7)
        first = fit_statistical(x, 67, 12, 8)
        assert len(list(tmp_path.glob("*.npz"))) == 1
        statistical._KEPT.clear()  # a new job process: nothing in memory
        monkeypatch.setattr(statistical, "fit_one", lambda *a, **k: (_ for _ in ()).throw(AssertionError("refit")))
        again = fit_statistical(x, 67, 12, 8)
        assert again[1] == first[1] and set(again[0]) == set(first[0])
        for name, fit in first[0].items():
            assert np.array_equal(again[0][name].one_step, fit.one_step) and again[0][name].note == fit.note
        other = fit_statistical(x + 1.0, 67, 12, 8)  # another series is fitted, not read
        assert other[0] == {} and all("refit" in why for why in other[1].values())
    finally:
        statistical.use_shelf(None)
        statistical._KEPT.clear()
