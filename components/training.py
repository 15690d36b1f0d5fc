"""Train and Cancel: the background job, its live progress, and its status line.

Flow: Train -> ``start_run`` (in the web process) validates the form again and
writes a *request* with an id of its own to ``job-request``; that change starts
``run_job`` as a Dash background callback in a job process, which reports each
epoch through ``set_progress`` and returns the finished runs to ``run-result``
(``components.runs`` takes it from there).

Dash keys a background job by a hash of the callback and its arguments. Two
students who press Train with the same settings would share one key, and one of
them would lose the run; the request id makes every run's arguments unique.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components.controls import FIELD_IDS, form_values, parse_form
from components.figures import loss_progress_patch, make_live_loss_figure
from components.runs import pack_weights
from components.settings import SETTINGS
from models.experiment import ExperimentConfig, run_experiment
from models.threads import limit_threads
from models.train import TrainConfig, TrainingDiverged

BACKEND_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}
PROGRESS_EVERY_S = 0.05  # at most 20 progress writes a second; the last epoch always goes out


def run_label(config: ExperimentConfig) -> str:
    return f"{BACKEND_NAMES[config.backend]} {config.cell.upper()}"


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Button("Train", id="train-button", color="primary", className="me-2"),
            dbc.Button("Train all four", id="train-all-button", color="secondary", outline=True, className="me-2",
                       title="NumPy LSTM, NumPy GRU, PyTorch LSTM and PyTorch GRU on these settings"),
            dbc.Button("Cancel", id="cancel-button", color="danger", outline=True, disabled=True),
            dbc.Progress(id="progress-bar", value=0, label="", className="mt-2", style={"height": "1.3rem"}),
            html.Div(["Status: ", html.Span("ready", id="job-status", className="fw-semibold")],
                     className="mt-1 small", role="status"),
            dcc.Checklist(id="loss-options", options=[{"label": " log scale", "value": "log"},
                                                      {"label": " gradient norm", "value": "grad"}],
                          value=[], inline=True, className="small mt-2", inputClassName="ms-3"),
            dcc.Graph(id="loss-graph", figure=make_live_loss_figure(TrainConfig().epochs)),
        ]
    )


def training_job(set_progress: Callable[..., None], request: dict[str, Any]) -> dict[str, Any]:
    """Train every config of ``request`` in turn; runs in the background job's process.

    Progress goes out as one tuple (percent, label, loss-figure patch). Any failure ends the
    job with a message for the page instead of a traceback.
    """
    limit_threads(1)
    runs: list[dict] = []
    configs = [ExperimentConfig.from_dict(c) for c in request["configs"]]
    for k, config in enumerate(configs):
        history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "grad_norm": []}
        total = config.train.epochs
        prefix = f"run {k + 1} of {len(configs)}, {run_label(config)}: " if len(configs) > 1 else ""
        last_sent = 0.0

        def on_epoch_end(log, history=history, total=total, prefix=prefix, k=k) -> None:
            nonlocal last_sent
            history["train_loss"].append(log.train_loss)
            history["test_loss"].append(log.test_loss)
            history["grad_norm"].append(log.grad_norm)
            now = time.monotonic()
            if now - last_sent >= PROGRESS_EVERY_S or log.epoch == total:
                last_sent = now
                percent = 100.0 * (k + log.epoch / total) / len(configs)
                set_progress((percent, f"{prefix}epoch {log.epoch} of {total}", loss_progress_patch(history)))

        try:
            result = run_experiment(config, on_epoch_end=on_epoch_end)
        except (TrainingDiverged, ValueError) as e:
            return {"request_id": request["id"], "runs": runs, "error": f"{run_label(config)}: {e}"}
        except Exception as e:  # noqa: BLE001 - the page gets a sentence, never a traceback
            return {"request_id": request["id"], "runs": runs,
                    "error": f"{run_label(config)}: training failed ({type(e).__name__}: {e})"}
        result.update(id=f"{request['id']}-{k}", label=run_label(config),
                      state_dict=pack_weights(result["state_dict"]))
        runs.append(result)
    return {"request_id": request["id"], "runs": runs}


@callback(
    Output("job-request", "data"),
    Output("job-status", "children", allow_duplicate=True),
    Output("loss-graph", "figure", allow_duplicate=True),
    Output("progress-bar", "value", allow_duplicate=True),
    Output("progress-bar", "label", allow_duplicate=True),
    Input("train-button", "n_clicks"),
    Input("train-all-button", "n_clicks"),
    [State(i, "value") for i in FIELD_IDS],
    State("backend", "value"),
    State("cell", "value"),
    State("transform", "value"),
    State("loss-options", "value"),
    prevent_initial_call=True,
)
def start_run(_train, _all, *args):
    from dash import ctx

    *raw, backend, cell, transform, options = args
    config, errors = parse_form(form_values(*raw), backend, cell, transform)
    if config is None:
        first = next(iter(errors.values()))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return no_update, f"not started: {first}{more}", no_update, no_update, no_update
    if ctx.triggered_id == "train-all-button":
        configs = [config.with_(backend=b, cell=c) for b in ("numpy", "torch") for c in ("lstm", "gru")]
    else:
        configs = [config]
    request = {"id": uuid.uuid4().hex, "configs": [c.as_dict() for c in configs]}
    options = options or []
    live = make_live_loss_figure(config.train.epochs, "log" in options, "grad" in options)
    return request, "running", live, 0, "starting"


@callback(
    Output("run-result", "data"),
    Input("job-request", "data"),
    background=True,
    running=[
        (Output("train-button", "disabled"), True, False),
        (Output("train-all-button", "disabled"), True, False),
        (Output("cancel-button", "disabled"), False, True),
    ],
    cancel=[Input("cancel-button", "n_clicks")],
    progress=[Output("progress-bar", "value"), Output("progress-bar", "label"), Output("loss-graph", "figure")],
    interval=SETTINGS.poll_ms,
    prevent_initial_call=True,
)
def run_job(set_progress, request):
    return training_job(set_progress, request)


@callback(
    Output("job-status", "children", allow_duplicate=True),
    Output("progress-bar", "label", allow_duplicate=True),
    Input("cancel-button", "n_clicks"),
    prevent_initial_call=True,
)
def cancel_run(_n):
    return "cancelled", "cancelled"
