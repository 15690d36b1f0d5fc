"""The GRU cell of Cho et al. (2014), the textbook form, gate blocks r | z | n.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)      the reset gate acts before the product
    h' = (1 - z) * n + z * h

Same parameters as ``models.cells.gru``; no PyTorch layer computes it.
Shapes: x (N, D); h (N, H); weight_ih (3H, D), weight_hh (3H, H), biases (3H,).
"""

from __future__ import annotations

import numpy as np

from models.cells.common import sigmoid

STATES = 1
GATES = ("r", "z", "n")


def step(x: np.ndarray, state: tuple, p: dict) -> tuple[tuple, tuple]:
    (h,) = state
    H = h.shape[1]
    w_hh, b_hh = p["weight_hh"], p["bias_hh"]
    ax = x @ p["weight_ih"].T + p["bias_ih"]
    r = sigmoid(ax[:, :H] + h @ w_hh[:H].T + b_hh[:H])
    z = sigmoid(ax[:, H : 2 * H] + h @ w_hh[H : 2 * H].T + b_hh[H : 2 * H])
    n = np.tanh(ax[:, 2 * H :] + (r * h) @ w_hh[2 * H :].T + b_hh[2 * H :])
    return ((1.0 - z) * n + z * h,), (x, h, r, z, n, p)


def step_back(dstate: tuple, cache: tuple) -> tuple[np.ndarray, tuple, dict]:
    (dh,) = dstate
    x, h, r, z, n, p = cache
    H = h.shape[1]
    w_hh = p["weight_hh"]
    dn = dh * (1.0 - z) * (1.0 - n**2)
    drh = dn @ w_hh[2 * H :]  # the gradient of r * h
    dr = drh * h * r * (1.0 - r)
    dz = dh * (h - n) * z * (1.0 - z)
    da_x = np.concatenate([dr, dz, dn], axis=1)
    dx = da_x @ p["weight_ih"]
    dh_prev = dh * z + drh * r + dr @ w_hh[:H] + dz @ w_hh[H : 2 * H]
    grads = {"weight_ih": da_x.T @ x, "bias_ih": da_x.sum(axis=0), "bias_hh": da_x.sum(axis=0),
             "weight_hh": np.concatenate([dr.T @ h, dz.T @ h, dn.T @ (r * h)], axis=0)}
    return dx, (dh_prev,), grads


def gates(cache: tuple) -> dict[str, np.ndarray]:
    x, h, r, z, n, p = cache
    return {"r": r, "z": z, "n": n, "h": (1.0 - z) * n + z * h}
