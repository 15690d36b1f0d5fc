"""A seed-style NumPy LSTM: the way such a model is first written, kept as a benchmark baseline.

float64, a dict of weights in the ``x @ W`` orientation, a list of per-step caches,
one ``exp`` per sigmoid, and Adam and clipping per parameter. Correct (the
benchmark checks its loss goes down), but with none of the layout work of
``models/kernels/lstm.py``. ``make bench`` times it beside Gatelab's cells.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


class SeedLSTM:
    def __init__(self, input_size: int = 1, hidden_size: int = 32, seed: int = 0, lr: float = 2e-3,
                 clip: float = 1.0) -> None:
        rng = np.random.default_rng(seed)
        H, D, b = hidden_size, input_size, 1.0 / np.sqrt(hidden_size)
        self.p = {"Wx": rng.uniform(-b, b, (D, 4 * H)), "Wh": rng.uniform(-b, b, (H, 4 * H)),
                  "b": rng.uniform(-b, b, 4 * H), "Wy": rng.uniform(-b, b, (H, 1)), "by": rng.uniform(-b, b, 1)}
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t, self.lr, self.clip, self.H = 0, lr, clip, H

    def forward(self, X: np.ndarray):
        N, T, _ = X.shape
        H, p = self.H, self.p
        h, c = np.zeros((N, H)), np.zeros((N, H))
        caches = []
        for t in range(T):
            a = X[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"]
            i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H]), _sigmoid(a[:, 2 * H : 3 * H])
            g = np.tanh(a[:, 3 * H :])
            c_next = f * c + i * g
            tc = np.tanh(c_next)
            caches.append({"x": X[:, t], "h": h, "c": c, "i": i, "f": f, "o": o, "g": g, "tc": tc})
            h, c = o * tc, c_next
        return h @ p["Wy"] + p["by"], h, caches

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)
        out, h, caches = self.forward(X)
        err = out - y
        loss = float(np.mean(err**2))
        dy = 2.0 * err / err.shape[0]
        grads = {k: np.zeros_like(v) for k, v in self.p.items()}
        grads["Wy"], grads["by"] = h.T @ dy, dy.sum(axis=0)
        dh, dc = dy @ self.p["Wy"].T, np.zeros_like(h)
        for cache in reversed(caches):
            do = dh * cache["tc"]
            dc = dc + dh * cache["o"] * (1 - cache["tc"] ** 2)
            di, df, dg = dc * cache["g"], dc * cache["c"], dc * cache["i"]
            da = np.concatenate([di * cache["i"] * (1 - cache["i"]), df * cache["f"] * (1 - cache["f"]),
                                 do * cache["o"] * (1 - cache["o"]), dg * (1 - cache["g"] ** 2)], axis=1)
            grads["Wx"] += cache["x"].T @ da
            grads["Wh"] += cache["h"].T @ da
            grads["b"] += da.sum(axis=0)
            dh, dc = da @ self.p["Wh"].T, dc * cache["f"]
        norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))
        if norm > self.clip:
            for g in grads.values():
                g *= self.clip / (norm + 1e-6)
        self.t += 1
        for k, g in grads.items():
            self.m[k] = 0.9 * self.m[k] + 0.1 * g
            self.v[k] = 0.999 * self.v[k] + 0.001 * g**2
            m_hat, v_hat = self.m[k] / (1 - 0.9**self.t), self.v[k] / (1 - 0.999**self.t)
            self.p[k] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        return loss
