"""What a run will cost before it starts, and the bounds a server puts on it.

    problems = served_problems(config, n, Served(max_epochs=500, max_hidden=256, max_length=5000, max_job_mb=2048))

A class shares one server, so every run is checked where it runs (the job, and a run
record shown again), not only where the form is read. ``run_mb`` estimates the
memory a run needs from n, L, H, D, the batch size, the cell and the backend: the
windows, one training batch's activations (the largest array a run keeps), a chunk
of evaluation windows, the linear AR's least squares and, with a horizon, the
second model. The bytes per batch x step x unit were measured here (peak RSS over
one training step, ``tools/abuse.py`` reports the real figure at the maxima) and
rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.base import EVAL_CHUNK_BYTES  # predictions go through at most this much activation at once
from models.config import ExperimentConfig

# bytes per (batch row x step x hidden unit) of one training step, float32, measured and rounded up
TRAIN_BYTES = {("numpy", "lstm"): 36, ("numpy", "gru"): 60, ("numpy", "gru_cho"): 60, ("numpy", "rnn"): 28,
               ("torch", "lstm"): 100, ("torch", "gru"): 84, ("torch", "rnn"): 50}
BASE_MB = {"numpy": 120, "torch": 320}  # a job process before its run: Python, NumPy, (torch), the cache client


@dataclass(frozen=True)
class Served:
    """A server's bounds on one run (``components.server.settings.Settings.served``)."""

    max_epochs: int = 500
    max_hidden: int = 256
    max_length: int = 5000
    max_job_mb: int = 2048


def run_mb(config: ExperimentConfig, n: int) -> float:
    """Estimated peak memory (MB) of training and evaluating ``config`` on a series of ``n`` points."""
    L, H, D = config.seq_len, config.hidden_size, config.inputs
    size = 8 if config.dtype == "float64" else 4
    windows = max(n - L, 1)
    train_windows = max(int(n * config.train_fraction) - L, 1)
    batch = min(config.train.batch_size, train_windows)
    per = TRAIN_BYTES.get((config.backend, config.cell), 100) * size / 4
    step = batch * L * H * per  # one training step's activations and their gradients
    data = windows * L * D * (8 + 2 * size)  # windows, float64 while made, then in the run's precision
    ar = windows * (L + 1) * 8 * 3  # the linear AR's design matrix and the solver's copies
    total = step + data + ar + EVAL_CHUNK_BYTES
    if config.horizon > 1 and config.horizon_method != "recursive":
        total += step * (2 if config.horizon_method == "seq2seq" else 1) + windows * config.horizon * 8
    return BASE_MB[config.backend] + total / 2**20


def served_problems(config: ExperimentConfig, n: int, served: Served) -> list[str]:
    """Sentences for every bound of ``served`` that ``config`` on ``n`` points passes; [] if none."""
    out = []
    if config.train.epochs > served.max_epochs:
        out.append(f"epochs {config.train.epochs} is above this server's limit of {served.max_epochs} "
                   "(GATELAB_MAX_EPOCHS)")
    if config.hidden_size > served.max_hidden:
        out.append(f"hidden size {config.hidden_size} is above this server's limit of {served.max_hidden} "
                   "(GATELAB_MAX_HIDDEN)")
    if n > served.max_length:
        out.append(f"the series has {n} points; this server trains on at most {served.max_length} "
                   "(GATELAB_MAX_LENGTH)")
    if not out:
        mb = run_mb(config, n)
        if mb > served.max_job_mb:
            out.append(f"this run would need about {mb:,.0f} MB, and this server gives one run at most "
                       f"{served.max_job_mb:,} MB (GATELAB_MAX_JOB_MB): lower the window length, the hidden "
                       "size or the batch size")
    return out


def check_served(config: ExperimentConfig, n: int, served: Served) -> None:
    """``ValueError`` with the first bound ``config`` passes."""
    problems = served_problems(config, n, served)
    if problems:
        raise ValueError(problems[0])
