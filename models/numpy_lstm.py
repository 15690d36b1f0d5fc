"""LSTM layer in NumPy: forward pass and backpropagation through time by hand.

Parameters use PyTorch's layout, ``weight_ih (4H, D)``, ``weight_hh (4H, H)``,
``bias_ih (4H,)``, ``bias_hh (4H,)``, gate rows in the order i | f | g | o:

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)
    c' = f * c + i * g
    h' = o * tanh(c')

How the loop is laid out, for speed:

- Each step reads one row ``z = [h | x | 1]`` (K = H + D + 1 values) and multiplies
  it by one fused matrix (K, 4H) that holds W_hh, W_ih and both biases. After the
  loop, all weight gradients come out of a single product ``da^T z``.
- Gates are kept in the order o | i | f | g, followed by the previous cell
  state, in one slab ``s = [o | i | f | g | c]`` (5H values) per step: then
  ``(i, f) * (g, c)`` is one multiply, and the new c one add.
- The sigmoid rows are pre-scaled by 1/2 so that a single ``tanh`` gives every
  gate, with sigmoid(a) = (1 + tanh(a / 2)) / 2. That never overflows.

Shapes: N batch, T time steps, D input size, H hidden size, K = H + D + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.steps import last_row, step_rows, steps
from models.workspace import Workspace, buffers, dsigmoid, one_minus_square

ORDER = (3, 0, 1, 2)  # internal block k holds PyTorch's block ORDER[k] (i=0, f=1, g=2, o=3)


class LSTMWeights(NamedTuple):
    w_s: np.ndarray  # (K, 4H) [W_hh^T; W_ih^T; b], internal order, sigmoid columns halved
    w_hh: np.ndarray  # (4H, H) internal order, unscaled, for the backward recursion
    alpha: np.ndarray  # (4H,) tanh -> gate: gate = alpha * tanh + beta
    beta: np.ndarray  # (4H,)
    perm: np.ndarray  # (4H,) internal row r holds PyTorch row perm[r]


class LSTMCache(NamedTuple):
    z: np.ndarray  # (T + 1, N, K) step inputs [h_{t-1} | x_t | 1]; z[T, :, :H] = h_T
    s: np.ndarray  # (T + 1, N, 5H) [o | i | f | g | c_{t-1}] per step; s[T, :, 4H:] = c_T
    tanh_c: np.ndarray  # (T, N, H)
    weights: LSTMWeights


def block_permutation(order: tuple[int, ...], hidden_size: int) -> np.ndarray:
    """Row indices that put PyTorch's gate blocks in ``order``."""
    return np.concatenate([np.arange(k * hidden_size, (k + 1) * hidden_size) for k in order])


def lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh) -> LSTMWeights:
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    perm = block_permutation(ORDER, H)
    scale = np.ones(4 * H, dtype=dt)
    scale[: 3 * H] = 0.5
    w = np.concatenate([weight_hh, weight_ih, (bias_ih + bias_hh)[:, None]], axis=1)[perm]  # (4H, K)
    beta = np.zeros(4 * H, dtype=dt)
    beta[: 3 * H] = 0.5
    return LSTMWeights(np.ascontiguousarray((w * scale[:, None]).T), weight_hh[perm], scale, beta, perm)


def lstm_step(row: np.ndarray, s: np.ndarray, w: LSTMWeights, s_next: np.ndarray, tanh_c: np.ndarray,
              h_out: np.ndarray, tmp: np.ndarray, pair: np.ndarray) -> None:
    """One step. Reads ``row`` = [h | x | 1] (N, K) and the cell state in ``s[:, 4H:]``; writes the gates
    to ``s[:, :4H]``, the new cell state to ``s_next[:, 4H:]``, ``tanh_c`` (N, H) and
    ``h_out`` (N, H). Scratch: ``tmp`` (N, 4H), ``pair`` (N, 2H)."""
    H = tanh_c.shape[1]
    np.matmul(row, w.w_s, out=tmp)
    gates = s[:, : 4 * H]
    np.tanh(tmp, out=gates)
    gates *= w.alpha
    gates += w.beta
    np.multiply(s[:, H : 3 * H], s[:, 3 * H :], out=pair)  # (i * g, f * c)
    c = np.add(pair[:, :H], pair[:, H:], out=s_next[:, 4 * H :])
    np.tanh(c, out=tanh_c)
    np.multiply(s[:, :H], tanh_c, out=h_out)


def lstm_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                 ws: Workspace | None = None) -> tuple[np.ndarray, LSTMCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state.

    Returns the last hidden state (N, H) and, when ``keep_cache``, everything the
    backward pass needs; without it, two rotating slabs replace the (T, ...)
    arrays, which keeps a large inference batch in cache. ``ws`` lends the arrays.
    """
    get = buffers(ws)
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    w = lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    z = step_rows(x, H, keep_cache, get, dt)
    s = get("s", (z.shape[0], N, 5 * H), dt)
    s[0, :, 4 * H :] = 0.0
    tanh_c = get("tanh_c", (T if keep_cache else 1, N, H), dt)
    tmp = get("tmp", (N, 4 * H), dt)
    pair = get("pair", (N, 2 * H), dt)
    for t, a, b in steps(z, x, keep_cache):
        lstm_step(z[a], s[a], w, s[b], tanh_c[t if keep_cache else 0], z[b, :, :H], tmp, pair)
    return z[last_row(T, keep_cache), :, :H], (LSTMCache(z, s, tanh_c, w) if keep_cache else None)


def lstm_backward(dh_last: np.ndarray, cache: LSTMCache, ws: Workspace | None = None) -> dict[str, np.ndarray]:
    """Gradients of every parameter given dLoss/dh_T, ``dh_last`` (N, H).

    Returns PyTorch's names and layout: ``weight_ih``, ``weight_hh``, ``bias_ih``,
    ``bias_hh`` (the two biases get the same gradient, as in PyTorch).
    """
    get = buffers(ws)
    z, s, tanh_c, w = cache
    T, N, H = tanh_c.shape
    K = z.shape[2]
    dt = z.dtype
    o, i, f, g, c_prev = (s[:T, :, k * H : (k + 1) * H] for k in range(5))
    # Factors that do not depend on the recursion, for all steps at once.
    q = get("q", (T, N, H), dt)
    p = one_minus_square(tanh_c, get("p", (T, N, H), dt))
    p *= o  # dh -> dc
    r = get("r", (T, N, 4, H), dt)  # (dh | dc) -> pre-activation grads of o | i, f, g
    np.multiply(tanh_c, dsigmoid(o, q), out=r[:, :, 0])
    np.multiply(g, dsigmoid(i, q), out=r[:, :, 1])
    np.multiply(c_prev, dsigmoid(f, q), out=r[:, :, 2])
    np.multiply(i, one_minus_square(g, q), out=r[:, :, 3])

    da = get("da", (T, N, 4, H), dt)
    dh = np.array(dh_last, dtype=dt)
    dc = np.zeros((N, H), dtype=dt)
    tmp = np.empty((N, H), dtype=dt)
    for t in range(T - 1, -1, -1):
        np.multiply(dh, p[t], out=tmp)
        dc += tmp
        np.multiply(dh, r[t, :, 0], out=da[t, :, 0])
        np.multiply(dc[:, None, :], r[t, :, 1:], out=da[t, :, 1:])
        dc *= f[t]
        np.matmul(da[t].reshape(N, 4 * H), w.w_hh, out=dh)

    dw = (da.reshape(T * N, 4 * H).T @ z[:T].reshape(T * N, K))[np.argsort(w.perm)]  # (4H, K)
    db = dw[:, -1].copy()
    return {"weight_ih": dw[:, H:-1].copy(), "weight_hh": dw[:, :H].copy(), "bias_ih": db, "bias_hh": db.copy()}


def lstm_gates(cache: LSTMCache, sample: int = 0) -> dict[str, np.ndarray]:
    """Gate activations of one sample, each (T, H): i, f, g, o, cell state c, hidden h."""
    H = cache.tanh_c.shape[2]
    s = cache.s[:, sample]
    return {
        "i": s[:-1, H : 2 * H].copy(),
        "f": s[:-1, 2 * H : 3 * H].copy(),
        "g": s[:-1, 3 * H : 4 * H].copy(),
        "o": s[:-1, :H].copy(),
        "c": s[1:, 4 * H :].copy(),
        "h": cache.z[1:, sample, :H].copy(),
    }
