"""The Celery setup for real: a redis-server, a Celery worker and the web app, each its
own process on a free port, driven by headless Chromium as in ``test_browser``."""

import os
import time
import subprocess
import sys

import pytest
import redis
from dash.testing import errors

from selenium.webdriver.common.by import By

from tests.helpers import browser, everything, figure, free_port, redis_server, text, until, wait_for_port
from components.server.board import JobBoard, RedisStore

pytestmark = [pytest.mark.browser, pytest.mark.redis]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def redis_url():
    port, proc = redis_server()
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


LOGS: dict[str, object] = {}  # name -> path of the worker's and the web server's logs


def waited(pages, cond, timeout):
    """``until``, and on a timeout an error that says what each page's status line said and
    what the worker and the web server logged last."""
    try:
        until(cond, timeout=timeout)
    except errors.TestingTimeoutError:
        said = "; ".join(f"page {n}: {text(d, 'job-status')!r}" for n, d in zip("AB", pages))
        tails = "\n".join(f"--- {name}:\n" + path.read_text()[-3000:] for name, path in LOGS.items())
        raise AssertionError(f"condition not met within {timeout} s; {said}\n{tails}") from None


@pytest.fixture(scope="module")
def server(redis_url, tmp_path_factory):
    logs = tmp_path_factory.mktemp("celery-logs")
    LOGS.update(worker=logs / "worker.log", web=logs / "web.log")
    env = dict(os.environ, REDIS_URL=redis_url, GATELAB_MAX_JOBS="1",
               GATELAB_CACHE_DIR=str(tmp_path_factory.mktemp("celery-cache")))
    port = free_port()
    worker_log, web_log = open(logs / "worker.log", "w"), open(logs / "web.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "app:celery_app", "worker", "--concurrency", "3",
                               "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log)
    web = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                           stdout=web_log, stderr=web_log)
    wait_for_port(port)
    client = redis.Redis.from_url(redis_url)
    until(lambda: client.llen("celery") == 0 and len(worker_pids(worker)) >= 3, timeout=60)
    yield f"http://127.0.0.1:{port}"
    for proc in (web, worker):
        proc.terminate()
        proc.wait(20)
    web_log.close()
    worker_log.close()
    for name in ("web.log", "worker.log"):
        logged = (logs / name).read_text()
        assert "Traceback" not in logged, logged[logged.index("Traceback") - 200:][:3000]


def worker_pids(worker) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(worker.pid).children()]


@pytest.fixture
def two_pages(server):
    pages = [browser(), browser()]
    try:
        for d in pages:
            d.get(server)
            until(lambda d=d: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=30)
            everything(d)
        yield pages
        for d in pages:
            assert d.get_log("browser") == []
    finally:
        for d in pages:
            d.quit()


def type_into(d, element_id, value):
    el = d.find_element(By.ID, element_id)
    el.send_keys("\b" * 6 + str(value))


def test_celery_progress_queue_cancel_and_isolation(two_pages):
    """One slot: A trains with live progress, pauses and resumes, B waits its turn and says so, A cancels,
    B finishes."""
    a, b = two_pages
    type_into(a, "epochs", 400)
    a.find_element(By.ID, "train-button").click()
    epochs = lambda d: len((figure(d, "loss-graph") or [{}])[0].get("x", []))
    waited(two_pages, lambda: text(a, "job-status") == "running" and epochs(a) >= 2, timeout=30)
    a.find_element(By.ID, "pause-button").click()  # the worker holds the job, on the Redis board
    waited(two_pages, lambda: text(a, "job-status").startswith("paused at epoch"), timeout=10)
    held = epochs(a)
    time.sleep(1.5)
    assert epochs(a) == held and text(a, "pause-button") == "Resume"
    a.find_element(By.ID, "pause-button").click()
    waited(two_pages, lambda: text(a, "job-status") == "running" and epochs(a) > held, timeout=10)
    type_into(b, "epochs", 5)
    b.find_element(By.ID, "train-button").click()
    waited(two_pages, lambda: text(b, "job-status") == "queued, position 1", timeout=30)
    a.find_element(By.ID, "cancel-button").click()
    waited(two_pages, lambda: text(a, "job-status").startswith("cancelled at epoch "), timeout=10)
    waited(two_pages, lambda: text(b, "job-status") == "done", timeout=60)  # the slot came free: Celery's kill is handled too
    waited(two_pages, lambda: len(figure(b, "forecast-graph") or []) == 2, timeout=10)
    assert len(figure(b, "loss-graph")[0]["x"]) == 5
    assert [t["name"] for t in figure(b, "forecast-graph")] == ["truth", "#1 NumPy LSTM"]
    labels = lambda d: [r.text for r in d.find_elements(By.CSS_SELECTOR, "#runs-table td[data-dash-column='label']")]
    waited(two_pages, lambda: len(labels(a)) == 1, timeout=10)  # A's cancelled run keeps the epochs it finished
    assert labels(a)[0].startswith("#1 NumPy LSTM (cancelled at epoch ")
    # and A can train again at once
    type_into(a, "epochs", 3)
    waited(two_pages, lambda: a.find_element(By.ID, "train-button").get_attribute("disabled") is None, timeout=10)
    a.find_element(By.ID, "train-button").click()
    waited(two_pages, lambda: text(a, "job-status") == "done", timeout=60)
    waited(two_pages, lambda: labels(a)[0] == "#2 NumPy LSTM" and len(labels(a)) == 2, timeout=10)


def test_redis_board_queues_in_order(redis_url):
    board = JobBoard(RedisStore(redis.Redis.from_url(redis_url), prefix="test-board:"), slots=1, lease_s=30)
    first, second = board.join("a"), board.join("b")
    assert board.try_start(first) == 0 and board.try_start(second) == 1
    board.leave(first)
    assert board.try_start(second) == 0 and board.counts() == (1, 0)
    board.beat("b")
    assert board.watched("b") and not board.watched("nobody")
