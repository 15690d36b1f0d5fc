"""The page shows the run that was made, and what it says is true (issue 18): "done" once the run is
drawn, presets that say when the form has left them and travel in links, a replay that pauses and
marks its epoch, and labels that stay clear of each other at 800 and 1440 px."""

import time

import pytest
from selenium.webdriver.common.by import By

from components.page.presets import PRESETS
from tests.helpers import click, lesson, pick, run_labels as labels, set_value, settled, text, until

pytestmark = pytest.mark.browser

RECT = "const b = arguments[0].getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom];"


def rects(driver, selector: str) -> list[list[float]]:
    """[left, top, right, bottom] of each element ``selector`` finds, in page order."""
    return [driver.execute_script(RECT, e) for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def overlap(a, b, slack: float = 1.0) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def layout_prop(driver, graph_id: str, path: str):
    return driver.execute_script(f"return document.querySelector('#{graph_id} .js-plotly-plot').layout.{path}")


def test_done_shows_only_once_the_new_run_is_in_results(page):
    """Before, "done" came about a second before the Results card showed the run."""
    d = page.driver
    set_value(page, "epochs", 4)
    d.execute_script("""
        window.atDone = null;
        const status = document.getElementById('job-status');
        new MutationObserver(() => {
            if (status.innerText === 'done' && window.atDone === null) {
                const gates = document.querySelector('#gates-graph .js-plotly-plot');
                window.atDone = {table: document.getElementById('metrics-table').innerText,
                                 bar: document.getElementById('progress-bar').innerText};
            }
        }).observe(status, {childList: true, subtree: true, characterData: true});""")
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    seen = d.execute_script("return window.atDone")
    assert "#1 NumPy LSTM" in seen["table"] and seen["bar"] == "done", seen
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=5)


def test_a_preset_travels_in_the_link_and_the_form_says_when_it_has_left_it(dash_duo, served):
    page = dash_duo
    page.server_url = served
    page.wait_for_text_to_equal("#job-status", "ready")
    d = page.driver
    pick(page, "preset", PRESETS["notebook"].label)
    until(lambda: "preset=notebook" in d.current_url and "epochs=80" in d.current_url, timeout=5)
    assert text(d, "preset-drift") == ""
    set_value(page, "epochs", 40)
    lesson(d, "ahead")  # the horizon is a setting of its own lesson; the drift line shows on every lesson
    set_value(page, "horizon", 10)
    page.wait_for_contains_text("#preset-drift", "Changed since the preset \u201cThe original notebook\u201d: "
                                "Epochs, Horizon k (steps ahead).", timeout=5)
    until(lambda: "preset=" not in d.current_url and "horizon=10" in d.current_url, timeout=5)
    lesson(d, "basics")
    set_value(page, "epochs", 80)
    lesson(d, "ahead")
    set_value(page, "horizon", 1)
    until(lambda: text(d, "preset-drift") == "" and "preset=notebook" in d.current_url, timeout=5)
    # a student opens the teacher's link: the preset is chosen and its "what to look for" line shows
    d.get(served + "/?preset=notebook&transform=none&epochs=80")
    until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=30)
    until(lambda: d.find_element(By.CSS_SELECTOR, "#preset input[value=notebook]").is_selected(), timeout=10)
    assert text(d, "preset-note") == PRESETS["notebook"].look_for
    assert d.find_element(By.ID, "epochs").get_attribute("value") == "80" and text(d, "preset-drift") == ""
    # a short link with the preset alone fills its values; an unknown preset is named in the notice
    d.get(served + "/?preset=sunspots")
    until(lambda: d.find_elements(By.ID, "seq-len") and d.find_element(By.ID, "seq-len").get_attribute("value") == "11",
          timeout=30)
    assert d.find_element(By.CSS_SELECTOR, "#dataset input[value=sunspots]").is_selected()
    d.get(served + "/?preset=nonsense&epochs=5")
    until(lambda: d.find_elements(By.ID, "url-notice") and "there is no preset 'nonsense'" in text(d, "url-notice"),
          timeout=30)
    assert d.find_element(By.ID, "epochs").get_attribute("value") == "5"
    assert page.get_logs() == []


def replay_note(d) -> str:
    return text(d, "replay-note")


def shapes(d) -> list:
    """The loss chart's shapes: the replay's marker, or none."""
    return d.execute_script("return document.querySelector('#loss-graph .js-plotly-plot').layout.shapes || []")


def test_the_replay_pauses_at_every_press_plays_at_the_chosen_speed_and_marks_its_epoch(page):
    d = page.driver
    set_value(page, "epochs", 14)  # a snapshot an epoch: room for two pauses and the rest played out
    set_value(page, "hidden-size", 6)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    until(lambda: "after training (14 epochs)" in replay_note(d), timeout=10)
    assert shapes(d) == []  # at the end, no marker
    d.find_element(By.CSS_SELECTOR, "#replay-speed option[value=fast]").click()
    for _ in range(2):  # Play, then Pause as soon as it has moved: it stays where it paused
        before = replay_note(d)
        click(page, "replay-play")
        until(lambda: replay_note(d) != before, timeout=10)
        if "after training" in replay_note(d):  # a short replay may play out before Pause is pressed
            break
        click(page, "replay-play")
        # (had the replay played out just before this press, the press plays it again, and it ends anew)
        until(lambda: page.find_element("#replay-play").text == "Play", timeout=30)
        time.sleep(0.3)  # a step already on its way may still land
        paused = replay_note(d)
        time.sleep(1.0)  # four steps at the fast speed
        assert replay_note(d) == paused, "the replay went on after Pause"
        if "after training" in paused:
            break
        epoch = int(paused.split("after epoch ")[1].split()[0])
        until(lambda: [(m["x0"], m["label"]["text"]) for m in shapes(d)] == [(epoch, f"replay: epoch {epoch}")],
              timeout=10)
    # the fast speed: the rest of the replay plays out in a few seconds (normal takes 0.6 s a step)
    click(page, "replay-play")
    until(lambda: "after training" in replay_note(d), timeout=40)  # a few seconds here; more on a loaded machine
    until(lambda: shapes(d) == [], timeout=5)


def test_labels_and_lists_stay_clear_of_each_other(dash_duo, served):
    """At 800 and at 1440 px wide, on one page resized: the preset list and the replay slider before a run, the
    loss chart's axes and the heatmaps' colour bars after one."""
    page = dash_duo
    d = page.driver
    d.set_window_size(800, 900)
    page.server_url = served
    page.wait_for_text_to_equal("#job-status", "ready")

    def lists() -> None:
        # the preset list: every name whole, every entry inside the controls card, all of them seen at once
        card = d.find_element(By.CSS_SELECTOR, ".controls-col .card")
        box = d.execute_script(RECT, card)
        d.execute_script("arguments[0].scrollIntoView({block: 'start'});", d.find_element(By.ID, "preset"))
        names = d.find_elements(By.CSS_SELECTOR, "#preset label")
        assert [n.text for n in names] == [p.label for p in PRESETS.values()]
        for name in names:
            r = d.execute_script(RECT, name)
            assert r[2] <= box[2] and d.execute_script(
                "return arguments[0].scrollWidth <= arguments[0].clientWidth + 1", name), name.text
        top, bottom = rects(d, "#preset label")[0][1], rects(d, "#preset label")[-1][3]
        assert bottom - top < box[3] - box[1], "the preset list is taller than its card"
        # the empty replay slider: its "end" mark clear of the Play button
        play = rects(d, "#replay-play")[0]
        assert all(not overlap(play, m) and m[0] >= play[2] for m in rects(d, "#replay-slider .dash-slider-mark"))

    def charts() -> None:
        # the gradient-norm axis: a few ticks, none on another, and its title clear of the toolbar
        ticks = rects(d, "#loss-graph .y2tick text")
        assert 2 <= len(ticks) <= 7, len(ticks)
        assert not any(overlap(a, b, 0) for i, a in enumerate(ticks) for b in ticks[i + 1:])
        toolbar = rects(d, "#loss-graph .modebar")[0]
        assert not overlap(rects(d, "#loss-graph .g-y2title")[0], toolbar)
        # the gate and gradient-flow colour bars' titles clear of their toolbars
        for graph in ("gates-graph", "gradflow-graph"):
            toolbar = rects(d, f"#{graph} .modebar")[0]
            assert all(not overlap(t, toolbar) for t in rects(d, f"#{graph} .cbtitle")), graph
        # each gate's title sits below the heatmap above it
        plots = sorted(rects(d, "#gates-graph .nsewdrag"), key=lambda r: r[1])
        titles = [r for r in rects(d, "#gates-graph .annotation-text") if r[1] > plots[0][1] - 40]
        assert len(plots) == 2 and len(titles) >= 2
        assert all(t[1] >= plots[0][3] - 1 for t in sorted(titles, key=lambda r: r[1])[1:]), (plots, titles)

    lists()
    d.set_window_size(1440, 900)
    settled(lists)
    pick(page, "cell", "RNN")
    set_value(page, "epochs", 6)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    for option in d.find_elements(By.CSS_SELECTOR, "#loss-options input"):
        d.execute_script("arguments[0].click();", option)
    until(lambda: layout_prop(d, "loss-graph", "yaxis2.visible") and layout_prop(d, "loss-graph", "yaxis.type") == "log",
          timeout=5)
    until(lambda: len(rects(d, "#gates-graph .cbtitle")) == 2 and rects(d, "#gradflow-graph .cbtitle"), timeout=10)
    settled(charts)
    d.set_window_size(800, 900)
    settled(charts)
    assert page.get_logs() == []
