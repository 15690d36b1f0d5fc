"""The textbook GRU (Cho et al., 2014) in NumPy: forward pass and backpropagation through time.

The reset gate multiplies the state *before* the matrix product:

    r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n  = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
    h' = (1 - z) * n + z * h

PyTorch's ``nn.GRU`` (and cuDNN) instead compute ``r * (W_hn h + b_hn)``: then all three
products with h are one matrix product, made before r is known. Here ``W_hn`` has to
wait for r, a second product per step that depends on the first. Same parameters,
same layout (``weight_ih (3H, D)`` in the order r, z, n), so this cell has no PyTorch
twin and lives in the NumPy backend only. Written plainly, batch first, for reading:
N batch, T time steps, D input size, H hidden size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.steps import mean_column_norm
from models.workspace import Workspace


class ChoCache(NamedTuple):
    x: np.ndarray  # (N, T, D)
    h: np.ndarray  # (T + 1, N, H) states; h[0] = 0
    r: np.ndarray  # (T, N, H)
    z: np.ndarray
    n: np.ndarray
    params: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # no overflow warning for large |a|


def cho_step(x_t: np.ndarray, h: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh):
    """One step for a batch: x_t (N, D), h (N, H) -> (h', r, z, n)."""
    H = h.shape[1]
    gi = x_t @ weight_ih.T + bias_ih  # (N, 3H)
    w_hr, w_hz, w_hn = weight_hh[:H], weight_hh[H : 2 * H], weight_hh[2 * H :]
    r = _sigmoid(gi[:, :H] + h @ w_hr.T + bias_hh[:H])
    z = _sigmoid(gi[:, H : 2 * H] + h @ w_hz.T + bias_hh[H : 2 * H])
    n = np.tanh(gi[:, 2 * H :] + (r * h) @ w_hn.T + bias_hh[2 * H :])
    return (1.0 - z) * n + z * h, r, z, n


def gru_cho_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                    ws: Workspace | None = None) -> tuple[np.ndarray, ChoCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state: (h_T (N, H), cache or None)."""
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    h = np.zeros((T + 1, N, H), dtype=dt)
    gates = np.zeros((3, T, N, H), dtype=dt)
    for t in range(T):
        h[t + 1], gates[0, t], gates[1, t], gates[2, t] = cho_step(x[:, t], h[t], weight_ih, weight_hh, bias_ih,
                                                                   bias_hh)
    cache = ChoCache(x, h, gates[0], gates[1], gates[2], (weight_ih, weight_hh, bias_ih, bias_hh))
    return h[T].copy(), (cache if keep_cache else None)


def gru_cho_backward(dh_last: np.ndarray, cache: ChoCache, ws: Workspace | None = None,
                     dh_norms: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Gradients of every parameter given dLoss/dh_T, ``dh_last`` (N, H); ``dh_norms`` (T,), when
    given, receives ||dLoss/dh_t|| for every step, through every path, averaged over the batch."""
    x, hs, r, z, n, (w_ih, w_hh, _, _) = cache
    T, _, H = r.shape
    w_hr, w_hz, w_hn = w_hh[:H], w_hh[H : 2 * H], w_hh[2 * H :]
    d_wih, d_whh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    d_bih, d_bhh = np.zeros(3 * H, dtype=w_hh.dtype), np.zeros(3 * H, dtype=w_hh.dtype)
    dh = np.asarray(dh_last, dtype=w_hh.dtype).copy()
    for t in range(T - 1, -1, -1):
        if dh_norms is not None:
            dh_norms[t] = mean_column_norm(dh.T)
        h = hs[t]
        dn = dh * (1.0 - z[t])
        dz = dh * (h - n[t])
        dh_prev = dh * z[t]
        da_n = dn * (1.0 - n[t] ** 2)
        d_rh = da_n @ w_hn
        da_r = d_rh * h * r[t] * (1.0 - r[t])
        da_z = dz * z[t] * (1.0 - z[t])
        dh_prev += d_rh * r[t] + da_r @ w_hr + da_z @ w_hz
        da = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H): the input side, in gate order
        d_wih += da.T @ x[:, t]
        d_bih += da.sum(axis=0)
        d_whh[:H] += da_r.T @ h
        d_whh[H : 2 * H] += da_z.T @ h
        d_whh[2 * H :] += da_n.T @ (r[t] * h)
        d_bhh += da.sum(axis=0)
        dh = dh_prev
    return {"weight_ih": d_wih, "weight_hh": d_whh, "bias_ih": d_bih, "bias_hh": d_bhh}


def gru_cho_gates(cache: ChoCache, sample: int = 0) -> dict[str, np.ndarray]:
    """Reset gate r, update gate z, candidate n and hidden state h of one sample, each (T, H)."""
    return {"r": cache.r[:, sample].copy(), "z": cache.z[:, sample].copy(), "n": cache.n[:, sample].copy(),
            "h": cache.h[1:, sample].copy()}


class ChoLanes:
    """``lanes`` states advanced together, one input row for all of them (see ``models.rollout``)."""

    def __init__(self, model, lanes: int) -> None:
        if model.outputs != 1:
            raise ValueError("rollouts need one output (a one-step forecaster)")
        self.params = tuple(model._rnn_params())
        self.head_w, self.head_b = model._params["head.weight"][0], model._params["head.bias"][0]
        self.h = np.zeros((lanes, model.hidden_size), dtype=model.dtype)
        self.x = np.zeros((lanes, model.input_size), dtype=model.dtype)

    def reset(self, lane: int) -> None:
        self.h[lane] = 0.0

    def step(self, row: np.ndarray) -> None:
        self.x[:] = row
        self.h = cho_step(self.x, self.h, *self.params)[0]

    def readout(self, lane: int) -> float:
        return float(self.h[lane] @ self.head_w + self.head_b)
