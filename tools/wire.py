"""``python tools/wire.py``: what each interaction costs on the wire and in the web process.

Serves Gatelab from this process behind a meter (WSGI middleware that counts each
request's body, each response's bytes as sent, compressed or not, and the time the
web process spent on it), opens it in headless Chromium and repeats a student's
interactions: the first page load and a reload; Train (one run), then Train all (6
runs), so that the page holds 7; five moves of the replay slider; ticking a run in
the runs table. Then Train all twice more, so
that the page holds its 16 runs, and the moves and the tick again. The heartbeat
(every 5 s) is left out of the figures. Prints a Markdown table (``--json`` too).

    python tools/wire.py                  # the defaults, about three minutes
    python tools/wire.py --epochs 10      # shorter runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUIET_S = 1.0  # an interaction has ended when no request was in flight for this long
IGNORED = ("heartbeat.disabled",)  # the page's heartbeat: background, not the interaction's


@dataclass
class Tally:
    up: int = 0
    down: int = 0
    seconds: float = 0.0
    requests: int = 0
    by: dict = field(default_factory=dict)  # what -> [up, down, seconds]


class Meter:
    """WSGI middleware: counts bytes up and down and the seconds spent per request."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.tally = Tally()
        self.in_flight = 0
        self.last = time.monotonic()

    def reset(self) -> Tally:
        with self.lock:
            tally, self.tally = self.tally, Tally()
            return tally

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        what = environ.get("PATH_INFO", "")
        if what.endswith("_dash-update-component"):
            try:
                what = json.loads(body).get("output", what)
            except ValueError:
                pass
        with self.lock:
            self.in_flight += 1
        t0 = time.perf_counter()
        down = 0
        try:
            for chunk in self.app(environ, start_response):
                down += len(chunk)
                yield chunk
        finally:
            spent = time.perf_counter() - t0
            with self.lock:
                self.in_flight -= 1
                self.last = time.monotonic()
                if what not in IGNORED:
                    t = self.tally
                    t.up += len(body)
                    t.down += down
                    t.seconds += spent
                    t.requests += 1
                    row = t.by.setdefault(what, [0, 0, 0.0])
                    row[0] += len(body)
                    row[1] += down
                    row[2] += spent

    def wait_quiet(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.in_flight == 0 and time.monotonic() - self.last > QUIET_S:
                    return
            time.sleep(0.05)


def serve_metered(app):
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            pass

    meter = Meter(app.server.wsgi_app)
    app.server.wsgi_app = meter
    server = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", meter, server


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--by", action="store_true", help="also each interaction's callbacks, costliest first")
    args = ap.parse_args(argv)

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from app import create_app
    from components.server.settings import Settings
    from tests.helpers import browser, everything, text, until

    app = create_app(Settings(cache_dir=Path(tempfile.mkdtemp(prefix="gatelab-wire-")) / "cache"))
    url, meter, server = serve_metered(app)
    d = browser(1440, 900)
    rows: list[tuple[str, Tally | list[Tally]]] = []

    def step(name: str, action, timeout: float = 60) -> Tally:
        meter.wait_quiet()
        meter.reset()
        action()
        meter.wait_quiet(timeout)
        tally = meter.reset()
        rows.append((name, tally))
        return tally

    def ready():
        until(lambda: d.find_elements(By.ID, "job-status") and text(d, "job-status") == "ready", 60)
        everything(d)  # every view on the page, as before the lessons: the same interactions, comparable

    def train(button: str = "train-all-button"):
        d.execute_script(f"document.getElementById('{button}').click()")
        until(lambda: text(d, "job-status") != "done", 30)  # the click has reached the page
        until(lambda: text(d, "job-status") == "done", 600)

    def moves(label: str):
        tallies = []
        meter.wait_quiet()
        for i in range(args.moves):
            handle = d.find_element(By.CSS_SELECTOR, "#replay-slider [role=slider]")  # as drawn now
            d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", handle)
            meter.reset()
            handle.send_keys(Keys.LEFT if i % 2 == 0 else Keys.RIGHT)
            meter.wait_quiet()
            tallies.append(meter.reset())
        rows.append((label, tallies))

    def tick():
        box = d.find_elements(By.CSS_SELECTOR, "#runs-table td.dash-select-cell input")[1]
        d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", box)

    try:
        step("first page load", lambda: (d.get(url), ready()))
        step("reload", lambda: (d.refresh(), ready()))
        d.execute_script("const e = document.getElementById('epochs');"
                         "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, arguments[0]);"
                         "e.dispatchEvent(new Event('input', {bubbles: true}));", str(args.epochs))
        step("Train (1 run)", lambda: train("train-button"), 600)
        step("Train all (6 runs)", train, 600)
        moves("one replay-slider move, 7 runs")
        step("ticking one run in the table, 7 runs", tick)
        for _ in range(2):
            train()
        until(lambda: len(d.find_elements(By.CSS_SELECTOR, "#runs-table td[data-dash-column='label']")) == 16, 10)
        moves("one replay-slider move, 16 runs")
        step("ticking one run in the table, 16 runs", tick)
        logs = d.get_log("browser")
    finally:
        d.quit()
        server.shutdown()

    if args.by:
        for name, t in rows:
            for x in (t if isinstance(t, list) else [t])[:1]:
                print(f"{name}:")
                for what, (up, down, s) in sorted(x.by.items(), key=lambda kv: -kv[1][2])[:8]:
                    print(f"    {s * 1000:7.1f} ms {down / 1024:7.1f} KB  {what[:110]}")
    out = []
    for name, t in rows:
        if isinstance(t, list):
            out.append({"interaction": name, "up_kb": statistics.median(x.up for x in t) / 1024,
                        "down_kb": statistics.median(x.down for x in t) / 1024,
                        "web_ms": statistics.median(x.seconds for x in t) * 1000,
                        "requests": statistics.median(x.requests for x in t),
                        "note": f"median of {len(t)}"})
        else:
            out.append({"interaction": name, "up_kb": t.up / 1024, "down_kb": t.down / 1024,
                        "web_ms": t.seconds * 1000, "requests": t.requests, "note": ""})
    if args.json:
        print(json.dumps({"rows": out, "browser_log": logs}, indent=1))
    print("| interaction | uploaded | downloaded | web-process time | requests |")
    print("|---|---|---|---|---|")
    for r in out:
        size = lambda kb: f"{kb / 1024:.2f} MB" if kb >= 1024 else f"{kb:.1f} KB"  # noqa: E731
        print(f"| {r['interaction']} | {size(r['up_kb'])} | {size(r['down_kb'])} | {r['web_ms']:.0f} ms"
              f"{' (' + r['note'] + ')' if r['note'] else ''} | {r['requests']:g} |")
    if logs:
        print("browser console:", logs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
