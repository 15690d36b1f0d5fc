"""Gatelab's dashboard: the Dash app, its layout, and how it is served.

    gatelab serve            # http://127.0.0.1:8050, debug off
    gunicorn app:server      # the WSGI entry point

Training runs as Dash background callbacks, through a ``DiskcacheManager``
(folder: GATELAB_CACHE_DIR) or, when REDIS_URL is set, through a ``CeleryManager``
whose workers run ``celery -A app:celery_app worker``. With the diskcache
manager, jobs do not fork from this process: a web server's
threads hold locks (seen here: a job forked from a threaded gunicorn worker hung
for good in SQLite's close of a connection another thread was using). They fork
from a fork server instead, a fresh single-threaded Python that imports
``components.warm`` once, so jobs still start warm. This process keeps BLAS and
torch at one thread and never runs torch itself (see ``components.results``).
"""

from __future__ import annotations

import uuid

import dash_bootstrap_components as dbc
import multiprocess
import multiprocess.forkserver
from dash import Dash, dcc, html

from components import controls, explain, results, runs, training
from components.services import BOARD, MANAGER, REDIS_URL, celery_app  # noqa: F401 - celery -A app:celery_app
from components.settings import SETTINGS
from models.threads import limit_threads

limit_threads(1)
if REDIS_URL:
    import components.warm  # noqa: F401 - a Celery worker imports this module: warm it once
else:
    multiprocess.set_start_method("forkserver", force=True)  # DiskcacheManager starts jobs through multiprocess
    multiprocess.set_forkserver_preload(["components.warm"])
    multiprocess.forkserver.ensure_running()  # start it now: its imports take a second or two
BOARD.set_slots(SETTINGS.max_jobs)


def card(title: str, body, **kwargs) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title, className="fw-semibold py-1"), dbc.CardBody(body, className="py-2")],
                    className="mb-3 shadow-sm", **kwargs)


def layout() -> dbc.Container:
    """A function, so that every page load gets a session id of its own."""
    return dbc.Container(
        [
            # per browser tab, and kept across a reload of it (sessionStorage)
            dcc.Store(id="session-id", data=uuid.uuid4().hex, storage_type="session"),
            dcc.Interval(id="heartbeat", interval=5000),
            html.Div(
                [
                    html.H3("Gatelab", className="mb-0 me-3"),
                    html.Span("Watch LSTM and GRU forecasters learn, in NumPy and in PyTorch.",
                              className="text-muted"),
                ],
                className="d-flex align-items-baseline my-2",
            ),
            dbc.Row(
                [
                    dbc.Col(card("Experiment", controls.layout()), lg=3, md=4, className="controls-col"),
                    dbc.Col(
                        [
                            card("Series", controls.preview_layout()),
                            card("Training", training.layout()),
                            card("Results", results.layout()),
                            card("Inside the cell",
                                 dbc.Row([dbc.Col(results.gates_layout(), lg=8),
                                          dbc.Col(explain.equations_layout(), lg=4)])),
                            card("Runs", runs.layout()),
                            card("Why gates, and what to try", explain.layout()),
                        ],
                        lg=9, md=8,
                    ),
                ]
            ),
        ],
        fluid=True,
    )


def create_app() -> Dash:
    app = Dash(__name__, title="Gatelab", background_callback_manager=MANAGER, update_title=None)
    app.layout = layout
    return app


app = create_app()
server = app.server


@server.route("/healthz")
def healthz():
    """For the container's HEALTHCHECK and load balancers: the board answers, so the cache works."""
    running, waiting = BOARD.counts()
    return {"status": "ok", "running": running, "waiting": waiting}


def serve(host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> int:
    print(f"Gatelab at http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}")
    app.run(host=host, port=port, debug=debug)
    return 0
