"""The notebook's first two exercises as one view: a sweep over training seeds or window lengths.

The sweep's controls live here; Sweep (``sweep-button``) goes through the same Train
callback and job as any run (``components.page.train_bar``), so a sweep is one job on the
board, shows its progress on the status line and stops with Cancel. Its outcome
carries one point per finished run (``models.sweep``), drawn here; its runs do not
join the runs table.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from components.page.figures import GRAPH_CONFIG, make_sweep_figure
from models.base import CELL_NAMES
from models.sweep import DEFAULT_CELLS, DEFAULT_VALUES, OVER, summary, sweep_verdict

EXPLAIN = ("Two of the notebook's exercises. Seeds: the same settings trained from different first weights and "
           "batch orders; the spread of the dots is how much of a result is luck, so compare cells by more than "
           "one run. Window length: a window shorter than the longest season cannot see a whole cycle; the "
           "long-season series (periods 50 and 120) shows where each cell stops gaining from a longer window, "
           "and where a plain RNN, whose gradient fades over long windows, falls behind. Every other setting "
           "comes from the form. A sweep is one job: its progress shows on the status line, and Cancel stops it.")


def values_text(over: str) -> str:
    return ", ".join(str(v) for v in DEFAULT_VALUES[over])


def layout() -> html.Div:
    return html.Div(
        [
            html.P(EXPLAIN, className="small text-muted mb-1"),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Sweep over", className="mb-0 small d-block"),
                             dbc.RadioItems(id=ids.SWEEP_OVER, value="seed", inline=True,
                                            options=[{"label": label, "value": k} for k, label in OVER.items()])],
                            md=4),
                    dbc.Col([dbc.Label("Values", html_for=ids.SWEEP_VALUES, className="mb-0 small"),
                             dbc.Input(id=ids.SWEEP_VALUES, type="text", size="sm", value=values_text("seed"))],
                            md=3),
                    # the three cells the lessons compare; the textbook GRU is swept with `gatelab sweep --cells`
                    dbc.Col([dbc.Label("Cells", className="mb-0 small d-block"),
                             dbc.Checklist(id=ids.SWEEP_CELLS, value=list(DEFAULT_CELLS), inline=True,
                                           options=[{"label": CELL_NAMES[c], "value": c} for c in DEFAULT_CELLS])],
                            md=5),
                ],
                className="g-2",
            ),
            dbc.Row(
                [
                    dbc.Col(dbc.RadioItems(id=ids.SWEEP_SERIES, value="form", inline=True, className="small",
                                           options=[{"label": "the form's series", "value": "form"},
                                                    {"label": "the long-season series (periods 50, 120)",
                                                     "value": "long"}]), md=9),
                    dbc.Col(dbc.Button("Sweep", id=ids.SWEEP_BUTTON, color="primary", outline=True, size="sm",
                                       className="float-end"), md=3),
                ],
                className="g-2 mt-1",
            ),
            # the sweep's progress, where its button is (the job's progress writes both)
            dbc.Progress(id=ids.SWEEP_BAR, value=0, className="mt-1", style={"height": "0.4rem"}),
            html.Div(id=ids.SWEEP_PROGRESS, className="small text-muted", role="status"),
            html.P(id=ids.SWEEP_NOTE, className="small mb-1 mt-1"),
            dcc.Graph(id=ids.SWEEP_GRAPH, figure={"data": [], "layout": {"height": 80, "template": "plotly_white",
                                                                        "xaxis": {"visible": False},
                                                                        "yaxis": {"visible": False}}},
                      config=GRAPH_CONFIG),
        ]
    )


def note(sweep: dict) -> str:
    """Per cell: the mean test MSE, its spread, and the best value."""
    if not sweep["points"]:
        return "The sweep ended before its first run finished."
    over = OVER[sweep["over"]].lower()
    parts = [f"{CELL_NAMES[cell]} mean {s['mean']:.4f}, spread {s['spread']:.4f}, best at {over} {s['best_value']} "
             f"({s['best_mse']:.4f})" for cell, s in summary(sweep["points"]).items()]
    done = len(sweep["points"])
    planned = len(sweep["values"]) * len(sweep["cells"])
    head = f"{done} of {planned} runs" if done < planned else f"{done} runs"
    return f"Test MSE over {head}: " + "; ".join(parts) + ". " + sweep_verdict(sweep["points"], sweep["over"])


def ended(result: dict) -> str:
    """The line beside the sweep's button once its job has ended: "done" and how many runs, or why it stopped
    and how far it got (the job's progress lines name a run at work, which a finished sweep no longer has)."""
    sweep = result["sweep"]
    done, planned = len(sweep["points"]), len(sweep["values"]) * len(sweep["cells"])
    status = str(result.get("status") or "done")
    if status == "done" and done == planned:
        return f"done: {done} runs"
    return f"{status}: {done} of {planned} runs finished"


def register(app: Dash, services: Services) -> None:
    @app.callback(Output(ids.SWEEP_VALUES, "value"), Output(ids.SWEEP_SERIES, "value"), Input(ids.SWEEP_OVER, "value"),
                  prevent_initial_call=True)
    def defaults_for(over):
        """Each sweep's own defaults: five seeds on the form's series; five windows on the long-season one."""
        return values_text(over), "long" if over == "seq-len" else "form"

    @app.callback(Output(ids.SWEEP_GRAPH, "figure"), Output(ids.SWEEP_NOTE, "children"),
                  Output(ids.SWEEP_PROGRESS, "children", allow_duplicate=True),
                  Output(ids.SWEEP_BAR, "value", allow_duplicate=True), Input(ids.SWEEP_RESULT, "data"),
                  prevent_initial_call=True)
    def show_sweep(result):
        """A sweep's points come with its job's result (``JobOutcome.page_json``)."""
        sweep = result.get("sweep") if isinstance(result, dict) else None
        if not isinstance(sweep, dict) or not isinstance(sweep.get("points"), list):
            return no_update, no_update, no_update, no_update
        line = ended(result)
        if not sweep["points"]:
            return no_update, note(sweep), line, no_update
        return make_sweep_figure(sweep), note(sweep), line, 100 if line.startswith("done") else no_update
