"""Figure builders, the form, the job runner and callback logic, called directly: no browser."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from cli import build_parser, config_from_args
from components.page.views import runs_table as runs_mod
from components.page.form import FIELD_IDS, form_config, seq_len_help
from components.page.figures import (gates_patch, make_gates_figure, make_live_loss_figure, make_loss_figure,
                                make_rollout_figure, make_series_figure)
from components.page.views.results import make_metrics_table, metrics_rows, parity_note
from components.server.job import JobOutcome, loss_feed, make_request, run_request
from components.server.settings import Settings
from data import make_series
from models.config import ExperimentConfig
from models.knobs import KNOBS, PAGE_KNOBS
from models.run import RunRecord, restore
from models.train import TrainConfig, TrainingDiverged
from tests.conftest import TINY

PAGE = Settings()
DEFAULTS = {k.key: k.as_text(k.default) for k in PAGE_KNOBS}  # what the page's fields hold when it opens


def test_default_form_and_default_command_are_the_default_config():
    page, errors = form_config(DEFAULTS, PAGE)
    command = config_from_args(build_parser().parse_args(["train"]))
    assert errors == {} and page == command == ExperimentConfig()
    assert FIELD_IDS == [k.key for k in PAGE_KNOBS]
    options = {a.dest: a for a in build_parser()._subparsers._group_actions[0].choices["train"]._actions}
    for knob in KNOBS:  # every knob is an option, whose help shows the config's default
        assert f"(default {knob.as_text(knob.default) or 'none'})" in options[knob.key].help.replace("%%", "%")


def test_page_and_command_build_the_same_series_for_three_periods():
    """The drift that was: the page kept the reference phases, the command set every phase to 0."""
    page, _ = form_config(DEFAULTS | {"series-periods": "50, 17, 120", "series-amplitudes": "1.2, 0.6, 2"}, PAGE)
    command = config_from_args(build_parser().parse_args(["train", "--periods", "50,17,120",
                                                          "--amplitudes", "1.2,0.6,2"]))
    assert page == command
    assert page.series.phases == (0.0, 0.8, 0.0)
    np.testing.assert_array_equal(make_series(page.series), make_series(command.series))


def test_a_run_typed_into_the_page_is_reproduced_by_the_command():
    fields = {"series-periods": "50, 17, 120", "series-amplitudes": "1, 0.5, 2", "series-noise": "0.3",
              "series-length": "400", "seq-len": "30", "hidden-size": "6", "epochs": "3", "cell": "gru",
              "learning-rate": "0.003", "seed": "7"}
    config, errors = form_config(DEFAULTS | fields, PAGE)
    assert errors == {}
    outcome = run_request(lambda p: None, make_request("r", "s", [config]))  # as the page's job runs it
    flags = {"series-periods": "--periods", "series-amplitudes": "--amplitudes", "series-noise": "--noise",
             "series-length": "--length"}
    argv = [a for key, value in fields.items() for a in (flags.get(key, f"--{key}"), value.replace(" ", ""))]
    p = subprocess.run([sys.executable, "-m", "cli", "train", "--json", *argv], capture_output=True, text=True,
                       cwd=__file__.rsplit("/tests/", 1)[0], timeout=120)
    assert p.returncode == 0, p.stderr
    command = RunRecord.from_json(json.loads(p.stdout))
    page = outcome.runs[0]
    assert command.config == page.config and command.series == page.series
    for a, b in [(command.metrics, page.metrics), (command.rollout_scores, page.rollout_scores)]:
        assert a.mse == pytest.approx(b.mse, rel=1e-12, abs=0) and a.mae == pytest.approx(b.mae, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    "field, raw, message",
    [
        ("hidden-size", "0", "Hidden size H must be a whole number from 1 to 256, got 0"),
        ("hidden-size", "2.5", "Hidden size H must be a whole number from 1 to 256; 2.5 is not a whole number"),
        ("hidden-size", "-0.5", "Hidden size H must be a whole number from 1 to 256; -0.5 is not a whole number"),
        ("epochs", "", "Epochs must be a whole number from 1 to 500; it is empty"),
        ("epochs", "abc", "Epochs must be a whole number from 1 to 500; 'abc' is not a number"),
        ("series-noise", "-0.5", "Noise σ must be a number from 0 to 10, got -0.5"),
        ("series-noise", "inf", "Noise σ must be a number from 0 to 10; 'inf' is not a number"),
        ("learning-rate", "NaN", "Learning rate must be a number from 1e-05 to 1; 'NaN' is not a number"),
        ("series-periods", "50, abc", "'abc' is not a number"),
        ("series-periods", "50, 2", "Seasonal periods must be up to 8 numbers greater than 2 and at most 100000"),
        ("series-periods", "", "Seasonal periods must be up to 8 numbers"),
        ("series-amplitudes", "1", "Amplitudes need one value per period (2), got 1"),
        ("series-amplitudes", "1e9, 1", "such as 1.2, 0.6, got 1e+09"),
        ("seq-len", "629", "Window length L must be at most 628 for a series of 900 points (630 of them train"),
        ("series-length", "4000000", "Length n must be a whole number from 50 to 5000, got 4000000"),
        ("series-periods", "0, 17", "Seasonal periods must be up to 8 numbers greater than 2"),
        ("series-noise", "abc", "Noise σ must be a number from 0 to 10; 'abc' is not a number"),
        ("seq-len", "700", "Window length L must be at most 628 for a series of 900 points"),
        ("epochs", "100000", "Epochs must be a whole number from 1 to 500, got 100000"),
    ],
)
def test_each_bad_field_gets_its_own_message_starting_with_its_label(field, raw, message):
    config, errors = form_config(DEFAULTS | {field: raw}, PAGE)
    assert config is None and set(errors) == {field}
    assert message in errors[field] and errors[field][0].isupper()
    # and Train says it, and starts nothing (the bar's plan of a press, as start_run reads the form)
    from components.page.train_bar import NotStarted, plan

    raw_form = [(DEFAULTS | {field: raw}).get(i) for i in FIELD_IDS]
    with pytest.raises(NotStarted, match=re.escape(message)):
        plan("train-button", raw_form, None, None, None, None, None, None, (None, None, None, None), PAGE)


def test_window_help_follows_the_series_length():
    assert "a whole number from 1 to 628 for n = 900" in seq_len_help("900", PAGE)
    assert "a whole number from 1 to 33 for n = 50" in seq_len_help("50", PAGE)


def test_clip_zero_means_no_clipping():
    config, errors = form_config(DEFAULTS | {"clip-norm": "0"}, PAGE)
    assert errors == {} and config.train.clip_norm is None


def test_the_loss_feed_carries_whole_arrays():
    history = {"train_loss": [3.0, 2.0, 1.0], "test_loss": [4.0, 3.0, 2.5], "grad_norm": [1.0, 0.5, 0.2],
               "val_loss": [3.5, 2.5, 1.5]}
    feed = loss_feed(history)
    assert feed["run"] == 0 and feed["history"] == history
    history["train_loss"].append(0.5)  # a copy: the job's later epochs do not change what was reported
    assert feed["history"]["train_loss"] == [3.0, 2.0, 1.0]


def test_live_figure_has_the_three_traces_the_patch_fills_and_whole_epochs():
    fig = make_live_loss_figure(5, log_y=True, show_grad=False)
    assert [t.meta for t in fig.data] == ["train", "test", "grad"]
    assert fig.layout.xaxis.range == (0.5, 5.5) and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"  # never 1.5, 2.5
    assert fig.data[2].visible is False and fig.layout.modebar.orientation == "v"


def test_series_figure_shades_the_test_part():
    fig = make_series_figure(np.arange(100.0), 70)
    assert fig.layout.shapes[0].x0 == 69.5 and fig.layout.shapes[0].x1 == 99.5


@pytest.fixture(scope="module")
def job():
    progress = []
    outcome = run_request(progress.append, make_request("abc", "s", [TINY, TINY.with_(cell="gru", backend="torch")]))
    return progress, outcome


def test_job_reports_progress_and_returns_its_runs(job):
    progress, outcome = job
    assert outcome.status == "done"
    assert [r.id for r in outcome.runs] == ["abc-0", "abc-1"]
    assert [r.label for r in outcome.runs] == ["NumPy LSTM", "PyTorch GRU"]
    assert progress[-1][1] == "run 2 of 2, PyTorch GRU: scoring the baselines"  # the status says what is drawn
    assert [p[1] for p in progress if p[1].startswith("run 2")][-5:-1] == [
        "run 2 of 2, PyTorch GRU: epoch 3 of 3", "run 2 of 2, PyTorch GRU: forecasting the 72 test windows",
        "run 2 of 2, PyTorch GRU: rolling out 30 steps",
        "run 2 of 2, PyTorch GRU: fitting AutoETS, AutoARIMA and AutoTheta on the train part"]
    percent, label, feed, status, hide_queue_note = [p for p in progress if "epoch" in p[1]][-1]
    assert status == "running" and hide_queue_note is True
    assert percent == pytest.approx(100.0) and label == "run 2 of 2, PyTorch GRU: epoch 3 of 3"
    # the second run of two draws into its own traces, so the first run's curve stays
    assert feed["run"] == 1 and feed["history"]["train_loss"] == pytest.approx(outcome.runs[1].history.train_loss)
    again = JobOutcome.from_json(json.loads(json.dumps(outcome.to_json())))
    assert again == outcome


def test_job_turns_failure_into_a_sentence(monkeypatch):
    def diverge(*args, **kwargs):
        raise TrainingDiverged("training diverged at epoch 2: the loss is nan; lower the learning rate")

    monkeypatch.setattr("components.server.job.run_experiment", diverge)
    outcome = run_request(lambda p: None, make_request("x", "s", [TINY]))
    assert outcome.status == "NumPy LSTM: training diverged at epoch 2: the loss is nan; lower the learning rate"
    assert outcome.runs == ()


def test_cancel_through_the_board_keeps_the_finished_epochs(tmp_path):
    from components.server.board import JobBoard

    board = JobBoard(tmp_path, slots=1)
    board.beat("s")
    request = make_request("r", "s", [TINY.with_(train=TrainConfig(epochs=500))])

    def on_progress(p):
        if "epoch" in p[1]:  # the first epoch has finished
            board.cancel("r")

    outcome = run_request(on_progress, request, board)
    assert outcome.status.startswith("cancelled at epoch ")
    run = outcome.runs[0]
    assert 1 <= run.epochs_done < 500 and run.stopped == outcome.status
    assert board.counts() == (0, 0)


def test_a_torch_run_restored_on_numpy_rolls_out_the_same(job):
    _, outcome = job
    run = outcome.runs[1]
    np.testing.assert_allclose(restore(run).rollout(30), run.rollout.pred, rtol=1e-4, atol=1e-4)


def test_runs_newest_first_capped_with_a_word_for_those_that_left(job, tmp_path):
    from components.server.library import RunLibrary
    from components.server.shelf import MAX_RUNS, DiskShelf, Shelf
    from components.server.signing import Signer

    _, outcome = job
    signer = Signer(b"k" * 32)
    shelf, tab = Shelf(DiskShelf(tmp_path / "runs")), signer.new_tab()
    new, gone = shelf.add(tab, outcome.runs)
    assert [r.label for r in new] == ["#1 NumPy LSTM", "#2 PyTorch GRU"] and gone == []
    page_json = outcome.page_json(new)
    assert page_json["runs"] == [{"id": "abc-0", "number": 1, "label": "#1 NumPy LSTM", "epochs": 3},
                                 {"id": "abc-1", "number": 2, "label": "#2 PyTorch GRU", "epochs": 3}]
    assert len(json.dumps(page_json)) < 1000  # ids, not records
    assert runs_mod.result_ids(page_json) == ["abc-0", "abc-1"]
    store = shelf.entries(tab)
    assert [e["number"] for e in store] == [2, 1]
    shelf.add(tab, [r.with_(id=r.id + "-again") for r in outcome.runs])
    before, store = store, shelf.entries(tab)
    assert [e["number"] for e in store] == [4, 3, 2, 1] and runs_mod.gone_numbers(before, store) == []
    page = RunLibrary(shelf, signer).page(tab, store)
    runs = page.all()
    assert page.shown([], runs[2].id) == [runs[2]]
    assert page.shown([0, 3], runs[2].id) == [runs[3], runs[0]]  # oldest first
    assert page.find("nobody") is None
    assert runs[0].window_span(0) == (240 * 7 // 10 - 16, 240 * 7 // 10)  # the first test window
    _, gone = shelf.add(tab, [r.with_(id=f"{r.id}-{k}") for k in range(8) for r in outcome.runs])
    capped = shelf.entries(tab)
    assert len(capped) == MAX_RUNS and capped[0]["number"] == 20 and gone == [4, 3, 2, 1]
    assert runs_mod.gone_numbers(store, capped) == [4, 3, 2, 1]
    assert runs_mod.gone_note([24]) == "Newest first. The page keeps the 16 newest runs: #24 left the table."
    row = runs_mod.table_row(runs[0])
    assert row["mse"] == round(runs[0].metrics.mse, 4) and row["epochs"] == 3
    assert row["periods"] == "50, 17" and row["length"] == 240 and row["base-linear_ar"] > 0
    stopped = runs_mod.table_row(runs[0].with_(stopped="cancelled at epoch 2"))
    assert stopped["label"].endswith("(cancelled at epoch 2)")


def test_figures_and_tables_of_finished_runs(job):
    _, outcome = job
    runs = [r.with_(number=i + 1) for i, r in enumerate(outcome.runs)]
    loss = make_loss_figure(runs, show_grad=True)
    assert len(loss.data) == 6 and loss.data[0].name == "#1 NumPy LSTM" and loss.data[2].visible
    # the legend names each run once; its test and gradient traces follow its entry
    assert [t.showlegend for t in loss.data] == [None, False, False, None, False, False]
    assert {t.legendgroup for t in loss.data[:3]} == {"#1 NumPy LSTM"}
    assert loss.layout.legend.y < 0  # below the plot, not over the title
    rollout = make_rollout_figure(runs[0].series, runs[0].split, [("a", [0.0] * 30)])
    assert rollout.data[1].x[0] == runs[0].split and len(rollout.data[1].y) == 30
    gates = restore(runs[0]).gate_activations(3)
    fig = make_gates_figure(gates, "lstm")
    assert [t.name for t in fig.data] == ["i", "f", "g", "o", "c"]
    assert np.shape(fig.data[0].z) == (5, 16)  # hidden unit x time step
    assert all(t.showscale for t in fig.data)  # one labelled colour bar per heatmap
    assert [t.colorbar.title.text for t in fig.data] == ["i", "f", "g", "o", "c"]
    # the cell state on a fixed range (a run's replay frames share its trained model's), not its own
    wide = make_gates_figure(gates, "lstm", scales={"c": 7.5})
    assert (wide.data[4].zmin, wide.data[4].zmax) == (-7.5, 7.5) and wide.data[1].zmax == 1.0
    ops = gates_patch(gates, "lstm", "t", {"c": 7.5}).to_plotly_json()["operations"]
    assert {"operation": "Assign", "location": ["data", 4, "zmax"], "params": {"value": 7.5}} in ops
    np.testing.assert_allclose(np.array(fig.data[1].z), gates["f"].T, atol=5e-5)  # to 4 decimals
    rows = metrics_rows(runs)
    assert [name for name, _, _ in rows] == ["#1 NumPy LSTM", "#2 PyTorch GRU", "persistence", "seasonal naive",
                                                     "drift", "linear AR", "AutoETS", "AutoARIMA", "AutoTheta"]
    table = make_metrics_table(runs)
    cells = [[c.children for c in tr.children] for tr in table[1].children]
    assert cells[0][1] == f"{runs[0].metrics.mse:.4f}" and cells[1][1] == f"{runs[1].metrics.mse:.4f}"
    assert parity_note(runs) == ""  # different cells: nothing hides


def test_parity_note_explains_curves_that_hide_each_other(job):
    _, outcome = job
    lstm = outcome.runs[0].with_(number=1)
    twin = lstm.with_(number=2, config=lstm.config.with_(backend="torch"))
    assert "#1 NumPy LSTM and #2 PyTorch LSTM" in parity_note([lstm, twin])
    assert "parity lesson" in parity_note([lstm, twin])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("120", (120, "")),
        (" 40 ", (40, "")),
        ("abc", (None, "Rollout length must be a whole number from 10 to 500; 'abc' is not a number")),
        ("12.5", (None, "Rollout length must be a whole number from 10 to 500; 12.5 is not a whole number")),
        ("9", (None, "Rollout length must be a whole number from 10 to 500, got 9")),
        ("", (None, "Rollout length must be a whole number from 10 to 500; it is empty")),
    ],
)
def test_slider_box_reads_what_was_typed(text, expected):
    from components.page.sliders import box_problem

    assert box_problem(text, 10, 500, "Rollout length") == expected


def test_a_plain_rnn_shows_its_pre_activation_and_hidden_state():
    from models.run import restore as restore_run

    config = TINY.with_(cell="rnn")
    run = run_request(lambda p: None, make_request("r", "s", [config])).runs[0]
    gates = restore_run(run).gate_activations(0)
    fig = make_gates_figure(gates, "rnn")
    assert [t.name for t in fig.data] == ["a", "h"] and [t.showscale for t in fig.data] == [True, True]
    assert fig.data[0].zmax == max(1.0, float(np.abs(gates["a"]).max()))  # a is unbounded: its scale follows it
    assert fig.data[1].zmax == 1.0 and fig.data[1].zmin == -1.0
    np.testing.assert_allclose(gates["h"], np.tanh(gates["a"]), rtol=1e-6)


def test_gradient_flow_view(job):
    from components.page.figures import make_gradflow_figure
    from components.page.views.gradflow import ratio_text

    _, outcome = job
    runs = [r.with_(number=k + 1) for k, r in enumerate(outcome.runs)]
    fig = make_gradflow_figure(runs, runs[0])
    heat, *lines = fig.data
    epochs = [e for e, _ in runs[0].grad_flow]
    assert list(heat.y) == epochs == [1, 3] and list(heat.x) == list(range(1, 17))
    np.testing.assert_allclose(heat.z, np.log10([n for _, n in runs[0].grad_flow]))
    assert [t.name for t in lines] == ["#1 NumPy LSTM", "#2 PyTorch GRU"]
    assert list(lines[1].y) == list(runs[1].grad_flow[-1][1])
    first, last = runs[0].grad_flow[-1][1][0], runs[0].grad_flow[-1][1][-1]
    assert f"#1 NumPy LSTM {first / last:.2g}" in ratio_text(runs)


def test_gradient_flow_heatmap_shows_a_vanished_gradient_as_a_gap(job):
    from components.page.figures import make_gradflow_figure

    _, outcome = job
    run = outcome.runs[0]
    epoch, norms = run.grad_flow[-1]
    vanished = run.with_(grad_flow=((epoch, (0.0,) + norms[1:]),))
    z = make_gradflow_figure([vanished], vanished).data[0].z
    assert z[0][0] is None or np.isnan(z[0][0])
    assert z[0][1] == pytest.approx(np.log10(norms[1]))


def test_the_newest_run_is_always_among_the_ticked_runs():
    assert runs_mod.ticks_after(6, [], 6) == [0, 1, 2, 3, 4, 5]  # Train all: its own six
    assert runs_mod.ticks_after(1, [0, 1, 2, 3, 4, 5], 7) == [0, 1, 2, 3, 4, 5, 6]  # one more joins them
    assert runs_mod.ticks_after(1, [], 3) == []  # nothing ticked: the views show the current run, the new one
    assert runs_mod.ticks_after(1, [15], 16) == []  # a ticked run that left the page is not ticked


def test_the_runs_table_names_the_data_and_leaves_out_settings_that_played_no_part():
    from models.experiment import run_experiment

    from data.upload import Uploaded
    from models.run import RunRecord

    nile = run_experiment(ExperimentConfig(dataset="nile", seq_len=10, hidden_size=4, train=TrainConfig(epochs=1)))
    row = runs_mod.table_row(nile)
    assert row["data"] == "Nile flow at Aswan, yearly 1871-1970" and row["length"] == 100
    assert all(row[k] is None for k in runs_mod.SYNTHETIC_ONLY)  # not the hidden synthetic series' 50, 17
    synthetic = runs_mod.table_row(run_experiment(TINY))
    assert synthetic["data"] == "synthetic" and synthetic["periods"] == "50, 17" and synthetic["length"] == 240
    values = np.sin(np.arange(200) / 5.0)
    upload = run_experiment(ExperimentConfig(dataset="upload", seq_len=10, hidden_size=4, train=TrainConfig(epochs=1)),
                            series=Uploaded(values, name="river.csv: flow"))
    again = RunRecord.from_json(json.loads(json.dumps(upload.to_json())))
    assert runs_mod.table_row(again)["data"] == "river.csv: flow" and runs_mod.table_row(again)["length"] == 200
    from components.page.views.downloads import runs_frame

    frame = runs_frame([upload, nile])
    assert frame["data"].tolist() == ["river.csv: flow", "Nile flow at Aswan, yearly 1871-1970"]
    assert frame["periods"].isna().all()
    assert set(runs_mod.SHOWN) < {k for k, _ in runs_mod.COLUMNS} and len(runs_mod.SHOWN) <= 13


def test_the_gradient_flow_colours_follow_the_trained_epochs_not_the_first():
    from components.page.figures import gradflow_range

    z = np.log10(np.vstack([np.full(10, 1e-15), np.logspace(-3, -1, 10), np.logspace(-3, -1, 10)]))
    lo, hi, title = gradflow_range(z)
    assert -3.0 <= lo < -2.9 and -1.1 < hi <= -1.0  # not down to -15
    assert title == "log10 (2-98 % of epochs after the first)"
    assert gradflow_range(np.full((1, 4), np.nan)) == (None, None, "log10")


def test_a_setting_some_run_used_gets_its_column_shown():
    from models.experiment import run_experiment

    plain = run_experiment(TINY)
    assert "dropout" in runs_mod.hidden_columns([plain]) and "inputs_beside" in runs_mod.hidden_columns([plain])
    dropped = plain.with_(config=plain.config.with_(dropout=0.3))
    hidden = runs_mod.hidden_columns([plain, dropped])
    assert "dropout" not in hidden and "val" in hidden and "label" not in hidden


def test_the_upload_status_says_what_becomes_of_the_holes():
    from components.page.upload import status_text
    from data.upload import read_csv

    table = read_csv(b"t,v\n1,1\n2,\n3,3\n4,x\n5,5\n", "f.csv")
    assert status_text(table, "v").endswith("has 2 empty or non-numeric cell(s): choose below to drop or interpolate them.")
    assert status_text(table, "v", "drop").endswith("they are dropped, and 3 rows are left.")
    assert "filled in on the straight line" in status_text(table, "v", "interpolate")
    assert "choose below" not in status_text(table, "v", "interpolate")


def test_the_replay_marker_stands_at_a_snapshot_epoch_and_not_at_the_end():
    from components.page.views.epochs import MARKER, marker_shapes, stops
    from models.config import ExperimentConfig, TrainConfig
    from models.experiment import run_experiment

    config = ExperimentConfig(seq_len=10, hidden_size=4, train=TrainConfig(epochs=6))
    run = run_experiment(config.with_(series=config.series.__class__(length=200)))
    epochs = stops(run)
    assert marker_shapes(run, len(epochs) - 1) == [] and marker_shapes(None, 0) == []
    (shape,) = marker_shapes(run, 1)
    assert shape["name"] == MARKER and shape["x0"] == shape["x1"] == epochs[1] < run.epochs_done
    assert shape["label"]["text"] == f"replay: epoch {epochs[1]}"


def test_gate_titles_get_room_and_the_toolbar_keeps_its_strip():
    from components.page.figures import TOOLBAR_PX, make_gates_figure

    gates = {"a": np.zeros((20, 4)), "h": np.zeros((20, 4))}
    fig = make_gates_figure(gates, "rnn")
    top, bottom = sorted([fig.layout.yaxis.domain, fig.layout.yaxis2.domain], key=lambda d: -d[0])
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert (top[0] - bottom[1]) * plot_px >= 27  # a subplot title (about 16 px) fits between two heatmaps
    assert fig.layout.margin.r >= 60 + TOOLBAR_PX


def test_every_lesson_has_its_rule_and_every_part_names_lessons_there_are():
    from pathlib import Path

    from components.page.form import FIELD_LESSONS
    from components.page.lessons import LESSONS, part
    from models.knobs import PAGE_KNOBS

    css = (Path(__file__).resolve().parents[2] / "assets" / "gatelab.css").read_text()
    for name in LESSONS:  # the stylesheet hides what is not of the lesson shown
        assert f'.gl-on-{name} [data-lessons]:not([data-lessons~="{name}"])' in css
    assert set(FIELD_LESSONS) == {k.key for k in PAGE_KNOBS}  # every field is in some lesson
    assert part("basics inside", "x").to_plotly_json()["props"]["data-lessons"] == "basics inside"
    with pytest.raises(ValueError, match="no lesson"):
        part("basics nowhere", "x")


def test_what_the_page_sends_for_a_window_or_a_length_is_read_as_a_number_or_not_at_all():
    from components.page.views.results import rollout_steps
    from components.page.views.shown import window_index
    from models.rules import MAX_ROLLOUT

    assert [window_index(v, 270) for v in (5, 5.0, -3, 999, "x", None, True, float("nan"))] == [5, 5, 0, 269, 0, 0, 0, 0]
    assert window_index(3, 0) == 0
    assert [rollout_steps(v) for v in (50, 0, 10**9, "x", None, False, float("nan"))] == [
        50, 200, MAX_ROLLOUT, 200, 200, 200, 200]


def test_a_finished_sweep_says_done_and_a_stopped_one_how_far_it_got():
    from components.page.views.sweep import ended

    sweep = {"values": [0, 1, 2], "cells": ["lstm", "rnn"], "points": [{}] * 6}
    assert ended({"status": "done", "sweep": sweep}) == "done: 6 runs"
    stopped = {"status": "cancelled", "sweep": dict(sweep, points=[{}] * 4)}
    assert ended(stopped) == "cancelled: 4 of 6 runs finished"
    # a job that says done but has fewer points than planned (a run that failed) does not claim them all
    assert ended({"status": "done", "sweep": dict(sweep, points=[{}] * 5)}) == "done: 5 of 6 runs finished"


def test_the_model_line_names_what_train_will_train_and_where_each_field_is():
    from components.page.summary import FIELDS, home, words

    said = words({"dataset": "nile", "cell": "gru", "backend": "torch", "seq-len": "30", "hidden-size": "16",
                  "horizon": "1", "ensemble": "5", "transform": "diff"})
    assert [said[f] for f in FIELDS] == ["Nile flow at Aswan", "GRU", "PyTorch", "window L 30", "H 16",
                                         "one step ahead", "ensemble of 5 seeds", "differences"]
    said = words({"dataset": "synthetic", "cell": "rnn", "backend": "numpy", "seq-len": "", "hidden-size": "2.5",
                  "horizon": "10", "ensemble": "1", "transform": "es"})
    assert [said[f] for f in FIELDS] == ["synthetic series", "RNN", "NumPy", "window L ?", "H 2.5", "horizon k 10",
                                         "one seed", "ES hybrid"]
    # each link opens a lesson that shows its field
    assert [home(f) for f in FIELDS] == ["basics", "basics", "basics", "basics", "basics", "ahead", "trust", "data"]
    # links: fields off the lesson shown that differ from the default; none on the whole page
    from components.page.summary import linked

    carried = {"dataset": "synthetic", "cell": "rnn", "backend": "numpy", "seq-len": "60", "hidden-size": "32",
               "horizon": "1", "ensemble": "5", "transform": "detrend"}
    assert linked(carried, "ahead", False) == {"cell", "ensemble"}
    assert linked(carried, "trust", False) == {"cell"}  # the ensemble's field is on the lesson
    assert linked(carried, "why-gates", False) == {"ensemble"}  # so is the cell's
    assert linked(carried, "ahead", True) == set()
    assert linked(dict(carried, cell="lstm", ensemble="1"), "compare", False) == set()


def test_every_glossary_term_is_marked_on_a_lesson_in_one_sentence():
    from components.page.glossary import TERMS, marked, marks, plain
    from components.page.lessons import LESSONS

    marked_terms = [t for lesson in LESSONS.values() for t in marks(lesson.intro)]
    assert set(marked_terms) == set(TERMS) and len(marked_terms) == len(set(marked_terms))  # each once
    assert len(TERMS) >= 12
    for key, sentence in TERMS.items():
        assert sentence.endswith(".") and ". " not in sentence, key  # one sentence
    pieces = marked("reads a [[window]] and a [[few steps|rollout]] ahead")
    assert pieces[0] == "reads a " and pieces[1].children == "window" and pieces[3].children == "few steps"
    assert pieces[3].to_plotly_json()["props"]["data-term"] == "rollout"
    assert plain("a [[few steps|rollout]] ahead") == "a few steps ahead"
    with pytest.raises(ValueError, match="no glossary term 'gaet'"):
        marked("a [[gaet]]")


def test_the_verdict_of_several_runs_names_twins_once_and_the_best_against_the_baselines(tiny_record):
    from components.page.views.results import verdicts
    from models.metrics import Scores

    def run(label_cell, backend, mse, number):
        return tiny_record.with_(config=tiny_record.config.with_(cell=label_cell, backend=backend), number=number,
                                 metrics=Scores(mse, mse ** 0.5, mse ** 0.5, 1.0))

    runs = [run("rnn", "numpy", 0.1265, 3), run("rnn", "torch", 0.1265 + 1e-9, 6), run("gru", "numpy", 0.258, 2)]
    text = verdicts(runs)
    assert text.startswith("#3 NumPy RNN and #6 PyTorch RNN scored best (test MSE 0.127), 0.132 below #2 NumPy GRU")
    assert "The best of them against the baselines: #3 NumPy RNN: MSE 0.127" in text
    assert text.count("times linear AR") == 1  # one run's verdict, not one per run
