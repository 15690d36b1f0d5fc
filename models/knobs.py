"""Every setting a person can type, once: its name on the page and on the command line,
its range, its help, and how text becomes a value.

The page's form (``components.page.form``), the command's options (``cli``) and the
query keys of a link are all generated from ``KNOBS``; defaults are read from
``ExperimentConfig()`` and choices from the registries, so none is typed twice.
``parse_values`` turns raw text into an ``ExperimentConfig`` or into one message
per bad knob, whoever typed it: the page names a knob by its label
("Hidden size H must be ..."), the command by its flag ("--hidden-size must be ...").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from data.exogenous import exogenous_problems
from data.bounds import Bound, count_problems, number
from data.power import POWERS, power_problem
from data.synthetic import MAX_COMPONENTS, SeriesConfig, make_series
from data.windows import TRANSFORMS, seq_len_problem, split_index, val_problem
from models.base import CELL_NAMES, CELLS, DTYPES, backend_cell_problem
from models.config import BACKEND_NAMES, DATASET_NAMES, ExperimentConfig
from models.rules import (BACKEND_CHOICES, BOUNDS, HORIZON_METHODS, ensemble_problem, horizon_problem,
                          interval_problem, method_problems)
from models.train import TrainConfig

MAX_LIST = MAX_COMPONENTS  # the longest list a field takes: one number per seasonal component
HORIZON_METHOD_LABELS = {"direct": "direct (k outputs)", "recursive": "none (recursive only)",
                         "seq2seq": "seq2seq (encoder-decoder)"}
POWER_LABELS = {"none": "none", "sqrt": "square root", "log": "log", "boxcox": "Box-Cox (λ fit on train)"}
TRANSFORM_LABELS = {"detrend": "detrended", "diff": "differences (predict the change)", "none": "levels (plain)",
                    "sdiff": "seasonal differences", "es": "exponential smoothing + network (ES hybrid)"}


@dataclass(frozen=True)
class Knob:
    """One setting. ``path`` is where it lives in ``ExperimentConfig`` ("train.epochs")."""

    key: str  # the form's id, the link's query key: "hidden-size"
    path: str
    label: str
    kind: str  # "int", "float", "list" (of floats), "choice", "switch" (on or off) or "names" (of columns)
    help: str = ""
    flag: str = ""  # the command's option; "--" + key unless given
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    example: str = ""  # for lists
    on_page: bool = True

    @property
    def bound(self) -> Bound:
        """The range of a number's or a list's values: the config's own (``models.rules.BOUNDS``)."""
        return BOUNDS[self.path]

    @property
    def option(self) -> str:
        return self.flag or f"--{self.key}"

    @property
    def default(self) -> Any:
        """The value ``ExperimentConfig()`` has, as this knob shows it (lists for tuples; 0 for no clip)."""
        return self.value_in(ExperimentConfig())

    def value_in(self, config: ExperimentConfig) -> Any:
        value: Any = config
        for part in self.path.split("."):
            value = getattr(value, part)
        if self.kind in ("list", "names"):
            return list(value)
        return 0.0 if value is None else value

    def as_text(self, value: Any) -> str:
        """A value as a person types it."""
        if self.kind == "switch":
            return "on" if value in (True, "on") else "off"
        if self.kind == "names":
            return value if isinstance(value, str) else ",".join(value)
        if self.kind == "list":
            return ", ".join(f"{v:g}" for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)

    def to_field(self, text: Any) -> Any:
        """What the page's control holds for ``text``: a bool for a switch, a list for names, else the text."""
        if self.kind == "switch":
            value, err = self.parse(text, "")
            return bool(value) if err is None else False
        if self.kind == "names":
            return list(self.parse(text, "")[0])
        return text

    def range_text(self, high: float | None = None) -> str:
        if self.kind in ("int", "float"):
            return self.bound.text(high)
        if self.kind == "choice":
            return "one of " + ", ".join(v for v, _ in self.choices)
        if self.kind == "switch":
            return "on or off"
        if self.kind == "names":
            return "column names separated by commas, or none"
        each = self.bound.text(high).removeprefix("a number ")  # "from 0 to 10", "greater than 2 and at most 1e5"
        return f"up to {MAX_LIST} numbers {each}, separated by commas, such as {self.example}"

    def parse(self, raw: Any, name: str, high: float | None = None) -> tuple[Any, str | None]:
        """(value, None), or (None, a message that starts with ``name``)."""
        must = f"{name} must be {self.range_text(high)}"
        if self.kind == "switch" and isinstance(raw, bool):
            return raw, None
        if self.kind == "names":
            names = raw if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
            return tuple(n for n in (str(v).strip() for v in names) if n), None
        text = "" if raw is None else str(raw).strip()
        if text == "":
            return None, f"{must}; it is empty"
        if self.kind == "choice":
            return (text, None) if text in dict(self.choices) else (None, f"{must}, got {text!r}")
        if self.kind == "switch":
            words = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False,
                     "0": False}
            return (words[text.lower()], None) if text.lower() in words else (None, f"{must}, got {text!r}")
        if self.kind == "list":
            return self._parse_list(text, must, high)
        problem = self.bound.problem(text, high)
        if problem:
            return None, f"{name} {problem}"
        value = float(text)
        return (int(value) if self.kind == "int" else value), None

    def _parse_list(self, text: str, must: str, high: float | None) -> tuple[list[float] | None, str | None]:
        parts = [p.strip() for p in text.replace(";", ",").split(",")]
        if len(parts) > MAX_LIST:
            return None, f"{must}; got {len(parts)} numbers"
        values = []
        for i, part in enumerate(parts, start=1):
            if part == "":
                return None, f"{must}; number {i} is missing"
            v = number(part)
            if v is None:
                return None, f"{must}; {part!r} is not a number"
            if not self.bound.holds(v, high):
                return None, f"{must}, got {v:g}"
            values.append(v)
        return values, None


def _choices(values, labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((v, labels.get(v, v)) for v in values)


DATASET_LABELS = {SYNTHETIC: "synthetic", **{k: d.title for k, d in DATASETS.items()}, UPLOAD: "my CSV file"}

KNOBS: tuple[Knob, ...] = (
    Knob("dataset", "dataset", "Data", "choice", choices=_choices(DATASET_NAMES, DATASET_LABELS),
         help="a synthetic series, a bundled public series, or a CSV file of your own"),
    Knob("series-periods", "series.periods", "Seasonal periods", "list", flag="--periods",
         example="50, 17", help="time steps per cycle; at one sample a step, a period of 2 or less is flat or a zig-zag"),
    Knob("series-amplitudes", "series.amplitudes", "Amplitudes", "list", flag="--amplitudes",
         example="1.2, 0.6", help="one per period"),
    Knob("series-phases", "series.phases", "Phases (radians)", "list", flag="--phases",
         example="0, 0.8", help="one per period; missing ones are 0"),
    Knob("series-noise", "series.noise", "Noise σ", "float", flag="--noise",
         help="standard deviation of the Gaussian noise"),
    Knob("series-trend", "series.trend", "Trend per step", "float", flag="--trend"),
    Knob("series-length", "series.length", "Length n", "int", flag="--length",
         help="points in the series; the first 70 % are train"),
    Knob("series-seed", "series.seed", "Series seed", "int", help="seed of the noise"),
    Knob("series-holidays", "series.holidays", "Holiday spikes", "float", flag="--holidays",
         help="added to the series on 'holiday' steps, 15 to 45 steps apart; 0 for none. The covariate "
              "'holidays' lets the model see them"),
    Knob("backend", "backend", "Backend", "choice", choices=_choices(BACKEND_CHOICES, BACKEND_NAMES)),
    Knob("cell", "cell", "Cell", "choice", choices=_choices(CELLS, CELL_NAMES),
         help="GRU (Cho) is the textbook GRU, in NumPy only"),
    Knob("transform", "transform", "Inputs", "choice", choices=_choices(TRANSFORMS[::-1], TRANSFORM_LABELS),
         help="detrended: a line fit to the train part is taken away; differences: predict the change "
              "from the last value; levels: plain standardized values; seasonal differences: predict the "
              "change from a season earlier; ES hybrid: a Holt-Winters model fitted on the train part "
              "forecasts each step and the network learns what it misses (if it learns nothing, the "
              "forecast is the smoothing model's)"),
    Knob("power", "power", "Power transform", "choice", choices=_choices(POWERS, POWER_LABELS),
         help="before the inputs: the square root, the log or a Box-Cox power of the series, so that swings "
              "that grow with the level look alike; forecasts and errors are mapped back to the series' units"),
    Knob("seq-len", "seq_len", "Window length L", "int",
         help="values the model reads to predict the next"),
    Knob("hidden-size", "hidden_size", "Hidden size H", "int"),
    Knob("dropout", "dropout", "Dropout", "float",
         help="while training, each unit of the last hidden state is dropped with this probability"),
    Knob("epochs", "train.epochs", "Epochs", "int"),
    Knob("learning-rate", "train.learning_rate", "Learning rate", "float"),
    Knob("batch-size", "train.batch_size", "Batch size", "int"),
    Knob("clip-norm", "train.clip_norm", "Clip gradient norm at", "float", help="0 turns clipping off"),
    Knob("seed", "train.seed", "Training seed", "int", help="initial weights and batch order"),
    Knob("val-fraction", "train.val_fraction", "Validation fraction", "float",
         help="the end of the train part held out to stop early and keep the best epoch; 0 turns it off"),
    Knob("patience", "train.patience", "Patience (epochs)", "int",
         help="with a validation part: stop after this many epochs without a better validation loss (the "
              "star on the loss chart marks the epoch whose weights are kept)"),
    Knob("horizon", "horizon", "Horizon k (steps ahead)", "int",
         help="above 1, a direct model with k outputs is trained too and compared with the recursive "
              "use of the one-step model, step by step"),
    Knob("calendar-features", "calendar", "Calendar features", "switch", flag="--calendar",
         help="two more inputs: sine and cosine of each step's place in its year (hour of the day for hourly "
              "data), known in advance; needs dated data"),
    Knob("covariates", "covariates", "Covariates", "names",
         help="more input columns: a CSV file's numeric columns (known only up to the data's end), or the "
              "synthetic series' holidays (known in advance)"),
    Knob("horizon-method", "horizon_method", "Horizon method", "choice",
         choices=_choices(HORIZON_METHODS, HORIZON_METHOD_LABELS),
         help="with k above 1, the second model trained for k steps ahead; the recursive use of the one-step "
              "model is always measured"),
    Knob("scheduled-sampling", "scheduled_sampling", "Scheduled sampling", "float",
         help="seq2seq only: the probability, reached at the last epoch, that the decoder reads its own "
              "previous output instead of the truth while training; 0 is teacher forcing"),
    Knob("ensemble", "ensemble", "Ensemble of seeds", "int",
         help="train this many training seeds (the seed above, then the next ones) and average their forecasts; "
              "a band shows how far the members spread, and each member is a run of its own in the table"),
    Knob("interval", "interval", "Prediction interval", "float",
         help="a level such as 0.8 or 0.95: split-conformal intervals whose width comes from the errors on the "
              "validation part (or the last fifth of the train part), per step of the rollout; 0 for none"),
    Knob("dtype", "dtype", "Precision", "choice", choices=_choices(DTYPES, {}), on_page=False),
    Knob("train-fraction", "train_fraction", "Train fraction", "float", on_page=False),
    Knob("rollout-steps", "rollout_steps", "Rollout steps", "int", on_page=False),
)
BY_KEY = {k.key: k for k in KNOBS}
PAGE_KNOBS = tuple(k for k in KNOBS if k.on_page)


def parse_values(raw: Mapping[str, Any], name: Callable[[Knob], str] = lambda k: k.label,
                 limits: Mapping[str, float] | None = None,
                 length: int | None = None, columns: tuple[str, ...] | None = None,
                 value_column: str | None = None) -> tuple[ExperimentConfig | None, dict[str, str]]:
    """The config that ``raw`` (knob key -> text or value) describes, or a message per bad knob.

    Knobs missing from ``raw`` take their defaults. ``limits`` lowers a knob's upper
    bound (a server's caps on epochs, hidden size and length); ``name`` says how a
    message names a knob. ``length``: the points of an uploaded series, for the window rules;
    ``columns`` its file's numeric columns and ``value_column`` the one it forecasts, for the covariates.
    """
    limits = limits or {}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for knob in KNOBS:
        text = raw.get(knob.key, knob.as_text(knob.default))
        values[knob.key], err = knob.parse(text, name(knob), limits.get(knob.key))
        if err:
            errors[knob.key] = err
    periods, amplitudes, phases = (values.get(k) for k in ("series-periods", "series-amplitudes", "series-phases"))
    if periods and amplitudes is not None and phases is not None:  # the series' own rule, in its words
        for field_name, problem in count_problems(len(periods), len(amplitudes), len(phases)).items():
            key = f"series-{field_name}"
            errors[key] = f"{name(BY_KEY[key])} {problem}"
    problem = values["backend"] and values["cell"] and backend_cell_problem(values["backend"], values["cell"])
    if problem:  # the config's sentence, under the field's name on the page
        errors["cell"] = f"{name(BY_KEY['cell'])} {problem}"
    if values["dataset"] is not None and values["calendar-features"] is not None:
        for field_name, problem in exogenous_problems(values["dataset"], values["calendar-features"],
                                                      values["covariates"], columns, value_column).items():
            key = {"calendar": "calendar-features"}.get(field_name, field_name)
            errors[key] = f"{name(BY_KEY[key])} {problem}"
    if None not in (values["horizon-method"], values["horizon"], values["cell"], values["scheduled-sampling"]):
        for field_name, problem in method_problems(values["horizon-method"], values["horizon"], values["cell"],
                                                   values["scheduled-sampling"]).items():
            key = field_name.replace("_", "-")
            errors[key] = f"{name(BY_KEY[key])} {problem}"
    if values["ensemble"] is not None and values["horizon"] is not None:
        problem = ensemble_problem(values["ensemble"], values["horizon"])
        if problem:
            errors["ensemble"] = f"{name(BY_KEY['ensemble'])} {problem}"
    problem = values["interval"] is not None and interval_problem(values["interval"])
    if problem:
        errors["interval"] = f"{name(BY_KEY['interval'])} {problem}"
    dataset = values["dataset"]
    if dataset in DATASETS:
        length = DATASETS[dataset].length
    elif dataset != UPLOAD or length is None:
        length = values["series-length"]
    seq_len, fraction = values["seq-len"], values["train-fraction"]
    if None not in (length, seq_len, fraction) and "seq-len" not in errors:
        split = split_index(length, fraction)
        rules = {
            "seq-len": lambda: seq_len_problem(seq_len, length, fraction),
            "horizon": lambda: values["horizon"] and values["horizon"] > 1
            and horizon_problem(seq_len, length, split, values["horizon"]),
            "val-fraction": lambda: values["val-fraction"] is not None
            and val_problem(seq_len, length, fraction, values["val-fraction"]),
        }
        for key, rule in rules.items():  # the window's own rule first: the others assume it holds
            problem = rule()
            if problem:
                errors[key] = f"{name(BY_KEY[key])} {problem}"
                if key == "seq-len":
                    break
    if errors:
        return None, errors
    try:
        config = build_config(values)
    except ValueError as e:  # anything the checks above did not foresee
        return None, {"form": str(e)}
    problem = config.power != "none" and dataset != UPLOAD and power_problem(config.power, series_of(config))
    if problem:  # an upload's series is checked where it is prepared
        return None, {"power": f"{name(BY_KEY['power'])} {problem}"}
    return config, {}


def series_of(config: ExperimentConfig):
    """The series a data set's or the synthetic series' config trains on."""
    return DATASETS[config.dataset].load()[1] if config.dataset in DATASETS else make_series(config.series)


def build_config(values: Mapping[str, Any]) -> ExperimentConfig:
    """An ``ExperimentConfig`` from parsed knob values (key -> value), each put where its ``Knob.path`` says."""
    parts: dict[str, dict[str, Any]] = {"": {}, "train": {}, "series": {}}
    for knob in KNOBS:
        head, _, name = knob.path.rpartition(".")
        parts[head][name] = values[knob.key]
    s, t = parts["series"], parts["train"]
    series = SeriesConfig.from_lists(s.pop("periods"), s.pop("amplitudes"), s.pop("phases"), **s)
    t["clip_norm"] = t["clip_norm"] or None  # 0 turns clipping off
    return ExperimentConfig(series=series, train=TrainConfig(**t), **parts[""])
