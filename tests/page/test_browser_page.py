"""The page as a class meets it: lessons that fit a screen, a training bar that stays, Pause, Step
and Speed, a plot toolbar that sends nothing away, and axe-core's accessibility rules."""

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from components.page.lessons import LESSONS
from tests.helpers import figure, lesson, survey, text, until, viewport

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"


def loss_epochs(d) -> int:
    return len((figure(d, "loss-graph") or [{}])[0].get("x", []))


def rect(d, element_id: str) -> dict:
    return d.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, height: r.height, width: r.width};", element_id)


def in_view(d, element_id: str) -> bool:
    r = rect(d, element_id)
    return r["height"] > 50 and r["top"] >= 0 and r["bottom"] <= d.execute_script("return window.innerHeight")


def train(d) -> None:
    d.find_element(By.ID, "train-button").click()
    until(lambda: text(d, "job-status") == "done", timeout=60)


def test_each_lesson_fits_its_screen_and_keeps_the_form(lesson_page):
    d = lesson_page.driver
    viewport(d, 1440, 900)
    assert d.find_element(By.ID, "lesson").is_displayed()
    counts = {}
    for name in LESSONS:
        lesson(d, name)
        counts[name] = survey(d)["controls"]
    assert max(counts.values()) <= 25, counts
    # a setting stays as set when its lesson is left and opened again
    lesson(d, "basics")
    box = d.find_element(By.ID, "hidden-size")
    box.clear()
    box.send_keys("24")
    until(lambda: "hidden-size=24" in d.current_url, timeout=5)
    lesson(d, "data")
    assert not box.is_displayed() and d.find_element(By.ID, "series-noise").is_displayed()
    assert "lesson=data" in d.current_url
    lesson(d, "basics")
    assert box.get_attribute("value") == "24"
    # basics: the loss and the forecast side by side, on the screen at once
    train(d)
    assert in_view(d, "loss-graph") and in_view(d, "forecast-graph")
    # inside: the gate heatmaps beside the equations, on the screen at once
    lesson(d, "inside")
    until(lambda: len(figure(d, "gates-graph") or []) >= 5, timeout=10)
    assert in_view(d, "gates-graph") and in_view(d, "equations")
    # at 800 px no lesson is more than two screens tall
    viewport(d, 800, 900)
    for name in LESSONS:
        lesson(d, name)
        page = survey(d)
        assert page["height"] <= 2 * page["viewport"], (name, page)


def test_a_link_and_a_preset_open_their_lesson(lesson_page, served):
    d = lesson_page.driver
    d.find_element(By.XPATH, "//label[text()='Exercise 3: twenty steps ahead']").click()
    until(lambda: "gl-on-ahead" in d.find_element(By.ID, "page").get_attribute("class"), timeout=5)
    assert d.find_element(By.ID, "horizon").get_attribute("value") == "20"
    until(lambda: "lesson=ahead" in d.current_url and "preset=horizon" in d.current_url, timeout=5)
    # the model line names what Train will train, fields of other lessons included
    until(lambda: "horizon k 20" in text(d, "model-summary"), timeout=5)
    d.get(served + "/?lesson=why-gates&cell=rnn")
    until(lambda: "gl-on-why-gates" in d.find_element(By.ID, "page").get_attribute("class"), timeout=10)
    assert d.find_element(By.ID, "gradflow-graph").is_displayed() and not d.find_element(By.ID, "runs-table") \
        .is_displayed()
    until(lambda: text(d, "model-summary").startswith("Train will train: synthetic series, RNN, NumPy, window L"),
          timeout=5)
    assert not d.find_element(By.ID, "model-summary-cell").is_displayed()  # the cell's field is on this lesson
    lesson(d, "ahead")  # it is not on this one, and RNN is not the default: the item is a link to its field
    until(lambda: d.find_element(By.ID, "model-summary-cell").is_displayed(), timeout=5)
    assert not d.find_element(By.ID, "model-summary-ensemble").is_displayed()  # one seed: the default, plain
    d.find_element(By.ID, "model-summary-cell").click()
    until(lambda: "gl-on-basics" in d.find_element(By.ID, "page").get_attribute("class"), timeout=5)
    assert d.find_element(By.ID, "cell").is_displayed()
    d.get(served + "/?lesson=nowhere")
    until(lambda: "no lesson 'nowhere'" in text(d, "url-notice"), timeout=10)
    assert "gl-on-basics" in d.find_element(By.ID, "page").get_attribute("class")


def test_pause_holds_step_adds_one_epoch_and_resume_finishes(lesson_page):
    d = lesson_page.driver
    for field, value in (("hidden-size", "8"), ("epochs", "400")):  # many short epochs: time to pause, little to finish
        box = d.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    until(lambda: "epochs=400" in d.current_url and "hidden-size=8" in d.current_url, timeout=5)
    d.find_element(By.ID, "train-button").click()
    until(lambda: loss_epochs(d) >= 2, timeout=30)
    d.find_element(By.ID, "pause-button").click()
    until(lambda: text(d, "job-status").startswith("paused at epoch"), timeout=30)  # a loaded machine is slow
    assert text(d, "pause-button") == "Resume" and d.find_element(By.ID, "step-button").is_enabled()
    held = loss_epochs(d)
    epoch = int(text(d, "job-status").split()[3].rstrip(":"))
    assert held == epoch  # the curve shows every epoch up to the pause
    # paused, the forecast and the metrics show the model as it is at that epoch
    until(lambda: f"(paused at epoch {epoch})" in text(d, "metrics-table"), timeout=10)
    assert any(t.get("name", "").startswith("NumPy LSTM") for t in figure(d, "forecast-graph"))
    time.sleep(3)
    assert loss_epochs(d) == held  # no epoch in 3 s
    d.find_element(By.ID, "step-button").click()
    until(lambda: text(d, "job-status").startswith(f"paused at epoch {epoch + 1}"), timeout=10)
    assert loss_epochs(d) == held + 1
    time.sleep(1)
    assert loss_epochs(d) == held + 1  # exactly one
    d.find_element(By.ID, "pause-button").click()  # Resume
    until(lambda: text(d, "job-status") == "done", timeout=90)
    assert loss_epochs(d) == 400 and text(d, "pause-button") == "Pause"


def test_slow_trains_about_an_epoch_a_second(lesson_page):
    d = lesson_page.driver
    Select(d.find_element(By.ID, "speed")).select_by_value("slow")
    d.find_element(By.ID, "train-button").click()
    until(lambda: loss_epochs(d) >= 1, timeout=30)
    start, first = time.monotonic(), loss_epochs(d)
    until(lambda: loss_epochs(d) >= first + 5, timeout=30)
    assert time.monotonic() - start >= 4.0
    Select(d.find_element(By.ID, "speed")).select_by_value("full")  # the running job speeds up
    until(lambda: text(d, "job-status") == "done", timeout=60)


def test_share_copies_the_link_with_its_lesson(lesson_page):
    d = lesson_page.driver
    d.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    lesson(d, "ahead")
    until(lambda: "lesson=ahead" in d.current_url, timeout=5)
    d.find_element(By.CSS_SELECTOR, "#share-link button").click()
    until(lambda: "Copied the link of this experiment" in text(d, "share-note"), timeout=5)
    assert "lesson=ahead" in text(d, "share-note")
    copied = d.execute_async_script("navigator.clipboard.readText().then(arguments[arguments.length - 1]);")
    assert copied == d.current_url


def test_the_toolbar_has_no_cloud_and_nothing_leaves_the_server(page):
    d = page.driver
    train(d)
    until(lambda: d.find_elements(By.CSS_SELECTOR, "#loss-graph .modebar-btn"), timeout=10)
    titles = {b.get_attribute("data-title") for b in d.find_elements(By.CSS_SELECTOR, ".modebar-btn")}
    assert titles <= {"Download plot as a PNG", "Reset axes"} and titles, titles
    assert not d.find_elements(By.CSS_SELECTOR, ".modebar-btn--logo, [data-title*='Cloud'], [data-title*='Share']")
    origin = page.server_url.rstrip("/")
    outside = d.execute_script("""
        const origin = arguments[0];
        const urls = [];
        for (const e of document.querySelectorAll('[href], [src], [action], [formaction]')) {
            for (const a of ['href', 'src', 'action', 'formaction']) {
                const v = e.getAttribute(a);
                if (v && !v.startsWith('#') && !v.startsWith('data:') && !v.startsWith('blob:') &&
                    !v.startsWith('javascript:')) { urls.push(new URL(v, document.baseURI).origin); }
            }
        }
        for (const r of performance.getEntriesByType('resource')) { urls.push(new URL(r.name).origin); }
        return urls.filter(u => u !== origin);
    """, origin)
    assert outside == []


def test_axe_finds_nothing_critical_or_serious_on_any_lesson(lesson_page):
    d = lesson_page.driver
    viewport(d, 1440, 900)
    train(d)
    d.execute_script(AXE.read_text())
    found = {}
    for name in LESSONS:
        lesson(d, name)
        violations = d.execute_async_script(
            "axe.run(document, {resultTypes: ['violations']}).then(r => arguments[arguments.length - 1]("
            "r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')"
            ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));")
        if violations:
            found[name] = violations
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_every_control_takes_the_keyboard_and_shows_its_focus(lesson_page):
    d = lesson_page.driver
    body = d.find_element(By.TAG_NAME, "body")
    seen, outlined = [], []
    for _ in range(40):
        body = d.switch_to.active_element
        body.send_keys("\t")
        element = d.switch_to.active_element
        seen.append(element.get_attribute("id") or element.tag_name)
        outlined.append(d.execute_script(
            "const s = getComputedStyle(arguments[0]); return s.outlineStyle !== 'none' && s.outlineWidth !== '0px' "
            "|| s.boxShadow !== 'none';", element))
    for control in ("lesson-input-basics", "train-button", "speed", "hidden-size"):
        assert control in seen, seen
    assert all(outlined), [s for s, o in zip(seen, outlined) if not o]


def test_each_glossary_terms_sentence_is_reached_with_the_keyboard(lesson_page):
    """Tab from a lesson's button reaches each term its text marks; focused, the term shows its sentence, and
    names the glossary's entry that screen readers read."""
    from components.page.glossary import TERMS, marks

    d = lesson_page.driver
    reached = {}
    for name, one in LESSONS.items():
        terms = marks(one.intro)
        if not terms:
            continue
        lesson(d, name)
        d.find_element(By.ID, f"lesson-input-{name}").send_keys("")  # the keyboard starts at the lesson's button
        for _ in range(80):
            d.switch_to.active_element.send_keys("\t")
            element = d.switch_to.active_element
            key = element.get_attribute("data-term")
            if key and key not in reached:
                shown = d.execute_script("return getComputedStyle(arguments[0], '::after').content", element)
                described = d.find_element(By.ID, element.get_attribute("aria-describedby")).get_attribute(
                    "textContent")
                reached[key] = (shown.strip('"'), described)
            if all(t in reached for t in terms):
                break
        assert all(t in reached for t in terms), (name, terms, sorted(reached))
    assert sorted(reached) == sorted(TERMS)
    for key, (shown, described) in reached.items():
        assert shown == TERMS[key] and described == TERMS[key], key


def test_on_a_phone_train_and_the_status_stay_on_the_screen(lesson_page):
    d = lesson_page.driver
    viewport(d, 390, 844)
    assert rect(d, "train-button")["bottom"] <= 844 and rect(d, "job-status")["bottom"] <= 844
    train(d)
    for name in LESSONS:
        lesson(d, name)
        d.execute_script("window.scrollTo({top: document.documentElement.scrollHeight / 2, behavior: 'instant'});")
        assert 0 <= rect(d, "train-button")["top"] and rect(d, "job-status")["bottom"] <= 844, name  # it stays
        # no table or chart runs off the screen, unless inside something that scrolls sideways
        wide = d.execute_script("""
            return [...document.querySelectorAll('table, .js-plotly-plot')].filter(e => e.getClientRects().length)
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
                    const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') { return false; } }
                    return true; }).map(e => e.id || e.className);
        """)
        assert wide == [], (name, wide)
        d.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
