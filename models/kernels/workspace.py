"""Reusable arrays for the NumPy cells.

A fresh multi-megabyte array costs a page fault per 4 KiB page on first touch;
in a training step that re-allocates its caches every batch, that was 40 % of
the time. A ``Workspace`` hands out the same array again for the same name,
shape and dtype, and keeps the per-step views of those arrays, which would
otherwise be made again every batch (at a batch of 64 and a hidden size of 32,
slicing cost several percent of a step). Pass none and every call gets fresh
arrays (pure functions); pass one and the caller promises not to keep a result
across the next call.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


class Workspace:
    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}
        self._views: dict[tuple, Any] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """An uninitialised array; the same one for the same (name, shape, dtype)."""
        key = (name, shape, np.dtype(dtype))
        a = self._arrays.get(key)
        if a is None:
            a = self._arrays[key] = np.empty(shape, dtype=dtype)
        return a

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """What ``build()`` made for ``key`` before, else build it now and keep it. Views of this
        workspace's arrays are keyed by those arrays' ids (the kept views keep them alive)."""
        value = self._views.get(key)
        if value is None:
            value = self._views[key] = build()
        return value


def buffers(ws: Workspace | None):
    """``ws.get``, or a getter of fresh arrays when there is no workspace."""
    return ws.get if ws is not None else (lambda name, shape, dtype: np.empty(shape, dtype=dtype))


def memo(ws: Workspace | None, key: tuple, build: Callable[[], Any]) -> Any:
    """``ws.memo``, or ``build()`` every time when there is no workspace."""
    return ws.memo(key, build) if ws is not None else build()


def dsigmoid(s: np.ndarray, out: np.ndarray) -> np.ndarray:
    """sigmoid'(a) written as s - s^2 from s = sigmoid(a), into ``out``."""
    np.multiply(s, s, out=out)
    return np.subtract(s, out, out=out)


def one_minus_square(s: np.ndarray, out: np.ndarray) -> np.ndarray:
    """tanh'(a) = 1 - t^2 from t = tanh(a), into ``out``."""
    np.multiply(s, s, out=out)
    return np.subtract(1.0, out, out=out)
