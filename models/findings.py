"""What the page says about results on the bundled data sets, as figures a test re-measures.

    FINDINGS["sunspots"].model             # test MSE of the page's default model at the data set's settings
    verdict("sunspots")                     # the sentence the data set's note ends with

The data sets' notes (``data.datasets``) describe the data only; every claim about how a
model fares on it is made here, from one table: the test MSE of the page's default model
(the NumPy LSTM) at each data set's own settings, and of each baseline on the same test
windows. ``tests/models/test_findings.py`` trains those runs again and fails when a figure, or
the verdict made from it, no longer holds; ``python -m models.findings`` prints the table
measured afresh, to paste here after a change that moves the figures on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.wording import BASELINE_NAMES


@dataclass(frozen=True)
class Finding:
    model: float  # test MSE of the NumPy LSTM at the data set's own settings (original units)
    baselines: dict[str, float]  # baseline name -> test MSE on the same windows
    ensemble: int = 1  # the settings' ensemble: the model's figure is then the mean forecast's


FINDINGS: dict[str, Finding] = {
    "nile": Finding(13655.3, {"persistence": 20331.2, "seasonal_naive": 20331.2, "drift": 20400.1,
                              "linear_ar": 13431.3, "auto_ets": 14072.7, "auto_arima": 13643.6,
                              "auto_theta": 14763.1}, 5),
    "co2": Finding(0.146755, {"persistence": 0.272128, "seasonal_naive": 2.89724, "drift": 0.271234,
                              "linear_ar": 0.185731, "auto_ets": 0.229903, "auto_arima": 0.210327,
                              "auto_theta": 0.189555}, 5),
    "sunspots": Finding(294.776, {"persistence": 917.324, "seasonal_naive": 1143.29, "drift": 917.551,
                                  "linear_ar": 324.87, "auto_ets": 685.7, "auto_arima": 413.518,
                                  "auto_theta": 662.287}, 5),
}
MODEL = "NumPy LSTM"  # the page's default backend and cell


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def verdict_of(finding: Finding) -> str:
    """The sentence a finding makes: the model's test MSE beside the baselines', and which of them beat it
    (a seasonal naive baseline with a season of one step is persistence, and is not named twice)."""
    f = finding
    named = {k: v for k, v in f.baselines.items()
             if not (k == "seasonal_naive" and v == f.baselines.get("persistence"))}
    shown = ", ".join(f"{BASELINE_NAMES[k]} {_number(v)}" for k, v in named.items())
    better = [BASELINE_NAMES[k] for k, v in named.items() if v < f.model]
    what = MODEL + (f" (an ensemble of {f.ensemble} seeds)" if f.ensemble > 1 else "")
    text = f"At its own settings the {what} scores test MSE {_number(f.model)} (baselines: {shown}). "
    if not better:
        return text + "It beats every baseline."
    who = _names(better)
    return text + (f"{who[0].upper()}{who[1:]} {'does' if len(better) == 1 else 'do'} better: here a recurrent "
                   "model has yet to earn its place.")


def verdict(name: str) -> str:
    return verdict_of(FINDINGS[name]) if name in FINDINGS else ""


def dataset_config(name: str):
    """The ``ExperimentConfig`` the page makes when data set ``name`` is chosen: its own settings over the
    reference defaults."""
    from data.datasets import DATASETS
    from models.knobs import BY_KEY, PAGE_KNOBS, parse_values

    raw = ({k.key: k.as_text(k.default) for k in PAGE_KNOBS} | {"covariates": ""}
           | {k: BY_KEY[k].as_text(v) for k, v in DATASETS[name].defaults.items()} | {"dataset": name})
    config, errors = parse_values(raw)
    if config is None:
        raise ValueError(f"data set {name}: {errors}")
    return config


def measure(name: str) -> Finding:
    """The finding of data set ``name``, measured now (a few seconds)."""
    from models.ensemble import run_ensemble

    config = dataset_config(name)
    record = run_ensemble(config)[1]
    return Finding(record.metrics.mse, {k: s.mse for k, s in record.baselines.items()}, config.ensemble)


if __name__ == "__main__":
    from data.datasets import DATASETS

    for name in DATASETS:
        f = measure(name)
        print(f'    "{name}": Finding({f.model:.6g}, {{{", ".join(f"{k!r}: {v:.6g}" for k, v in f.baselines.items())}}}, '
              f'{f.ensemble}),')
