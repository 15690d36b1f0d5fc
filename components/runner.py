"""The training job: what runs in a background process when a page presses Train.

    outcome = run_request(set_progress, request, board, max_seconds=600)

It takes its place on the job board (``components.jobs``) and waits its turn,
trains every config of the request in turn, reports each epoch through
``set_progress``, and ends with a ``JobOutcome``: the finished runs and the final
word for the page's status line. It knows no page; ``components.training`` binds
it to a Dash background callback, and tests call it directly.

A job stops early when its page asks it to (Cancel, through the board), when its
page has sent no heartbeat for a while (a closed tab), and when it passes the
server's time limit. A stopped run keeps the epochs it finished.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from dash import Patch

from components.figures import loss_progress_patch
from components.jobs import JobBoard
from data.upload import Uploaded
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.run import RunRecord
from models.sweep import OVER, point, point_value
from models.threads import limit_threads
from models.train import TrainingDiverged

PROGRESS_EVERY_S = 0.1  # at most 10 progress writes a second; the last epoch always goes out
CHECK_EVERY_S = 0.2  # how often a job looks for Cancel, renews its lease and checks its page's heartbeat
QUEUE_POLL_S = 0.3
DONE = "done"


@dataclass(frozen=True)
class JobOutcome:
    """What a job hands back: its runs, and the one sentence the status line ends with."""

    request_id: str
    runs: tuple[RunRecord, ...]
    status: str  # "done", "cancelled at epoch 3", or what went wrong
    sweep: dict[str, Any] | None = None  # a sweep's spec and points (``models.sweep``); its runs are not kept

    def to_json(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "runs": [r.to_json() for r in self.runs], "status": self.status,
                "sweep": self.sweep}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "JobOutcome":
        return cls(data["request_id"], tuple(RunRecord.from_json(r) for r in data["runs"]), data["status"],
                   data.get("sweep"))


def make_request(request_id: str, session: str, configs: list[ExperimentConfig],
                 sweep: dict[str, Any] | None = None, series: list[float] | dict | None = None) -> dict[str, Any]:
    """The JSON a page sends to start a job; with ``sweep`` (a ``SweepSpec`` as JSON), a sweep;
    with ``series``, what to train on from an uploaded CSV file (``Uploaded.to_json()``, or its values)."""
    return {"id": request_id, "session": session, "configs": [c.as_dict() for c in configs], "sweep": sweep,
            "series": series}


class Watch:
    """The job's side of the board: Cancel, its lease, its page's heartbeat, its time limit.

    Used as ``should_stop`` by the training loop, once per batch; it looks at the
    board at most every ``CHECK_EVERY_S``. After a stop, ``reason`` says why.
    """

    def __init__(self, board: JobBoard | None, ticket: int | None, request_id: str, session: str,
                 limit_s: float) -> None:
        self.board, self.ticket, self.request_id, self.session = board, ticket, request_id, session
        self.deadline = time.monotonic() + limit_s
        self.limit_s = limit_s
        self.next_check = 0.0
        self.reason = ""

    def __call__(self) -> bool:
        if self.reason:
            return True
        now = time.monotonic()
        if now > self.deadline:
            self.reason = f"stopped after {self.limit_s:g} s, the longest a run may take on this server"
        elif self.board is not None and now >= self.next_check:
            self.next_check = now + CHECK_EVERY_S
            if self.board.cancelled(self.request_id):
                self.reason = "cancelled"
            elif not self.board.watched(self.session):
                self.reason = "stopped: its page was closed"
            elif self.ticket is not None:
                self.board.renew(self.ticket)
        return bool(self.reason)


def run_request(set_progress: Callable[[tuple], None], request: dict[str, Any], board: JobBoard | None = None,
                max_seconds: float = 600.0) -> JobOutcome:
    """Train every config of ``request`` in turn; runs in the background job's process.

    Progress goes out as one tuple: (percent, label, a patch of the live loss figure, status,
    whether to hide the note that explains the queue).
    Any failure ends the job with a sentence for the page instead of a traceback.
    """
    limit_threads(1)
    request_id = request["id"]
    session = request.get("session", request_id)
    ticket = board.join(session) if board is not None else None
    watch = Watch(board, ticket, request_id, session, max_seconds)
    try:
        if board is not None and not _wait_for_slot(set_progress, board, ticket, watch):
            return JobOutcome(request_id, (), watch.reason)
        return _train_all(set_progress, request, watch)
    finally:  # not reached when the job is killed; the board then sees its process gone
        if board is not None:
            board.leave(ticket)


def _wait_for_slot(set_progress, board: JobBoard, ticket: int, watch: Watch) -> bool:
    """Wait in the queue, showing the place; False if the job was stopped meanwhile."""
    shown = None
    while True:
        place = board.try_start(ticket)
        if place == 0:
            return True
        if watch():
            return False
        if place != shown:
            shown = place
            status = f"queued, position {place}"
            set_progress((0, status, Patch().to_plotly_json(), status, False))  # the loss graph stays
        time.sleep(QUEUE_POLL_S)


def _train_all(set_progress, request: dict[str, Any], watch: Watch) -> JobOutcome:
    """Every config in turn. A sweep keeps a point per finished run (``models.sweep.point``), not the run."""
    request_id = request["id"]
    configs = [ExperimentConfig.from_dict(c) for c in request["configs"]]
    sweep = request.get("sweep")
    data = request.get("series")
    if data is not None:
        data = Uploaded.from_json(data) if isinstance(data, dict) else np.asarray(data, dtype=np.float64)
    runs: list[RunRecord] = []
    points: list[dict[str, Any]] = []

    def outcome(status: str) -> JobOutcome:
        if sweep is not None:
            return JobOutcome(request_id, (), status, {**sweep, "points": points})
        return JobOutcome(request_id, tuple(runs), status)

    for k, config in enumerate(configs):
        name = config.model_name
        total = config.train.epochs
        prefix = f"run {k + 1} of {len(configs)}, {name}: " if len(configs) > 1 else ""
        if sweep is not None:
            value = point_value(config, sweep["over"])
            prefix = f"sweep, run {k + 1} of {len(configs)}, {name}, {OVER[sweep['over']].lower()} {value}: "
        history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "grad_norm": [], "val_loss": []}
        last_sent = 0.0

        def on_epoch_end(log, history=history, total=total, prefix=prefix, k=k) -> None:
            nonlocal last_sent
            history["train_loss"].append(log.train_loss)
            history["test_loss"].append(log.test_loss)
            history["grad_norm"].append(log.grad_norm)
            if log.val_loss is not None:
                history["val_loss"].append(log.val_loss)
            now = time.monotonic()
            if now - last_sent >= PROGRESS_EVERY_S or log.epoch == total:
                last_sent = now
                percent = 100.0 * (k + log.epoch / total) / len(configs)
                set_progress((percent, f"{prefix}epoch {log.epoch} of {total}", loss_progress_patch(history),
                              "running", True))

        try:
            record = run_experiment(config, series=data, on_epoch_end=on_epoch_end, should_stop=watch,
                                    on_phase=lambda what, prefix=prefix, k=k: set_progress(
                                        (100.0 * (k + 1) / len(configs), f"{prefix}{what}", Patch().to_plotly_json(),
                                         "running", True)))
        except (TrainingDiverged, ValueError) as e:
            return outcome(f"{name}: {e}")
        except Exception as e:  # noqa: BLE001 - the page gets a sentence, never a traceback
            return outcome(f"{name}: training failed ({type(e).__name__}: {e})")
        if record.epochs_done == 0:  # stopped before a single epoch: nothing to show
            return outcome(watch.reason)
        if watch.reason:
            record = record.with_(stopped=f"{watch.reason} at epoch {record.epochs_done}")
        if sweep is not None:
            if not watch.reason:  # a run cut short would be an unfair point
                points.append(point(record, sweep["over"]))
        else:
            runs.append(record.with_(id=f"{request_id}-{k}"))
        if watch.reason:
            return outcome(record.stopped if len(configs) == 1 else f"{name}: {record.stopped}")
    return outcome(DONE)

