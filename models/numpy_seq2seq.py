"""The seq2seq forecaster (``models.seq2seq``) in NumPy: encoder and decoder unrolled step by
step, and backpropagation through both by hand.

Written plainly, batch first and in PyTorch's layout, one step at a time, with each
cell's own step and step back (``models.cells``, where the equations are): the
encoder's last state starts the decoder, so the gradient of every decoder step
flows back into the encoder through that state (for the LSTM, through h and c).

Shapes: N batch, L window, D inputs, k steps ahead, C known covariates, H hidden.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.cells import CELLS, zero_state
from models.optim import FlatAdamStep, flat_parameters
from models.seq2seq import Seq2SeqBase, init_seq2seq


def _add(into: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
    """Add a step's gradients into the flat gradient's views."""
    for name, g in grads.items():
        into[name][...] += g


class Trace(NamedTuple):
    """A forward pass, kept for the backward one."""

    encoder: list  # each step's cache (``models.cells``)
    decoder: list
    hidden: list[np.ndarray]  # (N, H) each decoder step's output h, read by the head
    out: np.ndarray  # (N, k) the forecasts


class NumpySeq2Seq(Seq2SeqBase):
    """Seq2seq forecaster in NumPy. All parameters are views into one flat vector
    (``models.optim.flat_parameters``), so Adam updates them with a few vector operations."""

    backend = "numpy"

    def __init__(self, cell: str, input_size: int, hidden_size: int, horizon: int, covariates: int, seed: int,
                 dtype: str) -> None:
        super().__init__(cell, input_size, hidden_size, horizon, covariates, seed)
        self.dtype = dtype
        self._flat, self._grad, self._params, self._grads = flat_parameters(self.shapes, dtype)
        self.load_state_dict(init_seq2seq(cell, self.input_size, self.hidden_size, self.covariates, seed))

    # -- the interface -------------------------------------------------------
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts (N, k) in model units, the decoder fed its own outputs."""
        window, future = self._inputs(X)
        return self._forward(window, future, None, None).out

    def loss_and_grads(self, X: np.ndarray, Y: np.ndarray,
                       own: np.ndarray | None = None) -> tuple[float, dict[str, np.ndarray]]:
        """Mean squared error over the batch and k steps, and every gradient (copies). ``own`` (N, k)
        bool says where the decoder reads its own output; by default nowhere (teacher forcing)."""
        loss = self._loss_and_flat_grad(X, Y, own)
        return loss, {k: v.copy() for k, v in self._grads.items()}

    def grad_flow(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """||dLoss/dh_t|| for the encoder's steps t = 1..L, averaged over the batch, teacher forced."""
        window = self._inputs(X)[0]
        norms = np.empty(window.shape[1])
        self._loss_and_flat_grad(X, Y, None, norms)
        return norms

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, state: dict) -> None:
        self.check_state(state)
        for name, value in state.items():
            self._params[name][...] = np.asarray(value, dtype=self.dtype)

    def optimizer(self, learning_rate: float, clip_norm: float | None) -> FlatAdamStep:
        return FlatAdamStep(self, learning_rate, clip_norm)

    # -- internals -----------------------------------------------------------
    def _weights(self, part: str, grads: bool = False) -> dict[str, np.ndarray]:
        """The encoder's or decoder's parameters (or their gradients, as views to add into), by PyTorch's
        names without the layer suffix, as ``models.cells`` reads them."""
        d = self._grads if grads else self._params
        suffix = "_l0" if part == "encoder" else ""
        return {n: d[f"{part}.{n}{suffix}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}

    def _inputs(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.split_inputs(np.asarray(X, dtype=self.dtype))

    def _forward(self, window: np.ndarray, future: np.ndarray, Y: np.ndarray | None,
                 own: np.ndarray | None) -> Trace:
        N, L, _ = window.shape
        H, k = self.hidden_size, self.horizon
        step = CELLS[self.cell].step
        state = zero_state(self.cell, N, H, self.dtype)
        enc, dec, hidden = [], [], []
        w_enc, w_dec = self._weights("encoder"), self._weights("decoder")
        for t in range(L):
            state, s = step(window[:, t], state, w_enc)
            enc.append(s)
        out = np.empty((N, k), dtype=self.dtype)
        w_head, b_head = self._params["head.weight"][0], self._params["head.bias"][0]
        prev = window[:, -1, 0]
        for j in range(k):
            if j > 0:
                prev = out[:, j - 1] if Y is None else np.where(own[:, j], out[:, j - 1], Y[:, j - 1])
            x = np.concatenate([prev[:, None], future[:, j]], axis=1)
            state, s = step(x, state, w_dec)
            dec.append(s)
            hidden.append(state[0])
            out[:, j] = state[0] @ w_head + b_head
        return Trace(enc, dec, hidden, out)

    def _training_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """A training step's loss and gradients (``FlatAdamStep``), with the sampler's choices for the batch."""
        return self._loss_and_flat_grad(X, Y, self.sampler.draw(np.shape(X)[0], self.horizon))

    def _loss_and_flat_grad(self, X: np.ndarray, Y: np.ndarray, own: np.ndarray | None,
                            dh_norms: np.ndarray | None = None) -> float:
        window, future = self._inputs(X)
        Y = np.asarray(Y, dtype=self.dtype).reshape(-1, self.horizon)
        own = np.zeros(Y.shape, dtype=bool) if own is None else np.asarray(own, dtype=bool)
        trace = self._forward(window, future, Y, own)
        err = trace.out - Y
        dout = err * (2.0 / err.size)  # (N, k): the mean over every output, as torch's mse_loss
        self._grad[...] = 0.0
        g = self._grads
        g["head.weight"][0] = sum(dout[:, j] @ trace.hidden[j] for j in range(self.horizon))
        g["head.bias"][0] = dout.sum()
        w_head = self._params["head.weight"][0]
        step_back = CELLS[self.cell].step_back
        dstate = tuple(np.zeros_like(trace.hidden[0]) for _ in range(CELLS[self.cell].STATES))
        g_dec = self._weights("decoder", grads=True)
        for j in range(self.horizon - 1, -1, -1):  # fed-back outputs are constants: nothing flows through them
            dstate = (dstate[0] + dout[:, j : j + 1] * w_head, *dstate[1:])
            _, dstate, grads = step_back(dstate, trace.decoder[j])
            _add(g_dec, grads)
        g_enc = self._weights("encoder", grads=True)
        for t in range(len(trace.encoder) - 1, -1, -1):
            if dh_norms is not None:
                dh_norms[t] = float(np.mean(np.linalg.norm(dstate[0], axis=1)))
            _, dstate, grads = step_back(dstate, trace.encoder[t])
            _add(g_enc, grads)
        flat = err.reshape(-1)
        return float(np.dot(flat, flat) / err.size)
