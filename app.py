"""Gatelab's dashboard: the Dash app, its layout, and how it is served.

    gatelab serve                # http://127.0.0.1:8050, debug off
    gunicorn app:server          # the WSGI entry point
    celery -A app:celery_app worker

Nothing happens at import. ``create_app(settings)`` makes the services
(``components.server.services``), the layout, and binds every component's callbacks to
that app, so a test can build several apps, each with settings of its own.
``app.server`` and ``app.celery_app`` build the one app of a served process on
first use, with settings from the environment.

Training runs as Dash background callbacks, through a ``DiskcacheManager`` or, when REDIS_URL is
set, a ``CeleryManager``. With the diskcache manager, jobs fork from a fork server, a fresh
single-threaded Python that has imported what a job needs (``JOB_MODULES``), never from the
threaded web process (docs/decisions.md, "Jobs start from a fork server"). The web process keeps
BLAS at one thread and never runs torch (``components.page.views.results``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import flask
from dash import Dash

from components import page
from components.page.layout import make_layout
from components.server.guard import GatelabHandler, guard
from components.server.services import init_services
from components.server.settings import Settings
from models.threads import limit_threads


# What a job process imports before its first job: the job and what it runs, and the module where the
# job's callback is defined (unpickling the callback imports it).
JOB_MODULES = ["components.server.warm", "components.page.train_bar"]


def start_fork_server() -> None:
    """Jobs of the diskcache manager start from a fork server that has imported what they need."""
    import multiprocess
    import multiprocess.forkserver

    multiprocess.set_start_method("forkserver", force=True)  # DiskcacheManager starts jobs through multiprocess
    multiprocess.set_forkserver_preload(JOB_MODULES)
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
        from importlib import import_module

        for module in JOB_MODULES:  # a Celery worker runs jobs in this process: warm it once
            import_module(module)
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
        page.register(app, services)
    finally:
        services.manager.accepting = False
    app.gatelab = services  # for tests and tools: this app's board and settings
    app.server.config["GATELAB_KEY"] = services.key  # seals run records (``components.page.views.runs_table``)
    guard(app, settings)

    prefix = settings.url_prefix

    def healthz():
        """For the container's HEALTHCHECK and load balancers: the board answers, so the cache works.
        Under a prefix too, so that a proxy that passes only the prefix's paths can ask."""
        running, waiting = services.board.counts()
        return {"status": "ok", "running": running, "waiting": waiting}

    for path in dict.fromkeys(["/healthz", f"{prefix}healthz"]):
        app.server.add_url_rule(path, f"healthz{path}", healthz)

    guide_runs: dict = {}
    guide_lock = threading.Lock()

    @app.server.route(f"{prefix}guide")
    def teachers_guide():
        """The teacher's guide (``components.page.guide``): its runs trained once per process, one build at a
        time, at this server's caps; ``?lesson=NAME`` for one lesson's page."""
        from components.page.form import preset_values
        from components.page.guide import lessons_of, render, runs_for
        from models.experiment import run_experiment

        lesson = flask.request.args.get("lesson")
        try:
            names = lessons_of(None if lesson is None else [lesson[:40]])
        except ValueError as e:
            return flask.Response(str(e).replace("--lesson", "lesson"), status=400, mimetype="text/plain")
        with guide_lock:
            if tuple(names) not in guide_runs:
                guide_runs[tuple(names)] = runs_for(names, preset_values(None, settings.form_limits()),
                                                    run_experiment)
        return flask.Response(render(names, guide_runs[tuple(names)], flask.request.host_url.rstrip("/") + prefix),
                              mimetype="text/html")

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
