"""``python tools/dataset_defaults.py``: choose each bundled data set's settings on validation data.

The test part is never looked at while choosing. Each setting of a small grid is scored
by a rolling-origin backtest inside the data set's train part (its first 70 %): the
last 30 % of the train part is cut into three validation blocks, and at each block's
start the setting is trained on everything before it and forecasts the block one step
ahead (``models.backtest``). The score is the mean one-step MSE over the three blocks,
in original units, of the setting's forecasts averaged over training seeds 0-2. Three
blocks rather than one validation part: the Nile's single validation part would hold
14 points, and the choice it made did not hold up. The grid holds the power transform,
the input transform (levels, differences, detrended), the window length, the hidden
size and the epochs. The three best settings are then scored again as ensembles of five
seeds and as single models (the mean over seeds 0-2); the best of those six wins.

    python tools/dataset_defaults.py                 # choose; prints the winners for data/datasets.py
    python tools/dataset_defaults.py --report        # the README's table: each data set at its defaults
    python tools/dataset_defaults.py --cells sunspots  # the README's sunspots table: each cell at its defaults

``--report`` trains every data set at its current defaults with training seeds 0-4 (the
ensemble's first seed, where the default is an ensemble) and prints the test MSE of each,
their median, and the baselines' on the same windows.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.findings import dataset_config  # noqa: E402
from data.datasets import DATASETS  # noqa: E402
from data.power import power_problem  # noqa: E402
from data.windows import split_index  # noqa: E402
from models.config import ExperimentConfig  # noqa: E402
from models.backtest import backtest  # noqa: E402
from models.ensemble import run_ensemble  # noqa: E402
from models.threads import limit_threads  # noqa: E402
from models.train import TrainConfig  # noqa: E402

GRID = {
    "nile": dict(power=("none", "log", "boxcox"), transform=("none", "diff"), seq_len=(5, 10, 20), hidden=(8, 16),
                 epochs=(20, 60), lr=0.003, batch=16),
    "co2": dict(power=("none", "log"), transform=("diff", "detrend"), seq_len=(26, 52), hidden=(32,),
                epochs=(30, 60), lr=0.002, batch=64),
    "sunspots": dict(power=("none", "sqrt"), transform=("none", "diff", "detrend"), seq_len=(11, 20), hidden=(16, 32),
                     epochs=(10, 30, 60), lr=0.005, batch=16),
}
FIRST_SEEDS = 3  # stage one: each setting's forecasts averaged over this many seeds
FINALISTS = 3
ENSEMBLE = 5
BLOCKS = 3  # validation blocks in the last 30 % of the train part


def validation_mse(config: ExperimentConfig, part: np.ndarray) -> tuple[float, dict[str, float]]:
    """(the setting's mean one-step MSE over the validation blocks of ``part``, the data set's train part;
    the baselines' on the same blocks)."""
    result = backtest(config, BLOCKS, "every", series=part)
    return float(np.mean(result.one_step["model"])), {k: float(np.mean(v)) for k, v in result.one_step.items()}


def choose(name: str) -> dict:
    g = GRID[name]
    series = DATASETS[name].load()[1]
    part = series[: split_index(series.shape[0], 0.7)]  # never a test point
    scored = []
    for power, transform, seq_len, hidden, epochs in itertools.product(g["power"], g["transform"], g["seq_len"],
                                                                       g["hidden"], g["epochs"]):
        if power_problem(power, series):
            continue
        config = ExperimentConfig(dataset=name, power=power, transform=transform, seq_len=seq_len,
                                  hidden_size=hidden, ensemble=FIRST_SEEDS,
                                  train=TrainConfig(epochs=epochs, learning_rate=g["lr"], batch_size=g["batch"]))
        mse, base = validation_mse(config, part)
        scored.append((mse, config))
        print(f"{name}: power {power:<6} inputs {transform:<7} L {seq_len:>3} H {hidden:>2} epochs {epochs:>3}: "
              f"validation MSE {mse:.4f} (linear AR {base['linear_ar']:.4f})", flush=True)
    finalists = [c for _, c in sorted(scored, key=lambda s: s[0])[:FINALISTS]]
    final = []
    for config in finalists:
        mse, base = validation_mse(config.with_(ensemble=ENSEMBLE), part)
        single = float(np.mean([validation_mse(config.with_(ensemble=1, train=replace(config.train, seed=s)),
                                               part)[0] for s in range(FIRST_SEEDS)]))
        final.append((min(mse, single), mse < single, config, base))
        print(f"  finalist {describe(config)}: ensemble of {ENSEMBLE} {mse:.4f}, single model {single:.4f} "
              f"(the mean over seeds 0-{FIRST_SEEDS - 1})", flush=True)
    mse, ensemble, config, base = min(final, key=lambda f: f[0])
    chosen = {"seq-len": config.seq_len, "hidden-size": config.hidden_size, "epochs": config.train.epochs,
              "learning-rate": config.train.learning_rate, "batch-size": config.train.batch_size,
              "transform": config.transform, "power": config.power, "ensemble": ENSEMBLE if ensemble else 1}
    print(f"--> {name}: {chosen} (validation MSE {mse:.4f}; persistence {base['persistence']:.4f}, "
          f"linear AR {base['linear_ar']:.4f})\n", flush=True)
    return chosen


def describe(config: ExperimentConfig) -> str:
    return (f"power {config.power}, inputs {config.transform}, L {config.seq_len}, H {config.hidden_size}, "
            f"{config.train.epochs} epochs")


def _n(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def report() -> None:
    """Each data set at its defaults, training seeds 0-4, against the baselines, as a Markdown table."""
    print("| data set | defaults | test MSE, seeds 0-4 | median | persistence | seasonal naive | linear AR | "
          "median vs linear AR |\n|---|---|---|---|---|---|---|---|")
    for name in DATASETS:
        config = dataset_config(name)
        start = time.perf_counter()
        runs = [run_ensemble(config.with_(train=replace(config.train, seed=s)))[1] for s in range(5)]
        mses = [r.metrics.mse for r in runs]
        b = runs[0].baselines
        median = float(np.median(mses))
        kind = f"ensemble of {config.ensemble}, " if config.ensemble > 1 else ""
        print(f"| {DATASETS[name].title} | {kind}{describe(config)} | {', '.join(_n(m) for m in mses)} | "
              f"**{_n(median)}** | {_n(b['persistence'].mse)} | {_n(b['seasonal_naive'].mse)} | "
              f"{_n(b['linear_ar'].mse)} | {100 * (median / b['linear_ar'].mse - 1):+.0f} % |", flush=True)
        print(f"<!-- {name}: {time.perf_counter() - start:.0f} s -->", file=sys.stderr)


def cells(name: str) -> None:
    """Each cell at data set ``name``'s defaults: seed 0's scores, and the test MSE over seeds 0-4."""
    config = dataset_config(name)
    print("| model | test MSE | MAE | MASE | test MSE over training seeds 0-4 |\n|---|---|---|---|---|")
    for cell in ("lstm", "gru", "rnn"):
        runs = [run_ensemble(config.with_(cell=cell, train=replace(config.train, seed=s)))[1] for s in range(5)]
        m, mses = runs[0].metrics, [r.metrics.mse for r in runs]
        print(f"| {runs[0].label} | {m.mse:.1f} | {m.mae:.2f} | {m.mase:.3f} | {min(mses):.0f} to {max(mses):.0f}, "
              f"median {np.median(mses):.0f} |", flush=True)
    for k, label in (("persistence", "persistence"), ("seasonal_naive", "seasonal naive"),
                     ("linear_ar", f"linear AR({config.seq_len})")):
        b = runs[0].baselines[k]
        print(f"| {label} | {b.mse:.1f} | {b.mae:.2f} | {b.mase:.3f} | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="the README's table at the current defaults")
    parser.add_argument("--cells", metavar="NAME", help="the table of every cell at data set NAME's defaults")
    parser.add_argument("datasets", nargs="*", default=list(GRID), help="which data sets (default all)")
    args = parser.parse_args(argv)
    limit_threads(1)
    if args.report:
        report()
        return 0
    if args.cells:
        cells(args.cells)
        return 0
    for name in args.datasets:
        choose(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
