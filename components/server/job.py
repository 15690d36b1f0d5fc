"""The training job: what runs in a background process when a page presses Train.

    outcome = run_request(set_progress, request, board, max_seconds=600)

It checks the request as if nobody had checked it before (``check_request``: its
shape, its tab id, every config against the server's bounds and the memory the
run would need), takes its place on the job board (``components.server.board``) and waits
its turn, trains every config of the request in turn, reports each epoch through
``set_progress``, and ends with a ``JobOutcome``: the finished runs and the final
word for the page's status line. It knows no page; ``components.page.train_bar`` binds
it to a Dash background callback, and tests call it directly.

Pause holds a job at the end of an epoch (``holder``), with its run as it stands for the
page's views; Step trains one more epoch; the slow speed makes an epoch last about a
second. A job stops early when its page asks it to (Cancel, through the board), when a newer
run of its tab replaces it, when its page has sent no heartbeat for a while (a closed
tab), when it passes the server's time limit and when its process passes the memory
bound. A stopped run keeps the epochs it finished, if its evaluation takes less than
``GRACE_S``; in any phase, the job answers within about ``GRACE_S + CHECK_EVERY_S``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psutil

from models.parity_meter import ParityMeter
from components.server.board import JobBoard, QueueFull
from components.server.signing import Signer
from data.datasets import UPLOAD
from data.upload import Uploaded
from data.windows import check_series, split_index
from models.config import ExperimentConfig
from models.cost import Served, check_served
from models.statistical import use_shelf
from models.backtest import REFITS, backtest, origins_problem
from models.ensemble import combine, member_configs
from models.experiment import NoEpoch, run_experiment
from models.run import RunRecord
from models.sweep import MAX_RUNS as MAX_SWEEP_RUNS
from models.sweep import OVER, point, point_value
from models.threads import limit_threads
from models.train import TrainingDiverged

PROGRESS_EVERY_S = 0.1  # at most 10 progress writes a second; the last epoch always goes out
CHECK_EVERY_S = 0.2  # how often a job looks for Cancel, its time limit, its memory and its page's heartbeat
RENEW_EVERY_S = 5.0  # how often a running job renews its lease on the board (lease: 120 s, or 30 s with Redis)
QUEUE_POLL_S = 0.3
DONE = "done"
FAILED = ("training failed: something went wrong on the server (its log says what); try other settings, "
          "or tell whoever runs this server")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOutcome:
    """What a job hands back: its runs, and the one sentence the status line ends with."""

    request_id: str
    runs: tuple[RunRecord, ...]
    status: str  # "done", "cancelled at epoch 3", or what went wrong
    sweep: dict[str, Any] | None = None  # a sweep's spec and points (``models.sweep``); its runs are not kept
    backtest: dict[str, Any] | None = None  # a backtest's errors per origin (``models.backtest``); no runs
    suggest: dict[str, Any] | None = None  # Suggest settings' choice and candidates (``models.suggest``); no runs

    def to_json(self, key: bytes | None = None) -> dict[str, Any]:
        """JSON for the page; with ``key``, each run record carries this server's seal (``models.run``)."""
        return {"request_id": self.request_id, "runs": [r.to_json(key) for r in self.runs], "status": self.status,
                "sweep": self.sweep, "backtest": self.backtest, "suggest": self.suggest}

    def page_json(self, runs: tuple[RunRecord, ...] | list[RunRecord] | None = None) -> dict[str, Any]:
        """What the page receives: the runs named, not sent (they wait on the shelf, ``components.server.shelf``);
        ``runs``: this outcome's runs as the shelf numbered them."""
        runs = self.runs if runs is None else runs
        return {"request_id": self.request_id, "status": self.status, "sweep": self.sweep, "backtest": self.backtest,
                "suggest": self.suggest, "runs": [{"id": r.id, "number": r.number, "label": r.label, "epochs": r.epochs_done,
                          **({"ensemble": True} if r.members else {})} for r in runs]}

    @classmethod
    def from_json(cls, data: dict[str, Any], key: bytes | None = None) -> "JobOutcome":
        """The inverse of ``to_json``; with ``key``, a record without this server's seal is refused."""
        return cls(data["request_id"], tuple(RunRecord.from_json(r, key) for r in data["runs"]), data["status"],
                   data.get("sweep"), data.get("backtest"), data.get("suggest"))


def make_request(request_id: str, session: str, configs: list[ExperimentConfig],
                 sweep: dict[str, Any] | None = None, series: list[float] | dict | None = None,
                 backtest: dict[str, Any] | None = None, suggest: bool = False) -> dict[str, Any]:
    """The JSON a page sends to start a job; with ``sweep`` (a ``SweepSpec`` as JSON), a sweep;
    with ``series``, what to train on from an uploaded CSV file (``Uploaded.to_json()``, or its values);
    with ``backtest`` ({"origins": N, "refit": "every" or "once"}), a backtest of its one config; with
    ``suggest``, Suggest settings from its one config (the budget is the server's, never the request's)."""
    return {"id": request_id, "session": session, "configs": [c.as_dict() for c in configs], "sweep": sweep,
            "series": series, **({"backtest": backtest} if backtest is not None else {}),
            **({"suggest": True} if suggest else {})}


class RequestError(ValueError):
    """A job request that this server will not run; the message is the page's sentence."""


MAX_COVARIATES = 8  # columns of a file a run may read beside its series
MAX_CONFIGS = max(MAX_SWEEP_RUNS, 8)  # a sweep's runs, or Train all's six
GRACE_S = 1.0  # after a stop, the run may finish what it is doing (its evaluation) for this long; then it is left


@dataclass(frozen=True)
class Job:
    """A request as this server checked it: what ``_train_all`` runs."""

    id: str
    session: str
    client: str
    configs: tuple[ExperimentConfig, ...]
    sweep: dict[str, Any] | None
    data: Uploaded | None
    backtest: dict[str, Any] | None = None
    suggest: bool = False


def check_request(request: Any, served: Served, signer: Signer | None = None) -> Job:
    """The job ``request`` describes, checked as the Train press checks a form and against this server's
    bounds (``models.cost``); ``RequestError`` with the sentence for the page when it is not one to run.
    Nothing in it is trusted: a request can be posted to the job's callback without the page."""
    if not isinstance(request, dict):
        raise RequestError("the request is not one this server made")
    request_id, session = request.get("id"), request.get("session")
    if not isinstance(request_id, str) or not 1 <= len(request_id) <= 64 or not request_id.isalnum():
        raise RequestError("the request has no id of its own")
    if signer is not None and not signer.valid_tab(session):
        raise RequestError("this page's tab id was not issued by this server; reload the page")
    raw = request.get("configs")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CONFIGS:
        raise RequestError(f"a request holds 1 to {MAX_CONFIGS} runs")
    try:
        configs = tuple(ExperimentConfig.from_dict(c) for c in raw)
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise RequestError(f"the settings are not allowed: {e}") from None
    if len(configs) > 1 and any(c.ensemble > 1 for c in configs):
        raise RequestError("an ensemble trains on its own: Train all and sweeps take an ensemble of 1")
    data = _request_series(request.get("series"), served)
    sweep = request.get("sweep")
    if sweep is not None and (not isinstance(sweep, dict) or sweep.get("over") not in OVER):
        raise RequestError(f"a sweep runs over one of {', '.join(OVER)}")
    for config in configs:
        if (config.dataset == UPLOAD) != (data is not None):
            raise RequestError("a run on 'my CSV file' comes with its series, and only such a run")
        n = data.series.shape[0] if data is not None else config.length
        try:
            if data is not None:
                config.check_fits(n)
            check_served(config, n, served)
        except ValueError as e:
            raise RequestError(str(e)) from None
    backtest = _request_backtest(request.get("backtest"), configs, sweep, data)
    suggest = request.get("suggest", False)
    if suggest not in (True, False) or (suggest and (len(configs) != 1 or sweep is not None or backtest is not None)):
        raise RequestError("Suggest settings searches from one setting, without a sweep or a backtest")
    client = request.get("client")
    return Job(request_id, session if isinstance(session, str) else "", client if isinstance(client, str) else "",
               configs, sweep, data, backtest, bool(suggest))


def _request_backtest(raw: Any, configs: tuple[ExperimentConfig, ...], sweep, data: Uploaded | None):
    """A backtest's origins and refit, checked against its one config's data; None for no backtest."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("refit") not in REFITS or type(raw.get("origins")) is not int:
        raise RequestError(f"a backtest has a whole number of origins and a refit of {' or '.join(REFITS)}")
    if len(configs) != 1 or sweep is not None:
        raise RequestError("a backtest is of one setting, without a sweep")
    config = configs[0]
    n = data.series.shape[0] if data is not None else config.length
    problem = origins_problem(raw["origins"], n, split_index(n, config.train_fraction), config.horizon)
    if problem:
        raise RequestError(f"origins {problem}")
    return {"origins": raw["origins"], "refit": raw["refit"]}


def _request_series(raw: Any, served: Served) -> Uploaded | None:
    """An uploaded file's part (``Uploaded.to_json``), checked for shape and size before anything reads it."""
    if raw is None:
        return None
    if isinstance(raw, list):
        raw = {"series": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("series"), list):
        raise RequestError("the uploaded series is not a list of numbers")
    n = len(raw["series"])
    if n > served.max_length:
        raise RequestError(f"the series has {n} points; this server trains on at most {served.max_length} "
                           "(GATELAB_MAX_LENGTH)")
    columns, times = raw.get("columns") or {}, raw.get("times")
    if not isinstance(columns, dict) or len(columns) > MAX_COVARIATES or any(
            not isinstance(v, list) or len(v) != n for v in columns.values()):
        raise RequestError(f"a run reads at most {MAX_COVARIATES} covariate columns, each as long as the series")
    if times is not None and (not isinstance(times, list) or len(times) != n
                              or not all(isinstance(t, str) and len(t) <= 64 for t in times)):
        raise RequestError("the time labels must be one short text per point")
    try:
        data = Uploaded.from_json(raw)
        check_series(data.series)
        for v in data.columns.values():
            check_series(v)
    except (TypeError, ValueError) as e:
        raise RequestError(f"the uploaded series cannot be read: {e}") from None
    return data


class Watch:
    """The job's side of the board: Cancel, a newer run of its tab, its page's heartbeat, its time
    limit and its memory. ``poll`` looks (the job's main thread, every ``CHECK_EVERY_S``, renewing
    the lease as long as the process lives); calling the watch, as the training loop's
    ``should_stop`` does once per batch, only reads what the last look found."""

    def __init__(self, board: JobBoard | None, ticket: int | None, request_id: str, session: str,
                 limit_s: float, max_mb: float = 0.0) -> None:
        self.board, self.ticket, self.request_id, self.session = board, ticket, request_id, session
        self.deadline = time.monotonic() + limit_s
        self.limit_s, self.max_mb = limit_s, max_mb
        self.next_renew = 0.0
        self.process = psutil.Process()  # this job's process, for its memory
        self.reason = ""
        self.since = 0.0  # when the reason was first seen (monotonic)
        self.paused = False  # the page asked the job to hold at the end of its epoch
        self.steps = 0  # epochs asked for by Step while paused, not yet trained
        self.slow = False  # about one epoch a second

    def __call__(self) -> bool:
        return bool(self.reason)

    def poll(self) -> bool:
        if self.reason:
            return True
        now = time.monotonic()
        reason = ""
        if now > self.deadline:
            reason = f"stopped after {self.limit_s:g} s, the longest a run may take on this server"
        elif self.max_mb and self.process.memory_info().rss > self.max_mb * 2**20:
            reason = f"stopped: it needed more than the {self.max_mb:g} MB a run may take on this server"
        elif self.board is not None:
            if self.board.cancelled(self.request_id):
                reason = "cancelled"
            elif self.board.replaced(self.request_id):
                reason = "stopped: a newer run from this tab replaced it"
            elif not self.board.watched(self.session):
                reason = "stopped: its page was closed"
            else:
                self._controls()
                if self.ticket is not None and now >= self.next_renew:
                    self.next_renew = now + RENEW_EVERY_S
                    self.board.renew(self.ticket)
        if reason:
            self.reason, self.since = reason, now
        return bool(self.reason)

    def _controls(self) -> None:
        """Pause, Step and the speed, as the page last set them."""
        board, request_id = self.board, self.request_id
        self.paused = board.paused(request_id)
        if self.paused and board.take_step(request_id):
            self.steps += 1
        self.slow = board.slow(request_id)


SLOW_EPOCH_S = 1.0  # at the slow speed, an epoch takes at least this long
HOLD_POLL_S = 0.05


def loss_feed(history: dict[str, list[float]], run: int = 0) -> dict:
    """What a job reports of its loss curve: run ``run`` of the job (Train all's runs in turn) and its whole
    history so far. Polling samples progress, so each report carries every epoch: none is lost between two
    polls. The page draws it (``components.page.train_bar``)."""
    return {"run": run, "history": {k: list(v) for k, v in history.items() if k != "val_loss" or v}}


def holder(report: Callable[[tuple], None], watch: Watch, on_pause: Callable[[Any], None] | None = None):
    """The training loop's ``hold`` (``models.experiment.run_experiment``): after an epoch, wait out the
    slow speed, and hold while the job is paused, until Resume, a Step or a stop. At each hold the run
    as it stands goes to ``on_pause`` (for the page's views), and the status says so. A pause counts
    against the job's time limit like any other second, so a forgotten one ends with the limit."""

    def hold(log, now: Callable[[], RunRecord], percent: float = 0.0, prefix: str = "",
             curve: Callable[[], dict | None] = lambda: None) -> None:
        end = time.monotonic() + max(0.0, SLOW_EPOCH_S - log.seconds)
        while watch.slow and not watch() and time.monotonic() < end:
            time.sleep(HOLD_POLL_S)
        if not watch.paused or watch():
            return
        record = now()
        if on_pause is not None:
            on_pause(record)
        words = (f"paused at epoch {log.epoch}: the views show the model as it is now; Step trains one more "
                 "epoch, Resume goes on")
        report((percent, f"{prefix}paused at epoch {log.epoch}", curve(), words, True))  # the curve up to here
        while watch.paused and not watch() and not watch.steps:
            time.sleep(HOLD_POLL_S)
        if watch.steps:
            watch.steps -= 1
        if on_pause is not None:
            on_pause(None)
        report((percent, f"{prefix}epoch {log.epoch}", curve(), "running", True))

    return hold


@dataclass
class _Shared:
    """What the training thread leaves for the job's main thread: finished runs, sweep points, the phase."""

    runs: list = field(default_factory=list)
    points: list = field(default_factory=list)
    phase: str = "starting"
    epochs_done: int = 0
    outcome: JobOutcome | None = None
    closed: bool = False
    on_pause: Callable[[Any], None] | None = None  # hears of the run as it stands at each pause, and None after
    suggest_seconds: float = 60.0  # Suggest settings' budget, the server's
    served: Served | None = None  # the bounds every candidate of Suggest settings is checked against


def run_request(set_progress: Callable[[tuple], None], request: Any, board: JobBoard | None = None,
                max_seconds: float = 600.0, served: Served | None = None, signer: Signer | None = None,
                max_per_client: int = 0, on_pause: Callable[[RunRecord | None], None] | None = None,
                suggest_seconds: float = 60.0, shelf: Path | None = None) -> JobOutcome:
    """Check ``request`` and train every config of it in turn; runs in the background job's process.

    Progress goes out as one tuple: (percent, label, a patch of the live loss figure, status,
    whether to hide the note that explains the queue).
    The training runs in a thread of its own while this thread watches the board: a stop (Cancel,
    the time limit, the memory bound, a closed page) ends the training at its next batch, and a run
    that has not finished what it was doing ``GRACE_S`` later is left, whatever phase it is in; the
    job then returns what it finished, and its process ends. Any failure ends the job with a
    sentence for the page instead of a traceback.
    """
    limit_threads(1)
    use_shelf(shelf)  # the statistical baselines' fits, kept for every job on the same series
    request_id = request.get("id") if isinstance(request, dict) and isinstance(request.get("id"), str) else ""
    try:
        job = check_request(request, served or Served(), signer)
    except RequestError as e:
        return JobOutcome(request_id, (), f"not started: {e}")
    ticket = None
    if board is not None:
        try:
            ticket = board.join(job.session, job.id, job.client, max_per_client)
        except QueueFull as e:
            return JobOutcome(job.id, (), f"not started: {e}")
    watch = Watch(board, ticket, job.id, job.session or job.id, max_seconds, (served or Served()).max_job_mb)
    shared = _Shared(on_pause=on_pause, suggest_seconds=min(float(suggest_seconds), max_seconds),
                     served=served or Served())

    def report(progress: tuple) -> None:
        if not shared.closed:  # a thread that was left says nothing more
            set_progress(progress)

    try:
        if board is not None and not _wait_for_slot(report, board, ticket, watch):
            return JobOutcome(job.id, (), watch.reason)
        report((0, "preparing the data", None, "running", True))
        watch.poll()  # the speed and a pause asked for already: a short run may end before the next look
        worker = threading.Thread(target=_work, args=(report, job, watch, shared), name="gatelab-run", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(CHECK_EVERY_S)
            if watch.poll() and worker.is_alive() and time.monotonic() - watch.since > GRACE_S:
                shared.closed = True
                return _left(job, watch, shared)
        return shared.outcome or JobOutcome(job.id, (), "no result: the run ended without a word")
    finally:  # not reached when the job is killed; the board then sees its process gone
        shared.closed = True
        if board is not None:
            board.leave(ticket)


def _left(job: Job, watch: Watch, shared: _Shared) -> JobOutcome:
    """The outcome of a job whose run was left: the runs it finished, and what was cut."""
    cut = f"{watch.reason} while {shared.phase}"
    if shared.epochs_done:
        cut += f" after {shared.epochs_done} epochs; that run could not be finished in time and was not kept"
    if job.sweep is not None:
        return JobOutcome(job.id, (), cut, {**job.sweep, "points": list(shared.points)})
    if job.backtest is not None or job.suggest:
        return JobOutcome(job.id, (), cut)
    return JobOutcome(job.id, tuple(shared.runs), cut)


def _work(report, job: Job, watch: Watch, shared: _Shared) -> None:
    try:
        shared.outcome = _train_all(report, job, watch, shared)
    except Exception:  # noqa: BLE001 - the page gets a sentence; the server's log gets the traceback
        log.exception("job %s failed", job.id)
        shared.outcome = JobOutcome(job.id, tuple(shared.runs), FAILED)


def _wait_for_slot(set_progress, board: JobBoard, ticket: int, watch: Watch) -> bool:
    """Wait in the queue, showing the place; False if the job was stopped meanwhile."""
    shown = None
    while True:
        place = board.try_start(ticket)
        if place == 0:
            return True
        if watch.poll():
            return False
        if place != shown:
            shown = place
            status = f"queued, position {place}"
            set_progress((0, status, None, status, False))  # the loss graph stays
        time.sleep(QUEUE_POLL_S)


def _train_all(set_progress, job: Job, watch: Watch, shared: _Shared) -> JobOutcome:
    """Every config in turn. A sweep keeps a point per finished run (``models.sweep.point``), not the run.
    An ensemble (alone in its job, ``check_request``) trains its members in turn, as Train all trains its
    runs, and ends with their ensemble: of those that finished, when it was stopped."""
    if job.backtest is not None:
        return _backtest(set_progress, job, watch, shared)
    if job.suggest:
        return _suggest(set_progress, job, watch, shared)
    ensemble = job.configs[0] if job.configs[0].ensemble > 1 else None
    configs = member_configs(ensemble) if ensemble is not None else job.configs
    sweep, runs, points = job.sweep, shared.runs, shared.points
    hold = holder(set_progress, watch, shared.on_pause)

    meter = ParityMeter(configs) if sweep is None and len(configs) > 1 else None
    meter = meter if meter is not None and meter.cells else None  # a cell on both backends, or no meter

    def outcome(status: str) -> JobOutcome:
        if sweep is not None:
            return JobOutcome(job.id, (), status, {**sweep, "points": points})
        finished = [r for r in runs if not r.stopped.startswith(watch.reason or "\0")] if watch.reason else runs
        if ensemble is not None and finished:
            shared.phase = f"averaging the {len(finished)} members"
            set_progress((100.0, shared.phase, None, "running", True))
            whole = combine(ensemble, list(finished), watch.reason)
            runs.append(whole.with_(id=f"{job.id}-ensemble"))
            if len(finished) < ensemble.ensemble:
                status += f"; the ensemble averages the {len(finished)} member(s) that finished"
        if meter is not None:  # the forecasts' differences, with the job's result (Dash sends both at once)
            meter.finish(runs)
            set_progress((100.0, "comparing the backends' forecasts", None, "running", True,
                          meter.rows()))
        return JobOutcome(job.id, tuple(runs), status)

    for k, config in enumerate(configs):
        if meter is not None:
            meter.begin(config)
        name = config.model_name
        # Train all draws each run in traces of its own; a sweep, in one set
        curve = 0 if sweep is not None or len(configs) == 1 else k
        total = config.train.epochs
        prefix = f"run {k + 1} of {len(configs)}, {name}: " if len(configs) > 1 else ""
        if ensemble is not None:
            prefix = f"member {k + 1} of {len(configs)}, {name} seed {config.train.seed}: "
        if sweep is not None:
            value = point_value(config, sweep["over"])
            prefix = f"sweep, run {k + 1} of {len(configs)}, {name}, {OVER[sweep['over']].lower()} {value}: "
        history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "grad_norm": [], "val_loss": []}
        last_sent = 0.0
        shared.phase, shared.epochs_done = "training", 0

        def on_epoch_end(log, history=history, total=total, prefix=prefix, k=k, curve=curve) -> None:
            nonlocal last_sent
            history["train_loss"].append(log.train_loss)
            history["test_loss"].append(log.test_loss)
            history["grad_norm"].append(log.grad_norm)
            if log.val_loss is not None:
                history["val_loss"].append(log.val_loss)
            shared.epochs_done = log.epoch
            now = time.monotonic()
            if now - last_sent >= PROGRESS_EVERY_S or log.epoch == total:
                last_sent = now
                percent = 100.0 * (k + log.epoch / total) / len(configs)
                set_progress((percent, f"{prefix}epoch {log.epoch} of {total}", loss_feed(history, curve),
                              "running", True, *([meter.rows()] if meter is not None else [])))

        def on_phase(what: str, prefix=prefix, k=k, history=history, curve=curve) -> None:
            # the whole curve again: a page sees only the latest progress, and this one follows the last epoch's
            shared.phase = what
            set_progress((100.0 * (k + 1) / len(configs), f"{prefix}{what}", loss_feed(history, curve),
                          "running", True))

        def at_hold(log, now, k=k, prefix=prefix, total=total, history=history, curve=curve) -> None:
            hold(log, lambda: now().with_(id=f"{job.id}-{k}-paused-{log.epoch}"),
                 100.0 * (k + log.epoch / total) / len(configs), prefix, lambda: loss_feed(history, curve))

        try:
            record = run_experiment(config, series=job.data, on_epoch_end=on_epoch_end, should_stop=watch,
                                    on_phase=on_phase, hold=at_hold,
                                    on_weights=meter.epoch if meter is not None else None)
        except (TrainingDiverged, ValueError) as e:
            return outcome(f"{name}: {e}")
        except NoEpoch:  # stopped before a single epoch: nothing to show, nothing to evaluate
            return outcome(watch.reason or f"{name}: stopped before its first epoch")
        if watch.reason:
            record = record.with_(stopped=f"{watch.reason} at epoch {record.epochs_done}")
        if sweep is not None:
            if not watch.reason:  # a run cut short would be an unfair point
                points.append(point(record, sweep["over"]))
        else:
            role = f"member {k + 1} of {len(configs)}" if ensemble is not None else ""
            runs.append(record.with_(id=f"{job.id}-{k}", role=role))
        if watch.reason:
            return outcome(record.stopped if len(configs) == 1 else f"{name}: {record.stopped}")
    return outcome(DONE)


def _backtest(set_progress, job: Job, watch: Watch, shared: _Shared) -> JobOutcome:
    """A backtest (``models.backtest``): a training per origin (or one), progress per origin; a stop keeps
    the origins that finished."""
    config, origins, refit = job.configs[0], job.backtest["origins"], job.backtest["refit"]
    name = config.model_name

    def on_origin(i: int, origin: int) -> None:
        shared.phase, shared.epochs_done = f"training at origin {i + 1} of {origins}", 0
        set_progress((100.0 * i / origins, f"backtest of {name}, origin {i + 1} of {origins} (step {origin})",
                      None, "running", True))

    def on_epoch_end(log) -> None:
        shared.epochs_done = log.epoch

    try:
        result = backtest(config, origins, refit, job.data, on_origin=on_origin, should_stop=watch,
                          on_epoch_end=on_epoch_end)
    except (TrainingDiverged, ValueError) as e:
        return JobOutcome(job.id, (), f"{name}: {e}")
    except NoEpoch:
        return JobOutcome(job.id, (), watch.reason or f"{name}: stopped before its first epoch")
    status = DONE if not watch.reason else (f"{watch.reason}: the backtest kept the {len(result.origins)} "
                                            f"origin(s) that finished, of {origins}")
    return JobOutcome(job.id, (), status, backtest=result.as_dict())


def _suggest(set_progress, job: Job, watch: Watch, shared: _Shared) -> JobOutcome:
    """Suggest settings (``models.suggest``) from the job's one config, within the server's budget; progress
    per candidate. A stop keeps the best candidate scored by then."""
    from models.suggest import start_from, suggest

    config = job.configs[0]
    shared.phase = "searching settings"

    def on_candidate(k: int, total: int, c) -> None:
        score = f"MSE {c.mse:.4g} on the validation blocks" if c.mse is not None else "left out"
        set_progress((min(99.0, 100.0 * k / total), f"candidate {k} of {total}: {score}", None, "running", True))

    try:
        chosen = suggest(config, job.data, start_from(config, job.data, "the form"), shared.suggest_seconds,
                         on_candidate=on_candidate, should_stop=watch, served=shared.served)
    except ValueError as e:  # nothing scored: stopped before the first candidate ended, or none could be
        return JobOutcome(job.id, (), f"{watch.reason} before any candidate was scored" if watch.reason
                          else f"Suggest settings: {e}")
    status = DONE if not watch.reason else f"{watch.reason}: the best of the candidates scored so far is kept"
    return JobOutcome(job.id, (), status, suggest=chosen.as_dict())

