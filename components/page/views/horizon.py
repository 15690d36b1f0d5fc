"""Several steps ahead: test error per step for the direct or seq2seq model, the recursive use
of the one-step model, persistence and the direct linear AR (``models.horizon``).

The runs carry the measurement when their horizon k is above 1; this view draws it for
the shown runs that have one.
"""

from __future__ import annotations

from dash import Dash, Output, State, dcc, html

from components.page import ids
from components.page.views import shown
from components.server.services import Services
from components.page.figures import GRAPH_CONFIG, make_horizon_figure
from models.wording import METHOD_NAMES

EXPLAIN = ("Set a horizon k above 1 to forecast k steps ahead. The recursive way feeds the one-step model its own "
           "forecasts k - 1 times: errors compound, since every step builds on the last forecast. The Horizon "
           "method picks a second model to train for comparison. Direct: a model of the same kind whose head has "
           "k outputs, one per step, trained on the next k values; it never sees its own errors, but has to learn "
           "k mappings at once. Seq2seq: an encoder reads the window and a decoder cell of the same kind unrolls "
           "k steps from its state, each step reading the value before it. In training that value is the truth "
           "(teacher forcing) or, with scheduled sampling, the decoder's own last output with a probability that "
           "rises over the epochs to the value you set; when forecasting it is always its own. Which wins depends "
           "on the series and on k: try 1, 10 and 50, and scheduled sampling at 0 and 0.5.")


WAITING = {"data": [], "layout": {"template": "plotly_white", "height": 110, "margin": {"t": 10, "b": 10},
                                  "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                  "annotations": [{"text": "Set a horizon k above 1 and train to see this view",
                                                   "showarrow": False, "font": {"color": "#888"}}]}}


def note(runs) -> str:
    """Each method's MSE at step k, per run."""
    parts = []
    for run in runs:
        h = run.horizon
        scores = ", ".join(f"{METHOD_NAMES[m]} {s.mse:.4f}" for m, s in h.at_k.items())
        parts.append(f"{run.label}, {h.k} steps ahead over {h.windows} test windows: {scores}")
    return "Test MSE at step k: " + "; ".join(parts) + "."


def layout() -> html.Div:
    return html.Div(
        [
            html.P(EXPLAIN, id=ids.HORIZON_EXPLAIN, className="small text-muted mb-1"),
            html.P(id=ids.HORIZON_NOTE, className="small mb-1"),
            dcc.Graph(id=ids.HORIZON_GRAPH, figure=WAITING, config=GRAPH_CONFIG),
        ]
    )


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(
        Output(ids.HORIZON_GRAPH, "figure"),
        Output(ids.HORIZON_NOTE, "children"),
        *shown.inputs(shown.SHOWN),
        State(ids.SESSION, "data"),
    )
    def show_horizon(store, selected_rows, current_id, tab):
        runs = [r for r in shown.overlaid(library, tab, store, selected_rows, current_id)[1] if r.horizon is not None]
        if not runs:
            return WAITING, "No shown run has a horizon above 1 yet."
        return make_horizon_figure(runs), note(runs)
