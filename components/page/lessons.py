"""The page as a short sequence of lessons: each shows only the settings and views it is about.

Every field and view is on the page once, in one place, and carries the lessons it
belongs to (``part``: a ``data-lessons`` attribute). The switcher (``lesson``) sets a
class on the page's root in the browser, and the stylesheet hides every part that is
not of the chosen lesson: no round trip, and the form keeps one state across lessons,
because nothing is rebuilt. "Everything on one page" (``all-settings``) shows every
part, as one long page, for those who want it.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, html

from components.page import glossary, ids
from components.server.services import Services


@dataclass(frozen=True)
class Lesson:
    label: str
    intro: str


LESSONS: dict[str, Lesson] = {
    "basics": Lesson("1 Train and watch",
                     "Choose a series and a model, press Train, and watch the loss fall and the forecast of the "
                     "[[test part]] form, each from a [[window]] of past values."),
    "inside": Lesson("2 Inside the cell",
                     "A heatmap per [[gate]], for one [[gate window]], a row per unit ([[model units]]), with the "
                     "[[cell state]] and [[hidden state]]: replay to watch them form."),
    "why-gates": Lesson("3 Why gates",
                        "Train a plain RNN, then an LSTM: whose [[rollout]] keeps the series' rhythm, "
                        "and how much gradient ([[gradient norm]]) reaches the window's start through each step's "
                        "[[Jacobian]]?"),
    "ahead": Lesson("4 Steps ahead",
                    "Fed its own forecasts, a model drifts (its rollout): compare direct, seq2seq and dropout's "
                    "bands."),
    "data": Lesson("5 Real data",
                   "Bundled data sets or your own CSV (it stays in this page): settings proposed from the data, "
                   "seasonal inputs (seasonal differences, the ES hybrid), and AutoETS, AutoARIMA and AutoTheta "
                   "beside every result, with [[MASE]] to compare across series."),
    "compare": Lesson("6 Compare runs",
                      "Every run of this page: tick runs to overlay them, sweep seeds or windows, download."),
    "looks": Lesson("7 What if",
                    "Edit a test window and watch the forecast answer; which past values does it read, "
                    "and are they the lags the statistics point at?"),
    "trust": Lesson("8 Trust",
                    "Several seeds, a calibrated band, several origins, settings searched on the train part: does "
                    "a result hold, and beat [[persistence]] and the statistical models?"),
}
DEFAULT = "basics"
ALL = "all"  # the page's class while "Everything on one page" is on


def part(lessons: str, children, **kwargs) -> html.Div:
    """``children`` in a block shown in the lessons named (space-separated) and on the whole page."""
    unknown = set(lessons.split()) - set(LESSONS)
    if unknown:
        raise ValueError(f"no lesson {sorted(unknown)}")
    return html.Div(children, **{"data-lessons": lessons}, **kwargs)


def all_only(children, **kwargs) -> html.Div:
    """``children`` shown only on the whole page (section headings of the long form)."""
    return html.Div(children, className=f"gl-all-only {kwargs.pop('className', '')}".strip(), **kwargs)


def switcher() -> html.Div:
    """The lesson buttons (a radio group: one lesson at a time, arrow keys move between them) and
    the switch for the whole page."""
    return html.Div(
        [
            dbc.RadioItems(id=ids.LESSON, value=DEFAULT, inline=True, className="btn-group flex-wrap lesson-bar",
                           inputClassName="btn-check", labelClassName="btn btn-sm btn-outline-primary",
                           labelCheckedClassName="active",
                           options=[{"label": lesson.label, "value": key, "label_id": f"lesson-{key}",
                                     "input_id": f"lesson-input-{key}"} for key, lesson in LESSONS.items()]),
            dbc.Switch(id=ids.ALL_SETTINGS, label="Everything on one page", value=False,
                       className="ms-3 mb-0 small text-nowrap"),
        ],
        className="d-flex flex-wrap align-items-center gap-1",
        role="navigation", **{"aria-label": "Lessons"},
    )


def intros() -> html.Div:
    """A line at the top of each lesson on what it is about."""
    return html.Div([part(key, html.P(glossary.marked(lesson.intro), className="small mb-2 lesson-intro"))
                     for key, lesson in LESSONS.items()] + [glossary.definitions()])




def page_class(lesson: str = DEFAULT) -> str:
    return f"gl-page gl-on-{lesson}"


def register(app: Dash, services: Services) -> None:
    app.clientside_callback(ClientsideFunction("gatelab", "showLesson"), Output(ids.PAGE, "className"), Input(ids.LESSON, "value"),
                            Input(ids.ALL_SETTINGS, "value"))
