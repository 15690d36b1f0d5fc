"""The ``gatelab`` command: run one experiment without a browser, or serve the dashboard.

    gatelab train --backend torch --cell gru --epochs 40
    gatelab train --json > run.json      # the run record (models.run.RunRecord) as JSON
    gatelab sweep --over seed --cells lstm,gru,rnn     # the same settings, five training seeds
    gatelab backtest --dataset sunspots --origins 5    # errors at five forecast origins, baselines beside
    gatelab train --csv sales.csv --auto               # settings searched on the train part, then trained
    gatelab suggest --csv sales.csv                    # only the search: what it chose, and what it tried
    gatelab notebook run.json            # that run as a notebook that trains it again (run.ipynb)
    gatelab serve                        # the dashboard

Every option of ``train`` is generated from ``models.knobs``, the same source as
the page's form: the same defaults, the same ranges, the same messages (naming
the option here, the field there). The same settings typed into the page and
given here make the same series and the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, Sequence

from models.knobs import KNOBS

EXIT_USAGE = 2
MAX_THREADS = 64
LIMITS_NOTE = ("Ranges are the models' own. A served page may cap epochs, hidden size and length lower "
               "(GATELAB_MAX_EPOCHS, GATELAB_MAX_HIDDEN, GATELAB_MAX_LENGTH; 500, 256 and 5000 by default).")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option in one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _add_knob_options(p: argparse.ArgumentParser) -> None:
    groups = {}
    for knob in KNOBS:
        group_name = "series" if knob.key.startswith("series-") else "training" if knob.path.startswith("train.") \
            else "model"
        group = groups.setdefault(group_name, p.add_argument_group(group_name))
        names = [knob.option] + (["--lr"] if knob.key == "learning-rate" else [])
        if knob.kind == "switch":
            group.add_argument(*names, dest=knob.key, action="store_const", const="on", default=None,
                               help=f"{knob.help} (default off)".replace("%", "%%"))
            continue
        metavar = {"int": "N", "float": "X", "list": "X,Y,...", "names": "NAME,..."}.get(knob.kind) or \
            "{" + ",".join(v for v, _ in knob.choices) + "}"
        help_text = "; ".join(t for t in (knob.help, knob.range_text()) if t)
        default = knob.as_text(knob.default) or "none"
        group.add_argument(*names, dest=knob.key, metavar=metavar, default=None,
                           help=f"{help_text} (default {default})".replace("%", "%%"))


def _add_csv_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--csv", metavar="FILE", help="train on a CSV file of your own (read with pandas)")
    p.add_argument("--column", metavar="NAME", help="the --csv file's value column (default: its last numeric one)")
    p.add_argument("--missing", choices=("drop", "interpolate"),
                   help="what to do with the column's empty or non-numeric cells")
    p.add_argument("--time-column", metavar="NAME",
                   help="the --csv file's column of dates, for --calendar (default: the first column named date, "
                        "time, week, month, day or the like, if there is one)")


SUGGEST_NOTE = ("The search varies the window, hidden size, epochs, input transform, power and ensemble, and "
                "scores each candidate by a rolling-origin backtest inside the train part; the test part is never "
                "read. Options for those six settings are where it starts; the others hold.")


def _add_auto_options(p: argparse.ArgumentParser, flag: str = "") -> None:
    if flag:
        p.add_argument(flag, dest="auto", action="store_true",
                       help="search the settings first (as gatelab suggest), then train at the choice; "
                            "--json then carries the choice and the candidates under 'auto'")
    p.add_argument("--seconds", default=None,
                   help="the search's time budget in seconds, from 5 to 3600 (default GATELAB_SUGGEST_SECONDS, or 60)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gatelab", description="LSTM and GRU forecasting, in NumPy and PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    tr = sub.add_parser("train", help="train and evaluate one model on a series", epilog=LIMITS_NOTE)
    _add_knob_options(tr)
    tr.add_argument("--json", action="store_true", help="print the run record as one JSON object, and nothing else")
    _add_csv_options(tr)
    tr.add_argument("--threads", default="1", help=f"BLAS and torch threads; a whole number from 1 to {MAX_THREADS}")
    _add_auto_options(tr, "--auto")
    sg = sub.add_parser("suggest", help="search settings for a series on its train part, and print the choice",
                        epilog=SUGGEST_NOTE)
    _add_knob_options(sg)
    _add_csv_options(sg)
    sg.add_argument("--json", action="store_true", help="print the choice and the candidates as one JSON object")
    sg.add_argument("--threads", default="1", help=f"BLAS and torch threads; a whole number from 1 to {MAX_THREADS}")
    _add_auto_options(sg)
    sw = sub.add_parser("sweep", help="train one setting's values for several cells (seed or window length)",
                        epilog="Without --periods, a window-length sweep uses the long-season series "
                               "(periods 50 and 120). " + LIMITS_NOTE)
    sw.add_argument("--over", default="seed", help="seed or seq-len (default seed)")
    sw.add_argument("--values", default=None,
                    help="comma-separated whole numbers (default 0,1,2,3,4 for seed; 20,40,60,90,120 for seq-len)")
    sw.add_argument("--cells", default="lstm,gru,rnn", help="comma-separated cells (default lstm,gru,rnn)")
    _add_knob_options(sw)
    sw.add_argument("--json", action="store_true", help="print the sweep's points as one JSON object")
    sw.add_argument("--threads", default="1", help=f"BLAS and torch threads; a whole number from 1 to {MAX_THREADS}")
    bt = sub.add_parser("backtest", help="forecast from several origins over the test part, against the baselines",
                        epilog="The test part is cut into --origins blocks; each block is forecast one step ahead "
                               "and recursively from its origin. " + LIMITS_NOTE)
    bt.add_argument("--origins", default="5", help="forecast origins: a whole number from 1 to 20 (default 5)")
    bt.add_argument("--refit", default="every", choices=("every", "once"),
                    help="every: train again on everything before each origin; once: train before the first "
                         "origin and feed the model the new data (default every)")
    _add_knob_options(bt)
    _add_csv_options(bt)
    bt.add_argument("--json", action="store_true", help="print the errors per origin as one JSON object")
    bt.add_argument("--threads", default="1", help=f"BLAS and torch threads; a whole number from 1 to {MAX_THREADS}")
    nb = sub.add_parser("notebook", help="write a run record (train --json, or the page's download) as a "
                                         "Jupyter notebook that trains it again")
    nb.add_argument("record", metavar="RUN.json", help="a run record")
    nb.add_argument("--out", metavar="FILE.ipynb", help="where to write it (default: RUN.ipynb beside the record)")
    gd = sub.add_parser("guide", help="write the teacher's guide: a printable page per lesson, its numbers from "
                                      "each lesson's default run")
    gd.add_argument("--lesson", default=None, metavar="NAME",
                    help="one lesson (default: all eight): basics, inside, why-gates, ahead, data, compare, looks "
                         "or trust")
    gd.add_argument("--out", metavar="FILE.html", default="gatelab-guide.html",
                    help="where to write it (default gatelab-guide.html)")
    gd.add_argument("--url", default="http://localhost:8050",
                    help="the address the class opens, for the lessons' links (default http://localhost:8050)")
    sub.add_parser("datasets", help="list the bundled data sets")
    sv = sub.add_parser("serve", help="serve the dashboard")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8050)
    sv.add_argument("--debug", action="store_true")
    sv.add_argument("--prefix", default=None,
                    help="serve under this path, such as /gatelab/, behind a proxy (default: GATELAB_URL_PREFIX, or /)")
    return parser


def config_from_args(args: argparse.Namespace, length: int | None = None, columns: tuple[str, ...] | None = None,
                     value_column: str | None = None, proposed: dict | None = None):
    """The ``ExperimentConfig`` the options describe; ``ValueError`` names the first bad option.
    A bundled data set's own settings, or those ``proposed`` for a file (``models.propose``), apply where
    no option says otherwise."""
    from data.datasets import DATASETS
    from models.knobs import BY_KEY, parse_values

    raw = {k.key: getattr(args, k.key) for k in KNOBS if getattr(args, k.key, None) is not None}
    if str(raw.get("clip-norm", "")).lower() in ("none", "off"):
        raw["clip-norm"] = "0"
    if raw.get("dataset") in DATASETS:
        raw = {k: BY_KEY[k].as_text(v) for k, v in DATASETS[raw["dataset"]].defaults.items()} | raw
    elif proposed:
        raw = {k: BY_KEY[k].as_text(v) for k, v in proposed.items()} | raw
    config, errors = parse_values(raw, name=lambda k: k.option, length=length, columns=columns,
                                  value_column=value_column)
    if config is None:
        raise ValueError(next(iter(errors.values())))
    return config


def _csv_table(args: argparse.Namespace):
    """(the --csv file as a table, its value column), or (None, None) without --csv."""
    if not args.csv:
        return None, None
    from pathlib import Path

    from data.upload import read_csv

    path = Path(args.csv)
    if not path.is_file():
        raise ValueError(f"--csv: no file at {args.csv}")
    table = read_csv(path.read_bytes(), path.name, max_bytes=2**31)
    return table, args.column or table.numeric[-1]


def _csv_data(args: argparse.Namespace, table, column: str, config):
    """What the run reads from the --csv file: the column, its dates and the covariates."""
    from data.exogenous import calendar_problem
    from data.upload import looks_like_time

    time_column = args.time_column
    if time_column is None:
        time_column = next((c for c in table.columns if looks_like_time(c)), None)
    elif time_column not in table.columns:
        raise ValueError(f"--time-column: the file has no column {time_column!r}; it has {', '.join(table.columns)}")
    data = table.uploaded(column, args.missing, time_column, config.covariates if config else ())
    problem = calendar_problem(data.times) if config is not None and config.calendar else None
    if problem:
        raise ValueError(f"--calendar: calendar features {problem}")
    return data


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"--threads must be a whole number from 1 to {MAX_THREADS}, got {text!r}")
    return n


def _config_and_series(args: argparse.Namespace):
    """(the config the options describe, the --csv file's part or None). A file's settings not given as
    options are those proposed from its data (``models.propose``); a line on standard error says which."""
    table, column = _csv_table(args)
    if table is None:
        return config_from_args(args), None
    from data.exogenous import season_of
    from models.propose import propose

    args = argparse.Namespace(**{**vars(args), "dataset": "upload"})
    values = table.series(column, args.missing)
    times = _csv_data(args, table, column, None).times
    season, why = season_of(times)
    proposal = propose(values, season, why, _train_fraction(args))
    if not getattr(args, "json", False):
        print(proposal.line, file=sys.stderr)
    config = config_from_args(args, values.shape[0], table.numeric, column, proposal.settings)
    return config, _csv_data(args, table, column, config)


def _train_fraction(args: argparse.Namespace) -> float:
    from models.knobs import BY_KEY

    knob = BY_KEY["train-fraction"]
    given = getattr(args, "train-fraction", None)
    value, error = knob.parse(knob.as_text(knob.default) if given is None else given, "--train-fraction")
    if error:
        raise ValueError(error)
    return value


def _train(args: argparse.Namespace) -> int:
    from models.verdict import verdict
    from models.wording import BASELINE_NAMES
    from models.wording import METHOD_NAMES
    from models.ensemble import run_ensemble
    from models.threads import limit_threads

    config, series = _config_and_series(args)
    limit_threads(_threads(args.threads))
    chosen = None
    if args.auto:
        chosen = _search(args, config, series)
        config = config_from_args(argparse.Namespace(**{k.key: None for k in KNOBS}), *_shape(config, series),
                                  proposed={**_settings_of(config), **chosen.settings})
        if not args.json:
            print(chosen.line, file=sys.stderr)
    bar = None
    if not args.json:
        from tqdm import tqdm

        bar = tqdm(total=config.train.epochs * config.ensemble, unit="epoch", file=sys.stderr,
                   desc=config.model_name)

    def on_epoch_end(log) -> None:
        if bar is not None:
            bar.set_postfix(train=f"{log.train_loss:.4f}", test=f"{log.test_loss:.4f}")
            bar.update(1)

    _, record = run_ensemble(config, series=series, on_epoch_end=on_epoch_end)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps({**record.to_json(), **({"auto": chosen.as_dict()} if chosen else {})}))
        return 0
    h = record.history
    power = f", power {config.power}" if config.power != "none" else ""
    print(f"{config.model_name}, hidden {config.hidden_size}, window {config.seq_len}, "
          f"inputs {config.transform}{power}, {record.epochs_done} epochs")
    print(f"  final train loss {h.train_loss[-1]:.4f}   test loss {h.test_loss[-1]:.4f} (model units)")
    print("  test error in original units:")
    rows = [("model", record.metrics)] + [(BASELINE_NAMES[k], s) for k, s in record.baselines.items()]
    for name, m in rows:
        print(f"    {name:<14} MSE {m.mse:.4f}   MAE {m.mae:.4f}   RMSE {m.rmse:.4f}   MASE {m.mase:.3f}")
    for key, note in record.baseline_notes.items():
        print(f"    {BASELINE_NAMES.get(key, key)}: {note}")
    print(f"  {verdict(record)}")
    if record.members or record.intervals:
        from models.trust import trust_rows

        for what, sentence in trust_rows([record]):
            print(f"  {what}: {sentence}")
    if record.covariates:
        print("  inputs beside the series: " + ", ".join(
            f"{c.name} ({'known in advance' if c.known else 'known to the data end only'})" for c in record.covariates))
    roll = record.rollout_scores
    if roll is not None:
        steps = len(record.rollout.pred)
        cut = f" (the covariates end with the data: {config.rollout_steps} asked)" if steps < config.rollout_steps else ""
        print(f"  {steps}-step recursive rollout MSE {roll.mse:.4f}{cut}")
    import numpy as np

    from models.rollout import leaves_range

    left = leaves_range(np.asarray(record.series[: record.split]), np.asarray(record.rollout.pred))
    if left is not None:
        print(f"  warning: the rollout leaves the range seen in training after {left} steps")
    if record.horizon is not None:
        h = record.horizon
        print(f"  {h.k} steps ahead, over {h.windows} test windows (MSE at steps 1 / {h.k}):")
        for m, mse in h.mse.items():
            print(f"    {METHOD_NAMES[m]:<19} {mse[0]:.4f} / {mse[-1]:.4f}")
    if record.grad_flow:
        epoch, norms = record.grad_flow[-1]
        print(f"  gradient flow at epoch {epoch}: ||dL/dh_1|| / ||dL/dh_{len(norms)}|| = {norms[0] / norms[-1]:.3g}")
    return 0


def _settings_of(config) -> dict:
    """Every knob's value in ``config``, as a proposal holds them (key -> value)."""
    return {k.key: k.value_in(config) for k in KNOBS}


def _shape(config, series) -> tuple:
    """(length, columns, value column) of the series ``config`` trains on, for ``config_from_args``."""
    if series is None:
        return (None, None, None)
    return (series.series.shape[0], tuple(series.columns), None)


def _search(args: argparse.Namespace, config, series):
    """Suggest settings (``models.suggest``) for the series ``config`` and ``series`` describe, within the
    budget --seconds gives; progress on standard error unless --json."""
    import os

    from data.bounds import Bound
    from models.suggest import start_from, suggest

    budget = args.seconds if args.seconds is not None else os.environ.get("GATELAB_SUGGEST_SECONDS", "60")
    problem = Bound("float", 5, 3600).problem(budget)
    if problem:
        raise ValueError(f"--seconds {problem}")
    report = None if args.json else (
        lambda k, total, c: print(f"candidate {k} of {total}: " + (f"MSE {c.mse:.4g} on the validation blocks"
                                                                     if c.mse is not None else f"left out ({c.note})"),
                                  file=sys.stderr))
    return suggest(config, series, start_from(config, series, "the options given"), float(budget),
                   on_candidate=report)


def _suggest(args: argparse.Namespace) -> int:
    from models.suggest import describe
    from models.threads import limit_threads

    config, series = _config_and_series(args)
    limit_threads(_threads(args.threads))
    chosen = _search(args, config, series)
    if args.json:
        print(json.dumps(chosen.as_dict()))
        return 0
    print(chosen.line)
    print(f"  {'validation MSE':>15}  {'seconds':>7}  settings")
    for c in sorted(chosen.rows, key=lambda c: (c.mse is None, c.mse or 0)):
        score = f"{c.mse:>15.4g}" if c.mse is not None else f"{'-':>15}"
        print(f"  {score}  {c.seconds:>7.1f}  {describe(c.settings)}" + (f" ({c.note})" if c.note else ""))
    options = " ".join(f"--{k} {v}" for k, v in chosen.settings.items())
    print(f"Train at it: gatelab train {options}" + (f" --csv {args.csv}" if args.csv else ""))
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from models.experiment import run_experiment
    from models.sweep import SweepSpec, on_long_season, point, point_value, summary, sweep_verdict
    from models.threads import limit_threads

    spec = SweepSpec.parse(args.over, args.values, args.cells,
                           names={"over": "--over", "values": "--values", "cells": "--cells"})
    base = config_from_args(args)
    if spec.over == "seq-len" and getattr(args, "series-periods") is None and base.dataset == "synthetic":
        base = on_long_season(base)
    configs = spec.configs(base)  # each config checks its window against its own series
    limit_threads(_threads(args.threads))
    points = []
    for k, c in enumerate(configs, start=1):
        if not args.json:
            print(f"run {k} of {len(configs)}: {c.model_name}, {spec.over} {point_value(c, spec.over)}",
                  file=sys.stderr)
        points.append(point(run_experiment(c), spec.over))
    result = {**spec.to_json(), "points": points, "summary": summary(points),
              "verdict": sweep_verdict(points, spec.over)}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"test MSE and {base.rollout_steps}-step rollout MSE by {spec.over}, original units:")
    for p in points:
        b = p["baselines"]
        roll = "" if p["rollout_mse"] is None else f"   rollout {p['rollout_mse']:.4f}"
        print(f"  {p['label']:<10} {spec.over} {p['value']:<5} {p['mse']:.4f}{roll}   "
              f"persistence {b['persistence']:.4f}   linear AR {b['linear_ar']:.4f}")
    for cell, s in result["summary"].items():
        roll = "" if s["rollout_median"] is None else f", rollout median {s['rollout_median']:.4f}"
        print(f"  {cell}: mean {s['mean']:.4f}, spread {s['spread']:.4f}, best {spec.over} {s['best_value']}{roll}")
    print(f"  {result['verdict']}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from models.verdict import across_origins
    from models.wording import BASELINE_NAMES
    from data.bounds import Bound
    from models.backtest import MAX_ORIGINS, backtest
    from models.threads import limit_threads

    problem = Bound("int", 1, MAX_ORIGINS).problem(args.origins)
    if problem:
        raise ValueError(f"--origins {problem}")
    origins = int(float(args.origins))
    config, series = _config_and_series(args)
    limit_threads(_threads(args.threads))
    on_origin = None if args.json else (lambda i, o: print(f"origin {i + 1} of {origins}: step {o}", file=sys.stderr))
    result = backtest(config, origins, args.refit, series, on_origin=on_origin)
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    names = list(result.one_step)
    print(f"{result.model_name}, refit {result.refit}: one-step test MSE per origin, original units "
          f"({result.seconds:.1f} s)")
    print("  origin  " + "".join(f"{('model' if n == 'model' else BASELINE_NAMES[n]):>16}" for n in names)
          + f"{'rollout':>12}")
    for i, (o, end) in enumerate(zip(result.origins, result.ends)):
        print(f"  {o:>6}  " + "".join(f"{result.one_step[n][i]:>16.4f}" for n in names)
              + f"{result.rollout[i]:>12.4f}")
    if "linear_ar" in result.one_step:
        print(f"  the model beats the linear AR at {result.wins()} of {len(result.origins)} origins")
    print(f"  {across_origins(result.model_name, result.one_step)}")
    return 0


def _notebook(args: argparse.Namespace) -> int:
    from pathlib import Path

    from components.notebooks.writer import notebook_text
    from models.run import RunRecord

    source = Path(args.record)
    if not source.is_file():
        raise ValueError(f"RUN.json: no file at {args.record}")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"RUN.json: {args.record} is not JSON ({e})") from None
    record = RunRecord.from_json(data)  # RunRecordError (a ValueError) says what is wrong with it
    out = Path(args.out) if args.out else source.with_suffix(".ipynb")
    if out.suffix != ".ipynb":
        raise ValueError(f"--out must name an .ipynb file, got {args.out}")
    out.write_text(notebook_text(record), encoding="utf-8")
    print(f"wrote {out}: open it in Jupyter and run all cells")
    return 0


def _guide(args: argparse.Namespace) -> int:
    from pathlib import Path

    from components.page.guide import guide, lessons_of

    names = lessons_of(None if args.lesson is None else [args.lesson])
    print(f"training the default runs of {len(names)} lesson{'s' if len(names) > 1 else ''}...", file=sys.stderr)
    Path(args.out).write_text(guide(names, base_url=args.url), encoding="utf-8")
    print(f"wrote {args.out}: {len(names)} lesson{'s' if len(names) > 1 else ''}, one printed page each")
    return 0


def _datasets() -> int:
    from data.datasets import DATASETS
    from models.findings import verdict

    for name, d in DATASETS.items():
        print(f"{name:<10} {d.title} ({d.length} points, {d.unit}; season {d.season})\n{'':<10} {d.note}"
              f"\n{'':<10} {verdict(name)}")
    print("Train on one: gatelab train --dataset NAME. Sources and licences: data/datasets/SOURCES.md")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "suggest":
            return _suggest(args)
        if args.command == "backtest":
            return _backtest(args)
        if args.command == "guide":
            return _guide(args)
        if args.command == "datasets":
            return _datasets()
        if args.command == "notebook":
            return _notebook(args)
        if args.prefix is not None:  # through the environment, so that job processes read the same
            import os

            from components.server.settings import url_prefix

            os.environ["GATELAB_URL_PREFIX"] = url_prefix(args.prefix, "--prefix")
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
