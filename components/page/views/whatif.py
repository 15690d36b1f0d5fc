"""What if (``whatif``): edit the chosen test window and see the forecast, the saliency and the
gates answer.

The window is drawn in original units. Click one of its points (or type its step), type a
value, press Set: the one-step forecast of the edited window is drawn beside the data's,
and the gate heatmaps, the arithmetic and the saliency redraw for it (they read the edits
store). Reset returns to the data. The web process computes it all with NumPy, from the
run's restored model (``components.server.library``).

The edits live in the page (``whatif-edits``: the run, the window and {step: value});
the server takes nothing in it on trust: ``edited_window`` ignores edits of another run or
window and anything malformed, and keeps values to the run's range.
"""

from __future__ import annotations

from typing import Any

from functools import lru_cache

import dash_bootstrap_components as dbc
import numpy as np
import plotly.io as pio
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from components.page.figures import GRAPH_CONFIG
from components.page.views import shown
from components.page.views.epochs import epoch_of, position_shown
from components.page.views.shown import window_index
from data.bounds import Bound
from data.windows import Prepared
from models.run import RunRecord

HEIGHT = 220
EMPTY = {"data": [], "layout": {"height": HEIGHT}}


def value_bound(series) -> Bound:
    """What an edited point may hold: the series' range, widened by its span on each side."""
    lo, hi = float(np.min(series)), float(np.max(series))
    span = hi - lo or 1.0
    return Bound("float", round(lo - span, 3), round(hi + span, 3))


def parse_edits(edits: Any, run: RunRecord, window: int) -> dict[int, float]:
    """The page's edits for ``run``'s test window ``window`` as {step: value}; nothing that is not
    theirs, well formed and in range."""
    if not isinstance(edits, dict) or edits.get("run") != run.id or edits.get("window") != window:
        return {}
    points = edits.get("points")
    if not isinstance(points, dict) or len(points) > run.config.seq_len:
        return {}
    bound = value_bound(run.series)
    out = {}
    for key, value in points.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) < run.config.seq_len):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and bound.problem(value) is None:
            out[int(key)] = float(value)
    return out


def edited_window(run: RunRecord, prep: Prepared, window: int, edits: Any) -> tuple[np.ndarray, float] | None:
    """(the network's rows (L, D) of test window ``window`` with the page's edits, its ``ref``), or None
    when nothing of it is edited."""
    points = parse_edits(edits, run, window)
    if not points:
        return None
    target = int(prep.test.target_index[window])
    start = target - prep.seq_len
    values = np.array(prep.series, dtype=np.float64)
    for step, value in points.items():
        values[start + step] = value
    rows, ref = prep.window_of(values, target)
    return rows.astype(prep.test.X.dtype), ref


def layout() -> html.Div:
    field = {"size": "sm"}  # read as State when Set is pressed (or Enter in the value field)
    return html.Div(
        [
            html.P("The test window chosen under Inside the cell, in the series' units: click a point or type its "
                   "step, type a value, press Set.", className="small text-muted mb-1"),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Step", html_for=ids.WHATIF_STEP, className="small mb-0"),
                             dbc.Input(id=ids.WHATIF_STEP, type="number", min=0, step=1, value=0, **field)],
                            width=3),
                    dbc.Col([dbc.Label("Value", html_for=ids.WHATIF_VALUE, className="small mb-0"),
                             dbc.Input(id=ids.WHATIF_VALUE, type="number", **field)], width=4),
                    dbc.Col([dbc.Button("Set", id=ids.WHATIF_SET, size="sm", color="primary", className="me-1"),
                             dbc.Button("Reset", id=ids.WHATIF_RESET, size="sm", color="secondary", outline=True)],
                            className="d-flex align-items-end"),
                ],
                className="g-1",
            ),
            html.Div(id=ids.WHATIF_FEEDBACK, className="small text-danger", role="alert"),
            dcc.Store(id=ids.WHATIF_EDITS),
            dcc.Graph(id=ids.WHATIF, figure=EMPTY, config=GRAPH_CONFIG),
            html.P(id=ids.WHATIF_NOTE, className="small text-muted mb-1", role="status", **{"aria-live": "polite"}),
        ]
    )


def forecast(model, rows: np.ndarray, ref: float) -> float:
    """The one-step forecast of one window (its rows (L, D) and ``ref``), original units."""
    prep = model.prep_
    return float(prep.to_original(model.model_.predict(rows[None])[:, :1], np.array([[ref]]))[0])


@lru_cache(maxsize=1)
def template() -> dict:
    """Plotly's "plotly_white" template as plotly.js reads it (a name means nothing to it)."""
    return pio.templates["plotly_white"].to_plotly_json()


def make_figure(data: list, points: dict[int, float], pred_data: float, pred_edited: float, target_step: int) -> dict:
    """The window (the data, and the edited points and line), with the forecast of the data and of the
    edited window at the step it predicts. A plain dict: built in well under a millisecond, which
    keeps an edit's answer quick (a ``go.Figure`` costs several)."""
    steps = list(range(len(data)))
    edited = list(data)
    for s, v in points.items():
        edited[s] = v
    traces = [{"type": "scatter", "x": steps, "y": data, "mode": "lines+markers", "name": "the data",
               "marker": {"size": 5}, "line": {"color": "#888"}}]
    if points:
        shown = sorted(points)
        traces += [{"type": "scatter", "x": steps, "y": edited, "mode": "lines", "name": "edited window",
                    "line": {"color": "#d62728"}},
                   {"type": "scatter", "x": shown, "y": [points[s] for s in shown], "mode": "markers",
                    "name": "edited points", "marker": {"size": 9, "color": "#d62728", "symbol": "diamond"}}]
    traces.append({"type": "scatter", "x": [target_step], "y": [pred_data], "mode": "markers",
                   "name": "forecast of the data", "marker": {"size": 11, "color": "#1f77b4", "symbol": "star"}})
    if points:
        traces.append({"type": "scatter", "x": [target_step], "y": [pred_edited], "mode": "markers",
                       "name": "forecast if edited", "marker": {"size": 11, "color": "#d62728", "symbol": "star"}})
    return {"data": traces, "layout": {"height": HEIGHT, "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
                                       "template": template(), "hovermode": "closest", "clickmode": "event",
                                       "legend": {"orientation": "h", "y": -0.25, "x": 0},
                                       "xaxis": {"title": {"text": "step in the window"}}}}


def note(k: int, target: int, points: dict[int, float], pred_data: float, pred_edited: float) -> str:
    if not points:
        return f"Test window {k}: its forecast of step {target} is {pred_data:.4f}."
    moved = ", ".join(f"step {s} to {v:g}" for s, v in sorted(points.items()))
    return (f"With {moved}: the forecast is {pred_edited:.4f} instead of {pred_data:.4f} (a change of "
            f"{pred_edited - pred_data:+.4f}). The gates, the arithmetic and the saliency show the edited window.")


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(
        Output(ids.WHATIF_EDITS, "data"),
        Output(ids.WHATIF_FEEDBACK, "children"),
        Output(ids.WHATIF_STEP, "value"),
        Output(ids.WHATIF_VALUE, "value"),
        Output(ids.WHATIF, "figure"),
        Output(ids.WHATIF_NOTE, "children"),
        Input(ids.WHATIF_SET, "n_clicks"),
        Input(ids.WHATIF_VALUE, "n_submit"),
        Input(ids.WHATIF_RESET, "n_clicks"),
        Input(ids.WHATIF, "clickData"),
        Input(ids.GATE_WINDOW, "value"),
        *shown.inputs(shown.CURRENT),
        State(ids.REPLAY_SHOWN, "data"),
        State(ids.WHATIF_STEP, "value"),
        State(ids.WHATIF_VALUE, "value"),
        State(ids.WHATIF_EDITS, "data"),
        *shown.TAB,
    )
    def edit(_set, _enter, _reset, click, window, current_id, position, step, value, edits, store, tab):
        """Set puts the typed value at the step, and the answer comes back in the same round trip; a click
        on a point chooses its step and shows its value; Reset, another window or another run clears
        the edits. The gates, the arithmetic and the saliency follow the edits store."""
        position = position_shown(position, current_id)
        page, run = shown.current(library, tab, store, current_id)
        if run is None:
            return None, "", no_update, no_update, EMPTY, "Train a run to edit one of its test windows."
        trigger = ctx.triggered_id
        L = run.config.seq_len
        if trigger == ids.WHATIF:
            point = (click or {}).get("points", [{}])[0]
            x, y = point.get("x"), point.get("y")
            if isinstance(x, int) and 0 <= x < L and isinstance(y, (int, float)):
                return no_update, "", x, round(float(y), 6), no_update, no_update
            return (no_update,) * 6
        k = window_index(window, len(run.forecast.index))
        points = {} if trigger in (ids.WHATIF_RESET, ids.GATE_WINDOW, ids.CURRENT_RUN) else parse_edits(edits, run, k)
        feedback = ""
        if trigger in (ids.WHATIF_SET, ids.WHATIF_VALUE):
            problem = Bound("int", 0, L - 1).problem(step)
            problem = f"Step {problem}." if problem else None
            if problem is None and value_bound(run.series).problem(value):
                problem = f"Value {value_bound(run.series).problem(value)}."
            if problem:
                return no_update, problem, no_update, no_update, no_update, no_update
            points[int(step)] = float(value)
        kept = {"run": run.id, "window": k, "points": {str(s): v for s, v in points.items()}} if points else None
        return (kept, feedback, no_update, no_update, *whatif_view(page, run, position, k, points, kept))


def whatif_view(page, run: RunRecord, position: int | None, k: int, points: dict[int, float], kept,
                patch: bool = False) -> tuple:
    """(the chosen window with its edits and both forecasts, the sentence) at the replayed epoch; with
    ``patch``, only the forecasts change (a replay step: the window and its edits stay)."""
    L = run.config.seq_len
    with page.model(run, epoch_of(run, position)) as model:
        prep = model.prep_
        target = int(prep.test.target_index[k])
        data = np.asarray(prep.series[target - L : target], dtype=np.float64).tolist()
        pred_data = forecast(model, prep.test.X[k], float(prep.test.ref[k, 0]))
        changed = edited_window(run, prep, k, kept)
        pred_edited = forecast(model, *changed) if changed is not None else pred_data
    said = note(k, target, points, pred_data, pred_edited)
    if patch:  # make_figure's traces: the data, (the edited line and points,) the forecasts
        figure, first = Patch(), 3 if points else 1
        figure["data"][first]["y"] = [pred_data]
        if points:
            figure["data"][first + 1]["y"] = [pred_edited]
        return figure, said
    return make_figure(data, points, pred_data, pred_edited, L), said
