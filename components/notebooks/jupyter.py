"""Gatelab where a class already works: in JupyterLab's launcher, and in a notebook.

- ``server_proxy()`` is the ``jupyter_serverproxy_servers`` entry point (pyproject.toml):
  where jupyter-server-proxy is installed, JupyterLab's launcher (and JupyterHub's, per
  user) shows a Gatelab tile. Its first visit starts ``gatelab serve`` on a free port,
  under the path the tile opens (``{base_url}gatelab/``), and the proxy passes that
  whole path on (``absolute_url``), so the page asks for its scripts and callbacks there.
- ``show()`` serves Gatelab from a notebook's kernel and shows it in the notebook:

      from components.notebooks.jupyter import show
      show()                      # inline; show(mode="external") prints a link instead

  On a JupyterHub (``JUPYTERHUB_SERVICE_PREFIX`` is set) the page is served under the
  user's ``proxy/absolute/PORT/`` path, which jupyter-server-proxy passes to the kernel's
  port whole, and the notebook frames that path, on the hub's own site. Elsewhere it
  frames http://127.0.0.1:PORT/, another site than the notebook's (another port), so the
  page lets a notebook served from this computer (``LOCAL_NOTEBOOKS``) frame it, unless
  ``GATELAB_FRAME_ANCESTORS`` says otherwise.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

NAME = "gatelab"  # the path of the launcher's tile: {base_url}gatelab/
START_SECONDS = 120  # a first start imports torch and starts the job server
LOCAL_NOTEBOOKS = ("http://localhost:*", "http://127.0.0.1:*")  # a Jupyter on this computer, any port


def proxy_command(port: int, base_url: str) -> list[str]:
    """The command jupyter-server-proxy runs: this Python's ``gatelab serve`` under the tile's path."""
    prefix = "/" + "/".join(p for p in (base_url.strip("/"), NAME) if p) + "/"
    return [sys.executable, "-m", "cli", "serve", "--port", str(port), "--prefix", prefix]


def server_proxy() -> dict:
    """jupyter-server-proxy's description of the Gatelab server (its ``jupyter_serverproxy_servers``)."""
    return {
        "command": proxy_command,  # called with the port and the Jupyter server's base_url
        "absolute_url": True,
        "timeout": START_SECONDS,
        "new_browser_tab": True,
        "launcher_entry": {"title": "Gatelab", "icon_path": str(Path(__file__).with_name("gatelab.svg"))},
    }


def notebook_prefix(port: int) -> str | None:
    """The path a JupyterHub user's browser reaches the kernel's ``port`` by, or None off a hub."""
    hub = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    return f"/{hub.strip('/')}/proxy/absolute/{port}/" if hub else None


def show(mode: str = "inline", port: int = 8050, height: int = 900):
    """Serve Gatelab from this kernel (a thread of it, as Dash does in Jupyter) and show it: ``inline``
    in the notebook, ``external`` as a link, ``tab`` in a new browser tab. Returns the app."""
    from app import create_app
    from components.server.settings import Settings

    prefix = notebook_prefix(port)
    if prefix:
        os.environ["GATELAB_URL_PREFIX"] = prefix  # through the environment: the job processes read the same
    settings = Settings.from_env()
    if not prefix and not settings.frame_ancestors:
        settings = replace(settings, frame_ancestors=LOCAL_NOTEBOOKS)
    app = create_app(settings)
    app.run(jupyter_mode=mode, port=port, jupyter_height=height, jupyter_server_url="" if prefix else None)
    return app
