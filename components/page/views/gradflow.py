"""Gradient flow through time: how much of the loss's gradient reaches each step of the window.

Every few epochs the training loop measures ||dL/dh_t|| for t = 1..L on a fixed batch
(``models.train``); the runs carry it, and this view draws it for the current run
as a heatmap and, for every shown run, as a line, so cells can be compared.
"""

from __future__ import annotations

from dash import Dash, Output, State, dcc, html

from components.page import ids
from components.page.views import shown
from components.server.services import Services
from components.page.figures import EMPTY, GRAPH_CONFIG, make_gradflow_figure

EXPLAIN = ("How much of the loss's gradient reaches the hidden state at each step of the window (step L is the "
           "last, next to the forecast), measured every few epochs: train both cells and compare.")


def ratio_text(runs) -> str:
    """||dL/dh_1|| / ||dL/dh_L|| at the latest measurement, per run."""
    parts = [f"{run.label} {run.grad_flow[-1][1][0] / run.grad_flow[-1][1][-1]:.2g}" for run in runs if run.grad_flow]
    return "||dL/dh_1|| / ||dL/dh_L|| at the latest epoch: " + "; ".join(parts) + "." if parts else ""


def layout() -> html.Div:
    return html.Div(
        [
            html.P(EXPLAIN, className="small text-muted mb-1"),
            html.P(id=ids.GRADFLOW_NOTE, className="small mb-1"),
            dcc.Graph(id=ids.GRADFLOW_GRAPH, figure=EMPTY, config=GRAPH_CONFIG),
        ]
    )


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(
        Output(ids.GRADFLOW_GRAPH, "figure"),
        Output(ids.GRADFLOW_NOTE, "children"),
        *shown.inputs(shown.SHOWN),
        State(ids.SESSION, "data"),
    )
    def show_gradflow(store, selected_rows, current_id, tab):
        page, runs = shown.overlaid(library, tab, store, selected_rows, current_id)
        runs = [r for r in runs if r.grad_flow]
        current = page.find(current_id)
        if current is None or not current.grad_flow:
            current = runs[-1] if runs else None
        if current is None:
            return EMPTY, ""
        return make_gradflow_figure(runs or [current], current), ratio_text(runs or [current])
