"""``python tools/bench_practitioner.py``: Gatelab on series nobody here tuned for, against the statistical
models a forecaster fits first.

The development set is real series that ship inside PyPI packages and load offline (pmdarima's and
statsmodels' data sets; both are test dependencies). Each is given time labels of its own spacing
(monthly, quarterly, yearly), as a CSV file with a date column would be, so Gatelab finds its season the
way it does for a practitioner's file. For each series it reports the one-step test MSE on the default
split (the last 30 %):

- Gatelab at the settings proposed from the data (``models.propose``), as a first press of Train;
- Gatelab with ``--auto`` (``models.suggest``: a search scored on the train part only);
- statsforecast's AutoETS, AutoARIMA and AutoTheta, and persistence, on the same test points (they come
  with every Gatelab run: ``models.statistical``);

with the seconds each took, then the geometric mean of Gatelab's MSE over AutoETS's.

    python tools/bench_practitioner.py                      # every series, defaults and --auto
    python tools/bench_practitioner.py --only airpassengers,wineind --no-auto
    python tools/bench_practitioner.py --json out.json      # the table as JSON too
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _labels(n: int, start: int, per_year: int) -> list[str]:
    """Time labels for ``n`` points from ``start``: years, quarters or months, as a CSV's date column."""
    if per_year == 1:
        return [str(start + i) for i in range(n)]
    months = 12 // per_year
    return [f"{start + (i * months) // 12}-{(i * months) % 12 + 1:02d}-01" for i in range(n)]


def series_set() -> dict[str, tuple[np.ndarray, list[str]]]:
    """name -> (values, time labels) of the development set."""
    import statsmodels.api as sm
    from pmdarima import datasets as pm

    out: dict[str, tuple[np.ndarray, list[str]]] = {}

    def add(name, values, start, per_year):
        values = np.asarray(values, dtype=np.float64)
        values = values[: np.flatnonzero(np.isfinite(values))[-1] + 1]  # ausbeer ends in a missing quarter
        out[name] = (values, _labels(values.shape[0], start, per_year))

    add("airpassengers", pm.load_airpassengers(), 1949, 12)
    add("wineind", pm.load_wineind(), 1980, 12)
    add("ausbeer", pm.load_ausbeer(), 1956, 4)
    add("austres", pm.load_austres(), 1971, 4)
    add("woolyrnq", pm.load_woolyrnq(), 1965, 4)
    add("lynx", pm.load_lynx(), 1821, 1)
    add("nile", sm.datasets.nile.load_pandas().data["volume"], 1871, 1)
    add("sunspots_yearly", sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"], 1700, 1)
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    add("co2_monthly", co2, 1958, 12)
    nino = sm.datasets.elnino.load_pandas().data.iloc[:, 1:].to_numpy().reshape(-1)
    add("elnino", nino, 1950, 12)
    macro = sm.datasets.macrodata.load_pandas().data
    add("realgdp", macro["realgdp"], 1959, 4)
    add("unemployment", macro["unemp"], 1959, 4)
    return out


def one(name: str, values: np.ndarray, times: list[str], auto: bool, seconds: float) -> dict:
    """The row of one series."""
    from data.exogenous import season_of
    from data.upload import Uploaded
    from models.ensemble import run_ensemble
    from models.knobs import BY_KEY, parse_values
    from models.propose import propose
    from models.suggest import suggest

    season, why = season_of(times)
    data = Uploaded(values, times, {}, f"{name}.csv: value")
    proposal = propose(values, season, why)

    def config_of(settings):
        raw = {"dataset": "upload"} | {k: BY_KEY[k].as_text(v) for k, v in settings.items()}
        config, errors = parse_values(raw, length=values.shape[0], columns=())
        if config is None:
            raise ValueError(f"{name}: {errors}")
        return config

    row: dict = {"series": name, "n": int(values.shape[0]), "season": season, "proposed": proposal.settings}
    t0 = time.perf_counter()
    record = run_ensemble(config_of(proposal.settings), series=data)[1]
    row["default_seconds"] = time.perf_counter() - t0
    row["default"] = record.metrics.mse
    row["baselines"] = {k: s.mse for k, s in record.baselines.items()}
    row["notes"] = dict(record.baseline_notes)
    if auto:
        t0 = time.perf_counter()
        chosen = suggest(config_of(proposal.settings), data, proposal, seconds=seconds)
        record = run_ensemble(config_of(chosen.settings), series=data)[1]
        row["auto_seconds"] = time.perf_counter() - t0
        row["auto"] = record.metrics.mse
        row["auto_settings"] = chosen.settings
        row["auto_line"] = chosen.line
    return row


def statistical_seconds(values: np.ndarray, times: list[str]) -> float:
    """The seconds the three statistical models take on one series (their fit and forecasts)."""
    from data.exogenous import season_of
    from data.windows import split_index
    from models import statistical

    statistical._KEPT.clear()
    t0 = time.perf_counter()
    statistical.fit_statistical(values, split_index(values.shape[0], 0.7), season_of(times)[0], 200)
    return time.perf_counter() - t0


def _g(v) -> str:
    return "" if v is None else f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def markdown(rows: list[dict], ratio_default: float, ratio_auto: float) -> str:
    """The table as the docs show it: test MSE per series, Gatelab's ratios to AutoETS, seconds."""
    out = ["| series | n | season | Gatelab, proposed | Gatelab, --auto | AutoETS | AutoARIMA | AutoTheta | "
           "persistence | proposed / ETS | --auto / ETS | seconds: proposed, --auto, statistical |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        b = r["baselines"]
        ets = b.get("auto_ets")
        out.append(f"| {r['series']} | {r['n']} | {r['season'] or '-'} | {_g(r['default'])} | {_g(r.get('auto'))} | "
                   f"{_g(ets)} | {_g(b.get('auto_arima'))} | {_g(b.get('auto_theta'))} | {_g(b['persistence'])} | "
                   f"{r['default'] / ets:.2f} | {r['auto'] / ets if 'auto' in r else float('nan'):.2f} | "
                   f"{r['default_seconds']:.1f}, {r.get('auto_seconds', float('nan')):.1f}, "
                   f"{r['statistical_seconds']:.1f} |")
    out.append(f"| **geometric mean** | | | | | | | | | **{ratio_default:.2f}** | **{ratio_auto:.2f}** | |")
    return "\n".join(out)


def gmean(values) -> float:
    values = [v for v in values if v is not None and v > 0]
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="comma-separated series names")
    ap.add_argument("--no-auto", action="store_true", help="only the proposed defaults")
    ap.add_argument("--seconds", type=float, default=60.0, help="Suggest settings' time budget per series")
    ap.add_argument("--json", default="", help="also write the rows to this file")
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown, for the docs")
    args = ap.parse_args(argv)
    from models.threads import limit_threads

    limit_threads(1)
    data = series_set()
    names = [n for n in args.only.split(",") if n] or list(data)
    rows = []
    head = (f"{'series':<16}{'n':>5}{'m':>4}{'default':>12}{'auto':>12}{'AutoETS':>12}{'AutoARIMA':>12}"
            f"{'AutoTheta':>12}{'persist.':>12}{'def/ETS':>9}{'auto/ETS':>9}{'s def':>7}{'s auto':>7}{'s stat':>7}")
    print(head)
    for name in names:
        values, times = data[name]
        stat_s = statistical_seconds(values, times)
        row = one(name, values, times, not args.no_auto, args.seconds)
        row["statistical_seconds"] = stat_s
        rows.append(row)
        b = row["baselines"]
        ets = b.get("auto_ets")
        print(f"{name:<16}{row['n']:>5}{row['season'] or 1:>4}{row['default']:>12.4g}{row.get('auto', float('nan')):>12.4g}"
              f"{ets or float('nan'):>12.4g}{b.get('auto_arima', float('nan')):>12.4g}"
              f"{b.get('auto_theta', float('nan')):>12.4g}{b['persistence']:>12.4g}"
              f"{row['default'] / ets if ets else float('nan'):>9.2f}"
              f"{row.get('auto', float('nan')) / ets if ets else float('nan'):>9.2f}"
              f"{row['default_seconds']:>7.1f}{row.get('auto_seconds', float('nan')):>7.1f}{stat_s:>7.1f}", flush=True)
    ratio_default = gmean([r["default"] / r["baselines"]["auto_ets"] for r in rows if "auto_ets" in r["baselines"]])
    ratio_auto = gmean([r["auto"] / r["baselines"]["auto_ets"] for r in rows
                        if "auto" in r and "auto_ets" in r["baselines"]])
    worse = [r["series"] for r in rows if r["default"] > r["baselines"]["persistence"]]
    worse_auto = [r["series"] for r in rows if "auto" in r and r["auto"] > r["baselines"]["persistence"]]
    print(f"geometric mean of Gatelab's test MSE over AutoETS's: defaults {ratio_default:.3f}, --auto {ratio_auto:.3f}")
    print(f"worse than persistence: defaults {', '.join(worse) or 'none'}; --auto {', '.join(worse_auto) or 'none'}")
    print(f"seconds: defaults {sum(r['default_seconds'] for r in rows):.0f}, --auto "
          f"{sum(r.get('auto_seconds', 0) for r in rows):.0f}, statistical models "
          f"{sum(r['statistical_seconds'] for r in rows):.1f}")
    if args.markdown:
        print(markdown(rows, ratio_default, ratio_auto))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "gmean_default": ratio_default,
                                               "gmean_auto": ratio_auto}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
