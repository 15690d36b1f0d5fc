"""The training replay: a slider over the epochs a run kept snapshots of, and a play button.

Training keeps the weights every few epochs (``models.experiment.snapshot_every``);
moving the slider redraws the one-step forecasts, the rollout and the gate heatmaps
of the current run as they were then (``RunRecord.at_epoch``; the results views read
the slider), recomputed in the web process with the NumPy backend. Play steps
through the snapshots twice a second, so a class can watch the gates organise themselves.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from components import ids
from components.runs import find_run

PLAY_MS = 600


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(dbc.Button("Play", id=ids.REPLAY_PLAY, color="secondary", outline=True, size="sm"),
                            width="auto"),
                    dbc.Col(dcc.Slider(id=ids.REPLAY_SLIDER, min=0, max=0, step=1, value=0, marks={0: "end"},
                                       updatemode="mouseup", allow_direct_input=False)),
                ],
                className="g-2 align-items-center",
            ),
            html.Div(id=ids.REPLAY_NOTE, className="small text-muted"),
            dcc.Interval(id=ids.REPLAY_TICK, interval=PLAY_MS, disabled=True),
        ]
    )


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


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.REPLAY_SLIDER, "max"),
        Output(ids.REPLAY_SLIDER, "marks"),
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.REPLAY_TICK, "disabled"),
        Output(ids.REPLAY_PLAY, "children"),
        Input(ids.CURRENT_RUN, "data"),
        Input(ids.REPLAY_PLAY, "n_clicks"),
        Input(ids.REPLAY_TICK, "n_intervals"),
        State(ids.RUNS_STORE, "data"),
        State(ids.REPLAY_SLIDER, "value"),
        State(ids.REPLAY_SLIDER, "max"),
        State(ids.REPLAY_TICK, "disabled"),
        prevent_initial_call=True,
    )
    def drive(current_id, _play, _tick, store, value, last, paused):
        """One owner of the slider: a new current run puts it at the end; Play starts from the first
        snapshot (or pauses); each tick moves it one snapshot on, and it stops at the end."""
        if ctx.triggered_id == ids.CURRENT_RUN:
            run = find_run(store, current_id)
            if run is None:
                return no_update, no_update, no_update, True, "Play"
            epochs = stops(run)
            n = len(epochs) - 1
            shown = sorted({0, n // 4, n // 2, 3 * n // 4, n})
            return n, {i: str(epochs[i]) for i in shown}, n, True, "Play"
        if ctx.triggered_id == ids.REPLAY_PLAY:
            if not paused:
                return no_update, no_update, no_update, True, "Play"
            return no_update, no_update, 0 if value >= last else no_update, False, "Pause"
        if value >= last:
            return no_update, no_update, no_update, True, "Play"
        done = value + 1 >= last  # the end reached: stop there
        return no_update, no_update, value + 1, True if done else no_update, "Play" if done else no_update

    @app.callback(Output(ids.REPLAY_NOTE, "children"), Input(ids.REPLAY_SLIDER, "value"),
                  State(ids.RUNS_STORE, "data"), State(ids.CURRENT_RUN, "data"))
    def say_epoch(position, store, current_id):
        run = find_run(store, current_id)
        if run is None:
            return "Train a run to replay it."
        epoch = epoch_of(run, position)
        if epoch >= run.epochs_done:
            return (f"{run.label} after training ({run.epochs_done} epochs). Drag the slider back, or press Play, "
                    f"to see its forecasts and gates as they were ({len(stops(run)) - 1} snapshots).")
        return f"{run.label} as it was after epoch {epoch} of {run.epochs_done}."
