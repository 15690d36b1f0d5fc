"""GRU layer in NumPy: forward pass and backpropagation through time by hand.

PyTorch's form and layout, ``weight_ih (3H, D)``, ``weight_hh (3H, H)``, gate rows
r | z | n, the reset gate applied after the recurrent product:

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

(The textbook GRU of Cho et al. puts r inside the product, W_hn (r * h); its
weights do not carry over to PyTorch, which is why this file follows PyTorch.)

As in ``numpy_lstm``, each step multiplies one row ``[h | x | 1]`` by one fused
matrix, here of four column blocks: r | z (both parts and biases) | hn = W_hn h + b_hn
| xn = W_in x + b_in. The product lands in the step's slab, which then becomes
``[r | z | hn | n]`` in place. The r and z columns are pre-scaled by 1/2 so that
sigmoid(a) = (1 + tanh(a / 2)) / 2 needs one ``tanh`` for both gates.
Shapes: N batch, T time steps, D input size, H hidden size, K = H + D + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.steps import last_row, step_rows, steps
from models.workspace import Workspace, buffers, dsigmoid, one_minus_square


class GRUWeights(NamedTuple):
    w_s: np.ndarray  # (K, 4H) fused, r and z columns halved
    w_h: np.ndarray  # (4H, H) the h rows of the unscaled fused matrix, transposed back
    H: int


class GRUCache(NamedTuple):
    z: np.ndarray  # (T + 1, N, K) step inputs [h_{t-1} | x_t | 1]; z[T, :, :H] = h_T
    s: np.ndarray  # (T, N, 4H) [r | z | hn | n] per step
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
    scale = np.ones(4 * H, dtype=dt)
    scale[: 2 * H] = 0.5
    return GRUWeights(np.ascontiguousarray((w * scale[:, None]).T), np.ascontiguousarray(w[:, :H]), H)


def gru_step(row: np.ndarray, s: np.ndarray, w: GRUWeights, h_out: np.ndarray, tmp: np.ndarray) -> None:
    """One step. Reads ``row`` = [h | x | 1] (N, K); leaves ``[r | z | hn | n]`` in ``s`` (N, 4H) and the
    new hidden state in ``h_out`` (N, H). Scratch: ``tmp`` (N, H)."""
    H = w.H
    np.matmul(row, w.w_s, out=s)
    rz = s[:, : 2 * H]
    np.tanh(rz, out=rz)
    rz *= 0.5
    rz += 0.5
    n = s[:, 3 * H :]
    n += np.multiply(s[:, :H], s[:, 2 * H : 3 * H], out=tmp)  # xn + r * hn
    np.tanh(n, out=n)
    np.subtract(row[:, :H], n, out=tmp)  # h - n
    tmp *= s[:, H : 2 * H]
    np.add(n, tmp, out=h_out)  # n + z * (h - n)


def gru_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                ws: Workspace | None = None) -> tuple[np.ndarray, GRUCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state; see ``lstm_forward``."""
    get = buffers(ws)
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    w = gru_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    z = step_rows(x, H, keep_cache, get, dt)
    s = get("s", (T if keep_cache else 1, N, 4 * H), dt)
    tmp = get("tmp", (N, H), dt)
    for t, a, b in steps(z, x, keep_cache):
        gru_step(z[a], s[t if keep_cache else 0], w, z[b, :, :H], tmp)
    return z[last_row(T, keep_cache), :, :H], (GRUCache(z, s, w) if keep_cache else None)


def gru_backward(dh_last: np.ndarray, cache: GRUCache, ws: Workspace | None = None) -> dict[str, np.ndarray]:
    """Gradients of every parameter given dLoss/dh_T, ``dh_last`` (N, H)."""
    get = buffers(ws)
    zin, s, w = cache
    T, N, _ = s.shape
    H, K = w.H, zin.shape[2]
    dt = zin.dtype
    r, z, hn, n = (s[..., k * H : (k + 1) * H] for k in range(4))
    # Factors that do not depend on the recursion, for all steps at once.
    q = get("q", (T, N, H), dt)
    a_n = one_minus_square(n, get("a_n", (T, N, H), dt))  # dh -> d n_pre
    a_n *= np.subtract(1.0, z, out=q)
    a_z = np.subtract(zin[:T, :, :H], n, out=get("a_z", (T, N, H), dt))  # dh -> d z_pre
    a_z *= dsigmoid(z, q)
    a_r = dsigmoid(r, get("a_r", (T, N, H), dt))  # d n_pre -> d r_pre
    a_r *= hn

    da = get("da", (T, N, 4, H), dt)  # grads of the fused product: r | z | hn | xn
    dh = np.array(dh_last, dtype=dt)
    tmp = np.empty((N, H), dtype=dt)
    for t in range(T - 1, -1, -1):
        dn = np.multiply(dh, a_n[t], out=da[t, :, 3])
        np.multiply(dh, a_z[t], out=da[t, :, 1])
        np.multiply(dn, a_r[t], out=da[t, :, 0])
        np.multiply(dn, r[t], out=da[t, :, 2])
        dh *= z[t]
        dh += np.matmul(da[t].reshape(N, 4 * H), w.w_h, out=tmp)

    dw = da.reshape(T * N, 4 * H).T @ zin[:T].reshape(T * N, K)  # (4H, K), rows r | z | hn | xn
    rz, nh, nx = dw[: 2 * H], dw[2 * H : 3 * H], dw[3 * H :]
    return {
        "weight_ih": np.concatenate([rz[:, H:-1], nx[:, H:-1]]),
        "weight_hh": np.concatenate([rz[:, :H], nh[:, :H]]),
        "bias_ih": np.concatenate([rz[:, -1], nx[:, -1]]),
        "bias_hh": np.concatenate([rz[:, -1], nh[:, -1]]),
    }


def gru_gates(cache: GRUCache, sample: int = 0) -> dict[str, np.ndarray]:
    """Gate activations of one sample, each (T, H): r, z, candidate n, hidden h."""
    H = cache.weights.H
    s = cache.s[:, sample]
    return {
        "r": s[:, :H].copy(),
        "z": s[:, H : 2 * H].copy(),
        "n": s[:, 3 * H :].copy(),
        "h": cache.z[1:, sample, :H].copy(),
    }
