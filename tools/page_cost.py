"""What one page costs the browser: Chromium's CPU seconds to open the page, and to train one short run and
draw it, with the requests that run makes and the state updates (Redux actions) Dash's renderer makes for it.

    python tools/page_cost.py [--runs 3] [--epochs 2] [--everything]

Most of a browser test's time, and of a student's laptop's, is here: Dash re-runs a selector for every
component on the page at every state update, so the cost of a run grows with the components on the page times
the updates the run makes (callbacks answered, components created).
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNT_ACTIONS = """
const store = window.store;
window.actions = {};
const dispatch = store.dispatch;
store.dispatch = function (action) {
    const kind = (action && action.type) || 'thunk';
    window.actions[kind] = (window.actions[kind] || 0) + 1;
    if (kind === 'RESET_COMPONENT_STATE' && action.payload && action.payload.itempath) {
        // the nearest component with an id above the new one: where a callback's answer made components
        let layout = store.getState().layout, named = '?', node = layout;
        for (const step of action.payload.itempath) {
            node = node && node[step];
            if (node && node.props && node.props.id) { named = String(node.props.id); }
        }
        window.made = window.made || {};
        window.made[named] = (window.made[named] || 0) + 1;
    }
    return dispatch.apply(this, arguments);
};
"""


def chromium_seconds(driver) -> float:
    import psutil

    total = 0.0
    for p in psutil.Process(driver.service.process.pid).children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads, each with one run (default 3)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of each run (default 2: mostly drawing)")
    parser.add_argument("--everything", action="store_true", help='turn on "Everything on one page" first')
    args = parser.parse_args(argv)

    from app import create_app
    from components.server.settings import Settings
    from tests.helpers import browser, everything, serve, text, until

    app = create_app(Settings(cache_dir=Path(tempfile.mkdtemp()) / "cache"))
    requests: list[str] = []
    inner = app.server.wsgi_app

    def logged(environ, start_response):  # which callbacks a run makes the page ask for
        if environ["PATH_INFO"].endswith("_dash-update-component"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                requests.append(json.loads(body)["output"].split("@")[0].strip(".")[:60])
            except (ValueError, KeyError, AttributeError):
                pass
        return inner(environ, start_response)

    app.server.wsgi_app = logged
    url, stop = serve(app)
    driver = browser()

    def set_epochs(value: int) -> None:
        from selenium.webdriver.common.keys import Keys

        box = driver.find_element("id", "epochs")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(str(value), Keys.ENTER)

    try:
        for n in range(args.runs):
            c0 = chromium_seconds(driver)
            driver.get(url)
            until(lambda: text(driver, "job-status") == "ready", timeout=60, poll=0.3)
            if args.everything:
                everything(driver)
            c1 = chromium_seconds(driver)
            set_epochs(args.epochs)
            time.sleep(1)
            driver.execute_script(COUNT_ACTIONS)
            requests.clear()
            c2 = chromium_seconds(driver)
            driver.find_element("id", "train-button").click()
            until(lambda: text(driver, "job-status") == "done", timeout=120, poll=0.3)
            time.sleep(1.5)  # the views that draw after "done"
            c3 = chromium_seconds(driver)
            actions = driver.execute_script("return window.actions")
            components = driver.execute_script("return document.querySelectorAll('[id]').length")
            print(f"page {n + 1}: open {c1 - c0:.2f} s, run and draw {c3 - c2:.2f} s of Chromium's CPU; "
                  f"{len(requests)} requests, {sum(actions.values())} state updates, {components} elements with ids")
            if n == args.runs - 1:
                print("requests:", dict(collections.Counter(requests).most_common()))
                print("state updates:", dict(sorted(actions.items(), key=lambda kv: -kv[1])))
                made = driver.execute_script("return window.made || {}")
                print("components made, under:", dict(sorted(made.items(), key=lambda kv: -kv[1])))
    finally:
        driver.quit()
        stop()


if __name__ == "__main__":
    main()
