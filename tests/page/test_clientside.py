"""The clientside callbacks in assets/gatelab.js name the ids and words that components/page defines:
each one the Python binds exists, and the constants it repeats are the Python's."""

import re
from pathlib import Path

from dash import ClientsideFunction

ROOT = Path(__file__).resolve().parents[2]
JS = (ROOT / "assets" / "gatelab.js").read_text()


def bound_names() -> set[str]:
    """Every function name the Python binds with ClientsideFunction("gatelab", NAME)."""
    names = set()
    for path in [ROOT / "app.py", *(ROOT / "components").rglob("*.py")]:
        names.update(re.findall(r'ClientsideFunction\("gatelab", "(\w+)"\)', path.read_text()))
    return names


def test_every_bound_function_is_defined_and_every_defined_one_is_bound():
    defined = set(re.findall(r"^    (\w+): function", JS, flags=re.M))
    assert bound_names() == defined and len(defined) >= 12
    assert ClientsideFunction("gatelab", "watchdog").namespace == "gatelab"


def test_the_words_and_numbers_the_script_repeats_are_the_pythons():
    from components.page import ids, lessons, train_bar
    from components.page.views import replay

    assert train_bar.LOST in JS
    speeds = dict(re.findall(r"(\w+): (\d+)", re.search(r"replaySpeed: function.*", JS).group(0)))
    assert {k: int(v) for k, v in speeds.items()} == replay.SPEEDS and f"|| {replay.PLAY_MS}" in JS
    assert f"'gl-on-' + (lesson || '{lessons.DEFAULT}')" in JS
    for i in (ids.DRAW_WAIT, f"{ids.REPLAY_PLAY}.n_clicks", ids.FORECAST_GRAPH, ids.ROLLOUT_GRAPH, ids.GATES_GRAPH):
        assert f"'{i}'" in JS, i
