"""Figure builders: pure functions from data to ``go.Figure``, testable without a browser.

A *run* below is a ``models.run.RunRecord``.

Titles sit top left and the plot toolbar stands upright at the right edge, so it
never covers a title; legends go below the plot, where a dozen entries fit. A figure
with something at its right (a second axis, colour bars) keeps ``TOOLBAR_PX`` of its
right margin free for the toolbar.
"""

from __future__ import annotations

import html

from typing import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go
from dash import Patch
from plotly.subplots import make_subplots

from data.timeaxis import STEPS, TimeAxis, time_axis
from models.wording import BASELINE_NAMES as BASELINE_LABELS

# Okabe and Ito's colours, told apart with every common kind of colour blindness. A run's colour is
# its cell's, and its backend is its line's style (``run_styles``); a second run of the same cell and
# backend takes the next free colour.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
CELL_COLORS = {"lstm": "#0072B2", "gru": "#E69F00", "rnn": "#009E73", "gru_cho": "#CC79A7"}
BACKEND_DASH = {"numpy": "solid", "torch": "dash"}
BACKEND_WORDS = "solid: NumPy, dashed: PyTorch"
TRUTH = "#444444"
GATE_TITLES = {
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "o": "output gate o",
    "c": "cell state c",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
    "a": "pre-activation a",
    "h": "hidden state h",
}
HEATMAP_GATES = {"lstm": ("i", "f", "g", "o", "c"), "gru": ("r", "z", "n"), "rnn": ("a", "h"),
                 "gru_cho": ("r", "z", "n")}
SIGNED = ("g", "n", "c", "a", "h")  # values in [-1, 1] or unbounded: a red-blue scale around 0
UNBOUNDED = ("c", "a")  # their scale follows the data


LEGEND = dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0)
TOOLBAR_PX = 40  # the upright toolbar's strip at a figure's right edge
GATES_HEIGHT = 520  # the gate heatmaps, whatever the cell: beside the equations on one 1440x900 screen
# Every chart's toolbar: save as PNG and reset the axes, shown on hover; no logo, and nothing that
# sends a chart anywhere (Plotly's "Share chart" would upload it, and a student's CSV with it).
GRAPH_CONFIG = {"displayModeBar": "hover", "displaylogo": False, "showSendToCloud": False,
                "showEditInChartStudio": False, "showLink": False, "modeBarButtons": [["toImage", "resetScale2d"]],
                "toImageButtonOptions": {"format": "png", "filename": "gatelab"}}

# What a view shows before its first run
EMPTY = {"data": [], "layout": {"template": "plotly_white", "height": 300,
                                "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                "annotations": [{"text": "Press Train to see this view", "showarrow": False,
                                                 "font": {"color": "#888"}}]}}


def plain(text: str) -> str:
    """``text`` as Plotly shows it literally: its markup (<a>, <b>, <br>, entities) escaped."""
    return html.escape(text, quote=False)


def _base(title: str, height: int = 280) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        height=height,
        margin=dict(l=55, r=45, t=45, b=40),
        template="plotly_white",
        legend=LEGEND,
        modebar=dict(orientation="v"),
    )
    return fig


def base_figure(title: str, height: int = 280) -> go.Figure:
    """An empty figure in the page's look, for views that draw their own traces (``components.page.views.backtest``)."""
    return _base(title, height)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def model_style(cell: str, backend: str, taken: set[str]) -> tuple[str, str]:
    """(colour, dash) of a model: its cell's colour unless ``taken`` (then the next free one), its
    backend's line style. The colour joins ``taken``."""
    c = CELL_COLORS.get(cell, PALETTE[0])
    if c in taken:
        c = next((p for p in PALETTE if p not in taken), PALETTE[len(taken) % len(PALETTE)])
    taken.add(c)
    return c, BACKEND_DASH.get(backend, "solid")


def run_styles(runs: Sequence) -> list[tuple[str, str]]:
    """(colour, dash) per run: NumPy and PyTorch runs of one cell share a colour, and a solid line
    under a dashed one shows both where they agree."""
    styles, taken_by = [], {}
    for run in runs:
        taken = taken_by.setdefault(run.config.backend, set())
        styles.append(model_style(run.config.cell, run.config.backend, taken))
    return styles


def make_series_figure(values: Sequence[float], split: int, times: Sequence | None = None,
                       title: str = "Series") -> go.Figure:
    """The series with its test part shaded, against its years or dates where ``times`` hold them (else
    its steps; other labels show on hover). Both the title (a file's column name) and the labels come
    from a person's file, so they are shown as text, not markup."""
    fig = _base(f"{plain(title)}: train | test", height=230)
    axis = time_axis(times, len(values) + 1)  # one past the end: the test part's right edge
    labels = [plain(str(t)) for t in times] if times is not None and axis.is_steps else None
    # six significant digits: more than a line on a screen shows, and half the bytes of a float's seventeen
    shown = [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]
    fig.add_trace(go.Scatter(x=axis.xs(range(len(values))), y=shown, mode="lines", name="series",
                             line=dict(color=TRUTH, width=1), text=labels,
                             hovertemplate=f"{axis.title} %{{x}}" + (" (%{text})" if labels else "")
                             + ": %{y}<extra></extra>"))
    fig.add_vrect(x0=axis.edge(split), x1=axis.edge(len(values)), fillcolor="#f0ad4e", opacity=0.15, line_width=0,
                  annotation_text="test", annotation_position="top left")
    fig.update_layout(showlegend=False, xaxis_title=axis.title)
    return fig


def legend_rows(fig: go.Figure, per_row: int = 3) -> int:
    """Rows the legend below a figure takes: the entries it shows, ``per_row`` to a row."""
    entries = sum(1 for t in fig.data if t.showlegend is not False and t.visible is not False)
    return (entries + per_row - 1) // per_row


def _loss_layout(fig: go.Figure, log_y: bool, show_grad: bool, epochs: int) -> go.Figure:
    fig.update_layout(
        xaxis=dict(title="epoch", tickformat="d", dtick=1 if epochs <= 10 else None),
        yaxis=dict(title="MSE (model units)", type="log" if log_y else "linear"),
        # its own ticks, not the loss axis' (a log loss axis would lend it a dozen crowded ones)
        yaxis2=dict(title="gradient norm", overlaying="y", side="right", showgrid=False, visible=show_grad,
                    tickmode="auto", nticks=5, tickformat=".2~g", rangemode="tozero"),
        margin=dict(r=60 + TOOLBAR_PX, b=40 + 22 * legend_rows(fig)),
        height=290 + 22 * legend_rows(fig),
    )
    return fig


def _loss_traces(history: dict, label: str, c: str, show_grad: bool, epochs: list[int] | None = None,
                 validation: bool = False, best: int = 0, dash: str = "solid"):
    """Train (thick), test (thin, with rings) and gradient-norm (dotted) traces; with ``validation``, the
    validation loss too (dash-dot), and a star at the ``best`` epoch (the one whose weights an early-stopped
    run kept). With a ``label`` (runs compared), the legend names the run once, and clicking it shows or
    hides all of its traces."""
    x = epochs if epochs is not None else list(range(1, len(history["train_loss"]) + 1))
    prefix = f"{label}: " if label else ""
    group = dict(legendgroup=label, showlegend=False) if label else {}
    extra = []
    if validation:
        extra.append(go.Scatter(x=x, y=history.get("val_loss", []), name=f"{prefix}validation loss", mode="lines",
                                line=dict(color=c, dash="dashdot", width=2), meta="val", **group))
        if best:
            extra.append(go.Scatter(x=[best], y=[history["val_loss"][best - 1]], name=f"{prefix}best epoch {best}",
                                    mode="markers", marker=dict(color=c, size=13, symbol="star",
                                                                line=dict(color="white", width=1)), meta="best",
                                    **group))
    train = dict(legendgroup=label, name=label) if label else dict(name="train loss")
    return [
        go.Scatter(x=x, y=history["train_loss"], mode="lines+markers", line=dict(color=c, dash=dash, width=2.5),
                   marker=dict(size=4), meta="train", **train),
        go.Scatter(x=x, y=history["test_loss"], name=f"{prefix}test loss", mode="lines+markers",
                   line=dict(color=c, dash=dash, width=1), marker=dict(size=5, symbol="circle-open"), opacity=0.75,
                   meta="test", **group),
        go.Scatter(x=x, y=history["grad_norm"], name=f"{prefix}grad norm", mode="lines", yaxis="y2",
                   line=dict(color=c, dash="dot", width=1), visible=show_grad, meta="grad", **group),
        *extra,
    ]


def live_traces(validation: bool) -> int:
    """How many traces a run has in the live figure: train, test, gradient norm (and validation)."""
    return 4 if validation else 3


def make_live_loss_figure(total_epochs: int, log_y: bool = False, show_grad: bool = False,
                          validation: bool = False, models: Sequence[tuple[str, str, str]] = ()) -> go.Figure:
    """The figure a running job fills in: empty traces (train, test, gradient norm, and the
    validation loss with early stopping), the x axis already at full length. With ``models``
    ((name, cell, backend) of each run of Train all), a set of traces per run, so that each run's curve
    stays as the next one trains."""
    fig = _base("Loss, live" + (f"<br><sup>{BACKEND_WORDS}; thin with rings: test loss</sup>" if models else ""))
    empty = {"train_loss": [], "test_loss": [], "grad_norm": [], "val_loss": []}
    taken: dict[str, set] = {}
    for name, cell, backend in models or [("", "lstm", "numpy")]:
        c, dash = model_style(cell, backend, taken.setdefault(backend, set()))
        fig.add_traces(_loss_traces(empty, name, c, show_grad, [], validation=validation, dash=dash))
    _loss_layout(fig, log_y, show_grad, total_epochs)
    fig.update_xaxes(range=[0.5, total_epochs + 0.5])
    fig.update_layout(meta={"per_run": live_traces(validation)})  # the browser fills run k's traces from k * per_run
    return fig


def make_loss_figure(runs: Iterable, log_y: bool = False, show_grad: bool = False) -> go.Figure:
    """Loss curves of finished runs, overlaid, one colour per run."""
    runs = list(runs)
    fig = _base("Loss" if len(runs) == 1 else
                f"Loss, runs compared<br><sup>{BACKEND_WORDS}; thin with rings: test loss</sup>")
    for run, (c, dash) in zip(runs, run_styles(runs)):
        h = run.history
        history = {"train_loss": list(h.train_loss), "test_loss": list(h.test_loss), "grad_norm": list(h.grad_norm),
                   "val_loss": list(h.val_loss)}
        fig.add_traces(_loss_traces(history, run.label if len(runs) > 1 else "", c, show_grad,
                                    validation=bool(h.val_loss), best=run.best_epoch, dash=dash))
    return _loss_layout(fig, log_y, show_grad, max((r.epochs_done for r in runs), default=1))


def add_bands(fig: go.Figure, xs, bands: Sequence[tuple[str, Sequence[float], Sequence[float], str]]) -> None:
    """Shaded bands (name, low, high, colour) after every other trace, so that the traces before them keep
    their places (the patches of a replay step count on that): each is its upper edge, then its lower
    edge filled up to it."""
    for name, low, high, c in bands:
        x = xs[: len(low)]
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        fig.add_trace(go.Scatter(x=x, y=list(high), mode="lines", line=dict(width=0), showlegend=False,
                                 hoverinfo="skip", meta="band-high"))
        fig.add_trace(go.Scatter(x=x, y=list(low), mode="lines", line=dict(width=0), fill="tonexty",
                                 fillcolor=f"rgba({r}, {g}, {b}, 0.22)", meta="band", name=name))


def _coloured(band: Sequence, c: str) -> tuple:
    """(name, low, high, colour): a band's own colour, else its run's."""
    return (band[0], band[1], band[2], band[3] if len(band) > 3 else c)


def make_forecast_figure(runs: Sequence, window: tuple[int, int] | None = None,
                         bands: Sequence[Sequence[tuple[str, Sequence[float], Sequence[float]]]] = ()) -> go.Figure:
    """One-step forecasts on the test part against the truth (original units), against the first run's
    years, dates or steps. ``window`` (first, target) shades the steps the gate view reads and marks the
    step it predicts; ``bands``, per run, (name, low, high) shaded in its colour (an ensemble's spread,
    a prediction interval)."""
    fig = _base("One-step forecasts on the test part", height=260)
    axis = runs[0].axis if runs else STEPS
    if runs:
        f = runs[0].forecast
        fig.add_trace(go.Scatter(x=axis.xs(f.index), y=list(f.truth), name="truth", mode="lines",
                                 line=dict(color=TRUTH, width=1)))
    for run, (c, dash) in zip(runs, run_styles(runs)):
        f = run.forecast
        fig.add_trace(go.Scatter(x=axis.xs(f.index), y=list(f.pred), name=run.label, mode="lines",
                                 line=dict(color=c, width=1.5, dash=dash)))
    for run, (c, _), run_bands in zip(runs, run_styles(runs), bands):
        add_bands(fig, axis.xs(run.forecast.index), [_coloured(b, c) for b in run_bands])
    if window is not None:
        first, target = window
        fig.add_vrect(x0=axis.edge(first), x1=axis.edge(target), fillcolor="#9467bd", opacity=0.12, line_width=0,
                      annotation_text="gate window", annotation_position="top left")
        fig.add_vline(x=axis.x(target), line=dict(color="#9467bd", dash="dot", width=1))
    fig.update_layout(xaxis_title=axis.title, yaxis_title="value")
    return fig


def make_rollout_figure(series: Sequence[float], split: int, preds: Sequence[tuple[str, Sequence[float]]],
                        context: int = 120, bands: dict[int, np.ndarray] | None = None,
                        axis: TimeAxis = STEPS, styles: Sequence[tuple[str, str]] = (),
                        more_bands: dict[int, Sequence[tuple[str, Sequence[float], Sequence[float]]]] | None = None
                        ) -> go.Figure:
    """Recursive rollouts from the end of the train part, with the truth around them; ``bands``
    (prediction number -> (2, steps) low and high) shade a run's Monte-Carlo dropout rollouts, and
    ``more_bands`` (prediction number -> (name, low, high)) an ensemble's spread or an interval; ``axis``:
    the series' years, dates or steps (``models.run.RunRecord.axis``); ``styles``: (colour, dash) per
    prediction (``run_styles``), else the palette's colours in turn."""
    steps = max((len(p) for _, p in preds), default=0)
    fig = _base(f"Recursive rollout, {steps} steps", height=260)
    lo, hi = max(0, split - context), min(len(series), split + steps)
    fig.add_trace(go.Scatter(x=axis.xs(range(lo, hi)), y=list(series[lo:hi]), name="truth", mode="lines",
                             line=dict(color=TRUTH, width=1)))
    for i, (label, pred) in enumerate(preds):
        c, dash = styles[i] if i < len(styles) else (color(i), "solid")
        x = axis.xs(range(split, split + len(pred)))
        if bands and i in bands:
            low, high = bands[i]
            fig.add_trace(go.Scatter(x=x, y=list(high), mode="lines", line=dict(width=0), showlegend=False,
                                     hoverinfo="skip", meta="band-high"))
            fig.add_trace(go.Scatter(x=x, y=list(low), mode="lines", line=dict(width=0), fill="tonexty",
                                     fillcolor=c, opacity=0.25, meta="band",
                                     name=f"{label}: 90 % of 30 rollouts with dropout on"))
        fig.add_trace(go.Scatter(x=x, y=list(pred), name=label, mode="lines", line=dict(color=c, width=2, dash=dash)))
    for i, extra in (more_bands or {}).items():
        c = styles[i][0] if i < len(styles) else color(i)
        add_bands(fig, axis.xs(range(split, split + max(len(b[1]) for b in extra))) if extra else [],
                  [_coloured(b, c) for b in extra])
    fig.add_vline(x=axis.edge(split), line=dict(color="#999", dash="dot"))
    if split + steps > len(series):  # past here there is no truth to compare with
        fig.add_vline(x=axis.edge(len(series)), line=dict(color="#d62728", dash="dot"),
                      annotation_text="end of the data", annotation_position="top right")
    fig.update_layout(xaxis_title=axis.title, yaxis_title="value")
    return fig


def gate_scale(k: str, a: np.ndarray) -> float:
    """The colour range (+-) of state ``k`` that its activations ``a`` need: 1 for a gate, at least 1 for the
    cell state."""
    return max(1.0, float(np.abs(a).max())) if k in UNBOUNDED else 1.0


def _gate_z(k: str, a: np.ndarray, scales: dict | None = None) -> tuple[list, float, float]:
    """(heatmap rows: hidden units x steps, to 4 decimals, which a colour cannot tell apart anyway;
    zmin; zmax) of gate ``k``'s activations ``a`` (T, H); ``scales``: fixed ranges of the unbounded states
    (the trained model's, so that every replay frame of a run shares them)."""
    zmax = (scales or {}).get(k) or gate_scale(k, a)
    return np.round(a.T.astype(np.float64), 4).tolist(), (-zmax if k in SIGNED else 0.0), zmax  # float32 would print 17 digits


def make_gates_figure(gates: dict[str, np.ndarray], cell: str, title: str = "", first_step: int = 0,
                      columns: Sequence | None = None, scales: dict | None = None) -> go.Figure:
    """One heatmap per gate, hidden unit x time step, each with its own labelled colour bar: gates in [0, 1]
    or [-1, 1], the cell state on ``scales`` (see ``_gate_z``);
    ``first_step``: the window step the first column is (when only the last steps are shown);
    ``columns``: each column's place on the series' time axis, for the page's one cursor."""
    names = HEATMAP_GATES[cell]
    height, top, bottom = GATES_HEIGHT, 60, 40
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True,
                        vertical_spacing=28 / (height - top - bottom),  # room for each gate's title
                        subplot_titles=[GATE_TITLES[k] for k in names])
    for row, k in enumerate(names, start=1):
        signed = k in SIGNED
        z, zmin, zmax = _gate_z(k, np.asarray(gates[k]), scales)
        fig.add_trace(
            go.Heatmap(
                z=z, x0=first_step, dx=1,
                colorscale="RdBu" if signed else "Viridis", zmin=zmin,  # both read with colour blindness
                zmax=zmax, name=k, showscale=True,
                colorbar=dict(len=0.9 / len(names), y=1 - (row - 0.5) / len(names), thickness=10,
                              title=dict(text=k, side="right")),
                hovertemplate=f"{k}: %{{z:.3f}}<br>step %{{x}}, unit %{{y}}<extra></extra>",
            ),
            row=row, col=1,
        )
        fig.update_yaxes(title_text="unit", row=row, col=1)
    fig.update_xaxes(title_text="time step in the window", row=len(names), col=1)
    fig.update_layout(height=height, margin=dict(l=50, r=60 + TOOLBAR_PX, t=top, b=bottom), template="plotly_white",
                      title=dict(text=title or "Inside the cell", x=0.01, xanchor="left", font=dict(size=14)),
                      modebar=dict(orientation="v"),
                      meta={"cursor": list(columns or []), "first_step": first_step})
    return fig


def gates_patch(gates: dict[str, np.ndarray], cell: str, title: str, scales: dict | None = None) -> Patch:
    """What changes in ``make_gates_figure``'s figure for other activations of the same cell and window:
    each heatmap's values and scale, and the title. A replay step sends this, not a whole figure."""
    patch = Patch()
    for i, k in enumerate(HEATMAP_GATES[cell]):
        z, zmin, zmax = _gate_z(k, np.asarray(gates[k]), scales)
        patch["data"][i]["z"] = z
        patch["data"][i]["zmin"], patch["data"][i]["zmax"] = zmin, zmax
    patch["layout"]["title"]["text"] = title
    return patch


def forecast_patch(position: int, pred: Sequence[float]) -> Patch:
    """``make_forecast_figure``'s figure with the forecasts of its run at ``position`` replaced (its
    traces: the truth, then one per run, in order)."""
    patch = Patch()
    patch["data"][1 + position]["y"] = list(pred)
    return patch


def rollout_trace(position: int, banded: Sequence[bool]) -> int:
    """The index of the line of prediction ``position`` in ``make_rollout_figure``'s figure, whose traces
    are the truth, then per prediction its band's two edges (where ``banded``) and its line."""
    return 1 + sum(1 + 2 * b for b in banded[:position]) + 2 * banded[position]


def rollout_patch(position: int, banded: Sequence[bool], pred: Sequence[float], band=None) -> Patch:
    """``make_rollout_figure``'s figure with prediction ``position``'s line (and band) replaced."""
    patch = Patch()
    line = rollout_trace(position, banded)
    patch["data"][line]["y"] = list(pred)
    if banded[position] and band is not None:
        patch["data"][line - 2]["y"], patch["data"][line - 1]["y"] = list(band[1]), list(band[0])
    return patch


def gradflow_range(z: np.ndarray) -> tuple[float | None, float | None, str]:
    """(zmin, zmax, the colour bar's title) of a log10 gradient-flow heatmap (epochs, L): the 2nd to 98th
    percentile of the epochs after the first, whose untrained gradients (down to 1e-15 in a plain RNN)
    would otherwise wash out every trained epoch; cells outside the range take its end colours."""
    rows = z[1:] if z.shape[0] > 1 else z
    finite = rows[np.isfinite(rows)]
    if finite.size == 0:
        return None, None, "log10"
    lo, hi = np.percentile(finite, [2, 98])
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    which = "epochs after the first" if z.shape[0] > 1 else "its values"
    return float(lo), float(hi), f"log10 (2-98 % of {which})"


def make_gradflow_figure(runs: Sequence, current) -> go.Figure:
    """Gradient flow through time: ||dL/dh_t|| of ``current`` as a heatmap (epoch x step, log
    colour) above the latest measurement of every run in ``runs`` as lines (log scale).
    Stacked, so that both stay legible in a narrow column."""
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.16, shared_xaxes=False,
                        subplot_titles=[f"{current.label}: every measured epoch", "latest epoch, runs compared"])
    epochs = [e for e, _ in current.grad_flow]
    norms = np.array([n for _, n in current.grad_flow])  # (epochs, L)
    steps = list(range(1, norms.shape[1] + 1))
    with np.errstate(divide="ignore"):  # a gradient that underflowed to 0 is a gap, not -inf
        z = np.where(norms > 0, np.log10(np.where(norms > 0, norms, 1.0)), np.nan)
    zmin, zmax, scale = gradflow_range(z)
    fig.add_trace(go.Heatmap(z=z.tolist(), x=steps, y=epochs, colorscale="Viridis", name="flow", zmin=zmin, zmax=zmax,
                             colorbar=dict(title=dict(text=scale, side="right"), len=0.42, y=0.79, thickness=10),
                             hovertemplate="epoch %{y}, step %{x}: 10^%{z:.2f}<extra></extra>"), row=1, col=1)
    for run, (c, dash) in zip(runs, run_styles(runs)):
        last = run.grad_flow[-1][1]
        fig.add_trace(go.Scatter(x=list(range(1, len(last) + 1)), y=list(last), name=run.label, mode="lines",
                                 line=dict(color=c, dash=dash)), row=2, col=1)
    fig.update_xaxes(title_text="step t in the window", row=2, col=1)
    fig.update_yaxes(title_text="epoch", row=1, col=1)
    fig.update_yaxes(title_text="||dL/dh_t||", type="log", exponentformat="power", row=2, col=1)
    fig.update_layout(height=540, margin=dict(l=60, r=95 + TOOLBAR_PX, t=70, b=40), template="plotly_white",
                      legend=dict(LEGEND, y=-0.12), modebar=dict(orientation="v"),
                      title=dict(text="Gradient flow through time", x=0.01, xanchor="left", font=dict(size=15)))
    return fig


def make_horizon_figure(runs: Sequence) -> go.Figure:
    """Test MSE per step ahead: each run's k-step model (direct: solid with dots, seq2seq: solid
    with squares) and its recursive use of the one-step model (dashed), one colour per run;
    persistence and the direct linear AR of the first run's data as grey lines."""
    k = max(r.horizon.k for r in runs)
    fig = _base(f"Error per step ahead, up to k = {k}", height=360)
    symbols = {"direct": "circle", "seq2seq": "square"}
    for run, (c, _) in zip(runs, run_styles(runs)):
        h, steps = run.horizon, list(range(1, run.horizon.k + 1))
        prefix = f"{run.label}: " if len(runs) > 1 else ""
        for method, symbol in symbols.items():
            if method in h.mse:
                fig.add_trace(go.Scatter(x=steps, y=list(h.mse[method]), name=f"{prefix}{method}",
                                         mode="lines+markers", line=dict(color=c),
                                         marker=dict(size=5, symbol=symbol), meta=method))
        fig.add_trace(go.Scatter(x=steps, y=list(h.mse["recursive"]), name=f"{prefix}recursive", mode="lines",
                                 line=dict(color=c, dash="dash"), meta="recursive"))
    h, steps = runs[0].horizon, list(range(1, runs[0].horizon.k + 1))
    fig.add_trace(go.Scatter(x=steps, y=list(h.mse["persistence"]), name="persistence", mode="lines",
                             line=dict(color="#999999", dash="dot"), meta="persistence"))
    fig.add_trace(go.Scatter(x=steps, y=list(h.mse["linear_ar"]), name="linear AR (direct)", mode="lines",
                             line=dict(color=TRUTH, dash="dashdot", width=1), meta="linear_ar"))
    fig.update_layout(xaxis=dict(title="steps ahead", tickformat="d"), yaxis_title="test MSE (original units)",
                      margin=dict(b=40 + 22 * ((len(fig.data) + 2) // 3)))
    return fig


def make_sweep_figure(sweep: dict) -> go.Figure:
    """A sweep's test MSE: over seeds, a strip per cell (one dot per seed); over window lengths,
    a line per cell against L. Persistence and linear AR as grey lines in both."""
    points, over = sweep["points"], sweep["over"]
    cells = list(dict.fromkeys(p["label"] for p in points))
    by_cell = {c: [p for p in points if p["label"] == c] for c in cells}
    if over == "seed":
        fig = _base("Test MSE over training seeds, one dot per seed", height=360)
        for i, (cell, mine) in enumerate(by_cell.items()):
            fig.add_trace(go.Scatter(x=[cell] * len(mine), y=[p["mse"] for p in mine], name=cell, mode="markers",
                                     marker=dict(color=color(i), size=9, opacity=0.75),
                                     text=[f"seed {p['value']}" for p in mine],
                                     hovertemplate="%{x}, %{text}: %{y:.4f}<extra></extra>"))
        for name, dash in (("persistence", "dot"), ("linear_ar", "dashdot")):
            value = points[0]["baselines"][name]
            fig.add_hline(y=value, line=dict(color="#888888", dash=dash, width=1),
                          annotation_text=BASELINE_LABELS[name], annotation_position="top right")
        fig.update_layout(xaxis_title="cell", yaxis_title="test MSE (original units)")
        return fig
    fig = _base("Test MSE against the window length L", height=360)
    for i, (cell, mine) in enumerate(by_cell.items()):
        mine = sorted(mine, key=lambda p: p["value"])
        fig.add_trace(go.Scatter(x=[p["value"] for p in mine], y=[p["mse"] for p in mine], name=cell,
                                 mode="lines+markers", line=dict(color=color(i))))
    first = sorted(next(iter(by_cell.values())), key=lambda p: p["value"])
    for name, dash in (("persistence", "dot"), ("linear_ar", "dashdot")):
        fig.add_trace(go.Scatter(x=[p["value"] for p in first], y=[p["baselines"][name] for p in first],
                                 name=BASELINE_LABELS[name], mode="lines", line=dict(color="#888888", dash=dash)))
    fig.update_layout(xaxis_title="window length L", yaxis_title="test MSE (original units)")
    return fig
