"""The textbook GRU (Cho et al., 2014) in the NumPy backend: the lesson's own cell, looped.

Its equations are written once, in ``models.cells.gru_cho``: the reset gate multiplies
the state before the product with ``W_hn``, which PyTorch's ``nn.GRU`` does not, so
this cell has no PyTorch twin and no fast kernel of its own. This module adapts the
plain layer (``models.cells.layer`` and ``layer_back``) to the backend's kernel
interface: forward, backward (with the gradient flow and dx), and rollout lanes.
N batch, T time steps, D input size, H hidden size.
"""

from __future__ import annotations

import numpy as np

from models.cells import gru_cho, layer, layer_back
from models.kernels.workspace import Workspace

NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def gru_cho_forward(x: np.ndarray, weight_ih, weight_hh, bias_ih, bias_hh, keep_cache: bool = True,
                    ws: Workspace | None = None) -> tuple[np.ndarray, list | None]:
    """Run the layer over ``x`` (N, T, D) from a zero state: (h_T (N, H), the steps' caches or None)."""
    params = dict(zip(NAMES, (weight_ih, weight_hh, bias_ih, bias_hh)))
    _, (h,), caches = layer("gru_cho", np.asarray(x, dtype=weight_hh.dtype), params)
    return h, (caches if keep_cache else None)


def gru_cho_backward(dh_last: np.ndarray, caches: list, ws: Workspace | None = None,
                     dh_norms: np.ndarray | None = None, dx: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The textbook GRU's backward pass, under the kernels' one contract (``models.kernels``)."""
    dh_last = np.asarray(dh_last, dtype=caches[0][1].dtype)
    dhs = np.zeros((dh_last.shape[0], len(caches), dh_last.shape[1]), dtype=dh_last.dtype)
    dhs[:, -1] = dh_last
    dxs, _, grads = layer_back("gru_cho", dhs, caches, dh_norms=dh_norms)
    if dx is not None:
        dx[...] = dxs
    return grads



class ChoLanes:
    """``lanes`` states advanced together, one input row for all of them (see ``models.rollout``)."""

    def __init__(self, model, lanes: int) -> None:
        if model.outputs != 1:
            raise ValueError("rollouts need one output (a one-step forecaster)")
        self.params = dict(zip(NAMES, model._rnn_params()))
        self.head_w, self.head_b = model._params["head.weight"][0], model._params["head.bias"][0]
        self.h = np.zeros((lanes, model.hidden_size), dtype=model.dtype)
        self.x = np.zeros((lanes, model.input_size), dtype=model.dtype)

    def reset(self, lane: int) -> None:
        self.h[lane] = 0.0

    def step(self, row: np.ndarray) -> None:
        self.x[:] = row
        (self.h,), _ = gru_cho.step(self.x, (self.h,), self.params)

    def readout(self, lane: int) -> float:
        return float(self.h[lane] @ self.head_w + self.head_b)
