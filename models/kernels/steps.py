"""The time loop's bookkeeping, shared by the NumPy cells, in the gate-major layout.

The batch is the last, contiguous axis: each step's input is a block
``Z_t = [h; x; 1]`` of shape (K, N), K = H + D + 1, and the cell multiplies its
fused weights (G x K) by it. The blocks of all steps live in one (K, T + 1, N)
array, ``Z_t = z[:, t]``, so that after the loop ``z[:, :T]`` is a (K, T N) matrix
without a copy and every weight gradient comes out of one product. With
``keep_cache`` every step keeps its block, T + 1 in all, since the backward pass
reads them; without, two blocks take turns and each step's x is copied in as it
comes, which keeps a large inference batch in cache. Per-step views are made once,
before the loop.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def step_blocks(x: np.ndarray, hidden_size: int, keep_cache: bool, get: Callable, dtype,
                step_first: bool = False) -> np.ndarray:
    """The step inputs (K, slots, N) for ``x`` (N, T, D), with h_0 = 0 and the constant 1 in place.

    With ``step_first`` the memory is laid out (slots, K, N) and the same (K, slots, N) view of it is
    returned: each step's block, and the hidden state a step writes into the next, is then one
    contiguous piece, at the price of a strided operand in the weight gradients' products (the
    LSTM's choice, measured; ``z.base`` is the array itself)."""
    N, T, D = x.shape
    K, n_slots = hidden_size + D + 1, T + 1 if keep_cache else 2
    z = get("z_steps", (n_slots, K, N), dtype).transpose(1, 0, 2) if step_first else get("z", (K, n_slots, N), dtype)
    z[:hidden_size, 0] = 0.0
    z[-1] = 1.0
    if keep_cache:
        z[hidden_size:-1, :T] = x.transpose(2, 1, 0)
    return z


def slots(T: int, keep_cache: bool) -> list[tuple[int, int]]:
    """(this step's slot, the next step's slot) for every step."""
    return [(t, t + 1) if keep_cache else (t & 1, (t + 1) & 1) for t in range(T)]


def feed(z: np.ndarray, x: np.ndarray, t: int, slot: int, keep_cache: bool) -> None:
    """Without a cache, copy step t's input into the rotating block (with one, it is there)."""
    if not keep_cache:
        H = z.shape[0] - x.shape[2] - 1
        z[H:-1, slot] = x[:, t].T


def last_slot(T: int, keep_cache: bool) -> int:
    return T if keep_cache else T & 1


def mean_column_norm(g: np.ndarray) -> float:
    """The L2 norm of each column of ``g`` (H, N), averaged over the batch: one sample's
    gradient per column, as the gradient-flow measurement needs it."""
    return float(np.sqrt(np.einsum("hn,hn->n", g, g)).mean())
