"""The time loop's bookkeeping, shared by the NumPy cells.

Each step multiplies one row ``[h | x | 1]`` (K = H + D + 1 values per sample) by
its cell's fused weights. With ``keep_cache`` every step keeps its row, T + 1 in
all, since the backward pass reads them; without, two rows take turns and each
step's x is copied in as it comes, which keeps a large inference batch in cache.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np


def step_rows(x: np.ndarray, hidden_size: int, keep_cache: bool, get: Callable, dtype) -> np.ndarray:
    """The rows (slots, N, K), with h_0 = 0 and the constant 1 in place."""
    N, T, D = x.shape
    z = get("z", (T + 1 if keep_cache else 2, N, hidden_size + D + 1), dtype)
    z[0, :, :hidden_size] = 0.0
    z[:, :, -1] = 1.0
    if keep_cache:
        z[:T, :, hidden_size:-1] = x.transpose(1, 0, 2)
    return z


def steps(z: np.ndarray, x: np.ndarray, keep_cache: bool) -> Iterator[tuple[int, int, int]]:
    """(t, this step's row, the next step's row) for every step, x copied in when rows rotate."""
    T, D = x.shape[1], x.shape[2]
    H = z.shape[2] - D - 1
    for t in range(T):
        if keep_cache:
            yield t, t, t + 1
        else:
            z[t & 1, :, H:-1] = x[:, t]
            yield t, t & 1, (t + 1) & 1


def last_row(T: int, keep_cache: bool) -> int:
    return T if keep_cache else T & 1
