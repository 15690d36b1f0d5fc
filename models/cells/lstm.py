"""The LSTM cell, in PyTorch's form (``nn.LSTM``), gate blocks i | f | g | o.

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     input gate: how much to write
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)     forget gate: how much to keep
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)        candidate: what to write
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)     output gate: how much to show
    c' = f * c + i * g
    h' = o * tanh(c')

Shapes: x (N, D); h, c (N, H); weight_ih (4H, D), weight_hh (4H, H), biases (4H,).
"""

from __future__ import annotations

import numpy as np

from models.cells.common import affine_grads, sigmoid

STATES = 2  # (h, c)
GATES = ("i", "f", "g", "o")


def step(x: np.ndarray, state: tuple, p: dict) -> tuple[tuple, tuple]:
    h, c = state
    H = h.shape[1]
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
    g = np.tanh(a[:, 2 * H : 3 * H])
    c_next = f * c + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return (h_next, c_next), (x, h, c, i, f, g, o, c_next, tanh_c, p)


def step_back(dstate: tuple, cache: tuple) -> tuple[np.ndarray, tuple, dict]:
    dh, dc = dstate
    x, h, c, i, f, g, o, _, tanh_c, p = cache
    dc = dc + dh * o * (1.0 - tanh_c**2)  # c' reaches the loss directly and through h'
    di, df, dg, do = dc * g, dc * c, dc * i, dh * tanh_c
    da = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g**2), do * o * (1.0 - o)], axis=1)
    dx = da @ p["weight_ih"]
    dh_prev = da @ p["weight_hh"]
    return dx, (dh_prev, dc * f), affine_grads(da, da, x, h)


def gates(cache: tuple) -> dict[str, np.ndarray]:
    """The step's gates, its cell state and its output, each (N, H)."""
    x, h, c, i, f, g, o, c_next, tanh_c, p = cache
    return {"i": i, "f": f, "g": g, "o": o, "c": c_next, "h": o * tanh_c}
