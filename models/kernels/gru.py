"""GRU layer in NumPy: forward pass and backpropagation through time by hand.

PyTorch's form and layout, ``weight_ih (3H, D)``, ``weight_hh (3H, H)``, gate rows
r | z | n, the reset gate applied after the recurrent product:

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

(The textbook GRU of Cho et al. puts r inside the product, W_hn (r * h); its
weights do not carry over to PyTorch, which is why this file follows PyTorch.)

As in ``models.kernels.lstm`` (gate-major: the batch is the last, contiguous axis), each
step multiplies one fused matrix by the block ``Z_t = [h; x; 1]`` (K, N). Its four
row blocks are r | z (both parts and biases) | hn = W_hn h + b_hn | xn = W_in x + b_in.
The product lands in the step's slab, which then becomes ``[r; z; hn; n]`` in
place. The r and z rows are negated so that sigmoid(a) = 1 / (1 + exp(-a)) needs one
``exp`` for both gates (faster than NumPy's float32 ``tanh``: see ``models.kernels.lstm``;
an exp that overflows or underflows still gives the right gate, so both are silenced).
Shapes: N batch, T time steps, D input size, H hidden size, K = H + D + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.kernels.steps import feed, last_slot, mean_column_norm, slots, step_blocks
from models.kernels.workspace import Workspace, buffers, dsigmoid, memo, one_minus_square


class GRUWeights(NamedTuple):
    w_s: np.ndarray  # (4H, K) fused, r and z rows negated
    w_h_t: np.ndarray  # (H, 4H) the h columns of the unscaled fused matrix, transposed
    H: int


class GRUCache(NamedTuple):
    z: np.ndarray  # (K, T + 1, N) step inputs [h_{t-1}; x_t; 1]; z[:H, T] = h_T
    s: np.ndarray  # (T, 4H, N) [r; z; hn; n] per step
    weights: GRUWeights


def gru_weights(weight_ih, weight_hh, bias_ih, bias_hh) -> GRUWeights:
    H, D = weight_hh.shape[1], weight_ih.shape[1]
    dt = weight_hh.dtype
    w = np.zeros((4 * H, H + D + 1), dtype=dt)  # rows: r | z | hn | xn
    w[: 2 * H, :H] = weight_hh[: 2 * H]
    w[: 2 * H, H:-1] = weight_ih[: 2 * H]
    w[: 2 * H, -1] = bias_ih[: 2 * H] + bias_hh[: 2 * H]
    w[2 * H : 3 * H, :H] = weight_hh[2 * H :]
    w[2 * H : 3 * H, -1] = bias_hh[2 * H :]
    w[3 * H :, H:-1] = weight_ih[2 * H :]
    w[3 * H :, -1] = bias_ih[2 * H :]
    scale = np.ones((4 * H, 1), dtype=dt)
    scale[: 2 * H] = -1.0
    return GRUWeights(np.ascontiguousarray(w * scale), np.ascontiguousarray(w[:, :H].T), H)


def gru_step(z: np.ndarray, s: np.ndarray, w: GRUWeights, h_out: np.ndarray, tmp: np.ndarray) -> None:
    """One step. Reads ``z`` = [h; x; 1] (K, N); leaves ``[r; z; hn; n]`` in ``s`` (4H, N) and the
    new hidden state in ``h_out`` (H, N). Scratch: ``tmp`` (H, N)."""
    H = w.H
    np.matmul(w.w_s, z, out=s)
    rz = s[: 2 * H]  # -a
    with np.errstate(over="ignore", under="ignore"):
        np.exp(rz, out=rz)
    rz += 1.0
    np.divide(1.0, rz, out=rz)  # sigmoid(a)
    n = s[3 * H :]
    n += np.multiply(s[:H], s[2 * H : 3 * H], out=tmp)  # xn + r * hn
    np.tanh(n, out=n)
    np.subtract(z[:H], n, out=tmp)  # h - n
    tmp *= s[H : 2 * H]
    np.add(n, tmp, out=h_out)  # n + z * (h - n)


def gru_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                ws: Workspace | None = None) -> tuple[np.ndarray, GRUCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state; see ``lstm_forward``."""
    get = buffers(ws)
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    w = gru_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    z = step_blocks(x, H, keep_cache, get, dt)
    s = get("s", (T if keep_cache else 1, 4 * H, N), dt)
    tmp = get("tmp", (H, N), dt)
    zs, ss, hs = memo(ws, ("gru-steps", id(z), id(s)), lambda: (
        [z[:, t] for t in range(z.shape[1])], list(s), [z[:H, t] for t in range(z.shape[1])]))  # made once
    for t, (a, b) in enumerate(slots(T, keep_cache)):
        feed(z, x, t, a, keep_cache)
        gru_step(zs[a], ss[t if keep_cache else 0], w, hs[b], tmp)
    return z[:H, last_slot(T, keep_cache)].T, (GRUCache(z, s, w) if keep_cache else None)


def gru_backward(dh_last: np.ndarray, cache: GRUCache, ws: Workspace | None = None,
                 dh_norms: np.ndarray | None = None, dx: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The GRU's backward pass, under the kernels' one contract (``models.kernels``)."""
    get = buffers(ws)
    zin, s, w = cache
    T, _, N = s.shape
    H = w.H
    dt = zin.dtype
    r, z, hn, n = (s[:, k * H : (k + 1) * H] for k in range(4))
    # Factors that do not depend on the recursion, for all steps at once.
    q = get("q", (T, H, N), dt)
    a_n = one_minus_square(n, get("a_n", (T, H, N), dt))  # dh -> d n_pre
    a_n *= np.subtract(1.0, z, out=q)
    a_z = np.subtract(zin[:H, :T].transpose(1, 0, 2), n, out=get("a_z", (T, H, N), dt))  # dh -> d z_pre
    a_z *= dsigmoid(z, q)
    a_r = dsigmoid(r, get("a_r", (T, H, N), dt))  # d n_pre -> d r_pre
    a_r *= hn

    da = get("da", (4 * H, T, N), dt)  # grads of the fused product, rows r; z; hn; xn; step t: da[:, t]
    dh = np.ascontiguousarray(np.asarray(dh_last, dtype=dt).T)  # (H, N)
    tmp = np.empty((H, N), dtype=dt)
    views = memo(ws, ("gru-back", id(da), id(a_n), id(a_z), id(a_r), id(s)), lambda: [
        (da[:H, t], da[H : 2 * H, t], da[2 * H : 3 * H, t], da[3 * H :, t], da[:, t], a_n[t], a_z[t], a_r[t],
         r[t], z[t]) for t in range(T)])  # made once
    for t in range(T - 1, -1, -1):
        if dh_norms is not None:  # ||dL/dh_t||, every path, averaged over the batch
            dh_norms[t] = mean_column_norm(dh)
        da_r, da_z, da_hn, da_xn, da_t, an, az, ar, r_t, z_t = views[t]
        dn = np.multiply(dh, an, out=da_xn)
        np.multiply(dh, az, out=da_z)
        np.multiply(dn, ar, out=da_r)
        np.multiply(dn, r_t, out=da_hn)
        dh *= z_t
        dh += np.matmul(w.w_h_t, da_t, out=tmp)

    if dx is not None:  # dx_t = W_x^T da_t over the rows r | z | hn | xn (hn has no x part)
        w_x = w.w_s[:, H:-1].copy()
        w_x[: 2 * H] *= -1.0  # undo the r and z rows' negation
        dx[...] = np.matmul(w_x.T, da.transpose(1, 0, 2)).transpose(2, 0, 1)
    K = zin.shape[0]
    dw = da.reshape(4 * H, T * N) @ zin[:, :T].reshape(K, T * N).T  # (4H, K), rows r | z | hn | xn
    rz, nh, nx = dw[: 2 * H], dw[2 * H : 3 * H], dw[3 * H :]
    return {
        "weight_ih": np.concatenate([rz[:, H:-1], nx[:, H:-1]]),
        "weight_hh": np.concatenate([rz[:, :H], nh[:, :H]]),
        "bias_ih": np.concatenate([rz[:, -1], nx[:, -1]]),
        "bias_hh": np.concatenate([rz[:, -1], nh[:, -1]]),
    }
