"""Train and Cancel: the background job, its live progress, and its status line.

Flow: Train -> ``start_run`` (in the web process) validates the form again and
writes a *request* with an id of its own to ``job-request``; that change starts
``run_job`` as a Dash background callback in a job process, which reports each
epoch through ``set_progress`` and returns the finished runs to ``run-result``
(``components.runs`` takes it from there).

Dash keys a background job by a hash of the callback and its arguments. Two
students who press Train with the same settings would share one key, and one of
them would lose the run; the request id makes every run's arguments unique.

Before it trains, a job takes a slot on the job board (``components.jobs``):
at most GATELAB_MAX_JOBS run at once, the rest wait in order and show their
place. One job per browser tab: a new one replaces the tab's old one (after a
reload, say). A job stops when its page stops sending heartbeats, and when it
passes GATELAB_MAX_JOB_SECONDS.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable

from dash import Patch

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from components.controls import FIELD_IDS, form_values, parse_form
from components.figures import loss_progress_patch, make_live_loss_figure
from components.jobs import JobBoard
from components.runs import pack_weights
from components.services import BOARD
from components.settings import SETTINGS
from models.experiment import ExperimentConfig, run_experiment
from models.threads import limit_threads
from models.train import TrainConfig, TrainingDiverged

BACKEND_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}
PROGRESS_EVERY_S = 0.1  # at most 10 progress writes a second; the last epoch always goes out
CHECK_EVERY_S = 1.0  # how often a job renews its lease and looks for its page's heartbeat
QUEUE_POLL_S = 0.3


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
            dcc.Store(id="final-status"),  # {"id": request id, "text"}: done, cancelled or the error
            dcc.Interval(id="status-settle", interval=500),
            html.Div(f"At most {SETTINGS.max_jobs} runs train at once on this server; others wait their turn. "
                     "One run per browser tab: pressing Train after a reload replaces the tab's old run.",
                     className="small text-muted"),
            dcc.Checklist(id="loss-options", options=[{"label": " log scale", "value": "log"},
                                                      {"label": " gradient norm", "value": "grad"}],
                          value=[], inline=True, className="small mt-2", inputClassName="ms-3"),
            dcc.Graph(id="loss-graph", figure=make_live_loss_figure(TrainConfig().epochs)),
        ]
    )


class Watch:
    """The job's side of the board: its lease, its page's heartbeat, its time limit.

    Used as ``should_stop`` by the training loop; after a stop, ``reason`` says why.
    """

    def __init__(self, board: JobBoard | None, ticket: int | None, session: str, limit_s: float) -> None:
        self.board, self.ticket, self.session = board, ticket, session
        self.deadline = time.monotonic() + limit_s
        self.limit_s = limit_s
        self.next_check = 0.0
        self.reason = ""

    def __call__(self) -> bool:
        now = time.monotonic()
        if now > self.deadline:
            self.reason = f"stopped after {self.limit_s:g} s, the longest a run may take on this server"
            return True
        if self.board is not None and now >= self.next_check:
            self.next_check = now + CHECK_EVERY_S
            self.board.renew(self.ticket)
            if not self.board.watched(self.session):
                self.reason = "stopped: its page was closed"
                return True
        return False


def _wait_for_slot(set_progress, board: JobBoard, ticket: int, session: str) -> bool:
    """Wait in the queue, showing the place; False if the page went away meanwhile."""
    shown = None
    while True:
        place = board.try_start(ticket)
        if place == 0:
            return True
        if not board.watched(session):
            return False
        if place != shown:
            shown = place
            status = f"queued, position {place}"
            set_progress((0, status, Patch().to_plotly_json(), status))
        time.sleep(QUEUE_POLL_S)


def training_job(set_progress: Callable[..., None], request: dict[str, Any],
                 board: JobBoard | None = None) -> dict[str, Any]:
    """Train every config of ``request`` in turn; runs in the background job's process.

    Progress goes out as one tuple (percent, label, loss-figure patch, status).
    Any failure ends the job with a message for the page instead of a traceback.
    """
    limit_threads(1)
    session = request.get("session", request["id"])
    ticket = board.join(session) if board is not None else None
    try:
        if board is not None and not _wait_for_slot(set_progress, board, ticket, session):
            return {"request_id": request["id"], "runs": [], "error": "stopped: its page was closed"}
        return _train_all(set_progress, request, Watch(board, ticket, session, SETTINGS.max_job_seconds))
    finally:  # not reached after SIGKILL (Cancel); the board then sees the process gone
        if board is not None:
            board.leave(ticket)


def _train_all(set_progress, request: dict[str, Any], watch: Watch) -> dict[str, Any]:
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
                set_progress((percent, f"{prefix}epoch {log.epoch} of {total}", loss_progress_patch(history),
                              "running"))

        try:
            result = run_experiment(config, on_epoch_end=on_epoch_end, should_stop=watch)
        except (TrainingDiverged, ValueError) as e:
            return {"request_id": request["id"], "runs": runs, "error": f"{run_label(config)}: {e}"}
        except Exception as e:  # noqa: BLE001 - the page gets a sentence, never a traceback
            return {"request_id": request["id"], "runs": runs,
                    "error": f"{run_label(config)}: training failed ({type(e).__name__}: {e})"}
        if result["epochs_done"] == 0:  # stopped before a single epoch: nothing to show
            return {"request_id": request["id"], "runs": runs, "error": watch.reason}
        result.update(id=f"{request['id']}-{k}", label=run_label(config),
                      state_dict=pack_weights(result["state_dict"]))
        runs.append(result)
        if watch.reason:
            return {"request_id": request["id"], "runs": runs, "error": f"{run_label(config)}: {watch.reason}"}
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
    State("session-id", "data"),
    State("backend", "value"),
    State("cell", "value"),
    State("transform", "value"),
    State("loss-options", "value"),
    prevent_initial_call=True,
)
def start_run(_train, _all, *args):
    from dash import ctx

    *raw, session, backend, cell, transform, options = args
    config, errors = parse_form(form_values(*raw), backend, cell, transform)
    if config is None:
        first = next(iter(errors.values()))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return no_update, f"not started: {first}{more}", no_update, no_update, no_update
    if ctx.triggered_id == "train-all-button":
        configs = [config.with_(backend=b, cell=c) for b in ("numpy", "torch") for c in ("lstm", "gru")]
    else:
        configs = [config]
    request = {"id": uuid.uuid4().hex, "session": session, "configs": [c.as_dict() for c in configs]}
    options = options or []
    live = make_live_loss_figure(config.train.epochs, "log" in options, "grad" in options)
    return request, "starting", live, 0, "starting"


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
    progress=[Output("progress-bar", "value"), Output("progress-bar", "label"), Output("loss-graph", "figure"),
              Output("job-status", "children")],
    interval=SETTINGS.poll_ms,
    prevent_initial_call=True,
)
def run_job(set_progress, request):
    return training_job(set_progress, request, BOARD)


@callback(Output("heartbeat", "disabled"), Input("heartbeat", "n_intervals"), State("session-id", "data"))
def heartbeat(_n, session):
    """Tells running jobs that their page is still open."""
    if session:
        BOARD.beat(session)
    return False


@callback(
    Output("job-status", "children", allow_duplicate=True),
    Output("final-status", "data", allow_duplicate=True),
    Output("progress-bar", "label", allow_duplicate=True),
    Input("cancel-button", "n_clicks"),
    State("job-request", "data"),
    prevent_initial_call=True,
)
def cancel_run(_n, request):
    return "cancelled", {"id": (request or {}).get("id"), "text": "cancelled"}, "cancelled"


# A progress update already on its way when the run ended can land after the final word
# (seen here: "running" after "cancelled", with the job gone). In the browser, twice a
# second, the final word for the current request is put back if anything overwrote it.
clientside_callback(
    """
    function(_n, fin, request, shown) {
        const id = request && request.id;
        if (fin && fin.id === id && shown !== fin.text) { return fin.text; }
        return window.dash_clientside.no_update;
    }
    """,
    Output("job-status", "children", allow_duplicate=True),
    Input("status-settle", "n_intervals"),
    State("final-status", "data"),
    State("job-request", "data"),
    State("job-status", "children"),
    prevent_initial_call=True,
)
