"""What every recurrent regressor offers, whatever its backend, and how it starts.

The network is one recurrent layer and a linear head on the last hidden state,
the same as this PyTorch module::

    class Net(nn.Module):
        def __init__(self, D, H):
            super().__init__()
            self.rnn = nn.LSTM(D, H, batch_first=True)  # or nn.GRU, or nn.RNN (tanh)
            self.drop = nn.Dropout(p)  # p = 0 by default: the identity
            self.head = nn.Linear(H, 1)

        def forward(self, x):  # (N, T, D)
            out, _ = self.rnn(x)  # (N, T, H)
            return self.head(self.drop(out[:, -1]))  # (N, 1)

``state_dict`` keys, shapes and gate order are exactly that module's, so weights
move between backends with a plain dict copy.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from models.rules import DROPOUT, HIDDEN, INPUTS, OUTPUTS

CELLS = ("lstm", "gru", "rnn", "gru_cho")
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "gru_cho": "GRU (Cho)"}
NUMPY_ONLY = ("gru_cho",)  # the textbook GRU: no PyTorch layer computes it
GATES = {"lstm": ("i", "f", "g", "o", "c", "h"), "gru": ("r", "z", "n", "h"), "rnn": ("a", "h"),
         "gru_cho": ("r", "z", "n", "h")}
GATE_COUNT = {"lstm": 4, "gru": 3, "rnn": 1, "gru_cho": 3}
DTYPES = ("float32", "float64")


def param_shapes(cell: str, input_size: int, hidden_size: int, outputs: int = 1) -> dict[str, tuple[int, ...]]:
    """PyTorch's parameter names and shapes for the module above; a *direct* multi-step
    forecaster has a head with ``outputs`` rows, one per step ahead."""
    k = GATE_COUNT[cell] * hidden_size
    return {
        "rnn.weight_ih_l0": (k, input_size),
        "rnn.weight_hh_l0": (k, hidden_size),
        "rnn.bias_ih_l0": (k,),
        "rnn.bias_hh_l0": (k,),
        "head.weight": (outputs, hidden_size),
        "head.bias": (outputs,),
    }


def backend_cell_problem(backend: str, cell: str) -> str | None:
    """Why ``cell`` cannot run on ``backend``, as the end of a sentence that starts with the cell's field
    ("cell" in a config and a model, "Cell" on the page and the command); None when it can."""
    if backend == "torch" and cell in NUMPY_ONLY:
        return (f"{CELL_NAMES[cell]}, the textbook GRU, runs on the NumPy backend only: PyTorch's nn.GRU applies "
                "the reset gate after the matrix product, not before; choose the NumPy backend")
    return None


def check_model_args(cell: str, input_size: int, hidden_size: int, dtype: str, dropout: float = 0.0,
                     outputs: int = 1) -> None:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    INPUTS.check("input_size", plain_int(input_size))
    HIDDEN.check("hidden_size", plain_int(hidden_size))
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    OUTPUTS.check("outputs", plain_int(outputs))
    DROPOUT.check("dropout", dropout)


def plain_int(value: Any) -> Any:
    """A NumPy integer as a Python one (a model may be built from an array's shape)."""
    return int(value) if isinstance(value, np.integer) else value


def init_parameters(cell: str, input_size: int, hidden_size: int, seed: int,
                    outputs: int = 1) -> dict[str, np.ndarray]:
    """PyTorch's default initialisation of the module above (see ``uniform_parameters``)."""
    return uniform_parameters(param_shapes(cell, input_size, hidden_size, outputs), hidden_size, seed)


def uniform_parameters(shapes: dict[str, tuple[int, ...]], hidden_size: int, seed: int) -> dict[str, np.ndarray]:
    """PyTorch's default initialisation, U(-1/sqrt(H), 1/sqrt(H)) for every tensor of ``shapes`` in
    order, drawn from ``numpy.random.default_rng(seed)`` so that both backends start from the same weights."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(hidden_size)
    return {name: rng.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}


def check_state_dict(expected: dict[str, tuple[int, ...]], state: dict[str, Any]) -> None:
    """``ValueError`` unless ``state`` has exactly the expected keys and shapes."""
    if set(state) != set(expected):
        missing, extra = set(expected) - set(state), set(state) - set(expected)
        raise ValueError(f"state_dict keys differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for name, shape in expected.items():
        got = tuple(np.shape(state[name]))
        if got != shape:
            raise ValueError(f"state_dict[{name!r}] must have shape {shape}, got {got}")


EVAL_CHUNK_BYTES = 64 * 2**20  # the activations one prediction call may hold at once


def eval_chunk(X: np.ndarray, hidden_size: int, bytes_per: int = 24) -> int:
    """Windows per prediction call, so that a call over (N, T, D) windows holds at most
    ``EVAL_CHUNK_BYTES`` of activations (about ``bytes_per`` per window x step x unit)."""
    n, t = np.shape(X)[:2]
    return max(1, min(n, EVAL_CHUNK_BYTES // max(1, t * hidden_size * bytes_per)))


class RecurrentRegressor(Protocol):
    """The interface both backends implement. Shapes: X (N, T, D), y (N, 1)."""

    backend: str
    cell: str
    input_size: int
    hidden_size: int

    def predict(self, X: np.ndarray) -> np.ndarray: ...

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]: ...

    def grad_flow(self, X: np.ndarray, y: np.ndarray) -> np.ndarray: ...  # ||dL/dh_t||, t = 1..T, (T,)

    def input_gradient(self, X: np.ndarray, output: int = 0) -> np.ndarray: ...  # d yhat / d X, (N, T, D)

    def state_dict(self) -> dict[str, np.ndarray]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...

    def gate_activations(self, x_one: np.ndarray) -> dict[str, np.ndarray]: ...

    def optimizer(self, learning_rate: float, clip_norm: float | None) -> "Optimizer": ...

    def rollout_lanes(self, lanes: int) -> "Lanes": ...


class Optimizer(Protocol):
    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """One Adam update on a batch; returns (loss, gradient norm before clipping)."""
        ...


class Lanes(Protocol):
    """A batch of recurrent states advanced one step at a time (see ``models.rollout``)."""

    def reset(self, lane: int) -> None: ...

    def step(self, row: np.ndarray) -> None: ...  # every lane reads one input row (D,)

    def readout(self, lane: int) -> float: ...
