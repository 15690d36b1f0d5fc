"""The plain RNN cell (``nn.RNN``, tanh): no gates.

    a = W_ih x + b_ih + W_hh h + b_hh
    h' = tanh(a)

Back through T steps the gradient is multiplied by tanh'(a) W_hh at every step, so it
vanishes or explodes over a long window: the reason for the gates.
Shapes: x (N, D); h (N, H); weight_ih (H, D), weight_hh (H, H), biases (H,).
"""

from __future__ import annotations

import numpy as np

from models.cells.common import affine_grads

STATES = 1
GATES = ("a",)


def step(x: np.ndarray, state: tuple, p: dict) -> tuple[tuple, tuple]:
    (h,) = state
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    h_next = np.tanh(a)
    return (h_next,), (x, h, a, h_next, p)


def step_back(dstate: tuple, cache: tuple) -> tuple[np.ndarray, tuple, dict]:
    (dh,) = dstate
    x, h, a, h_next, p = cache
    da = dh * (1.0 - h_next**2)
    return da @ p["weight_ih"], (da @ p["weight_hh"],), affine_grads(da, da, x, h)


def gates(cache: tuple) -> dict[str, np.ndarray]:
    x, h, a, h_next, p = cache
    return {"a": a, "h": h_next}
