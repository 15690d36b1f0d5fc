"""A run as a notebook (``components.notebooks.writer``, ``gatelab notebook``): executed with nbclient, it trains
the run again and reproduces its test MSE, to 1e-9 for NumPy float64 and 1e-6 otherwise."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

pytestmark = pytest.mark.jupyter  # notebooks executed by nbclient in a kernel

from cli import main
from components.notebooks.writer import notebook_json, notebook_text
from data.upload import Uploaded
from models.ensemble import run_ensemble
from models.experiment import run_experiment
from models.knobs import parse_values
from tests.helpers import run_notebook


def config_of(**settings):
    config, problems = parse_values({k: str(v) for k, v in settings.items()}, name=lambda k: k.key)
    assert not problems, problems
    return config


def sources(text: str) -> str:
    """Every cell's source, as a person reads it in Jupyter."""
    return "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])


def test_a_float64_numpy_run_comes_back_to_1e_9(tmp_path):
    record = run_experiment(config_of(epochs=3, **{"hidden-size": 8, "dtype": "float64", "seq-len": 30}))
    mse, printed = run_notebook(notebook_text(record), tmp_path)
    assert mse == pytest.approx(record.metrics.mse, rel=1e-9, abs=0)
    assert "epoch 3: train loss" in printed[3] and "relative difference 0" in printed[-2]


def test_a_pytorch_ensemble_with_an_interval_comes_back_to_1e_6(tmp_path):
    _, record = run_ensemble(config_of(backend="torch", cell="gru", epochs=2, ensemble=2, interval=0.8,
                                       **{"hidden-size": 6, "seq-len": 20, "series-length": 300}))
    text = notebook_text(record)
    seen = sources(text)
    assert '"ensemble": 2,' in seen and '"interval": 0.8,' in seen and '"backend": "torch",' in seen
    mse, _ = run_notebook(text, tmp_path)
    assert mse == pytest.approx(record.metrics.mse, rel=1e-6)


def test_an_uploaded_file_travels_inside_the_notebook(tmp_path):
    n = 240
    t = np.arange(n)
    rain = np.round(np.random.default_rng(3).gamma(2.0, 1.0, n), 3)
    flow = np.round(20 + 5 * np.sin(2 * np.pi * t / 12) + 0.8 * rain + np.random.default_rng(4).normal(0, 0.5, n), 4)
    data = Uploaded(flow, [str(1800 + i) for i in range(n)], {"rain": rain}, "river.csv: flow")
    config, problems = parse_values({"dataset": "upload", "covariates": "rain", "seq-len": "24", "epochs": "3",
                                     "hidden-size": "8"}, name=lambda k: k.key, length=n, columns=("rain", "flow"),
                                    value_column="flow")
    assert not problems, problems
    record = run_experiment(config, series=data)
    text = notebook_text(record)
    seen = sources(text)
    assert "river.csv" in seen and '"1830",' in seen
    assert f"{float(flow[17])!r}," in seen and f"{float(rain[5])!r}," in seen
    (tmp_path / "river.csv").write_text("not the file")  # the notebook reads nothing from its folder
    mse, _ = run_notebook(text, tmp_path)
    assert mse == pytest.approx(record.metrics.mse, rel=1e-6)


def test_a_cancelled_run_trains_the_epochs_it_finished(tmp_path):
    done = []
    record = run_experiment(config_of(dataset="sunspots", epochs=6, **{"hidden-size": 8, "seq-len": 11}),
                            on_epoch_end=done.append, should_stop=lambda: len(done) >= 2)
    record = record.with_(stopped=f"cancelled at epoch {record.epochs_done}")
    assert record.epochs_done == 2
    nb = notebook_json(record)
    settings = "".join(nb["cells"][3]["source"])
    assert '"epochs": 2,' in settings and '"dataset": "sunspots",' in settings
    assert "ended early (cancelled at epoch 2)" in "".join(nb["cells"][2]["source"])
    mse, _ = run_notebook(json.dumps(nb), tmp_path)
    assert mse == pytest.approx(record.metrics.mse, rel=1e-6)


def test_every_setting_is_written_so_that_it_parses_back_exactly():
    record = run_experiment(config_of(epochs=1, **{"learning-rate": 0.0012345678901234, "series-periods": "50.5, 17",
                                                   "series-noise": 0.1 + 0.2, "hidden-size": 4, "seq-len": 20}))
    source = "".join(notebook_json(record)["cells"][3]["source"])
    settings = eval(source[source.index("{"):source.index("}\n") + 1])  # the dict literal, as the kernel reads it
    config, problems = parse_values(settings, name=lambda k: k.key)
    assert not problems and config == record.config
    assert config.train.learning_rate == 0.0012345678901234 and config.series.noise == 0.1 + 0.2


def test_the_command_writes_the_notebook_and_refuses_what_is_not_a_record(tmp_path, capsys):
    record = run_experiment(config_of(epochs=1, **{"hidden-size": 4, "seq-len": 20}))
    path = tmp_path / "run.json"
    path.write_text(json.dumps(record.to_json()))
    assert main(["notebook", str(path)]) == 0
    nb = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["gatelab"]["test_mse"] == record.metrics.mse
    assert "wrote " in capsys.readouterr().out
    changed = json.loads(path.read_text())
    changed["metrics"]["mse"] = 0.0
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    (tmp_path / "words.json").write_text("not json")
    cases = [([str(tmp_path / "missing.json")], "RUN.json: no file at"),
             ([str(tmp_path / "words.json")], "is not JSON"),
             ([str(tmp_path / "changed.json")], "this run record was changed after it was made"),
             ([str(path), "--out", str(tmp_path / "run.txt")], "--out must name an .ipynb file")]
    for args, words in cases:
        assert main(["notebook", *args]) == 2
        assert words in capsys.readouterr().err


def test_an_ensemble_cancelled_after_two_members_trains_those_two(tmp_path):
    from models.ensemble import combine, member_configs

    config = config_of(ensemble=3, epochs=2, **{"hidden-size": 5, "seq-len": 20, "series-length": 300})
    finished = [run_experiment(c) for c in member_configs(config)[:2]]
    record = combine(config, finished, reason="cancelled")
    nb = notebook_json(record)
    assert '"ensemble": 2,' in "".join(nb["cells"][3]["source"])
    assert "The run kept 2 members (an ensemble of the 2 member(s) that finished, of 3 (cancelled))" in \
        "".join(nb["cells"][2]["source"])
    mse, _ = run_notebook(json.dumps(nb), tmp_path)
    assert mse == pytest.approx(record.metrics.mse, rel=1e-6)
    assert mse != pytest.approx(finished[0].metrics.mse, rel=1e-3)  # the mean of two, not the first alone
