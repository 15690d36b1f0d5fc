"""Several steps ahead: test error per step for the direct model, the recursive use of the
one-step model, persistence and the direct linear AR (``models.horizon``).

The runs carry the measurement when their horizon k is above 1; this view draws it for
the shown runs that have one.
"""

from __future__ import annotations

from dash import Dash, Input, Output, dcc, html

from components import ids
from components.figures import make_horizon_figure
from components.runs import shown_runs
from models.horizon import METHOD_NAMES

EXPLAIN = ("Set a horizon k above 1 to forecast k steps ahead. Gatelab then trains a second, direct model of the "
           "same kind whose head has k outputs, one per step, trained on the next k values; and it feeds the "
           "one-step model its own forecasts k - 1 times (recursive). Recursive errors compound, since every "
           "step builds on the last forecast; the direct model never sees its own errors, but has to learn k "
           "mappings at once from the same data. Which wins depends on the series and on k: try 1, 10 and 50.")


WAITING = {"data": [], "layout": {"template": "plotly_white", "height": 110, "margin": {"t": 10, "b": 10},
                                  "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                  "annotations": [{"text": "Set a horizon k above 1 and train to see this view",
                                                   "showarrow": False, "font": {"color": "#888"}}]}}


def note(runs) -> str:
    """The four methods' MSE at step k, per run."""
    parts = []
    for run in runs:
        h = run.horizon
        scores = ", ".join(f"{METHOD_NAMES[m]} {s.mse:.4f}" for m, s in h.at_k.items())
        parts.append(f"{run.label}, {h.k} steps ahead over {h.windows} test windows: {scores}")
    return "Test MSE at step k: " + "; ".join(parts) + "."


def layout() -> html.Div:
    return html.Div(
        [
            html.P(EXPLAIN, className="small text-muted mb-1"),
            html.P(id=ids.HORIZON_NOTE, className="small mb-1"),
            dcc.Graph(id=ids.HORIZON_GRAPH, figure=WAITING, config={"displaylogo": False}),
        ]
    )


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.HORIZON_GRAPH, "figure"),
        Output(ids.HORIZON_NOTE, "children"),
        Input(ids.RUNS_STORE, "data"),
        Input(ids.RUNS_TABLE, "selected_rows"),
        Input(ids.CURRENT_RUN, "data"),
    )
    def show_horizon(store, selected_rows, current_id):
        shown = [r for r in shown_runs(store, selected_rows, current_id) if r.horizon is not None]
        if not shown:
            return WAITING, "No shown run has a horizon above 1 yet."
        return make_horizon_figure(shown), note(shown)
