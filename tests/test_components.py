"""Figure builders and callback functions, called directly: no browser."""

import numpy as np
import pytest

from components import runs as runs_mod
from components.controls import FIELD_IDS, NUMBER_FIELDS, LIST_FIELDS, parse_form
from components.figures import (loss_progress_patch, make_gates_figure, make_live_loss_figure, make_loss_figure,
                                make_rollout_figure, make_series_figure)
from components.results import make_metrics_table, restore
from components.training import training_job
from data import SeriesConfig
from models.experiment import ExperimentConfig
from models.train import TrainConfig, TrainingDiverged

DEFAULTS = {f.id: f.default for f in NUMBER_FIELDS} | {k: v[1] for k, v in LIST_FIELDS.items()}
TINY = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5, train=TrainConfig(epochs=3),
                        rollout_steps=30)


def test_default_form_is_the_reference_experiment():
    config, errors = parse_form(DEFAULTS)
    assert errors == {}
    assert config == ExperimentConfig()
    assert set(DEFAULTS) == set(FIELD_IDS)


@pytest.mark.parametrize(
    "field, raw, message",
    [
        ("hidden-size", 0, "Hidden size H must be a whole number from 1 to 256, got 0"),
        ("hidden-size", 2.5, "Hidden size H must be a whole number from 1 to 256, got 2.5"),
        ("epochs", None, "Epochs must be a whole number from 1 to 500; it is empty"),
        ("series-noise", -0.5, "Noise σ must be a number from 0 to 10, got -0.5"),
        ("series-periods", "50, abc", "'abc' is not a number"),
        ("series-periods", "", "it is empty"),
        ("series-amplitudes", "1", "Amplitudes need one value per period (2), got 1"),
        ("seq-len", 629, "Window length L must be at most 628 for a series of 900 points (630 of them train)"),
        ("learning-rate", "nan", "Learning rate must be a number from 1e-05 to 1"),
    ],
)
def test_each_bad_field_gets_its_own_message(field, raw, message):
    config, errors = parse_form(DEFAULTS | {field: raw})
    assert config is None
    assert set(errors) == {field}
    assert message in errors[field]


def test_clip_zero_means_no_clipping_and_three_periods_work():
    config, errors = parse_form(DEFAULTS | {"clip-norm": 0, "series-periods": "50, 17, 120",
                                            "series-amplitudes": "1, 0.5, 2"})
    assert errors == {} and config.train.clip_norm is None
    assert [c.period for c in config.series.components] == [50, 17, 120]
    assert [c.phase for c in config.series.components] == [0.0, 0.8, 0.0]


def test_progress_patch_sets_whole_arrays():
    history = {"train_loss": [3.0, 2.0, 1.0], "test_loss": [4.0, 3.0, 2.5], "grad_norm": [1.0, 0.5, 0.2]}
    patch = loss_progress_patch(history)
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    assert ops[("data", 0, "x")] == [1, 2, 3] and ops[("data", 0, "y")] == [3.0, 2.0, 1.0]
    assert ops[("data", 1, "y")] == [4.0, 3.0, 2.5] and ops[("data", 2, "y")] == [1.0, 0.5, 0.2]
    assert all(op["operation"] == "Assign" for op in patch["operations"])


def test_live_figure_has_the_three_traces_the_patch_fills():
    fig = make_live_loss_figure(40, log_y=True, show_grad=False)
    assert [t.meta for t in fig.data] == ["train", "test", "grad"]
    assert fig.layout.xaxis.range == (0.5, 40.5) and fig.layout.yaxis.type == "log"
    assert fig.data[2].visible is False


def test_series_figure_shades_the_test_part():
    fig = make_series_figure(np.arange(100.0), 70)
    assert fig.layout.shapes[0].x0 == 69.5 and fig.layout.shapes[0].x1 == 99.5


@pytest.fixture(scope="module")
def job():
    progress = []
    result = training_job(progress.append, {"id": "abc", "configs": [TINY.as_dict(), TINY.with_(cell="gru",
                                                                                                  backend="torch").as_dict()]})
    return progress, result


def test_training_job_reports_progress_and_returns_labelled_runs(job):
    progress, result = job
    assert "error" not in result
    assert [r["id"] for r in result["runs"]] == ["abc-0", "abc-1"]
    assert [r["label"] for r in result["runs"]] == ["NumPy LSTM", "PyTorch GRU"]
    percent, label, patch, status = progress[-1]
    assert status == "running"
    assert percent == pytest.approx(100.0) and label == "run 2 of 2, PyTorch GRU: epoch 3 of 3"
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    assert ops[("data", 0, "y")] == pytest.approx(result["runs"][1]["history"]["train_loss"])


def test_training_job_turns_failure_into_a_message(monkeypatch):
    def diverge(*args, **kwargs):
        raise TrainingDiverged("training diverged at epoch 2: the loss is nan; lower the learning rate")

    monkeypatch.setattr("components.training.run_experiment", diverge)
    result = training_job(lambda p: None, {"id": "x", "configs": [TINY.as_dict()]})
    assert result["error"] == "NumPy LSTM: training diverged at epoch 2: the loss is nan; lower the learning rate"
    assert result["runs"] == []


def test_restored_weights_reproduce_the_jobs_rollout_on_numpy(job):
    """A torch-trained run, rebuilt on the NumPy backend in the web process, rolls out the same."""
    _, result = job
    run = result["runs"][1]
    again = restore(run).rollout(30)
    np.testing.assert_allclose(again, run["rollout"]["pred"], rtol=1e-4, atol=1e-4)


def test_runs_are_numbered_capped_and_shown(job):
    _, result = job
    runs, new = runs_mod.add_runs([], result)
    assert [r["label"] for r in new] == ["#1 NumPy LSTM", "#2 PyTorch GRU"]
    second = {"runs": [{**r, "id": r["id"] + "-again"} for r in result["runs"]]}
    runs, new = runs_mod.add_runs(runs, second)
    assert [r["number"] for r in runs] == [1, 2, 3, 4]
    assert runs_mod.shown_runs(runs, [], runs[2]["id"]) == [runs[2]]
    assert runs_mod.shown_runs(runs, [0, 3], runs[2]["id"]) == [runs[0], runs[3]]
    many = {"runs": result["runs"] * 20}
    capped, _ = runs_mod.add_runs(runs, many)
    assert len(capped) == runs_mod.MAX_RUNS and capped[-1]["number"] == 44
    row = runs_mod.table_row(runs[0])
    assert row["mse"] == round(runs[0]["metrics"]["mse"], 4) and row["epochs"] == 3


def test_figures_of_finished_runs(job):
    _, result = job
    runs, _ = runs_mod.add_runs([], result)
    loss = make_loss_figure(runs, show_grad=True)
    assert len(loss.data) == 6 and loss.data[0].name == "#1 NumPy LSTM: train loss" and loss.data[2].visible
    rollout = make_rollout_figure(runs[0]["series"]["values"], runs[0]["series"]["split"],
                                  [("a", [0.0] * 30)])
    assert rollout.data[1].x[0] == runs[0]["series"]["split"] and len(rollout.data[1].y) == 30
    gates = restore(runs[0]).gate_activations(3)
    fig = make_gates_figure(gates, "lstm")
    assert [t.name for t in fig.data] == ["i", "f", "g", "o", "c"]
    assert np.shape(fig.data[0].z) == (5, 16)  # hidden unit x time step
    np.testing.assert_allclose(np.array(fig.data[1].z), gates["f"].T)
    table = make_metrics_table(runs[0])
    cells = [[c.children for c in tr.children] for tr in table[1].children]
    assert cells[1][0] == "persistence" and cells[0][1] == f"{runs[0]['metrics']['mse']:.4f}"


def test_weights_pack_and_unpack_exactly_in_float32():
    from components.runs import pack_weights, unpack_weights
    from models import create_model

    state = create_model("torch", "lstm", 1, 7, seed=4).state_dict()
    back = unpack_weights(pack_weights(state))
    assert list(back) == list(state)
    for k in state:
        np.testing.assert_array_equal(back[k], state[k].astype(np.float32))


def test_callbacks_called_directly(job):
    from components.controls import show_field_errors
    from components.results import show_results, style_loss
    from components.runs import on_result

    raw = [DEFAULTS[i] for i in FIELD_IDS]
    flags_and_messages = show_field_errors(*raw)
    assert flags_and_messages == [False] * len(FIELD_IDS) + [""] * len(FIELD_IDS)
    raw[FIELD_IDS.index("hidden-size")] = 0
    out = show_field_errors(*raw)
    k = FIELD_IDS.index("hidden-size")
    assert out[k] is True and out[len(FIELD_IDS) + k].startswith("Hidden size H must be")

    _, result = job
    runs, current, selected, status, final = on_result(result, [])
    assert status == "done" and final == {"id": "abc", "text": "done"}
    assert current == runs[-1]["id"] and selected == [0, 1]
    _, _, _, status, final = on_result({"request_id": "x", "runs": [], "error": "NumPy LSTM: training diverged"}, runs)
    assert status == "NumPy LSTM: training diverged" and final["id"] == "x"

    loss, forecast, table = show_results(runs, [], runs[0]["id"], ["log"])
    assert loss.layout.yaxis.type == "log" and len(loss.data) == 3
    assert [t.name for t in forecast.data] == ["truth", "#1 NumPy LSTM"]
    loss, forecast, _ = show_results(runs, [0, 1], runs[0]["id"], [])
    assert len(loss.data) == 6 and len(forecast.data) == 3

    patch = style_loss(["grad"], loss.to_plotly_json()).to_plotly_json()
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    assert ops[("layout", "yaxis", "type")] == "linear" and ops[("data", 2, "visible")] is True
    assert ops[("data", 5, "visible")] is True and ("data", 0, "visible") not in ops
