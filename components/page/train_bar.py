"""Train and Cancel: starting a job, and everything the page shows while it runs.

Flow: Train -> ``start_run`` (in the web process) checks the form and writes a
*request* with an id of its own to ``job-request``; that starts ``run_job``, a
Dash background callback, in a job process (``components.server.job``). The job
reports each epoch as progress and ends with its outcome in ``run-result``
(``components.page.views.runs_table`` takes the runs from there).

One owner for the status line, the progress bar and the live loss curve: the
job's callback writes them from its first progress to its final word, and
Cancel is a request to the job (through the job board), not a second writer, so
a late progress update can never land on top of "cancelled". ``start_run``
writes them once before a job exists: "starting", or "not started" and why.
And when a job's callback ends without its final word (the job died, or a request
for its result failed), a watchdog in the page says the run was lost, and Train
works again.

Dash keys a background job by a hash of the callback and its arguments. Two
students who press Train with the same settings would share one key, and one of
them would lose the run; the request id makes every run's arguments unique.
"""

from __future__ import annotations

import json
import time
import uuid
from functools import lru_cache

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from plotly.utils import PlotlyJSONEncoder

from components.page import ids
from components.page.views import parity
from components.page import share
from components.page.form import FIELD_IDS, form_values, page_config
from components.page.figures import GRAPH_CONFIG, make_live_loss_figure
from components.server.job import DONE, make_request, run_request
from components.server.services import Services
from components.server.settings import Settings
from models.base import CELLS, NUMPY_ONLY
from components.page.views.backtest import origins_value
from data.windows import split_index
from models.backtest import REFITS, origins_problem
from models.ensemble import member_configs
from models.knobs import BY_KEY
from models.config import BACKEND_NAMES, ExperimentConfig
from models.sweep import SweepSpec, on_long_season

FIRST_POINT_MS = 60  # this long after a job starts, the page asks once for its first loss point,
FIRST_POINT_WAIT_S = 0.6  # and the server waits for it up to this long (then the job's own polls bring it)
READY = "ready"
STARTING = "starting"
DRAWING = "trained; drawing the results"
LOST = "no result: this run was lost on its way back from the server; press Train to try again"


SPEEDS = {"full": "full speed", "slow": "slow (an epoch a second)"}


def bar_layout(services: Services) -> html.Div:
    """What stays in view on every lesson: Train, Train all, Cancel, Pause, Step, Speed, Share, the
    progress bar and the status line."""
    s = services.settings
    button = dict(size="sm", className="me-1")
    return html.Div(
        [
            html.Div(
                [
                    dbc.Button("Train", id=ids.TRAIN, color="primary", **button),
                    dbc.Button("Train all", id=ids.TRAIN_ALL, color="secondary", outline=True, **button,
                               title="Every backend with every cell on these settings: "
                                     + ", ".join(c.model_name for c in all_configs(ExperimentConfig()))),
                    dbc.Button("Cancel", id=ids.CANCEL, color="danger", outline=True, disabled=True, **button),
                    dbc.Button("Pause", id=ids.PAUSE, color="secondary", outline=True, disabled=True, **button,
                               title="Stop at the end of this epoch and look; Resume goes on"),
                    dbc.Button("Step", id=ids.STEP, color="secondary", outline=True, disabled=True, **button,
                               title="While paused: train one more epoch, then pause again"),
                    dbc.Label("Speed", html_for=ids.SPEED, className="small mb-0 ms-2 me-1"),
                    dbc.Select(id=ids.SPEED, value="full", size="sm", style={"width": "12.5rem"}, className="me-2",
                               options=[{"label": label, "value": k} for k, label in SPEEDS.items()]),
                    share.layout(),
                ],
                className="d-flex flex-wrap align-items-center gap-1",
            ),
            html.Div(
                [
                    dbc.Progress(id=ids.PROGRESS, value=0, label="", className="flex-grow-1 me-2 bar-progress",
                                 style={"height": "1.1rem", "minWidth": "8rem"}),
                    html.Div(["Status: ", html.Span(READY, id=ids.STATUS, className="fw-semibold")],
                             className="small bar-status", role="status"),
                ],
                className="d-flex flex-wrap align-items-center mt-1",
            ),
            html.Div(f"This server trains at most {s.max_jobs} runs at once; yours starts when a place frees. "
                     "One run per browser tab: Train after a reload replaces the tab's old run.",
                     id=ids.QUEUE_NOTE, hidden=True, className="small text-muted"),
            html.Div(id=ids.SHARE_NOTE, className="small text-success", role="status"),
            dcc.Store(id=ids.JOB_REQUEST),
            dcc.Store(id=ids.LOSS_FEED),
            dcc.Store(id=ids.RUN_RESULT),
            dcc.Store(id=ids.SWEEP_RESULT),
            dcc.Store(id=ids.BACKTEST_RESULT),
            dcc.Store(id=ids.SUGGEST_RESULT),
            dcc.Store(id=ids.PAUSED_RUN),
            dcc.Store(id=ids.PAUSED_FEED),
            dcc.Store(id=ids.STATUS_WATCH),
            dcc.Store(id=ids.DRAW_WAIT),
            dcc.Store(id=ids.DRAW_LEFT),
            dcc.Interval(id=ids.FIRST_POINT_TICK, interval=FIRST_POINT_MS, disabled=True, max_intervals=1),
        ]
    )


def loss_layout() -> html.Div:
    """The loss chart: live while a job runs, the finished runs' curves after."""
    return html.Div(
        [
            html.Div([dbc.Checklist(id=ids.LOSS_OPTIONS, options=[{"label": "log scale", "value": "log"},
                                                                  {"label": "gradient norm", "value": "grad"}],
                                    value=[], inline=True, className="small d-inline-block me-2"),
                      html.Span("model units; the table gives the series' own", className="small text-muted",
                                title="The losses are in the standardized units the network reads; the Results "
                                      "table gives the errors in the series' own units.")]),
            dcc.Graph(id=ids.LOSS_GRAPH, figure=make_live_loss_figure(1), config=GRAPH_CONFIG),
            parity.layout(),
        ]
    )


@lru_cache(maxsize=64)
def _live_figure(epochs: int, log_y: bool, grad: bool, validation: bool, models: tuple) -> str:
    return json.dumps(make_live_loss_figure(epochs, log_y, grad, validation=validation, models=models)
                      .to_plotly_json(), cls=PlotlyJSONEncoder)


def live_figure(epochs: int, log_y: bool, grad: bool, validation: bool, models: tuple = ()) -> dict:
    """The empty live loss figure a run starts from, built once per shape (a Plotly figure takes
    about 15 ms to build, and Train waits for it); ``models``: Train all's (name, cell, backend)."""
    return json.loads(_live_figure(epochs, log_y, grad, validation, tuple(models)))


def all_configs(config):
    """"Train all": every backend with every cell both backends have, on the same settings (the
    parity comparison; the NumPy-only textbook GRU is one click on its own)."""
    return [config.with_(backend=b, cell=c) for b in BACKEND_NAMES for c in CELLS if c not in NUMPY_ONLY]


class NotStarted(ValueError):
    """Why a press of Train, Train all, Sweep, Backtest or Suggest settings starts no job; the status line
    says it."""


def plan(button: str, raw: list, over, values, cells, series, origins, refit, upload: tuple,
         settings: Settings) -> tuple:
    """What a press asks for: (the form's config, the configs to train, the uploaded data or None, the sweep's
    spec or None, the backtest's settings or None); ``NotStarted`` says why it cannot start."""
    config, data, errors = page_config(form_values(*raw), settings, upload)
    if config is None:
        first = next(iter(errors.values()))
        raise NotStarted(first + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    spec = backtest = None
    configs = [config]
    if button == ids.BACKTEST_BUTTON:
        count, problem = origins_value(origins)
        if problem is None:  # the same rule the job checks again (``job.check_request``)
            n = data.series.shape[0] if data is not None else config.length
            fits = origins_problem(count, n, split_index(n, config.train_fraction), config.horizon)
            problem = fits and f"Forecast origins {fits}"
        if problem:
            raise NotStarted(problem)
        backtest = {"origins": count, "refit": refit if refit in REFITS else "every"}
    elif button == ids.SUGGEST_BUTTON:
        if config.horizon > 1:
            raise NotStarted(f"Suggest settings searches one-step models; set {BY_KEY['horizon'].label} to 1")
    elif button == ids.SWEEP_BUTTON:
        if config.ensemble > 1:
            raise NotStarted(f"a sweep trains one model per value; set {BY_KEY['ensemble'].label} to 1")
        try:
            spec = SweepSpec.parse(over, values, cells)
            if series == "long":
                config, data = on_long_season(config), None
            configs = spec.configs(config)
            if data is not None:
                for c in configs:
                    c.check_seq_len(data.series.shape[0])
        except ValueError as e:
            raise NotStarted(str(e)) from None
    elif button == ids.TRAIN_ALL:
        if config.ensemble > 1:
            raise NotStarted(f"Train all trains one model per backend and cell; set {BY_KEY['ensemble'].label} "
                             "to 1, or press Train for the ensemble")
        configs = all_configs(config)
    return config, configs, data, spec, backtest


def register(app: Dash, services: Services) -> None:
    _register_start(app, services)
    _register_job(app, services)
    _register_in_browser(app)
    _register_first_point(app, services)
    _register_controls(app, services)


def _register_start(app: Dash, services: Services) -> None:
    settings, board = services.settings, services.board

    # allow_duplicate: the job's callback below owns these from its first progress on; this one
    # writes them only before a job exists, and the job starts from what it writes, after it.
    @app.callback(
        Output(ids.JOB_REQUEST, "data"),
        Output(ids.STATUS, "children", allow_duplicate=True),
        Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True),
        Output(ids.PROGRESS, "value", allow_duplicate=True),
        Output(ids.PROGRESS, "label", allow_duplicate=True),
        Input(ids.TRAIN, "n_clicks"),
        Input(ids.TRAIN_ALL, "n_clicks"),
        Input(ids.SWEEP_BUTTON, "n_clicks"),
        Input(ids.BACKTEST_BUTTON, "n_clicks"),
        Input(ids.SUGGEST_BUTTON, "n_clicks"),
        [State(i, "value") for i in FIELD_IDS],
        State(ids.SESSION, "data"),
        State(ids.LOSS_OPTIONS, "value"),
        State(ids.SWEEP_OVER, "value"),
        State(ids.SWEEP_VALUES, "value"),
        State(ids.SWEEP_CELLS, "value"),
        State(ids.SWEEP_SERIES, "value"),
        State(ids.UPLOAD_STORE, "data"),
        State(ids.VALUE_COLUMN, "value"),
        State(ids.MISSING_CELLS, "value"),
        State(ids.TIME_COLUMN, "value"),
        State(ids.SPEED, "value"),
        State(ids.BACKTEST_ORIGINS, "value"),
        State(ids.BACKTEST_REFIT, "value"),
        prevent_initial_call=True,
    )
    def start_run(_train, _all, _sweep, _backtest, _suggest, *args):
        (*raw, session, options, over, values, cells, series, store, column, missing, time_column, speed,
         origins, refit) = args
        try:
            config, configs, data, spec, backtest = plan(ctx.triggered_id, raw, over, values, cells, series, origins,
                                                        refit, (store, column, missing, time_column), settings)
        except NotStarted as e:
            return no_update, f"not started: {e}", no_update, no_update, no_update
        request = make_request(uuid.uuid4().hex, session or "", configs, spec.to_json() if spec else None,
                               None if data is None else data.to_json(), backtest,
                               suggest=ctx.triggered_id == ids.SUGGEST_BUTTON)
        if speed == "slow":
            board.set_slow(request["id"], True)
        options = options or []
        drawn = member_configs(config) if config.ensemble > 1 and spec is None else configs
        models = tuple((c.model_name + (f" seed {c.train.seed}" if config.ensemble > 1 else ""), c.cell, c.backend)
                       for c in drawn) if spec is None and len(drawn) > 1 else ()
        live = live_figure(config.train.epochs, "log" in options, "grad" in options, config.train.val_fraction > 0,
                           models)
        return request, STARTING, live, 0, STARTING


def _register_job(app: Dash, services: Services) -> None:
    settings, board = services.settings, services.board

    @app.callback(
        Output(ids.RUN_RESULT, "data"),
        Output(ids.STATUS, "children"),
        Output(ids.PROGRESS, "value"),
        Output(ids.PROGRESS, "label"),
        Output(ids.DRAW_WAIT, "data"),
        Output(ids.SWEEP_RESULT, "data"),
        Output(ids.BACKTEST_RESULT, "data"),
        Output(ids.SUGGEST_RESULT, "data"),
        Input(ids.JOB_REQUEST, "data"),
        background=True,
        manager=services.manager,
        running=[
            (Output(ids.TRAIN, "disabled"), True, False),
            (Output(ids.TRAIN_ALL, "disabled"), True, False),
            (Output(ids.SWEEP_BUTTON, "disabled"), True, False),
            (Output(ids.BACKTEST_BUTTON, "disabled"), True, False),
            (Output(ids.SUGGEST_BUTTON, "disabled"), True, False),
            (Output(ids.CANCEL, "disabled"), False, True),
            (Output(ids.QUEUE_NOTE, "hidden"), True, True),
            (Output(ids.FIRST_POINT_TICK, "disabled"), False, True),
            (Output(ids.PAUSE, "disabled"), False, True),
            (Output(ids.PAUSE, "children"), "Pause", "Pause"),
            (Output(ids.STEP, "disabled"), True, True),
        ],
        progress=[Output(ids.PROGRESS, "value"), Output(ids.PROGRESS, "label"), Output(ids.LOSS_FEED, "data"),
                  Output(ids.STATUS, "children"), Output(ids.QUEUE_NOTE, "hidden"), Output(ids.PAUSED_FEED, "data"),
                  Output(ids.SWEEP_PROGRESS, "children"), Output(ids.SWEEP_BAR, "value"),
                  Output(ids.PARITY_METER, "children")],
        interval=settings.poll_ms,
        prevent_initial_call=True,
    )
    def run_job(set_progress, request):
        first, paused, meter = [], [None], [None]
        sweep = isinstance(request, dict) and request.get("sweep") is not None

        def progress(p: tuple) -> None:
            # a sweep's progress shows beside its button too; Train all's parity meter rides along (p[5])
            if len(p) > 5:
                meter[0] = p[5]
            set_progress((*p[:5], paused[0], p[1] if sweep else "", p[0] if sweep else 0, parity.view(meter[0])))
            if not first and p[2] and p[2]["history"].get("train_loss"):  # the first loss point: on the shelf for ``first_point``
                first.append(p)
                services.shelf.put_first(request["session"], request["id"], p)

        def on_pause(record) -> None:
            """The run as it stands at a pause goes on the shelf, and the progress names it until the job goes on."""
            if record is not None:
                services.shelf.put_paused(request["session"], request["id"], record)
            paused[0] = None if record is None else {"request": request["id"], "epoch": record.epochs_done}

        outcome = run_request(progress, request, board, settings.max_job_seconds, settings.served,
                              services.signer, settings.max_queued_per_client, on_pause, settings.suggest_seconds,
                              settings.cache_dir / "statistical")
        # the runs wait on the shelf, under the tab the request was checked for; the page gets their ids
        numbered, _ = services.shelf.add(request["session"], outcome.runs) if outcome.runs else ((), [])
        done = outcome.status == DONE
        label = "drawing" if done else "not started" if outcome.status.startswith("not started") else "stopped"
        views = [ids.SWEEP_GRAPH] if outcome.sweep is not None else [ids.BACKTEST_GRAPH] \
            if outcome.backtest is not None else [ids.SUGGEST_TABLE] if outcome.suggest is not None \
            else [ids.METRICS_TABLE, ids.ROLLOUT_GRAPH, ids.GATES_GRAPH]
        wait = {"request": request.get("id") if isinstance(request, dict) else None, "views": views} if done else None
        result = outcome.page_json(numbered)
        # each kind's view hears only of its own kind: a plain run's end asks nothing of the sweep's, the
        # backtest's or Suggest's view (a request and a redraw fewer each)
        kinds = [result if result.get(kind) is not None else no_update for kind in ("sweep", "backtest", "suggest")]
        return (result, DRAWING if done else outcome.status, 100 if done else no_update, label, wait, *kinds)


def _register_in_browser(app: Dash) -> None:
    """What the browser decides alone: "done", a lost run, the live curve, a pause's run."""

    # allow_duplicate: the job's callback has ended when this speaks; it turns its "drawing" into "done".
    app.clientside_callback(
        ClientsideFunction("gatelab", "finishDrawing"),
        Output(ids.STATUS, "children", allow_duplicate=True),
        Output(ids.PROGRESS, "label", allow_duplicate=True),
        Output(ids.DRAW_LEFT, "data"),
        Input(ids.DRAW_WAIT, "data"),
        Input(ids.METRICS_TABLE, "children"),
        Input(ids.ROLLOUT_GRAPH, "figure"),
        Input(ids.GATES_GRAPH, "figure"),
        Input(ids.SWEEP_GRAPH, "figure"),
        Input(ids.BACKTEST_GRAPH, "figure"),
        Input(ids.SUGGEST_TABLE, "children"),
        State(ids.DRAW_LEFT, "data"),
        prevent_initial_call=True,
    )

    # allow_duplicate: the watchdog speaks only once the job's callback has ended without a word.
    app.clientside_callback(
        ClientsideFunction("gatelab", "watchdog"),
        Output(ids.STATUS, "children", allow_duplicate=True),
        Output(ids.STATUS_WATCH, "data"),
        Input(ids.HEARTBEAT, "n_intervals"),
        State(ids.TRAIN, "disabled"),
        State(ids.STATUS, "children"),
        State(ids.JOB_REQUEST, "data"),
        State(ids.STATUS_WATCH, "data"),
        prevent_initial_call=True,
    )

    # allow_duplicate: the job's numbers drawn into the live figure that ``start_run`` put there, in the browser
    app.clientside_callback(ClientsideFunction("gatelab", "drawLossFeed"),
                            Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True), Input(ids.LOSS_FEED, "data"),
                            State(ids.LOSS_GRAPH, "figure"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("gatelab", "pausedChange"), Output(ids.PAUSED_RUN, "data"), Input(ids.PAUSED_FEED, "data"),
                            State(ids.PAUSED_RUN, "data"), prevent_initial_call=True)



def _register_first_point(app: Dash, services: Services) -> None:
    board, signer = services.board, services.signer

    # allow_duplicate: the job's callback owns these; this one writes its first point only, once, and sooner
    # than the job's first poll would (that comes ``poll_ms`` after the job starts, and the first epoch
    # is often done before). One request a run: it waits on the server for the point.
    @app.callback(
        Output(ids.LOSS_FEED, "data", allow_duplicate=True),
        Output(ids.PROGRESS, "value", allow_duplicate=True),
        Output(ids.PROGRESS, "label", allow_duplicate=True),
        Output(ids.FIRST_POINT_TICK, "disabled", allow_duplicate=True),
        Output(ids.FIRST_POINT_TICK, "n_intervals"),
        Input(ids.FIRST_POINT_TICK, "n_intervals"),
        State(ids.JOB_REQUEST, "data"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def first_point(ticks, request, tab):
        """The job's first loss point, as soon as it is made (the interval fires once a job; ``n_intervals``
        goes back to 0 so that it fires for the next)."""
        if not ticks or not signer.valid_tab(tab) or not isinstance(request, dict):
            return no_update, no_update, no_update, True, 0
        # with jobs waiting for a place, this one is likely among them: no first point soon, so no wait
        # (a class that starts at once would otherwise hold a web thread each for nothing)
        deadline = time.monotonic() + (0 if board.counts()[1] else FIRST_POINT_WAIT_S)
        found = services.shelf.first(tab, request.get("id"))
        while found is None and time.monotonic() < deadline:
            time.sleep(0.01)
            found = services.shelf.first(tab, request.get("id"))
        if found is None:  # a queued job, or a slow first epoch: its polls will bring the point
            return no_update, no_update, no_update, True, 0
        percent, label, feed = found[:3]
        return feed, percent, label, True, 0


def _register_controls(app: Dash, services: Services) -> None:
    """Cancel, Pause, Step and Speed act on the job through the board; the heartbeat keeps the tab."""
    board, signer = services.board, services.signer

    @app.callback(Input(ids.CANCEL, "n_clicks"), State(ids.JOB_REQUEST, "data"), prevent_initial_call=True)
    def cancel_run(_n, request):
        """The job sees this within a fraction of a second, ends its run and says "cancelled"."""
        if request:
            board.cancel(request["id"])

    @app.callback(Output(ids.PAUSE, "children"), Output(ids.STEP, "disabled"), Input(ids.PAUSE, "n_clicks"),
                  State(ids.JOB_REQUEST, "data"), prevent_initial_call=True)
    def pause_run(_n, request):
        """Pause, or Resume: the job holds at the end of its epoch while paused (``runner.holder``)."""
        if not isinstance(request, dict) or not isinstance(request.get("id"), str):
            return no_update, no_update
        paused = not board.paused(request["id"])
        board.pause(request["id"], paused)
        return ("Resume", False) if paused else ("Pause", True)

    @app.callback(Input(ids.STEP, "n_clicks"), State(ids.JOB_REQUEST, "data"), prevent_initial_call=True)
    def step_run(_n, request):
        """One more epoch of the paused job, which then holds again."""
        if isinstance(request, dict) and isinstance(request.get("id"), str):
            board.step(request["id"])

    @app.callback(Input(ids.SPEED, "value"), State(ids.JOB_REQUEST, "data"), prevent_initial_call=True)
    def set_speed(speed, request):
        """The speed applies to the job running now too, from its next epoch."""
        if isinstance(request, dict) and isinstance(request.get("id"), str):
            board.set_slow(request["id"], speed == "slow")

    @app.callback(Output(ids.HEARTBEAT, "disabled"), Input(ids.HEARTBEAT, "n_intervals"), State(ids.SESSION, "data"))
    def heartbeat(_n, session):
        """Tells running jobs that their page is still open, and keeps its runs on the shelf (the output
        keeps the load test's protocol). Only a tab id this server issued is written down: made-up ones
        leave nothing behind."""
        if signer.valid_tab(session):
            board.beat(session)
            services.shelf.keep(session)
        return False

