"""Pause, Step and the slow speed, below the page: the board's requests and the job's hold."""

import threading
import time

from components.server.job import loss_feed
from components.page.figures import (BACKEND_DASH, CELL_COLORS, live_traces, make_live_loss_figure,
                                run_styles)
from components.server.board import JobBoard
from components.server.job import holder
from models.config import ExperimentConfig


class FakeWatch:
    """The job's view of the board, set by hand."""

    def __init__(self) -> None:
        self.paused, self.steps, self.slow, self.reason = False, 0, False, ""

    def __call__(self) -> bool:
        return bool(self.reason)


class Log:
    def __init__(self, epoch: int, seconds: float = 0.0) -> None:
        self.epoch, self.seconds = epoch, seconds


def test_the_board_keeps_pause_step_and_speed_per_job(tmp_path):
    board = JobBoard(tmp_path, slots=2)
    assert not board.paused("a") and not board.slow("a") and not board.take_step("a")
    board.pause("a")
    board.step("a")
    board.set_slow("b", True)
    assert board.paused("a") and not board.paused("b") and board.slow("b") and not board.slow("a")
    assert board.take_step("a") and not board.take_step("a")  # a step is used once
    board.step("a")
    board.pause("a", False)  # Resume forgets a step not yet taken
    assert not board.paused("a") and not board.take_step("a")
    board.set_slow("b", False)
    assert not board.slow("b")


def test_a_held_job_shows_its_run_waits_for_a_step_and_goes_on():
    watch, reports, shown = FakeWatch(), [], []
    hold = holder(reports.append, watch, shown.append)
    made = []

    def now():
        made.append(1)
        return "record at epoch 5"

    hold(Log(4), now)  # not paused: returns at once, makes nothing
    assert made == [] and reports == []
    watch.paused = True
    done = threading.Event()
    worker = threading.Thread(target=lambda: (hold(Log(5), now, 42.0, "run 1 of 6: "), done.set()))
    worker.start()
    time.sleep(0.3)
    assert not done.is_set()  # holding
    assert shown == ["record at epoch 5"] and reports[-1][1] == "run 1 of 6: paused at epoch 5"
    assert reports[-1][0] == 42.0 and reports[-1][3].startswith("paused at epoch 5:")
    watch.steps = 1  # Step
    assert done.wait(2)
    assert watch.steps == 0 and shown[-1] is None and reports[-1][3] == "running"
    watch.reason = "cancelled"  # a stop ends a hold at once, paused or not
    start = time.monotonic()
    hold(Log(6), now)
    assert time.monotonic() - start < 0.2 and len(made) == 1


def test_the_slow_speed_stretches_an_epoch_to_a_second():
    watch = FakeWatch()
    watch.slow = True
    hold = holder(lambda p: None, watch)
    start = time.monotonic()
    hold(Log(1, seconds=0.4), lambda: None)
    assert 0.55 <= time.monotonic() - start < 0.9  # the epoch took 0.4 s, the hold the rest of a second
    start = time.monotonic()
    hold(Log(2, seconds=1.5), lambda: None)
    assert time.monotonic() - start < 0.1  # a slow epoch is not held further


def test_runs_take_their_cells_colour_and_their_backends_line():

    class R:
        def __init__(self, cell, backend):
            self.config = ExperimentConfig(cell=cell, backend=backend)

    styles = run_styles([R("lstm", "numpy"), R("lstm", "torch"), R("gru", "numpy"), R("lstm", "numpy")])
    assert styles[0] == (CELL_COLORS["lstm"], "solid") and styles[1] == (CELL_COLORS["lstm"], BACKEND_DASH["torch"])
    assert styles[2] == (CELL_COLORS["gru"], "solid")
    assert styles[3][0] not in (CELL_COLORS["lstm"], CELL_COLORS["gru"]) and styles[3][1] == "solid"


def test_train_all_draws_each_run_in_traces_of_its_own():
    models = [("NumPy LSTM", "lstm", "numpy"), ("PyTorch LSTM", "lstm", "torch")]
    fig = make_live_loss_figure(10, models=models)
    per = live_traces(False)
    assert len(fig.data) == 2 * per and [t.name for t in fig.data if t.showlegend is not False] == [
        "NumPy LSTM", "PyTorch LSTM"]
    assert fig.layout.meta["per_run"] == per  # the browser draws run k's numbers into traces k * per on
    feed = loss_feed({"train_loss": [1.0, 0.5], "test_loss": [1.1, 0.6], "grad_norm": [2.0, 1.0], "val_loss": []}, 1)
    assert feed == {"run": 1, "history": {"train_loss": [1.0, 0.5], "test_loss": [1.1, 0.6], "grad_norm": [2.0, 1.0]}}


def test_a_forgotten_pause_ends_with_the_jobs_time_limit_and_keeps_its_epochs(tmp_path):
    from components.server.job import make_request, run_request
    from models.config import SeriesConfig, TrainConfig

    config = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5,
                              train=TrainConfig(epochs=50), rollout_steps=30)
    board = JobBoard(tmp_path, slots=2)
    board.beat("tab")
    board.pause("req")  # paused before it starts: it holds at the end of its first epoch
    held = []
    start = time.monotonic()
    outcome = run_request(lambda p: None, make_request("req", "tab", [config]), board, max_seconds=1.5,
                          on_pause=held.append)
    assert 1.5 <= time.monotonic() - start < 5
    assert outcome.status.startswith("stopped after 1.5 s") and outcome.runs[0].epochs_done == 1
    # the run as it stood at the pause went to the page, and nothing after it
    assert [r.epochs_done for r in held if r is not None] == [1] and held[-1] is None
    assert held[0].stopped == "paused at epoch 1" and held[0].metrics.mse > 0
