"""Gatelab in Jupyter (``components.notebooks.jupyter``): the launcher tile jupyter-server-proxy finds by its entry
point, started under a user's path by a real Jupyter server; and ``show()`` in a notebook's kernel,
executed with nbclient, on its own and behind a JupyterHub-style prefix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.jupyter  # a real Jupyter server, kernel or nbclient
from nbclient import NotebookClient
from selenium.webdriver.common.by import By

from components.notebooks.jupyter import proxy_command, server_proxy
from tests.helpers import browser, free_port, text, until, wait_for_port

TOKEN = "gatelab-test-token"


def fetch(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=120) as r:
        return r.status, r.read().decode()


def test_the_entry_point_describes_a_server_under_the_users_path():
    (point,) = [p for p in entry_points(group="jupyter_serverproxy_servers") if p.name == "gatelab"]
    spec = point.load()()
    assert spec == server_proxy() | {"command": spec["command"]}
    assert spec["absolute_url"] is True and spec["launcher_entry"]["title"] == "Gatelab"
    assert Path(spec["launcher_entry"]["icon_path"]).read_text().startswith("<svg")
    assert spec["command"](port=4321, base_url="/user/alice/") == [
        sys.executable, "-m", "cli", "serve", "--port", "4321", "--prefix", "/user/alice/gatelab/"]
    assert proxy_command(80, "/")[-1] == "/gatelab/" and proxy_command(80, "/hub/u")[-1] == "/hub/u/gatelab/"


def kernel_client(source: str, folder: Path) -> NotebookClient:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}})


def outputs(client: NotebookClient) -> str:
    return json.dumps(client.nb.cells[0].outputs)


def test_show_serves_the_page_from_a_notebooks_kernel(tmp_path):
    port = free_port()
    client = kernel_client(f"from components.notebooks.jupyter import show\napp = show(mode='external', port={port})", tmp_path)
    with client.setup_kernel(env={**os.environ, "GATELAB_CACHE_DIR": str(tmp_path / "cache")}):
        client.execute_cell(client.nb.cells[0], 0)
        assert f"Dash app running on http://127.0.0.1:{port}/" in outputs(client)
        status, page = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and "/assets/bootstrap.min.css" in page and "<title>Gatelab</title>" in page
        assert '"id":"train-button"' in fetch(f"http://127.0.0.1:{port}/_dash-layout")[1].replace(" ", "")
        assert json.loads(fetch(f"http://127.0.0.1:{port}/healthz")[1])["status"] == "ok"


@pytest.fixture
def jupyter_server(tmp_path):
    """A Jupyter server with jupyter-server-proxy, at a JupyterHub user's path: (its url, that path)."""
    port, base = free_port(), "/user/alice/"
    env = {**os.environ, "GATELAB_CACHE_DIR": str(tmp_path / "cache"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--port={port}", "--no-browser", "--allow-root",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.base_url={base}", f"--ServerApp.root_dir={tmp_path}"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}", base
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the Gatelab it started for the tile
        server.wait(timeout=30)


def train_in(d, url: str) -> None:
    d.get(url)
    until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=120)
    assert d.find_element(By.ID, "train-button").value_of_css_property("background-color") == "rgba(13, 110, 253, 1)"
    def typed() -> bool:
        """2 in Epochs (typed again if the page's first fill of the form, late on a loaded machine, put its
        default back), and the address bar's link, under the path, saying so."""
        box = d.find_element(By.ID, "epochs")
        if box.get_attribute("value") != "2":
            box.clear()
            box.send_keys("2")
        return "epochs=2" in d.current_url

    until(typed, timeout=30, poll=1.0)
    d.find_element(By.ID, "train-button").click()
    until(lambda: text(d, "job-status") == "done", timeout=120)
    assert "persistence" in text(d, "metrics-table")


@pytest.mark.browser
def test_the_launcher_tile_starts_gatelab_under_the_users_path_and_it_trains(jupyter_server):
    url, base = jupyter_server
    info = json.loads(fetch(f"{url}{base}server-proxy/servers-info", TOKEN)[1])
    (tile,) = [s for s in info["server_processes"] if s["name"] == "gatelab"]
    assert tile["launcher_entry"]["title"] == "Gatelab" and tile["launcher_entry"]["path_info"] == "gatelab/"
    status, page = fetch(f"{url}{base}gatelab/", TOKEN)  # the tile's first visit starts it
    assert status == 200 and f"{base}gatelab/assets/bootstrap.min.css" in page
    assert json.loads(fetch(f"{url}{base}gatelab/healthz", TOKEN)[1])["status"] == "ok"
    d = browser()
    try:
        train_in(d, f"{url}{base}gatelab/?token={TOKEN}")
        assert d.current_url.startswith(f"{url}{base}gatelab/?")
        assert d.get_log("browser") == []
    finally:
        d.quit()


@pytest.mark.browser
def test_show_on_a_hub_links_through_the_users_proxy_path_and_it_trains(jupyter_server, tmp_path):
    url, base = jupyter_server
    port = free_port()
    client = kernel_client(f"from components.notebooks.jupyter import show\napp = show(port={port})", tmp_path)
    env = {**os.environ, "GATELAB_CACHE_DIR": str(tmp_path / "kernel-cache"), "JUPYTERHUB_SERVICE_PREFIX": base}
    with client.setup_kernel(env=env):
        client.execute_cell(client.nb.cells[0], 0)
        path = f"{base}proxy/absolute/{port}/"
        assert f'src=\\"{path}\\"' in outputs(client)  # the notebook's frame, on the hub's own address
        d = browser()
        try:
            train_in(d, f"{url}{path}?token={TOKEN}")
            assert d.get_log("browser") == []
        finally:
            d.quit()


def test_other_sites_may_frame_the_page_only_where_the_settings_name_them(tmp_path, monkeypatch):
    from app import create_app
    from components.server.settings import Settings, frame_ancestors

    assert frame_ancestors("http://localhost:8888  https://*.school.example http://127.0.0.1:*") == (
        "http://localhost:8888", "https://*.school.example", "http://127.0.0.1:*")
    for bad in ("http://x; script-src *", "'unsafe-inline'", "javascript:", "*", "http://a/path", "ftp://a"):
        with pytest.raises(ValueError, match="GATELAB_FRAME_ANCESTORS must be sites such as"):
            frame_ancestors(bad)
    monkeypatch.setenv("GATELAB_FRAME_ANCESTORS", "http://a;b")
    with pytest.raises(SystemExit, match="environment variable GATELAB_FRAME_ANCESTORS must be"):
        Settings.from_env()
    own = create_app(Settings(cache_dir=tmp_path / "a")).server.test_client().get("/healthz").headers
    assert own["X-Frame-Options"] == "SAMEORIGIN" and own["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    wider = create_app(Settings(cache_dir=tmp_path / "b", frame_ancestors=("http://localhost:8888",)))
    headers = wider.server.test_client().get("/healthz").headers
    assert "X-Frame-Options" not in headers
    assert headers["Content-Security-Policy"].endswith("frame-ancestors 'self' http://localhost:8888")


def framing_page(folder: Path, src: str) -> tuple[str, "callable"]:
    """A page on a site of its own (localhost, another port) that frames ``src``, as a notebook does."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    (folder / "index.html").write_text(f'<!doctype html><title>notebook</title><link rel="icon" href="data:,">'
                                       f'<iframe id="app" src="{src}" width="1300" height="900"></iframe>')
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://localhost:{server.server_port}/index.html", server.shutdown


@pytest.mark.browser
def test_show_off_a_hub_lets_a_local_notebook_frame_it_and_it_trains_there(tmp_path):
    port = free_port()
    client = kernel_client(f"from components.notebooks.jupyter import show\napp = show(port={port})", tmp_path)
    (tmp_path / "nb").mkdir()
    url, stop = framing_page(tmp_path / "nb", f"http://127.0.0.1:{port}/")
    with client.setup_kernel(env={**os.environ, "GATELAB_CACHE_DIR": str(tmp_path / "cache")}):
        client.execute_cell(client.nb.cells[0], 0)
        assert f'src=\\"http://127.0.0.1:{port}/\\"' in outputs(client)
        d = browser(1400, 1000)
        try:
            d.get(url)
            d.switch_to.frame(d.find_element(By.ID, "app"))
            until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=120)
            box = d.find_element(By.ID, "epochs")
            box.clear()
            box.send_keys("2")
            d.find_element(By.ID, "train-button").click()
            until(lambda: text(d, "job-status") == "done", timeout=120)
            assert d.get_log("browser") == []
        finally:
            d.quit()
            stop()


@pytest.mark.browser
def test_a_served_page_refuses_to_be_framed_by_another_site(tmp_path):
    from app import create_app
    from components.server.settings import Settings
    from tests.helpers import serve

    app_url, stop_app = serve(create_app(Settings(cache_dir=tmp_path / "cache")))
    url, stop = framing_page(tmp_path, f"{app_url}/")
    d = browser()
    try:
        d.get(url)
        until(lambda: any("frame-ancestors" in e["message"] for e in d.get_log("browser")), timeout=30)
        d.switch_to.frame(d.find_element(By.ID, "app"))
        assert d.find_elements(By.ID, "job-status") == []
    finally:
        d.quit()
        stop()
        stop_app()
