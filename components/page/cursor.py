"""One cursor: hover a time step on the one-step forecasts, the rollout or the gate heatmaps, and
the other two show the same step as a line.

All in the browser: a clientside callback reads the three graphs' hover, works out the step on
the series' time axis (the heatmaps' figure says where each of its columns lies:
``layout.meta.cursor``), and moves a line named "cursor" on the other graphs with Plotly's own
``relayout``, keeping every other shape (the gate window's shading stays), on a graph that shows
that step. Nothing goes to the server, and each figure keeps its one writer; the next redraw of
a figure clears its line.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, dcc

from components.page import ids
from components.server.services import Services

GRAPHS = (ids.FORECAST_GRAPH, ids.ROLLOUT_GRAPH, ids.GATES_GRAPH)



def layout() -> dcc.Store:
    return dcc.Store(id=ids.CURSOR)


def register(app: Dash, services: Services) -> None:
    app.clientside_callback(ClientsideFunction("gatelab", "moveCursor"), Output(ids.CURSOR, "data"), *(Input(g, "hoverData") for g in GRAPHS),
                            prevent_initial_call=True)
