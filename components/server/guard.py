"""What the web process checks of every request before Dash reads it, and adds to every answer.

- A request body above ``GATELAB_MAX_REQUEST_MB`` is refused (413) before it is read.
- A callback request must have the shape Dash's renderer sends: a JSON object (not
  nested past the parser's recursion limit) with its output, inputs and state as
  lists of ids and properties. Anything else gets 400 and one sentence, never a stack trace or a 500.
- Every answer carries ``X-Content-Type-Options: nosniff``, a frame policy (the page's
  own site only, unless ``GATELAB_FRAME_ANCESTORS`` names others: a notebook's, say), a
  referrer policy and a content security policy that allows the page's own scripts
  (Dash's inline ones by their hashes) and nothing from another host. The ``Server``
  header is written by the HTTP server itself: ``GatelabHandler`` for ``gatelab serve``,
  ``gunicorn.conf.py`` for gunicorn; both say only "Gatelab".
"""

from __future__ import annotations

import logging
from typing import Any

import flask
from dash import Dash
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.serving import WSGIRequestHandler

log = logging.getLogger(__name__)
SERVER = "Gatelab"


def guard(app: Dash, settings: Any) -> None:
    """Bind the checks and headers above to ``app``'s Flask server, with ``settings``' request bound."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_mb * 2**20
    policy = content_security_policy(app, settings.frame_ancestors)

    @server.before_request
    def check_callback_shape():
        if flask.request.method == "POST" and flask.request.path.endswith("/_dash-update-component"):
            try:  # parsed once: Dash reads the same cached JSON
                body = flask.request.get_json(force=True, cache=True)
            except (BadRequest, ValueError):
                return {"error": "not a request this page sends: it is not JSON"}, 400
            except RecursionError:
                return {"error": "not a request this page sends: it is nested too deep"}, 400
            problem = callback_problem(body)
            if problem:
                return {"error": f"not a request this page sends: {problem}"}, 400
        return None

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if not settings.frame_ancestors:  # the older header knows no list; CSP's frame-ancestors says it then
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = policy
        return response

    @server.errorhandler(Exception)
    def failed(e: Exception):
        if isinstance(e, HTTPException):
            return e
        log.exception("request %s failed", flask.request.path)
        return {"error": "the server could not answer this request (its log says why)"}, 500


class GatelabHandler(WSGIRequestHandler):
    """Werkzeug's request handler for ``gatelab serve``, with a ``Server`` header that names no software."""

    def version_string(self) -> str:
        return SERVER


def content_security_policy(app: Dash, frame_ancestors: tuple[str, ...] = ()) -> str:
    """Scripts from this server only, plus Dash's inline scripts by hash; styles may be inline (Plotly
    and the Bootstrap components set them); nothing is fetched from or posted to another host, and only
    the page's own site and ``frame_ancestors`` (checked by ``components.server.settings``) may frame it."""
    hashes = " ".join(app.csp_hashes())  # each already quoted: 'sha256-...'
    return ("default-src 'self'; "
            f"script-src 'self' {hashes}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors " + " ".join(("'self'",) + tuple(frame_ancestors)))


def callback_problem(body: Any) -> str:
    """What is wrong with a callback request's parsed body, or "" when it has Dash's shape."""
    if not isinstance(body, dict):
        return "it is not a JSON object"
    if not isinstance(body.get("output"), str):
        return "it names no output"
    if not isinstance(body.get("outputs"), (dict, list, type(None))):  # a callback without outputs sends none
        return "its outputs are not ids and properties"
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or not all(_prop(i) for i in items):
            return f"its {part} are not a list of ids and properties"
    if not isinstance(body.get("changedPropIds", []), list):
        return "its changed properties are not a list"
    return ""


def _prop(item: Any) -> bool:
    if isinstance(item, list):  # pattern-matching ids (ALL) send a list of them
        return all(_prop(i) for i in item)
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)
