"""Gatelab under a path (issue 23): ``GATELAB_URL_PREFIX`` / ``gatelab serve --prefix``, behind a proxy
that passes the path on. The page, its callbacks, assets, /healthz and the address bar's links."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from components.server.settings import Settings, url_prefix
from tests.helpers import browser, free_port, serve, text, until, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_prefix_is_a_plain_path_and_a_bad_one_is_named():
    assert [url_prefix(t) for t in ("gatelab", "/gatelab", "/school/gatelab/", "", "/")] == [
        "/gatelab/", "/gatelab/", "/school/gatelab/", "/", "/"]
    for bad in ("/gate lab/", "/a/../b/", "https://x/", "/a//b/"):
        with pytest.raises(ValueError, match=r"GATELAB_URL_PREFIX must be a path such as /gatelab/"):
            url_prefix(bad)
    from cli import main

    assert main(["serve", "--prefix", "/a b/"]) == 2


@pytest.mark.browser
def test_the_page_works_under_a_prefix(tmp_path):
    from app import create_app

    app = create_app(Settings(cache_dir=tmp_path / "cache", url_prefix="/gatelab/"))
    url, stop = serve(app)
    d = browser()
    try:
        assert status(f"{url}/gatelab/healthz") == 200 and status(f"{url}/gatelab/assets/gatelab.css") == 200
        assert status(f"{url}/_dash-layout") == 404  # nothing of it at the root but /healthz
        d.get(f"{url}/gatelab")  # without its slash: sent on to it
        until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=60)
        assert d.current_url.startswith(f"{url}/gatelab/")
        train = d.find_element(By.ID, "train-button")
        assert train.value_of_css_property("background-color") == "rgba(13, 110, 253, 1)"  # styled
        box = d.find_element(By.ID, "epochs")
        box.clear()
        box.send_keys("2")
        until(lambda: "epochs=2" in d.current_url, timeout=5)
        assert d.current_url.startswith(f"{url}/gatelab/?")  # the address bar's link keeps the path
        train.click()
        until(lambda: text(d, "job-status") == "done", timeout=120)
        assert "persistence" in text(d, "metrics-table")
        assert d.get_log("browser") == []
    finally:
        d.quit()
        stop()


@pytest.mark.browser
def test_gunicorn_serves_under_a_prefix_and_trains(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    from loadtest import DashClient, default_request

    port = free_port()
    env = {**os.environ, "GATELAB_URL_PREFIX": "/school/gatelab/", "GATELAB_PORT": str(port),
           "GATELAB_CACHE_DIR": str(tmp_path / "cache"), "GATELAB_WORKERS": "1"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "app:server"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=90)
        base = f"http://127.0.0.1:{port}/school/gatelab"
        until(lambda: status(f"{base}/healthz") == 200, timeout=30)
        client = DashClient(base)
        client.heartbeat(client.tab)  # the page is open: its job may run
        result = client.train(default_request(client.tab, epochs=2))
        assert result["status"] == "done" and [r["epochs"] for r in result["runs"]] == [2]
        with urllib.request.urlopen(f"{base}/healthz") as r:
            assert json.loads(r.read())["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)
