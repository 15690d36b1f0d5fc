"""The ``gatelab`` command: run one experiment or the benchmark without a browser.

    gatelab train --backend torch --cell gru --epochs 40
    gatelab train --json > run.json
    gatelab bench
    gatelab serve            # the dashboard
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, Sequence

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option in one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _floats(name: str):
    def parse(text: str) -> list[float]:
        try:
            values = [float(v) for v in text.replace(" ", "").split(",") if v != ""]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be comma-separated numbers such as 50,17, got {text!r}")
        if not values:
            raise argparse.ArgumentTypeError(f"{name} needs at least one number")
        return values

    parse.__name__ = name
    return parse


def _clip(text: str) -> float | None:
    if text.lower() in ("none", "off", "0"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"clip-norm must be a positive number or 'none', got {text!r}")


def _add_experiment_options(p: argparse.ArgumentParser) -> None:
    m = p.add_argument_group("model")
    m.add_argument("--backend", choices=["numpy", "torch"], default="numpy")
    m.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    m.add_argument("--hidden-size", type=int, default=32)
    m.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    m.add_argument("--transform", choices=["detrend", "diff", "none"], default="detrend",
                   help="'detrend' (default): take away a line fit to the train part; 'diff': read "
                        "differences and predict the change from the last value; 'none': plain levels")
    t = p.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=60)
    t.add_argument("--learning-rate", "--lr", type=float, default=2e-3)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--clip-norm", type=_clip, default=1.0, help="global gradient-norm bound, or 'none'")
    t.add_argument("--seed", type=int, default=0, help="seed of the initial weights and the batch order")
    s = p.add_argument_group("series")
    s.add_argument("--length", type=int, default=900)
    s.add_argument("--periods", type=_floats("periods"), default=[50.0, 17.0])
    s.add_argument("--amplitudes", type=_floats("amplitudes"), default=None, help="one per period (default 1.2,0.6)")
    s.add_argument("--phases", type=_floats("phases"), default=None, help="one per period (default 0,0.8)")
    s.add_argument("--trend", type=float, default=0.0025)
    s.add_argument("--noise", type=float, default=0.18)
    s.add_argument("--series-seed", type=int, default=42)
    w = p.add_argument_group("windows")
    w.add_argument("--seq-len", type=int, default=60)
    w.add_argument("--train-fraction", type=float, default=0.7)
    w.add_argument("--rollout-steps", type=int, default=200)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gatelab", description="LSTM and GRU forecasting, in NumPy and PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    tr = sub.add_parser("train", help="train and evaluate one model on a series")
    _add_experiment_options(tr)
    tr.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    tr.add_argument("--threads", type=int, default=1)
    be = sub.add_parser("bench", help="time every backend and cell on the default workload")
    be.add_argument("--epochs", type=int, default=20)
    be.add_argument("--repeats", type=int, default=3)
    be.add_argument("--ui", action="store_true", help="time click-to-first-point in headless Chromium instead")
    be.add_argument("--screenshot", metavar="PATH", help="with --ui: save the page after a finished run")
    lt = sub.add_parser("loadtest", help="play many students at once against a served Gatelab")
    lt.add_argument("--url", default="http://127.0.0.1:8050")
    lt.add_argument("--students", type=int, default=30)
    lt.add_argument("--epochs", type=int, default=None, help="default: the dashboard's default")
    lt.add_argument("--cores", type=int, default=None, help="for the ideal time (default: this machine's)")
    sv = sub.add_parser("serve", help="serve the dashboard")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8050)
    sv.add_argument("--debug", action="store_true")
    return parser


def config_from_args(args: argparse.Namespace):
    from data.synthetic import SeriesConfig
    from models.experiment import ExperimentConfig
    from models.train import TrainConfig

    defaults = SeriesConfig()
    same_periods = args.periods == [c.period for c in defaults.components]
    amps = args.amplitudes or ([c.amplitude for c in defaults.components] if same_periods else None)
    phases = args.phases or ([c.phase for c in defaults.components] if same_periods else None)
    series = SeriesConfig.from_lists(args.periods, amps, phases, length=args.length, trend=args.trend,
                                     noise=args.noise, seed=args.series_seed)
    train = TrainConfig(args.epochs, args.learning_rate, args.batch_size, args.clip_norm, args.seed)
    return ExperimentConfig(series=series, seq_len=args.seq_len, train_fraction=args.train_fraction,
                            transform=args.transform, backend=args.backend, cell=args.cell,
                            hidden_size=args.hidden_size, dtype=args.dtype, train=train,
                            rollout_steps=args.rollout_steps)


def summary(result: dict) -> dict:
    """The JSON that ``gatelab train --json`` prints."""
    h = result["history"]
    return {
        "test_mse": result["metrics"]["mse"],
        "test_mae": result["metrics"]["mae"],
        "test_rmse": result["metrics"]["rmse"],
        "baselines": {k: v["mse"] for k, v in result["baselines"].items()},
        "rollout_mse": (result["rollout"]["metrics"] or {}).get("mse"),
        "train_loss": h["train_loss"],
        "test_loss": h["test_loss"],
        "grad_norm": h["grad_norm"],
        "epoch_seconds": h["epoch_seconds"],
        "config": result["config"],
    }


def _train(args: argparse.Namespace) -> int:
    from models.experiment import run_experiment
    from models.threads import limit_threads

    config = config_from_args(args)
    limit_threads(args.threads)
    bar = None
    if not args.json:
        from tqdm import tqdm

        bar = tqdm(total=config.train.epochs, unit="epoch", file=sys.stderr,
                   desc=f"{config.backend} {config.cell}")

    def on_epoch_end(log) -> None:
        if bar is not None:
            bar.set_postfix(train=f"{log.train_loss:.4f}", test=f"{log.test_loss:.4f}")
            bar.update(1)

    result = run_experiment(config, on_epoch_end=on_epoch_end)
    if bar is not None:
        bar.close()
    out = summary(result)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{config.backend} {config.cell}, hidden {config.hidden_size}, seq_len {config.seq_len}, "
          f"transform {config.transform}, {result['epochs_done']} epochs")
    print(f"  final train loss {out['train_loss'][-1]:.4f}   test loss {out['test_loss'][-1]:.4f}")
    print("  test error in original units:")
    rows = [("model", result["metrics"])] + list(result["baselines"].items())
    for name, m in rows:
        print(f"    {name:<12} MSE {m['mse']:.4f}   MAE {m['mae']:.4f}   RMSE {m['rmse']:.4f}")
    if out["rollout_mse"] is not None:
        print(f"  {config.rollout_steps}-step recursive rollout MSE {out['rollout_mse']:.4f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "bench" and args.ui:
            from bench_ui import run_ui_bench

            return run_ui_bench(repeats=args.repeats, screenshot=args.screenshot)
        if args.command == "loadtest":
            from loadtest import print_report, run_loadtest

            print_report(run_loadtest(args.url, args.students, args.epochs, args.cores))
            return 0
        if args.command == "bench":
            from bench import run_bench

            return run_bench(epochs=args.epochs, repeats=args.repeats)
        from app import serve

        return serve(host=args.host, port=args.port, debug=args.debug)
    except ValueError as e:
        print(f"gatelab: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as e:  # models.train.TrainingDiverged and its kind
        print(f"gatelab: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
