"""Files of a finished run, and of the whole runs table, for a person to keep.

- ``download-weights``: the current run's weights as ``.npz`` with PyTorch's state_dict
  keys, so ``net.load_state_dict`` takes them as they are (README, "For teachers").
- ``download-forecasts``: its forecasts as CSV: per step the truth, the one-step
  forecast and the rollout, and what a network needs to reproduce them (the input
  it reads, and the offset and gain that turn its output into original units).
- ``download-run``: its whole run record as JSON (``models.run``); ``upload-run``
  (in ``components.page.views.runs_table``) shows it again without training.
  The upload control is laid out here, beside the downloads.
- ``download-notebook``: a Jupyter notebook that trains the run again, step by step, with
  Gatelab's Python API (``components.notebooks.writer``).
- ``download-runs``: every run of the table as one CSV row: settings, metrics, baselines.

Every CSV goes out through ``csv_text``: a text cell (or column name) that a
spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage
return) gets a leading apostrophe, as OWASP advises for CSV injection; numbers stay
numbers. A covariate column of a person's file can be named anything.
"""

from __future__ import annotations

import io
import json

import dash_bootstrap_components as dbc
import numpy as np
from dash import Dash, Input, State, dcc, html, no_update
from dash import Output

from components.page import ids
from components.page.views import shown
from components.server.services import Services
from components.notebooks.writer import notebook_text
from components.page.views.runs_table import table_row
from models.run import RunRecord, restore


def layout() -> html.Div:
    button = dict(color="secondary", outline=True, size="sm", className="me-1 mb-1")
    return html.Div(
        [
            html.Span("Current run: ", className="small me-1"),
            dbc.Button("weights (.npz)", id=ids.DOWNLOAD_WEIGHTS_BUTTON, **button),
            dbc.Button("forecasts (.csv)", id=ids.DOWNLOAD_FORECASTS_BUTTON, **button),
            dbc.Button("run record (.json)", id=ids.DOWNLOAD_RUN_BUTTON, **button),
            dbc.Button("notebook (.ipynb)", id=ids.DOWNLOAD_NOTEBOOK_BUTTON, **button),
            html.Span(" All runs: ", className="small ms-2 me-1"),
            dbc.Button("table (.csv)", id=ids.DOWNLOAD_RUNS_BUTTON, **button),
            dcc.Upload(dbc.Button("show a run record again (.json)", **button), id=ids.UPLOAD_RUN,
                       className="d-inline-block", accept=".json,application/json"),
            dcc.Download(id=ids.DOWNLOAD_WEIGHTS),
            dcc.Download(id=ids.DOWNLOAD_FORECASTS),
            dcc.Download(id=ids.DOWNLOAD_RUN),
            dcc.Download(id=ids.DOWNLOAD_RUNS),
            dcc.Download(id=ids.DOWNLOAD_NOTEBOOK),
        ],
        className="mb-1",
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text that a spreadsheet would run as a formula, made inert; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(frame) -> str:
    """``frame`` as CSV, with every text cell and column name through ``safe_cell``."""
    import pandas as pd

    frame = frame.rename(columns=lambda c: safe_cell(str(c)))
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(safe_cell)
    return frame.to_csv(index=False)


def file_stem(run: RunRecord) -> str:
    return f"gatelab-run{run.number}-{run.config.backend}-{run.config.cell}"


def weights_npz(run: RunRecord) -> bytes:
    """PyTorch's state_dict keys; an ensemble's members each under ``member{i}.`` (seed i of the list)."""
    buffer = io.BytesIO()
    if run.members:
        arrays = {f"member{i}.{k}": np.asarray(v) for i, m in enumerate(run.members) for k, v in m.weights.items()}
        arrays["member_seeds"] = np.array([m.seed for m in run.members])
    else:
        arrays = {k: np.asarray(v) for k, v in run.weights.items()}
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def forecasts_frame(run: RunRecord):
    """One row per step from the first test window's first input to the rollout's end; a series with
    years or dates has them in a second column (past the data, at its spacing)."""
    import pandas as pd

    model = restore(run)
    prep = model.prep_
    n, first = len(run.series), run.forecast.index[0] - run.config.seq_len
    steps = np.arange(first, max(n, run.rollout.index[-1] + 1))
    frame = pd.DataFrame({"step": steps})
    axis = run.axis
    if not axis.is_steps:
        frame[axis.title] = axis.xs(steps)
    frame["truth"] = [run.series[t] if t < n else None for t in steps]
    frame["input"] = [float(prep.inputs[t]) if t < n else None for t in steps]
    for c, name in enumerate(prep.feature_names):  # covariates as the window row of step t reads them
        rows = prep.features.shape[0]
        frame[f"input {name}"] = [float(prep.features[t, c]) if t < rows else None for t in steps]
    one_step = dict(zip(run.forecast.index, run.forecast.pred))
    frame["one_step"] = [one_step.get(t) for t in steps]
    ref = dict(zip(prep.test.target_index.tolist(), prep.test.ref[:, 0].tolist()))
    sc = prep.scaler  # original = power⁻¹(offset + gain × output); the power is none unless set
    frame["offset"] = [sc.mean + sc.std * ref[t] if t in ref else None for t in steps]
    frame["gain"] = sc.std * prep.target_scale
    rollout = dict(zip(run.rollout.index, run.rollout.pred))
    frame["rollout"] = [rollout.get(t) for t in steps]
    for i, m in enumerate(run.members):  # an ensemble's one-step forecast is the mean of these
        own = dict(zip(run.forecast.index, m.forecast))
        frame[f"one_step member {i} (seed {m.seed})"] = [own.get(t) for t in steps]
    iv = run.intervals
    if iv is not None:
        for name, index, values in (("one_step", run.forecast.index, (iv.forecast_low, iv.forecast_high)),
                                    ("rollout", run.rollout.index, (iv.rollout_low, iv.rollout_high))):
            for edge, v in zip(("low", "high"), values):
                at = dict(zip(index, v))
                frame[f"{name} {iv.level:.0%} {edge}"] = [at.get(t) for t in steps]
    return frame


def runs_frame(runs: list[RunRecord]):
    """The runs table as a frame, every column (newest first)."""
    import pandas as pd

    return pd.DataFrame([table_row(r) for r in runs])


def register(app: Dash, services: Services) -> None:
    library = services.library
    current = [*shown.inputs(shown.CURRENT, State), *shown.TAB]

    @app.callback(Output(ids.DOWNLOAD_WEIGHTS, "data"), Input(ids.DOWNLOAD_WEIGHTS_BUTTON, "n_clicks"), *current,
                  prevent_initial_call=True)
    def download_weights(_n, current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        return no_update if run is None else dcc.send_bytes(weights_npz(run), f"{file_stem(run)}.npz")

    @app.callback(Output(ids.DOWNLOAD_FORECASTS, "data"), Input(ids.DOWNLOAD_FORECASTS_BUTTON, "n_clicks"), *current,
                  prevent_initial_call=True)
    def download_forecasts(_n, current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        if run is None:
            return no_update
        return dcc.send_string(csv_text(forecasts_frame(run)), f"{file_stem(run)}-forecasts.csv")

    @app.callback(Output(ids.DOWNLOAD_RUN, "data"), Input(ids.DOWNLOAD_RUN_BUTTON, "n_clicks"), *current,
                  prevent_initial_call=True)
    def download_run(_n, current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        return no_update if run is None else dcc.send_string(json.dumps(run.to_json()), f"{file_stem(run)}.json")

    @app.callback(Output(ids.DOWNLOAD_NOTEBOOK, "data"), Input(ids.DOWNLOAD_NOTEBOOK_BUTTON, "n_clicks"), *current,
                  prevent_initial_call=True)
    def download_notebook(_n, current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        return no_update if run is None else dcc.send_string(notebook_text(run), f"{file_stem(run)}.ipynb")

    @app.callback(Output(ids.DOWNLOAD_RUNS, "data"), Input(ids.DOWNLOAD_RUNS_BUTTON, "n_clicks"),
                  *shown.TAB, prevent_initial_call=True)
    def download_runs(_n, store, tab):
        runs = shown.every(library, tab, store)
        if not runs:
            return no_update
        return dcc.send_string(csv_text(runs_frame(runs)), "gatelab-runs.csv")
