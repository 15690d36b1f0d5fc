"""One home for each rule: the page, the command and a config refuse the same values with the same
sentence after the setting's own name (the page's label, the command's flag, the config's field)."""

import dataclasses

import pytest

import cli
from components.page.form import form_config, preset_values
from components.server.settings import Settings
from data.synthetic import SeriesConfig
from models.config import ExperimentConfig
from models.knobs import BY_KEY, KNOBS, parse_values
from models.rules import BOUNDS
from models.train import TrainConfig

NUMBERS = [k for k in KNOBS if k.kind in ("int", "float")]
UNCAPPED = Settings(max_epochs=int(BOUNDS["train.epochs"].high), max_hidden=int(BOUNDS["hidden_size"].high),
                    max_length=int(BOUNDS["series.length"].high))  # a server whose caps are the bounds themselves


def config_with(path: str, value) -> ExperimentConfig:
    """The default config with one field changed (``ValueError`` from whichever dataclass refuses it)."""
    base = ExperimentConfig()
    head, _, name = path.rpartition(".")
    if head == "train":
        return base.with_(train=dataclasses.replace(base.train, **{name: value}))
    if head == "series":
        return base.with_(series=dataclasses.replace(base.series, **{name: value}))
    return base.with_(**{name: value})


def three_sentences(key: str, text: str, value) -> tuple[str, str, str]:
    """What the page, the command and a config say of one bad value, each without the setting's name."""
    knob = BY_KEY[key]
    values = preset_values(None) | {key: text}
    _, page = form_config(values, UNCAPPED)
    with pytest.raises(ValueError) as command:
        cli.config_from_args(cli.build_parser().parse_args(["train", knob.option, text]))
    with pytest.raises(ValueError) as config:
        config_with(knob.path, value)
    field = knob.path.rpartition(".")[2]
    assert page[key].startswith(knob.label + " "), page
    assert str(command.value).startswith(knob.option + " ")
    assert str(config.value).startswith(field + " ")
    return (page[key][len(knob.label):], str(command.value)[len(knob.option):], str(config.value)[len(field):])


@pytest.mark.parametrize("knob", NUMBERS, ids=lambda k: k.key)
def test_every_range_is_refused_alike_at_both_ends(knob):
    bound = knob.bound
    step = 1 if bound.kind == "int" else 0.5
    lows = [bound.low] if bound.low_open else [bound.low - step]
    for bad in [*lows, bound.high + step]:
        bad = int(bad) if bound.kind == "int" else float(bad)
        page, command, config = three_sentences(knob.key, str(bad), bad)
        assert page == command == config, (page, command, config)
        assert f"must be {bound.text()}, got {bad if bound.kind == 'int' else format(bad, 'g')}" in page


@pytest.mark.parametrize("key, text, value, words", [
    ("hidden-size", "2.5", 2.5, "2.5 is not a whole number"),
    ("learning-rate", "0.000001", 1e-6, "a number from 1e-05 to 1, got 1e-06"),
    ("clip-norm", "-1", -1.0, "a number from 0 to 100, got -1"),
    ("seed", "1000000", 1_000_000, "a whole number from 0 to 999999"),
])
def test_a_value_a_layer_once_allowed_is_refused_alike(key, text, value, words):
    """The drifts: learning rate (a config took any rate above 0, the form 1e-5 and up), training and
    series seeds (a config took any, the form up to 999999), noise, trend, holidays and the series'
    lists (a config took any finite number), and a whole number's fraction."""
    page, command, config = three_sentences(key, text, value)
    assert page == command == config
    assert words in page


@pytest.mark.parametrize("changes, key", [
    ({"backend": "torch", "cell": "gru_cho"}, "cell"),
    ({"horizon": "3", "horizon-method": "seq2seq", "cell": "gru_cho"}, "horizon-method"),
    ({"scheduled-sampling": "0.5"}, "scheduled-sampling"),
    ({"seq-len": "700"}, "seq-len"),
    ({"val-fraction": "0.5", "seq-len": "400"}, "val-fraction"),
    ({"horizon": "90", "seq-len": "600"}, "horizon"),
    ({"series-amplitudes": "1, 2, 3"}, "series-amplitudes"),
])
def test_every_rule_between_fields_is_refused_alike(changes, key):
    """The cross-field rules: the page and the command read them through the knobs, a config in its
    own checks; each says the same words after the field's name."""
    values = preset_values(None) | changes
    _, page = form_config(values, UNCAPPED)
    argv = ["train"] + [a for k, v in changes.items() for a in (BY_KEY[k].option, v)]
    with pytest.raises(ValueError) as command:
        cli.config_from_args(cli.build_parser().parse_args(argv))
    _, raw = parse_values(values)
    assert key in page and key in raw
    tail = page[key][len(BY_KEY[key].label):]
    assert str(command.value) == BY_KEY[key].option + tail
    config = {k: BY_KEY[k] for k in changes}
    kwargs, train, series = {}, {}, {}
    for k, knob in config.items():
        value, err = knob.parse(changes[k], k)
        assert err is None
        head, _, name = knob.path.rpartition(".")
        {"": kwargs, "train": train, "series": series}[head][name] = value
    with pytest.raises(ValueError) as refused:
        if series:
            SeriesConfig.from_lists([50.0, 17.0], series["amplitudes"])
        ExperimentConfig(train=TrainConfig(**train), **kwargs)
    said = str(refused.value)
    assert said.endswith(tail), (said, tail)


def test_the_bounds_that_had_drifted_now_stand_at_one_value():
    """Batch size (the form 1024, a config 4096), the series' length (the form 50, a config 10), the
    learning rate (1e-5), a clip norm of 0 (no clipping, the form's meaning; a config refused it)."""
    assert (BOUNDS["train.batch_size"].high, BOUNDS["series.length"].low) == (1024, 50)
    assert BOUNDS["train.learning_rate"].low == 1e-5
    assert TrainConfig(clip_norm=0).clip_norm is None
    assert ExperimentConfig(series=SeriesConfig(length=50), seq_len=20).series.length == 50
    assert TrainConfig(batch_size=1024).batch_size == 1024
    for knob in KNOBS:
        assert knob.default == knob.value_in(ExperimentConfig())


def test_the_defaults_are_read_from_the_config_and_typed_nowhere_else():
    """create_model, create_seq2seq and Forecaster default to ExperimentConfig's values (hidden size,
    cell, backend, precision, dropout, the training settings); the backends' and seq2seq classes'
    constructors have no defaults of their own; the registry builds exactly the backends a config allows."""
    import inspect

    from models.forecaster import Forecaster
    from models.numpy_backend import NumpyRecurrentRegressor
    from models.numpy_seq2seq import NumpySeq2Seq
    from models.registry import BACKENDS, create_model, create_seq2seq
    from models.rules import BACKEND_CHOICES
    from models.torch_backend import TorchRecurrentRegressor
    from models.torch_seq2seq import TorchSeq2Seq

    run = ExperimentConfig()
    assert tuple(BACKENDS) == BACKEND_CHOICES
    wanted = {"backend": run.backend, "cell": run.cell, "hidden_size": run.hidden_size, "dtype": run.dtype,
              "dropout": run.dropout, "seed": run.train.seed, **dataclasses.asdict(run.train)}
    for f in (create_model, create_seq2seq, Forecaster):
        for name, p in inspect.signature(f).parameters.items():
            if name in wanted and p.default is not inspect.Parameter.empty:
                assert p.default == wanted[name], (f, name)
    assert create_model().hidden_size == run.hidden_size == Forecaster().config.hidden_size
    for cls in (NumpyRecurrentRegressor, TorchRecurrentRegressor, NumpySeq2Seq, TorchSeq2Seq):
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert all(p.default is inspect.Parameter.empty for p in params), cls


def test_no_data_set_or_preset_leaves_the_form_in_a_state_train_refuses():
    """Choose any data set after any preset (the form as a lesson left it): the form Train gets is valid, and
    what had to change to make it so is named."""
    from components.page.form import dataset_defaults, settle
    from components.page.presets import PRESETS
    from data.datasets import DATASETS, SYNTHETIC

    for preset in [None, *PRESETS]:
        before = preset_values(preset)
        assert form_config(before, UNCAPPED)[1] == {}, preset
        for dataset in [SYNTHETIC, *DATASETS]:
            chosen = dataset_defaults(dataset)
            changed, note = settle(before, chosen, UNCAPPED.form_limits())
            _, problems = form_config(before | chosen | changed, UNCAPPED)
            assert problems == {}, (preset, dataset, problems)
            assert all(BY_KEY[k].label in note for k in changed)
    # the lesson 4 case: ten steps ahead, then the Nile (an ensemble of 5 one-step models)
    changed, note = settle(preset_values("horizon"), dataset_defaults("nile"), UNCAPPED.form_limits())
    assert changed == {"horizon": "1"} and note.startswith("Horizon k (steps ahead) went back to 1")
