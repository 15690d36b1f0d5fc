"""``python tools/bench_whatif.py``: how soon an edit of the what-if window is answered, in a real browser.

Serves Gatelab as ``gatelab serve`` does, trains one run at the default settings, opens
lesson 7, then edits the last point of test window 0 again and again (a new value each
time) and times in the page (``performance.now()``) from the press of Set to: the
what-if view's forecast sentence changing; the last of the server's answers arriving
(the edit, then the gates, the arithmetic and the saliency that follow it); the gate
heatmaps and the saliency graph drawn (Plotly's ``afterplot``). Medians and ranges.
``--screenshots DIR`` also saves the README's pictures: a forget-gate cell's
arithmetic, and the saliency beside the ACF and PACF.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from bench_ui import _wait_text, served  # noqa: E402
from tests.helpers import browser, free_port, until  # noqa: E402

EDIT = """
const done = arguments[arguments.length - 1];
const note = document.getElementById('whatif-note'), before = note.textContent;
const got = {}, t0 = performance.now();
const finish = () => {
  const back = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component') && e.startTime >= t0).map(e => e.responseEnd - t0);
  done([got.note, Math.max(...back), got.gates, got.saliency]);
};
const check = () => { if (got.note && got.gates && got.saliency) { setTimeout(finish, 200); } };
for (const [key, id] of [['gates', 'gates-graph'], ['saliency', 'saliency-graph']]) {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  const once = () => { gd.removeListener('plotly_afterplot', once); got[key] = performance.now() - t0; check(); };
  gd.on('plotly_afterplot', once);
}
new MutationObserver((_, obs) => {
  if (note.textContent !== before) { obs.disconnect(); got.note = performance.now() - t0; check(); }
}).observe(note, {childList: true, subtree: true, characterData: true});
document.getElementById('whatif-set').click();
setTimeout(() => done(null), 10000);
"""


def _type(driver, element_id: str, value) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, element_id)
    box.clear()
    box.send_keys(str(value))


def _screenshots(driver, folder: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_script("document.getElementById('whatif-reset').click()")  # the data's window, not an edit
    until(lambda: "With step" not in driver.find_element(By.ID, "whatif-note").text, timeout=10)
    time.sleep(1)
    driver.find_element(By.ID, "lesson-inside").click()
    time.sleep(2)
    graph = driver.find_element(By.CSS_SELECTOR, "#gates-graph .js-plotly-plot")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", graph)
    dx, dy = driver.execute_script("""
        const gd = arguments[0], fl = gd._fullLayout, box = gd.getBoundingClientRect();
        return [fl.xaxis2._offset + fl.xaxis2.l2p(10) - box.width / 2,
                fl.yaxis2._offset + fl.yaxis2.l2p(3) - box.height / 2];
        """, graph)
    ActionChains(driver).move_to_element(graph).move_by_offset(round(dx), round(dy)).click().perform()
    until(lambda: "Unit 3 at step 10" in driver.find_element(By.ID, "cell-explain").text, timeout=10)
    time.sleep(0.5)
    block = driver.find_element(By.ID, "cell-explain")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
    block.screenshot(str(folder / "cell-explain.png"))
    driver.find_element(By.ID, "lesson-looks").click()
    time.sleep(2)
    card = driver.find_element(By.ID, "saliency-graph")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    time.sleep(1)
    card.screenshot(str(folder / "saliency.png"))


def run(edits: int = 12, screenshots: str | None = None) -> int:
    with served(free_port()) as url:
        driver = browser(1440, 1000)
        try:
            driver.get(url + "/?lesson=looks")
            _wait_text(driver, "job-status", "ready", 60)
            driver.execute_script("document.getElementById('train-button').click()")
            _wait_text(driver, "job-status", "done")
            driver.execute_script("document.getElementById('lesson-looks').click()")
            time.sleep(2)
            _type(driver, "whatif-step", 59)
            times = []
            for i in range(edits + 1):
                _type(driver, "whatif-value", round(0.5 + 0.25 * i, 2))
                time.sleep(1.0)  # the last edit's views have drawn: time this one alone
                got = driver.execute_async_script(EDIT)
                if got is None:
                    raise TimeoutError("an edit was not answered within 10 s")
                if i:  # the first edit restores the run's model into the page's cache: left out
                    times.append(got)
            if screenshots:
                _screenshots(driver, Path(screenshots))
        finally:
            driver.quit()
    print(f"what-if: press Set -> ..., default settings, {edits} edits of test window 0 (headless Chromium):")
    for i, what in enumerate(["the forecast's sentence", "the last server answer", "the gates drawn",
                              "the saliency drawn"]):
        ms = [t[i] for t in times]
        print(f"  {what:<26} median {statistics.median(ms):6.0f} ms   min {min(ms):6.0f}   max {max(ms):6.0f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--screenshots", metavar="DIR", help="save the README's arithmetic and saliency pictures")
    args = parser.parse_args()
    sys.exit(run(args.edits, args.screenshots))
