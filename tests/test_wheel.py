"""Gatelab without a checkout (issue 23): the wheel, installed into a fresh environment outside the
checkout and served from another folder, gives the styled page and trains."""

import os
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.helpers import browser, free_port, text, until, wait_for_port

pytestmark = [pytest.mark.browser, pytest.mark.wheel]
ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_installs_anywhere_and_serves_the_styled_page_that_trains(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("gatelab-*.whl"))
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True)
    # its dependencies (torch above all) are this environment's, read after its own: not installed again
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    Path(own, "gatelab-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(python), "-c", "import app, gatelab_assets; print(app.__file__); "
                            "print(app.assets_folder()); from components.notebooks.jupyter import server_proxy; "
                            "print(server_proxy()['launcher_entry']['icon_path'])"], check=True, capture_output=True,
                           text=True, cwd=tmp_path).stdout.split()
    assert all(p.startswith(str(env)) for p in where), where  # the wheel's code and assets, not the checkout's
    assert Path(where[-1]).is_file()  # the launcher tile's icon travels in the wheel too
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    server = subprocess.Popen([str(env / "bin" / "gatelab"), "serve", "--port", str(port)], cwd=elsewhere,
                              env={**os.environ, "GATELAB_CACHE_DIR": str(tmp_path / "cache")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = None
    try:
        wait_for_port(port, timeout=90)
        url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{url}/assets/bootstrap.min.css") as css:
            assert css.status == 200 and b"Bootstrap" in css.read(2000)
        d = browser()
        d.get(url)
        until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", timeout=60)
        train = d.find_element(By.ID, "train-button")
        assert train.value_of_css_property("background-color") == "rgba(13, 110, 253, 1)"  # Bootstrap's primary
        assert "gl-on-basics" in d.find_element(By.ID, "page").get_attribute("class")
        box = d.find_element(By.ID, "epochs")
        box.clear()
        box.send_keys("2")
        train.click()
        until(lambda: text(d, "job-status") == "done", timeout=120)
        assert "persistence" in text(d, "metrics-table")
    finally:
        if d is not None:
            d.quit()
        server.terminate()
        server.wait(timeout=20)
