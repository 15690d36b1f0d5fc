"""The lesson views of the dashboard in headless Chromium: early stopping, the scoreboard."""

import pytest

from selenium.webdriver.common.by import By

from tests.helpers import click, figure, pick, run_labels as labels, set_value, text, until

pytestmark = pytest.mark.browser


def test_early_stopping_draws_validation_and_best_epoch_and_the_scoreboard_has_mase(page):
    d = page.driver
    for field, value in (("series-length", 300), ("seq-len", 20), ("hidden-size", 8), ("epochs", 80),
                         ("learning-rate", 0.05), ("val-fraction", 0.2), ("patience", 3)):
        set_value(page, field, value)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) and "early stop at epoch" in labels(d)[0], timeout=10)
    until(lambda: any(t["name"].startswith("best epoch ") for t in figure(d, "loss-graph") or []), timeout=10)
    loss = {t["name"]: t for t in figure(d, "loss-graph")}
    best = int(next(n for n in loss if n.startswith("best epoch ")).split()[-1])
    assert labels(d)[0] == f"#1 NumPy LSTM (early stop at epoch {best + 3}, best epoch {best})"
    assert len(loss["validation loss"]["y"]) == best + 3 == len(loss["train loss"]["y"])
    assert loss[f"best epoch {best}"]["y"][0] == min(loss["validation loss"]["y"])
    table = text(d, "metrics-table")
    assert all(name in table for name in ("MASE", "seasonal naive", "drift", "persistence", "linear AR"))
    assert "test MASE" in text(d, "runs-table")


def test_a_validation_part_without_room_says_why_and_nothing_starts(page):
    set_value(page, "series-length", 100)
    set_value(page, "val-fraction", 0.001)
    page.wait_for_contains_text("#val-fraction-feedback", "Validation fraction must hold out at least one of the "
                                "70 train points", timeout=5)
    page.find_element("#train-button").click()
    page.wait_for_contains_text("#job-status", "not started: Validation fraction must hold out", timeout=5)


def test_dropout_is_a_field_and_a_column_and_is_explained(page):
    d = page.driver
    set_value(page, "epochs", 3)
    set_value(page, "dropout", 0.3)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    cell = "#runs-table td[data-dash-column='{}']"
    until(lambda: d.find_elements(By.CSS_SELECTOR, cell.format("dropout")), timeout=10)
    assert d.find_element(By.CSS_SELECTOR, cell.format("dropout")).text == "0.3"
    summary = d.find_element(By.XPATH, "//details[.//*[@id='pitfalls']]/summary")  # "Pitfalls worth trying here"
    d.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    summary.click()
    assert "at prediction time nothing is dropped" in text(d, "pitfalls")
    until(lambda: any("90 % of 30 rollouts with dropout on" in (t.get("name") or "")
                      for t in figure(d, "rollout-graph") or []), timeout=15)
    assert "Monte-Carlo dropout" in text(d, "rollout-note")
    set_value(page, "dropout", 0.95)
    page.wait_for_contains_text("#dropout-feedback", "Dropout must be a number from 0 to 0.9, got 0.95", timeout=5)


def test_the_textbook_gru_trains_in_numpy_and_pytorch_refuses_it(page):
    d = page.driver
    set_value(page, "epochs", 3)
    pick(page, "cell", "GRU (Cho)")
    pick(page, "backend", "PyTorch")
    page.find_element("#train-button").click()
    page.wait_for_contains_text("#job-status", "not started: Cell GRU (Cho), the textbook GRU, runs on the NumPy "
                                "backend only", timeout=5)
    assert labels(d) == []
    pick(page, "backend", "NumPy")
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy GRU (Cho)"], timeout=10)
    until(lambda: [t["name"] for t in figure(d, "gates-graph") or []] == ["r", "z", "n"], timeout=10)
    until(lambda: "GRU (Cho)" in text(d, "equations"), timeout=10)
    assert "Why PyTorch and cuDNN use the other form" in text(d, "equations")


def test_horizon_compares_direct_and_recursive_step_by_step(page):
    d = page.driver
    for field, value in (("series-length", 300), ("seq-len", 20), ("hidden-size", 8), ("epochs", 4),
                         ("horizon", 10)):
        set_value(page, field, value)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: len(figure(d, "horizon-graph") or []) == 4, timeout=10)
    traces = {t["name"]: t for t in figure(d, "horizon-graph")}
    assert set(traces) == {"direct", "recursive", "persistence", "linear AR (direct)"}
    assert all(t["x"] == list(range(1, 11)) for t in traces.values())
    assert "10 steps ahead over 81 test windows" in text(d, "horizon-note")
    table = text(d, "metrics-table")
    assert all(f"{m}, 10 steps ahead" in table for m in ("direct", "recursive", "persistence", "linear AR (direct)"))
    set_value(page, "horizon", 95)
    page.wait_for_contains_text("#horizon-feedback", "must leave two test windows: at most 89", timeout=5)


def test_a_seed_sweep_draws_a_strip_per_cell_and_a_window_sweep_a_line_per_cell(page):
    d = page.driver
    set_value(page, "epochs", 2)
    set_value(page, "hidden-size", 4)
    set_value(page, "sweep-values", "0, 1, 2")
    for box in d.find_elements(By.CSS_SELECTOR, "#sweep-cells input"):
        if box.get_attribute("value") == "gru" and box.is_selected():
            d.execute_script("arguments[0].click();", box)  # LSTM and RNN only
    d.execute_script("""window.sweepSeen = []; const e = document.getElementById('sweep-progress');
        new MutationObserver(() => window.sweepSeen.push(e.textContent)).observe(e, {childList: true,
            subtree: true, characterData: true});""")
    click(page, "sweep-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    # its progress showed beside its button, not only on the status line at the top
    assert any(t.startswith("sweep, run ") for t in d.execute_script("return window.sweepSeen")), \
        d.execute_script("return window.sweepSeen")
    until(lambda: [t["name"] for t in figure(d, "sweep-graph") or []] == ["LSTM", "RNN"], timeout=10)
    strips = figure(d, "sweep-graph")
    assert strips[0]["x"] == ["LSTM"] * 3 and len(strips[1]["y"]) == 3
    assert text(d, "sweep-note").startswith("Test MSE over 6 runs: LSTM mean ")
    until(lambda: text(d, "sweep-progress") == "done: 6 runs", timeout=10)  # not the last run's progress line
    assert labels(d) == []  # a sweep's runs stay out of the runs table

    pick(page, "sweep-over", "Window length L")
    until(lambda: page.find_element("#sweep-values").get_attribute("value") == "20, 40, 60, 90, 120", timeout=5)
    assert page.find_element("#sweep-series input[value=long]").is_selected()
    set_value(page, "sweep-values", "20, 40")
    click(page, "sweep-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: figure(d, "sweep-graph")[0]["x"] == [20, 40], timeout=10)
    assert [t["name"] for t in figure(d, "sweep-graph")] == ["LSTM", "RNN", "persistence", "linear AR"]
    set_value(page, "sweep-values", "20, 900")
    click(page, "sweep-button")
    page.wait_for_contains_text("#job-status", "not started: seq_len must be at most 628", timeout=5)
