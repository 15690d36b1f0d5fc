"""Share: the link of this experiment (its lesson, preset and settings) copied to the clipboard.

The address bar already follows the form (``components.page.links``); the button copies
it (``dcc.Clipboard``) and says what it copied. Browsers let only https pages and
localhost use the clipboard: elsewhere (a class server on plain http) the button is
not shown, and the line beside it says to copy the address bar instead.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from components.page import ids
from components.server.services import Services



def layout() -> html.Span:
    return html.Span(
        [
            dcc.Clipboard(html.Button("Share", type="button", className="btn btn-sm btn-outline-secondary",
                                      title="Copy the link of this experiment: its lesson, preset and settings"),
                          id=ids.SHARE, target_id=ids.SHARE_URL, className="d-inline-block",
                          copied_children=html.Button("Copied", type="button",
                                                      className="btn btn-sm btn-outline-success")),
            html.Span(id=ids.SHARE_URL, hidden=True),
        ]
    )


def register(app: Dash, services: Services) -> None:
    app.clientside_callback(ClientsideFunction("gatelab", "followUrl"), Output(ids.SHARE_URL, "children"), Input(ids.URL_WRITTEN, "data"),
                            Input(ids.LESSON, "value"))
    app.clientside_callback(ClientsideFunction("gatelab", "copied"), Output(ids.SHARE_NOTE, "children"), Input(ids.SHARE, "n_clicks"),
                            State(ids.SHARE_URL, "children"))
