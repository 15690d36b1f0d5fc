"""The PyTorch backend: ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` and ``nn.Linear``, trained with autograd.

Same interface and the same initial weights as the NumPy backend (both draw
them from ``models.base.init_parameters``). Arrays go in and come out as NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from models.base import backend_cell_problem, check_model_args, check_state_dict, eval_chunk, init_parameters, param_shapes
from models.cells import cell_gates

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}  # nn.RNN: tanh
_CELL_KERNELS = {"lstm": torch.lstm_cell, "gru": torch.gru_cell, "rnn": torch.rnn_tanh_cell}  # nn.*Cell's arithmetic


def preload() -> None:
    """Import what torch loads lazily on first use (``torch.optim`` pulls in most of
    ``torch._dynamo``: 0.8 s), without running any computation, so that no thread pool
    starts. A server calls this before it forks training jobs."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=1e-3)


class _Net(nn.Module):
    def __init__(self, cell: str, input_size: int, hidden_size: int, dropout: float, outputs: int) -> None:
        super().__init__()
        self.rnn = _LAYERS[cell](input_size, hidden_size, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, outputs)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # (N, T, D) -> (N, k)
        """``mask`` replaces ``nn.Dropout``'s own draw (the parity tests give both backends one mask)."""
        out, _ = self.rnn(x)
        h = out[:, -1]
        return self.head(h * mask if mask is not None else self.drop(h))


class TorchRecurrentRegressor:
    """LSTM, GRU or plain RNN plus linear head in PyTorch. See ``models.base`` for the interface."""

    backend = "torch"

    def __init__(self, cell: str, input_size: int, hidden_size: int, seed: int, dtype: str, dropout: float,
                 outputs: int) -> None:
        """Built by ``models.registry.create_model``, whose defaults are ``ExperimentConfig``'s."""
        check_model_args(cell, input_size, hidden_size, dtype, dropout, outputs)
        problem = backend_cell_problem("torch", cell)
        if problem:
            raise ValueError(f"cell {problem}")
        self.cell, self.input_size, self.hidden_size, self.dtype = cell, int(input_size), int(hidden_size), dtype
        self.dropout, self.outputs = float(dropout), int(outputs)
        self._tdtype = _DTYPES[dtype]
        self.net = _Net(cell, self.input_size, self.hidden_size, self.dropout, self.outputs).to(self._tdtype).eval()
        if self.dropout > 0:
            torch.manual_seed(seed)  # nn.Dropout draws from torch's global generator: a run repeats
        self.load_state_dict(init_parameters(cell, self.input_size, self.hidden_size, seed, self.outputs))

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        X = np.asarray(X)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape (N, T, {self.input_size}), got {X.shape}")
        return torch.as_tensor(X, dtype=self._tdtype)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts (N, outputs), in chunks of windows so that memory stays bounded (``eval_chunk``)."""
        step = eval_chunk(X, self.hidden_size)
        with torch.no_grad():
            return np.concatenate([self.net(self._tensor(X[lo:lo + step])).numpy()
                                   for lo in range(0, max(len(X), 1), step)])

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray,
                       mask: np.ndarray | None = None) -> tuple[float, dict[str, np.ndarray]]:
        """As the NumPy backend's: ``mask`` (N, H) multiplies the last hidden state; without it, no dropout."""
        self.net.zero_grad(set_to_none=True)
        loss = self._loss(X, y, None if mask is None else torch.as_tensor(np.asarray(mask), dtype=self._tdtype))
        loss.backward()
        return loss.item(), {k: p.grad.numpy().copy() for k, p in self.net.named_parameters()}

    def grad_flow(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """||dLoss/dh_t|| for t = 1..T, averaged over the batch (T,), by autograd.

        ``nn.LSTM`` is one node of the autograd graph, whose output's gradient holds only
        the direct path to the head; so the layer is unrolled here with torch's one-step
        cell kernels on its own weights, and every hidden state keeps its gradient."""
        x = self._tensor(X)
        target = torch.as_tensor(np.asarray(y).reshape(-1, self.outputs), dtype=self._tdtype)
        rnn, head = self.net.rnn, self.net.head
        weights = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
        h = torch.zeros(x.shape[0], self.hidden_size, dtype=self._tdtype)
        c = torch.zeros_like(h)
        states = []
        for t in range(x.shape[1]):
            if self.cell == "lstm":
                h, c = torch.lstm_cell(x[:, t], (h, c), *weights)
            else:
                h = _CELL_KERNELS[self.cell](x[:, t], h, *weights)
            h.retain_grad()
            states.append(h)
        nn.functional.mse_loss(head(h), target).backward()
        norms = np.array([float(s.grad.norm(dim=1).mean()) for s in states])
        self.net.zero_grad(set_to_none=True)
        return norms

    def input_gradient(self, X: np.ndarray, output: int = 0) -> np.ndarray:
        """d yhat / d X (N, T, D) for forecast ``output`` of each window, by autograd."""
        x = self._tensor(X).clone().requires_grad_(True)
        self.net(x)[:, output].sum().backward()
        self.net.zero_grad(set_to_none=True)
        return x.grad.numpy().copy()

    def _training_loss(self, X: np.ndarray, y: np.ndarray) -> torch.Tensor:
        """A training step's loss (``TorchAdamStep``): nn.Dropout draws a mask here; everywhere else
        the net stays in eval mode."""
        self.net.train()
        try:
            return self._loss(X, y)
        finally:
            self.net.eval()

    def _loss(self, X: np.ndarray, y: np.ndarray, mask: torch.Tensor | None = None) -> torch.Tensor:
        target = torch.as_tensor(np.asarray(y).reshape(-1, self.outputs), dtype=self._tdtype)
        return nn.functional.mse_loss(self.net(self._tensor(X), mask), target)

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.net.state_dict().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        check_state_dict(param_shapes(self.cell, self.input_size, self.hidden_size, self.outputs), state)
        self.net.load_state_dict({k: torch.as_tensor(np.asarray(v), dtype=self._tdtype) for k, v in state.items()})

    def gate_activations(self, x_one: np.ndarray) -> dict[str, np.ndarray]:
        """Gates of one window ``x_one`` (T, D), each (T, H): the lesson's steps (``models.cells``) on the
        layer's own weights."""
        state = self.state_dict()
        params = {k: state[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        x = np.asarray(x_one, dtype=self.dtype)[None]
        return cell_gates(self.cell, x, params)

    def optimizer(self, learning_rate: float, clip_norm: float | None) -> "TorchAdamStep":
        return TorchAdamStep(self, learning_rate, clip_norm)

    def rollout_lanes(self, lanes: int) -> "TorchLanes":
        return TorchLanes(self, lanes)


class TorchAdamStep:
    """One training step: ``model._training_loss(X, y)`` (drawing whatever the model draws per batch),
    autograd, ``clip_grad_norm_``, ``torch.optim.Adam``."""

    def __init__(self, model, learning_rate: float, clip_norm: float | None) -> None:
        self.model, self.clip_norm = model, clip_norm
        self.params = list(model.net.parameters())
        self.adam = torch.optim.Adam(self.params, lr=learning_rate)

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        self.adam.zero_grad(set_to_none=True)
        loss = self.model._training_loss(X, y)
        loss.backward()
        max_norm = float("inf") if self.clip_norm is None else self.clip_norm
        norm = nn.utils.clip_grad_norm_(self.params, max_norm)
        self.adam.step()
        return loss.item(), float(norm)


class TorchLanes:
    """``lanes`` recurrent states advanced together by torch's own one-step cell kernels
    (``torch.lstm_cell`` / ``torch.gru_cell`` / ``torch.rnn_tanh_cell``, the arithmetic of
    ``nn.LSTMCell`` / ``nn.GRUCell`` / ``nn.RNNCell``)
    on the layer's weights."""

    def __init__(self, model: TorchRecurrentRegressor, lanes: int) -> None:
        if model.outputs != 1:
            raise ValueError("rollouts need one output (a one-step forecaster)")
        rnn, head = model.net.rnn, model.net.head
        self.lstm = model.cell == "lstm"
        self.cell = _CELL_KERNELS[model.cell]
        self.weights = tuple(p.detach() for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0))
        zeros = torch.zeros(lanes, model.hidden_size, dtype=model._tdtype)
        self.h, self.c = zeros, zeros.clone()
        self.x = torch.empty(lanes, model.input_size, dtype=model._tdtype)
        self.w = head.weight.detach()[0]
        self.b = float(head.bias.detach()[0])

    def reset(self, lane: int) -> None:
        self.h[lane] = 0.0
        self.c[lane] = 0.0

    def step(self, row: np.ndarray) -> None:
        self.x[:] = torch.as_tensor(np.reshape(row, (1, -1)), dtype=self.x.dtype)
        with torch.no_grad():
            if self.lstm:
                self.h, self.c = self.cell(self.x, (self.h, self.c), *self.weights)
            else:
                self.h = self.cell(self.x, self.h, *self.weights)

    def readout(self, lane: int) -> float:
        return float(self.h[lane] @ self.w) + self.b
