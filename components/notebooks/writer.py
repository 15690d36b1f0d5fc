"""A run as a Jupyter notebook a student can change and run again (``download-notebook``,
``gatelab notebook RUN.json``).

    text = notebook_text(record)          # an .ipynb (nbformat 4.5), as JSON text

The notebook trains the run again with Gatelab's own Python API, so it reproduces
the run's numbers: its settings, one line each, parsed as the page parses its form
(``models.knobs.parse_values``); its series (a data set and the synthetic series by
their settings, a CSV file's data written into the notebook); the training
(``models.ensemble.run_ensemble``, an ensemble of one being the plain run); the test
errors against the baselines; and Plotly charts of the loss and the forecasts. A
markdown cell before each step says what it does.

The file is written here as plain JSON, so the server needs no Jupyter package;
the tests check it with ``nbformat`` and execute it with ``nbclient``.
"""

from __future__ import annotations

import json
from typing import Iterable

from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from models.knobs import KNOBS
from models.run import RunRecord

PER_LINE = 8  # numbers per line where a file's data is written into the notebook
VALUE = "(the series)"  # the value column's name in the notebook: no covariate can be named so


def settings_lines(record: RunRecord) -> list[str]:
    """``"key": value,  # label`` for every setting, as ``parse_values`` reads it back exactly: floats
    in their shortest exact form, lists as text, switches as booleans."""
    config = record.config
    lines = []
    for knob in KNOBS:
        value = knob.value_in(config)
        if knob.key == "epochs" and _stopped_early(record):
            value = record.epochs_done
        if knob.key == "ensemble" and record.members:
            value = len(record.members)
        if knob.kind == "list":
            value = ", ".join(repr(float(v)) for v in value)
        elif knob.kind == "names":
            value = ",".join(value)
        elif knob.kind == "switch":
            value = bool(value)
        lines.append(f"    {json.dumps(knob.key)}: {_literal(value)},  # {knob.label}")
    return lines


def _literal(value) -> str:
    """Python source for a setting's value: a string quoted and escaped, a number in its exact form."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _stopped_early(record: RunRecord) -> bool:
    """A run cut short by its person or its server (not by early stopping): the notebook trains as many
    epochs as it finished."""
    return bool(record.stopped) and not record.members and not record.stopped.startswith("early stop")


def _array(items: Iterable[str], head: str = "np.array([", tail: str = "])") -> str:
    items = list(items)
    rows = [", ".join(items[i:i + PER_LINE]) for i in range(0, len(items), PER_LINE)]
    return head + "\n" + "".join(f"    {r},\n" for r in rows) + tail


def _numbers(values: Iterable[float]) -> str:
    return _array(repr(float(v)) for v in values)


def _file_covariates(record: RunRecord) -> list:
    """The uploaded file's covariate columns the run read (calendar features are made, not read)."""
    return [c for c in record.covariates if c.name in record.config.covariates]


def data_source(record: RunRecord) -> tuple[str, str]:
    """(markdown, code) of the step that gives the series."""
    config = record.config
    if config.dataset == UPLOAD:
        kept = _file_covariates(record)
        times = _array((json.dumps(t) for t in record.times), "[", "]") if record.times else "None"
        code = "\n".join([
            "# The file's part the run read, as Gatelab read it (missing cells already handled).",
            "values = " + _numbers(record.series),
            "times = " + times,
            "columns = {}  # the covariate columns the settings name",
            *[f"columns[{json.dumps(c.name)}] = " + _numbers(c.values) for c in kept],
            f"data = Uploaded(series=values, times=times, columns=columns, name={json.dumps(record.source)})",
            "series = data.series",
        ])
        words = (f"The run trained on an uploaded file, **{record.source or 'a CSV file'}**. Its "
                 f"{len(record.series)} values are written out below, so this notebook needs no other file. To "
                 "read a file of your own instead, use `data.upload.read_csv(open(PATH, 'rb').read(), PATH)` and "
                 "its `uploaded(column, missing, time_column, covariates)`, as `gatelab train --csv` does.")
        return words, code
    if config.dataset == SYNTHETIC:
        words = ("The series is Gatelab's synthetic one: seasonal waves plus noise, made from the `series-...` "
                 "settings above. The same settings make the same series, point for point.")
    else:
        d = DATASETS[config.dataset]
        words = f"The series is the bundled data set **{d.title}** ({d.length} points, {d.unit}). {d.note}"
    return words, "data = None  # run_ensemble makes the series from the settings\nseries = series_of(config)"


def _cells(record: RunRecord) -> list[tuple[str, str]]:
    c = record.config
    words, data_code = data_source(record)
    stop_note, cut = "", _stopped_early(record)
    if cut:
        stop_note = (f"\n\nThe run ended early ({record.stopped}), so `epochs` is set to the "
                     f"{record.epochs_done} it finished.")
    if record.members and len(record.members) < c.ensemble:
        stop_note = f"\n\nThe run kept {len(record.members)} members ({record.stopped})."
    epochs = record.epochs_done if cut else c.train.epochs
    file_columns = tuple(k.name for k in _file_covariates(record)) + (VALUE,)  # for an upload's rules
    return [
        ("markdown", f"# {record.label} on {'the synthetic series' if c.dataset == SYNTHETIC else record.data_name}"
                     "\n\n"
                     "This notebook trains Gatelab's run again, step by step, with Gatelab's own Python API. "
                     "Run all cells: the last one compares the test error with the run's own. Then "
                     "change one setting and run all again.\n\n"
                     "It needs Gatelab installed in the notebook's Python (`pip install gatelab-*.whl`, or a "
                     "checkout's `make install`)."),
        ("code", "import numpy as np\nimport pandas as pd\nimport plotly.graph_objects as go\n\n"
                 "from models.wording import BASELINE_NAMES\nfrom models.verdict import verdict\n"
                 "from data.upload import Uploaded\n"
                 "from data.windows import split_index\nfrom models.ensemble import run_ensemble\n"
                 "from models.knobs import parse_values, series_of\nfrom models.threads import limit_threads\n\n"
                 "limit_threads(1)  # one thread, as a Gatelab job: the same sums in the same order"),
        ("markdown", "## The settings\n\nEvery setting of the run, one per line, with its name on the page. "
                     "`parse_values` checks them as the page's form does and names any that is out of range."
                     + stop_note),
        ("code", "settings = {\n" + "\n".join(settings_lines(record)) + "\n}\n"
                 + (f"length, file_columns = {len(record.series)}, {file_columns!r}  # the file's\n"
                    if c.dataset == UPLOAD else "length, file_columns = None, None  # a CSV file's, for its rules\n")
                 + "config, problems = parse_values(settings, name=lambda knob: knob.key, length=length, "
                   "columns=file_columns" + (f", value_column={VALUE!r}" if c.dataset == UPLOAD else "") + ")\n"
                 "if problems:\n    raise ValueError('; '.join(problems.values()))\nconfig.model_name"),
        ("markdown", "## The series\n\n" + words + " The dashed line is where the test part begins: the "
                     "model never trains on what lies right of it."),
        ("code", data_code + "\n\n"
                 "split = split_index(len(series), config.train_fraction)\n"
                 "fig = go.Figure(go.Scatter(y=series, name='series', line=dict(width=1)))\n"
                 "fig.add_vline(x=split, line_dash='dash')\n"
                 "fig.update_layout(height=300, margin=dict(t=30), title=f'{len(series)} points, test from {split}')\n"
                 "fig.show()"),
        ("markdown", "## Training\n\n"
                     f"`run_ensemble` trains the model: {epochs} epochs of mini-batches, {c.dtype} "
                     f"weights, the `{c.backend}` backend. With `ensemble` above 1 it trains that many training "
                     "seeds and averages their forecasts (each member prints its epochs in turn); with 1 it is "
                     "the plain run. The same seed gives the same initial weights and batch order, so the same "
                     "numbers as the run this notebook was made from."),
        ("code", "def on_epoch_end(log):\n"
                 "    if log.epoch == 1 or log.epoch % 10 == 0 or log.epoch == config.train.epochs:\n"
                 "        print(f'epoch {log.epoch}: train loss {log.train_loss:.5f}, test loss {log.test_loss:.5f}')"
                 "\n\nmembers, record = run_ensemble(config, series=data, on_epoch_end=on_epoch_end)"),
        ("markdown", "## The loss\n\nThe mean squared error of each epoch, in the model's scaled units: on the "
                     "train part, which the model learns from, and on the test part, which it never sees."),
        ("code", "h = record.history\nfig = go.Figure()\n"
                 "for name, values in (('train', h.train_loss), ('test', h.test_loss), ('validation', h.val_loss)):\n"
                 "    if values:\n"
                 "        fig.add_scatter(x=list(range(1, len(values) + 1)), y=values, name=name)\n"
                 "fig.update_layout(height=300, margin=dict(t=30), xaxis_title='epoch', yaxis_title='MSE', "
                 "yaxis_type='log')\nfig.show()"),
        ("markdown", "## Against the baselines\n\nThe one-step test errors in the series' own units, beside "
                     "simple forecasts that need no training and the statistical models a forecaster fits first "
                     "(statsforecast's AutoETS, AutoARIMA and AutoTheta, fitted on the train part). A model earns "
                     "its place only where it beats them. The last line says who won."),
        ("code", "rows = {'model': record.metrics, **{BASELINE_NAMES.get(k, k): s for k, s in record.baselines.items()}}\n"
                 "for k, note in record.baseline_notes.items():\n"
                 "    print(f'{BASELINE_NAMES.get(k, k)}: {note}')\n"
                 "print(verdict(record))\n"
                 "pd.DataFrame({name: s.as_dict() for name, s in rows.items()}).T"),
        ("markdown", "## The forecasts\n\nThe truth on the test part, the one-step forecasts (each from the true "
                     "window before it) and the rollout (the model fed its own forecasts from the end of the train "
                     "part)." + (" The band is the prediction interval." if c.interval else "")),
        ("code", "f, r = record.forecast, record.rollout\nfig = go.Figure()\n"
                 "fig.add_scatter(x=list(f.index), y=list(f.truth), name='truth', line=dict(color='black', width=1))\n"
                 "fig.add_scatter(x=list(f.index), y=list(f.pred), name='one-step forecast')\n"
                 "fig.add_scatter(x=list(r.index), y=list(r.pred), name='rollout', line=dict(dash='dot'))\n"
                 "if record.intervals is not None:\n"
                 "    iv = record.intervals\n"
                 "    fig.add_scatter(x=list(f.index) + list(f.index)[::-1], y=list(iv.forecast_high) + "
                 "list(iv.forecast_low)[::-1],\n"
                 "                    fill='toself', line=dict(width=0), opacity=0.3,\n"
                 "                    name=f'{iv.level:.0%} interval')\n"
                 "fig.update_layout(height=350, margin=dict(t=30), xaxis_title='time step')\nfig.show()"),
        ("markdown", "## The same run?\n\nThe test error of the run this notebook was made from (as the page "
                     "or `gatelab train` showed it), and this notebook's. With the settings unchanged they agree "
                     "to the last digits; after a change, the difference is what the change did."),
        ("code", f"RUN_TEST_MSE = {record.metrics.mse!r}\n"
                 "print(f'test MSE here {record.metrics.mse!r}, in the run record {RUN_TEST_MSE!r}, '\n"
                 "      f'relative difference {abs(record.metrics.mse - RUN_TEST_MSE) / RUN_TEST_MSE:.2g}')"),
        ("markdown", "## Try this\n\n- `\"cell\": \"gru\"`, or `\"rnn\"`: does the plain RNN do as well?\n"
                     "- `\"hidden-size\"`: half or double it.\n- `\"seed\"`: another training seed; how far does "
                     "the test error move?\n- `\"ensemble\": 5`: average five seeds.\n"
                     "- `\"seq-len\"`: a shorter or longer window of past values."),
    ]


def notebook_json(record: RunRecord) -> dict:
    """The notebook, as the dict nbformat 4.5 describes."""
    cells = []
    for i, (kind, text) in enumerate(_cells(record)):
        cell = {"cell_type": kind, "id": f"gatelab-{i}", "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell |= {"execution_count": None, "outputs": []}
        cells.append(cell)
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"},
                         "gatelab": {"run": record.label, "test_mse": record.metrics.mse}}}


def notebook_text(record: RunRecord) -> str:
    return json.dumps(notebook_json(record), indent=1) + "\n"
