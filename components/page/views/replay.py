"""The training replay: a slider over the epochs a run kept snapshots of, and a play button.

Training keeps the weights every few epochs (``models.experiment.snapshot_every``);
moving the slider redraws the one-step forecasts, the rollout and the gate heatmaps
of the current run as they were then (``RunRecord.at_epoch``; the results views read
the slider), recomputed in the web process with the NumPy backend. Play steps
through the snapshots at the chosen speed, so a class can watch the gates organise
themselves; Pause stops it where it is at once (``PLAYER`` runs in the browser).
The loss chart marks the replayed epoch (``marker_shapes``, drawn by ``components.page.views.results``).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update

from components.page import ids
from components.server.services import Services

SPEEDS = {"slow": 1200, "normal": 600, "fast": 250}  # milliseconds per snapshot
PLAY_MS = SPEEDS["normal"]
MARKER = "replayed epoch"  # the name of the loss chart's marker shape


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
            html.Div(id=ids.REPLAY_NOTE, className="small text-muted"),
            dcc.Interval(id=ids.REPLAY_TICK, interval=PLAY_MS, disabled=True),
        ]
    )


def marker_shapes(run, position: int | None) -> list[dict]:
    """The loss chart's marker at the epoch the slider replays; none at the run's end."""
    if run is None:
        return []
    epoch = epoch_of(run, position)
    if epoch >= run.epochs_done:
        return []
    return [{"type": "line", "name": MARKER, "x0": epoch, "x1": epoch, "yref": "paper", "y0": 0, "y1": 1,
             "line": {"color": "#9467bd", "dash": "dot", "width": 2},
             "label": {"text": f"replay: epoch {epoch}", "textposition": "end", "font": {"size": 11}}}]


def stops(run) -> list[int]:
    """The epochs the slider stops at: every snapshot before the end, then the end (the run's final
    weights, which are the best epoch's when it stopped early)."""
    return [e for e, _ in run.snapshots if e < run.epochs_done] + [run.epochs_done]


def epoch_of(run, position: int | None) -> int:
    """The epoch the slider's ``position`` stands for; past the stops, the run's end."""
    epochs = stops(run)
    if position is None or not 0 <= position < len(epochs):
        return run.epochs_done
    return epochs[position]


def register(app: Dash, services: Services) -> None:
    library = services.library
    @app.callback(
        Output(ids.REPLAY_SLIDER, "max"),
        Output(ids.REPLAY_SLIDER, "marks"),
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.REPLAY_TICK, "disabled"),
        Output(ids.REPLAY_PLAY, "children"),
        Input(ids.CURRENT_RUN, "data"),
        State(ids.RUNS_STORE, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def fit_slider(current_id, store, tab):
        """A new current run: the slider gets its snapshots and stands at the end, paused."""
        run = library.page(tab, store).find(current_id)
        if run is None:
            return no_update, no_update, no_update, True, "Play"
        epochs = stops(run)
        n = len(epochs) - 1
        shown = sorted({0, n // 4, n // 2, 3 * n // 4, n})
        return n, {i: str(epochs[i]) for i in shown}, n, True, "Play"

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
    app.clientside_callback(ClientsideFunction("gatelab", "replaySpeed"), Output(ids.REPLAY_TICK, "interval"), Input(ids.REPLAY_SPEED, "value"))

    @app.callback(Output(ids.REPLAY_NOTE, "children"), Input(ids.REPLAY_SLIDER, "value"),
                  State(ids.RUNS_STORE, "data"), State(ids.CURRENT_RUN, "data"), State(ids.SESSION, "data"))
    def say_epoch(position, store, current_id, tab):
        run = library.page(tab, store).find(current_id)
        if run is None:
            return "Train a run to replay it."
        epoch = epoch_of(run, position)
        if epoch >= run.epochs_done:
            return (f"{run.label} after training ({run.epochs_done} epochs). Drag the slider back, or press Play, "
                    f"to see its forecasts and gates as they were ({len(stops(run)) - 1} snapshots).")
        return f"{run.label} as it was after epoch {epoch} of {run.epochs_done}."
