"""Real data in headless Chromium: the bundled data sets, a CSV upload, downloads and a run shown again."""

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.helpers import click, everything, figure, pick, run_labels as labels, run_notebook, set_value, text, until

pytestmark = pytest.mark.browser


def upload(dash_duo, upload_id, path):
    dash_duo.driver.find_element(By.CSS_SELECTOR, f"#{upload_id} input[type=file]").send_keys(str(path))


def downloaded(dash_duo, suffix, timeout=10):
    folder = Path(dash_duo.download_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no *{suffix} in {folder}: {list(folder.iterdir())}")


def test_each_bundled_data_set_fills_its_settings_and_trains(page):
    """The three bundled data sets one after another on one page, each trained once, then back to the synthetic
    series."""
    from data.datasets import DATASETS
    from models.knobs import BY_KEY

    d = page.driver
    set_value(page, "horizon", 10)  # as lesson 4 may leave it: the Nile's ensemble of one-step models adjusts it
    for n, (name, title, points) in enumerate([("nile", "Nile flow at Aswan", 100), ("co2", "Mauna Loa CO2", 2284),
                                               ("sunspots", "Sunspot numbers", 309)], start=1):
        pick(page, "dataset", next(el.text for el in d.find_elements(By.CSS_SELECTOR, "#dataset label")
                                   if el.text.startswith(title)))
        until(lambda: page.find_element("#synthetic-fields").get_attribute("hidden") is not None, timeout=5)
        until(lambda points=points: f"{points} points" in text(d, "dataset-note"), timeout=5)
        until(lambda points=points: len(figure(d, "series-preview")[0]["y"]) == points, timeout=10)
        if n == 1:  # the later choice adjusted the field it conflicts with, and said so
            until(lambda: page.find_element("#horizon").get_attribute("value") == "1", timeout=5)
            assert "Horizon k (steps ahead) went back to 1" in text(d, "proposal-note")
        until(lambda name=name: page.find_element("#seq-len").get_attribute("value")
              == str(DATASETS[name].defaults["seq-len"]), timeout=5)
        for key in ("power", "ensemble"):  # the settings chosen for it (tools/dataset_defaults.py) come too
            field = "input:checked" if key == "power" else ""
            shown = page.find_element(f"#{key} {field}".strip()).get_attribute("value")
            assert shown == str(DATASETS[name].defaults.get(key, BY_KEY[key].default)), (name, key)
        set_value(page, "ensemble", 1)  # one model of a few epochs: this test is about the data
        set_value(page, "epochs", 2)
        click(page, "train-button")
        until(lambda n=n: labels(d) and labels(d)[0] == f"#{n} NumPy LSTM", timeout=60)
        until(lambda: text(d, "job-status") == "done", timeout=10)
        until(lambda: "seasonal naive" in text(d, "metrics-table"), timeout=10)  # its own callback may draw later
        times = DATASETS[name].load()[0]
        split = int(points * 0.7)
        axis = "date" if name == "co2" else "year"  # its own time labels, not steps
        until(lambda times=times, split=split: str((figure(d, "forecast-graph") or [{}])[0].get("x", [None])[0])
              == times[split], timeout=10)
        assert str(figure(d, "series-preview")[0]["x"][0]) == times[0]
        for graph in ("series-preview", "forecast-graph", "rollout-graph"):
            assert d.execute_script(f"return document.querySelector('#{graph} .js-plotly-plot').layout.xaxis.title"
                                    ".text") == axis, (name, graph)
    pick(page, "dataset", "synthetic")
    until(lambda: page.find_element("#seq-len").get_attribute("value") == "60", timeout=5)
    assert page.find_element("#synthetic-fields").get_attribute("hidden") is None


@pytest.mark.jupyter  # the notebook it downloads is executed by nbclient
def test_upload_a_csv_choose_the_column_fill_holes_and_train(page, tmp_path):
    d = page.driver
    t = np.arange(200)
    flow = np.sin(t / 5.0) * 10 + 50
    frame = pd.DataFrame({"year": 1800 + t, "flow": flow.round(3).astype(object)})
    frame.loc[[10, 50, 51], "flow"] = ["", "n/a", ""]
    good = tmp_path / "river.csv"
    frame.to_csv(good, index=False)
    pick(page, "dataset", "my CSV file")
    click(page, "train-button")
    page.wait_for_contains_text("#job-status", "not started: My CSV file: no CSV file yet", timeout=5)
    upload(page, "upload-data", good)
    page.wait_for_contains_text("#upload-status", "Read river.csv: 200 rows; numeric columns: year, flow", timeout=10)
    assert "Column 'flow' has 3 empty or non-numeric cell(s)" in text(d, "upload-status")
    page.wait_for_contains_text("#proposal-note", "Proposed from the data: no season (yearly or irregular dates); "
                                "window 12", timeout=10)
    assert page.find_element("#ensemble").get_attribute("value") == "5"  # a short series: five seeds
    set_value(page, "seq-len", 20)
    set_value(page, "epochs", 2)
    set_value(page, "ensemble", 1)
    click(page, "train-button")
    page.wait_for_contains_text("#job-status", "not started: My CSV file: column 'flow' has 3 empty", timeout=5)
    # before the choice, the preview shows this file's column with its holes, not the data shown before
    until(lambda: "flow, 3 empty cell(s)" in d.execute_script(
        "return document.querySelector('#series-preview .gtitle').textContent"), timeout=10)
    pick(page, "missing-cells", "interpolate them")
    page.wait_for_contains_text("#upload-status", "each is filled in on the straight line", timeout=5)
    assert "choose below" not in text(d, "upload-status")
    until(lambda: len((figure(d, "series-preview") or [{}])[0].get("y", [])) == 200, timeout=10)
    assert figure(d, "series-preview")[0]["x"][:2] == [1800, 1801]  # the time column's years are the axis
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
    until(lambda: figure(d, "forecast-graph")[0]["x"][0] == 1940, timeout=10)  # step 140
    click(page, "download-notebook")  # the run as a notebook: the file's data travels inside it
    notebook = downloaded(page, ".ipynb").read_text()
    assert json.loads(notebook)["metadata"]["gatelab"]["run"] == "#1 NumPy LSTM"
    (tmp_path / "run").mkdir()
    mse, _ = run_notebook(notebook, tmp_path / "run")
    assert mse == pytest.approx(json.loads(notebook)["metadata"]["gatelab"]["test_mse"], rel=1e-6)
    pick(page, "missing-cells", "drop them")
    page.wait_for_contains_text("#upload-status", "they are dropped, and 197 rows are left", timeout=5)
    # a file that is not UTF-8, and one without numbers: a message, and the good file stays
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("année,débit\n1,2\n".encode("latin-1"))
    upload(page, "upload-data", bad)
    page.wait_for_contains_text("#upload-status", "Not read: latin1.csv is not UTF-8 text", timeout=10)
    words = tmp_path / "words.csv"
    words.write_text("a,b\nx,y\nz,w\n")
    upload(page, "upload-data", words)
    page.wait_for_contains_text("#upload-status", "Not read: words.csv has no numeric column", timeout=10)
    set_value(page, "seq-len", 150)
    page.wait_for_contains_text("#seq-len-feedback", "must be at most 135 for a series of 197 points", timeout=5)


def test_downloads_load_back_and_a_run_record_shows_again(page):
    d = page.driver
    set_value(page, "epochs", 3)
    set_value(page, "hidden-size", 6)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
    click(page, "download-weights")
    weights = np.load(downloaded(page, ".npz"))
    click(page, "download-forecasts")
    forecasts = pd.read_csv(downloaded(page, "-forecasts.csv"))
    # the README's recipe: PyTorch's own layers take the weights as they are and make the page's forecasts
    net = torch.nn.Module()
    net.rnn, net.head = torch.nn.LSTM(1, 6, batch_first=True), torch.nn.Linear(6, 1)
    net.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    x = torch.tensor(forecasts["input"].dropna().to_numpy(), dtype=torch.float32)
    rows = forecasts.dropna(subset=["one_step"])
    windows = x.unfold(0, 60, 1)[: len(rows), :, None]
    with torch.no_grad():
        out = net.head(net.rnn(windows)[0][:, -1])[:, 0].numpy()
    np.testing.assert_allclose(rows["offset"] + rows["gain"] * out, rows["one_step"], rtol=1e-5, atol=1e-5)
    click(page, "download-run")
    record = downloaded(page, ".json")
    assert json.loads(record.read_text())["schema"] == "gatelab.run"
    click(page, "download-runs")
    table = pd.read_csv(downloaded(page, "gatelab-runs.csv"))
    assert table["label"].tolist() == ["#1 NumPy LSTM"] and table["epochs"].tolist() == [3]
    upload(page, "upload-run", record)
    until(lambda: labels(d) == ["#2 NumPy LSTM", "#1 NumPy LSTM"], timeout=10)
    assert "Shown again from" in text(d, "runs-note")
    tampered = record.with_name("tampered.json")
    data = json.loads(record.read_text())
    data["metrics"]["mse"] = 0.0
    tampered.write_text(json.dumps(data))
    upload(page, "upload-run", tampered)
    page.wait_for_contains_text("#runs-note", "Not shown: tampered.json: this run record was changed after it "
                                "was made", timeout=10)


def test_a_preset_fills_every_control_and_says_what_to_look_for(page):
    d = page.driver
    set_value(page, "epochs", 7)
    pick(page, "preset", "Exercise 2: a longer season")
    until(lambda: page.find_element("#series-periods").get_attribute("value") == "50, 120", timeout=5)
    assert page.find_element("#seq-len").get_attribute("value") == "40"
    assert page.find_element("#epochs").get_attribute("value") == "60"  # every control: back to the reference
    assert "never holds a whole cycle" in text(d, "preset-note")
    until(lambda: "series-periods=50%2C+120" in d.current_url and "seq-len=40" in d.current_url, timeout=5)
    pick(page, "preset", "Real data: sunspots")
    until(lambda: page.find_element("#seq-len").get_attribute("value") == "11", timeout=5)
    assert page.find_element("#dataset input[value=sunspots]").is_selected()


def test_a_link_restores_the_experiment_and_a_tampered_one_falls_back_with_a_notice(dash_duo, served):
    from tests.helpers import browser

    other = browser()
    try:
        other.get(served + "/?dataset=nile&cell=gru&hidden-size=16&seq-len=30")
        until(lambda: other.find_elements(By.ID, "job-status") and text(other, "job-status") == "ready", timeout=30)
        until(lambda: other.find_element(By.ID, "seq-len").get_attribute("value") == "30", timeout=10)
        assert other.find_element(By.ID, "hidden-size").get_attribute("value") == "16"
        assert other.find_element(By.CSS_SELECTOR, "#cell input[value=gru]").is_selected()
        assert other.find_element(By.CSS_SELECTOR, "#dataset input[value=nile]").is_selected()
        from data.datasets import DATASETS

        assert other.find_element(By.ID, "epochs").get_attribute("value") == str(DATASETS["nile"].defaults["epochs"])
        assert text(other, "url-notice") == ""
        other.get(served + "/?hidden-size=99999&cell=elman&epochs=ten&colour=red&dataset=upload&seq-len=25")
        until(lambda: other.find_elements(By.ID, "url-notice") and "so the fields keep their defaults" in text(other, "url-notice"),
              timeout=30)
        notice = text(other, "url-notice")
        assert all(n in notice for n in ("Hidden size H", "Cell", "Epochs", "an uploaded CSV file stays", "colour"))
        assert other.find_element(By.ID, "hidden-size").get_attribute("value") == "32"
        assert other.find_element(By.ID, "seq-len").get_attribute("value") == "25"
        assert other.get_log("browser") == []
    finally:
        other.quit()


def test_the_replay_slider_redraws_the_forecasts_as_they_were(page):
    d = page.driver
    set_value(page, "epochs", 10)
    set_value(page, "hidden-size", 6)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy LSTM"] and "after training (10 epochs)" in text(d, "replay-note")
          and len(figure(d, "forecast-graph") or []) == 2 and len(figure(d, "gates-graph") or []) == 5, timeout=10)
    final = figure(d, "forecast-graph")[1]["y"]
    gates = figure(d, "gates-graph")[0]["z"]
    c_range = figure(d, "gates-graph")[4]["zmax"]
    handle = d.find_element(By.CSS_SELECTOR, "#replay-slider [role=slider]")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
    handle.send_keys(Keys.HOME)
    until(lambda: text(d, "replay-note").startswith("#1 NumPy LSTM as it was after epoch 1 of 10"), timeout=10)
    until(lambda: figure(d, "forecast-graph")[1]["y"] != final, timeout=10)
    until(lambda: figure(d, "gates-graph")[0]["z"] != gates, timeout=10)
    assert figure(d, "gates-graph")[4]["zmax"] == c_range  # every frame of a run on the same colour range
    click(page, "replay-play")
    until(lambda: "after training" in text(d, "replay-note"), timeout=20)  # played to the end
    until(lambda: figure(d, "forecast-graph")[1]["y"] == final, timeout=10)
    assert page.find_element("#replay-play").text == "Play"


@pytest.fixture
def short_settings(tmp_path):
    from components.server.settings import Settings

    return Settings(cache_dir=tmp_path / "cache", max_length=1000)


def test_a_csv_longer_than_the_servers_length_is_refused_and_one_at_it_trains(dash_duo, short_settings, tmp_path):
    from app import create_app
    from tests.helpers import serve

    url, stop = serve(create_app(short_settings))
    try:
        dash_duo.server_url = url
        dash_duo.wait_for_text_to_equal("#job-status", "ready")
        everything(dash_duo.driver)
        pick(dash_duo, "dataset", "my CSV file")
        t = np.arange(1001)
        long = tmp_path / "long.csv"
        pd.DataFrame({"value": np.sin(t / 6.0).round(4)}).to_csv(long, index=False)
        upload(dash_duo, "upload-data", long)
        dash_duo.wait_for_contains_text("#upload-status", "Not read: long.csv has more than 1000 rows; this server "
                                        "trains on series of at most 1000 points (GATELAB_MAX_LENGTH)", timeout=10)
        ok = tmp_path / "ok.csv"
        pd.DataFrame({"value": np.sin(t[:1000] / 6.0).round(4)}).to_csv(ok, index=False)
        upload(dash_duo, "upload-data", ok)
        dash_duo.wait_for_contains_text("#upload-status", "Read ok.csv: 1000 rows", timeout=10)
        set_value(dash_duo, "seq-len", 20)
        set_value(dash_duo, "epochs", 2)
        click(dash_duo, "train-button")
        dash_duo.wait_for_text_to_equal("#job-status", "done", timeout=60)
        assert dash_duo.get_logs() == []
    finally:
        stop()


def test_a_monthly_csvs_seasonal_naive_uses_12_and_an_undated_one_leaves_it_out(page, tmp_path):
    d = page.driver
    t = np.arange(240)
    values = (10 + np.sin(2 * np.pi * t / 12) + 0.01 * t).round(4)
    monthly = tmp_path / "monthly.csv"
    pd.DataFrame({"date": pd.date_range("1990-01-01", periods=240, freq="MS").strftime("%Y-%m-%d"),
                  "value": values}).to_csv(monthly, index=False)
    pick(page, "dataset", "my CSV file")
    upload(page, "upload-data", monthly)
    page.wait_for_contains_text("#upload-status", "Read monthly.csv: 240 rows", timeout=10)
    set_value(page, "seq-len", 24)
    set_value(page, "epochs", 2)
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: "seasonal naive" in text(d, "metrics-table"), timeout=10)
    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#metrics-table tr") if r.text.startswith("seasonal"))
    persistence = next(r for r in d.find_elements(By.CSS_SELECTOR, "#metrics-table tr")
                       if r.text.startswith("persistence"))
    assert float(row.text.split()[2]) < 0.5 * float(persistence.text.split()[1])  # its season is the year's
    until(lambda: figure(d, "forecast-graph")[0]["x"][0] == "2004-01-01", timeout=10)  # month 168 of 240
    click(page, "download-forecasts")
    forecasts = pd.read_csv(downloaded(page, "-forecasts.csv"))
    assert forecasts["date"].iloc[0] == "2002-01-01" and forecasts["step"].iloc[0] == 144  # 168 - a window of 24
    assert forecasts["date"].iloc[-1] > "2009-12-01"  # the rollout runs past the data, at its spacing
    undated = tmp_path / "undated.csv"
    pd.DataFrame({"value": values}).to_csv(undated, index=False)
    upload(page, "upload-data", undated)
    page.wait_for_contains_text("#upload-status", "Read undated.csv: 240 rows", timeout=10)
    click(page, "train-button")
    until(lambda: "left out: no season is known for this series" in text(d, "metrics-table"), timeout=60)


def test_the_runs_table_shows_the_data_a_run_read_and_fits_its_card(page):
    d = page.driver
    d.set_window_size(1440, 900)
    pick(page, "dataset", "Nile flow at Aswan, yearly 1871-1970")
    set_value(page, "epochs", 2)
    set_value(page, "ensemble", 1)  # the Nile's own settings are an ensemble; one run is what this is about
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=60)
    until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
    cell = lambda key: d.find_element(By.CSS_SELECTOR, f"#runs-table td[data-dash-column='{key}']").text
    assert cell("data") == "Nile flow at Aswan, yearly 1871-1970" and cell("length") == "100"
    assert not d.find_elements(By.CSS_SELECTOR, "#runs-table td[data-dash-column='periods']")  # hidden, and blank
    table = d.find_element(By.CSS_SELECTOR, "#runs-table .dash-spreadsheet-inner table")
    card = d.find_element(By.ID, "runs-table").find_element(By.XPATH, "ancestor::div[contains(@class,'card-body')]")
    assert table.size["width"] <= card.size["width"], (table.size, card.size)


def test_a_server_with_lower_caps_opens_ready_to_train_within_them(dash_duo, tmp_path):
    from app import create_app
    from components.server.settings import Settings
    from tests.helpers import serve

    url, stop = serve(create_app(Settings(cache_dir=tmp_path / "cache", max_epochs=3, max_hidden=16, max_length=400)))
    try:
        dash_duo.server_url = url
        dash_duo.wait_for_text_to_equal("#job-status", "ready")
        d = dash_duo.driver
        everything(d)
        values = {k: dash_duo.find_element(f"#{k}").get_attribute("value") for k in ("epochs", "hidden-size",
                                                                                   "series-length")}
        assert values == {"epochs": "3", "hidden-size": "16", "series-length": "400"}
        assert "from 1 to 3" in text(d, "epochs-help")  # the field says the server's range
        click(dash_duo, "train-button")
        dash_duo.wait_for_text_to_equal("#job-status", "done", timeout=60)
        until(lambda: labels(d) == ["#1 NumPy LSTM"], timeout=10)
        pick(dash_duo, "preset", "The original notebook")
        dash_duo.wait_for_contains_text("#preset-note", "This server caps Epochs at 3 (asked 80)", timeout=10)
        assert dash_duo.find_element("#epochs").get_attribute("value") == "3"
        assert text(d, "preset-drift") == ""  # the capped values are the preset, as this server gives it
        assert not d.find_elements(By.CSS_SELECTOR, ".is-invalid")
    finally:
        stop()


def test_a_short_monthly_csv_trains_at_its_proposed_settings_and_suggest_can_be_cancelled(page, tmp_path):
    """72 months, as a practitioner's first file: settings proposed from it, a first press of Train that
    trains, a verdict in words beside the statistical baselines, and a search that Cancel stops."""
    d = page.driver
    t = np.arange(72)
    sales = (100 + 2 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + np.random.default_rng(0).normal(0, 2, 72)
    path = tmp_path / "sales.csv"
    pd.DataFrame({"month": [f"{2000 + i // 12}-{i % 12 + 1:02d}-01" for i in t], "sales": sales.round(2)}).to_csv(
        path, index=False)
    pick(page, "dataset", "my CSV file")
    upload(page, "upload-data", path)
    page.wait_for_contains_text("#proposal-note", "Proposed from the data: season 12 (monthly dates); window 12 "
                                "(one season)", timeout=10)
    assert "log: the swings grow with the level" in text(d, "proposal-note")
    assert page.find_element("#seq-len").get_attribute("value") == "12"
    until(lambda: "for n = 72" in text(d, "seq-len-help"), timeout=5)  # the help counts this file's points
    click(page, "train-button")
    page.wait_for_text_to_equal("#job-status", "done", timeout=90)
    verdict = text(d, "verdict")
    assert re.match(r"#\d+ NumPy LSTM, ensemble of 5(:| scored best on the test part:) MSE [\d.,]+, ", verdict)
    assert re.search(r"(times|below|about the same as) (AutoETS|AutoARIMA|AutoTheta|linear AR|persistence|seasonal "
                     r"naive|drift)'s [\d.,]+, the best", verdict)
    table = text(d, "metrics-table")
    assert all(name in table for name in ("AutoETS", "AutoARIMA", "AutoTheta", "persistence", "linear AR"))
    click(page, "suggest-button")
    until(lambda: "candidate" in (page.find_element("#progress-bar").text or ""), timeout=60)
    click(page, "cancel-button")
    page.wait_for_contains_text("#job-status", "cancelled", timeout=30)
    until(lambda: page.find_element("#suggest-button").get_attribute("disabled") is None, timeout=10)
    assert page.find_element("#train-button").get_attribute("disabled") is None
