"""The dashboard in headless Chromium, clicked and typed as a person would."""

import time

import psutil
import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.helpers import browser, click, everything, figure, set_value, text, until

pytestmark = pytest.mark.browser



def pick(dash_duo, group_id, label):
    el = dash_duo.driver.find_element(By.XPATH, f"//div[@id='{group_id}']//label[normalize-space()='{label}']")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
    el.click()


def job_processes():
    """Background jobs: the live children of the fork server they are started from."""
    alive = []
    for server in psutil.Process().children(recursive=True):
        try:
            if "forkserver" not in " ".join(server.cmdline()):
                continue
            alive += [p for p in server.children() if p.status() != psutil.STATUS_ZOMBIE]
        except psutil.NoSuchProcess:
            pass
    return alive


def test_a_run_shows_live_progress_then_forecasts_and_gates(page):
    d = page.driver
    set_value(page, "epochs", 150)
    set_value(page, "hidden-size", 12)
    page.find_element("#train-button").click()
    # live: points arrive while the job still runs
    until(lambda: text(d, "job-status") == "running" and len((figure(d, "loss-graph") or [{}])[0].get("x", [])) >= 2,
          timeout=20)
    live = figure(d, "loss-graph")[0]["x"]
    assert live == list(range(1, len(live) + 1)) and len(live) < 150
    assert page.find_element("#train-button").get_attribute("disabled") is not None
    assert page.find_element("#cancel-button").get_attribute("disabled") is None
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    # "done" comes with the run; the views redraw from it a request later
    until(lambda: len(figure(d, "forecast-graph") or []) == 2 and len(figure(d, "gates-graph") or []) == 5, timeout=10)

    loss = figure(d, "loss-graph")
    assert [t["name"] for t in loss] == ["train loss", "test loss", "grad norm"]
    assert loss[0]["x"] == list(range(1, 151))  # no epoch lost between polls
    assert loss[0]["y"][-1] < loss[0]["y"][0]
    forecast = figure(d, "forecast-graph")
    assert [t["name"] for t in forecast] == ["truth", "#1 NumPy LSTM"]
    assert len(forecast[1]["y"]) == 270 and forecast[1]["x"][0] == 630
    rollout = figure(d, "rollout-graph")
    assert len(rollout[1]["y"]) == 200
    gates = figure(d, "gates-graph")
    assert [t["name"] for t in gates] == ["i", "f", "g", "o", "c"]
    assert len(gates[0]["z"]) == 12 and len(gates[0]["z"][0]) == 60  # hidden unit x time step
    assert all(0 <= v <= 1 for row in gates[1]["z"] for v in row)
    assert "persistence" in text(d, "metrics-table") and "linear AR" in text(d, "metrics-table")
    assert "#1 NumPy LSTM" in text(d, "runs-table")

    # another window: the gates change, from the same weights, without training again
    first = gates[0]["z"]
    page.find_element("#gate-window [role=slider]").send_keys(Keys.END)  # the last test window
    until(lambda: figure(d, "gates-graph")[0]["z"] != first, timeout=10)
    assert "test window 269" in d.execute_script(
        "return document.querySelector('#gates-graph .js-plotly-plot').layout.title.text")
    # log scale and gradient norm on demand
    for option in ("log", "grad"):
        box = page.find_element(f"#loss-options input[value={option}]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)
    until(lambda: d.execute_script("return document.querySelector('#loss-graph .js-plotly-plot').layout.yaxis.type")
          == "log" and figure(d, "loss-graph")[2]["visible"] is True, timeout=5)


def test_everything_the_page_loads_comes_from_the_app_itself(page):
    """Offline classrooms: no CDN, no font service; Bootstrap's styles really apply."""
    d = page.driver
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)  # MathJax and the graphs have loaded
    urls = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(page.server_url) for u in urls), [u for u in urls if not u.startswith(page.server_url)]
    assert any("bootstrap.min.css" in u for u in urls)
    # Bootstrap's danger colour on the (disabled) Cancel button, so the stylesheet did apply
    colour = d.execute_script("return getComputedStyle(document.getElementById('cancel-button')).borderColor")
    assert colour == "rgb(220, 53, 69)"
    assert d.find_elements(By.CSS_SELECTOR, "#equations mjx-container, #equations .MathJax")
    assert text(d, "job-status") == "done"


def test_cancel_stops_the_job_and_a_new_run_can_start(page):
    d = page.driver
    set_value(page, "epochs", 500)
    page.find_element("#train-button").click()
    until(lambda: len((figure(d, "loss-graph") or [{}])[0].get("x", [])) >= 1, timeout=20)
    assert job_processes()
    page.find_element("#cancel-button").click()
    page.wait_for_contains_text("#job-status", "cancelled at epoch ", timeout=5)
    until(lambda: not job_processes(), timeout=3)
    until(lambda: page.find_element("#train-button").get_attribute("disabled") is None, timeout=5)
    # the partial run stays, marked, and the status keeps its word
    until(lambda: "#1 NumPy LSTM (cancelled at epoch" in text(d, "runs-table"), timeout=5)
    time.sleep(1.0)
    assert text(d, "job-status").startswith("cancelled at epoch ")
    set_value(page, "epochs", 3)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=30)
    until(lambda: labels(d)[0] == "#2 NumPy LSTM", timeout=5)


def test_invalid_fields_say_what_is_wrong_and_no_job_starts(page):
    """The wiring of a bad value: its message under the field, the field marked, and Train refused with the
    same words. What each field's rule says is tested without a browser (test_components.py)."""
    for field, value, message, good in [
            ("hidden-size", "2.5", "Hidden size H must be a whole number from 1 to 256; 2.5 is not a whole number", 32),
            ("series-periods", "abc", "'abc' is not a number", "50, 17")]:
        set_value(page, field, value)
        page.wait_for_contains_text(f"#{field}-feedback", message, timeout=5)
        assert "is-invalid" in page.find_element(f"#{field}").get_attribute("class")
        page.find_element("#train-button").click()
        page.wait_for_contains_text("#job-status", "not started: ", timeout=5)
        assert message in text(page.driver, "job-status")
        assert not job_processes()
        set_value(page, field, good)


def test_train_all_compares_every_backend_and_cell(page):
    d = page.driver
    set_value(page, "epochs", 4)
    set_value(page, "hidden-size", 8)
    page.find_element("#train-all-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    expected = ["truth", "#1 NumPy LSTM", "#2 NumPy GRU", "#3 NumPy RNN", "#4 PyTorch LSTM", "#5 PyTorch GRU",
                "#6 PyTorch RNN"]
    until(lambda: [t["name"] for t in figure(d, "forecast-graph")] == expected, timeout=10)
    # every ticked run in the metrics table, and a word on why two colours hide the others
    table = text(d, "metrics-table")
    assert all(name in table for name in expected[1:])
    assert "parity lesson" in text(d, "parity-note")
    assert all(name in text(d, "rollout-note") for name in expected[1:])
    loss = figure(d, "loss-graph")
    assert len(loss) == 18 and all(len(t["x"]) == 4 for t in loss)
    # same init, same batches: NumPy and PyTorch agree on the loss curve, cell by cell
    for k in range(3):
        assert loss[3 * k]["y"] == pytest.approx(loss[3 * (k + 3)]["y"], rel=1e-3)
    assert len(figure(d, "rollout-graph")) == 7
    # the current run is the last one trained: a plain RNN, with its own equations and heatmaps
    until(lambda: [t["name"] for t in figure(d, "gates-graph")] == ["a", "h"], timeout=10)
    assert "Plain RNN" in text(d, "equations")
    # one run more: it joins the ticked runs, so it is in every view at once
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: [t["name"] for t in figure(d, "forecast-graph")] == [*expected, "#7 NumPy LSTM"], timeout=10)
    assert "#7 NumPy LSTM" in text(d, "metrics-table") and "#7 NumPy LSTM" in text(d, "rollout-note")
    assert len(figure(d, "loss-graph")) == 21


def test_torch_run_then_its_gates_then_a_second_torch_run(page):
    """Jobs fork from the web process; torch must not hang in the second job."""
    d = page.driver
    pick(page, "backend", "PyTorch")
    pick(page, "cell", "GRU")
    set_value(page, "epochs", 5)
    for n in (1, 2):
        page.find_element("#train-button").click()
        page.wait_for_text_to_equal("#job-status", "done", timeout=30)
        until(lambda: labels(d)[0] == f"#{n} PyTorch GRU", timeout=5)
        until(lambda: [t["name"] for t in figure(d, "gates-graph")] == ["r", "z", "n"], timeout=10)
    assert "GRU" in text(d, "equations")


def labels(driver):
    """The model column of the runs table, top to bottom (newest first)."""
    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#runs-table td[data-dash-column='label']")]


def _second_browser():
    return browser()


def test_two_browsers_with_the_same_settings_each_get_their_own_run(page):
    other = _second_browser()
    try:
        other.get(page.server_url)
        until(lambda: other.find_elements(By.ID, "job-status") and text(other, "job-status") == "ready", timeout=20)
        everything(other)
        for driver in (page.driver, other):
            el = driver.find_element(By.ID, "epochs")
            el.send_keys("\b\b\b8")
        page.driver.find_element(By.ID, "train-button").click()
        other.find_element(By.ID, "train-button").click()
        for driver in (page.driver, other):
            until(lambda driver=driver: text(driver, "job-status") == "done", timeout=60)
            until(lambda driver=driver: labels(driver) == ["#1 NumPy LSTM"], timeout=10)
            assert len(figure(driver, "loss-graph")[0]["x"]) == 8
    finally:
        other.quit()


def test_a_queued_student_sees_the_place_and_runs_when_a_slot_frees(page, gatelab):
    board = gatelab.gatelab.board
    board.set_slots(1)  # the jobs read it from the board
    other = _second_browser()
    try:
        other.get(page.server_url)
        until(lambda: other.find_elements(By.ID, "job-status") and text(other, "job-status") == "ready", timeout=20)
        set_value(page, "epochs", 500)
        page.find_element("#train-button").click()
        page.wait_for_text_to_equal("#job-status", "running", timeout=20)
        el = other.find_element(By.ID, "epochs")
        el.send_keys("\b\b\b4")
        other.find_element(By.ID, "train-button").click()
        until(lambda: text(other, "job-status") == "queued, position 1", timeout=20)
        assert other.find_element(By.ID, "queue-note").is_displayed()  # the server's rules, now that they matter
        assert not page.driver.find_element(By.ID, "queue-note").is_displayed()
        time.sleep(1.0)
        assert text(other, "job-status") == "queued, position 1"  # still waiting while the slot is taken
        page.find_element("#cancel-button").click()
        page.wait_for_contains_text("#job-status", "cancelled at epoch", timeout=5)
        until(lambda: text(other, "job-status") == "done", timeout=30)
        assert len(figure(other, "loss-graph")[0]["x"]) == 4
    finally:
        other.quit()


def test_not_started_after_a_finished_run_stays(page):
    """The status line tells what happened to the latest press of Train, and keeps saying it."""
    set_value(page, "epochs", 3)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=30)
    for field, value, message in [("hidden-size", "0", "Hidden size H must be"),
                                  ("series-amplitudes", "1e9, 1", "Amplitudes must be"),
                                  ("seq-len", "3498", "Window length L must be at most 628")]:
        set_value(page, field, value)
        page.find_element("#train-button").click()
        page.wait_for_contains_text("#job-status", f"not started: {message}", timeout=5)
        if field == "hidden-size":
            time.sleep(1.5)  # nothing puts the finished run's "done" back
        assert text(page.driver, "job-status").startswith(f"not started: {message}")
        set_value(page, field, {"hidden-size": 32, "series-amplitudes": "1.2, 0.6", "seq-len": 60}[field])


def test_short_runs_in_a_row_all_reach_the_table(page):
    """Five runs pressed one after another each reach the table, and none is reported lost. The same with
    forty runs, and the cap of 16 with its note, is ``python tools/soak.py``; the cap's rule and its note
    are unit tests (test_components.py)."""
    d = page.driver
    set_value(page, "epochs", 2)
    set_value(page, "hidden-size", 4)
    d.execute_script("""
        window.statusSeen = [];
        new MutationObserver(() => window.statusSeen.push(document.getElementById('job-status').textContent))
            .observe(document.getElementById('job-status'), {childList: true, subtree: true, characterData: true});
    """)
    for n in range(1, 6):
        until(lambda: page.find_element("#train-button").get_attribute("disabled") is None, timeout=10)
        page.find_element("#train-button").click()
        until(lambda n=n: labels(d) and labels(d)[0] == f"#{n} NumPy LSTM", timeout=30)
        until(lambda: text(d, "job-status") == "done", timeout=10)
    assert labels(d) == [f"#{n} NumPy LSTM" for n in range(5, 0, -1)]
    assert not [s for s in d.execute_script("return window.statusSeen") if s.startswith("no result")]


def test_slider_boxes_apply_on_enter_and_refuse_letters(page):
    d = page.driver
    set_value(page, "epochs", 2)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=30)
    until(lambda: len(figure(d, "rollout-graph") or []) == 2, timeout=10)
    box = page.find_element("#rollout-steps-box")
    page.clear_input(box)
    box.send_keys("120" + Keys.ENTER)  # Enter applies; the box keeps focus
    until(lambda: len(figure(d, "rollout-graph")[1]["y"]) == 120, timeout=10)
    page.clear_input(box)
    box.send_keys("abc" + Keys.ENTER)
    page.wait_for_contains_text("#rollout-steps-box-feedback", "Rollout length must be a whole number from 10 to 500; "
                                "'abc' is not a number", timeout=5)
    assert len(figure(d, "rollout-graph")[1]["y"]) == 120  # the slider stayed where it was
    gate = page.find_element("#gate-window-box")
    page.clear_input(gate)
    gate.send_keys("269" + Keys.ENTER)
    until(lambda: "test window 269" in d.execute_script(
        "return document.querySelector('#gates-graph .js-plotly-plot').layout.title.text"), timeout=10)


def test_a_job_that_dies_is_reported_lost_and_train_works_again(page):
    """No result ever comes back (here: the job process is killed): the page says so."""
    d = page.driver
    set_value(page, "epochs", 500)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "running", timeout=20)
    for job in job_processes():
        job.kill()
    page.wait_for_contains_text("#job-status", "no result: this run was lost", timeout=20)
    assert page.find_element("#train-button").get_attribute("disabled") is None
    set_value(page, "epochs", 2)
    page.find_element("#train-button").click()
    page.wait_for_text_to_equal("#job-status", "done", timeout=30)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)


def _boxes(d, css):
    return d.execute_script(f"return [...document.querySelectorAll({css!r})].map(e => e.getBoundingClientRect().toJSON())")


def _overlap(a, b):
    return not (a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])


def test_six_runs_compared_with_log_scale_and_gradient_norm_stay_legible(dash_duo, served):
    """Train all once, then the same checks at 1440 and at 800 px."""
    dash_duo.driver.set_window_size(1440, 1000)
    dash_duo.server_url = served
    dash_duo.wait_for_text_to_equal("#job-status", "ready")
    d = dash_duo.driver
    set_value(dash_duo, "epochs", 4)
    set_value(dash_duo, "hidden-size", 4)
    dash_duo.find_element("#train-all-button").click()
    dash_duo.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: len(figure(d, "loss-graph") or []) == 18, timeout=10)
    for option in ("log", "grad"):
        box = dash_duo.find_element(f"#loss-options input[value={option}]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)
    until(lambda: d.execute_script("return document.querySelector('#loss-graph .js-plotly-plot').layout"
                                   ".yaxis2.visible") is True, timeout=5)

    def legend_clear() -> bool:  # the legend (18 entries) sits below the plot and leaves the title alone
        (title,), (legend,), (plot,) = (_boxes(d, f"#loss-graph {c}") for c in (".gtitle", ".legend", ".nsewdrag"))
        return not _overlap(title, legend) and legend["top"] >= plot["bottom"]

    for width in (1440, 800):
        d.set_window_size(width, 1000)
        time.sleep(0.5)
        d.execute_script("document.querySelector('#loss-graph').scrollIntoView({block: 'start'})")
        until(legend_clear, timeout=5)  # a loaded machine may take longer than the sleep to lay out the new axis
        # the right axis's labels do not pile up, and the epoch axis counts whole epochs
        right = _boxes(d, "#loss-graph .y2tick text")
        assert 2 <= len(right) <= 7, width
        assert not any(_overlap(a, b) for i, a in enumerate(right) for b in right[i + 1:]), width
        epochs = d.execute_script("return [...document.querySelectorAll('#loss-graph .xtick text')]"
                                  ".map(e => e.textContent)")
        assert epochs == ["1", "2", "3", "4"], width
        # the gate window: marks under the slider, and shaded on the forecasts
        marks = d.execute_script("return [...document.querySelectorAll('#gate-window .dash-slider-mark')]"
                                 ".map(e => e.textContent)")
        assert marks == ["0", "67", "134", "201", "269"], width
        boxes = _boxes(d, "#gate-window .dash-slider-mark")
        assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), width
    shapes = d.execute_script("return document.querySelector('#forecast-graph .js-plotly-plot').layout.shapes")
    assert any(s.get("type") == "rect" for s in shapes)
    # the current run is the last one trained, PyTorch RNN: a and h, each on a signed scale of its own
    assert [t.get("showscale") for t in figure(d, "gates-graph")] == [True, True]
    assert dash_duo.get_logs() == []


def test_gradient_flow_of_an_rnn_and_an_lstm_compared(page):
    d = page.driver
    set_value(page, "epochs", 5)
    for cell in ("RNN", "LSTM"):
        pick(page, "cell", cell)
        page.find_element("#train-button").click()
        page.wait_for_text_to_equal("#job-status", "done", timeout=30)
        until(lambda cell=cell: labels(d) and labels(d)[0].endswith(f"NumPy {cell}"), timeout=10)
    until(lambda: (figure(d, "gradflow-graph") or [{}])[0].get("type") == "heatmap", timeout=10)
    heat = figure(d, "gradflow-graph")[0]
    assert heat["y"] == [1, 5] and len(heat["x"]) == 60  # epochs measured x window steps
    for box in d.find_elements(By.CSS_SELECTOR, "#runs-table input[type=checkbox]")[:2]:
        d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)
    until(lambda: [t.get("name") for t in figure(d, "gradflow-graph")[1:]] == ["#1 NumPy RNN", "#2 NumPy LSTM"],
          timeout=10)
    note = text(d, "gradflow-note")
    assert "#1 NumPy RNN" in note and "#2 NumPy LSTM" in note


def test_a_tab_opened_from_another_has_its_own_id_and_leaves_the_first_ones_run_alone(page):
    """sessionStorage is copied into a tab opened from this one (and by "Duplicate tab"); the tab id
    lives in the page's memory instead, so a run in the copy does not replace the original's."""
    d = page.driver
    set_value(page, "epochs", 60)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "running", timeout=20)
    original = d.current_window_handle
    first_tab = d.execute_script("return window.gatelabTab")
    d.execute_script("window.open(window.location.href)")
    copy = next(h for h in d.window_handles if h != original)
    d.switch_to.window(copy)
    until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=20)
    assert d.execute_script("return window.gatelabTab") not in (None, first_tab)
    set_value(page, "epochs", 3)
    click(page, "train-button")
    until(lambda: text(d, "job-status") == "done", timeout=60)
    d.close()
    d.switch_to.window(original)
    until(lambda: text(d, "job-status") == "done", timeout=90)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
    assert len(figure(d, "loss-graph")[0]["x"]) == 60  # its own run, whole
