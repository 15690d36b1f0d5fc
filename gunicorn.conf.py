"""gunicorn settings for ``gunicorn -c gunicorn.conf.py app:server``, from the environment.

GATELAB_PORT (8050), GATELAB_WORKERS (2), GATELAB_THREADS (8): processes and
threads that answer pages. Training runs in job processes of its own, capped by
GATELAB_MAX_JOBS, so more web threads do not mean more training at once.
"""

import os

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "Gatelab"  # the Server header names no software and no version

bind = f"0.0.0.0:{os.environ.get('GATELAB_PORT', '8050')}"
workers = int(os.environ.get("GATELAB_WORKERS", "2"))
threads = int(os.environ.get("GATELAB_THREADS", "8"))
worker_class = "gthread"
timeout = 120
accesslog = None


def post_worker_init(worker):
    """Serve the page once before any student does: under threaded workers the first
    load can otherwise fail while Dash is still registering its component libraries."""
    from components.server.settings import url_prefix

    client = worker.wsgi.test_client()
    prefix = url_prefix(os.environ.get("GATELAB_URL_PREFIX", "/"))  # GATELAB_URL_PREFIX: served under a path
    for path in (prefix, f"{prefix}_dash-layout", f"{prefix}_dash-dependencies", "/healthz"):
        client.get(path)
