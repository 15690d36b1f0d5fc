"""A CSV file of one's own: dropped on the page, read by ``data.upload``, kept in the page.

The file's columns live in a ``dcc.Store`` in the browser's memory, so they belong to
the page that read them: no other student sees them, nothing is written to disk, and
a reload forgets them. Train sends the chosen column with the job's request; it
reaches the disk only as that job's own cache entry.
"""

from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from data.upload import Table, UploadError, looks_like_time, read_csv


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Upload(id=ids.UPLOAD_DATA, children=html.Div(["Drop a CSV file here, or ", html.A("choose one")]),
                       className="upload-box small text-center p-2 mb-1", multiple=False),
            html.Div(id=ids.UPLOAD_STATUS, className="small mb-1", role="status"),
            dbc.Label("Value column", html_for=ids.VALUE_COLUMN, className="mb-0 small"),
            dcc.Dropdown(id=ids.VALUE_COLUMN, options=[], clearable=False, className="mb-1 small"),
            dbc.Label("Time column (optional, for the axis)", html_for=ids.TIME_COLUMN, className="mb-0 small"),
            dcc.Dropdown(id=ids.TIME_COLUMN, options=[], className="mb-1 small"),
            html.Div(
                [dbc.Label("Empty or non-numeric cells", className="mb-0 small d-block"),
                 dbc.RadioItems(id=ids.MISSING_CELLS, value=None, inline=True, className="small",
                                options=[{"label": "drop them", "value": "drop"},
                                         {"label": "interpolate them", "value": "interpolate"}])],
                id=ids.MISSING_FIELD, hidden=True),
            dcc.Store(id=ids.UPLOAD_STORE),
        ]
    )


def upload_table(store: dict | None, column: str | None) -> Table:
    """The page's CSV, read once, with a value column chosen; ``UploadError`` says what is missing."""
    if not store:
        raise UploadError("no CSV file yet: drop one on the page, or choose another data set")
    if not column:
        raise UploadError("choose the value column of your CSV file")
    return Table.from_json(store)


def register(app: Dash, services: Services) -> None:
    settings = services.settings
    limit = settings.max_upload_mb * 2**20

    @app.callback(
        Output(ids.UPLOAD_STORE, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Output(ids.VALUE_COLUMN, "options"),
        Output(ids.VALUE_COLUMN, "value"),
        Output(ids.TIME_COLUMN, "options"),
        Output(ids.TIME_COLUMN, "value"),
        Output(ids.MISSING_FIELD, "hidden"),
        Input(ids.UPLOAD_DATA, "contents"),
        Input(ids.VALUE_COLUMN, "value"),
        Input(ids.MISSING_CELLS, "value"),
        State(ids.UPLOAD_DATA, "filename"),
        State(ids.UPLOAD_STORE, "data"),
        prevent_initial_call=True,
    )
    def read_upload(contents, column, missing, filename, store):
        """A new file replaces the old one, or is refused with the reason (the old one stays);
        the status line says what was read, how many cells of the chosen column are holes, and what
        becomes of them."""
        if ctx.triggered_id in (ids.VALUE_COLUMN, ids.MISSING_CELLS):
            if not store or not column:
                return (no_update,) * 7
            table = Table.from_json(store)
            return no_update, status_text(table, column, missing), no_update, no_update, no_update, no_update, \
                not table.bad_cells(column)
        name = filename or "the file"
        try:
            _, b64 = (contents or "").split(",", 1)
            if len(b64) > limit * 4 // 3 + 4:  # base64 of a file above the limit: not decoded at all
                raise UploadError(f"{name} is over {settings.max_upload_mb} MB, the limit on this server "
                                  "(GATELAB_MAX_UPLOAD_MB)")
            table = read_csv(base64.b64decode(b64), name, limit, max_rows=settings.max_length)
        except UploadError as e:
            return no_update, html.Span(f"Not read: {e}.", className="text-danger"), *([no_update] * 5)
        except ValueError:
            return no_update, html.Span(f"Not read: {name} did not arrive whole; try again.",
                                        className="text-danger"), *([no_update] * 5)
        value = table.numeric[-1] if len(table.numeric) > 1 and looks_like_time(table.numeric[0]) \
            else table.numeric[0]
        others = [c for c in table.columns if c != value]
        return (table.to_json(), status_text(table, value, missing), [{"label": c, "value": c} for c in table.numeric], value,
                [{"label": c, "value": c} for c in others], others[0] if others else None, not table.bad_cells(value))


def status_text(table: Table, column: str, missing: str | None = None) -> str:
    """What was read, and what becomes of the chosen column's holes (``missing``: the choice made, if any)."""
    rows = len(next(iter(table.columns.values())))
    text = f"Read {table.name}: {rows} rows; numeric columns: {', '.join(table.numeric)}."
    bad = table.bad_cells(column)
    if not bad:
        return text
    text += f" Column {column!r} has {bad} empty or non-numeric cell(s)"
    if missing == "drop":
        return text + f": they are dropped, and {rows - bad} rows are left."
    if missing == "interpolate":
        return text + ": each is filled in on the straight line between its neighbours (the ends take the nearest value)."
    return text + ": choose below to drop or interpolate them."
