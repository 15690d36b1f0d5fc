"""``python tools/dataset_defaults.py``: choose each bundled data set's settings on validation data.

A thin caller of Suggest settings (``models.suggest``), the same search the page's button and
``gatelab train --auto`` run: it starts from the data set's current settings and scores each candidate
by a rolling-origin backtest inside the train part; the test part is never looked at. It prints the
choice and the candidates, for ``data/datasets.py``. (The settings in ``data/datasets.py`` were chosen by
this tool's earlier grid, over three validation blocks; the figures the README reports were measured at
them, and they stay until a change is measured to do better.)

    python tools/dataset_defaults.py                 # choose; prints the winners for data/datasets.py
    python tools/dataset_defaults.py --seconds 300   # a longer search per data set
    python tools/dataset_defaults.py --report        # the README's table: each data set at its defaults
    python tools/dataset_defaults.py --cells sunspots  # the README's sunspots table: each cell at its defaults

``--report`` trains every data set at its current defaults with training seeds 0-4 (the
ensemble's first seed, where the default is an ensemble) and prints the test MSE of each,
their median, and the baselines' on the same windows.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.findings import dataset_config  # noqa: E402
from data.datasets import DATASETS  # noqa: E402
from models.config import ExperimentConfig  # noqa: E402
from models.ensemble import run_ensemble  # noqa: E402
from models.suggest import start_from, suggest  # noqa: E402
from models.suggest import describe as suggest_describe  # noqa: E402
from models.threads import limit_threads  # noqa: E402


def choose(name: str, seconds: float) -> dict:
    """Suggest settings for data set ``name``, from its current ones; prints each candidate and the choice."""
    config = dataset_config(name)
    proposal = start_from(config, None, "the data set's current settings")

    def report(k: int, total: int, c) -> None:
        score = f"validation MSE {c.mse:.4g}" if c.mse is not None else f"left out ({c.note})"
        print(f"{name}: candidate {k} of {total}: {suggest_describe(c.settings)}: {score}", flush=True)

    chosen = suggest(config, None, proposal, seconds, on_candidate=report)
    print(f"--> {name}: {chosen.settings}\n    {chosen.line}\n", flush=True)
    return chosen.settings


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
    parser.add_argument("--seconds", type=float, default=600.0, help="each data set's search budget (default 600)")
    parser.add_argument("datasets", nargs="*", default=list(DATASETS), help="which data sets (default all)")
    args = parser.parse_args(argv)
    limit_threads(1)
    if args.report:
        report()
        return 0
    if args.cells:
        cells(args.cells)
        return 0
    for name in args.datasets:
        choose(name, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
