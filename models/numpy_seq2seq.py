"""The seq2seq forecaster (``models.seq2seq``) in NumPy: encoder and decoder unrolled step by
step, and backpropagation through both by hand.

Written plainly, batch first and in PyTorch's layout, one step at a time: the
encoder's last state starts the decoder, so the gradient of every decoder step
flows back into the encoder through that state (for the LSTM, through h and c).

One step of each cell, with ``a = x W_ih^T + b_ih + h W_hh^T + b_hh``:

    LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the four blocks of a
          c' = f * c + i * g,  h' = o * tanh(c')
    GRU   r, z = sigmoid of the first two blocks of a
          n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)),  h' = (1 - z) * n + z * h
    RNN   h' = tanh(a)

Shapes: N batch, L window, D inputs, k steps ahead, C known covariates, H hidden.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.optim import FlatAdamStep, flat_parameters
from models.seq2seq import Seq2SeqBase, init_seq2seq


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # never overflows


class Weights(NamedTuple):
    w_ih: np.ndarray  # (G H, input)
    w_hh: np.ndarray  # (G H, H)
    b_ih: np.ndarray  # (G H,)
    b_hh: np.ndarray  # (G H,)


class StepCache(NamedTuple):
    x: np.ndarray  # (N, input)
    h: np.ndarray  # (N, H) the state before the step
    c: np.ndarray | None  # (N, H) LSTM: the cell state before
    gates: tuple[np.ndarray, ...]  # LSTM (i, f, g, o, tanh c'); GRU (r, z, n, hn); RNN (h',)


def cell_step(cell: str, w: Weights, x: np.ndarray, h: np.ndarray,
              c: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None, StepCache]:
    """One step of ``cell``: (h', c' or None, what the backward step needs)."""
    H = h.shape[1]
    if cell == "lstm":
        a = x @ w.w_ih.T + w.b_ih + h @ w.w_hh.T + w.b_hh
        i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H]), _sigmoid(a[:, 3 * H :])
        g = np.tanh(a[:, 2 * H : 3 * H])
        c_new = f * c + i * g
        tc = np.tanh(c_new)
        return o * tc, c_new, StepCache(x, h, c, (i, f, g, o, tc))
    if cell == "gru":
        gi = x @ w.w_ih.T + w.b_ih
        hn = h @ w.w_hh[2 * H :].T + w.b_hh[2 * H :]
        rz = _sigmoid(gi[:, : 2 * H] + h @ w.w_hh[: 2 * H].T + w.b_hh[: 2 * H])
        r, z = rz[:, :H], rz[:, H:]
        n = np.tanh(gi[:, 2 * H :] + r * hn)
        return (1.0 - z) * n + z * h, None, StepCache(x, h, None, (r, z, n, hn))
    h_new = np.tanh(x @ w.w_ih.T + w.b_ih + h @ w.w_hh.T + w.b_hh)
    return h_new, None, StepCache(x, h, None, (h_new,))


def cell_step_back(cell: str, w: Weights, s: StepCache, dh: np.ndarray, dc: np.ndarray | None,
                   grads: Weights) -> tuple[np.ndarray, np.ndarray | None]:
    """Backward through one step: adds into ``grads`` and returns (dL/dh, dL/dc) before the step.

    ``dh`` and ``dc`` are the gradients of the loss with respect to the step's outputs h' and c'."""
    if cell == "lstm":
        i, f, g, o, tc = s.gates
        dc = dc + dh * o * (1.0 - tc * tc)
        da = np.concatenate([dc * g * i * (1.0 - i), dc * s.c * f * (1.0 - f), dc * i * (1.0 - g * g),
                             dh * tc * o * (1.0 - o)], axis=1)
        _accumulate(grads, da, da, s)
        return da @ w.w_hh, dc * f
    if cell == "gru":
        r, z, n, hn = s.gates
        dn = dh * (1.0 - z) * (1.0 - n * n)  # through tanh
        dr = dn * hn * r * (1.0 - r)
        dz = dh * (s.h - n) * z * (1.0 - z)
        gi = np.concatenate([dr, dz, dn], axis=1)  # the input side: x W_ih^T + b_ih
        gh = np.concatenate([dr, dz, dn * r], axis=1)  # the hidden side: h W_hh^T + b_hh
        _accumulate(grads, gi, gh, s)
        return dh * z + gh @ w.w_hh, None
    (h_new,) = s.gates
    da = dh * (1.0 - h_new * h_new)
    _accumulate(grads, da, da, s)
    return da @ w.w_hh, None


def _accumulate(grads: Weights, gi: np.ndarray, gh: np.ndarray, s: StepCache) -> None:
    grads.w_ih[...] += gi.T @ s.x
    grads.b_ih[...] += gi.sum(axis=0)
    grads.w_hh[...] += gh.T @ s.h
    grads.b_hh[...] += gh.sum(axis=0)


class Trace(NamedTuple):
    """A forward pass, kept for the backward one."""

    encoder: list[StepCache]
    decoder: list[StepCache]
    hidden: list[np.ndarray]  # (N, H) each decoder step's output h, read by the head
    out: np.ndarray  # (N, k) the forecasts


class NumpySeq2Seq(Seq2SeqBase):
    """Seq2seq forecaster in NumPy. All parameters are views into one flat vector
    (``models.optim.flat_parameters``), so Adam updates them with a few vector operations."""

    backend = "numpy"

    def __init__(self, cell: str = "lstm", input_size: int = 1, hidden_size: int = 16, horizon: int = 10,
                 covariates: int = 0, seed: int = 0, dtype: str = "float32") -> None:
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
    def _weights(self, part: str, grads: bool = False) -> Weights:
        d = self._grads if grads else self._params
        suffix = "_l0" if part == "encoder" else ""
        return Weights(*(d[f"{part}.{n}{suffix}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))

    def _inputs(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.split_inputs(np.asarray(X, dtype=self.dtype))

    def _forward(self, window: np.ndarray, future: np.ndarray, Y: np.ndarray | None,
                 own: np.ndarray | None) -> Trace:
        N, L, _ = window.shape
        H, k = self.hidden_size, self.horizon
        lstm = self.cell == "lstm"
        h = np.zeros((N, H), dtype=self.dtype)
        c = np.zeros((N, H), dtype=self.dtype) if lstm else None
        enc, dec, hidden = [], [], []
        w_enc, w_dec = self._weights("encoder"), self._weights("decoder")
        for t in range(L):
            h, c, s = cell_step(self.cell, w_enc, window[:, t], h, c)
            enc.append(s)
        out = np.empty((N, k), dtype=self.dtype)
        w_head, b_head = self._params["head.weight"][0], self._params["head.bias"][0]
        prev = window[:, -1, 0]
        for j in range(k):
            if j > 0:
                prev = out[:, j - 1] if Y is None else np.where(own[:, j], out[:, j - 1], Y[:, j - 1])
            x = np.concatenate([prev[:, None], future[:, j]], axis=1)
            h, c, s = cell_step(self.cell, w_dec, x, h, c)
            dec.append(s)
            hidden.append(h)
            out[:, j] = h @ w_head + b_head
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
        dh = np.zeros_like(trace.hidden[0])
        dc = np.zeros_like(dh) if self.cell == "lstm" else None
        w_dec, g_dec = self._weights("decoder"), self._weights("decoder", grads=True)
        for j in range(self.horizon - 1, -1, -1):  # fed-back outputs are constants: nothing flows through them
            dh = dh + dout[:, j : j + 1] * w_head
            dh, dc = cell_step_back(self.cell, w_dec, trace.decoder[j], dh, dc, g_dec)
        w_enc, g_enc = self._weights("encoder"), self._weights("encoder", grads=True)
        for t in range(len(trace.encoder) - 1, -1, -1):
            if dh_norms is not None:
                dh_norms[t] = float(np.mean(np.linalg.norm(dh, axis=1)))
            dh, dc = cell_step_back(self.cell, w_enc, trace.encoder[t], dh, dc, g_enc)
        flat = err.reshape(-1)
        return float(np.dot(flat, flat) / err.size)
