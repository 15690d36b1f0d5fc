"""The GRU cell, in PyTorch's form (``nn.GRU``), gate blocks r | z | n.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)           reset gate
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)           update gate: how much of h to keep
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))        candidate
    h' = (1 - z) * n + z * h

The reset gate multiplies ``W_hn h + b_hn``, so all three products with h are one matrix
product computed before r is known (the textbook form is ``models.cells.gru_cho``).
Shapes: x (N, D); h (N, H); weight_ih (3H, D), weight_hh (3H, H), biases (3H,).
"""

from __future__ import annotations

import numpy as np

from models.cells.common import affine_grads, sigmoid

STATES = 1
GATES = ("r", "z", "n")


def step(x: np.ndarray, state: tuple, p: dict) -> tuple[tuple, tuple]:
    (h,) = state
    H = h.shape[1]
    ax = x @ p["weight_ih"].T + p["bias_ih"]
    ah = h @ p["weight_hh"].T + p["bias_hh"]
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])
    hn = ah[:, 2 * H :]
    n = np.tanh(ax[:, 2 * H :] + r * hn)
    return ((1.0 - z) * n + z * h,), (x, h, r, z, n, hn, p)


def step_back(dstate: tuple, cache: tuple) -> tuple[np.ndarray, tuple, dict]:
    (dh,) = dstate
    x, h, r, z, n, hn, p = cache
    dn = dh * (1.0 - z) * (1.0 - n**2)  # through tanh: the candidate's pre-activation
    dr = dn * hn * r * (1.0 - r)
    dz = dh * (h - n) * z * (1.0 - z)
    da_x = np.concatenate([dr, dz, dn], axis=1)
    da_h = np.concatenate([dr, dz, dn * r], axis=1)
    dx = da_x @ p["weight_ih"]
    dh_prev = dh * z + da_h @ p["weight_hh"]
    return dx, (dh_prev,), affine_grads(da_x, da_h, x, h)


def gates(cache: tuple) -> dict[str, np.ndarray]:
    x, h, r, z, n, hn, p = cache
    return {"r": r, "z": z, "n": n, "h": (1.0 - z) * n + z * h}
