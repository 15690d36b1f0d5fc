"""Sweeps over training seeds and window lengths: the spec, the job, the figure, and the command."""

import json
import subprocess
import sys

import pytest

from components.page.figures import make_sweep_figure
from components.server.board import JobBoard
from components.server.job import JobOutcome, make_request, run_request
from components.page.views.sweep import note
from data import SeriesConfig
from models.experiment import run_experiment
from models.sweep import LONG_SEASON, SweepSpec, point, summary
from models.train import TrainConfig
from tests.conftest import TINY

ROOT = __file__.rsplit("/tests/", 1)[0]


def test_defaults_are_the_notebooks_exercises():
    seeds = SweepSpec.parse("seed", "", None)
    assert seeds.values == (0, 1, 2, 3, 4) and seeds.cells == ("lstm", "gru", "rnn")
    windows = SweepSpec.parse("seq-len", None, ["lstm"])
    assert windows.values == (20, 40, 60, 90, 120)
    assert LONG_SEASON.periods == (50.0, 120.0)
    configs = windows.configs(TINY.with_(series=SeriesConfig(length=900)))
    assert [c.seq_len for c in configs] == [20, 40, 60, 90, 120]
    assert [c.train.seed for c in seeds.configs(TINY)] == [0, 1, 2, 3, 4] * 3
    assert [c.cell for c in seeds.configs(TINY)][::5] == ["lstm", "gru", "rnn"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("epoch", "1", None), "Sweep over must be one of seed, seq-len, got 'epoch'"),
        (("seed", "1, x", None), "Values must be whole numbers separated by commas, such as 0, 1, 2, 3, 4; got '1, x'"),
        (("seq-len", "0, 20", None), "Values must be different whole numbers of at least 1, got '0, 20'"),
        (("seed", "1, 1", None), "Values must be different whole numbers of at least 0, got '1, 1'"),
        (("seed", "1", []), "Cells must be some of lstm, gru, rnn, gru_cho, got none"),
        (("seed", ",".join(map(str, range(11))), None), "a sweep may have at most 30 runs; 11 values x 3 cells make 33"),
    ],
)
def test_a_bad_sweep_says_which_field(args, message):
    with pytest.raises(ValueError) as e:
        SweepSpec.parse(*args)
    assert str(e.value) == message


def test_a_window_too_long_for_the_series_is_refused_before_any_run():
    with pytest.raises(ValueError, match="seq_len must be at most 166 for a series of 240 points"):
        SweepSpec.parse("seq-len", "20, 200", ["lstm"]).configs(TINY)


def test_a_sweep_is_one_job_with_a_point_per_run_and_no_runs_kept():
    spec = SweepSpec.parse("seed", "0, 1", ["lstm", "rnn"])
    progress = []
    outcome = run_request(progress.append, make_request("s1", "s", spec.configs(TINY), spec.to_json()))
    assert outcome.status == "done" and outcome.runs == ()
    points = outcome.sweep["points"]
    assert [(p["cell"], p["value"]) for p in points] == [("lstm", 0), ("lstm", 1), ("rnn", 0), ("rnn", 1)]
    # each point is the run the same config makes on its own
    alone = run_experiment(TINY.with_(cell="rnn", train=TrainConfig(epochs=3, seed=1)))
    assert points[3]["mse"] == pytest.approx(alone.metrics.mse, rel=1e-12)
    assert points[3]["baselines"]["linear_ar"] == pytest.approx(alone.baselines["linear_ar"].mse, rel=1e-12)
    assert [p[1] for p in progress if "epoch" in p[1]][-1] == "sweep, run 4 of 4, NumPy RNN, training seed 1: epoch 3 of 3"
    assert JobOutcome.from_json(json.loads(json.dumps(outcome.to_json()))) == outcome
    s = summary(points)
    assert s["lstm"]["spread"] == pytest.approx(abs(points[0]["mse"] - points[1]["mse"]))
    assert points[3]["rollout_mse"] == pytest.approx(alone.rollout_scores.mse, rel=1e-12)
    assert s["rnn"]["rollout_median"] == pytest.approx((points[2]["rollout_mse"] + points[3]["rollout_mse"]) / 2)
    assert note(outcome.sweep).startswith("Test MSE over 4 runs: LSTM mean ")


def test_a_cancelled_sweep_keeps_the_runs_it_finished(tmp_path):
    board = JobBoard(tmp_path, slots=1)
    board.beat("s")
    spec = SweepSpec.parse("seed", "0, 1, 2", ["lstm"])
    configs = [c.with_(hidden_size=32, train=TrainConfig(epochs=500, seed=c.train.seed)) if c.train.seed == 1 else c
               for c in spec.configs(TINY)]

    def on_progress(p):
        if p[1].startswith("sweep, run 2 of 3"):
            board.cancel("s2")

    outcome = run_request(on_progress, make_request("s2", "s", configs, spec.to_json()), board)
    assert outcome.status.startswith("NumPy LSTM: cancelled at epoch ")
    assert [p["value"] for p in outcome.sweep["points"]] == [0]  # the run cut short is not a point
    assert note(outcome.sweep).startswith("Test MSE over 1 of 3 runs")
    assert board.counts() == (0, 0)


def test_the_figures_draw_every_point_and_both_baselines():
    points = [point(run_experiment(TINY.with_(cell=c, seq_len=L)), "seq-len") for c in ("lstm", "gru")
              for L in (8, 16)]
    fig = make_sweep_figure({"over": "seq-len", "values": [8, 16], "cells": ["lstm", "gru"], "points": points})
    assert [t.name for t in fig.data] == ["LSTM", "GRU", "persistence", "linear AR"]
    assert list(fig.data[1].x) == [8, 16] and list(fig.data[1].y) == [points[2]["mse"], points[3]["mse"]]
    seeds = make_sweep_figure({"over": "seed", "values": [0], "cells": ["lstm"], "points": points[:1]})
    assert seeds.data[0].x == ("LSTM",) and len(seeds.layout.shapes) == 2  # the two baselines


def test_gatelab_sweep_json():
    p = subprocess.run([sys.executable, "-m", "cli", "sweep", "--over", "seq-len", "--values", "20,40",
                        "--cells", "lstm,rnn", "--epochs", "2", "--hidden-size", "4", "--length", "400", "--json"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert result["over"] == "seq-len" and [pt["value"] for pt in result["points"]] == [20, 40, 20, 40]
    assert set(result["summary"]) == {"lstm", "rnn"}
    bad = subprocess.run([sys.executable, "-m", "cli", "sweep", "--values", "x"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.strip() == ("gatelab: error: --values must be whole numbers separated by commas, such as "
                                  "0, 1, 2, 3, 4; got 'x'")
