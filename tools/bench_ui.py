"""``python tools/bench_ui.py``: from the click on Train to the first loss point, in a real browser.

Serves Gatelab as ``gatelab serve`` does, in a process of its own, opens it in
headless Chromium, and times in the page itself (``performance.now()``) from the
click to the moment the loss graph holds its first point, then waits for the
run to finish before the next. Default settings, NumPy and PyTorch in turns.
Also ``--screenshot PATH --width W`` saves the whole page after a finished run at a
window width of W px (the README's screenshots: 1440 and 800). ``--against REV``
serves a git revision beside this tree (a worktree of it, with this venv), and the
two take turns round after round, so the figures are side by side in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import browser, free_port, wait_for_port  # noqa: E402

CLICK_TO_FIRST_POINT = """
const done = arguments[arguments.length - 1];
const button = document.getElementById(arguments[0]);
const graph = () => document.querySelector('#loss-graph .js-plotly-plot');
const t0 = performance.now();
button.click();
const poll = () => {
  const g = graph();
  const live = g && g.layout && g.layout.title && g.layout.title.text === 'Loss, live';
  if (live && g.data[0] && g.data[0].x && g.data[0].x.length > 0) { done(performance.now() - t0); }
  else if (performance.now() - t0 > 30000) { done(-1); }
  else { setTimeout(poll, 5); }
};
poll();
"""


@contextmanager
def served(port: int, root: Path = ROOT):
    env = dict(os.environ, GATELAB_CACHE_DIR=tempfile.mkdtemp(prefix="gatelab-bench-"))
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], env=env,
                            cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _wait_text(driver, element_id: str, text: str, timeout: float = 120) -> None:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        els = driver.find_elements(By.ID, element_id)
        if els and els[0].text == text:
            return
        time.sleep(0.05)
    raise TimeoutError(f"#{element_id} never read {text!r}")


def _wait_final_figure(driver, timeout: float = 30) -> None:
    """After "done", the results callback swaps the live loss figure for the finished one."""
    title = "const g = document.querySelector('#loss-graph .js-plotly-plot'); return g.layout.title.text;"
    deadline = time.monotonic() + timeout
    while driver.execute_script(title) == "Loss, live":
        if time.monotonic() > deadline:
            raise TimeoutError("the finished run's loss figure never replaced the live one")
        time.sleep(0.05)


def _choose(driver, group: str, label: str) -> None:
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.XPATH, f"//div[@id='{group}']//label[normalize-space()='{label}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


@contextmanager
def worktree(rev: str):
    """A checkout of ``rev`` beside this one, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="gatelab-rev-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)


def _measure(driver, url: str, backends: list[str], times: dict) -> None:
    driver.get(url)
    _wait_text(driver, "job-status", "ready", 60)
    for backend in backends:
        _choose(driver, "backend", backend)
        time.sleep(1.5)  # the last run's views and the form's own callbacks have answered: time the click alone
        ms = driver.execute_async_script(CLICK_TO_FIRST_POINT, "train-button")
        if ms < 0:
            raise TimeoutError("no loss point within 30 s")
        times[backend].append(ms)
        _wait_text(driver, "job-status", "done")
        _wait_final_figure(driver)


def run_ui_bench(repeats: int = 5, screenshot: str | None = None, width: int = 1440, against: str | None = None) -> int:
    backends = ["NumPy", "PyTorch"]
    trees = {"this tree": ROOT}
    with contextlib.ExitStack() as stack:
        if against:
            trees[against] = stack.enter_context(worktree(against))
        urls = {name: stack.enter_context(served(free_port(), root)) for name, root in trees.items()}
        times = {name: {b: [] for b in backends} for name in trees}
        driver = browser()
        try:
            for _ in range(repeats):
                for name, url in urls.items():  # each tree in turn, round after round
                    _measure(driver, url, backends, times[name])
            if screenshot:
                driver.get(urls["this tree"])
                _wait_text(driver, "job-status", "ready", 60)
                _choose(driver, "backend", "NumPy")
                ms = driver.execute_async_script(CLICK_TO_FIRST_POINT, "train-button")
                _wait_text(driver, "job-status", "done")
                _wait_final_figure(driver)
                driver.set_window_size(width, 1000)
                time.sleep(1.0)  # the figures redraw at the new width
                driver.set_window_size(width, driver.execute_script("return document.documentElement.scrollHeight"))
                driver.execute_script("window.scrollTo(0, 0)")
                time.sleep(1.0)
                driver.save_screenshot(screenshot)
        finally:
            driver.quit()
    print(f"click on Train -> first loss point in the page, default settings, {repeats} runs each "
          f"(headless Chromium, poll interval as served):")
    for name in trees:
        for backend, ms in times[name].items():
            print(f"  {name:<12} {backend:<8} median {statistics.median(ms):6.0f} ms   min {min(ms):6.0f}   "
                  f"max {max(ms):6.0f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--screenshot", metavar="PATH", help="save the whole page after a finished run")
    parser.add_argument("--width", type=int, default=1440, help="of the window, for --screenshot (px)")
    parser.add_argument("--against", metavar="REV", help="a git revision to serve beside this tree, in turns")
    args = parser.parse_args()
    sys.exit(run_ui_bench(repeats=args.repeats, screenshot=args.screenshot, width=args.width, against=args.against))
