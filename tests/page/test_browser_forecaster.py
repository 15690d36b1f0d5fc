"""A stronger forecaster in the dashboard, in headless Chromium: inputs beside the series, a seq2seq
model for k steps ahead, and scheduled sampling."""

import pytest
from selenium.webdriver.common.by import By

from tests.helpers import click, figure, pick, run_labels as labels, set_value, text, until

pytestmark = pytest.mark.browser
CELL = "#runs-table td[data-dash-column='{}']"


def test_holidays_and_a_csv_files_columns_are_inputs_and_calendar_features_need_dates(page, tmp_path):
    d = page.driver
    for field, value in (("series-length", 400), ("seq-len", 30), ("hidden-size", 8), ("epochs", 3),
                         ("series-holidays", 3)):
        set_value(page, field, value)
    click(page, "calendar-features")  # the synthetic series has no dates
    page.wait_for_contains_text("#calendar-features-feedback", "Calendar features cannot be used: the synthetic "
                                "series has no dates", timeout=5)
    page.find_element("#train-button").click()
    page.wait_for_contains_text("#job-status", "not started: Calendar features cannot be used", timeout=5)
    assert labels(d) == []
    click(page, "calendar-features")
    pick(page, "covariates", "holidays (known in advance)")
    page.wait_for_text_to_equal("#calendar-features-feedback", "", timeout=5)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
    until(lambda: d.find_elements(By.CSS_SELECTOR, CELL.format("inputs_beside")), timeout=10)
    assert d.find_element(By.CSS_SELECTOR, CELL.format("inputs_beside")).text == "holidays"
    until(lambda: len(figure(d, "rollout-graph") or []) >= 2, timeout=15)
    rollout = next(t for t in figure(d, "rollout-graph") if t["name"] == "#1 NumPy LSTM")
    assert len(rollout["y"]) == 200  # holidays are known ahead: the rollout runs its full length
    until(lambda: [t["name"] for t in figure(d, "gates-graph") or []] == ["i", "f", "g", "o", "c"], timeout=10)

    csv = tmp_path / "shop.csv"
    rows = ["date,sales,temp,promo"] + [f"2024-01-{1 + i % 28:02d},{10 + (i * 7) % 13},{(i * 3) % 11},"
                                        f"{'' if i == 40 else i % 2}" for i in range(120)]
    csv.write_text("\n".join(rows) + "\n")
    pick(page, "dataset", "my CSV file")
    d.find_element(By.CSS_SELECTOR, "#upload-data input[type=file]").send_keys(str(csv))
    page.wait_for_contains_text("#upload-status", "Read shop.csv: 120 rows", timeout=10)
    until(lambda: [o.text for o in d.find_elements(By.CSS_SELECTOR, "#covariates label")] == ["temp", "promo"],
          timeout=10)  # the file's numeric columns beside the value column, sales
    assert "known only up to the data's end" in text(d, "covariates-help")
    page.wait_for_contains_text("#proposal-note", "season 7 (daily dates)", timeout=10)  # then typed over
    set_value(page, "seq-len", 10)
    set_value(page, "ensemble", 1)
    set_value(page, "epochs", 20)
    pick(page, "covariates", "promo")
    page.find_element("#train-button").click()
    page.wait_for_contains_text("#job-status", "not started: Covariates: covariate column 'promo' has 1 empty or "
                                "non-numeric cell(s), the first in row 41", timeout=5)
    page.wait_for_contains_text("#covariates-feedback", "a covariate must be complete", timeout=5)  # beside it
    pick(page, "covariates", "promo")
    pick(page, "covariates", "temp")
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: len(labels(d)) == 2, timeout=10)
    assert d.find_element(By.CSS_SELECTOR, CELL.format("inputs_beside")).text == "temp"
    until(lambda: "known only up to the data's end: its rollout stops there" in text(d, "rollout-note"), timeout=15)


def test_seq2seq_is_a_third_line_on_the_horizon_graph_and_needs_a_horizon(page):
    d = page.driver
    for field, value in (("series-length", 300), ("seq-len", 20), ("hidden-size", 8), ("epochs", 4)):
        set_value(page, field, value)
    pick(page, "horizon-method", "seq2seq (encoder-decoder)")
    page.wait_for_contains_text("#horizon-method-feedback", "Horizon method seq2seq needs a horizon k of at least 2",
                                timeout=5)
    page.find_element("#train-button").click()
    page.wait_for_contains_text("#job-status", "not started: Horizon method seq2seq needs a horizon", timeout=5)
    set_value(page, "horizon", 8)
    page.wait_for_text_to_equal("#horizon-method-feedback", "", timeout=5)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    pick(page, "horizon-method", "direct (k outputs)")
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: len(labels(d)) == 2, timeout=10)
    for box in d.find_elements(By.CSS_SELECTOR, "#runs-table input[type=checkbox]")[:2]:  # both runs, side by side
        d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)
    until(lambda: {t.get("meta") for t in figure(d, "horizon-graph") or []} >= {"seq2seq", "direct", "recursive"},
          timeout=15)
    seq = next(t for t in figure(d, "horizon-graph") if t.get("meta") == "seq2seq")
    assert seq["x"] == list(range(1, 9)) and all(v > 0 for v in seq["y"])
    assert "seq2seq" in text(d, "metrics-table") and "seq2seq" in text(d, "horizon-note")
    assert "an encoder reads the window" in text(d, "horizon-explain")


def test_scheduled_sampling_is_shown_on_the_runs_error_per_step_and_rollout(page):
    d = page.driver
    for field, value in (("series-length", 300), ("seq-len", 20), ("hidden-size", 8), ("epochs", 4),
                         ("horizon", 6), ("scheduled-sampling", 0.5)):
        set_value(page, field, value)
    page.wait_for_contains_text("#scheduled-sampling-feedback", "applies to the seq2seq decoder only", timeout=5)
    pick(page, "horizon-method", "seq2seq (encoder-decoder)")
    page.wait_for_text_to_equal("#scheduled-sampling-feedback", "", timeout=5)
    set_value(page, "scheduled-sampling", 1.5)
    page.wait_for_contains_text("#scheduled-sampling-feedback", "Scheduled sampling must be a number from 0 to 1",
                                timeout=5)
    set_value(page, "scheduled-sampling", 0.5)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: d.find_elements(By.CSS_SELECTOR, CELL.format("horizon")), timeout=10)
    assert d.find_element(By.CSS_SELECTOR, CELL.format("horizon")).text.startswith("6: seq2seq (sampling 0.5) ")
    until(lambda: any("seq2seq, 6 at a time" in (t.get("name") or "") for t in figure(d, "rollout-graph") or []),
          timeout=15)
    assert "(scheduled sampling 0.5)" in text(d, "rollout-note")
    assert "scheduled sampling" in text(d, "horizon-explain").lower()
