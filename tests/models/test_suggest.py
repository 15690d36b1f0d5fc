"""Settings proposed from the data (``models.propose``) and searched on the train part (``models.suggest``)."""

import numpy as np
import pytest

from data.exogenous import season_of
from data.upload import Uploaded
from models.ensemble import run_ensemble
from models.knobs import BY_KEY, parse_values
from models.propose import MIN_POINTS, Proposal, propose
from models.suggest import suggest


def _monthly(n: int, grows: bool = False, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    t = np.arange(n)
    level = 100 + 2 * t
    season = np.sin(2 * np.pi * t / 12)
    x = level * (1 + 0.25 * season) if grows else level + 25 * season
    x = x + np.random.default_rng(seed).normal(0, 3, n)
    return x, [f"{2000 + i // 12}-{i % 12 + 1:02d}-01" for i in range(n)]


def _config(settings: dict, n: int):
    raw = {"dataset": "upload"} | {k: BY_KEY[k].as_text(v) for k, v in settings.items()}
    config, errors = parse_values(raw, length=n, columns=())
    assert config is not None, errors
    return config


@pytest.mark.parametrize("n", [MIN_POINTS, 72, 84, 144, 500])
def test_every_series_of_forty_points_or_more_trains_at_what_is_proposed(n):
    x, times = _monthly(n, seed=n)
    season, why = season_of(times)
    p = propose(x, season, why)
    assert p.season == 12 and "season 12 (monthly dates)" in p.line
    config = _config(p.settings | {"epochs": 2, "ensemble": 1}, n)
    config.check_fits(n)
    record = run_ensemble(config, series=Uploaded(x, times, {}, "f.csv: y"))[1]
    assert np.isfinite(record.metrics.mse)


def test_the_window_fits_the_season_and_the_train_part():
    x, times = _monthly(144)
    assert propose(x, 12, "monthly dates").settings["seq-len"] == 24  # two seasons: 48 <= 100 / 3
    x, times = _monthly(72)
    assert propose(x, 12, "monthly dates").settings["seq-len"] == 12  # one: 24 > 50 / 3
    assert propose(np.arange(60.0) % 7, None, "no time column").settings["seq-len"] == 12


def test_the_log_is_proposed_where_the_swings_grow_with_the_level():
    grows, _ = _monthly(144, grows=True)
    flat, _ = _monthly(144, grows=False)
    p = propose(grows, 12, "monthly dates")
    assert p.settings["power"] == "log" and "swings grow with the level" in p.line
    assert propose(flat, 12, "monthly dates").settings["power"] == "none"
    assert propose(flat - 500, 12, "monthly dates").settings["power"] == "none"  # never the log of a negative


def test_a_series_too_short_is_refused_with_the_number():
    with pytest.raises(ValueError, match=f"has 30 points; settings are proposed for {MIN_POINTS} or more"):
        propose(np.arange(30.0), None)


def test_suggest_never_reads_the_test_part():
    """Changing every test value changes nothing the search chooses or scores."""
    x, times = _monthly(100, seed=4)
    tiny = Proposal(12, {"seq-len": 12, "hidden-size": 4, "epochs": 3, "transform": "es", "power": "none",
                         "ensemble": 1, "batch-size": 16})
    config = _config(tiny.settings, 100)
    other = x.copy()
    other[70:] = other[70:] * 3 + 1000  # the test part: the last 30 %
    a = suggest(config, Uploaded(x, times, {}, "a"), tiny, seconds=600)
    b = suggest(config, Uploaded(other, times, {}, "b"), tiny, seconds=600)
    assert a.settings == b.settings
    assert [c.mse for c in a.rows] == [c.mse for c in b.rows]
    assert len(a.rows) >= 8 and all(c.mse is not None or c.note for c in a.rows)
    # the scores are the validation blocks' errors, not the test part's: a different series scores differently
    c = suggest(config, Uploaded(x[::-1].copy(), times, {}, "c"), tiny, seconds=600)
    assert [r.mse for r in c.rows] != [r.mse for r in a.rows]


def test_suggest_stops_when_asked_and_keeps_the_best_so_far():
    x, times = _monthly(100, seed=5)
    tiny = Proposal(12, {"seq-len": 12, "hidden-size": 4, "epochs": 3, "transform": "es", "power": "none",
                         "ensemble": 1, "batch-size": 16})
    asked = []

    def stop() -> bool:
        return len(asked) >= 2

    s = suggest(_config(tiny.settings, 100), Uploaded(x, times, {}, "a"), tiny, seconds=600,
                on_candidate=lambda k, total, c: asked.append(k), should_stop=stop)
    assert s.stopped == "stopped" and len(s.rows) == 2
    assert s.settings == min(s.rows, key=lambda c: c.mse).settings  # no ensemble was scored: the best single seed


def test_a_stop_inside_the_first_candidates_first_epoch_is_a_stop_not_a_failure():
    """Cancel pressed while the first candidate trains its first epoch: Suggest ends with a sentence that says
    so, not with the training's "nothing to evaluate"."""
    x, times = _monthly(100, seed=5)
    tiny = Proposal(12, {"seq-len": 12, "hidden-size": 4, "epochs": 3, "transform": "none", "power": "none",
                         "ensemble": 1, "batch-size": 16})
    calls = []

    def stop() -> bool:  # free before the first candidate starts, then stopped at the training's first check
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ValueError, match="^stopped before any candidate was scored$"):
        suggest(_config(tiny.settings, 100), Uploaded(x, times, {}, "a"), tiny, seconds=600, should_stop=stop)
