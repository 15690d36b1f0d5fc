"""Finished runs: kept in the page, listed in a table, ticked to compare.

Runs travel through ``dcc.Store`` only, so they belong to the page that made
them: another browser never sees them, and the server keeps no per-person state.
A run's weights travel packed (float32, base64): a hidden size of 256 is then
1 MB rather than 5 MB of JSON, and the store stays in memory, not in the
browser's 5 MB session storage.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from dash import Input, Output, State, callback, dash_table, dcc, html, no_update

MAX_RUNS = 16  # the oldest run leaves when a new one would pass this


def pack_weights(state: dict[str, Any]) -> dict[str, dict]:
    """A state_dict as {name: {"shape", "b64"}} of little-endian float32 bytes."""
    out = {}
    for name, value in state.items():
        a = np.asarray(value, dtype="<f4")
        out[name] = {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}
    return out


def unpack_weights(packed: dict[str, dict]) -> dict[str, np.ndarray]:
    return {name: np.frombuffer(base64.b64decode(v["b64"]), dtype="<f4").reshape(v["shape"])
            for name, v in packed.items()}

COLUMNS = [
    ("number", "#"), ("label", "model"), ("hidden", "H"), ("seq_len", "L"), ("epochs", "epochs"),
    ("lr", "learning rate"), ("transform", "inputs"), ("noise", "noise"), ("mse", "test MSE"),
    ("mae", "test MAE"), ("persistence", "persistence MSE"), ("linear_ar", "linear AR MSE"),
]


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Store(id="job-request"),
            dcc.Store(id="run-result"),
            dcc.Store(id="runs-store", data=[]),
            dcc.Store(id="current-run"),
            html.P("Tick runs to overlay their loss curves, forecasts and rollouts; click a row to inspect it.",
                   className="small text-muted mb-1"),
            dash_table.DataTable(
                id="runs-table",
                columns=[{"name": name, "id": key} for key, name in COLUMNS],
                data=[],
                row_selectable="multi",
                selected_rows=[],
                page_size=12,
                style_table={"overflowX": "auto"},
                style_cell={"fontSize": "0.8rem", "padding": "2px 6px", "fontFamily": "inherit"},
                style_header={"fontWeight": "600"},
            ),
        ]
    )


def find_run(runs: list[dict] | None, run_id: str | None) -> dict | None:
    return next((r for r in runs or [] if r["id"] == run_id), None)


def shown_runs(runs: list[dict] | None, selected_rows: list[int] | None, current_id: str | None) -> list[dict]:
    """The ticked runs, or else the current one."""
    runs = runs or []
    ticked = [runs[i] for i in selected_rows or [] if 0 <= i < len(runs)]
    if ticked:
        return ticked
    current = find_run(runs, current_id)
    return [current] if current else []


def table_row(run: dict) -> dict[str, Any]:
    c, t = run["config"], run["config"]["train"]
    return {
        "id": run["id"],
        "number": run["number"],
        "label": run["label"] + (" (cancelled)" if run.get("cancelled") else ""),
        "hidden": c["hidden_size"],
        "seq_len": c["seq_len"],
        "epochs": run["epochs_done"],
        "lr": t["learning_rate"],
        "transform": c["transform"],
        "noise": c["series"]["noise"],
        "mse": round(run["metrics"]["mse"], 4),
        "mae": round(run["metrics"]["mae"], 4),
        "persistence": round(run["baselines"]["persistence"]["mse"], 4),
        "linear_ar": round(run["baselines"]["linear_ar"]["mse"], 4),
    }


def add_runs(runs: list[dict] | None, result: dict) -> tuple[list[dict], list[dict]]:
    """Number the finished runs of ``result`` and append them; returns (all runs, the new ones)."""
    runs = list(runs or [])
    number = max((r["number"] for r in runs), default=0)
    new = []
    for r in result.get("runs", []):
        number += 1
        new.append({**r, "number": number, "label": f"#{number} {r['label']}"})
    return (runs + new)[-MAX_RUNS:], new


@callback(
    Output("runs-store", "data"),
    Output("current-run", "data"),
    Output("runs-table", "selected_rows"),
    Output("job-status", "children", allow_duplicate=True),
    Output("final-status", "data"),
    Input("run-result", "data"),
    State("runs-store", "data"),
    prevent_initial_call=True,
)
def on_result(result, runs):
    if not result:
        return no_update, no_update, no_update, no_update, no_update
    runs, new = add_runs(runs, result)
    text = result.get("error") or "done"
    final = {"id": result.get("request_id"), "text": text}
    if not new:
        return no_update, no_update, no_update, text, final
    selected = list(range(len(runs) - len(new), len(runs))) if len(new) > 1 else []
    return runs, new[-1]["id"], selected, text, final


@callback(Output("runs-table", "data"), Input("runs-store", "data"))
def show_runs(runs):
    return [table_row(r) for r in runs or []]


@callback(
    Output("current-run", "data", allow_duplicate=True),
    Input("runs-table", "active_cell"),
    prevent_initial_call=True,
)
def pick_run(active_cell):
    return active_cell.get("row_id") or no_update if active_cell else no_update
