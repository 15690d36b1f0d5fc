"""Predict, then observe: each lesson asks its question (``predict-<lesson>``) before Train, and after a run
the reveal (``predict-reveal``) puts the answer from that run's own numbers beside the student's, with a
paragraph on why. The questions and their answers are ``models.questions``; a prediction is kept with the
tab's runs on the server (``Shelf.put_prediction``), so the reveal compares the run with what the server
was told before, not with what the page claims afterwards."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html

from components.page import ids
from components.page.lessons import LESSONS, part
from components.page.views import shown
from components.page.views.saliency import windows_within
from components.server.services import Services
from models.questions import QUESTIONS, Evidence, valid
from models.saliency import mean_saliency

EVERY = " ".join(LESSONS)
PLACEHOLDER = "Your prediction..."


def question(lesson: str) -> html.Div:
    q = QUESTIONS[lesson]
    options = [{"label": label, "value": value} for value, label in q.choices.items()]
    return part(lesson, html.Div(
        [html.Label([html.Span("Predict first: ", className="fw-semibold"), q.text], htmlFor=ids.predict(lesson),
                    className="me-2 mb-0"),
         dbc.Select(id=ids.predict(lesson), options=options, placeholder=PLACEHOLDER, size="sm", className="w-auto")],
        className="d-flex flex-wrap align-items-center gap-1 small mb-0 predict"))


def layout() -> html.Div:
    return html.Div([question(lesson) for lesson in LESSONS]
                    + [part(EVERY, html.Div(id=ids.PREDICT_REVEAL, className="small mt-1 mb-0 predict-reveal",
                                            role="status", **{"aria-live": "polite"}))])


def evidence(page, run, runs) -> Evidence:
    """What an answer may read of ``run``, the model's insides computed only when a question asks."""
    def gates():
        with page.model(run, None) as model:
            return model.gate_activations(0)

    def saliency():
        with page.model(run, None) as model:
            mean = page.remember(run, None, ("saliency-mean",),
                                 lambda: mean_saliency(model.model_, model.prep_, windows_within(run.config)),
                                 lambda a: a.nbytes + 1024)
        return mean[:, 0]

    return Evidence(run, tuple(runs), gates, saliency)


def reveal(lesson: str, said: Any, ev: Evidence | None) -> list:
    """The reveal's children: the prediction, the run's answer and the figures behind it, and why."""
    q = QUESTIONS[lesson]
    answer = q.answer(ev)
    if answer is None:
        return []
    mine = q.choices.get(said) if isinstance(said, str) else None
    head: list = [html.Span("You predicted: ", className="fw-semibold"),
                  mine or "nothing yet"]
    if answer.choice is None:
        return [html.Div([*head, " ", html.Span(answer.figures, className="text-muted")])]
    right = mine is not None and said == answer.choice
    head += [html.Span(" · This run: ", className="fw-semibold"), q.choices[answer.choice]]
    if mine:
        head.append(html.Span("right" if right else "not this time",
                              className=f"badge ms-1 {'text-bg-success' if right else 'text-bg-secondary'}"))
    head.append(".")
    return [html.Div([*head, " ", answer.figures, " ",
                      html.Details([html.Summary("Why?"), answer.why], className="predict-why")])]


def register(app: Dash, services: Services) -> None:
    library, shelf = services.library, services.shelf

    @app.callback(Output(ids.PREDICT_REVEAL, "children"),
                  [Input(ids.predict(lesson), "value") for lesson in LESSONS],
                  Input(ids.LESSON, "value"), *shown.inputs(shown.CURRENT), *shown.TAB)
    def show(*args):
        said = dict(zip(LESSONS, args[:len(LESSONS)]))
        lesson, current_id, store, tab = args[len(LESSONS):]
        page = library.page(tab, store)
        changed = str(ctx.triggered_id or "")
        kept: dict = {}
        if page.tab:
            asked = changed[len("predict-"):] if changed.startswith("predict-") else ""
            kept = (shelf.put_prediction(page.tab, asked, said[asked]) if valid(asked, said.get(asked))
                    else shelf.predictions(page.tab))
        if lesson not in QUESTIONS:
            return []
        run = page.find(current_id)
        return reveal(lesson, kept.get(lesson), None if run is None else evidence(page, run, page.all()))
