"""A served Gatelab driven through Dash's own callback protocol, as a curious student would: forged
requests go straight to the job's callback, made-up tabs, one computer queueing many runs, and a
run at the served maxima that must stop within two seconds with its process gone."""

import time
import uuid

import psutil
import pytest

from components.server.job import make_request
from data.synthetic import SeriesConfig
from models.config import ExperimentConfig
from models.train import TrainConfig
from tools.loadtest import DashClient, changed, job_body
from tests.conftest import TINY as SHARED_TINY

TINY = SHARED_TINY.with_(train=TrainConfig(epochs=2))  # two epochs are enough here


def start(client: DashClient, request: dict) -> dict:
    first = client.post(job_body(request))
    return {"cacheKey": first["cacheKey"], "job": first["job"]}


def result_of(client: DashClient, request: dict, handles: dict, timeout: float = 60) -> tuple[dict, list]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.post(job_body(request), **handles)
        if data.get("progress"):
            seen.append(data["progress"])
        if "response" in data:
            return data["response"], seen
        time.sleep(0.1)
    raise AssertionError(f"no result in {timeout} s; progress: {seen[-3:]}")


def status(response: dict) -> str:
    return response["job-status"]["children"]


def forged_config(**changes) -> dict:
    return changed(TINY, **changes)


@pytest.mark.parametrize("changes, sentence", [
    ({"hidden_size": 1024}, "not started: hidden size 1024 is above this server's limit of 256"),
    ({"train.epochs": 10000}, "not started: epochs 10000 is above this server's limit of 500"),
    ({"series.length": 20000, "seq_len": 10000}, "not started: the series has 20000 points"),
])
def test_a_request_posted_straight_to_the_job_is_checked_there(served, changes, sentence):
    client = DashClient(served)
    client.heartbeat(client.tab)
    request = make_request(uuid.uuid4().hex, client.tab, [TINY])
    request["configs"] = [forged_config(**changes)]
    response, _ = result_of(client, request, start(client, request))
    assert status(response).startswith(sentence), status(response)
    assert response["run-result"]["data"]["runs"] == []


def test_made_up_tabs_and_one_computers_crowd_are_refused_with_a_sentence(served, gatelab):
    client = DashClient(served)
    made_up = make_request(uuid.uuid4().hex, uuid.uuid4().hex, [TINY])
    response, _ = result_of(client, made_up, start(client, made_up))
    assert status(response) == "not started: this page's tab id was not issued by this server; reload the page"
    limit = gatelab.gatelab.settings.max_queued_per_client
    pages = [DashClient(served) for _ in range(limit + 1)]
    long = ExperimentConfig(train=TrainConfig(epochs=500))  # half a minute or more each
    requests = []
    for page in pages:
        page.heartbeat(page.tab)
        request = make_request(uuid.uuid4().hex, page.tab, [long])
        requests.append((page, request, start(page, request)))
        time.sleep(0.3)  # in order, so the last one is the one refused
    page, request, handles = requests[-1]
    response, _ = result_of(page, request, handles)
    assert status(response) == (f"not started: this computer already has {limit} runs waiting or running, the "
                                "most this server allows (GATELAB_MAX_QUEUED_PER_CLIENT); wait for one to finish")
    for _, request, _ in requests[:-1]:
        gatelab.gatelab.board.cancel(request["id"])


def test_a_run_at_the_served_maxima_stops_within_two_seconds_and_its_process_ends(served, gatelab):
    """n 5000, L 1700, H 256, batch 64: the largest run the default bounds accept (about 1.4 GB);
    one batch takes several seconds, far longer than a stop may wait."""
    client = DashClient(served)
    client.heartbeat(client.tab)
    config = ExperimentConfig(series=SeriesConfig(length=5000), seq_len=1700, hidden_size=256,
                              train=TrainConfig(epochs=500))
    request = make_request(uuid.uuid4().hex, client.tab, [config])
    handles = start(client, request)
    board = gatelab.gatelab.board
    deadline = time.monotonic() + 30
    while not board.counts()[0] and time.monotonic() < deadline:
        client.post(job_body(request), **handles)
        time.sleep(0.2)
    pid = next(iter(board.store.load()["running"].values()))["pid"]
    time.sleep(3)  # inside its first batch
    asked = time.monotonic()
    board.cancel(request["id"])
    response, _ = result_of(client, request, handles, timeout=10)
    took = time.monotonic() - asked
    assert took < 2.0, took
    # training ends at the next batch (within the second a stop may wait) or is left mid-batch
    assert status(response) in ("cancelled", "cancelled while training"), status(response)
    deadline = time.monotonic() + 2
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert board.counts() == (0, 0)
