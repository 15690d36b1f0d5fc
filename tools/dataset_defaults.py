"""``python tools/dataset_defaults.py``: choose each bundled data set's settings on validation data.

For each data set, a small grid of window length, hidden size and learning rate
is trained (NumPy LSTM, seed 0) with early stopping on a validation part: the last
20 % of the train part. The setting with the lowest validation loss wins. The test
part is never looked at. The input transform is fixed per data set beforehand
(levels where there is no trend to take away), so validation losses compare in the
same units. Prints the winners as ``defaults`` for ``data/datasets.py``.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.config import ExperimentConfig  # noqa: E402
from models.experiment import run_experiment  # noqa: E402
from models.threads import limit_threads  # noqa: E402
from models.train import TrainConfig  # noqa: E402

GRID = {
    "nile": dict(transform="none", seq_len=(5, 10, 20), hidden=(8, 16), lr=(0.003, 0.01), batch=16),
    "co2": dict(transform="detrend", seq_len=(26, 52, 104), hidden=(16, 32), lr=(0.002, 0.005), batch=64),
    "sunspots": dict(transform="none", seq_len=(11, 20, 33), hidden=(16, 32), lr=(0.002, 0.005), batch=16),
}


def main() -> int:
    limit_threads(1)
    for name, g in GRID.items():
        results = []
        for seq_len, hidden, lr in itertools.product(g["seq_len"], g["hidden"], g["lr"]):
            config = ExperimentConfig(dataset=name, seq_len=seq_len, hidden_size=hidden, transform=g["transform"],
                                      train=TrainConfig(epochs=300, learning_rate=lr, batch_size=g["batch"],
                                                        val_fraction=0.2, patience=15))
            record = run_experiment(config)
            best = min(record.history.val_loss)
            results.append((best, seq_len, hidden, lr, record.best_epoch))
            print(f"{name}: L {seq_len:>3} H {hidden:>2} lr {lr:<6} best validation loss {best:.4f} "
                  f"at epoch {record.best_epoch}", flush=True)
        best, seq_len, hidden, lr, epoch = min(results)
        print(f"--> {name}: seq-len {seq_len}, hidden-size {hidden}, learning-rate {lr}, epochs {epoch} "
              f"(best epoch), transform {g['transform']}, batch-size {g['batch']}\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
