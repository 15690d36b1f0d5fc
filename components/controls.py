"""The experiment form: fields generated from ``models.knobs``, their messages, and the
live series preview.

Number fields are text boxes (with a numeric keyboard on phones): a browser hands
an empty value for a number box whose text it cannot read, and the person would
be told "it is empty" about the "2.5" or "abc" they typed. Here the server reads
exactly what was typed and says what is wrong with it. The Train callback runs
the same ``form_config`` again on the server, so bad input never reaches a job.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html, no_update

from components import ids
from components.figures import make_series_figure
from components.settings import Settings
from data.synthetic import make_series
from data.windows import max_seq_len, split_index
from models.config import ExperimentConfig
from models.knobs import BY_KEY, PAGE_KNOBS, Knob, parse_values

FIELD_IDS = [k.key for k in PAGE_KNOBS]  # every control's id, in the order callbacks receive them
TEXT_IDS = [k.key for k in PAGE_KNOBS if k.kind != "choice"]
SECTIONS = {
    "Series": ("series-periods", "series-amplitudes", "series-phases", "series-noise", "series-trend",
               "series-length", "series-seed"),
    "Model": ("backend", "cell", "transform", "seq-len", "hidden-size", "dropout", "horizon"),
    "Training": ("epochs", "learning-rate", "batch-size", "clip-norm", "seed", "val-fraction", "patience"),
}
REFERENCE = ExperimentConfig()


def form_values(*raw: Any) -> dict[str, Any]:
    """Field values in ``FIELD_IDS`` order -> {knob key: value}."""
    return dict(zip(FIELD_IDS, raw))


def form_config(values: dict[str, Any], settings: Settings) -> tuple[ExperimentConfig | None, dict[str, str]]:
    """The config the form describes under this server's caps, or a message per bad field."""
    return parse_values(values, limits=settings.form_limits())


def seq_len_help(length: Any, settings: Settings) -> str:
    """The window's help follows the series length typed above it."""
    knob = BY_KEY["seq-len"]
    n, _ = BY_KEY["series-length"].parse(length, "", settings.max_length)
    high = max_seq_len(n, REFERENCE.train_fraction) if n else settings.form_limits()["seq-len"]
    where = f" for n = {n}" if n else ""
    return f"{knob.help}; {knob.range_text(high)}{where}"


def _help(knob: Knob, settings: Settings) -> str:
    if knob.key == "seq-len":
        return seq_len_help(REFERENCE.series.length, settings)
    if knob.kind == "list":
        return f"{knob.help}; comma-separated, such as {knob.example}"
    rng = knob.range_text(settings.form_limits().get(knob.key))
    return f"{knob.help}; {rng}" if knob.help else rng


def _text_input(knob: Knob, settings: Settings) -> html.Div:
    return html.Div(
        [
            dbc.Label(knob.label, html_for=knob.key, className="mb-0 small"),
            dbc.Input(id=knob.key, type="text", value=knob.as_text(knob.default), size="sm",
                      inputmode="text" if knob.kind == "list" else "decimal", autocomplete="off"),
            dbc.FormFeedback(id=ids.feedback(knob.key), type="invalid"),
            dbc.FormText(_help(knob, settings), id=ids.help_text(knob.key), className="d-block small"),
        ],
        className="mb-2",
    )


def _radio(knob: Knob) -> html.Div:
    return html.Div(
        [
            dbc.Label(knob.label, className="mb-0 small d-block"),
            dbc.RadioItems(id=knob.key, options=[{"label": label, "value": v} for v, label in knob.choices],
                           value=knob.default, inline=True),
        ],
        className="mb-2",
        title=knob.help or None,
    )


def layout(settings: Settings) -> html.Div:
    children: list = []
    for title, keys in SECTIONS.items():
        children.append(html.H6(title, className="mt-3" if children else "mt-1"))
        children += [_radio(BY_KEY[k]) if BY_KEY[k].kind == "choice" else _text_input(BY_KEY[k], settings)
                     for k in keys]
    return html.Div(children)


def preview_layout() -> dcc.Graph:
    s = REFERENCE.series
    return dcc.Graph(id=ids.SERIES_PREVIEW, config={"displayModeBar": False},
                     figure=make_series_figure(make_series(s), split_index(s.length, REFERENCE.train_fraction)))


def register(app: Dash, settings: Settings) -> None:
    inputs = [Input(i, "value") for i in FIELD_IDS]

    @app.callback(
        [Output(i, "invalid") for i in TEXT_IDS] + [Output(ids.feedback(i), "children") for i in TEXT_IDS]
        + [Output(ids.help_text("seq-len"), "children")],
        inputs,
    )
    def show_field_errors(*raw: Any) -> list:
        values = form_values(*raw)
        _, errors = form_config(values, settings)
        return ([i in errors for i in TEXT_IDS] + [errors.get(i, "") for i in TEXT_IDS]
                + [seq_len_help(values["series-length"], settings)])

    @app.callback(Output(ids.SERIES_PREVIEW, "figure"), inputs, prevent_initial_call=True)
    def update_preview(*raw: Any):
        """The series as typed; model fields play no part, so their errors do not stop the preview."""
        series_only = {k: v for k, v in form_values(*raw).items() if k.startswith("series-")}
        config, _ = form_config(series_only | {"seq-len": 1}, settings)
        if config is None:
            return no_update
        return make_series_figure(make_series(config.series),
                                  split_index(config.series.length, config.train_fraction))
