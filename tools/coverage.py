"""``python tools/coverage.py``: how often the split-conformal intervals hold the truth, over 20 seeds.

The README's coverage table. The synthetic series (two seasons and Gaussian noise of
known size) with 20 noise seeds, an LSTM of 8 units and a window of 30 trained for 8
epochs with training seeds alike, the intervals calibrated on the validation part (the
last 20 % of the train part): for each level, the share of the test part's one-step
truths inside their band (mean, lowest and highest over the seeds), and the same along
the rollout's calibrated steps. ``tests/models/test_trust.py`` checks the one-step mean.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.synthetic import SeriesConfig  # noqa: E402
from models.config import ExperimentConfig  # noqa: E402
from models.experiment import run_experiment  # noqa: E402
from models.threads import limit_threads  # noqa: E402
from models.train import TrainConfig  # noqa: E402

SEEDS = 20


def main() -> int:
    limit_threads(1)
    print("| nominal | one-step coverage, mean (lowest - highest) | rollout coverage, mean | calibrated rollout "
          "steps, mean | calibration windows |\n|---|---|---|---|---|")
    for level in (0.5, 0.8, 0.9, 0.95):
        one, roll, steps, windows = [], [], [], 0
        for seed in range(SEEDS):
            config = ExperimentConfig(series=SeriesConfig(seed=seed), seq_len=30, hidden_size=8, interval=level,
                                      train=TrainConfig(epochs=8, learning_rate=0.01, batch_size=32, seed=seed,
                                                        val_fraction=0.2, patience=100))
            iv = run_experiment(config).intervals
            one.append(iv.coverage)
            if iv.rollout_coverage is not None:
                roll.append(iv.rollout_coverage)
            steps.append(len(iv.rollout_low))
            windows = iv.windows
        print(f"| {level:.0%} | {np.mean(one):.1%} ({min(one):.0%} - {max(one):.0%}) | "
              f"{np.mean(roll):.1%} | {np.mean(steps):.0f} | {windows} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
