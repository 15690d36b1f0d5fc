"""Each recurrent cell's equations, once, written to be read: the lesson behind the fast kernels.

In the style of CS231n's ``rnn_layers.py``: a cell is two functions,

    state, cache = step(x, state, params)              # one time step forward
    dx, dstate_prev, grads = step_back(dstate, cache)  # and back

with ``x`` (N, D), ``state`` a tuple of (N, H) arrays ((h, c) for the LSTM, (h,) for the
others), and ``params`` PyTorch's four arrays under its names without the layer suffix:
``weight_ih`` (G H, D), ``weight_hh`` (G H, H), ``bias_ih`` and ``bias_hh`` (G H,), the G
gate blocks in PyTorch's order (LSTM i | f | g | o, GRU r | z | n). ``layer`` and
``layer_back`` loop a cell over a window, and the backward returns ``dx`` (N, T, D): the
gradient with respect to every input of the window.

The fast NumPy kernels (``models.kernels.lstm`` and its kin) compute the same numbers in
another layout; the tests hold them, and PyTorch, to these.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from models.cells import gru, gru_cho, lstm, rnn

CELLS: dict[str, ModuleType] = {"lstm": lstm, "gru": gru, "rnn": rnn, "gru_cho": gru_cho}


def zero_state(cell: str, n: int, hidden: int, dtype=np.float64) -> tuple[np.ndarray, ...]:
    """The state a window starts from: zeros, (h, c) for the LSTM, (h,) for the others."""
    return tuple(np.zeros((n, hidden), dtype=dtype) for _ in range(CELLS[cell].STATES))


def layer(cell: str, x: np.ndarray, params: dict[str, np.ndarray], state: tuple | None = None):
    """``cell`` over a window ``x`` (N, T, D): (every step's h (N, T, H), the last state, the caches)."""
    step = CELLS[cell].step
    n, steps, _ = x.shape
    state = state if state is not None else zero_state(cell, n, params["weight_hh"].shape[1], x.dtype)
    hs, caches = [], []
    for t in range(steps):
        state, cache = step(x[:, t], state, params)
        hs.append(state[0])
        caches.append(cache)
    return np.stack(hs, axis=1), state, caches


def cell_gates(cell: str, x_one: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every gate of ``cell`` (and its state) at every step of one window ``x_one`` (1, T, D): {name: (T, H)}."""
    _, _, caches = layer(cell, x_one, params)
    gates = CELLS[cell].gates
    names = gates(caches[0])
    return {k: np.stack([gates(c)[k][0] for c in caches]) for k in names}


def layer_back(cell: str, dhs: np.ndarray, caches: list, dlast: tuple | None = None,
               dh_norms: np.ndarray | None = None):
    """Back through ``layer``: ``dhs`` (N, T, H) the loss's gradient with respect to every step's h,
    ``dlast`` with respect to the last state (beyond its h). Returns (dx (N, T, D), the gradient with
    respect to the first state, the gradient of every parameter). ``dh_norms`` (T,), when given,
    receives ||dLoss/dh_t|| of every step through every path, averaged over the batch (the gradient
    flow through time)."""
    step_back = CELLS[cell].step_back
    dstate = tuple(np.zeros_like(dhs[:, 0]) for _ in range(CELLS[cell].STATES))
    if dlast is not None:
        dstate = tuple(a + b for a, b in zip(dstate, dlast))
    grads, dxs = None, []
    for t in reversed(range(dhs.shape[1])):
        dstate = (dstate[0] + dhs[:, t], *dstate[1:])
        if dh_norms is not None:
            dh_norms[t] = float(np.mean(np.linalg.norm(dstate[0], axis=1)))
        dx, dstate, g = step_back(dstate, caches[t])
        grads = g if grads is None else {k: grads[k] + g[k] for k in g}
        dxs.append(dx)
    return np.stack(dxs[::-1], axis=1), dstate, grads
