"""Adam with bias correction and global-norm clipping, for one flat parameter vector.

Keeping every parameter in one contiguous vector (the model's tensors are views
into it) turns the update and the gradient norm into a handful of NumPy calls,
whatever the number of tensors. The arithmetic follows ``torch.optim.Adam``::

    m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
"""

from __future__ import annotations

import math

import numpy as np


def flat_parameters(shapes: dict[str, tuple[int, ...]], dtype) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """(parameters, gradients, name -> parameter view, name -> gradient view): two zeroed flat
    vectors for tensors of ``shapes``, and each tensor a view into them, in order."""
    sizes = [int(np.prod(s)) for s in shapes.values()]
    flat = np.zeros(sum(sizes), dtype=dtype)
    grad = np.zeros_like(flat)
    params, grads, offset = {}, {}, 0
    for (name, shape), size in zip(shapes.items(), sizes):
        params[name] = flat[offset : offset + size].reshape(shape)
        grads[name] = grad[offset : offset + size].reshape(shape)
        offset += size
    return flat, grad, params, grads


def clip_by_global_norm(grad: np.ndarray, max_norm: float | None) -> float:
    """Scale ``grad`` in place so its L2 norm is at most ``max_norm``; return the norm before."""
    norm = float(np.sqrt(np.dot(grad, grad)))
    if max_norm is not None and norm > max_norm:
        grad *= max_norm / (norm + 1e-6)
    return norm


class FlatAdamStep:
    """One training step of a model that keeps its parameters and gradients in two flat vectors,
    ``model._flat`` and ``model._grad``: ``model._training_loss(X, y)`` writes the gradients and
    returns the loss (drawing whatever the model draws per batch), then global-norm clipping, then Adam."""

    def __init__(self, model, learning_rate: float, clip_norm: float | None) -> None:
        self.model, self.clip_norm = model, clip_norm
        self.adam = Adam(model._flat, lr=learning_rate)

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        loss = self.model._training_loss(X, y)
        norm = clip_by_global_norm(self.model._grad, self.clip_norm)
        self.adam.update(self.model._grad)
        return loss, norm


class Adam:
    """Adam over ``params`` (a flat vector updated in place)."""

    def __init__(self, params: np.ndarray, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = params
        self.lr = lr
        self.b1, self.b2 = betas
        self.eps = eps
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)
        self.t = 0
        self._tmp = np.empty_like(params)

    def update(self, grad: np.ndarray) -> None:
        self.t += 1
        b1, b2 = self.b1, self.b2
        self.m *= b1
        self.m += (1.0 - b1) * grad
        self.v *= b2
        np.multiply(grad, grad, out=self._tmp)
        self._tmp *= 1.0 - b2
        self.v += self._tmp
        step = self.lr / (1.0 - b1**self.t)
        denom = np.sqrt(self.v, out=self._tmp)
        denom *= 1.0 / math.sqrt(1.0 - b2**self.t)
        denom += self.eps
        np.divide(self.m, denom, out=denom)
        denom *= step
        self.params -= denom
