"""The ``gatelab`` command, run as a person runs it: a separate process."""

import json
import subprocess
import sys

import pytest

ROOT = __file__.rsplit("/tests/", 1)[0]


def gatelab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_train_json_prints_one_object_with_every_field():
    p = gatelab("train", "--json", "--backend", "torch", "--cell", "gru", "--epochs", "3", "--hidden-size", "8",
                "--length", "300", "--seq-len", "20", "--rollout-steps", "30")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)  # exactly one JSON document, nothing else on stdout
    for key in ("test_mse", "test_mae", "test_rmse", "baselines", "train_loss", "test_loss", "grad_norm",
                "epoch_seconds", "config"):
        assert key in out
    assert len(out["train_loss"]) == 3 and set(out["baselines"]) == {"persistence", "linear_ar"}
    assert out["config"]["backend"] == "torch" and out["config"]["train"]["epochs"] == 3
    assert out["test_rmse"] == pytest.approx(out["test_mse"] ** 0.5)


def test_train_prints_a_summary_with_baselines():
    p = gatelab("train", "--epochs", "2", "--length", "300", "--seq-len", "20", "--hidden-size", "4")
    assert p.returncode == 0, p.stderr
    assert "persistence" in p.stdout and "linear_ar" in p.stdout and "MSE" in p.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden-size", "0"], "hidden_size must be an integer in [1, 1024], got 0"),
        (["--seq-len", "700"], "seq_len must be an integer in [1, 628]"),
        (["--periods", "0,17"], "period must be > 0, got 0.0"),
        (["--periods", "abc"], "periods must be comma-separated numbers"),
        (["--noise", "-1"], "noise must be >= 0, got -1.0"),
        (["--epochs", "many"], "argument --epochs: invalid int value: 'many'"),
        (["--backend", "jax"], "argument --backend: invalid choice: 'jax'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_options_get_one_line_and_status_2(args, message):
    p = gatelab("train", *args)
    assert p.returncode == 2
    assert message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
