"""Gatelab's dashboard: the Dash app, its layout, and how it is served.

    gatelab serve                # http://127.0.0.1:8050, debug off
    gunicorn app:server          # the WSGI entry point
    celery -A app:celery_app worker

Nothing happens at import. ``create_app(settings)`` makes the services
(``components.services``), the layout, and binds every component's callbacks to
that app, so a test can build several apps, each with settings of its own.
``app.server`` and ``app.celery_app`` build the one app of a served process on
first use, with settings from the environment.

Training runs as Dash background callbacks, through a ``DiskcacheManager`` or,
when REDIS_URL is set, a ``CeleryManager``. With the diskcache manager, jobs do
not fork from the web process: a web server's threads hold locks (seen here: a
job forked from a threaded gunicorn worker hung for good in SQLite's close of a
connection another thread was using). They fork from a fork server instead, a
fresh single-threaded Python that imports ``components.warm`` once, so jobs
still start warm. The web process keeps BLAS at one thread and never runs torch
(see ``components.results``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, dcc, html

from components import (arithmetic, backtest, controls, cursor, downloads, explain, gradflow, horizon, ids, lessons,
                        replay, results, runs, saliency, share, sweep, training, whatif)
from components.guard import GatelabHandler, guard
from components.lessons import part
from components.services import Services, init_services
from components.settings import Settings
from models.threads import limit_threads


# A page that goes away tells the server, so a reloaded tab's job stops at once instead of after
# its heartbeat falls silent. Each page load has its own tab id (a duplicated tab too: the id
# lives in the page's memory, not in sessionStorage, which a duplicate copies).
TAB_BEACON = """
function(tab) {
    if (tab && !window.gatelabTab) {
        window.addEventListener('pagehide', function() { navigator.sendBeacon('tab-closed', window.gatelabTab); });
    }
    window.gatelabTab = tab;
    return tab;
}
"""


def card(title: str, body, **kwargs) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title, className="fw-semibold py-1"), dbc.CardBody(body, className="py-2")],
                    className="mb-2 shadow-sm", **kwargs)


def views() -> list:
    """The views, each in the lessons it teaches (``components.lessons``), in the order the long page
    shows them."""
    return [
        lessons.intros(),
        part("data", card("Series", controls.preview_layout())),
        dbc.Row(
            [
                dbc.Col(part("basics why-gates", card("Loss", training.loss_layout())), xl=6, className="gl-col-loss"),
                dbc.Col([part("basics data trust",
                              card("One-step forecasts on the test part", results.forecast_layout())),
                         part("why-gates", card("Gradient flow through time", gradflow.layout(results.EMPTY)))],
                        xl=6, className="gl-col-forecast"),
            ],
            className="g-2",
        ),
        dbc.Row(
            [
                dbc.Col(part("basics ahead data compare trust", card("Results: test errors", results.metrics_layout())),
                        xl=6),
                dbc.Col([part("basics ahead", card("Rollout", results.rollout_layout())),
                         part("trust", card("Backtest: errors at several forecast origins", backtest.layout()))],
                        xl=6),
            ],
            className="g-2",
        ),
        part("inside", card("Inside the cell", dbc.Row([dbc.Col(results.gates_layout(), lg=8),
                                                        dbc.Col([explain.equations_layout(), arithmetic.layout()],
                                                                lg=4, className="equations-col")]))),
        part("looks", dbc.Row([dbc.Col(card("What if: edit the test window", whatif.layout()), xl=5),
                                dbc.Col(card("What the forecast looks at", saliency.layout()), xl=7)],
                               className="g-2")),
        part("why-gates", card("Why gates, and what to try", explain.layout())),
        part("ahead", card("Several steps ahead: direct or recursive", horizon.layout())),
        part("compare", card("Runs", [downloads.layout(), runs.layout()])),
        part("compare", card("Sweeps: seeds and window lengths", sweep.layout())),
    ]


def make_layout(services: Services):
    """The page; a function, so that every page load gets a session id of its own."""

    def layout() -> html.Div:
        return html.Div(
            dbc.Container(
                [
                    dcc.Store(id=ids.SESSION, data=services.signer.new_tab()),
                    dcc.Store(id=ids.TAB_WATCH),
                    cursor.layout(),
                    dcc.Interval(id=ids.HEARTBEAT, interval=5000),
                    html.Header(
                        [
                            html.Div(
                                [
                                    html.H1("Gatelab", className="h4 mb-0 me-3"),
                                    html.Span("Watch LSTM and GRU forecasters learn, in NumPy and in PyTorch.",
                                              className="text-muted small me-3 d-none d-xxl-inline"),
                                    lessons.switcher(),
                                ],
                                className="d-flex flex-wrap align-items-center gap-1 mb-1 top-lessons",
                            ),
                            html.Div(training.bar_layout(services), className="train-bar"),
                        ],
                        className="top-bar py-1",
                    ),
                    html.Main(
                        dbc.Row(
                            [
                                dbc.Col(card("Experiment", controls.layout(services.settings)), lg=3, md=4,
                                        className="controls-col"),
                                dbc.Col(views(), lg=9, md=8),
                            ],
                            className="g-2",
                        ),
                    ),
                ],
                fluid=True,
            ),
            id=ids.PAGE,
            className=lessons.page_class(),
        )

    return layout


def start_fork_server() -> None:
    """Jobs of the diskcache manager start from a fork server that has imported what they need."""
    import multiprocess
    import multiprocess.forkserver

    multiprocess.set_start_method("forkserver", force=True)  # DiskcacheManager starts jobs through multiprocess
    multiprocess.set_forkserver_preload(["components.warm"])
    multiprocess.forkserver.ensure_running()  # start it now: its imports take a second or two


def assets_folder() -> str:
    """The page's stylesheets and scripts: ``assets/`` beside this file in a checkout; installed from a
    wheel, the ``gatelab_assets`` package it carries them in (pyproject.toml), wherever pip put it."""
    here = Path(__file__).resolve().parent / "assets"
    if here.is_dir():
        return str(here)
    from importlib.util import find_spec

    spec = find_spec("gatelab_assets")  # a folder of files, no module: its one location is the folder
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Gatelab's assets are missing: reinstall it (pip install gatelab-*.whl)")
    return str(next(iter(spec.submodule_search_locations)))


def create_app(settings: Settings | None = None) -> Dash:
    """A Gatelab app with its own services; ``settings`` default to the environment's."""
    settings = settings or Settings.from_env()
    limit_threads(1)
    services = init_services(settings)
    if settings.redis_url:
        import components.warm  # noqa: F401 - a Celery worker runs jobs in this process: warm it once
    else:
        start_fork_server()
    services.board.set_slots(settings.max_jobs)

    # compress: flask-compress sends the page's scripts and every callback's answer compressed
    app = Dash(__name__, title="Gatelab", background_callback_manager=services.manager, update_title=None,
               compress=True, assets_folder=assets_folder(), url_base_pathname=settings.url_prefix)
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # what a screen reader speaks
    app.layout = make_layout(services)
    services.manager.accepting = True  # it takes this app's background functions, and no other app's
    try:
        controls.register(app, settings)
        lessons.register(app)
        cursor.register(app)
        share.register(app)
        training.register(app, services)
        library = services.library
        runs.register(app, settings, library)
        results.register(app, library)
        results.register_paused(app, library)
        explain.register(app, library)
        arithmetic.register(app, library)
        whatif.register(app, library)
        saliency.register(app, library, results.EMPTY)
        gradflow.register(app, results.EMPTY, library)
        horizon.register(app, library)
        sweep.register(app)
        backtest.register(app)
        downloads.register(app, library)
        replay.register(app, library)
    finally:
        services.manager.accepting = False
    app.clientside_callback(TAB_BEACON, Output(ids.TAB_WATCH, "data"), Input(ids.SESSION, "data"))
    app.gatelab = services  # for tests and tools: this app's board and settings
    app.server.config["GATELAB_KEY"] = services.key  # seals run records (``components.runs``)
    guard(app, settings)

    prefix = settings.url_prefix

    def healthz():
        """For the container's HEALTHCHECK and load balancers: the board answers, so the cache works.
        Under a prefix too, so that a proxy that passes only the prefix's paths can ask."""
        running, waiting = services.board.counts()
        return {"status": "ok", "running": running, "waiting": waiting}

    for path in dict.fromkeys(["/healthz", f"{prefix}healthz"]):
        app.server.add_url_rule(path, f"healthz{path}", healthz)

    @app.server.route(f"{prefix}tab-closed", methods=["POST"])
    def tab_closed():
        """A page that goes away (closed, reloaded) says so: its job stops at once and its runs leave the
        shelf (``TAB_BEACON``)."""
        tab = flask.request.get_data(as_text=True)[:100]
        if services.signer.valid_tab(tab):
            services.board.closed(tab)
            services.shelf.forget(tab)
        return "", 204

    return app


_served: Dash | None = None


def served_app() -> Dash:
    """The one app of a served process (gunicorn, a Celery worker, ``gatelab serve``)."""
    global _served
    if _served is None:
        _served = create_app()
    return _served


def __getattr__(name: str) -> Any:
    """``app:server`` for gunicorn and ``app:celery_app`` for Celery, built on first use."""
    if name == "app":
        return served_app()
    if name == "server":
        return served_app().server
    if name == "celery_app":
        return served_app().gatelab.celery_app
    raise AttributeError(f"module 'app' has no attribute {name!r}")


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> int:
    app = served_app()
    prefix = app.gatelab.settings.url_prefix
    print(f"Gatelab at http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}{prefix}")
    app.run(host=host, port=port, debug=debug, request_handler=GatelabHandler)
    return 0
