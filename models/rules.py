"""Every rule on a run's settings, once: the range of each field and the rules between fields.

The config (``models.config``, ``models.train``, ``models.base``), the knobs of the page and
the command (``models.knobs``) and the k-step models (``models.horizon``) all read them
here, so that a value refused in one place is refused in every place, with the same
sentence. Each problem is the end of a sentence that starts with the setting's name. The
bounds of a synthetic series and of the train part live in ``data.bounds``, below this
package, and the window's rules in ``data.windows``; ``BOUNDS`` gathers every bound under
its path in ``ExperimentConfig``.
"""

from __future__ import annotations

from data.bounds import SEED, SERIES_BOUNDS, TRAIN_FRACTION, Bound, MAX_LENGTH
from data.windows import max_seq_len

HIDDEN = Bound("int", 1, 1024)
DROPOUT = Bound("float", 0.0, 0.9)
SEQ_LEN = Bound("int", 1, max_seq_len(MAX_LENGTH, 0.7))  # and it must fit the series (data.windows)
EPOCHS = Bound("int", 1, 10_000)
LEARNING_RATE = Bound("float", 1e-5, 1.0)
BATCH = Bound("int", 1, 1024)
CLIP_NORM = Bound("float", 0.0, 100.0)  # 0: no clipping
VAL_FRACTION = Bound("float", 0.0, 0.5)  # 0: no validation part
PATIENCE = Bound("int", 1, 1000)
HORIZON = Bound("int", 1, 100)
SAMPLING = Bound("float", 0.0, 1.0)
ROLLOUT = Bound("int", 1, 5_000)
INPUTS = Bound("int", 1, 64)  # a model's inputs per step
OUTPUTS = Bound("int", 1, 100)  # a direct model's outputs, one per step ahead
SEQ2SEQ_HORIZON = Bound("int", 2, 100)  # a seq2seq model forecasts k steps at once
COVARIATES = Bound("int", 0, 63)  # a seq2seq decoder's inputs beside its own output
ENSEMBLE = Bound("int", 1, 10)  # training seeds of one setting, averaged (models.ensemble)
INTERVAL = Bound("float", 0.0, 0.99)  # the nominal level of the prediction intervals; 0: none (models.conformal)

BOUNDS: dict[str, Bound] = {
    **{f"series.{k}": b for k, b in SERIES_BOUNDS.items()},
    "train_fraction": TRAIN_FRACTION, "seq_len": SEQ_LEN, "hidden_size": HIDDEN, "dropout": DROPOUT,
    "train.epochs": EPOCHS, "train.learning_rate": LEARNING_RATE, "train.batch_size": BATCH,
    "train.clip_norm": CLIP_NORM, "train.seed": SEED, "train.val_fraction": VAL_FRACTION,
    "train.patience": PATIENCE, "horizon": HORIZON, "scheduled_sampling": SAMPLING, "rollout_steps": ROLLOUT,
    "ensemble": ENSEMBLE, "interval": INTERVAL,
}
MAX_HIDDEN, MAX_DROPOUT, MAX_EPOCHS, MAX_BATCH = int(HIDDEN.high), DROPOUT.high, int(EPOCHS.high), int(BATCH.high)
MAX_HORIZON, MAX_ROLLOUT, MAX_OUTPUTS = int(HORIZON.high), int(ROLLOUT.high), int(OUTPUTS.high)
MAX_VAL_FRACTION, MAX_PATIENCE = VAL_FRACTION.high, int(PATIENCE.high)
MAX_ENSEMBLE = int(ENSEMBLE.high)

BACKEND_CHOICES = ("numpy", "torch")  # models.registry builds each
HORIZON_METHODS = ("direct", "recursive", "seq2seq")  # what a run may train for k steps ahead
SEQ2SEQ_CELLS = ("lstm", "gru", "rnn")  # cuDNN's cells: the seq2seq model has a PyTorch twin


def horizon_problem(seq_len: int, n: int, split: int, k: int) -> str | None:
    """Why a horizon ``k`` does not fit, as the end of a sentence that starts with its name; or None."""
    test, train_windows = n - split - k + 1, split - k + 1 - seq_len
    if test < 2:
        return f"must leave two test windows: at most {n - split - 1} for a test part of {n - split} points, got {k}"
    if train_windows < 2:
        return (f"must leave two training windows: at most {split - seq_len - 1} for {split} train points and "
                f"windows of {seq_len}, got {k}")
    return None


def method_problems(method: str, k: int, cell: str, sampling: float) -> dict[str, str]:
    """The rules between the horizon method, k, the cell and scheduled sampling: setting -> the end
    of a sentence that starts with its name (``horizon_method``, ``scheduled_sampling``); empty when none."""
    problems = {}
    if method == "seq2seq" and k < 2:
        problems["horizon_method"] = "seq2seq needs a horizon k of at least 2 (it forecasts k steps at once)"
    elif method == "seq2seq" and cell not in SEQ2SEQ_CELLS:
        problems["horizon_method"] = (f"seq2seq needs an LSTM, GRU or RNN cell (cuDNN's cells, as its PyTorch "
                                      f"twin), got {cell!r}")
    if sampling > 0 and method != "seq2seq":
        problems["scheduled_sampling"] = (f"applies to the seq2seq decoder only: choose the horizon method "
                                          f"seq2seq, or set it to 0, got {sampling:g}")
    return problems


def ensemble_problem(ensemble: int, horizon: int) -> str | None:
    """Why an ensemble of ``ensemble`` members does not go with a horizon ``horizon``, as the end of a
    sentence that starts with "ensemble"; or None."""
    if ensemble > 1 and horizon > 1:
        return (f"averages one-step models: set the horizon k to 1, or the ensemble to 1 (one model), got "
                f"{ensemble} with a horizon of {horizon}")
    return None


def interval_problem(level: float) -> str | None:
    """Why ``level`` is no interval's level, as the end of a sentence that starts with "interval"; or None."""
    if 0 < level < 0.5:
        return f"must be 0 (no intervals) or a level from 0.5 to 0.99, such as 0.8 or 0.95, got {level:g}"
    return None
