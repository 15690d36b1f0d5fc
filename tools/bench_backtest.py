"""``python tools/bench_backtest.py``: Gatelab's rolling-origin backtest beside darts' ``historical_forecasts``.

The same series (sunspots), the same origins (the test part cut into N blocks), the same
model size (an LSTM of 16 units reading 11 values, 10 epochs, batches of 16, learning
rate 5e-3) and the same forecasts (one step ahead at every point of every block, the
model trained again at every origin on everything before it). Gatelab's side runs here,
darts' in an environment of its own (``--venv``, made with pip on first use: torch from
the CPU wheel, then darts; a few minutes once), each timed in the same run, one after
the other, on one thread each, after its imports (darts' clock starts at
``historical_forecasts``; its process time, imports and all, is given beside).

    python tools/bench_backtest.py --origins 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DARTS = "darts==0.48.1"
TORCH = "torch==2.13.0"
L, H, EPOCHS, BATCH, LR = 11, 16, 10, 16, 5e-3

DARTS_SIDE = textwrap.dedent("""
    import json, sys, time, warnings, logging
    import numpy as np
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    import torch
    torch.set_num_threads(1)
    from darts import TimeSeries
    from darts.models import BlockRNNModel
    a = json.loads(sys.stdin.read())
    x = np.asarray(a["series"], dtype=np.float32)
    first = a["origins"][0]
    mean, std = float(x[:first].mean()), float(x[:first].std())  # scaled as Gatelab scales: the train part's
    series = TimeSeries.from_values((x - mean) / std)
    model = BlockRNNModel(model="LSTM", input_chunk_length=a["L"], output_chunk_length=1, hidden_dim=a["H"],
                          n_rnn_layers=1, n_epochs=a["epochs"], batch_size=a["batch"], random_state=0,
                          optimizer_kwargs={"lr": a["lr"]},
                          pl_trainer_kwargs={"accelerator": "cpu", "enable_progress_bar": False,
                                             "enable_model_summary": False, "logger": False,
                                             "enable_checkpointing": False})
    start = time.perf_counter()
    block = a["origins"][1] - a["origins"][0] if len(a["origins"]) > 1 else len(x) - first
    forecasts = model.historical_forecasts(series, start=first, forecast_horizon=1, stride=1, retrain=block,
                                           last_points_only=True, verbose=False)
    seconds = time.perf_counter() - start
    pred = forecasts.values()[:, 0] * std + mean
    idx = np.arange(first, first + pred.shape[0])
    mse = [float(np.mean((pred[(idx >= o) & (idx < e)] - x[o:e]) ** 2)) for o, e in zip(a["origins"], a["ends"])]
    print(json.dumps({"seconds": seconds, "mse": mse, "forecasts": int(pred.shape[0])}))
""")


def darts_python(venv: Path) -> Path:
    """The darts environment's python, made (torch's CPU wheel first, so darts takes it) if missing."""
    python = venv / "bin" / "python"
    if not (python.exists() and subprocess.run([str(python), "-c", "import darts"], capture_output=True).returncode
            == 0):
        print(f"making {venv} with {DARTS} (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", DARTS], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origins", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/gatelab-darts"))
    args = parser.parse_args(argv)

    from data.datasets import DATASETS
    from models.backtest import backtest
    from models.config import ExperimentConfig
    from models.threads import limit_threads
    from models.train import TrainConfig

    limit_threads(1)
    python = darts_python(args.venv)
    config = ExperimentConfig(dataset="sunspots", seq_len=L, hidden_size=H, transform="none",
                              train=TrainConfig(epochs=EPOCHS, learning_rate=LR, batch_size=BATCH))
    results = {}
    for backend in ("numpy", "torch"):  # each warmed first (imports, first allocations), as darts' is
        backtest(config.with_(backend=backend, train=TrainConfig(epochs=1, learning_rate=LR, batch_size=BATCH)), 1)
        start = time.perf_counter()
        result = backtest(config.with_(backend=backend), args.origins, "every")
        results[backend] = (time.perf_counter() - start, result)
    origins, ends = results["numpy"][1].origins, results["numpy"][1].ends
    payload = {"series": DATASETS["sunspots"].load()[1].tolist(), "origins": list(origins), "ends": list(ends),
               "L": L, "H": H, "epochs": EPOCHS, "batch": BATCH, "lr": LR}
    start = time.perf_counter()
    out = subprocess.run([str(python), "-c", DARTS_SIDE], input=json.dumps(payload), capture_output=True, text=True)
    darts_wall = time.perf_counter() - start
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return 1
    darts = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"sunspots, {len(origins)} origins (steps {', '.join(map(str, origins))}), LSTM H {H}, L {L}, "
          f"{EPOCHS} epochs, retrained at every origin, one step ahead at each of {ends[-1] - origins[0]} points\n")
    print("| | seconds | median one-step MSE over the origins |\n|---|---|---|")
    import numpy as np

    for backend, (seconds, result) in results.items():
        print(f"| Gatelab `backtest`, {backend} | {seconds:.2f} | {np.median(result.one_step['model']):.1f} |")
    print(f"| darts `historical_forecasts` (BlockRNNModel) | {darts['seconds']:.2f} (process {darts_wall:.1f}) | "
          f"{np.median(darts['mse']):.1f} |")
    print(f"| linear AR (Gatelab's baseline) | | {np.median(results['numpy'][1].one_step['linear_ar']):.1f} |")
    print(f"\ndarts / Gatelab NumPy: {darts['seconds'] / results['numpy'][0]:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
