"""``python tools/survey.py``: what a newcomer meets, lesson by lesson.

Serves Gatelab from this process, opens it in headless Chromium at 1440x900, 800x900
and 390x844, and for each lesson (or the whole page, on a release before the lessons)
counts the controls a person can reach (``tests.helpers.CONTROLS_JS``: inputs, buttons,
selects, links and sliders that are shown, a radio group as one; plot toolbars apart) and
the page's height, with the page itself (the viewport) at that size. Prints a Markdown table
(``--json`` too). ``--shots DIR`` saves a screenshot of each lesson at each width.

    python tools/survey.py
    python tools/survey.py --train --shots docs   # the README's screenshots
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTHS = ((1440, 900), (800, 900), (390, 844))
def survey(url: str, shots: Path | None, train: bool = False) -> list[dict]:
    from selenium.webdriver.common.by import By

    from tests.helpers import browser, lesson as open_lesson, survey as measure, text, until, viewport

    rows = []
    for width, height in WIDTHS:
        d = browser(width, height)
        try:
            viewport(d, width, height)
            d.get(url)
            until(lambda: text(d, "job-status") == "ready", timeout=30)
            if train:  # the views drawn, as after a first run
                d.find_element(By.ID, "train-button").click()
                until(lambda: text(d, "job-status") == "done", timeout=120)
            lessons = [e.get_attribute("id")[len("lesson-"):]
                       for e in d.find_elements(By.CSS_SELECTOR, "#lesson label[id^=lesson-]")] or ["(one page)"]
            for lesson in lessons:
                if lesson != "(one page)":
                    open_lesson(d, lesson)
                time.sleep(1.0)  # the lesson's graphs take their size
                row = measure(d) | {"lesson": lesson, "width": width}
                rows.append(row)
                if shots is not None:
                    d.save_screenshot(str(shots / f"lesson-{lesson}-{width}.png"))
        finally:
            d.quit()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--train", action="store_true", help="press Train first, so that the views are drawn")
    args = parser.parse_args(argv)
    from app import create_app
    from components.server.settings import Settings
    from tests.helpers import serve

    app = create_app(Settings(cache_dir=Path(tempfile.mkdtemp())))
    url, stop = serve(app)
    try:
        if args.shots:
            args.shots.mkdir(parents=True, exist_ok=True)
        rows = survey(url, args.shots, args.train)
    finally:
        stop()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("| lesson | width | controls | plot-toolbar buttons | page height (px) | screens |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['lesson']} | {r['width']} | {r['controls']} | {r['toolbar']} | {r['height']} | "
              f"{r['height'] / r['viewport']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
