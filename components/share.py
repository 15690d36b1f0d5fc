"""Share: the link of this experiment (its lesson, preset and settings) copied to the clipboard.

The address bar already follows the form (``components.links``); the button copies
it (``dcc.Clipboard``) and says what it copied. Browsers let only https pages and
localhost use the clipboard: elsewhere (a class server on plain http) the button is
not shown, and the line beside it says to copy the address bar instead.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html

from components import ids

# the link the button copies: the address as the page last wrote it
FOLLOW_URL = """
function(_written, _lesson) { return window.location.href; }
"""
COPIED = """
function(n, url) {
    if (!navigator.clipboard) {
        return 'To share this experiment, copy the address bar: this browser lets only https and localhost ' +
               'pages use the clipboard.';
    }
    return n ? 'Copied the link of this experiment: ' + url : '';
}
"""


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


def register(app: Dash) -> None:
    app.clientside_callback(FOLLOW_URL, Output(ids.SHARE_URL, "children"), Input(ids.URL_WRITTEN, "data"),
                            Input(ids.LESSON, "value"))
    app.clientside_callback(COPIED, Output(ids.SHARE_NOTE, "children"), Input(ids.SHARE, "n_clicks"),
                            State(ids.SHARE_URL, "children"))
