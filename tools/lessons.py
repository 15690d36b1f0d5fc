"""``python tools/lessons.py``: the README's "Lessons" figures, measured at the defaults.

Every run is ``models.experiment.run_experiment`` on the reference series (900 points,
L = 60, H = 32, 60 epochs, NumPy), as ``gatelab train`` and the page run it; only the
setting a lesson is about changes. Prints Markdown tables. Takes a few minutes.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.base import CELL_NAMES  # noqa: E402
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


def main() -> int:
    limit_threads(1)
    lessons = [("Gradient flow", gradient_flow), ("Several steps ahead", horizons), ("Dropout", dropout),
               ("Seeds", lambda: sweep("seed", BASE)),
               ("Window length, long season", lambda: sweep("seq-len", BASE.with_(
                   series=replace(BASE.series, components=LONG_SEASON.components))))]
    for title, fn in lessons:
        start = time.perf_counter()
        print(f"\n### {title}\n")
        fn()
        print(f"\n({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
