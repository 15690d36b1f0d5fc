"""One forecaster for both backends, with scikit-learn's estimator habits.

The constructor only stores hyperparameters; ``fit`` builds and trains the
network and returns ``self``; fitted state ends in ``_``. Everything is in
original units at the edges: the scaling and the input transform of
``data.windows.prepare`` are undone here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from data.windows import Prepared, carve_validation
from models.config import ExperimentConfig
from models.registry import create_model
from models.rollout import rollout, rollout_mc_dropout
from models.train import EpochLog, train

class NotFittedError(RuntimeError):
    pass


class Forecaster:
    """A recurrent forecaster of ``config`` (``models.config.ExperimentConfig``): the network's backend,
    cell, hidden size, precision and dropout, and its training (``config.train``), read where they are
    used and never copied."""

    def __init__(self, config: ExperimentConfig | None = None) -> None:
        self.config = config if config is not None else ExperimentConfig()

    def fit(self, prep: Prepared, on_epoch_end: Callable[[EpochLog], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> "Forecaster":
        """Train on ``prep``'s train windows; with ``config.train.val_fraction``, the last part of them is
        held out for early stopping, and the model keeps its best epoch's weights."""
        c = self.config
        fit_on, val = carve_validation(prep, c.train.val_fraction)
        self.model_ = _network(c, prep.width, seed=c.train.seed)
        self.prep_ = prep
        self.history_ = train(self.model_, fit_on.X, fit_on.y, prep.test.X, prep.test.y, c.train,
                              on_epoch_end=on_epoch_end, should_stop=should_stop,
                              validation=None if val is None else (val.X, val.y))
        return self

    @classmethod
    def restore(cls, prep: Prepared, state_dict: dict, config: ExperimentConfig,
                backend: str | None = None) -> "Forecaster":
        """A fitted forecaster from trained weights, without training: for gates and rollouts of a
        finished run. Weights move between backends unchanged, so any ``backend`` will do."""
        f = cls(config if backend is None or backend == config.backend else config.with_(backend=backend))
        f.model_ = _network(f.config, prep.width)
        f.model_.load_state_dict(state_dict)
        f.prep_ = prep
        f.history_ = []
        return f

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("this Forecaster is not fitted yet: call fit(prepared) first")

    def predict_test(self) -> np.ndarray:
        """One-step forecasts for every test window, original units (N_test,)."""
        self._check_fitted()
        w = self.prep_.test
        return self.prep_.to_original(self.model_.predict(w.X), w.ref)

    def rollout_steps(self, steps: int) -> int:
        """``steps``, or fewer where a covariate is not known that far (``Prepared.rollout_limit``)."""
        limit = self.prep_.rollout_limit
        return steps if limit is None else max(1, min(steps, limit))

    def _start(self, steps: int) -> tuple[np.ndarray, int, np.ndarray]:
        p = self.prep_
        steps = self.rollout_steps(steps)
        return p.rows(p.split - p.seq_len, p.split), steps, p.future_features(steps)

    def rollout(self, steps: int) -> np.ndarray:
        """Recursive forecasts of ``steps`` values from the last training window, original units; fewer
        when an unknown covariate ends with the data (``rollout_steps``)."""
        self._check_fitted()
        window, steps, future = self._start(steps)
        return self.prep_.rollout_to_original(rollout(self.model_, window, steps, future))

    def rollout_band(self, steps: int, passes: int = 30, low: float = 5, high: float = 95) -> np.ndarray:
        """With dropout: the ``low`` and ``high`` percentiles (2, steps) of ``passes`` rollouts with
        dropout on (Monte-Carlo dropout), original units, from where ``rollout`` starts."""
        self._check_fitted()
        p = self.prep_
        window, steps, future = self._start(steps)
        paths = rollout_mc_dropout(self.model_, window, steps, passes, self.config.train.seed, future)
        original = np.stack([p.rollout_to_original(path) for path in paths])
        return np.percentile(original, [low, high], axis=0)

    def gate_activations(self, test_window: int) -> dict[str, np.ndarray]:
        """Gates (T, H) inside the trained cell for test window ``test_window``."""
        self._check_fitted()
        n = self.prep_.test.X.shape[0]
        if not 0 <= test_window < n:
            raise ValueError(f"test_window must be in [0, {n - 1}], got {test_window}")
        return self.model_.gate_activations(self.prep_.test.X[test_window])


def _network(config: ExperimentConfig, input_size: int, seed: int | None = None):
    """The backend's recurrent network for ``config`` (``models.registry``)."""
    extra = {} if seed is None else {"seed": seed}
    return create_model(config.backend, config.cell, input_size, config.hidden_size, dtype=config.dtype,
                        dropout=config.dropout, **extra)
