"""Finished runs: kept on the server for their page, listed newest first, ticked to compare.

A job puts its runs on the shelf (``components.server.shelf``) under its page's signed tab
id, and the page gets their ids and numbers (``runs-store``: [{"id", "number"}],
newest first); the views read the runs from there (``components.server.library``). So a run
belongs to the page that made it, another browser never sees it, and a page's
requests carry ids, not records. A record from a person's file is checked like a
fresh run (``models.run.RunRecord.problems``) before it joins its page's runs.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from dash import Dash, Input, Output, State, ctx, dash_table, dcc, html, no_update

from components.page import ids
from components.page.views import shown
from components.server.services import Services
from components.server.shelf import MAX_RUNS
from models.cost import Served
from data.datasets import SYNTHETIC
from models.wording import BASELINE_NAMES
from models.run import RunRecord, RunRecordError


COLUMNS = [
    ("label", "model"), ("data", "data"), ("length", "n"), ("epochs", "epochs"), ("mse", "test MSE"),
    ("mae", "test MAE"), ("mase", "test MASE"), ("rollout", "rollout MSE"),
    *[(f"base-{k}", f"{v} MSE") for k, v in BASELINE_NAMES.items()],
    ("hidden", "H"), ("seq_len", "L"), ("transform", "inputs"), ("dropout", "dropout"),
    ("val", "validation / patience"), ("horizon", "k: k-step model / recursive MSE at step k"),
    ("inputs_beside", "inputs beside the series"), ("lr", "learning rate"), ("batch", "batch"), ("clip", "clip"),
    ("seed", "seed"), ("periods", "periods"), ("amplitudes", "amplitudes"), ("trend", "trend"),
    ("noise", "noise"), ("series_seed", "series seed"),
]
# shown at first (with the columns of settings some run used, ``hidden_columns``); the rest is one click
# away ("Toggle Columns"), and every column goes into the CSV
SHOWN = ("label", "data", "length", "epochs", "mse", "mase", "rollout", "base-persistence", "base-seasonal_naive",
         "base-linear_ar", "hidden", "seq_len", "transform")
SYNTHETIC_ONLY = ("periods", "amplitudes", "trend", "noise", "series_seed")  # blank for a data set or a file


def _numbers(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def table_row(run: RunRecord) -> dict[str, Any]:
    c, t, s = run.config, run.config.train, run.config.series
    roll = run.rollout_scores
    return {
        "id": run.id,
        "label": run.label + (f" ({run.stopped})" if run.stopped else ""),
        "epochs": run.epochs_done,
        "mse": round(run.metrics.mse, 4),
        "mae": round(run.metrics.mae, 4),
        "mase": round(run.metrics.mase, 3),
        "rollout": round(roll.mse, 4) if roll else None,
        **{f"base-{k}": round(run.baselines[k].mse, 4) if k in run.baselines else None for k in BASELINE_NAMES},
        "hidden": c.hidden_size,
        "dropout": c.dropout,
        "horizon": horizon_cell(run),
        "inputs_beside": inputs_beside(c),
        "val": f"{t.val_fraction:g} / {t.patience}" if t.val_fraction else "off",
        "seq_len": c.seq_len,
        "lr": t.learning_rate,
        "batch": t.batch_size,
        "clip": t.clip_norm if t.clip_norm else "off",
        "transform": c.transform,
        "seed": t.seed,
        "data": run.data_name,
        "length": len(run.series),
        **({"periods": _numbers(s.periods), "amplitudes": _numbers(s.amplitudes), "trend": s.trend,
            "noise": s.noise, "series_seed": s.seed} if c.dataset == SYNTHETIC
           else dict.fromkeys(SYNTHETIC_ONLY)),  # settings that played no part in the run
    }


def read_run_file(contents: str | None, filename: str | None, served: Served | None = None,
                  max_mb: float = 16) -> RunRecord:
    """A run record from an uploaded JSON file, with an id of its own; ``RunRecordError`` says why not.
    The file is bounded before it is decoded, and its record must pass ``served`` as a fresh run would."""
    if not isinstance(contents, str):
        raise RunRecordError("no file arrived")
    if len(contents) > max_mb * 2**20 * 4 / 3 + 100:
        raise RunRecordError(f"the file is over {max_mb:g} MB, the largest run record this server reads "
                             "(GATELAB_MAX_RECORD_MB)")
    try:
        _, b64 = contents.split(",", 1)
        data = json.loads(base64.b64decode(b64).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RunRecordError("this is not a JSON file (a run record comes from 'run record (.json)')") from None
    record = RunRecord.from_json(data)  # its digest: not changed by accident; not who made it
    problems = record.problems(served or Served())
    if problems:
        raise RunRecordError(f"this run record cannot be shown here: {problems[0]}")
    return record.with_(id=f"uploaded-{uuid.uuid4().hex[:12]}", number=0)


def ticks_after(k: int, selected: list[int] | None, size: int) -> list[int]:
    """The ticked rows once ``k`` new runs are put first in a store of ``size``: the newest run is always
    in view. Several new runs (Train all) are ticked together, in place of the old ticks; one new run
    joins the runs that were ticked, which move down a row (no ticks: the views show the current run,
    which is the new one)."""
    if k > 1:
        return list(range(k))
    old = [i + k for i in selected or [] if isinstance(i, int) and 0 <= i and i + k < size]
    return [0, *old] if old else []


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.RUNS_STORE, data=[]),
            dcc.Store(id=ids.CURRENT_RUN),
            html.P(f"Newest first. Tick runs to overlay their loss curves, forecasts and rollouts; click a row to "
                   f"look inside it. The page keeps the {MAX_RUNS} newest runs.",
                   id=ids.RUNS_NOTE, className="small text-muted mb-1"),
            dash_table.DataTable(
                id=ids.RUNS_TABLE,
                columns=[{"name": name, "id": key, "hideable": True} for key, name in COLUMNS],
                hidden_columns=[key for key, _ in COLUMNS if key not in SHOWN],
                data=[],
                row_selectable="multi",
                selected_rows=[],
                page_size=MAX_RUNS,
                style_table={"overflowX": "auto"},
                # headers and long names wrap, so the shown columns fit the card at 1440 px
                style_cell={"fontSize": "0.8rem", "padding": "2px 6px", "fontFamily": "inherit",
                            "whiteSpace": "normal", "height": "auto", "minWidth": "48px", "maxWidth": "150px"},
                style_header={"fontWeight": "600", "whiteSpace": "normal", "height": "auto"},
            ),
        ]
    )


def result_ids(result: Any) -> list[str]:
    """The run ids a finished job's result names (``JobOutcome.page_json``), oldest first."""
    runs = result.get("runs") if isinstance(result, dict) else None
    return [r["id"] for r in runs if isinstance(r, dict) and isinstance(r.get("id"), str)] \
        if isinstance(runs, list) else []


def ensemble_in(result: Any) -> bool:
    """Whether a finished job's result names an ensemble (``JobOutcome.page_json``)."""
    runs = result.get("runs") if isinstance(result, dict) else None
    return isinstance(runs, list) and any(isinstance(r, dict) and r.get("ensemble") is True for r in runs)


def gone_numbers(before: Any, after: list[dict]) -> list[int]:
    """The numbers of the runs a page listed that its tab no longer keeps."""
    kept = {e["id"] for e in after}
    return [e["number"] for e in before if isinstance(e, dict) and e.get("id") not in kept
            and isinstance(e.get("number"), int)] if isinstance(before, list) else []


def gone_note(gone: list[int]) -> str:
    """What the table says of the runs that left it (``gone_numbers``)."""
    return f"Newest first. The page keeps the {MAX_RUNS} newest runs: {', '.join(f'#{n}' for n in gone)} left the table."


def register(app: Dash, services: Services) -> None:
    settings, library = services.settings, services.library
    shelf = library.shelf

    @app.callback(
        Output(ids.RUNS_STORE, "data"),
        Output(ids.CURRENT_RUN, "data"),
        Output(ids.RUNS_TABLE, "selected_rows"),
        Output(ids.RUNS_NOTE, "children"),
        Input(ids.RUN_RESULT, "data"),
        Input(ids.RUNS_TABLE, "active_cell"),
        Input(ids.UPLOAD_RUN, "contents"),
        State(ids.UPLOAD_RUN, "filename"),
        State(ids.RUNS_STORE, "data"),
        State(ids.RUNS_TABLE, "selected_rows"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def collect(result, active_cell, uploaded, filename, store, selected, tab):
        """A finished job's runs, or an uploaded run record, join the table (newest first);
        a clicked row becomes the current run."""
        if ctx.triggered_id == ids.RUNS_TABLE:
            row = (active_cell or {}).get("row_id")
            return no_update, row or no_update, no_update, no_update
        if not library.signer.valid_tab(tab):
            return no_update, no_update, no_update, "Not shown: this page's tab id was not made by this server."
        note = no_update
        if ctx.triggered_id == ids.UPLOAD_RUN:
            try:
                record = read_run_file(uploaded, filename, settings.served, settings.max_record_mb)
            except RunRecordError as e:
                return no_update, no_update, no_update, f"Not shown: {filename or 'the file'}: {e}."
            numbered, _ = shelf.add(tab, [record])
            new = [numbered[0].id]
            note = f"Shown again from {filename}, without training."
        else:
            new = result_ids(result)
        entries = shelf.entries(tab)
        new = [i for i in new if any(e["id"] == i for e in entries)]  # only runs this tab has
        if not new:
            return no_update, no_update, no_update, no_update
        # an ensemble's job: the views show the ensemble alone (its members are a tick away)
        alone = ctx.triggered_id == ids.RUN_RESULT and ensemble_in(result)
        ticked = [] if alone else ticks_after(len(new), selected, len(entries))
        gone = gone_numbers(store, entries)
        if gone:
            note = gone_note(gone)
        return entries, new[-1], ticked, note

    @app.callback(Output(ids.RUNS_TABLE, "data"), Output(ids.RUNS_TABLE, "hidden_columns"),
                  Input(ids.RUNS_STORE, "data"), State(ids.SESSION, "data"))
    def show_runs(store, tab):
        runs = shown.every(library, tab, store)
        return [table_row(r) for r in runs], hidden_columns(runs)


def hidden_columns(runs: list[RunRecord]) -> list[str]:
    """The columns kept one click away: all but ``SHOWN``, and but those of a setting some run used
    (dropout, early stopping, a horizon, inputs beside the series)."""
    used = {"dropout": any(r.config.dropout > 0 for r in runs),
            "val": any(r.config.train.val_fraction > 0 for r in runs),
            "horizon": any(r.config.horizon > 1 for r in runs),
            "inputs_beside": any(r.config.inputs > 1 for r in runs)}
    return [key for key, _ in COLUMNS if key not in SHOWN and not used.get(key)]


def horizon_cell(run: RunRecord) -> str:
    """"k: model / recursive MSE at step k", naming the k-step model (direct, seq2seq; none if recursive only)."""
    h, method = run.horizon, run.config.horizon_method
    if h is None:
        return str(run.config.horizon)
    if method not in h.at_k:
        return f"{h.k}: recursive {h.at_k['recursive'].mse:.4f}"
    sampling = f" (sampling {run.config.scheduled_sampling:g})" if method == "seq2seq" else ""
    return f"{h.k}: {method}{sampling} {h.at_k[method].mse:.4f} / {h.at_k['recursive'].mse:.4f}"


def inputs_beside(config) -> str:
    """"calendar, temp": what a run read beside its series; "none" for the series alone."""
    names = (["calendar"] if config.calendar else []) + list(config.covariates)
    return ", ".join(names) or "none"
