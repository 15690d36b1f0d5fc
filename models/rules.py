"""The rules between a run's settings that more than one layer checks: one home for each.

The config (``models.config``), the knobs of the page and the command (``models.knobs``)
and the k-step models (``models.horizon``) all read them here, so that a value refused in
one place is refused in every place, with the same sentence. Each problem is the end of a
sentence that starts with the setting's name.
"""

from __future__ import annotations

from models.seq2seq import SEQ2SEQ_CELLS

MAX_HORIZON = 100
HORIZON_METHODS = ("direct", "recursive", "seq2seq")  # what a run may train for k steps ahead


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
