"""``python tools/bench.py`` (``make bench``): every backend and cell on the default workload, side by side.

Two tables. The first times whole epochs of ``models.train.train`` (training steps
and the evaluation on the test part after each epoch) and exact rollouts. The
second times the training steps alone, ``optimizer(...).step`` over shuffled
batches of 64, so that the ratio is not diluted by evaluation; beside them runs a
seed-style NumPy LSTM (``tools/seed_lstm.py``) as a baseline. There the contenders
take turns one epoch at a time and the ratios are medians of per-round ratios.

Timings on a shared machine are noisy, so the contenders take turns round after
round and each figure is the median; the ratios are what to compare. Every
model gets one thread (``models.threads``), so no pool fights another.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from data import SeriesConfig, make_series, prepare
from models import create_model
from models.rollout import rollout
from models.threads import limit_threads
from models.train import TrainConfig, train

PAIRS = [("numpy", "lstm"), ("torch", "lstm"), ("numpy", "gru"), ("torch", "gru")]
SEED = ("seed-style numpy", "lstm")


def _epoch_ms(step, X: np.ndarray, y: np.ndarray, order: np.ndarray, batch: int = 64) -> float:
    """ms for one epoch of training steps over the windows in ``order``, in batches of ``batch``."""
    start = time.perf_counter()
    for lo in range(0, X.shape[0], batch):
        idx = order[lo : lo + batch]
        step(X[idx], y[idx])
    return 1e3 * (time.perf_counter() - start)


def run_step_bench(rounds: int = 40) -> dict:
    """Training steps alone. Every contender trains one epoch in turn, round after round, on the
    same shuffled order; a round takes about half a second, so the ratio of two contenders in one
    round compares them under the same load, and the median of those per-round ratios is the
    figure reported (medians of the times beside it)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from seed_lstm import SeedLSTM

    limit_threads(1)
    prep = prepare(make_series(SeriesConfig()), seq_len=60)
    X, y = prep.train.X, prep.train.y
    steps = {p: create_model(*p, input_size=1, hidden_size=32, seed=0).optimizer(2e-3, 1.0).step for p in PAIRS}
    steps[SEED] = SeedLSTM(1, 32, seed=0).step
    rng = np.random.default_rng(0)
    for step in steps.values():  # warm-up: workspaces allocated, code paths taken once
        _epoch_ms(step, X, y, rng.permutation(X.shape[0]))
    times: dict[tuple[str, str], list[float]] = {p: [] for p in steps}
    for r in range(rounds):
        order = rng.permutation(X.shape[0])
        for p in list(steps) if r % 2 == 0 else list(steps)[::-1]:
            times[p].append(_epoch_ms(steps[p], X, y, order))

    def ratio(a, b) -> float:
        return statistics.median(ta / tb for ta, tb in zip(times[a], times[b]))

    med = {p: statistics.median(v) for p, v in times.items()}
    print(f"\ntraining steps alone (ms per epoch: {X.shape[0]} windows in batches of 64), {rounds} rounds "
          "of one epoch each, contenders in turn:")
    for p in steps:
        print(f"  {p[0]:<18}{p[1]:<6}{med[p]:>8.1f}")
    print("ratio NumPy / PyTorch (training steps, median of per-round ratios): "
          + ", ".join(f"{c} {ratio(('numpy', c), ('torch', c)):.2f}" for c in ("lstm", "gru")))
    print(f"seed-style NumPy LSTM / Gatelab NumPy LSTM (median of per-round ratios): "
          f"{ratio(SEED, ('numpy', 'lstm')):.1f}x")
    return med


def run_bench(epochs: int = 20, repeats: int = 3, rollout_steps: int = 200) -> int:
    limit_threads(1)
    prep = prepare(make_series(SeriesConfig()), seq_len=60)
    tr, te = prep.train, prep.test
    print(f"workload: {tr.X.shape[0]} train windows, {te.X.shape[0]} test windows, seq_len 60, hidden 32, "
          f"batch 64, float32, 1 thread; {epochs} epochs x {repeats} rounds")
    epoch_ms: dict[tuple[str, str], list[float]] = {p: [] for p in PAIRS}
    roll_ms: dict[tuple[str, str], list[float]] = {p: [] for p in PAIRS}
    for _ in range(repeats):
        for pair in PAIRS:
            model = create_model(*pair, input_size=1, hidden_size=32, seed=0)
            logs = train(model, tr.X, tr.y, te.X, te.y, TrainConfig(epochs=epochs, batch_size=64))
            epoch_ms[pair].append(1e3 * statistics.median(e.seconds for e in logs[1:] or logs))
            window = prep.inputs[prep.split - 60 : prep.split]
            times = []
            for _ in range(5):
                start = time.perf_counter()
                rollout(model, window, rollout_steps)
                times.append(time.perf_counter() - start)
            roll_ms[pair].append(1e3 * min(times))

    med = {p: statistics.median(v) for p, v in epoch_ms.items()}
    rmed = {p: statistics.median(v) for p, v in roll_ms.items()}
    print(f"\n{'backend':<8}{'cell':<6}{'ms/epoch':>10}{f'rollout {rollout_steps} (ms)':>20}")
    for p in PAIRS:
        print(f"{p[0]:<8}{p[1]:<6}{med[p]:>10.1f}{rmed[p]:>20.1f}")
    print("\nratio NumPy / PyTorch (ms per epoch, lower is faster):")
    for cell in ("lstm", "gru"):
        print(f"  {cell}: {med[('numpy', cell)] / med[('torch', cell)]:.2f}")
    run_step_bench()
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Time every backend and cell on the default workload.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.exit(run_bench(epochs=args.epochs, repeats=args.repeats))
