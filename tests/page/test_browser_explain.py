"""Explain the number (issue 21), in the page: a heatmap cell's arithmetic, the saliency beside the
statistics, the what-if window, one cursor across the views, and the parity meter of Train all."""

import math

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from models.cells.arithmetic import unit_arithmetic
from models.config import ExperimentConfig, TrainConfig
from models.experiment import run_experiment
from models.run import restore
from tests.helpers import click, figure, set_value, text, until

pytestmark = pytest.mark.browser

EPOCHS = 3
NUMBERS = ("return Array.from(document.querySelectorAll('#cell-explain [data-name]'))"
           ".map(e => [e.dataset.name, parseFloat(e.dataset.value)]);")
# where a heatmap cell (x = step, y = unit) of subplot ``axis`` lies, from the element's centre (where
# ``move_to_element`` puts the mouse, whatever Selenium's version)
CELL_AT = """
const gd = document.querySelector('#gates-graph .js-plotly-plot'), fl = gd._fullLayout;
const xa = fl['xaxis' + arguments[0]], ya = fl['yaxis' + arguments[0]];
const box = gd.getBoundingClientRect();
return [xa._offset + xa.l2p(arguments[1]) - box.width / 2, ya._offset + ya.l2p(arguments[2]) - box.height / 2];
"""


def train(page, epochs: int = EPOCHS, button: str = "train-button") -> None:
    set_value(page, "epochs", epochs)
    click(page, button)
    page.wait_for_text_to_equal("#job-status", "done", timeout=120)


def shown_numbers(driver) -> dict[str, float]:
    return dict(driver.execute_script(NUMBERS))


def test_clicking_a_forget_gate_cell_shows_its_arithmetic_with_the_models_numbers(page):
    d = page.driver
    train(page)
    until(lambda: figure(d, "gates-graph") and len(figure(d, "gates-graph")) == 5, timeout=20)
    graph = d.find_element(By.CSS_SELECTOR, "#gates-graph .js-plotly-plot")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", graph)
    dx, dy = d.execute_script(CELL_AT, 2, 10, 3)  # the forget gate is the second heatmap
    ActionChains(d).move_to_element(graph).move_by_offset(round(dx), round(dy)).click().perform()
    until(lambda: "Unit 3 at step 10 of test window 0" in text(d, "cell-explain"), timeout=10)
    assert d.find_element(By.ID, "explain-gate").get_attribute("value") == "f"
    got = shown_numbers(d)
    # the page's own heatmap holds the model's forget gate there (rounded to 4 decimals for the colours)
    z = d.execute_script("return document.querySelector('#gates-graph .js-plotly-plot').data[1].z[3][10]")
    assert got["f.value"] == pytest.approx(z, abs=5e-5 + 1e-9)
    # the sum the page shows adds up, and the gate is its sigmoid
    pre = got["f.w_x0"] * got["f.x0"] + got["f.b_ih"] + got["f.recurrent"] + got["f.b_hh"]
    assert got["f.pre"] == pytest.approx(pre, abs=1e-6)
    assert got["f.value"] == pytest.approx(1 / (1 + math.exp(-got["f.pre"])), abs=1e-6)
    terms = [k for k in got if k.startswith("f.term")]
    assert len(terms) == 3 and sum(got[k] for k in terms) + got["f.rest"] == pytest.approx(got["f.recurrent"],
                                                                                              abs=1e-6)
    # every number against the model's own: the same run trained here (training is deterministic) and
    # its arithmetic recomputed from its weights
    run = run_experiment(ExperimentConfig(train=TrainConfig(epochs=EPOCHS)))
    model = restore(run)
    state = model.model_.state_dict()
    params = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    want = unit_arithmetic("lstm", model.prep_.test.X[0], params, 10, 3)
    f, h_row = want["f"], 32 + 3  # the forget gate's row of the layer: block 1
    assert got["f.w_x0"] == pytest.approx(float(state["rnn.weight_ih_l0"][h_row, 0]), abs=1e-6)
    for name, value in [("f.pre", f.pre), ("f.value", f.value), ("f.b_ih", f.bias_ih), ("f.x0", f.inputs[0].value),
                        ("f.recurrent", sum(t.product for t in f.recurrent)), ("c.value", want["c"].value),
                        ("h.value", want["h"].value), ("i.value", want["i"].value), ("o.pre", want["o"].pre)]:
        assert got[name] == pytest.approx(value, abs=1e-6), name
    # with the keyboard: another unit and step
    set_value(page, "explain-unit", 5)
    set_value(page, "explain-step", 20)
    d.find_element(By.ID, "explain-unit").click()  # leaving the field sends it
    until(lambda: "Unit 5 at step 20" in text(d, "cell-explain"), timeout=10)
    assert shown_numbers(d)["f.value"] == pytest.approx(unit_arithmetic("lstm", model.prep_.test.X[0], params, 20,
                                                                        5)["f"].value, abs=1e-6)
    set_value(page, "explain-unit", 40)
    d.find_element(By.ID, "explain-step").click()
    page.wait_for_contains_text("#cell-explain", "Unit must be a whole number from 0 to 31", timeout=10)


def test_the_saliency_graph_sets_the_network_beside_acf_pacf_and_the_ar_on_the_same_lags(page):
    d = page.driver
    train(page)
    until(lambda: figure(d, "saliency-graph") and len(figure(d, "saliency-graph")) == 5, timeout=20)
    traces = {t["meta"]: t for t in figure(d, "saliency-graph")}
    assert set(traces) == {"chosen", "mean", "acf", "pacf", "ar"}
    for t in traces.values():
        assert t["x"] == list(range(1, 61))  # lags 1 .. L, one axis for all
    assert all(v >= 0 for v in traces["chosen"]["y"]) and max(traces["mean"]["y"]) > 0
    acf = np.array(traces["acf"]["y"])
    assert 48 <= int(np.argmax(acf[40:])) + 41 <= 52  # the period of 50 shows in the statistics
    assert "Largest here: the network (mean) at lags" in text(d, "saliency-note")


def test_typing_a_window_point_changes_the_forecast_and_the_saliency_and_reset_returns(page):
    d = page.driver
    train(page)
    page.wait_for_contains_text("#whatif-note", "Test window 0: its forecast of step 630 is", timeout=20)
    before = text(d, "whatif-note").split(" is ")[1].split(".")[0:2]
    until(lambda: figure(d, "saliency-graph") and len(figure(d, "saliency-graph")) == 5, timeout=20)
    chosen = figure(d, "saliency-graph")[0]["y"]
    set_value(page, "whatif-step", 59)
    set_value(page, "whatif-value", 3)
    d.find_element(By.ID, "whatif-value").send_keys("\n")  # Enter sets it, as the button does
    page.wait_for_contains_text("#whatif-note", "With step 59 to 3: the forecast is", timeout=10)
    note = text(d, "whatif-note")
    new, old = (float(s.split(" ")[0]) for s in note.split("the forecast is ")[1].split(" instead of "))
    assert new != old and f"{old:.4f}" == ".".join(before)[:len(f"{old:.4f}")]
    until(lambda: figure(d, "saliency-graph")[0]["y"] != chosen, timeout=10)
    assert figure(d, "saliency-graph")[0]["name"] == "edited window"
    until(lambda: "as edited in the what-if view" in d.execute_script(
        "return document.querySelector('#gates-graph .js-plotly-plot').layout.title.text"), timeout=10)
    assert [t["name"] for t in figure(d, "whatif")][-1] == "forecast if edited"
    set_value(page, "whatif-value", 1e9)
    click(page, "whatif-set")
    page.wait_for_contains_text("#whatif-feedback", "Value must be a number from", timeout=10)
    click(page, "whatif-reset")
    page.wait_for_contains_text("#whatif-note", "Test window 0: its forecast of step 630 is", timeout=10)
    until(lambda: figure(d, "saliency-graph")[0]["y"] == chosen, timeout=10)


def test_hovering_a_step_on_the_forecasts_marks_it_on_the_gates_and_back(page):
    d = page.driver
    train(page)
    set_value(page, "gate-window-box", 100)  # steps 670 .. 729: inside the forecasts' test part
    d.find_element(By.ID, "epochs").click()
    until(lambda: "test window 100" in d.execute_script(
        "return document.querySelector('#gates-graph .js-plotly-plot').layout.title.text"), timeout=10)
    graph = d.find_element(By.CSS_SELECTOR, "#forecast-graph .js-plotly-plot")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", graph)
    # the truth's point at step 700: hover it where Plotly draws it
    x, y = d.execute_script("""
        const gd = arguments[0], fl = gd._fullLayout, box = gd.getBoundingClientRect();
        const i = gd.data[0].x.indexOf(700);
        return [fl.xaxis._offset + fl.xaxis.l2p(700) - box.width / 2,
                fl.yaxis._offset + fl.yaxis.l2p(gd.data[0].y[i]) - box.height / 2];""", graph)
    ActionChains(d).move_to_element(graph).move_by_offset(round(x), round(y)).perform()
    cursor = ("return (document.querySelector('#%s .js-plotly-plot').layout.shapes || [])"
              ".filter(s => s.name === 'cursor')")
    until(lambda: len(d.execute_script(cursor % "gates-graph")) == 1, timeout=5)
    assert d.execute_script(cursor % "gates-graph")[0]["x0"] == 30  # step 700 is step 30 of window 100
    assert d.execute_script(cursor % "rollout-graph")[0]["x0"] == 700  # the rollout runs from step 630 on
    # and back: step 10 of the window on the heatmaps is step 680 of the series on the forecasts
    gates = d.find_element(By.CSS_SELECTOR, "#gates-graph .js-plotly-plot")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", gates)
    dx, dy = d.execute_script(CELL_AT, 2, 10, 3)
    ActionChains(d).move_to_element(gates).move_by_offset(round(dx), round(dy)).perform()
    until(lambda: [s["x0"] for s in d.execute_script(cursor % "forecast-graph")] == [680], timeout=5)
    assert [s["x0"] for s in d.execute_script(cursor % "rollout-graph")] == [680]


def test_the_parity_meter_shows_every_epoch_of_train_all(page):
    d = page.driver
    train(page, epochs=2, button="train-all-button")
    until(lambda: len(d.find_elements(By.CSS_SELECTOR, "#parity-meter tr[data-cell]")) == 3, timeout=10)
    rows = d.find_elements(By.CSS_SELECTOR, "#parity-meter tr[data-cell]")
    assert [r.get_attribute("data-cell") for r in rows] == ["lstm", "gru", "rnn"]
    for r in rows:
        cells = r.find_elements(By.TAG_NAME, "td")
        assert cells[1].text == "2 of 2"
        weights = float(cells[3].get_attribute("data-value"))
        forecasts = float(cells[5].get_attribute("data-value"))
        assert 0 <= weights < 1e-5 and 0 <= forecasts < 1e-4
