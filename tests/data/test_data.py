import numpy as np
import pytest

from data import Seasonal, SeriesConfig, make_series, max_seq_len, prepare


def test_default_series_matches_the_reference_formula():
    cfg = SeriesConfig()
    x = make_series(cfg)
    t = np.arange(900)
    clean = 1.2 * np.sin(2 * np.pi * t / 50) + 0.6 * np.sin(2 * np.pi * t / 17 + 0.8) + 0.0025 * t
    noise = x - clean
    assert x.shape == (900,)
    np.testing.assert_allclose(noise, np.random.default_rng(42).normal(0, 0.18, 900))
    assert 0.16 < noise.std() < 0.20


def test_same_seed_same_series_and_other_seed_differs():
    a, b = make_series(SeriesConfig(seed=7)), make_series(SeriesConfig(seed=7))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, make_series(SeriesConfig(seed=8)))


def test_explicit_rng_and_dtype():
    x = make_series(SeriesConfig(), rng=np.random.default_rng(1), dtype=np.float32)
    assert x.dtype == np.float32
    assert not np.allclose(x, make_series(SeriesConfig()))


def test_defaults_give_570_train_and_270_test_windows():
    p = prepare(make_series(SeriesConfig()), seq_len=60, transform="none")
    assert p.split == 630
    assert p.train.X.shape == (570, 60, 1) and p.test.X.shape == (270, 60, 1)
    assert p.train.target_index.max() == 629 and p.test.target_index.min() == 630
    # a window holds the L points before its target
    z = p.scaler.transform(p.series)
    np.testing.assert_allclose(p.test.X[5, :, 0], z[635 - 60 : 635], rtol=1e-6)
    np.testing.assert_allclose(p.test.y[5, 0], z[635], rtol=1e-6)


def test_scaler_uses_train_part_only():
    x = make_series(SeriesConfig())
    p = prepare(x)
    assert p.scaler.mean == pytest.approx(x[:630].mean())
    assert p.scaler.std == pytest.approx(x[:630].std())
    y = x.copy()
    y[630:] += 100.0  # change only the test part
    q = prepare(y)
    assert q.scaler == p.scaler
    np.testing.assert_array_equal(q.train.X, p.train.X)
    np.testing.assert_array_equal(q.train.y, p.train.y)


@pytest.mark.parametrize("transform", ["none", "diff", "detrend"])
def test_targets_map_back_to_the_truth(transform):
    x = make_series(SeriesConfig())
    p = prepare(x, transform=transform, dtype=np.float64)
    np.testing.assert_allclose(p.to_original(p.test.y, p.test.ref), x[p.test.target_index], atol=1e-9)
    np.testing.assert_allclose(p.to_original(p.train.y, p.train.ref), x[p.train.target_index], atol=1e-9)


def test_diff_inputs_are_scaled_differences():
    x = make_series(SeriesConfig())
    p = prepare(x, transform="diff", dtype=np.float64)
    z = p.scaler.transform(x)
    d = np.diff(z)
    assert p.target_scale == pytest.approx(d[:629].std())
    np.testing.assert_allclose(p.inputs[1:], d / p.target_scale)
    # the trend is gone: test inputs stay in the training range
    assert abs(p.test.X.mean()) < 0.2


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: SeriesConfig(components=(Seasonal(0.0),)), "period must be a number greater than 2 and at most 100000, got 0"),
        (lambda: SeriesConfig(noise=-0.1), "noise must be a number from 0 to 10, got -0.1"),
        (lambda: SeriesConfig(length=5), "length must be a whole number from 50 to 100000, got 5"),
        (lambda: SeriesConfig(length=49), "length must be a whole number from 50 to 100000, got 49"),
        (lambda: SeriesConfig(trend=float("nan")), "trend must be a number from -1 to 1, got nan"),
    ],
)
def test_series_config_names_the_bad_field(build, message):
    with pytest.raises(ValueError) as e:
        build()
    assert message in str(e.value)


def test_from_lists_checks_lengths():
    with pytest.raises(ValueError, match=r"amplitudes need one value per period \(2\), got 1"):
        SeriesConfig.from_lists([50, 17], [1.0])


def test_seq_len_too_long_says_how_long_it_may_be():
    x = make_series(SeriesConfig())
    assert max_seq_len(900, 0.7) == 628
    with pytest.raises(ValueError, match=r"seq_len must be at most 628 for a series of 900 points \(630 of them train"):
        prepare(x, seq_len=629)
    assert prepare(x, seq_len=628).train.X.shape[0] == 2


def test_nan_and_inf_are_refused_with_their_position():
    x = make_series(SeriesConfig())
    x[123] = np.nan
    with pytest.raises(ValueError, match="1 missing or infinite value.*index 123"):
        prepare(x)


def test_too_few_test_windows():
    with pytest.raises(ValueError, match="train_fraction must be a number from 0.1 to 0.95"):
        prepare(np.arange(100.0), seq_len=5, train_fraction=0.99)


def test_constant_series_is_refused():
    with pytest.raises(ValueError, match="constant"):
        prepare(np.ones(200), seq_len=10)


def test_detrend_fits_its_line_on_the_train_part_only():
    x = make_series(SeriesConfig())
    p = prepare(x, transform="detrend", dtype=np.float64)
    z = p.scaler.transform(x)
    slope, intercept = np.polyfit(np.arange(630), z[:630], 1)
    assert p.line == pytest.approx((intercept, slope))
    assert slope > 0  # the reference series trends upward
    np.testing.assert_allclose(p.inputs * p.target_scale, z - intercept - slope * np.arange(900), atol=1e-12)
    y = x.copy()
    y[630:] -= 50.0
    assert prepare(y, transform="detrend").line == pytest.approx(p.line)
    # the trend is gone: the test part stays in the training range
    assert abs(p.test.X.mean()) < 0.2 and p.test.X.std() < 1.3


@pytest.mark.parametrize("transform", ["none", "diff", "detrend"])
def test_rollout_of_the_true_values_maps_back_to_the_truth(transform):
    """Feeding rollout_to_original the transformed truth must give the truth back."""
    x = make_series(SeriesConfig())
    p = prepare(x, transform=transform, dtype=np.float64)
    np.testing.assert_allclose(p.rollout_to_original(p.inputs[630:700]), x[630:700], atol=1e-9)
