"""What a class cannot break: the job checks its request, stops in every phase, records and uploads
are bounded, and nothing a client sends is trusted for its size or its shape."""

import base64
import json
import threading
import time

import numpy as np
import pandas as pd
import pytest

from components.page.views import runs_table as runs_mod
from components.page.views.downloads import csv_text
from components.page.figures import make_series_figure
from components.server.guard import callback_problem
from components.server.board import JobBoard
from components.server.job import FAILED, JobOutcome, check_request, make_request, run_request, RequestError
from components.server.signing import Signer
from data.synthetic import SeriesConfig
from models.config import ExperimentConfig
from models.cost import Served, run_mb, served_problems
from models.experiment import run_experiment
from models.run import RunRecord, RunRecordError, _digest
from models.train import TrainConfig
from tools.loadtest import changed
from tests.conftest import TINY

SIGNER = Signer(b"test key")
SERVED = Served(max_epochs=500, max_hidden=256, max_length=5000, max_job_mb=2048)


def forged(config: dict, **extra) -> dict:
    request = make_request("abc", SIGNER.new_tab(), [TINY])
    request["configs"] = [config]
    return {**request, **extra}


def tiny_dict(**changes) -> dict:
    return changed(TINY, **changes)


@pytest.mark.parametrize("changes, sentence", [
    ({"hidden_size": 1024}, "hidden size 1024 is above this server's limit of 256 (GATELAB_MAX_HIDDEN)"),
    ({"train.epochs": 10000}, "epochs 10000 is above this server's limit of 500 (GATELAB_MAX_EPOCHS)"),
    ({"series.length": 20000, "seq_len": 10000}, "the series has 20000 points; this server trains on at most 5000"),
    ({"hidden_size": 256, "series.length": 5000, "seq_len": 3000, "train.batch_size": 1024},
     "and this server gives one run at most 2,048 MB (GATELAB_MAX_JOB_MB)"),
    ({"train.epochs": 1e9}, "epochs must be a whole number from 1 to 10000, got 1000000000"),
    ({"hidden_size": "NaN"}, "hidden_size must be"),
])
def test_a_forged_request_is_checked_against_the_served_bounds(changes, sentence):
    with pytest.raises(RequestError, match=sentence.replace("(", r"\(").replace(")", r"\)")):
        check_request(forged(tiny_dict(**changes)), SERVED, SIGNER)


def test_a_forged_request_of_many_components_or_a_made_up_tab_is_refused():
    d = tiny_dict()
    d["series"]["components"] = [{"period": 10.0 + i, "amplitude": 1.0, "phase": 0.0} for i in range(10000)]
    with pytest.raises(RequestError, match="at most 8 seasonal components"):
        check_request(forged(d), SERVED, SIGNER)
    with pytest.raises(RequestError, match="tab id was not issued by this server"):
        check_request({**forged(tiny_dict()), "session": "made-up"}, SERVED, SIGNER)
    with pytest.raises(RequestError, match="1 to"):
        check_request({**forged(tiny_dict()), "configs": [tiny_dict()] * 500}, SERVED, SIGNER)
    for bad in (None, [], "x", {"id": "../../etc"}):
        with pytest.raises(RequestError):
            check_request(bad, SERVED, SIGNER)


def test_an_uploaded_series_in_a_request_obeys_the_length_bound():
    upload = tiny_dict(dataset="upload")
    series = {"series": np.sin(np.arange(5001) / 7).tolist(), "times": None, "columns": {}}
    with pytest.raises(RequestError, match="5001 points; this server trains on at most 5000"):
        check_request(forged(upload, series=series), SERVED, SIGNER)
    with pytest.raises(RequestError, match="comes with its series"):
        check_request(forged(upload), SERVED, SIGNER)
    with pytest.raises(RequestError, match="cannot be read"):
        check_request(forged(upload, series={"series": ["x"] * 300}), SERVED, SIGNER)
    ok = check_request(forged(upload, series={"series": np.sin(np.arange(300) / 7).tolist()}), SERVED, SIGNER)
    assert ok.data.series.shape == (300,)


def test_the_cost_estimate_grows_with_the_run_and_refuses_the_largest():
    small = run_mb(ExperimentConfig(), 900)
    big = run_mb(ExperimentConfig(series=SeriesConfig(length=5000), hidden_size=256, seq_len=3000), 5000)
    assert 100 < small < 400 < big
    config = ExperimentConfig(series=SeriesConfig(length=5000), seq_len=1700, hidden_size=256)
    assert served_problems(config, 5000, SERVED) == []  # the largest batches at the served maxima fit 2 GB
    assert served_problems(config.with_(backend="torch"), 5000, SERVED)  # torch keeps more per step


# -- every phase stops ------------------------------------------------------------------------
PHASES = {
    "training": None,  # a batch that blocks, set up in the test
    "forecasting": "models.experiment.Forecaster.predict_test",
    "rolling out": "models.experiment.Forecaster.rollout",
    "scoring the baselines": "models.baselines.linear_ar",
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_cancel_ends_the_job_within_two_seconds_in_every_phase(phase, tmp_path, monkeypatch):
    release = threading.Event()
    if phase == "training":
        import models.train as train_mod

        real = train_mod.train

        def slow_train(model, *args, **kwargs):  # one batch that takes for ever, as one of L = 3498 does
            model.optimizer = lambda *a, **k: type("Slow", (), {"step": lambda self, X, y: release.wait(60)})()
            return real(model, *args, **kwargs)

        monkeypatch.setattr("models.forecaster.train", slow_train)
    else:
        monkeypatch.setattr(PHASES[phase], lambda *a, **k: release.wait(60))
        if phase == "scoring the baselines":
            monkeypatch.setitem(__import__("models.baselines").baselines.BASELINES, "linear_ar",
                                lambda *a, **k: release.wait(60))
    board = JobBoard(tmp_path, slots=1)
    tab = SIGNER.new_tab()
    board.beat(tab)
    request = make_request("r1", tab, [TINY])
    labels = []
    result = {}
    job = threading.Thread(target=lambda: result.update(out=run_request(lambda p: labels.append(p[1]), request,
                                                                          board, 600, SERVED, SIGNER)))
    job.start()
    try:
        shows = "preparing the data" if phase == "training" else phase  # a batch that never ends shows no epoch
        deadline = time.monotonic() + 30
        while not any(shows in label for label in labels) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(shows in label for label in labels), labels
        time.sleep(0.3)  # well inside the phase
        asked = time.monotonic()
        board.cancel("r1")
        job.join(5)
        took = time.monotonic() - asked
    finally:
        release.set()
    assert not job.is_alive() and took < 2.0, took
    assert result["out"].status.startswith(f"cancelled while {phase}"), result["out"].status
    assert board.counts() == (0, 0)


def test_a_failure_is_a_sentence_without_the_exception(monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("'int' object is not iterable")

    monkeypatch.setattr("components.server.job.run_experiment", broken)
    outcome = run_request(lambda p: None, make_request("x", "s", [TINY]))
    assert outcome.status == FAILED and "TypeError" not in outcome.status and "iterable" not in outcome.status


def test_a_newer_run_of_the_same_tab_says_it_replaced_the_old_one(tmp_path):
    board = JobBoard(tmp_path, slots=2)
    tab = SIGNER.new_tab()
    board.beat(tab)
    result = {}
    first = threading.Thread(target=lambda: result.update(first=run_request(
        lambda p: None, make_request("r1", tab, [TINY.with_(train=TrainConfig(epochs=500))]), board, 600,
        SERVED, SIGNER)))
    first.start()
    until = time.monotonic() + 10
    while board.counts()[0] == 0 and time.monotonic() < until:
        time.sleep(0.05)
    import multiprocessing

    second = multiprocessing.get_context("fork").Process(target=JobBoard(tmp_path, slots=2).join, args=(tab, "r2"))
    second.start()  # what a second job of the tab does first, from a process of its own
    second.join(10)
    first.join(5)
    assert result["first"].status.startswith("stopped: a newer run from this tab replaced it")


# -- run records --------------------------------------------------------------------------------
@pytest.fixture
def record(tiny_record):
    return tiny_record


def as_upload(data: dict) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(data).encode()).decode()


def test_a_forged_record_with_a_recomputed_digest_is_checked_like_a_fresh_run(record):
    data = record.to_json()
    body = {k: v for k, v in json.loads(json.dumps(data)).items() if k != "digest"}
    body["config"]["dataset"] = "upload"
    body["config"]["seq_len"] = 15000
    body["series"]["values"] = [0.0] * 30000
    refused = {**body, "digest": _digest(body)}
    with pytest.raises(RunRecordError, match="cannot be shown here: the series has 30000 points"):
        runs_mod.read_run_file(as_upload(refused), "forged.json", SERVED)
    body = {k: v for k, v in json.loads(json.dumps(data)).items() if k != "digest"}
    body["forecast"]["pred"] = body["forecast"]["pred"][:3]
    body["forecast"]["index"] = body["forecast"]["index"][:3]
    body["forecast"]["truth"] = body["forecast"]["truth"][:3]
    with pytest.raises(RunRecordError, match="its forecasts must cover its 72 test windows"):
        runs_mod.read_run_file(as_upload({**body, "digest": _digest(body)}), "short.json", SERVED)
    shown = runs_mod.read_run_file(as_upload(data), "good.json", SERVED)
    assert shown.metrics == record.metrics


def test_a_records_scores_must_be_numbers(record):
    body = {k: v for k, v in json.loads(json.dumps(record.to_json())).items() if k != "digest"}
    body["metrics"]["mse"] = "0.05"  # a string would break every later drawing of the tab's runs table
    with pytest.raises(RunRecordError, match="malformed .*the score mse must be a number, got '0.05'"):
        runs_mod.read_run_file(as_upload({**body, "digest": _digest(body)}), "typed.json", SERVED)
    body["metrics"]["mse"] = 0.05
    body["baselines"]["persistence"]["extra"] = 1.0
    with pytest.raises(RunRecordError, match="scores must hold exactly mse, mae, rmse, mase"):
        runs_mod.read_run_file(as_upload({**body, "digest": _digest(body)}), "typed.json", SERVED)


def test_a_record_file_is_bounded_before_it_is_decoded(record):
    big = "data:application/json;base64," + "A" * (2 * 2**20)
    with pytest.raises(RunRecordError, match="over 1 MB, the largest run record this server reads"):
        runs_mod.read_run_file(big, "big.json", SERVED, max_mb=1)


def test_inside_a_server_only_its_own_sealed_records_are_read(record):
    key = b"server key"
    sealed = record.to_json(key)
    assert RunRecord.from_json(sealed, key).metrics == record.metrics
    with pytest.raises(RunRecordError, match="not made by this server"):
        RunRecord.from_json(record.to_json(), key)  # a digest alone: anyone can compute one
    with pytest.raises(RunRecordError, match="not made by this server"):
        RunRecord.from_json(record.to_json(b"another server"), key)
    outcome = JobOutcome("r", (record,), "done")
    with pytest.raises(RunRecordError):
        JobOutcome.from_json(outcome.to_json(), key)


# -- what goes out ------------------------------------------------------------------------------
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert():
    frame = pd.DataFrame({"label": ['=HYPERLINK("http://evil.example";"click")', "+1", "@SUM(A1)", "\tx", "ok"],
                          "mse": [-0.5, 1.0, 2.0, 3.0, 4.0],
                          "=cmd|' /C calc'!A0": [1, 2, 3, 4, 5]})
    back = pd.read_csv(__import__("io").StringIO(csv_text(frame)))
    assert back["label"].tolist() == ['\'=HYPERLINK("http://evil.example";"click")', "'+1", "'@SUM(A1)", "'\tx", "ok"]
    assert back["mse"].tolist() == [-0.5, 1.0, 2.0, 3.0, 4.0]  # numbers stay numbers, negative ones too
    assert list(back.columns)[2] == "'=cmd|' /C calc'!A0"


def test_a_column_name_shows_as_text_not_as_a_link():
    fig = make_series_figure(np.arange(10.0), 7, times=["<b>1</b>"] * 10,
                             title='f.csv: <a href="https://evil.example/">phish</a>')
    assert "<a " not in fig.layout.title.text and "&lt;a href" in fig.layout.title.text
    assert fig.data[0].text[0] == "&lt;b&gt;1&lt;/b&gt;"


def test_a_callback_body_must_have_the_shape_dash_sends():
    good = {"output": "x.children", "outputs": {"id": "x", "property": "children"},
            "inputs": [{"id": "a", "property": "value", "value": 1}], "changedPropIds": ["a.value"]}
    assert callback_problem(good) == ""
    assert callback_problem([]) == "it is not a JSON object"
    assert callback_problem({**good, "inputs": [1, 2]}) == "its inputs are not a list of ids and properties"
    assert callback_problem({**good, "output": None}) == "it names no output"


def test_the_server_refuses_big_deep_and_malformed_requests_and_names_no_software(gatelab):
    client = gatelab.server.test_client()
    page = client.get("/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy and "'sha256-" in policy
    deep = client.post("/_dash-update-component", data="[" * 100000, content_type="application/json")
    assert deep.status_code == 400 and "nested too deep" in deep.get_json()["error"]
    bad = client.post("/_dash-update-component", data='{"output": 1}', content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"] == "not a request this page sends: it names no output"
    limit = gatelab.gatelab.settings.max_request_mb * 2**20
    huge = client.post("/_dash-update-component", data=b"x" * (limit + 1), content_type="application/json")
    assert huge.status_code == 413


def test_made_up_tabs_leave_no_heartbeat_file(gatelab, settings):
    client = gatelab.server.test_client()

    def beat(session):
        body = {"output": "heartbeat.disabled", "outputs": {"id": "heartbeat", "property": "disabled"},
                "inputs": [{"id": "heartbeat", "property": "n_intervals", "value": 1}],
                "state": [{"id": "session-id", "property": "data", "value": session}],
                "changedPropIds": ["heartbeat.n_intervals"]}
        assert client.post("/_dash-update-component", json=body).status_code == 200

    for i in range(50):
        beat(f"made-up-{i}")
    alive = settings.cache_dir / "board" / "alive"
    assert list(alive.iterdir()) == []
    tab = gatelab.gatelab.signer.new_tab()
    beat(tab)
    assert [f.name for f in alive.iterdir()] == [tab.replace(".", "")]
    assert client.post("/tab-closed", data=tab).status_code == 204  # the page-hide beacon
    assert list(alive.iterdir()) == []


def test_every_page_load_gets_a_tab_id_of_its_own_signed_by_the_server(gatelab):
    layout = gatelab.layout
    first, second = (next(c for c in layout().children.children if getattr(c, "id", None) == "session-id")
                     for _ in range(2))
    assert first.data != second.data
    assert gatelab.gatelab.signer.valid_tab(first.data) and gatelab.gatelab.signer.valid_tab(second.data)
    assert getattr(first, "storage_type", "memory") == "memory"  # not sessionStorage, which a duplicated tab copies


def test_views_of_a_long_window_and_a_large_model_stay_small():
    from components.page.views.results import MAX_GATE_STEPS, gates_view, rollouts

    run = run_experiment(ExperimentConfig(series=SeriesConfig(length=1200), seq_len=400, hidden_size=8,
                                          train=TrainConfig(epochs=1), rollout_steps=20))
    _, _, fig = gates_view(run, 3)
    assert [len(t.z[0]) for t in fig.data] == [MAX_GATE_STEPS] * len(fig.data)  # of 400 steps
    assert fig.data[0].x0 == 400 - MAX_GATE_STEPS and "its last 120 steps" in fig.layout.title.text
    assert len(fig.to_json()) < 200_000
    # the shown steps are the window's last ones, as the model computed them
    from models.run import restore
    full = restore(run).gate_activations(3)["f"]
    np.testing.assert_allclose(np.asarray(fig.data[1].z).T, full[-MAX_GATE_STEPS:], atol=5e-5)  # 4 decimals
    preds, bands, heavy = rollouts([run], 20)
    assert heavy == set() and preds[0].shape == (20,)
    big = run.with_(config=run.config.with_(hidden_size=256, seq_len=1700, series=SeriesConfig(length=5000)))
    preds, _, heavy = rollouts([big], 20)
    assert heavy == {0} and preds[0].tolist() == list(run.rollout.pred[:20])  # the run's own, not recomputed


def test_gatelab_serve_names_no_software_in_its_server_header(gatelab):
    import urllib.request

    from werkzeug.serving import make_server

    from components.server.guard import GatelabHandler

    server = make_server("127.0.0.1", 0, gatelab.server, threaded=True, request_handler=GatelabHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz", timeout=10) as r:
            assert r.headers.get_all("Server") == ["Gatelab"]
    finally:
        server.shutdown()
        server.server_close()
