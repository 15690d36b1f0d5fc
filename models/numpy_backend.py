"""The NumPy backend: a recurrent layer and a linear head, trained without autograd.

All parameters live in one flat vector ``_flat``; the PyTorch-named tensors are
views into it, so ``load_state_dict`` writes in place and Adam updates everything
with a few vector operations.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from models.base import check_model_args, check_state_dict, eval_chunk, init_parameters, param_shapes
from models.cells import cell_gates
from models.kernels.gru import gru_backward, gru_forward, gru_step, gru_weights
from models.kernels.gru_cho import ChoLanes, gru_cho_backward, gru_cho_forward
from models.kernels.lstm import lstm_backward, lstm_forward, lstm_step, lstm_weights, step_views
from models.kernels.rnn import rnn_backward, rnn_forward, rnn_step, rnn_weights
from models.optim import FlatAdamStep, flat_parameters
from models.kernels.workspace import Workspace

RNN_KEYS = ("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0")

_CELLS: dict[str, tuple[Callable, Callable]] = {
    "lstm": (lstm_forward, lstm_backward),
    "gru": (gru_forward, gru_backward),
    "rnn": (rnn_forward, rnn_backward),
    "gru_cho": (gru_cho_forward, gru_cho_backward),
}
_WEIGHTS = {"lstm": lstm_weights, "gru": gru_weights, "rnn": rnn_weights}
_SLAB_ROWS = {"lstm": 5, "gru": 4, "rnn": 1}  # a step's slab, in units of H


class NumpyRecurrentRegressor:
    """LSTM, GRU, plain RNN or textbook GRU plus linear head in NumPy. See ``models.base`` for the interface."""

    backend = "numpy"

    def __init__(self, cell: str, input_size: int, hidden_size: int, seed: int, dtype: str, dropout: float,
                 outputs: int) -> None:
        """Built by ``models.registry.create_model``, whose defaults are ``ExperimentConfig``'s."""
        check_model_args(cell, input_size, hidden_size, dtype, dropout, outputs)
        self.cell, self.input_size, self.hidden_size, self.dtype = cell, int(input_size), int(hidden_size), dtype
        self.dropout, self.outputs = float(dropout), int(outputs)
        self._drop_rng = np.random.default_rng([seed, 1])  # training's dropout masks; not the weights' stream
        self._shapes = param_shapes(cell, self.input_size, self.hidden_size, self.outputs)
        self._flat, self._grad, self._params, self._grads = flat_parameters(self._shapes, dtype)
        self.load_state_dict(init_parameters(cell, self.input_size, self.hidden_size, seed, self.outputs))
        self._forward, self._backward = _CELLS[cell]
        self._ws = Workspace()  # for training steps and evaluation; results never outlive a call

    # -- the interface -------------------------------------------------------
    def predict(self, X: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Forecasts (N, outputs) for windows ``X`` (N, T, D); ``mask`` (N, H), for Monte-Carlo
        dropout, multiplies the last hidden state as in training (none by default)."""
        step = eval_chunk(X, self.hidden_size, bytes_per=4)
        if np.shape(X)[0] > step:  # in chunks of windows, so that memory stays bounded
            return np.concatenate([self.predict(X[lo:lo + step], None if mask is None else mask[lo:lo + step])
                                   for lo in range(0, len(X), step)])
        h_last, _ = self._run(X, keep_cache=False, ws=self._ws)
        return self._head(h_last if mask is None else h_last * mask)

    def grad_flow(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """||dLoss/dh_t|| for t = 1..T, averaged over the batch (T,), from the backward pass."""
        norms = np.empty(np.shape(X)[1], dtype=np.float64)
        self._loss_and_flat_grad(X, y, dh_norms=norms)
        return norms

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray,
                       mask: np.ndarray | None = None) -> tuple[float, dict[str, np.ndarray]]:
        """Mean squared error over the batch and the gradient of every parameter (copies).
        ``mask`` (N, H), when given, multiplies the last hidden state before the head, as a
        dropout mask does (zeros, and 1 / (1 - p) for the units kept); without it, no dropout."""
        loss = self._loss_and_flat_grad(X, y, mask=mask)
        return loss, {k: v.copy() for k, v in self._grads.items()}

    def input_gradient(self, X: np.ndarray, output: int = 0) -> np.ndarray:
        """The gradient of each window's forecast ``output`` with respect to every input of the window,
        d yhat / d X (N, T, D), from the backward pass (its ``dx``)."""
        step = eval_chunk(X, self.hidden_size, bytes_per=48)
        if np.shape(X)[0] > step:
            return np.concatenate([self.input_gradient(X[lo:lo + step], output) for lo in range(0, len(X), step)])
        h_last, cache = self._run(X, ws=self._ws)
        dx = np.empty(np.shape(X), dtype=self.dtype)
        dh_last = np.repeat(self._params["head.weight"][output : output + 1], len(h_last), axis=0)
        self._backward(dh_last, cache, ws=self._ws, dx=dx)
        return dx

    def dropout_mask(self, n: int) -> np.ndarray:
        """A fresh training mask (n, H): each unit dropped with probability ``dropout``, the rest
        scaled by 1 / (1 - dropout), so that the head sees the same mean as without dropout."""
        keep = self._drop_rng.random((n, self.hidden_size)) >= self.dropout
        return (keep / (1.0 - self.dropout)).astype(self.dtype)

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        check_state_dict(self._shapes, state)
        for name, value in state.items():
            self._params[name][...] = np.asarray(value, dtype=self.dtype)

    def gate_activations(self, x_one: np.ndarray) -> dict[str, np.ndarray]:
        """Gates of one window ``x_one`` (T, D), each (T, H): the lesson's steps (``models.cells``)."""
        params = {k[4:-3]: v for k, v in zip(RNN_KEYS, self._rnn_params())}
        return cell_gates(self.cell, np.asarray(x_one, dtype=self.dtype)[None], params)

    def optimizer(self, learning_rate: float, clip_norm: float | None) -> FlatAdamStep:
        return FlatAdamStep(self, learning_rate, clip_norm)

    def rollout_lanes(self, lanes: int) -> "NumpyLanes | ChoLanes":
        return ChoLanes(self, lanes) if self.cell == "gru_cho" else NumpyLanes(self, lanes)

    # -- internals -----------------------------------------------------------
    def _rnn_params(self) -> list[np.ndarray]:
        return [self._params[k] for k in RNN_KEYS]

    def _run(self, X: np.ndarray, keep_cache: bool = True, ws: Workspace | None = None):
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape (N, T, {self.input_size}), got {X.shape}")
        return self._forward(X, *self._rnn_params(), keep_cache=keep_cache, ws=ws)

    def _head(self, h: np.ndarray) -> np.ndarray:
        return h @ self._params["head.weight"].T + self._params["head.bias"]

    def _training_loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """A training step's loss and gradients (``FlatAdamStep``): with a fresh dropout mask, if any."""
        mask = self.dropout_mask(np.shape(X)[0]) if self.dropout > 0 else None
        return self._loss_and_flat_grad(X, y, mask=mask)

    def _loss_and_flat_grad(self, X: np.ndarray, y: np.ndarray, dh_norms: np.ndarray | None = None,
                            mask: np.ndarray | None = None) -> float:
        """Loss, with every gradient written into the flat vector ``_grad``; ``mask`` is a dropout mask."""
        h_last, cache = self._run(X, ws=self._ws)
        seen = h_last if mask is None else h_last * mask  # what the head reads
        err = self._head(seen) - np.asarray(y, dtype=self.dtype).reshape(-1, self.outputs)  # (N, outputs)
        dy = err * (2.0 / err.size)  # the mean over every output, as torch's mse_loss
        g = self._grads
        g["head.weight"][...] = dy.T @ seen
        g["head.bias"][...] = dy.sum(axis=0)
        dh_last = dy @ self._params["head.weight"]
        if mask is not None:
            dh_last *= mask
        rnn = self._backward(dh_last, cache, ws=self._ws, dh_norms=dh_norms)
        for key in RNN_KEYS:
            g[key][...] = rnn[key[4:-3]]
        flat = err.reshape(-1)
        return float(np.dot(flat, flat) / err.size)


class NumpyLanes:
    """``lanes`` recurrent states advanced together, one input row for all of them (gate-major).

    A rollout takes L + steps of these steps, so they are the fast kernels' own (``lstm_step`` and its
    kin, the steps of the training forward): the lesson's step (``models.cells``) costs 1.4-1.8x as
    much at the defaults (60 lanes, H = 32), measured. ``tests/models/test_cells.py`` holds them to it."""

    def __init__(self, model: NumpyRecurrentRegressor, lanes: int) -> None:
        if model.outputs != 1:
            raise ValueError("rollouts need one output (a one-step forecaster)")
        H, D, dt = model.hidden_size, model.input_size, model.dtype
        self.model, self.cell, self.H, self.D = model, model.cell, H, D
        self.w = _WEIGHTS[model.cell](*model._rnn_params())
        self.blocks = np.zeros((2, H + D + 1, lanes), dtype=dt)  # double-buffered [h; x; 1]
        self.blocks[:, -1] = 1.0
        self.slabs = np.zeros((2, _SLAB_ROWS[model.cell] * H, lanes), dtype=dt)
        self.tanh_c = np.empty((H, lanes), dtype=dt)
        self.tmp = np.empty((2 * H if self.cell == "lstm" else H, lanes), dtype=dt)
        self.cur = 0
        if self.cell == "lstm":  # the views of a step from slot a to slot b, made once
            self.views = [step_views(self.blocks[a], self.slabs[a], self.slabs[1 - a], self.tanh_c,
                                     self.blocks[1 - a, :H], self.tmp) for a in (0, 1)]

    def reset(self, lane: int) -> None:
        self.blocks[self.cur, : self.H, lane] = 0.0
        self.slabs[self.cur, 4 * self.H :, lane] = 0.0  # the LSTM's cell state

    def step(self, row: np.ndarray) -> None:
        """Every lane reads ``row`` (D,)."""
        cur, nxt = self.cur, 1 - self.cur
        self.blocks[cur, self.H : self.H + self.D] = np.reshape(row, (self.D, 1))
        h_out = self.blocks[nxt, : self.H]
        if self.cell == "lstm":
            with np.errstate(over="ignore", under="ignore"):  # a gate's exp may overflow: see kernels.lstm
                lstm_step(self.w.w_s, self.views[cur])
        elif self.cell == "gru":
            gru_step(self.blocks[cur], self.slabs[cur], self.w, h_out, self.tmp)
        else:
            rnn_step(self.w.w_s, self.blocks[cur], self.slabs[cur], h_out)
        self.cur = nxt

    def readout(self, lane: int) -> float:
        p = self.model._params
        return float(self.blocks[self.cur, : self.H, lane] @ p["head.weight"][0] + p["head.bias"][0])
