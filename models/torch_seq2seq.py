"""The seq2seq forecaster (``models.seq2seq``) in PyTorch: ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN``
as the encoder, ``nn.LSTMCell`` / ``nn.GRUCell`` / ``nn.RNNCell`` as the decoder, autograd for
the gradients. Same interface and first weights as ``models.numpy_seq2seq``."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.seq2seq import Seq2SeqBase, init_seq2seq
from models.torch_backend import TorchAdamStep

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_LAYERS = {"lstm": (nn.LSTM, nn.LSTMCell), "gru": (nn.GRU, nn.GRUCell), "rnn": (nn.RNN, nn.RNNCell)}


class _Net(nn.Module):
    def __init__(self, cell: str, input_size: int, hidden_size: int, covariates: int) -> None:
        super().__init__()
        layer, step = _LAYERS[cell]
        self.lstm = cell == "lstm"
        self.encoder = layer(input_size, hidden_size, batch_first=True)
        self.decoder = step(1 + covariates, hidden_size)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor, future: torch.Tensor, y: torch.Tensor | None,
                own: torch.Tensor | None, hidden: list | None = None) -> torch.Tensor:
        """(N, L, D), (N, k, C), truth (N, k) or None, own (N, k) bool -> forecasts (N, k).
        Without ``y`` the decoder reads its own outputs throughout; ``hidden`` collects the
        encoder's states (for the gradient flow)."""
        if hidden is None:
            _, state = self.encoder(x)
            state = (state[0][0], state[1][0]) if self.lstm else state[0]
        else:  # step by step, so that each state keeps its gradient
            state = self._unrolled_encoder(x, hidden)
        prev, out = x[:, -1, :1], []
        for j in range(future.shape[1]):
            if j > 0:
                fed = out[-1].detach()  # an output fed back is a constant to the gradient
                prev = fed if y is None else torch.where(own[:, j : j + 1], fed, y[:, j - 1 : j])
            state = self.decoder(torch.cat([prev, future[:, j]], dim=1), state)
            out.append(self.head(state[0] if self.lstm else state))
        return torch.cat(out, dim=1)

    def _unrolled_encoder(self, x: torch.Tensor, hidden: list):
        e = self.encoder
        kernel = {nn.LSTM: torch.lstm_cell, nn.GRU: torch.gru_cell, nn.RNN: torch.rnn_tanh_cell}[type(e)]
        weights = (e.weight_ih_l0, e.weight_hh_l0, e.bias_ih_l0, e.bias_hh_l0)
        h = x.new_zeros(x.shape[0], e.hidden_size)
        c = torch.zeros_like(h)
        for t in range(x.shape[1]):
            if self.lstm:
                h, c = kernel(x[:, t], (h, c), *weights)
            else:
                h = kernel(x[:, t], h, *weights)
            h.retain_grad()
            hidden.append(h)
        return (h, c) if self.lstm else h


class TorchSeq2Seq(Seq2SeqBase):
    """Seq2seq forecaster in PyTorch."""

    backend = "torch"

    def __init__(self, cell: str, input_size: int, hidden_size: int, horizon: int, covariates: int, seed: int,
                 dtype: str) -> None:
        super().__init__(cell, input_size, hidden_size, horizon, covariates, seed)
        self.dtype, self._tdtype = dtype, _DTYPES[dtype]
        self.net = _Net(cell, self.input_size, self.hidden_size, self.covariates).to(self._tdtype)
        self.load_state_dict(init_seq2seq(cell, self.input_size, self.hidden_size, self.covariates, seed))

    def _tensors(self, X: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        window, future = self.split_inputs(X)
        return (torch.as_tensor(np.asarray(window), dtype=self._tdtype),
                torch.as_tensor(np.asarray(future), dtype=self._tdtype))

    def predict(self, X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.net(*self._tensors(X), None, None).numpy()

    def _training_loss(self, X: np.ndarray, Y: np.ndarray) -> torch.Tensor:
        """A training step's loss (``TorchAdamStep``), with the sampler's choices for the batch."""
        return self._loss(X, Y, self.sampler.draw(np.shape(X)[0], self.horizon))

    def _loss(self, X, Y, own, hidden=None) -> torch.Tensor:
        target = torch.as_tensor(np.asarray(Y).reshape(-1, self.horizon), dtype=self._tdtype)
        own = torch.zeros(target.shape, dtype=torch.bool) if own is None else torch.as_tensor(np.asarray(own))
        return nn.functional.mse_loss(self.net(*self._tensors(X), target, own, hidden), target)

    def loss_and_grads(self, X: np.ndarray, Y: np.ndarray,
                       own: np.ndarray | None = None) -> tuple[float, dict[str, np.ndarray]]:
        self.net.zero_grad(set_to_none=True)
        loss = self._loss(X, Y, own)
        loss.backward()
        return loss.item(), {k: p.grad.numpy().copy() for k, p in self.net.named_parameters()}

    def grad_flow(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """||dLoss/dh_t|| for the encoder's steps, averaged over the batch, teacher forced; by autograd."""
        hidden: list[torch.Tensor] = []
        self._loss(X, Y, None, hidden).backward()
        self.net.zero_grad(set_to_none=True)
        return np.array([float(h.grad.norm(dim=1).mean()) for h in hidden])

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.net.state_dict().items()}

    def load_state_dict(self, state: dict) -> None:
        self.check_state(state)
        self.net.load_state_dict({k: torch.as_tensor(np.asarray(v), dtype=self._tdtype) for k, v in state.items()})

    def optimizer(self, learning_rate: float, clip_norm: float | None) -> TorchAdamStep:
        return TorchAdamStep(self, learning_rate, clip_norm)
