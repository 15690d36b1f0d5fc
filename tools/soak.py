"""``python tools/soak.py``: many short runs in a row in one page, none lost.

Serves Gatelab from this process, opens it in headless Chromium, and presses Train for ``--runs``
short runs (2 epochs, H 4) one after another, each once the one before is drawn. It checks that every
run reaches the runs table, that the status never said "no result" (a run lost on its way back),
and, past 16 runs, that the table keeps the 16 newest and names those that left. Prints one line per
check and exits 1 if one fails. It was a browser test (40 runs, 89 s); the suite keeps a short one.

    python tools/soak.py              # 40 runs, about a minute and a half
    python tools/soak.py --runs 100
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    from app import create_app
    from components.server.settings import Settings
    from components.server.shelf import MAX_RUNS
    from tests.helpers import browser, everything, run_labels, serve, text, until

    app = create_app(Settings(cache_dir=Path(tempfile.mkdtemp(prefix="gatelab-soak-")) / "cache"))
    url, stop = serve(app)
    d = browser()
    failures = []
    try:
        d.get(url)
        until(lambda: text(d, "job-status") == "ready", 60)
        everything(d)  # every field in view
        for field, value in (("epochs", 2), ("hidden-size", 4)):
            d.execute_script("const e = document.getElementById(arguments[0]);"
                             "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, arguments[1]);"
                             "e.dispatchEvent(new Event('input', {bubbles: true}));", field, str(value))
        d.execute_script("""
            window.statusSeen = [];
            new MutationObserver(() => window.statusSeen.push(document.getElementById('job-status').textContent))
                .observe(document.getElementById('job-status'), {childList: true, subtree: true, characterData: true});
        """)
        start = time.monotonic()
        for n in range(1, args.runs + 1):
            until(lambda: d.find_element("id", "train-button").get_attribute("disabled") is None, 10)
            d.find_element("id", "train-button").click()
            until(lambda n=n: run_labels(d) and run_labels(d)[0] == f"#{n} NumPy LSTM", 30)
            until(lambda: text(d, "job-status") == "done", 10)
        seconds = time.monotonic() - start
        labels = run_labels(d)
        kept = min(args.runs, MAX_RUNS)
        checks = [
            (f"{args.runs} runs reached the table in {seconds:.0f} s", labels[0] == f"#{args.runs} NumPy LSTM"),
            (f"the table keeps the {kept} newest", labels == [f"#{n} NumPy LSTM" for n in range(args.runs, args.runs - kept, -1)]),
            ("no run was reported lost", not [s for s in d.execute_script("return window.statusSeen")
                                             if s.startswith("no result")]),
        ]
        if args.runs > MAX_RUNS:
            checks.append((f"the note names #{args.runs - MAX_RUNS} as gone",
                           f"#{args.runs - MAX_RUNS} left the table" in text(d, "runs-note")))
        for what, ok in checks:
            print(("ok    " if ok else "FAIL  ") + what)
            if not ok:
                failures.append(what)
    finally:
        d.quit()
        stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
