"""The experiment form: fields, their validation, and the live series preview.

``parse_form`` turns the raw field values into an ``ExperimentConfig`` or into one
message per bad field, each naming the allowed range. The page shows those
messages beside the fields as the person types; the Train callback runs the
same function again on the server, so bad input never reaches a job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from components.figures import make_series_figure
from components.settings import SETTINGS
from data.synthetic import SeriesConfig, make_series
from data.windows import max_seq_len, split_index
from models.experiment import ExperimentConfig
from models.train import TrainConfig

TRAIN_FRACTION = 0.7
REFERENCE = SeriesConfig()


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: type  # int or float
    low: float
    high: float
    default: Any
    step: Any = "any"
    help: str = ""

    def range_text(self) -> str:
        if self.kind is int:
            return f"a whole number from {int(self.low)} to {int(self.high)}"
        return f"a number from {self.low:g} to {self.high:g}"


SERIES_FIELDS = [
    Field("series-length", "Length n", int, 50, SETTINGS.max_length, REFERENCE.length, 1),
    Field("series-noise", "Noise σ", float, 0.0, 10.0, REFERENCE.noise, help="standard deviation of the noise"),
    Field("series-trend", "Trend per step", float, -1.0, 1.0, REFERENCE.trend),
    Field("series-seed", "Series seed", int, 0, 999_999, REFERENCE.seed, 1),
]
MODEL_FIELDS = [
    Field("seq-len", "Window length L", int, 1, max_seq_len(SETTINGS.max_length, TRAIN_FRACTION), 60, 1,
          help="values the model reads to predict the next; at most 70 % of n, less 2"),
    Field("hidden-size", "Hidden size H", int, 1, SETTINGS.max_hidden, 32, 1),
    Field("epochs", "Epochs", int, 1, SETTINGS.max_epochs, TrainConfig().epochs, 1),
    Field("learning-rate", "Learning rate", float, 1e-5, 1.0, TrainConfig().learning_rate),
    Field("batch-size", "Batch size", int, 1, 1024, 64, 1),
    Field("clip-norm", "Clip gradient norm at", float, 0.0, 100.0, 1.0, help="0 turns clipping off"),
    Field("seed", "Training seed", int, 0, 999_999, 0, 1, help="initial weights and batch order"),
]
NUMBER_FIELDS = SERIES_FIELDS + MODEL_FIELDS
LIST_FIELDS = {
    "series-periods": ("Seasonal periods", ", ".join(f"{c.period:g}" for c in REFERENCE.components)),
    "series-amplitudes": ("Amplitudes", ", ".join(f"{c.amplitude:g}" for c in REFERENCE.components)),
}
FIELD_IDS = [f.id for f in SERIES_FIELDS] + list(LIST_FIELDS) + [f.id for f in MODEL_FIELDS]
CHOICES = {
    "backend": [("NumPy", "numpy"), ("PyTorch", "torch")],
    "cell": [("LSTM", "lstm"), ("GRU", "gru")],
    "transform": [("detrended", "detrend"), ("differences (predict the change)", "diff"), ("levels (plain)", "none")],
}


def _number(field: Field, raw: Any) -> tuple[Any, str | None]:
    bad = f"{field.label} must be {field.range_text()}"
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, f"{bad}; it is empty"
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None, f"{bad}, got {raw!r}"
    if not math.isfinite(value) or (field.kind is int and not value.is_integer()):
        return None, f"{bad}, got {raw!r}"
    if not field.low <= value <= field.high:
        return None, f"{bad}, got {value:g}"
    return (int(value) if field.kind is int else value), None


def _number_list(label: str, raw: Any, positive: bool) -> tuple[list[float] | None, str | None]:
    text = "" if raw is None else str(raw)
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    rule = "numbers > 0" if positive else "numbers"
    if not parts:
        return None, f"{label} must be a list of {rule} separated by commas, such as 50, 17; it is empty"
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            return None, f"{label} must be a list of {rule} separated by commas, such as 50, 17; {p.strip()!r} is not a number"
        if not math.isfinite(v) or (positive and v <= 0) or abs(v) > 1e5:
            limit = "> 0 and at most 100000" if positive else "between -100000 and 100000"
            return None, f"each of the {label.lower()} must be {limit}, got {v:g}"
        values.append(v)
    if len(values) > 8:
        return None, f"{label} may hold at most 8 values, got {len(values)}"
    return values, None


def parse_form(values: dict[str, Any], backend: str = "numpy", cell: str = "lstm",
               transform: str = "detrend") -> tuple[ExperimentConfig | None, dict[str, str]]:
    """The config these field values describe, or a message for each bad field (by field id)."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for f in NUMBER_FIELDS:
        parsed[f.id], err = _number(f, values.get(f.id))
        if err:
            errors[f.id] = err
    periods, err = _number_list("Seasonal periods", values.get("series-periods"), positive=True)
    if err:
        errors["series-periods"] = err
    amplitudes, err = _number_list("Amplitudes", values.get("series-amplitudes"), positive=False)
    if err:
        errors["series-amplitudes"] = err
    elif periods and len(amplitudes) != len(periods):
        errors["series-amplitudes"] = f"Amplitudes need one value per period ({len(periods)}), got {len(amplitudes)}"
    length, seq_len = parsed.get("series-length"), parsed.get("seq-len")
    if length is not None and seq_len is not None and "seq-len" not in errors:
        longest = max_seq_len(length, TRAIN_FRACTION)
        if seq_len > longest:
            errors["seq-len"] = (f"Window length L must be at most {longest} for a series of {length} points "
                                 f"({split_index(length, TRAIN_FRACTION)} of them train), got {seq_len}")
    if errors:
        return None, errors
    phases = [c.phase for c in REFERENCE.components][: len(periods)] + [0.0] * max(0, len(periods) - 2)
    clip = parsed["clip-norm"] or None
    try:
        series = SeriesConfig.from_lists(periods, amplitudes, phases, length=parsed["series-length"],
                                         trend=parsed["series-trend"], noise=parsed["series-noise"],
                                         seed=parsed["series-seed"])
        train = TrainConfig(parsed["epochs"], parsed["learning-rate"], parsed["batch-size"], clip, parsed["seed"])
        config = ExperimentConfig(series=series, seq_len=parsed["seq-len"], train_fraction=TRAIN_FRACTION,
                                  transform=transform, backend=backend, cell=cell,
                                  hidden_size=parsed["hidden-size"], train=train)
    except ValueError as e:  # anything the field checks above did not foresee
        return None, {"form": str(e)}
    return config, {}


def _number_input(f: Field) -> html.Div:
    return html.Div(
        [
            dbc.Label(f.label, html_for=f.id, className="mb-0 small"),
            dbc.Input(id=f.id, type="number", value=f.default, step=f.step, size="sm", debounce=False),
            dbc.FormFeedback(id=f"{f.id}-feedback", type="invalid"),
            dbc.FormText(f"{f.help + '; ' if f.help else ''}{f.range_text()}", className="d-block small"),
        ],
        className="mb-2",
    )


def _list_input(field_id: str) -> html.Div:
    label, default = LIST_FIELDS[field_id]
    return html.Div(
        [
            dbc.Label(label, html_for=field_id, className="mb-0 small"),
            dbc.Input(id=field_id, type="text", value=default, size="sm"),
            dbc.FormFeedback(id=f"{field_id}-feedback", type="invalid"),
            dbc.FormText("comma-separated, e.g. 50, 17", className="d-block small"),
        ],
        className="mb-2",
    )


def _radio(field_id: str, label: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(label, className="mb-0 small d-block"),
            dbc.RadioItems(id=field_id, options=[{"label": a, "value": b} for a, b in CHOICES[field_id]],
                           value=CHOICES[field_id][0][1], inline=True),
        ],
        className="mb-2",
    )


def layout() -> html.Div:
    by_id = {f.id: f for f in NUMBER_FIELDS}
    return html.Div(
        [
            html.H6("Series", className="mt-1"),
            _list_input("series-periods"),
            _list_input("series-amplitudes"),
            *[_number_input(by_id[i]) for i in ("series-noise", "series-trend", "series-length", "series-seed")],
            html.H6("Model", className="mt-3"),
            _radio("backend", "Backend"),
            _radio("cell", "Cell"),
            _radio("transform", "Inputs"),
            *[_number_input(by_id[i]) for i in ("seq-len", "hidden-size")],
            html.H6("Training", className="mt-3"),
            *[_number_input(by_id[i]) for i in ("epochs", "learning-rate", "batch-size", "clip-norm", "seed")],
        ]
    )


def preview_layout() -> dcc.Graph:
    return dcc.Graph(id="series-preview", config={"displayModeBar": False},
                     figure=make_series_figure(make_series(REFERENCE), split_index(REFERENCE.length, TRAIN_FRACTION)))


def form_values(*raw: Any) -> dict[str, Any]:
    return dict(zip(FIELD_IDS, raw))


FIELD_INPUTS = [Input(i, "value") for i in FIELD_IDS]


@callback(
    [Output(i, "invalid") for i in FIELD_IDS] + [Output(f"{i}-feedback", "children") for i in FIELD_IDS],
    FIELD_INPUTS,
)
def show_field_errors(*raw: Any) -> list:
    _, errors = parse_form(form_values(*raw))
    return [i in errors for i in FIELD_IDS] + [errors.get(i, "") for i in FIELD_IDS]


@callback(Output("series-preview", "figure"), FIELD_INPUTS, prevent_initial_call=True)
def update_preview(*raw: Any):
    """The series as typed; model fields play no part, so their errors do not stop the preview."""
    neutral = {f.id: f.default for f in MODEL_FIELDS} | {"seq-len": 1}
    config, _ = parse_form(form_values(*raw) | neutral)
    if config is None:
        return no_update
    return make_series_figure(make_series(config.series), split_index(config.series.length, TRAIN_FRACTION))
