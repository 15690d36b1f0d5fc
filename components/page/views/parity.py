"""The live parity meter (``parity-meter``) as the page shows it: a row per cell, fed by the numbers
the Train all job reports (``models.parity_meter``)."""

from __future__ import annotations

from dash import html

from components.page import ids

CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "gru_cho": "GRU (Cho)"}


def _g(value) -> str:
    return "-" if value is None else f"{value:.1e}"


def view(rows: list[dict] | None) -> list:
    """The meter as the page shows it: a small table, a row per cell."""
    if not rows:
        return []
    head = html.Thead(html.Tr([html.Th("cell"), html.Th("epochs compared"), html.Th("|Δ loss|"),
                               html.Th("max |Δ weight|"), html.Th("largest so far"), html.Th("max |Δ forecast|")]))
    body = []
    for r in rows:
        which = f"{r['compared']} of {r['epochs']}" + (f" (every {r['every']}th)" if r["every"] > 1 else "")
        at = f" (epoch {r['epoch']})" if r["epoch"] else ""
        body.append(html.Tr([html.Td(CELL_NAMES.get(r["cell"], r["cell"])), html.Td(which),
                             html.Td(_g(r["loss"]) + at, **{"data-value": repr(r["loss"])}),
                             html.Td(_g(r["weights"]), **{"data-value": repr(r["weights"])}),
                             html.Td(f"loss {_g(r['max_loss'])}, weights {_g(r['max_weights'])}"),
                             html.Td(_g(r["forecasts"]), **{"data-value": repr(r["forecasts"])})],
                            **{"data-cell": r["cell"]}))
    return [html.Div("Parity, NumPy against PyTorch (same cell, same epoch): the largest absolute differences",
                     className="small fw-semibold"),
            html.Table([head, html.Tbody(body)], className="table table-sm small mb-1")]


def layout() -> html.Div:
    return html.Div(id=ids.PARITY_METER, role="status", **{"aria-live": "polite"})
