"""Links and presets: the form's values in a query string and back, and what a preset fills."""

from urllib.parse import parse_qsl

from components.page.form import FIELD_IDS, dataset_defaults, preset_values
from components.page.links import query_string, read_query
from components.page.presets import PRESETS
from components.server.settings import Settings
from models.knobs import BY_KEY, parse_values

LIMITS = Settings().form_limits()


def test_only_changed_settings_go_into_the_link_and_come_back():
    values = preset_values(None) | {"cell": "gru", "hidden-size": "16", "series-periods": "50, 120"}
    query = query_string(values)
    assert dict(parse_qsl(query)) == {"cell": "gru", "hidden-size": "16", "series-periods": "50, 120"}
    back, notice = read_query("?" + query, LIMITS)
    assert back == {"cell": "gru", "hidden-size": "16", "series-periods": "50, 120"} and notice == ""
    assert query_string(preset_values(None)) == ""


def test_a_bad_link_names_each_field_that_fell_back():
    values, notice = read_query("?hidden-size=99999&epochs=ten&cell=elman&seq-len=30&nope=1", LIMITS)
    assert values == {"seq-len": "30"}
    assert notice == ("About this link. These of its values were not allowed, so the fields keep their defaults: "
                      "Hidden size H; Epochs; Cell. These are not settings of Gatelab and were ignored: nope.")
    _, notice = read_query("?dataset=upload", LIMITS)
    assert "an uploaded CSV file stays in the page it was uploaded to" in notice


def test_every_preset_fills_every_field_with_values_the_form_accepts():
    for name, preset in PRESETS.items():
        values = preset_values(name)
        assert set(values) == set(FIELD_IDS)
        config, errors = parse_values(values, limits=LIMITS)
        assert errors == {}, (name, errors)
        for key, text in preset.values.items():
            assert BY_KEY[key].as_text(BY_KEY[key].value_in(config)) == BY_KEY[key].as_text(
                BY_KEY[key].parse(text, "")[0]), (name, key)
    assert preset_values("sunspots")["seq-len"] == dataset_defaults("sunspots")["seq-len"] == "11"


def test_a_key_given_twice_keeps_its_first_value_and_says_so():
    values, notice = read_query("?hidden-size=16&epochs=5&hidden-size=64&hidden-size=8", LIMITS)
    assert values == {"hidden-size": "16", "epochs": "5"}
    assert notice == ("About this link. These were given more than once, and only the first value was used: "
                      "hidden-size.")


def test_a_form_on_its_preset_links_with_the_preset_and_one_that_left_it_names_the_fields():
    from components.page.links import changed_fields

    values = preset_values("notebook")
    query = query_string(values, "notebook")
    assert query.startswith("preset=notebook&") and "epochs=80" in query
    back, notice = read_query("?" + query, LIMITS)
    assert back["preset"] == "notebook" and back["epochs"] == "80" and notice == ""
    assert changed_fields(values, preset_values("notebook")) == []
    assert changed_fields(values | {"epochs": "80.0"}, preset_values("notebook")) == []  # the same number
    moved = values | {"epochs": "40", "horizon": "10", "transform": "detrend"}
    assert changed_fields(moved, preset_values("notebook")) == [BY_KEY[k].label for k in FIELD_IDS
                                                                 if k in ("transform", "horizon", "epochs")]
    assert len(changed_fields(moved, preset_values("notebook"))) == 3
    assert query_string(values, "no-such-preset") == query_string(values)
    values, notice = read_query("?preset=nope&epochs=5", LIMITS)
    assert values == {"epochs": "5"} and "Preset (there is no preset 'nope'; these are: notebook, " in notice


def test_a_link_carries_its_lesson_first_and_an_unknown_lesson_is_named():
    values = preset_values(None) | {"epochs": "80"}
    query = query_string(values, "notebook", "inside")
    assert query.startswith("lesson=inside&preset=notebook&") and "epochs=80" in query
    back, notice = read_query("?" + query, LIMITS)
    assert back["lesson"] == "inside" and back["preset"] == "notebook" and notice == ""
    assert query_string(values, lesson="nowhere") == query_string(values)  # only a lesson there is
    back, notice = read_query("?lesson=nowhere&epochs=5", LIMITS)
    assert back == {"epochs": "5"} and "Lesson (there is no lesson 'nowhere'; these are: basics, inside" in notice
    # every preset opens a lesson there is
    from components.page.lessons import LESSONS
    from components.page.presets import PRESETS

    assert {p.lesson for p in PRESETS.values()} <= set(LESSONS) and PRESETS["horizon"].lesson == "ahead"


def test_a_server_with_lower_caps_fills_in_only_values_within_them():
    from components.page.form import capped_note, form_config

    assert all(preset_values(n, LIMITS) == preset_values(n) for n in [None, *PRESETS])  # the usual caps: as before
    small = Settings(max_epochs=30, max_hidden=16, max_length=400)
    limits = small.form_limits()
    values = preset_values(None, limits)
    assert (values["epochs"], values["hidden-size"], values["series-length"]) == ("30", "16", "400")
    config, errors = form_config(values, small)
    assert errors == {} and (config.train.epochs, config.hidden_size, config.series.length) == (30, 16, 400)
    for name in PRESETS:  # each preset and its data set's own settings come within the caps, and parse
        _, errors = form_config(preset_values(name, limits), small)
        assert errors == {}, (name, errors)
    assert dataset_defaults("co2", limits)["epochs"] == "30"
    assert capped_note(preset_values("notebook"), preset_values("notebook", limits)) == (
        " This server caps Epochs at 30 (asked 80), Hidden size H at 16 (asked 32), "
        "Length n at 400 (asked 900).")
    tiny = Settings(max_length=60).form_limits()  # the window too, for the longest series it allows
    assert int(preset_values(None, tiny)["seq-len"]) == int(tiny["seq-len"]) < 60
    _, errors = form_config(preset_values(None, tiny), Settings(max_length=60))
    assert errors == {}
