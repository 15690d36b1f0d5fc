"""The model line (``model-summary``): on every lesson, what Train will train, item by item. A lesson shows
only its own fields, so without it a setting made on another lesson (a cell, an ensemble) would train
unseen. Every item names the lesson that holds its field (its tooltip); an item whose field is not on the
lesson shown and differs from the page's default is a link that opens that lesson, so a setting carried
over is one click from its field, and a newcomer's lesson gains no controls."""

from __future__ import annotations

from dash import Dash, Input, Output, ctx, html, no_update

from components.page import ids
from components.page.form import FIELD_LESSONS
from components.page.lessons import LESSONS
from components.server.services import Services
from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from models.base import CELL_NAMES
from models.config import BACKEND_NAMES
from models.knobs import BY_KEY

# The fields it names, in the order it reads: what the model is fed, what it is, and how it is used.
FIELDS = ("dataset", "cell", "backend", "seq-len", "hidden-size", "horizon", "ensemble", "transform")
TRANSFORM_WORDS = {"none": "levels", "detrend": "detrended", "diff": "differences", "sdiff": "seasonal differences",
                   "es": "ES hybrid"}


def item_id(field: str) -> str:
    """The item's link (its plain words are ``item_id(field) + "-text"``)."""
    return f"{ids.MODEL_SUMMARY}-{field}"


def linked(values: dict, lesson: str, everything: bool) -> set[str]:
    """The fields shown as links: not on the lesson shown (nor is the whole page), and not at the default."""
    if everything:
        return set()
    out = set()
    for field in FIELDS:
        knob = BY_KEY[field]
        if lesson not in FIELD_LESSONS[field].split() and str(values.get(field)) != knob.as_text(knob.default):
            out.add(field)
    return out


def words(values: dict) -> dict[str, str]:
    """Each field's short words for the line, from the form's raw values (text as typed: a value that is not
    valid yet is shown as it stands, and the form says what is wrong with it)."""
    def shown(key: str) -> str:
        v = values.get(key)
        return "?" if v is None or str(v).strip() == "" else str(v).strip()

    dataset = values.get("dataset")
    data = ("synthetic series" if dataset == SYNTHETIC else "your CSV file" if dataset == UPLOAD
            else DATASETS[dataset].title.split(",")[0] if dataset in DATASETS else shown("dataset"))
    ensemble = shown("ensemble")
    return {
        "dataset": data,
        "cell": CELL_NAMES.get(values.get("cell"), shown("cell")),
        "backend": BACKEND_NAMES.get(values.get("backend"), shown("backend")),
        "seq-len": f"window L {shown('seq-len')}",
        "hidden-size": f"H {shown('hidden-size')}",
        "horizon": "one step ahead" if shown("horizon") == "1" else f"horizon k {shown('horizon')}",
        "ensemble": "one seed" if ensemble == "1" else f"ensemble of {ensemble} seeds",
        "transform": TRANSFORM_WORDS.get(values.get("transform"), shown("transform")),
    }


def home(field: str) -> str:
    """The lesson a field's link opens: the first that holds it."""
    return FIELD_LESSONS[field].split()[0]


def layout() -> html.Div:
    items: list = [html.Span("Train will train: ", className="text-muted")]
    for k, field in enumerate(FIELDS):
        where = f"set in lesson {LESSONS[home(field)].label}"
        items.append(html.Span(id=item_id(field) + "-text", title=where))
        items.append(html.Button("", id=item_id(field), hidden=True, type="button", title=f"{where}: open it",
                                 className="btn btn-link btn-sm p-0 align-baseline model-summary-link"))
        items.append(", " if k < len(FIELDS) - 1 else ".")
    return html.Div(items, id=ids.MODEL_SUMMARY, className="small mt-1 model-summary")


def register(app: Dash, services: Services) -> None:
    @app.callback([Output(item_id(f) + "-text", "children") for f in FIELDS]
                  + [Output(item_id(f), "children") for f in FIELDS]
                  + [Output(item_id(f) + "-text", "hidden") for f in FIELDS]
                  + [Output(item_id(f), "hidden") for f in FIELDS],
                  [Input(f, "value") for f in FIELDS], Input(ids.LESSON, "value"), Input(ids.ALL_SETTINGS, "value"))
    def show(*args):
        values = dict(zip(FIELDS, args[:len(FIELDS)]))
        said, links = words(values), linked(values, args[-2], bool(args[-1]))
        texts = [said[f] for f in FIELDS]
        return texts + texts + [f in links for f in FIELDS] + [f not in links for f in FIELDS]

    @app.callback(Output(ids.LESSON, "value", allow_duplicate=True),
                  Output(ids.ALL_SETTINGS, "value", allow_duplicate=True),
                  [Input(item_id(f), "n_clicks") for f in FIELDS], prevent_initial_call=True)
    def open_lesson(*_clicks):
        """An item's link: the lesson that holds its field, with "Everything on one page" off."""
        field = str(ctx.triggered_id or "")[len(ids.MODEL_SUMMARY) + 1:]
        if field not in FIELDS:
            return no_update, no_update
        return home(field), False
