"""Gatelab in Jupyter (``components.jupyter``): the launcher tile jupyter-server-proxy finds by its entry
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
from nbclient import NotebookClient
from selenium.webdriver.common.by import By

from components.jupyter import proxy_command, server_proxy
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
    client = kernel_client(f"from components.jupyter import show\napp = show(mode='external', port={port})", tmp_path)
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
    box = d.find_element(By.ID, "epochs")
    box.clear()
    box.send_keys("2")
    until(lambda: "epochs=2" in d.current_url, timeout=5)
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
    client = kernel_client(f"from components.jupyter import show\napp = show(port={port})", tmp_path)
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
