"""Helpers the tests (and the tools) share: a free port, waiting for one, headless
Chromium kept off the network, and reading the page's graphs and texts."""

from __future__ import annotations

import os
import socket
import time
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


def redis_server():
    """A redis-server of a test's own on a free port, kept in memory: (its port, its process)."""
    import shutil
    import subprocess

    assert shutil.which("redis-server"), "redis-server is missing: make test installs Debian's redis-server"
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    wait_for_port(port)
    return port, proc


def serve(app) -> tuple[str, Callable[[], None]]:
    """Serve a Dash app's WSGI server from a thread: (its url, a function that stops it).

    ``dash_duo.start_server`` stops its thread by raising SystemExit inside every thread
    the server made; one that lands while a request thread holds a logging handler's
    lock leaves that lock held, and the next test hangs in its first log line (seen
    here: a full run stuck for good). This server shuts down politely instead."""
    import threading

    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:  # a line per request only buries a failure's output
            pass

    server = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, name="gatelab-test-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(10)
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}", stop


def browser(width: int = 1400, height: int = 1000):
    """Headless Chromium that stays off the network (no background services) and keeps
    the page's SEVERE console messages for ``get_log("browser")``."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    # A page that is not in front keeps its timers running (its polls and heartbeats): several
    # browsers at once stand for several students, each looking at their own page.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
                "--disable-renderer-backgrounding", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    path = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
    if os.path.exists(path):
        options.binary_location = path
    return webdriver.Chrome(options=options)


# What counts as a control: a thing a person types into, presses, picks or drags, where it is shown. A
# group of radio buttons is one control (one setting); a file's input counts as the button or drop zone
# that opens it; a plot's toolbar is counted apart.
CONTROLS_JS = """
const sel = 'input:not([type=hidden]):not([type=file]), button, select, textarea, a[href], [role=slider], ' +
            '[role=combobox], .upload-box';
const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const all = [...document.querySelectorAll(sel)].filter(shown);
const controls = all.filter(e => !e.closest('.modebar'));
const seen = new Set();
const unique = controls.filter(e => {
    const group = e.type === 'radio' ? (e.name || (e.parentElement.closest('[id]') || {}).id) : null;
    const key = group ? 'radio:' + group : (e.closest('[role=combobox]') || e);
    if (seen.has(key)) { return false; }
    seen.add(key);
    return true;
});
return {controls: unique.length, toolbar: all.length - controls.length,
        height: document.documentElement.scrollHeight, viewport: window.innerHeight};
"""


def survey(driver) -> dict:
    """{"controls", "toolbar" (plot-toolbar buttons), "height" (the page's), "viewport"} as the page is now."""
    return driver.execute_script(CONTROLS_JS)


def viewport(driver, width: int, height: int) -> None:
    """Size the window so that the page itself (not the window with its frame) is ``width`` x ``height``."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def everything(driver) -> None:
    """Turn on "Everything on one page": every setting and view shown, as tests of the views expect."""
    from selenium.webdriver.common.by import By

    switch = driver.find_element(By.ID, "all-settings")
    if not switch.is_selected():
        switch.click()
    until(lambda: "gl-all" in driver.find_element(By.ID, "page").get_attribute("class"), timeout=5)


def lesson(driver, name: str) -> None:
    """Open lesson ``name`` with its button, as a person would."""
    from selenium.webdriver.common.by import By

    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")  # the lessons sit at the top of the page
    driver.find_element(By.ID, f"lesson-{name}").click()
    until(lambda: f"gl-on-{name}" in driver.find_element(By.ID, "page").get_attribute("class"), timeout=5)


def figure(driver, graph_id: str):
    """The traces a graph shows in the page, or None before it has drawn."""
    return driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot'); return g ? g.data : null;"
    )


def text(driver, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).text


def run_notebook(text: str, folder) -> tuple[float, list[str]]:
    """Execute a run's notebook (``components.notebooks.writer``) in a fresh kernel with nbclient: (the test MSE
    its run ends with, each code cell's printed text)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    nb.cells.append(nbformat.v4.new_code_cell("print(repr(record.metrics.mse))"))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    printed = ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
               for c in nb.cells if c.cell_type == "code"]
    return float(printed[-1]), printed


def finite_difference_grads(model, X, y, names=None, eps: float = 1e-6, **loss_kwargs) -> dict:
    """Central differences of ``model.loss_and_grads(X, y, **loss_kwargs)[0]`` for the parameters
    ``names`` (all by default), one entry at a time, in the model's own precision."""
    import numpy as np

    state = model.state_dict()
    grads = {}
    for name in names or list(state):
        num = np.zeros_like(state[name])
        for idx in np.ndindex(num.shape):
            for sign in (1, -1):
                shifted = {k: v.copy() for k, v in state.items()}
                shifted[name][idx] += sign * eps
                model.load_state_dict(shifted)
                num[idx] += sign * model.loss_and_grads(X, y, **loss_kwargs)[0] / (2 * eps)
        grads[name] = num
    model.load_state_dict(state)
    return grads


# -- the page, as a person uses it (browser tests) ----------------------------
def set_value(dash_duo, element_id: str, value) -> None:
    """Clear a text field and type ``value``."""
    el = dash_duo.find_element(f"#{element_id}")
    dash_duo.clear_input(el)
    el.send_keys(str(value))


def pick(dash_duo, group_id: str, label: str) -> None:
    """Choose the option labelled ``label`` of a radio group or checklist."""
    from selenium.webdriver.common.by import By

    el = dash_duo.driver.find_element(By.XPATH, f"//div[@id='{group_id}']//label[normalize-space()='{label}']")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def click(dash_duo, element_id: str) -> None:
    """Scrolled into view and clicked as a script does, so that no neighbour can intercept it."""
    el = dash_duo.find_element(f"#{element_id}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def run_labels(driver) -> list[str]:
    """The runs table's model column, newest first."""
    from selenium.webdriver.common.by import By

    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#runs-table td[data-dash-column='label']")]


def until(condition, timeout: float, poll: float = 0.1):
    """Wait until ``condition()`` is true. A page that is still drawing raises on the way (a
    figure with no traces yet, an element replaced while read): that counts as "not yet", so a
    test never fails on a view it would have seen a moment later. On time-out, dash.testing's
    TestingTimeoutError, naming the last exception seen."""
    from dash.testing.errors import TestingTimeoutError
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = condition()
            if result:
                return result
        except (IndexError, KeyError, TypeError, WebDriverException) as e:
            last = e
        if time.monotonic() > deadline:
            raise TestingTimeoutError(f"condition not met within {timeout} s"
                                      + (f" (last: {type(last).__name__}: {last})" if last else ""))
        time.sleep(poll)


def settled(check: Callable[[], None], timeout: float = 10) -> None:
    """``check()``, a function of assertions, holds within ``timeout`` (the page lays itself out again after a
    resize, say); on a time-out, its last failure is raised."""
    from dash.testing.errors import TestingTimeoutError

    def holds() -> bool:
        try:
            check()
            return True
        except AssertionError:
            return False

    try:
        until(holds, timeout=timeout)
    except TestingTimeoutError:
        check()
