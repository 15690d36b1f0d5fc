"""Reading a CSV file of one's own (``data.upload``), and the data sets that ship with Gatelab."""

import numpy as np
import pytest

from data.datasets import DATASETS
from data.upload import UploadError, read_csv
from models.config import ExperimentConfig
from models.experiment import run_experiment
from models.knobs import parse_values
from models.train import TrainConfig


def error(raw, **kwargs) -> str:
    with pytest.raises(UploadError) as e:
        read_csv(raw, "f.csv", **kwargs)
    return str(e.value)


def test_a_good_file_gives_its_numeric_columns():
    t = read_csv(b"date,flow,site\n2020-01,1.5,a\n2020-02,2.5,b\n2020-03,4,c\n", "f.csv")
    assert t.numeric == ("flow",) and t.series("flow").tolist() == [1.5, 2.5, 4.0]
    assert read_csv(b"t;x\n1;2\n2;3\n").numeric == ("t", "x")  # the separator is sniffed
    assert read_csv("\ufeffx\n1\n2\n".encode()).numeric == ("x",)  # a byte-order mark is fine


@pytest.mark.parametrize(
    "raw, kwargs, message",
    [
        (b"\xff\xfex\n1\n", {}, "f.csv is not UTF-8 text (byte 0 cannot be read); save it as CSV in UTF-8"),
        (b"", {}, "f.csv is empty"),
        (b"x,y\n", {}, "f.csv has a header but no rows"),
        (b"a,b\nx,y\nz,w\n", {}, "f.csv has no numeric column: no column of a, b holds mostly numbers"),
        (b"x\n" + b"1\n" * 600_000, {"max_bytes": 2**20},
         "f.csv is 1.1 MB; the limit on this server is 1 MB (GATELAB_MAX_UPLOAD_MB)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", {}, "f.csv is not UTF-8 text (byte 0 cannot be read)"),
    ],
)
def test_every_bad_file_says_why(raw, kwargs, message):
    assert error(raw, **kwargs).startswith(message)


def test_holes_are_counted_and_dropped_or_interpolated_on_request():
    t = read_csv(b"x\n1\n\nabc\n4\n5\n", "f.csv")
    assert t.bad_cells("x") == 2
    with pytest.raises(UploadError) as e:
        t.series("x")
    assert str(e.value) == ("column 'x' has 2 empty or non-numeric cell(s), the first in row 2; "
                            "choose to drop or interpolate them")
    assert t.series("x", "drop").tolist() == [1, 4, 5]
    dated = read_csv(b"when,x\n2001,1\n2002,\n2003,3\n", "f.csv")
    assert dated.times("when", "x", "drop") == ["2001", "2003"]
    assert dated.times("when", "x", "interpolate") == ["2001", "2002", "2003"] and dated.times(None, "x") is None
    assert t.series("x", "interpolate").tolist() == [1, 2, 3, 4, 5]


def test_too_few_rows_for_the_window_says_how_many_are_needed():
    _, errors = parse_values({"dataset": "upload", "seq-len": "60"}, length=50)
    assert errors == {"seq-len": "Window length L must be at most 33 for a series of 50 points (35 of them train, "
                                 "and two training windows at least), got 60; a window of 60 needs 89 points"}


def test_a_file_far_too_short_says_how_many_points_the_window_needs():
    from data.windows import seq_len_problem

    assert seq_len_problem(60, 1, 0.7) == "60 needs a series of at least 89 points; this one has 1 (0 of them train)"
    assert seq_len_problem(60, 89, 0.7) is None and seq_len_problem(60, 88, 0.7) is not None


def test_an_upload_trains_like_any_series():
    values = np.sin(np.arange(150) / 4.0)
    config = ExperimentConfig(dataset="upload", seq_len=12, hidden_size=4, train=TrainConfig(epochs=2))
    record = run_experiment(config, series=values)
    assert record.series == tuple(values) and record.config.dataset == "upload"
    with pytest.raises(ValueError, match="an uploaded data set needs its series"):
        run_experiment(config)


@pytest.mark.parametrize("name, points, first", [("nile", 100, 1120.0), ("co2", 2284, 316.1),
                                                 ("sunspots", 309, 5.0)])
def test_bundled_data_sets_load_offline_with_their_defaults(name, points, first):
    times, values = DATASETS[name].load()
    assert len(times) == values.shape[0] == points and values[0] == first and np.isfinite(values).all()
    config = ExperimentConfig(dataset=name, seq_len=DATASETS[name].defaults["seq-len"])
    assert config.length == points and config.season == DATASETS[name].season


def test_a_window_too_long_for_a_data_set_is_refused_with_its_length():
    _, errors = parse_values({"dataset": "nile", "seq-len": "80"})
    assert errors["seq-len"].startswith("Window length L must be at most 68 for a series of 100 points")


def test_a_files_season_comes_from_its_time_columns_spacing():
    import pandas as pd

    from data.exogenous import season_of

    def labels(freq, n=40):
        return [str(t) for t in pd.date_range("2001-01-01", periods=n, freq=freq)]

    assert season_of(labels("MS")) == (12, "monthly dates")
    assert season_of(labels("D")) == (7, "daily dates")
    assert season_of(labels("W")) == (52, "weekly dates")
    assert season_of(labels("h")) == (24, "hourly dates")
    assert season_of(labels("QS")) == (4, "quarterly dates")
    assert season_of([str(y) for y in range(1871, 1971)]) == (None, "yearly or irregular dates")
    assert season_of(None) == (None, "no time column")
    assert season_of(["a", "b", "c"]) == (None, "its time column holds no dates")


def test_a_csv_run_scores_the_seasonal_naive_at_its_own_season_or_leaves_it_out():
    import pandas as pd

    from data.upload import Uploaded
    from data.windows import prepare
    from models.baselines import seasonal_naive
    from models.config import ExperimentConfig
    from models.experiment import run_experiment
    from models.metrics import Scores, naive_scale
    from models.train import TrainConfig

    t = np.arange(240)
    values = 10 + np.sin(2 * np.pi * t / 12) + 0.01 * t
    times = [str(d.date()) for d in pd.date_range("1990-01-01", periods=240, freq="MS")]
    config = ExperimentConfig(dataset="upload", seq_len=24, hidden_size=4, train=TrainConfig(epochs=1))
    run = run_experiment(config, series=Uploaded(values, times))
    prep = prepare(values, 24, config.train_fraction, config.transform)
    want = Scores.of(prep.series[prep.test.target_index], seasonal_naive(prep, 12), naive_scale(values, prep.split))
    assert run.baselines["seasonal_naive"].mse == pytest.approx(want.mse)
    assert run.baselines["seasonal_naive"].mse < 0.5 * run.baselines["persistence"].mse  # a real season
    undated = run_experiment(config, series=Uploaded(values))
    assert "seasonal_naive" not in undated.baselines and "persistence" in undated.baselines
    from components.page.views.results import make_metrics_table
    from models.run import RunRecord

    again = RunRecord.from_json(undated.to_json())
    table = str(make_metrics_table([again]))
    assert "left out: no season is known for this series" in table
