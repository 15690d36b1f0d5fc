"""LSTM layer in NumPy: forward pass and backpropagation through time by hand.

Parameters use PyTorch's layout, ``weight_ih (4H, D)``, ``weight_hh (4H, H)``,
``bias_ih (4H,)``, ``bias_hh (4H,)``, gate rows in the order i | f | g | o:

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)
    c' = f * c + i * g
    h' = o * tanh(c')

How the loop is laid out, for speed (the layout is internal; the functions take
and return PyTorch's batch-first shapes):

- Gate-major: the batch is the last, contiguous axis. Each step reads a block
  ``Z_t = [h; x; 1]`` (K, N) and multiplies one fused matrix (4H, K), holding
  W_hh, W_ih and both biases, by it. Each gate is a contiguous block of rows, so
  every elementwise call runs on contiguous rows. The blocks of all steps are
  stored step first, (T + 1, K, N), so that each is one contiguous piece, and so
  is the hidden state a step writes into the next step's block (read through a
  (K, T + 1, N) view, as the other cells' blocks are).
- The backward pass walks back through time in chunks of ``CHUNK`` steps. For
  each chunk it makes the factors that do not depend on the recursion, runs the
  recursion through the chunk, and adds the chunk's share of the weight
  gradients (a batch of per-step products of ``da`` with ``Z``, summed), while
  the chunk's arrays are still in cache: arrays of all T steps outgrow the L2
  cache, and every pass over them then costs its memory traffic.
- Gate rows are kept in the order o | i | f | g, followed by the previous cell
  state, in one slab ``S_t = [o; i; f; g; c]`` (5H, N) per step: then
  ``(i, f) * (g, c)`` is one multiply, and the new c one add.
- The fused rows are pre-scaled, the sigmoid rows by -1 and the g rows by -2, so
  that one ``exp`` and one division give every gate: sigmoid(a) = 1 / (1 + exp(-a))
  and tanh(a) = 2 sigmoid(2a) - 1. NumPy's float32 ``exp`` is vectorised where its
  ``tanh`` is slower (24.8 us against 11.8 us for a (128, 64) block, measured); this
  cut the gate part of a step from 35 to 26 us. An ``exp`` that overflows gives
  inf, and 1 / (1 + inf) = 0, the right gate; one that underflows gives 0 and the
  gate 1. So the steps run with overflow and underflow silenced.

Shapes: N batch, T time steps, D input size, H hidden size, K = H + D + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.kernels.steps import feed, last_slot, mean_column_norm, slots, step_blocks
from models.kernels.workspace import Workspace, buffers, dsigmoid, memo, one_minus_square

ORDER = (3, 0, 1, 2)  # internal block k holds PyTorch's block ORDER[k] (i=0, f=1, g=2, o=3)
ROW_SCALE = (-1.0, -1.0, -1.0, -2.0)  # o, i, f, g: exp of a scaled row gives exp(-a) or exp(-2a)
CHUNK = 10  # time steps per chunk of the backward pass (measured best between 5 and 15 at H = 32, N = 64)


class LSTMWeights(NamedTuple):
    w_s: np.ndarray  # (4H, K) [W_hh | W_ih | b], internal order, rows scaled by ROW_SCALE
    w_hh_t: np.ndarray  # (H, 4H) W_hh^T in internal order, unscaled, for the backward recursion
    perm: np.ndarray  # (4H,) internal row r holds PyTorch row perm[r]


class LSTMCache(NamedTuple):
    z: np.ndarray  # (K, T + 1, N) step inputs [h_{t-1}; x_t; 1]; z[:H, T] = h_T (a view of (T + 1, K, N))
    s: np.ndarray  # (T + 1, 5H, N) [o; i; f; g; c_{t-1}] per step; s[T, 4H:] = c_T
    tanh_c: np.ndarray  # (T, H, N)
    weights: LSTMWeights


def block_permutation(order: tuple[int, ...], hidden_size: int) -> np.ndarray:
    """Row indices that put PyTorch's gate blocks in ``order``."""
    return np.concatenate([np.arange(k * hidden_size, (k + 1) * hidden_size) for k in order])


def lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh) -> LSTMWeights:
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    perm = block_permutation(ORDER, H)
    scale = np.repeat(np.asarray(ROW_SCALE, dtype=dt), H)[:, None]
    w = np.concatenate([weight_hh, weight_ih, (bias_ih + bias_hh)[:, None]], axis=1)[perm]  # (4H, K)
    return LSTMWeights(np.ascontiguousarray(w * scale), np.ascontiguousarray(weight_hh[perm].T), perm)


class LSTMStep(NamedTuple):
    """The views one step reads and writes, made once (see ``step_views``)."""

    z: np.ndarray  # (K, N) [h; x; 1]
    gates: np.ndarray  # (4H, N) o; i; f; g
    g: np.ndarray  # (H, N)
    i_f: np.ndarray  # (2H, N) i; f
    g_c: np.ndarray  # (2H, N) g; c_{t-1}
    o: np.ndarray  # (H, N)
    c_next: np.ndarray  # (H, N) in the next step's slab
    tanh_c: np.ndarray  # (H, N)
    h_out: np.ndarray  # (H, N) in the next step's block
    pair: np.ndarray  # (2H, N) scratch
    ig: np.ndarray  # (H, N) pair[:H]
    fc: np.ndarray  # (H, N) pair[H:]
    one: np.generic  # 1 and 2 in the arrays' dtype (a Python float costs a conversion every call)
    two: np.generic


def step_views(z: np.ndarray, s: np.ndarray, s_next: np.ndarray, tanh_c: np.ndarray, h_out: np.ndarray,
               pair: np.ndarray) -> LSTMStep:
    """Views of one step: reads ``z`` = [h; x; 1] (K, N) and the cell state in ``s[4H:]``; writes the
    gates to ``s[:4H]``, the new cell state to ``s_next[4H:]``, ``tanh_c`` and ``h_out`` (H, N)."""
    H = tanh_c.shape[0]
    return LSTMStep(z, s[: 4 * H], s[3 * H : 4 * H], s[H : 3 * H], s[3 * H :], s[:H], s_next[4 * H :], tanh_c,
                    h_out, pair, pair[:H], pair[H:], s.dtype.type(1.0), s.dtype.type(2.0))


def lstm_step(w_s: np.ndarray, v: LSTMStep) -> None:
    """One step on the views ``v``, with the fused weights ``w_s`` (4H, K). Every call writes
    into its last argument (``out``, given by position: the keyword costs time at this size).
    Call it with overflow and underflow silenced (``np.errstate``): see the module's notes."""
    z, gates, g, i_f, g_c, o, c_next, tanh_c, h_out, pair, ig, fc, one, two = v
    np.matmul(w_s, z, gates)  # -a for o, i, f; -2a for g
    np.exp(gates, gates)
    np.add(gates, one, gates)
    np.divide(one, gates, gates)  # sigmoid(a) for o, i, f; sigmoid(2a) for g (faster here than reciprocal)
    np.multiply(g, two, g)
    np.subtract(g, one, g)  # tanh(a) = 2 sigmoid(2a) - 1
    np.multiply(i_f, g_c, pair)  # (i * g; f * c)
    np.add(ig, fc, c_next)
    np.tanh(c_next, tanh_c)
    np.multiply(o, tanh_c, h_out)


def lstm_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                 ws: Workspace | None = None) -> tuple[np.ndarray, LSTMCache | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state.

    Returns the last hidden state (N, H) and, when ``keep_cache``, everything the
    backward pass needs; without it, two rotating blocks replace the (T, ...)
    arrays, which keeps a large inference batch in cache. ``ws`` lends the arrays.
    """
    get = buffers(ws)
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    dt = weight_hh.dtype
    w = lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    z = step_blocks(x, H, keep_cache, get, dt, step_first=True)  # each step's [h; x; 1] contiguous
    s = get("s", (z.shape[1], 5 * H, N), dt)
    s[0, 4 * H :] = 0.0
    tanh_c = get("tanh_c", (T if keep_cache else 1, H, N), dt)
    pair = get("pair", (2 * H, N), dt)
    order = slots(T, keep_cache)
    views = memo(ws, ("lstm-steps", id(z.base), id(s), id(tanh_c), id(pair), keep_cache), lambda: [
        step_views(z[:, a], s[a], s[b], tanh_c[t if keep_cache else 0], z[:H, b], pair)
        for t, (a, b) in enumerate(order[: 2 if not keep_cache else T])])  # made once
    with np.errstate(over="ignore", under="ignore"):
        if keep_cache:
            for v in views:
                lstm_step(w.w_s, v)
        else:
            for t, (a, _) in enumerate(order):
                feed(z, x, t, a, keep_cache)
                lstm_step(w.w_s, views[t & 1])
    return z[:H, last_slot(T, keep_cache)].T, (LSTMCache(z, s, tanh_c, w) if keep_cache else None)


def chunk_factors(s: np.ndarray, tanh_c: np.ndarray, p: np.ndarray, r: np.ndarray) -> None:
    """The factors of the recursion that do not depend on it, for the steps of one chunk, in as few
    passes as possible: ``p`` (C, H, N), dh -> dc, is o * tanh'(c); ``r`` (C, 4H, N) takes (dh; dc)
    to the pre-activation grads of o; i, f, g: sigmoid'(o) tanh(c); sigmoid'(i) g, sigmoid'(f) c_prev;
    tanh'(g) i. ``s`` and ``tanh_c`` are the forward's slabs and tanh(c) for those steps."""
    H = tanh_c.shape[1]
    one_minus_square(tanh_c, p)
    p *= s[:, :H]
    dsigmoid(s[:, : 3 * H], r[:, : 3 * H])  # o, i, f at once
    r[:, :H] *= tanh_c
    r[:, H : 3 * H] *= s[:, 3 * H :]  # (i; f) * (g; c_prev)
    r_cand = one_minus_square(s[:, 3 * H : 4 * H], r[:, 3 * H :])
    r_cand *= s[:, H : 2 * H]


def lstm_backward(dh_last: np.ndarray, cache: LSTMCache, ws: Workspace | None = None,
                  dh_norms: np.ndarray | None = None, dx: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The LSTM's backward pass, under the kernels' one contract (``models.kernels``)."""
    get = buffers(ws)
    z, s, tanh_c, w = cache
    T, H, N = tanh_c.shape
    K, dt = z.shape[0], z.dtype
    C = min(CHUNK, T)
    p = get("p", (C, H, N), dt)  # dh -> dc, for the steps of one chunk
    r = get("r", (C, 4 * H, N), dt)  # (dh; dc) -> pre-activation grads of o; i, f, g
    da = get("da", (C, 4 * H, N), dt)  # pre-activation grads
    z_t = get("z_t", (C, N, K), dt)  # a chunk's z_t^T, copied: a product with a transposed view costs more
    da_z = get("da_z", (C, 4 * H, K), dt)  # per-step products da_t z_t^T
    dw = np.zeros((4 * H, K), dtype=dt)  # (4H, K) = sum_t da_t z_t^T
    dh = np.ascontiguousarray(np.asarray(dh_last, dtype=dt).T)  # (H, N)
    dc = np.zeros((H, N), dtype=dt)
    tmp = np.empty((H, N), dtype=dt)
    if dx is not None:  # W_ih^T in internal order, the rows' scaling undone: dx_t = W_x^T da_t
        w_x_t = w.w_s[:, H:-1].T / np.repeat(np.asarray(ROW_SCALE, dtype=dt), H)
    views, forget = memo(ws, ("lstm-back", id(da), id(r), id(p), id(s)), lambda: (
        [(da[c], p[c], *((da[c, k * H : (k + 1) * H], r[c, k * H : (k + 1) * H]) for k in range(4)))
         for c in range(C)], list(s[:T, 2 * H : 3 * H])))  # made once: a chunk's slots, and f of every step
    for hi in range(T, 0, -C):  # the chunk of steps lo .. hi - 1, the last chunk first
        lo = max(0, hi - C)
        n = hi - lo
        chunk_factors(s[lo:hi], tanh_c[lo:hi], p[:n], r[:n])
        for t in range(hi - 1, lo - 1, -1):
            if dh_norms is not None:  # ||dL/dh_t||, every path, averaged over the batch
                dh_norms[t] = mean_column_norm(dh)
            da_t, p_t, (da_o, r_o), (da_i, r_i), (da_f, r_f), (da_g, r_g) = views[t - lo]
            np.multiply(dh, p_t, tmp)  # out= by position, as in lstm_step
            np.add(dc, tmp, dc)
            np.multiply(dh, r_o, da_o)
            np.multiply(dc, r_i, da_i)  # three plain products: one broadcast over (3, H, N) is no faster
            np.multiply(dc, r_f, da_f)
            np.multiply(dc, r_g, da_g)
            np.multiply(dc, forget[t], dc)
            np.matmul(w.w_hh_t, da_t, dh)
        if dx is not None:
            dx[:, lo:hi] = np.matmul(w_x_t, da[:n]).transpose(2, 0, 1)
        z_t[:n] = z[:, lo:hi].transpose(1, 2, 0)
        dw += np.matmul(da[:n], z_t[:n], out=da_z[:n]).sum(axis=0)
    dw = dw[np.argsort(w.perm)]
    db = dw[:, -1].copy()
    return {"weight_ih": dw[:, H:-1].copy(), "weight_hh": dw[:, :H].copy(), "bias_ih": db, "bias_hh": db.copy()}
