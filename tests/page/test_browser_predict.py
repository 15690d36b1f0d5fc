"""Predict, then observe, in the browser: a lesson's question answered before Train, and after the run the
reveal puts that run's own numbers beside the prediction. The answers themselves are
``tests/models/test_questions.py``'s; here, the wiring: the choice reaches the server, the reveal reads the
run the shelf holds, and "Why gates" is done exactly as its text says."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from models.verdict import number, times
from tests.helpers import pick, set_value, text, until


def kept(app, prefix: str) -> list:
    """What the test's own shelf holds under keys starting with ``prefix``."""
    cache = app.gatelab.shelf.backend.cache
    return [cache.get(k) for k in cache.iterkeys() if isinstance(k, str) and k.startswith(prefix)]


def test_a_prediction_is_kept_on_the_server_and_the_reveal_gives_the_runs_numbers(lesson_page, gatelab):
    d = lesson_page.driver
    assert text(d, "predict-reveal") == ""  # nothing to reveal before a run
    Select(d.find_element(By.ID, "predict-basics")).select_by_value("yes")
    until(lambda: kept(gatelab, "predict:") == [{"basics": "yes"}], timeout=10)
    set_value(lesson_page, "epochs", 3)
    d.find_element(By.ID, "train-button").click()
    until(lambda: "This run:" in text(d, "predict-reveal"), timeout=90)
    [run] = kept(gatelab, "run:")
    ar, mse = run.baselines["linear_ar"].mse, run.metrics.mse
    reveal = text(d, "predict-reveal")
    assert reveal.startswith("You predicted: Yes, a lower test MSE · This run: ")
    assert f"test MSE {number(mse)} is {times(mse, ar)} the linear AR's {number(ar)}." in reveal
    won = mse < ar
    assert ("This run: Yes" in reveal) == won and reveal.count("right") == (1 if won else 0)
    assert ("not this time" in reveal) == (not won)
    # a changed mind is kept too, and the reveal weighs the new answer against the same run
    Select(d.find_element(By.ID, "predict-basics")).select_by_value("no")
    until(lambda: kept(gatelab, "predict:") == [{"basics": "no"}], timeout=10)
    until(lambda: ("not this time" in text(d, "predict-reveal")) == won, timeout=10)


def test_why_gates_as_its_text_says_a_plain_rnn_then_an_lstm_and_the_verdict_on_the_lesson(dash_duo, served,
                                                                                           gatelab):
    d = dash_duo.driver
    dash_duo.server_url = served + "/?lesson=why-gates"
    dash_duo.wait_for_text_to_equal("#job-status", "ready")
    Select(d.find_element(By.ID, "predict-why-gates")).select_by_value("lstm")
    pick(dash_duo, "cell", "RNN")  # "Train a plain RNN, then an LSTM"
    d.find_element(By.ID, "train-button").click()
    dash_duo.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: "Train an LSTM as well" in text(d, "predict-reveal"), timeout=10)
    pick(dash_duo, "cell", "LSTM")
    d.find_element(By.ID, "train-button").click()
    until(lambda: "scored best" in text(d, "predict-reveal"), timeout=90)
    runs = {r.config.cell: r for r in kept(gatelab, "run:")}
    rnn, lstm = runs["rnn"].rollout_scores.mse, runs["lstm"].rollout_scores.mse
    reveal = text(d, "predict-reveal")
    assert f"run #{runs['lstm'].number}" in reveal and f"run #{runs['rnn'].number}" in reveal
    assert number(lstm) in reveal and number(rnn) in reveal
    winner = "The LSTM's" if lstm < rnn else "The plain RNN's"
    assert f"This run: {winner}" in reveal
    # the lesson shows what it compares without leaving it: the rollout and the gradient flow
    assert d.find_element(By.ID, "rollout-graph").is_displayed() and d.find_element(By.ID, "gradflow-graph").is_displayed()
    assert dash_duo.get_logs() == []
