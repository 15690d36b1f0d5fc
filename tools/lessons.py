"""``python tools/lessons.py [TITLE WORD ...]``: the README's "Lessons" figures, measured at the defaults.

Every run is ``models.experiment.run_experiment`` on the reference series (900 points,
L = 60, H = 32, 60 epochs, NumPy), as ``gatelab train`` and the page run it; only the
setting a lesson is about changes (the calendar lesson runs on CO2 at its own settings).
Prints Markdown tables. Takes a few minutes; words pick the lessons whose titles hold them.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from data.datasets import DATASETS  # noqa: E402
from models.base import CELL_NAMES  # noqa: E402
from models.knobs import parse_values  # noqa: E402
from models.config import ExperimentConfig  # noqa: E402
from models.experiment import run_experiment  # noqa: E402
from models.sweep import LONG_SEASON, SweepSpec, point, summary  # noqa: E402
from models.threads import limit_threads  # noqa: E402

BASE = ExperimentConfig()
CELLS = ("rnn", "gru", "gru_cho", "lstm")


def gradient_flow() -> None:
    print("| cell | ‖dL/dh_1‖ / ‖dL/dh_60‖ | test MSE |\n|---|---|---|")
    for cell in CELLS:
        r = run_experiment(BASE.with_(cell=cell))
        norms = r.grad_flow[-1][1]
        print(f"| {CELL_NAMES[cell]} | {norms[0] / norms[-1]:.2g} | {r.metrics.mse:.4f} |")


def horizons() -> None:
    print("| k | direct | recursive | persistence | linear AR (direct) |\n|---|---|---|---|---|")
    one = run_experiment(BASE)
    b = one.baselines
    print(f"| 1 | {one.metrics.mse:.4f} | {one.metrics.mse:.4f} | {b['persistence'].mse:.4f} | "
          f"{b['linear_ar'].mse:.4f} |")
    for k in (10, 50):
        h = run_experiment(BASE.with_(horizon=k)).horizon
        print(f"| {k} | " + " | ".join(f"{h.at_k[m].mse:.4f}" for m in ("direct", "recursive", "persistence",
                                                                         "linear_ar")) + " |")


def dropout() -> None:
    print("| dropout | test MSE | 200-step rollout MSE |\n|---|---|---|")
    for p in (0.0, 0.3):
        r = run_experiment(BASE.with_(dropout=p))
        print(f"| {p:g} | {r.metrics.mse:.4f} | {r.rollout_scores.mse:.4f} |")


def sweep(over: str, base: ExperimentConfig) -> None:
    spec = SweepSpec.parse(over, None, None)
    points = [point(run_experiment(c), over) for c in spec.configs(base)]
    print(f"| cell | {' | '.join(f'{over} {v}' for v in spec.values)} | mean | spread |\n"
          f"|---|{'---|' * (len(spec.values) + 2)}")
    for cell, s in summary(points).items():
        mine = [f"{p['mse']:.4f}" for p in points if p["cell"] == cell]
        print(f"| {CELL_NAMES[cell]} | {' | '.join(mine)} | {s['mean']:.4f} | {s['spread']:.4f} |")
    b = points[0]["baselines"]
    print(f"\n(persistence {b['persistence']:.4f}, linear AR {b['linear_ar']:.4f} at {over} {points[0]['value']})")


SEEDS = (0, 1, 2)


def _mean_over_seeds(config: ExperimentConfig, score) -> tuple[float, list[float]]:
    values = [score(run_experiment(config.with_(train=replace(config.train, seed=s)))) for s in SEEDS]
    return float(np.mean(values)), values


def calendar_features() -> None:
    co2, _ = parse_values({"dataset": "co2", **{k: str(v) for k, v in DATASETS["co2"].defaults.items()}})
    print(f"| inputs | window L | calendar features | test MSE (mean of seeds {', '.join(map(str, SEEDS))}) | "
          "200-step rollout MSE (mean) |\n|---|---|---|---|---|")
    for transform in ("detrend", "diff"):
        for seq_len in (52, 8):
            for on in (False, True):
                runs = [run_experiment(co2.with_(transform=transform, seq_len=seq_len, calendar=on,
                                                 train=replace(co2.train, seed=s))) for s in SEEDS]
                print(f"| {transform} | {seq_len} | {'on' if on else 'off'} | "
                      f"{np.mean([r.metrics.mse for r in runs]):.4f} | "
                      f"{np.mean([r.rollout_scores.mse for r in runs]):.3f} |", flush=True)
    b = run_experiment(co2.with_(train=replace(co2.train, epochs=1))).baselines
    print("\n(at L = 52: " + ", ".join(f"{k.replace('_', ' ')} {v.mse:.4f}" for k, v in b.items()) + ")")


def holidays() -> None:
    spiked = BASE.with_(series=replace(BASE.series, holidays=2.0))
    print(f"| model sees the holidays | test MSE, seeds {', '.join(map(str, SEEDS))} | mean |\n|---|---|---|")
    for covariates in ((), ("holidays",)):
        mean, each = _mean_over_seeds(spiked.with_(covariates=covariates), lambda r: r.metrics.mse)
        print(f"| {'yes' if covariates else 'no'} | {', '.join(f'{v:.4f}' for v in each)} | {mean:.4f} |")
    b = run_experiment(spiked.with_(train=replace(spiked.train, epochs=1))).baselines
    print("\n(" + ", ".join(f"{k.replace('_', ' ')} {v.mse:.4f}" for k, v in b.items()) + ")")


def scheduled_sampling() -> None:
    k = 10
    print(f"| scheduled sampling | MSE at step 1 | step 5 | step {k} | 200-step rollout, {k} at a time |\n"
          "|---|---|---|---|---|")
    truth = None
    for p in (0.0, 0.5):
        rows = []
        for s in SEEDS:
            r = run_experiment(BASE.with_(horizon=k, horizon_method="seq2seq", scheduled_sampling=p,
                                          train=replace(BASE.train, seed=s)))
            truth = np.asarray(r.series[r.split : r.split + 200])
            roll = np.asarray(r.horizon.rollout[: truth.shape[0]])
            mse = r.horizon.mse["seq2seq"]
            rows.append((mse[0], mse[4], mse[k - 1], float(np.mean((roll - truth) ** 2))))
        m = np.mean(rows, axis=0)
        print(f"| {p:g} | " + " | ".join(f"{v:.4f}" for v in m) + " |")
    h = run_experiment(BASE.with_(horizon=k, horizon_method="recursive")).horizon
    print(f"\n(means over seeds {', '.join(map(str, SEEDS))}; at step {k}: recursive {h.at_k['recursive'].mse:.4f}, "
          f"persistence {h.at_k['persistence'].mse:.4f}, linear AR {h.at_k['linear_ar'].mse:.4f})")


def main() -> int:
    limit_threads(1)
    lessons = [("Gradient flow", gradient_flow), ("Several steps ahead", horizons), ("Dropout", dropout),
               ("Seeds", lambda: sweep("seed", BASE)),
               ("Window length, long season", lambda: sweep("seq-len", BASE.with_(
                   series=replace(BASE.series, components=LONG_SEASON.components)))),
               ("Calendar features on CO2", calendar_features), ("Holidays as a covariate", holidays),
               ("Scheduled sampling, seq2seq", scheduled_sampling)]
    words = [w.lower() for w in sys.argv[1:]]
    for title, fn in lessons:
        if words and not any(w in title.lower() for w in words):
            continue
        start = time.perf_counter()
        print(f"\n### {title}\n")
        fn()
        print(f"\n({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
