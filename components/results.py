"""What a finished run shows: metrics beside the baselines, loss curves, one-step and
rollout forecasts, and the gates inside the cell for a window the person picks.

Rollouts and gates are recomputed here from the run's stored weights, with the
NumPy backend whatever backend trained them (the weights carry over unchanged,
and the parity tests hold both to the same numbers). So torch never runs in the
web process, and its thread pool can never be inherited by a forked job.
"""

from __future__ import annotations

import numpy as np
import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, dcc, html, no_update

from components.figures import make_forecast_figure, make_gates_figure, make_loss_figure, make_rollout_figure
from components.runs import find_run, shown_runs, unpack_weights
from data.windows import prepare
from models.experiment import MAX_ROLLOUT
from models.forecaster import Forecaster

EMPTY = {"data": [], "layout": {"template": "plotly_white", "height": 300,
                                "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                "annotations": [{"text": "Press Train to see this view", "showarrow": False,
                                                 "font": {"color": "#888"}}]}}


def restore(run: dict) -> Forecaster:
    """The run's trained model and data, rebuilt without training."""
    c = run["config"]
    prep = prepare(np.asarray(run["series"]["values"]), c["seq_len"], c["train_fraction"], c["transform"])
    return Forecaster.restore(prep, unpack_weights(run["state_dict"]), c["cell"], c["hidden_size"])


def metrics_rows(run: dict) -> list[tuple[str, dict]]:
    return [(run["label"], run["metrics"]), ("persistence", run["baselines"]["persistence"]),
            ("linear AR", run["baselines"]["linear_ar"])]


def make_metrics_table(run: dict | None) -> list:
    if run is None:
        return [html.Caption("No finished run yet.")]
    head = html.Thead(html.Tr([html.Th("test part, original units"), html.Th("MSE"), html.Th("MAE"),
                               html.Th("RMSE")]))
    body = html.Tbody([
        html.Tr([html.Td(name), *[html.Td(f"{m[k]:.4f}") for k in ("mse", "mae", "rmse")]],
                className="table-primary" if i == 0 else "")
        for i, (name, m) in enumerate(metrics_rows(run))
    ])
    return [head, body]


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(dbc.Table(make_metrics_table(None), id="metrics-table", size="sm", bordered=False,
                                      className="mb-2"), md=6),
                    dbc.Col(html.P(id="rollout-note", className="small text-muted"), md=6),
                ]
            ),
            dcc.Graph(id="forecast-graph", figure=EMPTY),
            html.Div(
                [
                    dbc.Label("Rollout length (steps)", html_for="rollout-steps", className="small mb-0"),
                    dcc.Slider(id="rollout-steps", min=10, max=500, step=10, value=200,
                               marks={v: str(v) for v in (10, 100, 200, 300, 400, 500)}),
                ]
            ),
            dcc.Graph(id="rollout-graph", figure=EMPTY),
        ]
    )


def gates_layout() -> html.Div:
    return html.Div(
        [
            dbc.Label("Test window to look inside", html_for="gate-window", className="small mb-0"),
            dcc.Slider(id="gate-window", min=0, max=269, step=1, value=0, marks=None,
                       tooltip={"placement": "bottom", "always_visible": True}),
            dcc.Graph(id="gates-graph", figure=EMPTY),
        ]
    )


@callback(
    Output("loss-graph", "figure", allow_duplicate=True),
    Output("forecast-graph", "figure"),
    Output("metrics-table", "children"),
    Input("runs-store", "data"),
    Input("runs-table", "selected_rows"),
    Input("current-run", "data"),
    State("loss-options", "value"),
    prevent_initial_call="initial_duplicate",
)
def show_results(runs, selected_rows, current_id, options):
    shown = shown_runs(runs, selected_rows, current_id)
    if not shown:
        return no_update, EMPTY, make_metrics_table(None)
    options = options or []
    current = find_run(runs, current_id) or shown[-1]
    return (make_loss_figure(shown, "log" in options, "grad" in options), make_forecast_figure(shown),
            make_metrics_table(current))


@callback(
    Output("loss-graph", "figure", allow_duplicate=True),
    Input("loss-options", "value"),
    State("loss-graph", "figure"),
    prevent_initial_call=True,
)
def style_loss(options, figure):
    """Log scale and gradient norm as a patch, so it works on a live figure too."""
    options = options or []
    patch = Patch()
    patch["layout"]["yaxis"]["type"] = "log" if "log" in options else "linear"
    patch["layout"]["yaxis2"]["visible"] = "grad" in options
    for i, trace in enumerate((figure or {}).get("data", [])):
        if trace.get("meta") == "grad":
            patch["data"][i]["visible"] = "grad" in options
    return patch


@callback(
    Output("rollout-graph", "figure"),
    Output("rollout-note", "children"),
    Input("runs-store", "data"),
    Input("runs-table", "selected_rows"),
    Input("current-run", "data"),
    Input("rollout-steps", "value"),
)
def show_rollout(runs, selected_rows, current_id, steps):
    shown = shown_runs(runs, selected_rows, current_id)
    if not shown:
        return EMPTY, ""
    steps = int(min(max(steps or 200, 1), MAX_ROLLOUT))
    preds = [(run["label"], restore(run).rollout(steps).tolist()) for run in shown]
    first = shown[0]
    series, split = first["series"]["values"], first["series"]["split"]
    truth = np.asarray(series[split : split + steps])
    pred = np.asarray(preds[0][1][: truth.size])
    note = (f"Rollout: each forecast is fed back in as the next input, {steps} steps from the end of the train "
            f"part. Over the {truth.size} steps with known truth, MSE {np.mean((pred - truth) ** 2):.4f} for "
            f"{preds[0][0]}. Errors compound: compare with the one-step MSE in the table.")
    return make_rollout_figure(series, split, preds), note


@callback(
    Output("gate-window", "max"),
    Output("gates-graph", "figure"),
    Input("runs-store", "data"),
    Input("current-run", "data"),
    Input("gate-window", "value"),
)
def show_gates(runs, current_id, window):
    run = find_run(runs, current_id)
    if run is None:
        return no_update, EMPTY
    model = restore(run)
    n = model.prep_.test.X.shape[0]
    k = int(min(max(window or 0, 0), n - 1))
    target = int(model.prep_.test.target_index[k])
    title = (f"Inside {run['label']}: test window {k} (time steps {target - model.prep_.seq_len} to {target - 1}, "
             f"predicting step {target})")
    return n - 1, make_gates_figure(model.gate_activations(k), run["config"]["cell"], title)
