"""What finished runs show: metrics beside the baselines, loss curves, one-step and
rollout forecasts, and the gates inside the cell for a window the person picks.

Rollouts and gates are recomputed here from the runs' stored weights
(``models.run.restore``), with the NumPy backend whatever backend trained them:
the weights carry over unchanged, and the parity tests hold both to the same
numbers. So torch never runs in the web process.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
import plotly.graph_objects as go
from dash import ClientsideFunction, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from components.page.figures import (EMPTY, GRAPH_CONFIG, UNBOUNDED, forecast_patch, gate_scale, gates_patch,
                                     make_forecast_figure, make_gates_figure, make_loss_figure, make_rollout_figure,
                                     rollout_patch, run_styles)
from components.page.views import shown as shown_views
from components.page.views.epochs import epoch_of, marker_shapes, position_shown
from components.page.views.shown import window_index
from components.server.library import PageRuns, RunLibrary
from components.page.sliders import SliderWithBox
from models.trust import forecast_bands, rollout_bands, trust_rows
from components.page.views.whatif import edited_window
from models.verdict import comparison, number, verdict
from models.wording import BASELINE_HELP, BASELINE_NAMES, MASE_HELP, METHOD_HELP, METHOD_NAMES
from data.exogenous import NO_SEASON
from models.rules import MAX_ROLLOUT
from models.rollout import leaves_range, rollout_macs
from models.run import RunRecord, restore

DROPOUT_PASSES = 30
MAX_GATE_STEPS = 120  # the last steps of a window the gate heatmaps show: 5 gates x 120 x 256 units at most
VIEW_MACS = 2e9  # multiply-adds a view may spend on one run's rollout in the web process (about a second)
ROLLOUT_LABEL = "Rollout length (steps)"
GATE_LABEL = "Test window to look inside (shaded on the one-step forecasts)"
ROLLOUT_SLIDER = SliderWithBox(ids.ROLLOUT_STEPS, ROLLOUT_LABEL, "Rollout length", min=10, max=500, step=10, value=200,
                               marks={v: str(v) for v in (10, 100, 200, 300, 400, 500)})
WINDOW_SLIDER = SliderWithBox(ids.GATE_WINDOW, GATE_LABEL, "Test window", min=0, max=269, step=1, value=0,
                              marks={0: "0", 269: "269"})
BASELINE_TEXT = "; ".join(f"{BASELINE_NAMES[k]}: {v}" for k, v in BASELINE_HELP.items())


def _data_key(run: RunRecord) -> tuple:
    """Runs with the same key were scored on the same test windows, against the same baselines."""
    c = run.config
    return (run.series, c.seq_len, c.train_fraction)


def metrics_rows(runs: list[RunRecord]) -> list[tuple[str, object, str]]:
    """(name, scores, tooltip) per shown run, then the baselines of each distinct series."""
    rows = [(run.label + (f" ({run.stopped})" if run.stopped else ""), run.metrics, "") for run in runs]
    seen: dict[tuple, RunRecord] = {}
    for run in runs:
        seen.setdefault(_data_key(run), run)
    for run in seen.values():
        whose = f" ({run.label}'s data)" if len(seen) > 1 else ""
        rows += [(BASELINE_NAMES[k] + whose + (" (unreliable here)" if note.startswith("unreliable") else ""),
                  run.baselines.get(k), BASELINE_HELP[k] + (f". {note}" if note else "") if k in run.baselines
                  else f"{BASELINE_NAMES[k]}: {note or NO_SEASON}")
                 for k in BASELINE_NAMES if k in run.baselines or k == "seasonal_naive" or k in run.baseline_notes
                 for note in [run.baseline_notes.get(k, "")]]
    for run in runs:  # a row per method at the run's horizon k
        if run.horizon is not None:
            whose = f" ({run.label})" if len(runs) > 1 else ""
            rows += [(f"{METHOD_NAMES[m]}, {run.horizon.k} steps ahead{whose}", s, METHOD_HELP[m])
                     for m, s in run.horizon.at_k.items()]
    return rows


def verdicts(runs: list[RunRecord]) -> str:
    """The verdict of the shown run (``models.verdict``); with several, who of them won, weighed against the
    spread of an ensemble's seeds where there is one (Train all trains one seed each, and says so), then the
    best of them against the baselines. Runs with the same scores (one cell on both backends) are one row."""
    if len(runs) < 2:
        return " ".join(verdict(run) for run in runs)
    groups: dict[float, list[RunRecord]] = {}
    for run in runs:
        groups.setdefault(float(f"{run.metrics.mse:.6g}"), []).append(run)
    rows = [(" and ".join(r.label for r in same), same[0].metrics.mse, same[0].seed_spread)
            for same in groups.values()]
    best = min(runs, key=lambda r: r.metrics.mse)
    text = comparison(rows) if len(rows) > 1 else f"{rows[0][0]} scored the same ({number(rows[0][1])})."
    return f"{text} The best of them against the baselines: {verdict(best)}"


def make_metrics_table(runs: list[RunRecord]) -> list:
    if not runs:
        return [html.Caption("No finished run yet.")]
    head = html.Thead(html.Tr([html.Th("test part, original units", title="the baselines forecast the same test "
                                                                         "points; point at a row for what it does"),
                               html.Th("MSE"), html.Th("MAE"),
                               html.Th("RMSE"), html.Th("MASE", title=MASE_HELP)]))
    body = html.Tbody([
        html.Tr([html.Td(name, title=tip or None), *[html.Td(f"{getattr(m, k):.4f}") for k in ("mse", "mae", "rmse")],
                 html.Td(f"{m.mase:.3f}")],
                className="table-primary" if i < len(runs) else "")
        if m is not None else html.Tr([html.Td(name), html.Td(tip.split(": ", 1)[1], colSpan=4,
                                                               className="text-muted small")])
        for i, (name, m, tip) in enumerate(metrics_rows(runs))
    ] + [html.Tr(html.Td([html.Span(f"{name}: ", className="fw-semibold"), text], colSpan=5, className="small"))
         for name, text in trust_rows(runs)])
    return [head, body]


def parity_note(runs: list[RunRecord]) -> str:
    """Why some curves hide each other: same cell and settings on both backends."""
    pairs = {}
    for run in runs:
        key = (run.config.with_(backend="numpy"), run.epochs_done)
        pairs.setdefault(key, []).append(run)
    twins = [group for group in pairs.values() if len({r.config.backend for r in group}) > 1]
    if not twins:
        return ""
    names = "; ".join(" and ".join(r.label for r in group) for group in twins)
    return (f"{names}: the same cell on both backends starts from the same weights and sees the same batches, "
            "so their curves lie on top of each other. That is the parity lesson: the hand-written NumPy "
            "backpropagation and PyTorch's autograd compute the same numbers.")


def metrics_layout() -> html.Div:
    """The test errors of the shown runs beside the baselines'."""
    return html.Div(
        [
            dbc.Table(make_metrics_table([]), id=ids.METRICS_TABLE, size="sm", bordered=False, responsive=True,
                      className="mb-1 small gl-metrics"),
            html.P(id=ids.VERDICT, className="small mb-1 fw-semibold",
                   title=f"Baselines on the same test windows (point at a row for what it does). {BASELINE_TEXT}. "
                         f"MASE is the {MASE_HELP}."),
            html.P(id=ids.PARITY_NOTE, className="small text-muted mb-1"),
        ]
    )


def forecast_layout() -> dcc.Graph:
    return dcc.Graph(id=ids.FORECAST_GRAPH, figure=EMPTY, config=GRAPH_CONFIG)


def rollout_layout() -> html.Div:
    return html.Div(
        [
            ROLLOUT_SLIDER.layout(),
            html.P(id=ids.ROLLOUT_NOTE, className="small text-muted mb-1"),
            dcc.Graph(id=ids.ROLLOUT_GRAPH, figure=EMPTY, config=GRAPH_CONFIG),
        ]
    )


def gates_layout() -> html.Div:
    return html.Div(
        [
            WINDOW_SLIDER.layout(),
            dcc.Graph(id=ids.GATES_GRAPH, figure=EMPTY, config=GRAPH_CONFIG),
        ]
    )


def rollout_note(runs: list[RunRecord], preds: list[np.ndarray], steps: int) -> str:
    """Each shown run's rollout error over the steps that have truth (``preds``: their rollouts)."""
    first = runs[0]
    have = min(steps, len(first.series) - first.split)
    parts = []
    for run, pred in zip(runs, preds):
        truth = np.asarray(run.series[run.split : run.split + have])
        parts.append(f"{run.label} {np.mean((pred[:have] - truth) ** 2):.4f}" if have else f"{run.label}: no truth")
    note = (f"Each forecast fed back as the next input, {steps} steps from the train part's end; MSE over the "
            f"{have} with truth: {'; '.join(parts)}. Errors compound: compare the one-step MSE.")
    if have < steps:
        note += f" The series ends {have} steps after the train part; the rest of the rollout has no truth."
    for run, pred in zip(runs, preds):
        left = leaves_range(np.asarray(run.series[: run.split]), pred)
        if left is not None:
            note += (f" Warning: {run.label}'s rollout leaves the range seen in training after {left} steps "
                     "(beyond the train part's lowest and highest values by more than their span): fed its own "
                     "forecasts, the model has drifted where it never learned anything.")
    for run, pred in zip(runs, preds):
        if len(pred) >= steps:
            continue
        if any(not c.known for c in run.covariates):
            note += f" {run.label} reads covariates known only up to the data's end: its rollout stops there."
        else:
            note += (f" {run.label}'s covariates, known in advance, were written for {len(pred)} steps past the "
                     "train part: its rollout stops there.")
    return note


def seq2seq_rollout_note(chained: list[tuple[RunRecord, np.ndarray]], steps: int) -> str:
    """What the seq2seq rollouts (their model's own ``rollout_steps`` at most) add to the rollout note."""
    parts = []
    for run, pred in chained:
        have = min(len(pred), len(run.series) - run.split)
        truth = np.asarray(run.series[run.split : run.split + have])
        sampling = run.config.scheduled_sampling
        parts.append(f"{run.label} (scheduled sampling {sampling:g}) {np.mean((pred[:have] - truth) ** 2):.4f} "
                     f"over {have} steps")
    if not parts:
        return ""
    return (" The seq2seq model rolls out k steps at a time, each block appended to the window: "
            + "; ".join(parts) + ". Scheduled sampling trains the decoder on its own outputs, as a rollout feeds them: compare a run at "
            "0 with one at 0.5.")


def only(*inputs: str) -> bool:
    """Whether every input that set this callback off is one of ``inputs`` (the figure shown is then
    the same run's, window's and cell's, and a patch will do)."""
    return bool(ctx.triggered_prop_ids) and all(v in inputs for v in ctx.triggered_prop_ids.values())


def as_replayed(page: PageRuns, runs: list[RunRecord], current_id: str | None,
                position: int | None) -> list[RunRecord]:
    """``runs`` with the current one as it stood at the replay slider's epoch."""
    return [page.at(r, epoch_of(r, position)) if r.id == current_id else r for r in runs]


def rollout_steps(value) -> int:
    """The rollout length the slider names, within 1 .. ``MAX_ROLLOUT`` (200 if none)."""
    return int(min(max(shown_views.number_or(value, 200) or 200, 1), MAX_ROLLOUT))


def replay_patches(page: PageRuns, shown: list[RunRecord], current_id: str | None, position: int | None,
                   steps) -> tuple[Patch, Any, Any, str]:
    """What one replay step changes in the loss, forecast and rollout views: (the loss chart's marker, the
    current run's forecasts, its rollout line and band, the rollout note)."""
    replayed = as_replayed(page, shown, current_id, position)
    at = next((i for i, r in enumerate(replayed) if r.id == current_id), None)
    loss = Patch()
    loss["layout"]["shapes"] = marker_shapes(replayed[at] if at is not None else None, position)
    forecasts = no_update if at is None else forecast_patch(at, replayed[at].forecast.pred)
    rollout, note = rollout_view(page, shown, current_id, steps, position, patch=True)
    return loss, forecasts, rollout, note


def rollout_view(page: PageRuns, runs: list[RunRecord], current_id: str | None, steps, position: int | None,
                 patch: bool = False) -> tuple[Any, str]:
    """(the rollout figure of ``runs``, the current one at the replayed epoch, and its note); with ``patch``,
    only the current run's line (and band), for a replay step."""
    epochs = [epoch_of(r, position) if r.id == current_id else None for r in runs]
    shown = [page.at(r, e) for r, e in zip(runs, epochs)]
    steps = rollout_steps(steps)
    preds, bands, heavy = rollouts(shown, steps, [lambda r=r, e=e: page.rollout(r, e, steps, DROPOUT_PASSES
                                                                               * (r.config.dropout > 0))
                                                  for r, e in zip(runs, epochs)])
    spread = {}
    for i, run in enumerate(shown):  # an ensemble's rollout: its members' mean
        if run.members and i not in heavy:
            spread[i] = page.member_paths(run, steps)
            preds[i] = spread[i].mean(axis=0)
    more = {i: b for i, run in enumerate(shown) if (b := rollout_bands(run, spread.get(i)))}
    chained = [(run, np.asarray(run.horizon.rollout[:steps])) for run in shown
               if run.horizon is not None and run.horizon.rollout]
    note = rollout_note(shown, preds, steps) + seq2seq_rollout_note(chained, steps)
    at = next((i for i, r in enumerate(shown) if r.id == current_id), None)
    if patch:
        banded = [i in bands for i in range(len(shown))]
        figure = no_update if at is None or at in heavy else rollout_patch(at, banded, preds[at], bands.get(at))
    else:
        lines = [(run.label, p.tolist()) for run, p in zip(shown, preds)]
        lines += [(f"{run.label}: seq2seq, {run.horizon.k} at a time", p.tolist()) for run, p in chained]
        styles = run_styles(shown)
        styles += [(styles[shown.index(run)][0], "dot") for run, _ in chained]
        figure = make_rollout_figure(shown[0].series, shown[0].split, lines, bands=bands, axis=shown[0].axis,
                                     styles=styles, more_bands=more)
    if heavy:
        note += (f" {', '.join(shown[i].label for i in sorted(heavy))}: too large to roll out again in the page, "
                 "so the rollout its run made is shown (its own length, without a dropout band).")
    if bands:
        note += (f" The shaded band holds 90 % of {DROPOUT_PASSES} rollouts made with dropout left on "
                 "(Monte-Carlo dropout): where it widens, the model is unsure.")
    return figure, note


def gates_at(page: PageRuns, run: RunRecord, position: int | None, window, edits) -> tuple[int, dict, dict, str, int]:
    """``gate_window`` for ``run`` at the replayed epoch, with its model rebuilt once (``PageRuns.model``)."""
    epoch = epoch_of(run, position)
    with page.model(run, epoch) as model:
        return gate_window(page.at(run, epoch), window, model, edits)


def gate_scales(page: PageRuns, run: RunRecord, position: int | None, gates: dict, window, edits) -> dict[str, float]:
    """The colour ranges of the cell state in ``run``'s heatmaps of ``window``: the trained model's, so that
    every replay frame of the run is drawn on the same scale (an earlier epoch's larger values saturate).
    ``gates``: those drawn at the replay's ``position``, which are the trained model's at the end."""
    if epoch_of(run, position) < run.epochs_done:
        _, _, gates, _, _ = gates_at(page, run, None, window, edits)
    return {k: gate_scale(k, np.asarray(a)) for k, a in gates.items() if k in UNBOUNDED}


def register(app: Dash, services: Services) -> None:
    """The finished runs' views, and a paused job's run in them. The replay slider is read, not followed:
    a replay step redraws them through ``components.page.views.replay`` in one request."""
    ROLLOUT_SLIDER.register(app)
    WINDOW_SLIDER.register(app)
    _register_results(app, services.library)
    _register_rollout(app, services.library)
    _register_gates(app, services.library)
    _register_paused(app, services.library)


def _register_results(app: Dash, library: RunLibrary) -> None:
    # allow_duplicate: while a job runs, its callback (components.page.train_bar) draws the live curve;
    # this one draws finished runs, and leaves the graph alone while a job is running.
    @app.callback(
        Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True),
        Output(ids.FORECAST_GRAPH, "figure"),
        Output(ids.METRICS_TABLE, "children"),
        Output(ids.PARITY_NOTE, "children"),
        Output(ids.VERDICT, "children"),
        *shown_views.inputs(shown_views.SHOWN),
        Input(ids.GATE_WINDOW, "value"),
        State(ids.REPLAY_SHOWN, "data"),
        State(ids.LOSS_OPTIONS, "value"),
        State(ids.CANCEL, "disabled"),
        State(ids.SESSION, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def show_results(store, selected_rows, current_id, window, position, options, idle, tab):
        position = position_shown(position, current_id)
        options = options or []
        page, shown = shown_views.overlaid(library, tab, store, selected_rows, current_id)
        if not shown:
            return no_update, EMPTY, make_metrics_table([]), "", ""
        replayed = as_replayed(page, shown, current_id, position)
        current = next((r for r in replayed if r.id == current_id), None) or page.find(current_id) or shown[-1]
        loss = make_loss_figure(shown, "log" in options, "grad" in options)
        loss.update_layout(shapes=marker_shapes(current, position))
        k = window_index(window, len(current.forecast.index))
        return (no_update if idle is False else loss,  # while a job runs, its live curve is on the chart
                make_forecast_figure(replayed, current.window_span(k), [forecast_bands(r) for r in replayed]),
                make_metrics_table(shown), parity_note(shown), verdicts(shown))

    # allow_duplicate: the figure's writers above draw it; this only restyles what is there
    app.clientside_callback(ClientsideFunction("gatelab", "styleLoss"),
                            Output(ids.LOSS_GRAPH, "figure", allow_duplicate=True),
                            Input(ids.LOSS_OPTIONS, "value"), State(ids.LOSS_GRAPH, "figure"),
                            prevent_initial_call=True)


def _register_rollout(app: Dash, library: RunLibrary) -> None:
    @app.callback(
        Output(ids.ROLLOUT_GRAPH, "figure"),
        Output(ids.ROLLOUT_NOTE, "children"),
        *shown_views.inputs(shown_views.SHOWN),
        Input(ids.ROLLOUT_STEPS, "value"),
        State(ids.REPLAY_SHOWN, "data"),
        State(ids.SESSION, "data"),
    )
    def show_rollout(store, selected_rows, current_id, steps, position, tab):
        position = position_shown(position, current_id)
        page, runs = shown_views.overlaid(library, tab, store, selected_rows, current_id)
        if not runs:
            return EMPTY, ""
        return rollout_view(page, runs, current_id, steps, position)


def _register_gates(app: Dash, library: RunLibrary) -> None:
    @app.callback(
        Output(ids.GATE_WINDOW, "max"),
        Output(ids.GATE_WINDOW, "marks"),
        Output(ids.GATES_GRAPH, "figure"),
        Input(ids.RUNS_STORE, "data"),
        *shown_views.inputs(shown_views.CURRENT),
        Input(ids.GATE_WINDOW, "value"),
        Input(ids.WHATIF_EDITS, "data"),
        State(ids.REPLAY_SHOWN, "data"),
        State(ids.SESSION, "data"),
    )
    def show_gates(store, current_id, window, edits, position, tab):
        position = position_shown(position, current_id)
        page, run = shown_views.current(library, tab, store, current_id)
        if run is None:
            return no_update, no_update, EMPTY
        last, marks, gates, title, first_step = gates_at(page, run, position, window, edits)
        scales = gate_scales(page, run, position, gates, window, edits)
        if only(ids.WHATIF_EDITS):  # an edit: the same window's heatmaps
            return no_update, no_update, gates_patch(gates, run.config.cell, title, scales)
        k = window_index(window, last + 1)
        return last, marks, make_gates_figure(gates, run.config.cell, title, first_step=first_step,
                                              columns=gate_columns(run, k, first_step), scales=scales)


def _register_paused(app: Dash, library: RunLibrary) -> None:
    """A paused job's run as it stands, in the forecast, metrics, rollout and gate views.

    Dash holds back every callback that reads (even as State) what a running job's outputs
    lead to, such as the runs store, until the job ends; this one reads only the paused run's name
    (from the job's progress) and the views' own settings, so it draws while the job waits. The
    finished run replaces its pictures when the job ends."""

    # allow_duplicate: the callbacks above draw finished runs; this one only a paused job's run
    @app.callback(
        Output(ids.FORECAST_GRAPH, "figure", allow_duplicate=True),
        Output(ids.METRICS_TABLE, "children", allow_duplicate=True),
        Output(ids.ROLLOUT_GRAPH, "figure", allow_duplicate=True),
        Output(ids.ROLLOUT_NOTE, "children", allow_duplicate=True),
        Output(ids.GATES_GRAPH, "figure", allow_duplicate=True),
        Input(ids.PAUSED_RUN, "data"),
        State(ids.GATE_WINDOW, "value"),
        State(ids.ROLLOUT_STEPS, "value"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def show_paused(marker, window, steps, tab):
        page = library.page(tab, [])
        held = page.paused(marker)
        if held is None:
            return [no_update] * 5
        k = window_index(window, len(held.forecast.index))
        steps = rollout_steps(steps)
        preds, bands, _ = rollouts([held], steps, [lambda: page.rollout(held, None, steps,
                                                                        DROPOUT_PASSES * (held.config.dropout > 0))])
        rollout = make_rollout_figure(held.series, held.split, [(held.label, preds[0].tolist())], bands=bands,
                                      axis=held.axis, styles=run_styles([held]))
        with page.model(held) as model:
            gates = gates_view(held, k, model)[2]
        return (make_forecast_figure([held], held.window_span(k)), make_metrics_table([held]), rollout,
                rollout_note([held], preds, steps), gates)


def rollouts(shown: list[RunRecord], steps: int, made: list | None = None
             ) -> tuple[list[np.ndarray], dict[int, np.ndarray], set[int]]:
    """(each run's rollout of ``steps``, the Monte-Carlo bands of runs with dropout, the runs too large to
    roll out again here). ``made``: for each run, a function giving (its rollout, its band or None),
    made once (``PageRuns.rollout``); by default each is made afresh. A large model's rollout is not
    recomputed in the web process (it would cost more than ``VIEW_MACS``): the one its run made is
    shown instead."""
    heavy = {i for i, run in enumerate(shown) if rollout_macs(run.config, steps) > VIEW_MACS}
    preds, bands = [], {}
    for i, run in enumerate(shown):
        if i in heavy:
            preds.append(np.asarray(run.rollout.pred[:steps]))
            continue
        if made:
            pred, band = made[i]()
        else:
            model = restore(run)
            pred = model.rollout(steps)
            band = model.rollout_band(steps, DROPOUT_PASSES) if run.config.dropout > 0 else None
        preds.append(pred)
        if band is not None:
            bands[i] = band
    return preds, bands, heavy


def gate_columns(run: RunRecord, window: int, first_step: int) -> list:
    """Where each heatmap column of test window ``window`` lies on the series' time axis (the cursor's)."""
    first, target = run.window_span(window)
    return run.axis.xs(range(first + first_step, target))


def gate_window(run: RunRecord, window: int | None, model=None, edits=None) -> tuple[int, dict, dict, str, int]:
    """(the last test window, the slider's marks, the activations of test window ``window``, the title,
    the window step their first column is): at most the window's last ``MAX_GATE_STEPS`` steps, so
    that a long window's figure stays small enough to send. ``model``: the run's restored model, if at
    hand; ``edits``: the what-if view's, shown instead of the data where they are for this window."""
    last = len(run.forecast.index) - 1
    k = window_index(window, last + 1)
    first, target = run.window_span(k)
    model = model or restore(run)
    changed = edited_window(run, model.prep_, k, edits)
    gates = model.gate_activations(k) if changed is None else model.model_.gate_activations(changed[0])
    shown = min(run.config.seq_len, MAX_GATE_STEPS)
    cut = "" if shown == run.config.seq_len else f"; its last {shown} steps (a figure of every step is too large to send)"
    what = ", as edited in the what-if view" if changed is not None else ""
    title = (f"Inside {run.label}<br><sup>test window {k}{what}: steps {first} to {target - 1}, predicting step "
             f"{target}{cut}</sup>")
    marks = {v: str(v) for v in sorted({0, last // 4, last // 2, 3 * last // 4, last})}
    return last, marks, {name: a[-shown:] for name, a in gates.items()}, title, run.config.seq_len - shown


def gates_view(run: RunRecord, window: int | None, model=None) -> tuple[int, dict, go.Figure]:
    """(the last test window, the slider's marks, the heatmaps of test window ``window``; see ``gate_window``)."""
    last, marks, gates, title, first_step = gate_window(run, window, model)
    k = window_index(window, last + 1)
    return last, marks, make_gates_figure(gates, run.config.cell, title, first_step=first_step,
                                          columns=gate_columns(run, k, first_step))
