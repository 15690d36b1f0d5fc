"""The training replay: a slider over the epochs a run kept snapshots of, and a play button.

Training keeps the weights every few epochs (``models.experiment.snapshot_every``);
moving the slider redraws every view of the current run as it was then (the loss chart's
marker, the one-step forecasts, the rollout, the gate heatmaps, the arithmetic, the saliency
and the what-if view), in one request that answers them all with patches, recomputed in the
web process with the NumPy backend. Play steps
through the snapshots at the chosen speed, so a class can watch the gates organise
themselves; Pause stops it where it is at once (``replayPlayer`` in assets/gatelab.js).
The loss chart marks the replayed epoch (``marker_shapes``, drawn by ``components.page.views.results``).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update

from components.page import ids
from components.page.figures import gates_patch
from components.page.views import arithmetic, results, saliency, shown, whatif
from components.page.views.epochs import epoch_of, stops
from components.page.views.shown import window_index
from components.server.services import Services

SPEEDS = {"slow": 1200, "normal": 600, "fast": 250}  # milliseconds per snapshot
PLAY_MS = SPEEDS["normal"]


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(dbc.Button("Play", id=ids.REPLAY_PLAY, color="secondary", outline=True, size="sm"),
                            width="auto"),
                    dbc.Col(html.Div(dcc.Slider(id=ids.REPLAY_SLIDER, min=0, max=0, step=1, value=0, marks={0: "end"},
                                                updatemode="mouseup", allow_direct_input=False),
                                     **{"data-label": "Replay: the epoch shown"}),
                            className="replay-slider-col"),
                    dbc.Col([dbc.Label("Speed", html_for=ids.REPLAY_SPEED, className="small mb-0 me-1"),
                             dbc.Select(id=ids.REPLAY_SPEED, value="normal", size="sm",
                                        options=[{"label": f"{k} ({v / 1000:g} s a step)", "value": k}
                                                 for k, v in SPEEDS.items()])],
                            width="auto", className="d-flex align-items-center"),
                ],
                className="g-2 align-items-center",
            ),
            html.Div("Train a run to replay it.", id=ids.REPLAY_NOTE, className="small text-muted"),
            dcc.Store(id=ids.REPLAY_SHOWN),
            dcc.Interval(id=ids.REPLAY_TICK, interval=PLAY_MS, disabled=True),
        ]
    )


def register(app: Dash, services: Services) -> None:
    library = services.library
    _register_slider(app, library)
    _register_move(app, library)


def _register_slider(app: Dash, library) -> None:
    # allow_duplicate (REPLAY_SHOWN): this sets it for a new run, at its end; a replay step, for the epoch shown.
    @app.callback(
        Output(ids.REPLAY_SLIDER, "max"),
        Output(ids.REPLAY_SLIDER, "marks"),
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.REPLAY_TICK, "disabled"),
        Output(ids.REPLAY_PLAY, "children"),
        Output(ids.REPLAY_SHOWN, "data", allow_duplicate=True),
        *shown.inputs(shown.CURRENT),
        *shown.TAB,
        prevent_initial_call=True,
    )
    def fit_slider(current_id, store, tab):
        """A new current run: the slider gets its snapshots and stands at the end, paused."""
        _, run = shown.current(library, tab, store, current_id)
        if run is None:
            return no_update, no_update, no_update, True, "Play", None
        epochs = stops(run)
        n = len(epochs) - 1
        marked = sorted({0, n // 4, n // 2, 3 * n // 4, n})
        return n, {i: str(epochs[i]) for i in marked}, n, True, "Play", {"run": run.id, "position": n}

    # allow_duplicate: ``fit_slider`` sets these for a new run; this plays and pauses that run.
    app.clientside_callback(
        ClientsideFunction("gatelab", "replayPlayer"),
        Output(ids.REPLAY_SLIDER, "value", allow_duplicate=True),
        Output(ids.REPLAY_TICK, "disabled", allow_duplicate=True),
        Output(ids.REPLAY_PLAY, "children", allow_duplicate=True),
        Input(ids.REPLAY_PLAY, "n_clicks"),
        Input(ids.REPLAY_TICK, "n_intervals"),
        State(ids.REPLAY_TICK, "disabled"),
        State(ids.REPLAY_SLIDER, "value"),
        State(ids.REPLAY_SLIDER, "max"),
        prevent_initial_call=True,
    )
    app.clientside_callback(ClientsideFunction("gatelab", "replaySpeed"), Output(ids.REPLAY_TICK, "interval"),
                            Input(ids.REPLAY_SPEED, "value"))


def say_epoch(run, position: int | None) -> str:
    epoch = epoch_of(run, position)
    if epoch >= run.epochs_done:
        return (f"{run.label} after training ({run.epochs_done} epochs): drag back or press Play to replay "
                f"({len(stops(run)) - 1} snapshots).")
    return f"{run.label} as it was after epoch {epoch} of {run.epochs_done}."


# Every view that shows the current run at the replayed epoch. A step of the slider answers them all in
# one request, with patches, from one rebuilt model (``PageRuns.model``); each view's own callback reads the
# epoch shown (``REPLAY_SHOWN``) when something else redraws it. allow_duplicate on each: its own card's
# callback draws it whole, and this one only moves it to another epoch.
FOLLOWERS = ((ids.LOSS_GRAPH, "figure"), (ids.FORECAST_GRAPH, "figure"), (ids.ROLLOUT_GRAPH, "figure"),
             (ids.ROLLOUT_NOTE, "children"), (ids.GATES_GRAPH, "figure"), (ids.SALIENCY_GRAPH, "figure"),
             (ids.SALIENCY_NOTE, "children"), (ids.CELL_EXPLAIN, "children"), (ids.WHATIF, "figure"),
             (ids.WHATIF_NOTE, "children"), (ids.REPLAY_SHOWN, "data"))


def _register_move(app: Dash, library) -> None:
    @app.callback(
        Output(ids.REPLAY_NOTE, "children"),
        *(Output(i, prop, allow_duplicate=True) for i, prop in FOLLOWERS),
        Input(ids.REPLAY_SLIDER, "value"),
        *shown.inputs(shown.SHOWN, State),
        State(ids.GATE_WINDOW, "value"),
        State(ids.ROLLOUT_STEPS, "value"),
        State(ids.WHATIF_EDITS, "data"),
        State(ids.EXPLAIN_GATE, "value"),
        State(ids.EXPLAIN_UNIT, "value"),
        State(ids.EXPLAIN_STEP, "value"),
        State(ids.CANCEL, "disabled"),
        State(ids.REPLAY_SHOWN, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def move(position, store, selected_rows, current_id, window, steps, edits, gate, unit, step, idle, drawn, tab):
        page, run = shown.current(library, tab, store, current_id)
        if run is None:
            return ("Train a run to replay it.", *[no_update] * len(FOLLOWERS))
        if not isinstance(position, int) or isinstance(position, bool):
            position = None  # the end
        note = say_epoch(run, position)
        here = {"run": run.id, "position": position}
        if drawn == here:  # a new run at its end: its views are drawing it already
            return (note, *[no_update] * len(FOLLOWERS))
        loss, forecasts, rollout, rollout_note = results.replay_patches(
            page, page.shown(selected_rows, current_id), current_id, position, steps)
        _, _, gates, title, _ = results.gates_at(page, run, position, window, edits)
        saliency_figure, saliency_note = saliency.saliency_view(page, run, position, window, edits, patch="replay")
        k = window_index(window, len(run.forecast.index))
        points = whatif.parse_edits(edits, run, k)
        whatif_figure, whatif_note = whatif.whatif_view(page, run, position, k, points, edits if points else None,
                                                        patch=True)
        return (note, no_update if idle is False else loss, forecasts, rollout, rollout_note,
                gates_patch(gates, run.config.cell, title, results.gate_scales(page, run, position, gates, window, edits)),
                saliency_figure, saliency_note,
                arithmetic.arithmetic_view(page, run, position, gate, unit, step, window, edits),
                whatif_figure, whatif_note, here)
