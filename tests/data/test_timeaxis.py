"""Time axes: a data set's years or dates, a CSV file's time column, or steps; and the records that carry them."""

import json

import numpy as np
import pytest

from data.datasets import DATASETS
from data.timeaxis import time_axis
from models.config import ExperimentConfig, TrainConfig
from models.cost import Served
from models.experiment import run_experiment
from models.run import RunRecord


def test_years_become_a_year_axis_that_goes_on_past_the_data():
    axis = time_axis(["1871", "1872", "1873"], 6)
    assert axis.title == "year" and axis.xs(range(6)) == [1871, 1872, 1873, 1874, 1875, 1876]
    assert axis.edge(2) == 1872.5  # a line between 1872 and 1873
    assert time_axis(["1700", "1705", "1710"], 4).x(3) == 1715  # at the labels' spacing


def test_dates_become_a_date_axis_monthly_by_months_and_hourly_by_hours():
    monthly = time_axis(["2020-01-01", "2020-02-01", "2020-03-01"], 5)
    assert monthly.title == "date" and monthly.xs([3, 4]) == ["2020-04-01", "2020-05-01"]
    assert monthly.edge(1) == "2020-02-01"
    hourly = time_axis(["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 02:00"], 5)
    assert hourly.x(4) == "2020-01-01 04:00:00"  # not 03:59:59 from a sum of fractions of a day


@pytest.mark.parametrize("times", [None, [], ["a", "b", "c"], ["2020-01-03", "2020-01-02", "2020-01-01"],
                                   ["1990", "1980", "1970"]])
def test_labels_that_are_not_increasing_years_or_dates_keep_the_steps(times):
    axis = time_axis(times, 5)
    assert axis.title == "time step" and axis.is_steps and axis.xs([0, 4]) == [0, 4] and axis.edge(3) == 2.5


def test_a_data_set_run_carries_its_years_and_they_survive_its_json():
    config = ExperimentConfig(dataset="nile", seq_len=10, hidden_size=4, transform="none",
                              train=TrainConfig(epochs=1, batch_size=16))
    record = run_experiment(config)
    assert record.times == tuple(DATASETS["nile"].load()[0])
    assert record.axis.title == "year" and record.axis.x(record.split) == 1871 + 70
    again = RunRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert again.times == record.times and again.problems(Served()) == []
    short = again.with_(times=again.times[:5])
    assert any("time labels" in p for p in short.problems(Served()))


def test_a_synthetic_run_has_no_times_and_keeps_its_steps():
    config = ExperimentConfig(seq_len=10, hidden_size=4, train=TrainConfig(epochs=1))
    record = run_experiment(config.with_(series=config.series.__class__(length=200)))
    assert record.times == () and record.axis.is_steps
    assert "times" not in record.to_json()  # and so an older reader's digest still matches
    assert np.isfinite(record.metrics.mse)


def test_the_preview_shades_the_test_part_in_the_datas_own_years_and_dates():
    from components.page.figures import make_series_figure

    times, values = DATASETS["nile"].load()
    shade = make_series_figure(values, 70, times).layout.shapes[0]
    assert (shade.x0, shade.x1) == (1940.5, 1970.5)  # 1941-1970, not up to "step 99.5"
    times, values = DATASETS["co2"].load()
    shade = make_series_figure(values, 1598, times).layout.shapes[0]
    assert shade.x0 == times[1598] and shade.x1 > times[-1]
