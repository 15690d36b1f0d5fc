"""What the result cards read to know which runs they show, named once.

- ``SHOWN``: the runs store, the runs table's ticks and the current run (the views that overlay the
  ticked runs, or show the current one alone);
- ``CURRENT``: the current run (the views of one run);
- ``TAB``: the page's runs store and its tab id, as State, which every view needs to reach its runs.

    @app.callback(Output(...), *shown.inputs(shown.CURRENT), *shown.TAB)
    def draw(current_id, store, tab):
        page, run = shown.current(library, tab, store, current_id)
"""

from __future__ import annotations

from typing import Any

from dash import Input, State

from components.page import ids
from components.server.library import PageRuns, RunLibrary
from models.run import RunRecord

SHOWN = ((ids.RUNS_STORE, "data"), (ids.RUNS_TABLE, "selected_rows"), (ids.CURRENT_RUN, "data"))
CURRENT = ((ids.CURRENT_RUN, "data"),)
TAB = (State(ids.RUNS_STORE, "data"), State(ids.SESSION, "data"))


def inputs(which: tuple, kind=Input) -> list:
    """``which`` (``SHOWN`` or ``CURRENT``) as Inputs, or as States with ``kind=State``."""
    return [kind(i, prop) for i, prop in which]


def current(library: RunLibrary, tab: Any, store: Any, current_id: Any) -> tuple[PageRuns, RunRecord | None]:
    """The page's runs as tab ``tab`` may see them, and its current run (None if it has none)."""
    page = library.page(tab, store)
    return page, page.find(current_id)


def overlaid(library: RunLibrary, tab: Any, store: Any, selected_rows: Any,
             current_id: Any) -> tuple[PageRuns, list[RunRecord]]:
    """The page's runs, and the ones its views overlay: the ticked runs, or else the current one."""
    page = library.page(tab, store)
    return page, page.shown(selected_rows, current_id)


def every(library: RunLibrary, tab: Any, store: Any) -> list[RunRecord]:
    """Every run the page lists and the shelf still has, newest first."""
    return library.page(tab, store).all()


def number_or(value: Any, default: float) -> float:
    """``value`` if the page sent a real number (not a bool, not NaN), else ``default``."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value else default


def window_index(value: Any, count: int) -> int:
    """The test window a slider or box names, within the ``count`` windows a run has (0 if none named)."""
    return int(min(max(number_or(value, 0), 0), max(count - 1, 0)))
