"""Plain (Elman) RNN layer in NumPy: forward pass and backpropagation through time by hand.

PyTorch's ``nn.RNN`` with tanh, layout ``weight_ih (H, D)``, ``weight_hh (H, H)``,
``bias_ih (H,)``, ``bias_hh (H,)``:

    a = W_ih x + b_ih + W_hh h + b_hh
    h' = tanh(a)

The gradient reaching step t goes back through ``diag(1 - h_t^2) W_hh`` once per
step; over a long window it shrinks or grows geometrically, which is the lesson
that motivates gates. Laid out like ``models.kernels.lstm`` (gate-major: the batch last,
one fused product per step with ``Z_t = [h; x; 1]``, the weight gradients in one
contraction after the loop). Shapes: N batch, T time steps, D input size, H hidden
size, K = H + D + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.kernels.steps import feed, last_slot, mean_column_norm, slots, step_blocks
from models.kernels.workspace import Workspace, buffers, memo, one_minus_square


class RNNWeights(NamedTuple):
    w_s: np.ndarray  # (H, K) [W_hh | W_ih | b_ih + b_hh]
    w_hh_t: np.ndarray  # (H, H) W_hh^T, for the backward recursion


class RNNCache(NamedTuple):
    z: np.ndarray  # (K, T + 1, N) step inputs [h_{t-1}; x_t; 1]; z[:H, T] = h_T
    a: np.ndarray  # (T, H, N) pre-activations
    weights: RNNWeights


def rnn_weights(weight_ih, weight_hh, bias_ih, bias_hh) -> RNNWeights:
    w = np.concatenate([weight_hh, weight_ih, (bias_ih + bias_hh)[:, None]], axis=1)
    return RNNWeights(np.ascontiguousarray(w), np.ascontiguousarray(weight_hh.T))


def rnn_step(w_s: np.ndarray, z: np.ndarray, a: np.ndarray, h_out: np.ndarray) -> None:
    """One step: ``a = W z`` (H, N) and ``h_out = tanh(a)``."""
    np.matmul(w_s, z, out=a)
    np.tanh(a, out=h_out)


def rnn_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                ws: Workspace | None = None) -> tuple[np.ndarray, RNNCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state; see ``lstm_forward``."""
    get = buffers(ws)
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    w = rnn_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    z = step_blocks(x, H, keep_cache, get, weight_hh.dtype)
    a = get("a", (T if keep_cache else 1, H, N), weight_hh.dtype)
    zs, hs = memo(ws, ("rnn-steps", id(z)), lambda: (
        [z[:, t] for t in range(z.shape[1])], [z[:H, t] for t in range(z.shape[1])]))  # made once
    for t, (i, j) in enumerate(slots(T, keep_cache)):
        feed(z, x, t, i, keep_cache)
        rnn_step(w.w_s, zs[i], a[t if keep_cache else 0], hs[j])
    return z[:H, last_slot(T, keep_cache)].T, (RNNCache(z, a, w) if keep_cache else None)


def rnn_backward(dh_last: np.ndarray, cache: RNNCache, ws: Workspace | None = None,
                 dh_norms: np.ndarray | None = None, dx: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The plain RNN's backward pass, under the kernels' one contract (``models.kernels``)."""
    get = buffers(ws)
    z, a, w = cache
    T, H, N = a.shape
    dt = z.dtype
    q = one_minus_square(z[:H, 1:].transpose(1, 0, 2), get("q", (T, H, N), dt))  # tanh'(a_t) = 1 - h_t^2
    da = get("da", (T, H, N), dt)
    dh = np.ascontiguousarray(np.asarray(dh_last, dtype=dt).T)  # (H, N)
    for t in range(T - 1, -1, -1):
        if dh_norms is not None:  # ||dL/dh_t||, every path, averaged over the batch
            dh_norms[t] = mean_column_norm(dh)
        np.multiply(dh, q[t], out=da[t])
        np.matmul(w.w_hh_t, da[t], out=dh)
    if dx is not None:  # dx_t = W_ih^T da_t
        dx[...] = np.matmul(w.w_s[:, H:-1].T, da).transpose(2, 0, 1)
    dw = np.tensordot(da, z[:, :T], axes=([0, 2], [1, 2]))  # (H, K) = sum_t da_t z_t^T
    db = dw[:, -1].copy()
    return {"weight_ih": dw[:, H:-1].copy(), "weight_hh": dw[:, :H].copy(), "bias_ih": db, "bias_hh": db.copy()}
