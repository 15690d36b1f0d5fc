"""What the forecast looks at (``saliency-graph``): |d forecast / d input| lag by lag, for the chosen
test window and averaged over the test windows, above the ACF, the PACF and the linear AR's
coefficients on the same lags (``models.saliency``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from dash import Dash, Input, Output, Patch, State, dcc, html, no_update
from plotly.subplots import make_subplots

from components.page import ids
from components.server.services import Services
from components.page.figures import EMPTY, GRAPH_CONFIG, LEGEND
from components.page.views import shown
from components.page.views.epochs import epoch_of, position_shown
from components.page.views.shown import window_index
from components.page.views.results import only
from components.page.views.whatif import edited_window
from models.rollout import GATES
from models.saliency import Saliency, input_names, lag_statistics, mean_saliency, peaks, window_saliency

HEIGHT = 420
MAX_WINDOWS = 400  # the average is over at most this many test windows, evenly spaced (a view stays quick)
VIEW_MACS = 2e9  # and over no more than this many multiply-adds, forward and back (about a second)
MEANING = ("Peaks in the top row are the lags whose value moves this forecast most; in the bottom row, bars "
           "outside the dashed band are lags where the series itself is correlated (ACF) or still adds "
           "something once the nearer lags are known (PACF), and large AR coefficients are the lags a linear "
           "model leans on. Where the two rows peak together, the network has found what the statistics point at.")


def make_figure(sal: Saliency, stats, title: str, edited: bool) -> go.Figure:
    lags = sal.lags.tolist()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.14,
                        subplot_titles=["what the network looks at: |d forecast / d input|",
                                        "what statistics points at (train part)"])
    for d, name in enumerate(sal.inputs):
        who = "" if len(sal.inputs) == 1 else f" ({name})"
        fig.add_trace(go.Scatter(x=lags, y=sal.chosen[:, d].tolist(), mode="lines+markers", marker=dict(size=4),
                                 name=chosen_name(name, len(sal.inputs), edited), meta="chosen"),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=lags, y=sal.mean[:, d].tolist(), mode="lines", line=dict(dash="dot"),
                                 name="mean over test windows" + who, meta="mean"), row=1, col=1)
    fig.add_trace(go.Bar(x=lags, y=stats.acf.tolist(), name="ACF", marker_color="#9ecae1", meta="acf"), row=2, col=1)
    fig.add_trace(go.Bar(x=lags, y=stats.pacf.tolist(), name="PACF", marker_color="#fd8d3c", meta="pacf"),
                  row=2, col=1)
    fig.add_trace(go.Scatter(x=lags, y=stats.ar.tolist(), mode="markers", name="|linear AR coefficient|",
                             marker=dict(color="#31a354", size=6, symbol="diamond"), meta="ar"), row=2, col=1)
    for sign in (1, -1):
        fig.add_hline(y=sign * stats.band, line=dict(dash="dash", color="#888", width=1), row=2, col=1)
    fig.update_xaxes(title_text="lag: steps before the forecast step", row=2, col=1)
    fig.update_layout(height=HEIGHT, barmode="group", template="plotly_white", legend=LEGEND,
                      margin=dict(l=50, r=20, t=80, b=40),
                      title=dict(text=title, x=0.01, xanchor="left", font=dict(size=14)))
    return fig


def note(sal: Saliency, stats) -> str:
    def said(values) -> str:
        return ", ".join(str(k) for k in peaks(values))

    return (f"{MEANING} Largest here: the network (mean) at lags {said(sal.mean[:, 0])}; ACF {said(stats.acf)}; "
            f"PACF {said(np.abs(stats.pacf))}; AR {said(stats.ar)}.")


def layout() -> html.Div:
    return html.Div([dcc.Graph(id=ids.SALIENCY_GRAPH, figure={"data": [], "layout": {"height": HEIGHT}},
                               config=GRAPH_CONFIG),
                     html.P(id=ids.SALIENCY_NOTE, className="small text-muted mb-1")])


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(
        Output(ids.SALIENCY_GRAPH, "figure"),
        Output(ids.SALIENCY_NOTE, "children"),
        *shown.inputs(shown.CURRENT),
        Input(ids.GATE_WINDOW, "value"),
        Input(ids.WHATIF_EDITS, "data"),
        State(ids.REPLAY_SHOWN, "data"),
        *shown.TAB,
    )
    def show(current_id, window, edits, position, store, tab):
        position = position_shown(position, current_id)
        page, run = shown.current(library, tab, store, current_id)
        if run is None:
            return EMPTY, ""
        return saliency_view(page, run, position, window, edits, patch="chosen" if only(ids.WHATIF_EDITS) else None)


def saliency_view(page, run, position: int | None, window, edits, patch: str | None = None) -> tuple[Any, Any]:
    """(the saliency figure of ``run`` at the replayed epoch, its note). ``patch``: "chosen" for an edit of
    the same window (only its lines change), "replay" for a replay step (the network's lines change; the
    statistics below them do not)."""
    epoch = epoch_of(run, position)
    with page.model(run, epoch) as model:
        prep = model.prep_
        n = prep.test.X.shape[0]
        k = window_index(window, n)
        changed = edited_window(run, prep, k, edits)
        rows = prep.test.X[k] if changed is None else changed[0]
        title = title_of(run, k, changed is not None, n)
        chosen = window_saliency(model.model_, rows)
        if patch == "chosen":
            return chosen_patch(chosen, input_names(prep), changed is not None, title), no_update
        mean = page.remember(run, epoch, ("saliency-mean",),
                             lambda: mean_saliency(model.model_, prep, windows_within(run.config)),
                             lambda a: a.nbytes + 1024)
    sal = Saliency(input_names(prep), chosen, mean)
    stats = page.remember(run, None, ("lag-statistics",), lambda: lag_statistics(prep), lambda _: 65_536)
    if patch == "replay":
        return replay_patch(sal, changed is not None, title), note(sal, stats)
    return make_figure(sal, stats, title, changed is not None), note(sal, stats)


def replay_patch(sal: Saliency, edited: bool, title: str) -> Patch:
    """``make_figure``'s figure with the network's lines (trace 2d and 2d + 1 for input d) replaced."""
    patch = chosen_patch(sal.chosen, sal.inputs, edited, title)
    for d in range(len(sal.inputs)):
        patch["data"][2 * d + 1]["y"] = sal.mean[:, d].tolist()
    return patch


def windows_within(config) -> int:
    """How many test windows the average may read: ``MAX_WINDOWS``, fewer for a large model (a window's
    forward and backward pass cost about three forward passes of L steps)."""
    per_window = 3 * config.seq_len * GATES[config.cell] * config.hidden_size * (config.hidden_size + config.inputs)
    return int(max(1, min(MAX_WINDOWS, VIEW_MACS // per_window)))


def title_of(run, k: int, edited: bool, total: int) -> str:
    which = "the edited window" if edited else f"test window {k}"
    used = min(total, windows_within(run.config))
    over = "the test windows" if used == total else f"{used} of the {total} test windows, evenly spaced"
    return f"Where {run.label}'s forecast looks<br><sup>{which}, and the mean over {over}</sup>"


def chosen_patch(chosen: np.ndarray, inputs: tuple[str, ...], edited: bool, title: str) -> Patch:
    """``make_figure``'s figure with the chosen window's lines (trace 2d for input d) replaced."""
    patch = Patch()
    for d, name in enumerate(inputs):
        patch["data"][2 * d]["y"] = chosen[:, d].tolist()
        patch["data"][2 * d]["name"] = chosen_name(name, len(inputs), edited)
    patch["layout"]["title"]["text"] = title
    return patch


def chosen_name(name: str, count: int, edited: bool) -> str:
    return ("edited window" if edited else "this test window") + ("" if count == 1 else f" ({name})")
