"""The run record: one finished (or stopped) run, typed, from where it is made to where it is shown.

``models.experiment.run_experiment`` makes it; the page keeps it in its stores, the
command prints it (``gatelab train --json``), the load test checks it, and a person
can download it and upload it again. All of them read this one type:

    record = run_experiment(config)
    text = json.dumps(record.to_json())
    again = RunRecord.from_json(json.loads(text))      # RunRecordError if changed or foreign
    model = restore(again)                              # predictions, rollouts, gates; no training

The JSON form carries a schema name, a version and a SHA-256 digest of its content,
so an old, foreign or accidentally changed record is refused with a sentence that says
which. The digest proves integrity, not authorship: anyone can edit a record and
compute a new digest. So a record a server made also carries a seal, an HMAC of the
digest with the server's key (``to_json(key)``), and a server reads the records its
pages hand back only with its own seal (``from_json(data, key)``). A record from a
file has no seal this server knows: it is checked like a fresh run (``problems``:
its config, its shapes, its served bounds and cost) before it is sealed and shown.
Weights are packed once, here: little-endian bytes of the run's own precision, base64.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from data.datasets import DATASETS, SYNTHETIC
from data.exogenous import Covariate
from data.timeaxis import TimeAxis, time_axis
from data.windows import prepare, split_index
from models.base import check_state_dict, param_shapes
from models.config import ExperimentConfig
from models.rules import MAX_ENSEMBLE, MAX_ROLLOUT
from models.seal import mac, same
from models.verdict import verdict
from models.cost import Served, served_problems
from models.forecaster import Forecaster
from models.conformal import Intervals
from models.horizon import Horizon
from models.metrics import Scores, naive_scale

SCHEMA = "gatelab.run"
VERSION = 4  # 2: MASE and more baselines in the scores; 3: covariates, seq2seq; 4: power, ensembles, intervals
READS = (2, 3, 4)  # an older record is a newer one without what came later
_BYTES = {"float32": "<f4", "float64": "<f8"}
ANNOTATIONS = ("auto",)  # what a command adds beside a record (``gatelab train --auto --json``), not sealed in it
MAX_BASELINES = 12  # names a record's baseline notes and rollouts may hold


class RunRecordError(ValueError):
    """A run record that cannot be read: foreign, of another version, changed, or malformed."""


@dataclass(frozen=True)
class History:
    """One value per finished epoch (model units for the losses)."""

    train_loss: tuple[float, ...] = ()
    test_loss: tuple[float, ...] = ()
    grad_norm: tuple[float, ...] = ()
    epoch_seconds: tuple[float, ...] = ()
    val_loss: tuple[float, ...] = ()  # with early stopping only


@dataclass(frozen=True)
class Curve:
    """Forecasts against the truth at positions ``index`` of the series (original units).
    ``truth`` may be shorter than ``pred`` where a rollout runs past the data's end."""

    index: tuple[int, ...]
    truth: tuple[float, ...]
    pred: tuple[float, ...]

    def scores(self, scale: float) -> Scores | None:
        """Scores over the positions with truth (None if none); ``scale`` as in ``Scores.of``."""
        n = len(self.truth)
        return Scores.of(np.asarray(self.truth), np.asarray(self.pred[:n]), scale) if n else None


@dataclass(frozen=True)
class Member:
    """One training seed of an ensemble (``models.ensemble``): what the ensemble's record keeps of it."""

    seed: int
    epochs: int
    metrics: Scores
    forecast: tuple[float, ...]  # its one-step test forecasts, at the ensemble's forecast.index
    rollout: tuple[float, ...]
    weights: Mapping[str, np.ndarray] = field(repr=False, compare=False)
    stopped: str = ""

    def to_json(self, dtype: str) -> dict[str, Any]:
        return {"seed": self.seed, "epochs": self.epochs, "metrics": self.metrics.as_dict(),
                "forecast": list(self.forecast), "rollout": list(self.rollout),
                "weights": pack_weights(self.weights, dtype), "stopped": self.stopped}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Member":
        return cls(int(d["seed"]), int(d["epochs"]), Scores.from_json(d["metrics"]), tuple(float(v) for v in d["forecast"]),
                   tuple(float(v) for v in d["rollout"]), unpack_weights(d["weights"]), str(d.get("stopped", ""))[:200])


@dataclass(frozen=True)
class RunRecord:
    """Everything one run produced. ``weights`` are PyTorch's state_dict keys and shapes."""

    config: ExperimentConfig
    series: tuple[float, ...]  # (n,) the series it trained on, original units
    split: int  # first test index
    history: History
    metrics: Scores  # one-step forecasts on the test part
    baselines: Mapping[str, Scores]  # name -> scores, in models.baselines.BASELINES' order
    forecast: Curve  # one-step, every test window
    rollout: Curve  # recursive, from the end of the train part
    weights: Mapping[str, np.ndarray] = field(repr=False, compare=False)  # arrays; compare them yourself
    grad_flow: tuple[tuple[int, tuple[float, ...]], ...] = ()  # (epoch, ||dL/dh_t|| for t = 1..L), some epochs
    horizon: Horizon | None = None  # with a horizon k > 1: direct against recursive, step by step
    snapshots: tuple[tuple[int, Mapping[str, np.ndarray]], ...] = field(default=(), repr=False, compare=False)
    # (epoch, weights) every few epochs, for the replay
    best_epoch: int = 0  # early stopping: the epoch whose weights the run kept; 0 = none
    id: str = ""
    number: int = 0  # its place in a page's runs table; 0 = none
    stopped: str = ""  # why it ended before its last epoch ("cancelled at epoch 3"), or ""
    covariates: tuple[Covariate, ...] = field(default=(), repr=False)  # the inputs beside the series, as read
    source: str = ""  # what it trained on, for a file: "river.csv: flow" (a data set is named by its config)
    times: tuple[str, ...] = ()  # the series' time labels (a data set's years or dates, a file's time column)
    role: str = ""  # "member 2 of 5": its place in an ensemble trained by one job
    intervals: Intervals | None = None  # with an interval level: split-conformal bands (models.conformal)
    members: tuple[Member, ...] = field(default=(), repr=False, compare=False)
    # an ensemble's seeds; then forecast and rollout are their mean, and weights, history and gates the first's
    baseline_notes: Mapping[str, str] = field(default_factory=dict)  # baseline name -> what to know of it here
    # ("AR(13) on the series' levels ...", "unreliable here: ...", why a statistical model was left out)
    baseline_rollouts: Mapping[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    # the statistical models' forecasts from the split, as long as the run's rollout

    @property
    def axis(self) -> TimeAxis:
        """The x axis of its charts: years, dates or steps, reaching past the data as far as a rollout can."""
        return time_axis(self.times, len(self.series) + MAX_ROLLOUT)

    @property
    def data_name(self) -> str:
        """The data a run trained on, as the runs table names it."""
        c = self.config
        if c.dataset == SYNTHETIC:
            return "synthetic"
        return DATASETS[c.dataset].title if c.dataset in DATASETS else (self.source or "a CSV file")

    @property
    def scale(self) -> float:
        """MASE's scale: the in-sample one-step naive MAE of the run's series."""
        return naive_scale(np.asarray(self.series), self.split)

    @property
    def rollout_scores(self) -> Scores | None:
        return self.rollout.scores(self.scale)

    @property
    def seed_spread(self) -> float:
        """An ensemble's seeds' test MSE, highest less lowest (0 for a single seed)."""
        m = [x.metrics.mse for x in self.members]
        return max(m) - min(m) if len(m) > 1 else 0.0

    @property
    def rollout_seed_spread(self) -> float:
        """The same for each seed's own rollout MSE against the truth (0 for a single seed)."""
        r = self.rollout
        m = [s.mse for x in self.members for s in [Curve(r.index, r.truth, x.rollout).scores(self.scale)] if s]
        return max(m) - min(m) if len(m) > 1 else 0.0

    @property
    def epochs_done(self) -> int:
        return len(self.history.train_loss)

    def window_span(self, test_window: int) -> tuple[int, int]:
        """(first, target): test window ``test_window`` reads steps first .. target - 1 and predicts target."""
        target = self.forecast.index[test_window]
        return target - self.config.seq_len, target

    @property
    def label(self) -> str:
        """"#3 NumPy LSTM" on a page, "NumPy LSTM" elsewhere; "..., ensemble of 5", "..., member 2 of 5"."""
        name = f"#{self.number} {self.config.model_name}" if self.number else self.config.model_name
        if self.members:
            name += f", ensemble of {len(self.members)}"
        return f"{name}, {self.role}" if self.role else name

    def at_epoch(self, epoch: int, model: Forecaster | None = None) -> "RunRecord":
        """The run as it stood after ``epoch`` (a snapshot's): its weights then, and the one-step
        forecasts they made (by ``model``, that epoch's restored model, when given); the run itself
        for its last epoch or an epoch without a snapshot."""
        weights = self.weights_at(epoch)
        if weights is self.weights:
            return self
        then = self.with_(weights=weights)
        pred = (model or restore(then)).predict_test()
        return then.with_(forecast=Curve(self.forecast.index, self.forecast.truth, tuple(pred.tolist())))

    def weights_at(self, epoch: int | None) -> Mapping[str, np.ndarray]:
        """The weights after ``epoch`` (a snapshot's); the run's own for its end or any other epoch."""
        weights = dict(self.snapshots).get(epoch) if epoch is not None else None
        return self.weights if weights is None or epoch >= self.epochs_done else weights

    def with_(self, **changes: Any) -> "RunRecord":
        return replace(self, **changes)

    def problems(self, served: Served) -> list[str]:
        """What is wrong with a record that comes from outside, as a fresh run would be checked: its
        config against ``served`` and its series, the cost of showing it, and every length it holds."""
        c, n = self.config, len(self.series)
        want = c.series.length if c.dataset == SYNTHETIC else DATASETS[c.dataset].length if c.dataset in DATASETS \
            else None
        if want is not None and n != want:
            return [f"its series has {n} points, but its settings make {want}"]
        try:
            c.check_fits(n)
        except ValueError as e:
            return [str(e)]
        out = served_problems(c, n, served)
        split = split_index(n, c.train_fraction)
        tests = n - max(split, c.seq_len)
        epochs = c.train.epochs
        checks = [
            (self.split == split, f"its split is {self.split}, but its settings put it at {split}"),
            (len(self.forecast.index) == tests and all(0 <= i < n for i in self.forecast.index),
             f"its forecasts must cover its {tests} test windows"),
            (len(self.rollout.pred) <= c.rollout_steps and all(len(v) <= c.rollout_steps
                                                                for v in self.baseline_rollouts.values()),
             f"its rollout is longer than {c.rollout_steps} steps"),
            (self.epochs_done <= epochs and all(len(getattr(self.history, k)) <= epochs
                                                for k in History.__dataclass_fields__),
             f"its history is longer than its {epochs} epochs"),
            (len(self.grad_flow) <= epochs and all(len(v) == c.seq_len for _, v in self.grad_flow),
             "its gradient flow does not match its window"),
            (len(self.snapshots) <= epochs + 1, "it has more snapshots than epochs"),
            (len(self.times) in (0, n), f"its time labels must be one per point of its {n}"),
            (len(self.members) <= c.ensemble and all(len(m.forecast) == tests and len(m.rollout) <= c.rollout_steps
                                                     for m in self.members),
             f"its members do not match its ensemble of {c.ensemble}"),
            (self.intervals is None or (len(self.intervals.forecast_low) == len(self.intervals.forecast_high) == tests
                                        and len(self.intervals.rollout_low) == len(self.intervals.rollout_high)
                                        <= c.rollout_steps),
             "its intervals do not match its forecasts"),
            (len(self.covariates) == len(c.covariates) + 2 * c.calendar
             and all(len(v.values) <= n + MAX_ROLLOUT + c.horizon for v in self.covariates),
             "its covariates do not match its settings"),
        ]
        out += [problem for ok, problem in checks if not ok]
        shapes = param_shapes(c.cell, c.inputs, c.hidden_size)
        for epoch, weights in self.snapshots:
            try:
                check_state_dict(shapes, weights)
            except ValueError as e:
                out.append(f"its snapshot of epoch {epoch} is malformed: {e}")
                break
        return out

    # -- JSON ----------------------------------------------------------------
    def to_json(self, key: bytes | None = None) -> dict[str, Any]:
        """A JSON-ready dict, with schema, version and digest; with ``key``, sealed by that server."""
        body = {
            "schema": SCHEMA,
            "version": VERSION,
            "id": self.id,
            "number": self.number,
            "stopped": self.stopped,
            "config": self.config.as_dict(),
            "series": {"values": list(self.series), "split": self.split},
            "history": {k: list(getattr(self.history, k)) for k in History.__dataclass_fields__},
            "metrics": _scores_json(self.metrics),
            "baselines": {name: _scores_json(s) for name, s in self.baselines.items()},
            "verdict": verdict(self),  # made again from the scores when read: these words only report them
            "forecast": _curve_json(self.forecast),
            "rollout": _curve_json(self.rollout),
            "weights": pack_weights(self.weights, self.config.dtype),
            "best_epoch": self.best_epoch,
            "horizon": _horizon_json(self.horizon),
            "snapshots": [{"epoch": e, "weights": pack_weights(w, self.config.dtype)} for e, w in self.snapshots],
            "grad_flow": {"epochs": [e for e, _ in self.grad_flow], "norms": [list(n) for _, n in self.grad_flow]},
            "covariates": [c.as_dict() for c in self.covariates],
            **({"source": self.source} if self.source else {}),  # absent in older records, and they still read
            **({"times": list(self.times)} if self.times else {}),
            **({"role": self.role} if self.role else {}),
            **({"intervals": self.intervals.as_dict()} if self.intervals else {}),
            **({"members": [m.to_json(self.config.dtype) for m in self.members]} if self.members else {}),
            **({"baseline_notes": dict(self.baseline_notes)} if self.baseline_notes else {}),
            **({"baseline_rollouts": {k: list(v) for k, v in self.baseline_rollouts.items()}}
               if self.baseline_rollouts else {}),
        }
        digest = _digest(body)
        return {**body, "digest": digest, **({"seal": mac(key, digest)} if key else {})}

    @classmethod
    def from_json(cls, data: Any, key: bytes | None = None) -> "RunRecord":
        """The record ``to_json`` made; ``RunRecordError`` says why when it cannot be read. With ``key``,
        only a record sealed with that key is read."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise RunRecordError("this is not a Gatelab run record (it has no 'schema': 'gatelab.run')")
        if data.get("version") not in READS:
            raise RunRecordError(f"this run record has version {data.get('version')!r}; "
                                 f"this Gatelab reads versions {' and '.join(map(str, READS))}")
        body = {k: v for k, v in data.items() if k not in ("digest", "seal", *ANNOTATIONS)}
        if data.get("digest") != _digest(body):
            raise RunRecordError("this run record was changed after it was made: its digest does not match")
        if key and not same(str(data.get("seal", "")), mac(key, data["digest"])):
            raise RunRecordError("this run record was not made by this server")
        try:
            config = ExperimentConfig.from_dict(data["config"])
            record = cls(
                config=config,
                series=tuple(float(v) for v in data["series"]["values"]),
                split=int(data["series"]["split"]),
                history=History(**{k: tuple(float(v) for v in vs) for k, vs in data["history"].items()}),
                metrics=Scores.from_json(data["metrics"]),
                baselines={name: Scores.from_json(s) for name, s in data["baselines"].items()},
                forecast=_curve(data["forecast"]),
                rollout=_curve(data["rollout"]),
                weights=unpack_weights(data["weights"]),
                grad_flow=tuple((int(e), tuple(float(v) for v in n))
                                for e, n in zip(data["grad_flow"]["epochs"], data["grad_flow"]["norms"])),
                horizon=_horizon(data["horizon"]),
                snapshots=tuple((int(s["epoch"]), unpack_weights(s["weights"])) for s in data["snapshots"]),
                best_epoch=int(data["best_epoch"]),
                id=str(data["id"]),
                number=int(data["number"]),
                stopped=str(data["stopped"]),
                covariates=tuple(Covariate.from_dict(c) for c in data.get("covariates", ())),
                source=str(data.get("source", ""))[:200],
                times=tuple(str(t)[:64] for t in data.get("times", ())),
                role=str(data.get("role", ""))[:80],
                intervals=Intervals.from_dict(data["intervals"]) if data.get("intervals") else None,
                members=tuple(Member.from_json(m) for m in data.get("members", ())[:MAX_ENSEMBLE]),
                baseline_notes={str(k)[:40]: str(v)[:300] for k, v in
                                list(dict(data.get("baseline_notes", {})).items())[:MAX_BASELINES]},
                baseline_rollouts={str(k)[:40]: tuple(float(v) for v in vs[:MAX_ROLLOUT]) for k, vs in
                                   list(dict(data.get("baseline_rollouts", {})).items())[:MAX_BASELINES]},
            )
            shapes = param_shapes(config.cell, config.inputs, config.hidden_size)
            for weights in (record.weights, *(m.weights for m in record.members)):
                check_state_dict(shapes, weights)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise RunRecordError(f"this run record is malformed ({type(e).__name__}: {e})") from None
        return record


def _digest(body: dict[str, Any]) -> str:
    """SHA-256 of the content. Every number counts as a float: a record that passed through a
    browser comes back with 2 where it had 2.0, and is still the same record."""
    return hashlib.sha256(json.dumps(_numbers_as_floats(body), sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def _numbers_as_floats(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if value and all(type(v) in (int, float) for v in value):  # a list of numbers: converted in one go
            return np.asarray(value, dtype=np.float64).tolist()
        return [_numbers_as_floats(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _scores_json(s: Scores) -> dict[str, float]:
    return s.as_dict()


def _horizon_json(h: Horizon | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {"k": h.k, "windows": h.windows, "mse": {m: list(v) for m, v in h.mse.items()},
            "at_k": {m: s.as_dict() for m, s in h.at_k.items()}, "rollout": list(h.rollout)}


def _horizon(d: dict[str, Any] | None) -> Horizon | None:
    if d is None:
        return None
    return Horizon(int(d["k"]), {m: tuple(float(x) for x in v) for m, v in d["mse"].items()},
                   {m: Scores.from_json(s) for m, s in d["at_k"].items()}, int(d["windows"]),
                   tuple(float(x) for x in d.get("rollout", ())))


def _curve_json(c: Curve) -> dict[str, list]:
    return {"index": list(c.index), "truth": list(c.truth), "pred": list(c.pred)}


def _curve(d: dict[str, list]) -> Curve:
    c = Curve(tuple(int(i) for i in d["index"]), tuple(float(v) for v in d["truth"]),
              tuple(float(v) for v in d["pred"]))
    if len(c.index) != len(c.pred) or len(c.truth) > len(c.pred):
        raise ValueError(f"a curve has {len(c.index)} positions, {len(c.pred)} forecasts and {len(c.truth)} truths")
    return c


def pack_weights(state: Mapping[str, Any], dtype: str) -> dict[str, Any]:
    """A state_dict as {"dtype", "tensors": {name: {"shape", "b64"}}}: little-endian bytes, base64.
    A hidden size of 256 is then about 1 MB of JSON in float32 rather than 5 MB of numbers."""
    code = _BYTES[dtype]
    tensors = {}
    for name, value in state.items():
        a = np.asarray(value, dtype=code)
        tensors[name] = {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}
    return {"dtype": dtype, "tensors": tensors}


def unpack_weights(packed: Mapping[str, Any]) -> dict[str, np.ndarray]:
    code = _BYTES[packed["dtype"]]
    return {name: np.frombuffer(base64.b64decode(v["b64"]), dtype=code).reshape(v["shape"]).astype(code[1:])
            for name, v in packed["tensors"].items()}


def prepared(record: RunRecord):
    """The run's data as it trained on it: ``data.windows.prepare`` on its own series, split and settings, in
    its own precision (a backtest's run splits at its origin)."""
    c = record.config
    return prepare(np.asarray(record.series), c.seq_len, c.train_fraction, c.transform, dtype=np.dtype(c.dtype),
                   covariates=record.covariates, power=c.power, split=record.split,
                   season=c.season_for(record.times or None))


def restore(record: RunRecord, backend: str = "numpy", prep=None) -> Forecaster:
    """The run's trained model on its data, without training: for predictions, rollouts and gates.

    The data preparation is the one the run used (``prepared``; pass ``prep`` to reuse one
    made for the same run). Weights move between backends unchanged, so a PyTorch run
    restores on NumPy, and the web process never needs torch.
    """
    c = record.config
    prep = prepared(record) if prep is None else prep
    return Forecaster.restore(prep, record.weights, c, backend=backend)
