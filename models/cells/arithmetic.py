"""One unit's arithmetic at one step of a window: every number its equations add up.

"Why is this cell of the forget-gate heatmap 0.93?" For unit j at step t the forget
gate is

    f = sigmoid(W_if x_t + b_if + sum_k W_hf[j, k] h_{t-1}[k] + b_hf)

and ``unit_arithmetic`` returns each product of that sum (one per input, one per unit
of the previous hidden state), the biases, the pre-activation and the gate, and the
same for every other gate and state of the cell. The states the step reads come from
the lesson's own steps (``models.cells``); the sums are recomputed here from the
weights, term by term, in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.cells import CELLS, layer, zero_state
from models.cells.common import sigmoid

FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "": lambda a: a}
# Each gate whose value is a sum: (its block in PyTorch's rows, the function applied to the sum).
SUMS = {
    "lstm": {"i": (0, "sigmoid"), "f": (1, "sigmoid"), "g": (2, "tanh"), "o": (3, "sigmoid")},
    "gru": {"r": (0, "sigmoid"), "z": (1, "sigmoid"), "n": (2, "tanh")},
    "gru_cho": {"r": (0, "sigmoid"), "z": (1, "sigmoid"), "n": (2, "tanh")},
    "rnn": {"a": (0, "")},
}
# The states each cell's step makes from its gates, in the order they are computed.
UPDATES = {
    "lstm": {"c": "f * c_prev + i * g", "h": "o * tanh(c)"},
    "gru": {"h": "(1 - z) * n + z * h_prev"},
    "gru_cho": {"h": "(1 - z) * n + z * h_prev"},
    "rnn": {"h": "tanh(a)"},
}


@dataclass(frozen=True)
class Term:
    """One product of a sum: ``weight * value``; ``source`` names the input or the unit read."""

    source: str
    weight: float
    value: float

    @property
    def product(self) -> float:
        return self.weight * self.value


@dataclass(frozen=True)
class GateSum:
    """``value = function(pre)``, with ``pre = sum(inputs) + bias_ih + scale * (sum(recurrent) + bias_hh)``.

    ``scale`` is 1 except for PyTorch's GRU candidate, where the reset gate r multiplies the
    recurrent part; in the textbook GRU the recurrent terms read r * h_prev instead."""

    name: str
    function: str  # "sigmoid", "tanh", or "" (the plain RNN's pre-activation a is shown as it is)
    inputs: tuple[Term, ...]
    bias_ih: float
    recurrent: tuple[Term, ...]
    bias_hh: float
    scale: float
    pre: float
    value: float

    def top_recurrent(self, count: int) -> tuple[tuple[Term, ...], float]:
        """The ``count`` recurrent terms largest in size, and the sum of the others."""
        ranked = sorted(self.recurrent, key=lambda term: -abs(term.product))
        return tuple(ranked[:count]), float(sum(term.product for term in ranked[count:]))


@dataclass(frozen=True)
class Update:
    """A state made from gates: ``value`` = ``formula`` with ``operands`` {name: value}."""

    name: str
    formula: str
    operands: dict[str, float]
    value: float


def _state_before(cell: str, x_one: np.ndarray, params: dict, step: int) -> tuple[np.ndarray, ...]:
    """The state the cell holds after steps 0 .. step - 1 of the window (zeros before step 0)."""
    if step == 0:
        return zero_state(cell, 1, params["weight_hh"].shape[1], x_one.dtype)
    return layer(cell, x_one[None, :step], params)[1]


def unit_arithmetic(cell: str, x_one: np.ndarray, params: dict[str, np.ndarray], step: int, unit: int,
                    input_names: tuple[str, ...] = ()) -> dict[str, GateSum | Update]:
    """Every gate and state of ``unit`` at window step ``step``, for one window ``x_one`` (T, D), in the
    order the step computes them. ``params``: the layer's four arrays (``models.cells``); ``input_names``:
    a name per input (x by default)."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    x_one = np.asarray(x_one)
    T, D = x_one.shape
    H = params["weight_hh"].shape[1]
    if not 0 <= step < T:
        raise ValueError(f"step must be a whole number from 0 to {T - 1}, got {step}")
    if not 0 <= unit < H:
        raise ValueError(f"unit must be a whole number from 0 to {H - 1}, got {unit}")
    names = tuple(input_names) or (("x",) if D == 1 else tuple(f"x{d}" for d in range(D)))
    state = _state_before(cell, x_one, params, step)
    h_prev = np.asarray(state[0][0], dtype=np.float64)
    x_t = np.asarray(x_one[step], dtype=np.float64)
    w_ih, w_hh = (np.asarray(params[k], dtype=np.float64) for k in ("weight_ih", "weight_hh"))
    b_ih, b_hh = (np.asarray(params[k], dtype=np.float64) for k in ("bias_ih", "bias_hh"))
    out: dict[str, GateSum | Update] = {}
    for name, (block, function) in SUMS[cell].items():
        row = block * H + unit
        reads, scale = h_prev, 1.0
        if name == "n" and cell == "gru":
            scale = out["r"].value
        elif name == "n":  # the textbook GRU: W_hn (r * h_prev), r of every unit
            reads = h_prev * _reset_gate(x_t, h_prev, w_ih, w_hh, b_ih, b_hh)
        inputs = tuple(Term(names[d], float(w_ih[row, d]), float(x_t[d])) for d in range(D))
        source = "r h_prev" if reads is not h_prev else "h_prev"
        recurrent = tuple(Term(f"{source}[{k}]", float(w_hh[row, k]), float(reads[k])) for k in range(H))
        pre = (sum(t.product for t in inputs) + float(b_ih[row])
               + scale * (sum(t.product for t in recurrent) + float(b_hh[row])))
        out[name] = GateSum(name, function, inputs, float(b_ih[row]), recurrent, float(b_hh[row]), scale, pre,
                            float(FUNCTIONS[function](pre)))
    values = {k: v.value for k, v in out.items()}
    if cell == "lstm":
        c_prev = float(state[1][0][unit])
        c = values["f"] * c_prev + values["i"] * values["g"]
        out["c"] = Update("c", UPDATES[cell]["c"], {"f": values["f"], "c_prev": c_prev, "i": values["i"],
                                                    "g": values["g"]}, c)
        out["h"] = Update("h", UPDATES[cell]["h"], {"o": values["o"], "c": c}, values["o"] * float(np.tanh(c)))
    elif cell == "rnn":
        out["h"] = Update("h", UPDATES[cell]["h"], {"a": values["a"]}, float(np.tanh(values["a"])))
    else:
        z, n = values["z"], values["n"]
        out["h"] = Update("h", UPDATES[cell]["h"], {"z": z, "n": n, "h_prev": float(h_prev[unit])},
                          (1.0 - z) * n + z * float(h_prev[unit]))
    return out


def _reset_gate(x_t, h_prev, w_ih, w_hh, b_ih, b_hh) -> np.ndarray:
    """The reset gate r of every unit (the textbook GRU's candidate reads r * h_prev of all units)."""
    rows = slice(0, h_prev.shape[0])
    return sigmoid(w_ih[rows] @ x_t + b_ih[rows] + w_hh[rows] @ h_prev + b_hh[rows])
