"""The rolling-origin backtest as a view (``backtest-graph``): one result over several origins of time.

Backtest (``backtest-button``) goes through the same Train callback and job as any run
(``components.page.train_bar``): the form's settings, one job on the board, its progress on the
status line, Cancel keeps the origins that finished. Its outcome carries the errors per
origin (``models.backtest.Backtest.as_dict``), drawn here as a chart and a table; its
trainings do not join the runs table.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from models.verdict import across_origins
from components.page.figures import GRAPH_CONFIG, base_figure, color
from models.wording import BASELINE_NAMES
from data.bounds import Bound
from models.backtest import MAX_ORIGINS, REFITS

ORIGINS = Bound("int", 1, MAX_ORIGINS)
EXPLAIN = ("The test part cut into blocks, each forecast from its own origin with the form's settings: does the "
           "model beat the baselines at most origins, or was one split lucky?")
TABLE = ("model", "linear_ar", "persistence", "seasonal_naive")  # the chart has every baseline; the table these
REFIT_LABELS = {"every": "train at every origin", "once": "train once, then feed the data"}
EMPTY = {"data": [], "layout": {"height": 80, "template": "plotly_white", "xaxis": {"visible": False},
                                "yaxis": {"visible": False}}}


def layout() -> html.Div:
    return html.Div(
        [
            html.P(EXPLAIN, className="small text-muted mb-1"),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Forecast origins", html_for=ids.BACKTEST_ORIGINS, className="mb-0 small"),
                             dbc.Input(id=ids.BACKTEST_ORIGINS, type="text", inputMode="numeric", size="sm",
                                       value="5")], md=3),
                    dbc.Col([dbc.Label("Refit", className="mb-0 small d-block"),
                             dbc.RadioItems(id=ids.BACKTEST_REFIT, value="every", inline=True, className="small",
                                            options=[{"label": REFIT_LABELS[r], "value": r} for r in REFITS])],
                            md=6),
                    dbc.Col(dbc.Button("Backtest", id=ids.BACKTEST_BUTTON, color="primary", outline=True, size="sm",
                                       className="float-end mt-3"), md=3),
                ],
                className="g-2",
            ),
            html.P(id=ids.BACKTEST_NOTE, className="small mb-1 mt-1", role="status"),
            dcc.Graph(id=ids.BACKTEST_GRAPH, figure=EMPTY, config=GRAPH_CONFIG),
            html.Details([html.Summary("The errors as a table", className="small"),
                          dbc.Table(id=ids.BACKTEST_TABLE, size="sm", bordered=False, responsive=True,
                                    className="mb-1 small")]),
        ]
    )


def origins_value(text) -> tuple[int | None, str | None]:
    """(origins, None) from the field's text, or (None, the sentence naming the field)."""
    problem = ORIGINS.problem(text)
    if problem:
        return None, f"Forecast origins {problem}"
    return int(float(text)), None


def _name(method: str, model: str) -> str:
    return model if method == "model" else BASELINE_NAMES[method]


def make_backtest_figure(result: dict) -> go.Figure:
    """One-step test MSE per origin: the model's line and each baseline's, the origins on the x axis."""
    title = f"Backtest: one-step MSE at {len(result['origins'])} origins, refit {result['refit']}"
    fig = base_figure(title, height=250)
    x = result["labels"] or result["origins"]
    for i, (method, values) in enumerate(result["one_step"].items()):
        model = method == "model"
        fig.add_trace(go.Scatter(x=x, y=values, name=_name(method, result["model"]), mode="lines+markers",
                                 line=dict(color=color(0) if model else "#888888", width=2.5 if model else 1,
                                           dash="solid" if model else ("dot", "dash", "dashdot", "longdash")[i % 4]),
                                 marker=dict(size=8 if model else 5)))
    fig.update_layout(xaxis_title="forecast origin", yaxis_title="test MSE (original units)")
    return fig


def table(result: dict) -> list:
    """Per origin: its first point, the one-step MSE of the model and the main baselines (the lowest in
    bold), and the model's rollout over the block."""
    methods = [m for m in TABLE if m in result["one_step"]]
    head = html.Thead(html.Tr([html.Th("origin"), *[html.Th(_name(m, "model")) for m in methods],
                               html.Th("model's rollout")]))
    labels = result["labels"] or [str(o) for o in result["origins"]]
    rows = []
    for i in range(len(result["origins"])):
        best = min(methods, key=lambda m: result["one_step"][m][i])
        rows.append(html.Tr([html.Td(labels[i]),
                             *[html.Td(f"{result['one_step'][m][i]:.4g}", className="fw-bold" if m == best else "")
                               for m in methods],
                             html.Td(f"{result['rollout'][i]:.4g}")]))
    return [head, html.Tbody(rows)]


def note(result: dict) -> str:
    one = result["one_step"]
    n = len(result["origins"])
    if not n:
        return "The backtest ended before its first origin finished."
    text = f"{result['model']}, {n} origins, refit {result['refit']}, {result['seconds']:.1f} s."
    if "linear_ar" in one:
        wins = int(np.sum(np.asarray(one["model"]) < np.asarray(one["linear_ar"])))
        text += (f" It beats the linear AR at {wins} of {n} origins (median MSE {np.median(one['model']):.4f} "
                 f"against {np.median(one['linear_ar']):.4f}).")
    return text + " " + across_origins(result["model"], one)


def register(app: Dash, services: Services) -> None:
    @app.callback(Output(ids.BACKTEST_GRAPH, "figure"), Output(ids.BACKTEST_TABLE, "children"),
                  Output(ids.BACKTEST_NOTE, "children"), Input(ids.BACKTEST_RESULT, "data"), prevent_initial_call=True)
    def show_backtest(result):
        """A backtest's errors come with its job's result (``JobOutcome.page_json``)."""
        bt = result.get("backtest") if isinstance(result, dict) else None
        if not isinstance(bt, dict):
            return no_update, no_update, no_update
        if not bt["origins"]:
            return EMPTY, [], note(bt)
        return make_backtest_figure(bt), table(bt), note(bt)
