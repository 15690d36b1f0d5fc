"""A sequence-to-sequence forecaster for k steps ahead, and how it is trained.

An encoder reads the window; a decoder cell of the same kind starts from the
encoder's last state and unrolls k steps, a linear head reading each step's hidden
state. The same network in PyTorch::

    class Seq2Seq(nn.Module):
        def __init__(self, D, C, H):
            super().__init__()
            self.encoder = nn.LSTM(D, H, batch_first=True)  # or nn.GRU, nn.RNN
            self.decoder = nn.LSTMCell(1 + C, H)  # or nn.GRUCell, nn.RNNCell
            self.head = nn.Linear(H, 1)

        def forward(self, x, y, future, own):  # (N, L, D), (N, k), (N, k, C), (N, k) bool
            _, state = self.encoder(x)
            prev, out = x[:, -1, :1], []
            for j in range(k):
                if j > 0:  # the truth (teacher forcing) or the decoder's own last output
                    prev = torch.where(own[:, j:j+1], out[-1].detach(), y[:, j-1:j])
                state = self.decoder(torch.cat([prev, future[:, j]], 1), state)
                out.append(self.head(h_of(state)))
            return torch.cat(out, 1)  # (N, k)

Step j's input is the value before it (the window's last value for the first step)
and the C known covariates of the step it forecasts (calendar, holidays; none by
default). A fed-back output is a constant to the gradient (``detach``), as in
Bengio et al.'s scheduled sampling, where a sampled input is not differentiated.

**Scheduled sampling.** While training, each decoder input after the first is the
decoder's own previous output with probability p, else the truth. p rises linearly
over the epochs from 0 (pure teacher forcing) to ``final`` at the last epoch. The
choices come from one seeded NumPy generator (``Sampler``), outside the backends, so
that both backends make the same ones. At prediction time the decoder always feeds
its own outputs: the truth is not known then.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from models.base import CELL_NAMES, GATE_COUNT, plain_int, check_state_dict, uniform_parameters
from models.rules import COVARIATES, HIDDEN, INPUTS, SEQ2SEQ_CELLS, SEQ2SEQ_HORIZON


def seq2seq_shapes(cell: str, input_size: int, hidden_size: int, covariates: int = 0) -> dict[str, tuple[int, ...]]:
    """PyTorch's parameter names and shapes for the module above."""
    k = GATE_COUNT[cell] * hidden_size
    return {
        "encoder.weight_ih_l0": (k, input_size),
        "encoder.weight_hh_l0": (k, hidden_size),
        "encoder.bias_ih_l0": (k,),
        "encoder.bias_hh_l0": (k,),
        "decoder.weight_ih": (k, 1 + covariates),
        "decoder.weight_hh": (k, hidden_size),
        "decoder.bias_ih": (k,),
        "decoder.bias_hh": (k,),
        "head.weight": (1, hidden_size),
        "head.bias": (1,),
    }


def check_seq2seq_args(cell: str, input_size: int, hidden_size: int, horizon: int, covariates: int) -> None:
    if cell not in SEQ2SEQ_CELLS:
        raise ValueError(f"a seq2seq model's cell must be one of {SEQ2SEQ_CELLS}, got {cell!r}"
                         + (f" ({CELL_NAMES[cell]} has no PyTorch cell to be its twin)" if cell in CELL_NAMES else ""))
    for name, value, bound in (("input_size", input_size, INPUTS), ("hidden_size", hidden_size, HIDDEN),
                               ("horizon", horizon, SEQ2SEQ_HORIZON), ("covariates", covariates, COVARIATES)):
        bound.check(name, plain_int(value))


def init_seq2seq(cell: str, input_size: int, hidden_size: int, covariates: int, seed: int) -> dict[str, np.ndarray]:
    """PyTorch's default initialisation of the module above (``models.base.uniform_parameters``)."""
    return uniform_parameters(seq2seq_shapes(cell, input_size, hidden_size, covariates), hidden_size, seed)


class Sampler:
    """Which decoder inputs are the decoder's own outputs, batch after batch: a seeded stream,
    independent of the backend. ``probability`` is set before each epoch (``sampling_schedule``)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng([seed, 3])  # not the weights' stream, nor the batches'
        self.probability = 0.0

    def draw(self, n: int, k: int) -> np.ndarray:
        """(n, k) bool: True where step j reads its own previous output. Step 0 never does."""
        own = self.rng.random((n, k)) < self.probability
        own[:, 0] = False
        return own


def sampling_schedule(epoch: int, epochs: int, final: float) -> float:
    """The probability of feeding the decoder its own output in ``epoch`` (1-based): 0 in the
    first epoch, rising linearly to ``final`` in the last."""
    if not 0 <= final <= 1:
        raise ValueError(f"scheduled sampling must be a probability in [0, 1], got {final!r}")
    return final * (epoch - 1) / (epochs - 1) if epochs > 1 else final


class Seq2SeqBase:
    """What both backends share: the sampler, the checks, and training through ``models.train``.

    Subclasses give ``predict(X, future)``, ``_loss_and_grads(X, Y, future, own)``,
    ``grad_flow(X, Y)``, ``state_dict``/``load_state_dict`` and ``optimizer``."""

    backend: str

    def __init__(self, cell: str, input_size: int, hidden_size: int, horizon: int, covariates: int,
                 seed: int) -> None:
        check_seq2seq_args(cell, input_size, hidden_size, horizon, covariates)
        self.cell, self.input_size, self.hidden_size = cell, int(input_size), int(hidden_size)
        self.horizon, self.covariates = int(horizon), int(covariates)
        self.sampler = Sampler(seed)
        self.shapes = seq2seq_shapes(cell, self.input_size, self.hidden_size, self.covariates)

    @property
    def outputs(self) -> int:
        """Forecasts per window, as a direct model's ``outputs``: k."""
        return self.horizon

    def split_inputs(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training and prediction read one array: the window (N, L, D), then, when the decoder has
        covariates, their k future rows appended as ``X[:, L:, :C]`` (see ``pack``)."""
        X = np.asarray(X)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape (N, T, {self.input_size}), got {X.shape}")
        if not self.covariates:
            return X, np.zeros((X.shape[0], self.horizon, 0), dtype=X.dtype)
        L = X.shape[1] - self.horizon
        return X[:, :L], X[:, L:, : self.covariates]

    def check_state(self, state: dict) -> None:
        check_state_dict(self.shapes, state)


def pack(X: np.ndarray, future: np.ndarray | None) -> np.ndarray:
    """Windows (N, L, D) and the decoder's known covariates (N, k, C), C <= D, as one array (N, L + k, D),
    so that a seq2seq model trains through the same loop as every other model."""
    if future is None or future.shape[2] == 0:
        return X
    N, k, C = future.shape
    tail = np.zeros((N, k, X.shape[2]), dtype=X.dtype)
    tail[:, :, :C] = future
    return np.concatenate([X, tail], axis=1)


def schedule_hook(model, epochs: int, final: float) -> Callable[[int], None]:
    """A ``before_epoch`` hook for ``models.train.train`` that sets the model's sampling probability."""

    def before_epoch(epoch: int) -> None:
        model.sampler.probability = sampling_schedule(epoch, epochs, final)

    return before_epoch
