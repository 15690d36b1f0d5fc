"""Explain the number (``cell-explain``): one unit's equation at one step, with the numbers the
model computed filled in.

Click a cell of a gate heatmap (or choose gate, unit and step with the keyboard) and the
view writes that gate's sum term by term: the input's product, the largest products of
the recurrent sum named by unit and the rest as one number, the biases, the sum and the
gate; then one line for each other gate and state of that unit at that step. Every
number carries its full value (``data-value``, and as a tooltip), so a test can hold it
to the model's.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html, no_update

from components.page import ids
from components.server.services import Services
from components.page.figures import HEATMAP_GATES
from components.page.views import shown
from components.page.views.epochs import epoch_of, position_shown
from components.page.views.shown import window_index
from components.page.views.whatif import edited_window
from data.bounds import Bound
from models.cells.arithmetic import GateSum, Update, unit_arithmetic
from models.run import RunRecord

TOP_TERMS = 3  # the recurrent products shown one by one; the others as one number
SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "": ""}
# each summed gate's weight suffixes: W_i? for the input, W_h? for the state, as in PyTorch's names
SUFFIX = {"i": "i", "f": "f", "g": "g", "o": "o", "r": "r", "z": "z", "n": "n", "a": "h"}
GATE_NAMES = {"i": "i (input)", "f": "f (forget)", "g": "g (candidate)", "o": "o (output)", "c": "c (cell)",
              "r": "r (reset)", "z": "z (update)", "n": "n (candidate)", "a": "a (pre-activation)",
              "h": "h (hidden)"}


def number(value: float, name: str, term: bool = False) -> html.Span:
    """A number as the page shows it (3 decimals; in parentheses when negative and a ``term`` of a sum),
    with its full value for a tooltip and for tests."""
    shown = f"({value:.3f})" if term and value < 0 else f"{value:.3f}"
    return html.Span(shown, title=f"{value:.9g}", className="gl-num", **{"data-name": name,
                                                                         "data-value": repr(value)})


def gate_choices(cell: str) -> list[dict]:
    names = [*HEATMAP_GATES[cell]] + [k for k in ("h",) if k not in HEATMAP_GATES[cell]]
    return [{"label": GATE_NAMES.get(k, k), "value": k} for k in names]


def symbolic(g: GateSum, unit: int) -> str:
    """The gate's equation for ``unit``, in symbols."""
    s = SUFFIX[g.name]
    reads = "r_k h_{t-1}[k]" if _reads_reset(g) else "h_{t-1}[k]"
    recurrent = f"Σ_k W_h{s}[{unit}, k] {reads} + b_h{s}"
    body = f"W_i{s} x_t + b_i{s} + " + (f"r · ({recurrent})" if _scaled(g) else recurrent)
    return f"{g.name} = {SYMBOL[g.function]}({body})" if g.function else f"{g.name} = {body}"


def gate_lines(g: GateSum, unit: int, full: bool) -> list:
    """The gate's equation, then its numbers: the input terms, the recurrent sum (its largest terms named
    when ``full``), the biases, the sum and the value."""
    n = g.name
    parts: list = []
    for d, t in enumerate(g.inputs):
        parts += [" + " if parts else "", number(t.weight, f"{n}.w_x{d}"), " · ", number(t.value, f"{n}.x{d}", True)]
    parts += [" + ", number(g.bias_ih, f"{n}.b_ih", True), " + "]
    recurrent_sum = sum(t.product for t in g.recurrent)
    rec = ["(sum over ", str(len(g.recurrent)), " units) ", number(recurrent_sum, f"{n}.recurrent", True), " + ",
           number(g.bias_hh, f"{n}.b_hh", True)]
    parts += [number(g.scale, f"{n}.r"), " · (", *rec, ")"] if _scaled(g) else rec
    sym = SYMBOL[g.function]
    tail = [" = ", sym + "(" if sym else "", number(g.pre, f"{n}.pre"), ")" if sym else ""]
    if sym:
        tail += [" = ", html.Strong(number(g.value, f"{n}.value"))]
    numbers = html.Div(["= " if full else f"{n} = ", sym + "(" if sym else "", *parts, ")" if sym else "", *tail],
                       className="font-monospace")
    if not full:
        return [numbers]
    lines = [html.Div(symbolic(g, unit), className="font-monospace"), numbers]
    if full:
        top, rest = g.top_recurrent(TOP_TERMS)
        items = []
        for t in top:
            k = t.source.rsplit("[", 1)[1].rstrip("]")
            items.append(html.Li([f"unit {k}: ", number(t.weight, f"{n}.w_h{k}"), " · ",
                                  number(t.value, f"{n}.h{k}", True), " = ", number(t.product, f"{n}.term{k}")]))
        items.append(html.Li([f"the other {len(g.recurrent) - len(top)} units together: ",
                              number(rest, f"{n}.rest")]))
        lines.append(html.Div([html.Span("Largest terms of the recurrent sum:", className="text-muted"),
                               html.Ul(items, className="mb-0")]))
    return lines


def _reads_reset(g: GateSum) -> bool:
    """The textbook GRU's candidate: its recurrent terms read r * h_prev."""
    return g.recurrent[0].source.startswith("r ")


def _scaled(g: GateSum) -> bool:
    """PyTorch's GRU candidate: r multiplies the recurrent part."""
    return g.name == "n" and not _reads_reset(g)


def update_lines(u: Update) -> list:
    values = [f" {k} = " if i else f"{k} = " for i, k in enumerate(u.operands)]
    shown = []
    for (k, v), lead in zip(u.operands.items(), values):
        shown += [lead, number(v, f"{u.name}.{k}")]
    return [html.Div(f"{u.name} = {u.formula}", className="font-monospace"),
            html.Div(["with ", *shown, " gives ", html.Strong(number(u.value, f"{u.name}.value"))],
                     className="font-monospace")]


def explain_lines(arithmetic: dict, chosen: str, unit: int) -> list:
    """The chosen gate in full, then one short block for each other gate and state, in the step's order."""
    def block(name: str) -> html.Div:
        item = arithmetic[name]
        body = gate_lines(item, unit, name == chosen) if isinstance(item, GateSum) else update_lines(item)
        return html.Div(body, className="mb-2" if name == chosen else "mb-1 text-muted")

    others = [block(name) for name in arithmetic if name != chosen]
    return [block(chosen), html.Details([html.Summary(f"The unit's other gates and states at this step "
                                                      f"({', '.join(n for n in arithmetic if n != chosen)})",
                                                      className="small"), *others])]


def layout() -> html.Div:
    field = {"type": "number", "min": 0, "step": 1, "size": "sm", "debounce": True}
    return html.Div(
        [
            html.P("Click a cell of a heatmap, or choose it here: that unit's equation at that step, with the "
                   "model's numbers.", className="small text-muted mb-1"),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Gate", html_for=ids.EXPLAIN_GATE, className="small mb-0"),
                             dbc.Select(id=ids.EXPLAIN_GATE, options=gate_choices("lstm"), value="f", size="sm")]),
                    dbc.Col([dbc.Label("Unit", html_for=ids.EXPLAIN_UNIT, className="small mb-0"),
                             dbc.Input(id=ids.EXPLAIN_UNIT, value=0, **field)]),
                    dbc.Col([dbc.Label("Step in the window", html_for=ids.EXPLAIN_STEP, className="small mb-0"),
                             dbc.Input(id=ids.EXPLAIN_STEP, value=1, **field)]),
                ],
                className="g-1 mb-1",
            ),
            html.Div(id=ids.CELL_EXPLAIN, className="small", role="status", **{"aria-live": "polite"}),
        ]
    )


def arithmetic_of(run: RunRecord, model, window: int, step: int, unit: int, values=None) -> dict:
    """``unit_arithmetic`` of the run's restored ``model`` (a ``Forecaster``) on test window ``window``,
    or on the window ``values`` (L, D) where given (an edited one)."""
    prep = model.prep_
    x = prep.test.X[window] if values is None else values
    state = model.model_.state_dict()
    params = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    return unit_arithmetic(run.config.cell, x, params, step, unit, ("x", *prep.feature_names))


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(
        Output(ids.EXPLAIN_GATE, "options"),
        Output(ids.EXPLAIN_GATE, "value"),
        Output(ids.EXPLAIN_UNIT, "value"),
        Output(ids.EXPLAIN_STEP, "value"),
        Output(ids.EXPLAIN_UNIT, "max"),
        Output(ids.EXPLAIN_STEP, "max"),
        Input(ids.GATES_GRAPH, "clickData"),
        *shown.inputs(shown.CURRENT),
        State(ids.EXPLAIN_GATE, "value"),
        *shown.TAB,
    )
    def choose(click, current_id, gate, store, tab):
        """A click on a heatmap chooses its gate, unit and step; a new run keeps the choice where it can."""
        _, run = shown.current(library, tab, store, current_id)
        if run is None:
            return no_update, no_update, no_update, no_update, no_update, no_update
        cell, H, L = run.config.cell, run.config.hidden_size, run.config.seq_len
        choices = gate_choices(cell)
        names = [c["value"] for c in choices]
        if ctx.triggered_id == ids.GATES_GRAPH and click and click.get("points"):
            point = click["points"][0]
            drawn = HEATMAP_GATES[cell]
            curve = int(point.get("curveNumber", 0))
            if 0 <= curve < len(drawn):
                step, unit = int(point["x"]), int(point["y"])
                return choices, drawn[curve], min(max(unit, 0), H - 1), min(max(step, 0), L - 1), H - 1, L - 1
        return choices, gate if gate in names else names[0], no_update, no_update, H - 1, L - 1

    @app.callback(
        Output(ids.CELL_EXPLAIN, "children"),
        Input(ids.EXPLAIN_GATE, "value"),
        Input(ids.EXPLAIN_UNIT, "value"),
        Input(ids.EXPLAIN_STEP, "value"),
        Input(ids.GATE_WINDOW, "value"),
        Input(ids.WHATIF_EDITS, "data"),
        *shown.inputs(shown.CURRENT),
        State(ids.REPLAY_SHOWN, "data"),
        *shown.TAB,
    )
    def explain(gate, unit, step, window, edits, current_id, position, store, tab):
        position = position_shown(position, current_id)
        page, run = shown.current(library, tab, store, current_id)
        if run is None:
            return "Train a run to see its arithmetic."
        return arithmetic_view(page, run, position, gate, unit, step, window, edits)


def arithmetic_view(page, run: RunRecord, position: int | None, gate, unit, step, window, edits) -> list:
    """The chosen unit's sum at the replayed epoch, or a sentence on what is wrong with the unit or step."""
    H, L = run.config.hidden_size, run.config.seq_len
    checks = (("Unit", Bound("int", 0, H - 1).problem(unit)),
              ("Step in the window", Bound("int", 0, L - 1).problem(step)))
    problems = [f"{name} {problem}" for name, problem in checks if problem]
    if problems:
        return html.Span("; ".join(problems) + ".", className="text-danger")
    unit, step = int(unit), int(step)  # whole numbers by now (3.0 is 3)
    with page.model(run, epoch_of(run, position)) as model:
        k = window_index(window, model.prep_.test.X.shape[0])
        values = edited_window(run, model.prep_, k, edits)
        arithmetic = arithmetic_of(run, model, k, step, unit, None if values is None else values[0])
    chosen = gate if gate in arithmetic else next(iter(arithmetic))
    where = "the edited window" if values is not None else f"test window {k}"
    return [html.P(f"Unit {unit} at step {step} of {where} ({run.label}):", className="mb-1 fw-semibold"),
            *explain_lines(arithmetic, chosen, unit)]
