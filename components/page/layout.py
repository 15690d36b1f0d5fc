"""The page's layout: the bar at the top, the form at the left, and every card in the lessons it teaches
(``lessons.part``), in the order the long page shows them. A function, so that every page load gets a tab
id of its own."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, dcc, html

from components.page import cursor, form, ids, lessons, predict, summary, train_bar
from components.page.lessons import part
from components.page.views import (arithmetic, backtest, downloads, explain, gradflow, horizon, replay, results,
                                   runs_table,
                                   saliency, sweep, whatif)
from components.server.services import Services


def card(title: str, body, extra_class: str = "", **kwargs) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title, className="fw-semibold py-1"), dbc.CardBody(body, className="py-2")],
                    className=f"mb-2 shadow-sm {extra_class}".strip(), **kwargs)


def views() -> list:
    """The views, each in the lessons it teaches (``components.page.lessons``), in the order the long page
    shows them."""
    return [
        lessons.intros(),
        predict.layout(),
        part("data", card("Series", form.preview_layout())),
        dbc.Row(
            [
                dbc.Col(part("basics", card("Loss", train_bar.loss_layout())), xl=6, className="gl-col-loss"),
                dbc.Col(part("basics data trust", card("One-step forecasts on the test part", results.forecast_layout())),
                        xl=6, className="gl-col-forecast"),
            ],
            className="g-2",
        ),
        dbc.Row(
            [
                dbc.Col([part("basics ahead data compare trust", card("Results: test errors", results.metrics_layout())),
                         part("why-gates", card("Gradient flow through time", gradflow.layout()))], xl=6),
                dbc.Col([part("why-gates ahead", card("Rollout", results.rollout_layout())),
                         part("trust", card("Backtest: errors at several forecast origins", backtest.layout()))],
                        xl=6),
            ],
            className="g-2",
        ),
        part("inside", card("Inside the cell",
                            dbc.Row([dbc.Col([replay.layout(), results.gates_layout()], lg=8),
                                     dbc.Col([explain.equations_layout(), arithmetic.layout()], lg=4,
                                             className="equations-col")]),
                            extra_class="gl-inside-card")),
        part("looks", dbc.Row([dbc.Col(card("What if: edit the test window", whatif.layout()), xl=5),
                                dbc.Col(card("What the forecast looks at", saliency.layout()), xl=7)],
                               className="g-2")),
        part("why-gates", card("Why gates, and what to try", explain.layout())),
        part("ahead", card("Several steps ahead: direct or recursive", horizon.layout())),
        part("compare", card("Runs", [downloads.layout(), runs_table.layout()])),
        part("compare", card("Sweeps: seeds and window lengths", sweep.layout())),
    ]


def make_layout(services: Services):
    """The page; a function, so that every page load gets a session id of its own."""

    def layout() -> html.Div:
        return html.Div(
            dbc.Container(
                [
                    dcc.Store(id=ids.SESSION, data=services.signer.new_tab()),
                    dcc.Store(id=ids.TAB_WATCH),
                    cursor.layout(),
                    dcc.Interval(id=ids.HEARTBEAT, interval=5000),
                    html.Header(
                        [
                            html.Div(
                                [
                                    html.H1("Gatelab", className="h4 mb-0 me-3"),
                                    html.Span("Watch LSTM and GRU forecasters learn, in NumPy and in PyTorch.",
                                              className="text-muted small me-3 d-none d-xxl-inline"),
                                    lessons.switcher(),
                                    # on the first lesson, where the page opens: the guide covers every lesson
                                    part("basics", html.A(
                                        "Teacher's guide", id=ids.GUIDE_LINK, href=f"{services.settings.url_prefix}guide",
                                        target="_blank", className="btn btn-sm btn-outline-secondary ms-2",
                                        title="a printable page per lesson, with the numbers of its default run "
                                              "(trained when first opened: about half a minute)")),
                                ],
                                className="d-flex flex-wrap align-items-center gap-1 mb-1 top-lessons",
                            ),
                            html.Div(train_bar.bar_layout(services), className="train-bar"),
                            summary.layout(),
                        ],
                        className="top-bar py-1",
                    ),
                    html.Main(
                        dbc.Row(
                            [
                                dbc.Col(card("Experiment", form.layout(services.settings)), lg=3, md=4,
                                        className="controls-col"),
                                dbc.Col(views(), lg=9, md=8, className="views-col"),
                            ],
                            className="g-2",
                        ),
                    ),
                ],
                fluid=True,
            ),
            id=ids.PAGE,
            className=lessons.page_class(),
        )

    return layout


def register(app: Dash, services: Services) -> None:
    """A page that goes away tells the server (``tabBeacon`` in assets/gatelab.js): its job stops at once
    instead of after its heartbeat falls silent."""
    app.clientside_callback(ClientsideFunction("gatelab", "tabBeacon"), Output(ids.TAB_WATCH, "data"),
                            Input(ids.SESSION, "data"))
