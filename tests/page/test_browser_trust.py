"""Forecasts you can trust (issue 22), in the page: an ensemble's band and members, intervals with their
coverage, and the backtest over several origins, in lesson 8."""

import re

import pytest
from selenium.webdriver.common.by import By

from dataclasses import replace

from models.findings import dataset_config
from models.experiment import run_experiment
from tests.helpers import click, figure, lesson, pick, run_labels, set_value, text, until

pytestmark = pytest.mark.browser

EPOCHS = 3


def sunspots(**changes):
    """The settings the page fills in for the sunspots, with a few epochs and ``changes``."""
    config = dataset_config("sunspots")
    return config.with_(train=replace(config.train, epochs=EPOCHS, **changes.pop("train", {})), **changes)


def on_sunspots(page) -> None:
    """Lesson 8 on the sunspots, a few epochs (set in lesson 1, where the epochs are: the form is one)."""
    lesson(page.driver, "trust")
    pick(page, "dataset", next(el.text for el in page.driver.find_elements(By.CSS_SELECTOR, "#dataset label")
                               if "Sunspot" in el.text))
    until(lambda: "309 points" in text(page.driver, "dataset-note"), timeout=10)
    lesson(page.driver, "basics")
    set_value(page, "epochs", EPOCHS)
    lesson(page.driver, "trust")


def bands(driver, graph: str) -> list[str]:
    return [t.get("name", "") for t in figure(driver, graph) or [] if t.get("meta") == "band"]


def test_an_ensemble_draws_its_members_spread_and_lists_each_member_as_a_run(lesson_page):
    page, d = lesson_page, lesson_page.driver
    on_sunspots(page)
    set_value(page, "ensemble", 3)
    set_value(page, "interval", 0)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=120)
    lesson(d, "compare")  # the runs table: each member a run of its own
    labels = run_labels(d)
    lesson(d, "trust")
    assert labels[0] == "#4 NumPy LSTM, ensemble of 3"
    assert labels[1:] == [f"#{4 - i} NumPy LSTM, member {4 - i} of 3" for i in range(1, 4)]
    until(lambda: any("#4 range of 3 members" in b for b in bands(d, "forecast-graph")), timeout=20)
    until(lambda: any("#4 range of 3 members" in b for b in bands(d, "rollout-graph")), timeout=20)
    # the mean line is the members' mean: the runs trained here again (training is deterministic)
    members = [run_experiment(sunspots(ensemble=1, train={"seed": s})) for s in range(3)]
    shown = next(t for t in figure(d, "forecast-graph") if t.get("name") == labels[0])
    want = [sum(m.forecast.pred[i] for m in members) / 3 for i in range(len(shown["y"]))]
    assert shown["y"] == pytest.approx(want, abs=1e-6)
    mses = sorted(m.metrics.mse for m in members)
    assert f"from {mses[0]:.4f} to {mses[-1]:.4f}" in text(d, "metrics-table")


def test_intervals_are_drawn_as_bands_and_their_coverage_is_shown_beside_the_level(lesson_page):
    page, d = lesson_page, lesson_page.driver
    on_sunspots(page)
    set_value(page, "interval", 0.8)
    set_value(page, "ensemble", 1)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=120)
    until(lambda: any("80% interval" in b for b in bands(d, "forecast-graph")), timeout=20)
    until(lambda: any("80% interval" in b for b in bands(d, "rollout-graph")), timeout=20)
    run = run_experiment(sunspots(ensemble=1, interval=0.8))
    table = text(d, "metrics-table")
    shown = re.search(r"holds the truth at (\d+)% of the test part's one-step forecasts \(nominal 80%\)", table)
    assert shown and int(shown.group(1)) == round(100 * run.intervals.coverage)
    band = next(t for t in figure(d, "forecast-graph") if t.get("meta") == "band" and "interval" in t["name"])
    assert band["y"] == pytest.approx(list(run.intervals.forecast_low), abs=1e-6)


def test_a_backtest_draws_its_errors_at_each_origin_beside_the_baselines(lesson_page):
    page, d = lesson_page, lesson_page.driver
    on_sunspots(page)
    set_value(page, "backtest-origins", 4)
    set_value(page, "ensemble", 1)
    click(page, "backtest-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=120)
    until(lambda: figure(d, "backtest-graph") and len(figure(d, "backtest-graph")[0]["x"]) == 4, timeout=20)
    traces = figure(d, "backtest-graph")
    assert [t["name"] for t in traces][:2] == ["NumPy LSTM", "persistence"]
    assert traces[0]["x"] == ["1916", "1939", "1962", "1985"]  # the origins' years
    assert len(d.find_elements(By.CSS_SELECTOR, "#backtest-table tbody tr")) == 4
    assert re.search(r"beats the linear AR at \d of 4 origins", text(d, "backtest-note"))
    # a bad number of origins is refused with the field's name and range
    set_value(page, "backtest-origins", 99)
    click(page, "backtest-button")
    page.wait_for_text_to_equal("#job-status", "not started: Forecast origins must be a whole number from 1 to 20, "
                                "got 99", timeout=20)
