"""The ``gatelab`` command, run as a person runs it: a separate process."""

import json
import subprocess
import sys

import pytest

from models.run import RunRecord

ROOT = __file__.rsplit("/tests/", 1)[0]


def gatelab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_train_json_prints_the_run_record():
    p = gatelab("train", "--json", "--backend", "torch", "--cell", "gru", "--epochs", "3", "--hidden-size", "8",
                "--length", "300", "--seq-len", "20", "--rollout-steps", "30")
    assert p.returncode == 0, p.stderr
    record = RunRecord.from_json(json.loads(p.stdout))  # exactly one JSON document, nothing else on stdout
    assert record.config.backend == "torch" and record.config.cell == "gru" and record.epochs_done == 3
    assert set(record.baselines) == {"persistence", "seasonal_naive", "drift", "linear_ar", "auto_ets", "auto_arima",
                                     "auto_theta"}
    assert json.loads(p.stdout)["verdict"].startswith("PyTorch GRU")
    assert len(record.rollout.pred) == 30 and len(record.forecast.pred) == 300 - 210
    assert record.metrics.rmse == pytest.approx(record.metrics.mse ** 0.5)


def test_train_a_plain_rnn():
    p = gatelab("train", "--json", "--cell", "rnn", "--epochs", "2", "--hidden-size", "4", "--length", "300",
                "--seq-len", "20", "--rollout-steps", "10")
    assert p.returncode == 0, p.stderr
    record = RunRecord.from_json(json.loads(p.stdout))
    assert record.config.cell == "rnn" and record.label == "NumPy RNN"
    assert record.weights["rnn.weight_hh_l0"].shape == (4, 4)  # nn.RNN's layout: one block, no gates


def test_train_the_textbook_gru_with_dropout_and_early_stopping():
    p = gatelab("train", "--json", "--cell", "gru_cho", "--epochs", "40", "--hidden-size", "8", "--length", "300",
                "--seq-len", "20", "--rollout-steps", "10", "--learning-rate", "0.05", "--dropout", "0.2",
                "--val-fraction", "0.2", "--patience", "3")
    assert p.returncode == 0, p.stderr
    record = RunRecord.from_json(json.loads(p.stdout))
    assert record.label == "NumPy GRU (Cho)" and record.config.dropout == 0.2
    assert record.best_epoch > 0 and len(record.history.val_loss) == record.epochs_done


def test_train_prints_a_summary_with_baselines_named_as_on_the_page():
    p = gatelab("train", "--epochs", "2", "--length", "300", "--seq-len", "20", "--hidden-size", "4")
    assert p.returncode == 0, p.stderr
    assert all(name in p.stdout for name in ("persistence", "seasonal naive", "drift", "linear AR", "MSE", "MASE"))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden-size", "0"], "--hidden-size must be a whole number from 1 to 1024, got 0"),
        (["--hidden-size", "2.5"], "--hidden-size must be a whole number from 1 to 1024; 2.5 is not a whole number"),
        (["--seq-len", "700"], "--seq-len must be at most 628 for a series of 900 points"),
        (["--length", "10"], "--length must be a whole number from 50 to 100000, got 10"),
        (["--series-seed", "-1"], "--series-seed must be a whole number from 0 to 999999, got -1"),
        (["--periods", "0,17"], "--periods must be up to 8 numbers greater than 2"),
        (["--periods", "50,,17"], "number 2 is missing"),
        (["--periods", "abc"], "'abc' is not a number"),
        (["--periods", "50,17,120"], "--amplitudes need one value per period (3), got 2"),
        (["--noise", "-1"], "--noise must be a number from 0 to 10, got -1"),
        (["--epochs", "many"], "--epochs must be a whole number from 1 to 10000; 'many' is not a number"),
        (["--backend", "jax"], "--backend must be one of numpy, torch, got 'jax'"),
        (["--threads", "0"], "--threads must be a whole number from 1 to 64, got '0'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--backend", "torch", "--cell", "gru_cho"], "--cell GRU (Cho), the textbook GRU, runs on the NumPy backend"),
        (["--dropout", "1"], "--dropout must be a number from 0 to 0.9, got 1"),
        (["--val-fraction", "0.9"], "--val-fraction must be a number from 0 to 0.5, got 0.9"),
        (["--patience", "0"], "--patience must be a whole number from 1 to 1000, got 0"),
    ],
)
def test_bad_options_get_one_line_naming_the_option_and_status_2(args, message):
    p = gatelab("train", *args)
    assert p.returncode == 2
    assert message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_help_says_which_limits_apply():
    p = gatelab("train", "--help")
    assert p.returncode == 0
    assert "A served page may cap epochs, hidden size and length lower" in " ".join(p.stdout.split())


def test_train_several_steps_ahead_prints_each_method():
    p = gatelab("train", "--horizon", "10", "--epochs", "2", "--length", "300", "--seq-len", "20",
                "--hidden-size", "4")
    assert p.returncode == 0, p.stderr
    assert "10 steps ahead, over 81 test windows (MSE at steps 1 / 10):" in p.stdout
    assert all(m in p.stdout for m in ("direct", "recursive", "persistence", "linear AR (direct)"))


def _monthly_csv(tmp_path, n: int = 72):
    """A short monthly CSV, as a practitioner's file: six years of months with a season that grows."""
    import numpy as np

    t = np.arange(n)
    y = (100 + 2 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + np.random.default_rng(0).normal(0, 2, n)
    path = tmp_path / "sales.csv"
    path.write_text("month,sales\n" + "".join(f"{2000 + i // 12}-{i % 12 + 1:02d}-01,{v:.3f}\n"
                                                for i, v in enumerate(y)))
    return path


def test_a_short_monthly_csv_trains_at_the_settings_proposed_from_it(tmp_path):
    p = gatelab("train", "--csv", str(_monthly_csv(tmp_path)), "--epochs", "3", "--ensemble", "1")
    assert p.returncode == 0, p.stderr
    assert "Proposed from the data: season 12 (monthly dates); window 12 (one season)" in p.stderr
    assert "inputs es" in p.stdout and "AutoETS" in p.stdout and "AutoARIMA" in p.stdout
    assert "MSE" in p.stdout.splitlines()[-3] or "beats" in p.stdout or "best" in p.stdout


def test_train_auto_json_carries_the_choice_and_the_candidates(tmp_path):
    p = gatelab("train", "--csv", str(_monthly_csv(tmp_path)), "--auto", "--json", "--seconds", "5",
                "--epochs", "3", "--hidden-size", "4")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    auto = out["auto"]
    assert auto["candidates"] and all("settings" in c and "validation_mse" in c for c in auto["candidates"])
    record = RunRecord.from_json(out)  # the choice travels beside the record, which still reads
    chosen = auto["settings"]
    assert record.config.seq_len == chosen["seq-len"] and record.config.transform == chosen["transform"]
    assert record.config.hidden_size == chosen["hidden-size"] and record.config.train.epochs == chosen["epochs"]
    scored = [c for c in auto["candidates"] if c["validation_mse"] is not None]
    ensembles = [c for c in scored if c["settings"]["ensemble"] > 1] or scored  # the choice is among ensembles
    assert min(ensembles, key=lambda c: c["validation_mse"])["settings"] == chosen
    assert out["verdict"].startswith("NumPy LSTM")


def test_suggest_prints_its_choice_and_how_to_train_at_it(tmp_path):
    p = gatelab("suggest", "--csv", str(_monthly_csv(tmp_path)), "--seconds", "5", "--epochs", "3",
                "--hidden-size", "4")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Suggested: ") and "validation MSE" in p.stdout
    assert "Train at it: gatelab train --transform " in p.stdout and "--seq-len " in p.stdout
    bad = gatelab("suggest", "--csv", str(_monthly_csv(tmp_path)), "--seconds", "1")
    assert bad.returncode == 2 and "--seconds must be a number from 5 to 3600, got 1" in bad.stderr


def test_guide_writes_one_lessons_page_and_names_a_bad_lesson(tmp_path):
    out = tmp_path / "guide.html"
    p = gatelab("guide", "--lesson", "ahead", "--out", str(out), "--url", "http://room12:8050")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"wrote {out}: 1 lesson")
    page = out.read_text()
    assert '<section id="ahead">' in page and 'href="http://room12:8050/?lesson=ahead"' in page
    bad = gatelab("guide", "--lesson", "nope")
    assert bad.returncode == 2 and "--lesson must be one of basics" in bad.stderr
