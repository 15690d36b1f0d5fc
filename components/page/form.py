"""The experiment form: fields generated from ``models.knobs``, their messages, and the
live series preview.

Number fields are text boxes (with a numeric keyboard on phones): a browser hands
an empty value for a number box whose text it cannot read, and the person would
be told "it is empty" about the "2.5" or "abc" they typed. Here the server reads
exactly what was typed and says what is wrong with it. The Train callback runs
the same ``form_config`` again on the server, so bad input never reaches a job.
"""

from __future__ import annotations

from typing import Any, Mapping

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update

from components.page import ids
from components.server.services import Services
from components.page import links
from components.page import upload
from components.page.lessons import all_only, part
from components.page.presets import PRESETS
from components.page.figures import make_series_figure
from components.server.settings import Settings
from data.synthetic import make_series
from data.windows import max_seq_len, split_index
from models.config import ExperimentConfig
from data.bounds import number
from data.datasets import DATASETS, SYNTHETIC, UPLOAD
from models.propose import propose
from data.exogenous import HOLIDAYS, calendar_problem, season_of
from data.upload import Table, UploadError
from models.cost import served_problems
from models.findings import verdict
from models.knobs import BY_KEY, PAGE_KNOBS, Knob, parse_values

FIELD_IDS = [k.key for k in PAGE_KNOBS]  # every control's id, in the order callbacks receive them
TEXT_IDS = [k.key for k in PAGE_KNOBS if k.kind in ("int", "float", "list")]
MESSAGE_IDS = [k.key for k in PAGE_KNOBS if k.kind in ("choice", "switch", "names")]  # a message line below
SYNTHETIC_KEYS = ("series-periods", "series-amplitudes", "series-phases", "series-noise", "series-trend",
                  "series-length", "series-seed", "series-holidays")
EXOGENOUS_KEYS = ("calendar-features", "covariates")  # inputs beside the series, for every data set
# The form in lessons (``components.page.lessons``): each field, where it is, and the lessons it shows in.
# On the whole page the headings show too, and the training settings beyond epochs and rate are open.
SECTIONS = {
    "Model": ("backend", "cell", "seq-len", "hidden-size"),
    "Training": ("epochs", "learning-rate"),
    "Several steps ahead": ("dropout", "horizon", "horizon-method", "scheduled-sampling"),
    "Series": ("dataset", *SYNTHETIC_KEYS, *EXOGENOUS_KEYS, "transform", "power"),
    "Forecasts you can trust": ("ensemble", "interval"),
}
MORE_TRAINING_KEYS = ("batch-size", "clip-norm", "seed", "val-fraction", "patience")  # behind "More training settings"
FIELD_LESSONS = {
    "backend": "basics", "cell": "basics inside why-gates looks", "seq-len": "basics why-gates looks",
    "hidden-size": "basics",
    "epochs": "basics why-gates", "learning-rate": "basics", **dict.fromkeys(MORE_TRAINING_KEYS, "basics"),
    "dropout": "ahead", "horizon": "ahead", "horizon-method": "ahead", "scheduled-sampling": "ahead",
    "dataset": "basics data trust", **dict.fromkeys(SYNTHETIC_KEYS, "data"), "series-periods": "data why-gates",
    **dict.fromkeys(EXOGENOUS_KEYS, "data"), "transform": "data trust", "power": "data trust",
    "ensemble": "trust", "interval": "trust",
}
REFERENCE = ExperimentConfig()
EXOGENOUS_NOTE = ("Inputs beside the series: each window step then holds the series' value and these. One known "
                  "in advance (a date, a holiday) is read for the step being forecast, and feeds rollouts and "
                  "k-step models; one known only as it happens is read beside the series, up to the data's end.")
CAPPED = ("epochs", "hidden-size", "series-length", "seq-len")  # the knobs a server may cap (form_limits)


def within(values: dict[str, Any], limits: Mapping[str, float] | None) -> dict[str, Any]:
    """``values`` with every number the page fills in itself (the defaults, a data set's or a preset's
    settings) brought down to this server's caps, so that a page whose teacher set GATELAB_MAX_EPOCHS=50
    opens ready to train, not with a field in red. What a person types is checked, never changed."""
    out = dict(values)
    for key in CAPPED:
        high = (limits or {}).get(key)
        value = number(str(out.get(key, "")))
        if high is not None and value is not None and value > high:
            out[key] = BY_KEY[key].as_text(int(high))
    return out


def capped_note(asked: dict[str, Any], given: dict[str, Any]) -> str:
    """"This server caps Epochs at 50 (asked 200)." for each value ``within`` brought down, or ""."""
    parts = [f"{BY_KEY[k].label} at {given[k]} (asked {asked[k]})" for k in CAPPED
             if k in asked and asked[k] != given[k]]
    return f" This server caps {', '.join(parts)}." if parts else ""


def settle(current: Mapping[str, Any], chosen: Mapping[str, Any], limits: Mapping[str, float] | None,
           length: int | None = None) -> tuple[dict[str, Any], str]:
    """What else must change when ``chosen`` (a data set's own settings) lands on the form's ``current``
    values, so that Train does not refuse the result: each field the choice did not set that now
    conflicts with it goes back to its default. Returns (those fields' new values, a sentence per field
    that says what changed and why); nothing when the merged form is fine as it stands."""
    merged = {k: v for k, v in current.items() if v is not None} | dict(chosen)
    changed: dict[str, Any] = {}
    notes = []
    for _ in FIELD_IDS:  # one field at a time: a reset may bring the next conflict to light (seq2seq's horizon)
        _, problems = parse_values(merged | changed, limits=limits, length=length)
        if not problems:
            break
        key, message = next(iter(problems.items()))
        for other in FIELD_IDS:
            knob = BY_KEY.get(other)
            if other in chosen or other in changed or knob is None or str(merged.get(other)) == knob.as_text(
                    knob.default):
                continue
            default = knob.as_text(knob.default)
            _, left = parse_values(merged | changed | {other: default}, limits=limits, length=length)
            if key not in left:
                changed[other] = default
                notes.append(f"{knob.label} went back to {default}, which the data set's settings need "
                             f"({message}).")
                break
        else:
            break  # nothing the choice left alone can settle it: the form says what is wrong, as ever
    return changed, " ".join(notes)


def form_values(*raw: Any) -> dict[str, Any]:
    """Field values in ``FIELD_IDS`` order -> {knob key: value}."""
    return dict(zip(FIELD_IDS, raw))


def form_config(values: dict[str, Any], settings: Settings, length: int | None = None,
                columns: tuple[str, ...] | None = None,
                value_column: str | None = None) -> tuple[ExperimentConfig | None, dict[str, str]]:
    """The config the form describes under this server's caps, or a message per bad field;
    ``length``, ``columns`` and ``value_column``: an uploaded series' points and its file's columns."""
    return parse_values(values, limits=settings.form_limits(), length=length, columns=columns,
                        value_column=value_column)


def page_config(values: dict[str, Any], settings: Settings, upload_state: tuple = (None, None, None, None)):
    """(config, the upload's part a run reads (``data.upload.Uploaded``) or None, errors) for the form
    and, with "my CSV file", the page's upload (``upload_state``: its store, value column, choice for
    holes and time column)."""
    if values.get("dataset") != UPLOAD:
        config, errors = form_config(values, settings)
        return (config, None, errors) if config is None else _served(config, config.length, None, settings)
    store, column, missing, time_column = (tuple(upload_state) + (None,) * 4)[:4]
    try:
        table = upload.upload_table(store, column)
        series = table.series(column, missing)
    except UploadError as e:
        return None, None, {"dataset": f"My CSV file: {e}"}
    config, errors = form_config(values, settings, series.shape[0], table.numeric, column)
    if config is None:
        return None, None, errors
    times = table.times(time_column, column, missing)
    problem = calendar_problem(times) if config.calendar else None
    if problem:
        return None, None, {"calendar-features": f"{BY_KEY['calendar-features'].label} {problem}"}
    try:
        return _served(config, series.shape[0], table.uploaded(column, missing, time_column, config.covariates),
                       settings)
    except UploadError as e:
        return None, None, {"covariates": f"{BY_KEY['covariates'].label}: {e}"}


def _served(config: ExperimentConfig, n: int, data, settings: Settings):
    """(config, data, {}) if the run fits this server's bounds (``models.cost``), else the reason beside the
    field it most depends on: the data set for its length, the window for its memory."""
    problems = served_problems(config, n, settings.served)
    if not problems:
        return config, data, {}
    key = "dataset" if n > settings.max_length else "seq-len"
    return None, None, {key: f"{BY_KEY[key].label}: {problems[0]}"}


def points_of(values: dict[str, Any], upload_state: tuple) -> Any:
    """The points of the series the form trains on, as the window's help counts them: a data set's, the CSV
    file's chosen column's (as its holes are handled), or the synthetic length typed."""
    if values.get("dataset") in DATASETS:
        return DATASETS[values["dataset"]].length
    if values.get("dataset") == UPLOAD:
        store, column, missing = upload_state
        try:
            return upload.upload_table(store, column).series(column, missing).shape[0]
        except UploadError:
            return None
    return values.get("series-length")


def seq_len_help(length: Any, settings: Settings) -> str:
    """The window's help follows the series length typed above it."""
    knob = BY_KEY["seq-len"]
    n, _ = BY_KEY["series-length"].parse(length, "", settings.max_length)
    high = max_seq_len(n, REFERENCE.train_fraction) if n else settings.form_limits()["seq-len"]
    where = f" for n = {n}" if n else ""
    return f"{knob.help}; {knob.range_text(high)}{where}"


def _help(knob: Knob, settings: Settings) -> str:
    if knob.key == "seq-len":
        return seq_len_help(REFERENCE.series.length, settings)
    if knob.kind == "list":
        return f"{knob.help}; comma-separated, such as {knob.example}"
    rng = knob.range_text(settings.form_limits().get(knob.key))
    return f"{knob.help}; {rng}" if knob.help else rng


def _text_input(knob: Knob, settings: Settings) -> html.Div:
    start = within({knob.key: knob.as_text(knob.default)}, settings.form_limits())[knob.key]
    return html.Div(
        [
            dbc.Label(knob.label, html_for=knob.key, className="mb-0 small"),
            dbc.Input(id=knob.key, type="text", value=start, size="sm",
                      inputmode="text" if knob.kind == "list" else "decimal", autocomplete="off"),
            dbc.FormFeedback(id=ids.feedback(knob.key), type="invalid"),
            dbc.FormText(_help(knob, settings), id=ids.help_text(knob.key), className="d-block small"),
        ],
        className="mb-2",
    )


def _radio(knob: Knob) -> html.Div:
    return html.Div(
        [
            dbc.Label(knob.label, className="mb-0 small d-block"),
            dbc.RadioItems(id=knob.key, options=[{"label": label, "value": v} for v, label in knob.choices],
                           value=knob.default, inline=True),
            html.Div(id=ids.feedback(knob.key), className="small text-danger", role="alert"),
        ],
        className="mb-2",
        title=knob.help or None,
    )


def _switch(knob: Knob) -> html.Div:
    return html.Div(
        [
            dbc.Switch(id=knob.key, label=knob.label, value=knob.default, className="mb-0"),
            html.Div(id=ids.feedback(knob.key), className="small text-danger", role="alert"),
            dbc.FormText(knob.help, className="d-block small"),
        ],
        className="mb-2",
    )


def _checklist(knob: Knob) -> html.Div:
    return html.Div(
        [
            dbc.Label(knob.label, className="mb-0 small d-block"),
            dbc.Checklist(id=knob.key, options=[], value=knob.default, inline=True, className="small"),
            html.Div(id=ids.feedback(knob.key), className="small text-danger", role="alert"),
            dbc.FormText(knob.help, id=ids.help_text(knob.key), className="d-block small"),
        ],
        className="mb-2",
    )


def _field(key: str, settings: Settings) -> html.Div:
    kind = BY_KEY[key].kind
    make = {"choice": _radio, "switch": _switch, "names": _checklist}.get(kind)
    return make(BY_KEY[key]) if make else _text_input(BY_KEY[key], settings)


def presets_layout() -> html.Div:
    """The presets (in the first lesson), and on every lesson what the link or the preset says."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.URL_QUERY),
            dcc.Store(id=ids.URL_WRITTEN),
            html.Div(id=ids.URL_NOTICE, className="small text-warning-emphasis mb-1", role="status"),
            part("basics", [
                dbc.Label("Presets: ready-made experiments", className="mb-0 small fw-semibold d-block"),
                # a list, not a drop-down: every name shows whole, and a class sees all of them at once
                dbc.RadioItems(id=ids.PRESET, options=[{"label": p.label, "value": k} for k, p in PRESETS.items()],
                               value=None, className="small mb-1 preset-list"),
            ]),
            html.P(id=ids.PRESET_NOTE, className="small text-muted mb-1"),
            html.P(id=ids.PRESET_DRIFT, className="small text-warning-emphasis mb-1", role="status"),
        ]
    )


def _placed(key: str, settings: Settings) -> html.Div:
    """A field in the lessons it belongs to."""
    return part(FIELD_LESSONS[key], _field(key, settings))


def more_training(settings: Settings) -> html.Div:
    """The training settings a first run can leave alone, one click away (open on the whole page)."""
    return html.Div(
        [
            part("basics", html.Button("More training settings", id=ids.MORE_TRAINING, type="button",
                                       className="btn btn-link btn-sm p-0 mb-1 gl-lessons-only",
                                       **{"aria-expanded": "false", "aria-controls": ids.MORE_TRAINING_FIELDS})),
            dbc.Collapse([_placed(k, settings) for k in MORE_TRAINING_KEYS], id=ids.MORE_TRAINING_FIELDS,
                         is_open=False, className="gl-more"),
        ]
    )


def layout(settings: Settings) -> html.Div:
    children: list = [presets_layout()]
    for title, keys in SECTIONS.items():
        children.append(all_only(html.H6(title, className="mt-3")))
        if title == "Series":  # the data set first; its own fields follow, shown while they apply
            children += [_placed("dataset", settings),
                         part("basics data trust", html.P(id=ids.DATASET_NOTE, className="small text-muted mb-2")),
                         part("data", html.Div(upload.layout(), id=ids.UPLOAD_FIELDS, hidden=True)),
                         part("data trust", html.P(id=ids.PROPOSAL_NOTE, className="small text-success mb-1",
                                                   role="status")),
                         html.Div([_placed(k, settings) for k in SYNTHETIC_KEYS], id=ids.SYNTHETIC_FIELDS),
                         part("data", html.P(EXOGENOUS_NOTE, className="small text-muted mb-1")),
                         *[_placed(k, settings) for k in (*EXOGENOUS_KEYS, "transform", "power")],
                         part("data trust", suggest_layout())]
            continue
        children += [_placed(k, settings) for k in keys]
        if title == "Training":
            children.append(more_training(settings))
    return html.Div(children)


def suggest_layout() -> html.Div:
    """Suggest settings: the button, what it chose, and the candidates it tried."""
    return html.Div(
        [
            dbc.Button("Suggest settings", id=ids.SUGGEST_BUTTON, color="success", outline=True, size="sm",
                       className="mt-2",
                       title="Search the window, hidden size, epochs, input transform, power and ensemble with a "
                             "backtest on the train part (never the test part), then fill the form with the best"),
            html.P(id=ids.SUGGEST_NOTE, className="small mb-1 mt-1", role="status"),
            html.Details([html.Summary("The candidates it tried", className="small"),
                          dbc.Table(id=ids.SUGGEST_TABLE, size="sm", bordered=False, responsive=True,
                                    className="mb-1 small")]),
        ]
    )


def proposal_for(store: dict | None, column: str | None, missing: str | None, time_column: str | None,
                 limits: Mapping[str, float] | None = None):
    """(knob key -> text, the sentence) proposed from the page's CSV file (``models.propose``); (None, "")
    while its column cannot be read yet, (None, why) when it is too short."""
    try:
        table = upload.upload_table(store, column)
        missing = missing or ("drop" if table.bad_cells(column) else None)  # a proposal reads around the holes
        series = table.series(column, missing)
        times = table.times(time_column, column, missing)
    except UploadError:
        return None, ""
    season, why = season_of(times)
    try:
        proposal = propose(series, season, why, REFERENCE.train_fraction)
    except ValueError as e:
        return None, f"No settings proposed: {e}."
    asked = {k: BY_KEY[k].as_text(v) for k, v in proposal.settings.items()}
    values = within(asked, limits)
    return values, proposal.line + capped_note(asked, values)


def _to_field(key: str, text: Any) -> Any:
    return text if text is no_update else BY_KEY[key].to_field(text)


def covariate_options(dataset: str | None, store: dict | None, column: str | None) -> tuple[list[dict], str]:
    """(the covariates' checklist options, the sentence under them) for the chosen data."""
    if dataset == SYNTHETIC:
        return ([{"label": "holidays (known in advance)", "value": HOLIDAYS}],
                "The holiday steps, which the model may see: set Holiday spikes above to give them an effect. "
                "Known in advance, they also feed rollouts and k-step models.")
    if dataset == UPLOAD and store:
        others = [c for c in Table.from_json(store).numeric if c != column]
        if others:
            return ([{"label": c, "value": c} for c in others],
                    "More numeric columns of your file, read beside the value column. They are known only up "
                    "to the data's end: a rollout that needs them stops there.")
        return [], "Your file has no other numeric column to read beside the value column."
    return [], "The bundled data sets have no covariate columns; calendar features need no column."


def dataset_defaults(dataset: str, limits: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The values a data set brings (knob key -> text): its own, and the reference ones for every
    knob another data set sets, so that going back to the synthetic series restores them; no covariates.
    ``limits``: a server's caps (``within``)."""
    keys = {k for d in DATASETS.values() for k in d.defaults}
    own = DATASETS[dataset].defaults if dataset in DATASETS else {}
    return within({k: BY_KEY[k].as_text(own.get(k, BY_KEY[k].default)) for k in sorted(keys)}
                  | {"dataset": dataset, "covariates": ""}, limits)  # covariates belong to one data set


def preset_values(name: str | None, limits: Mapping[str, float] | None = None) -> dict[str, str]:
    """Every field's text for preset ``name`` (the reference defaults alone for None): its data set's
    own settings, then the preset's; ``limits``: a server's caps (``within``)."""
    values = {k.key: k.as_text(k.default) for k in PAGE_KNOBS}
    if name is not None:
        preset = PRESETS[name]
        values = values | dataset_defaults(preset.values.get("dataset", SYNTHETIC)) | preset.values
    return within(values, limits)


def preview_layout() -> dcc.Graph:
    s = REFERENCE.series
    return dcc.Graph(id=ids.SERIES_PREVIEW, config={"displayModeBar": False},
                     figure=make_series_figure(make_series(s), split_index(s.length, REFERENCE.train_fraction)))


UPLOAD_STATE = [Input(ids.UPLOAD_STORE, "data"), Input(ids.VALUE_COLUMN, "value"), Input(ids.MISSING_CELLS, "value"),
                Input(ids.TIME_COLUMN, "value")]


def register(app: Dash, services: Services) -> None:
    _register_data_fields(app, services)
    _register_fill(app, services)
    _register_follow(app, services)
    _register_checks(app, services)


def _register_data_fields(app: Dash, services: Services) -> None:
    """The fields of the data chosen: the synthetic series' or the upload's, and the covariates offered."""

    @app.callback(
        Output(ids.SYNTHETIC_FIELDS, "hidden"),
        Output(ids.UPLOAD_FIELDS, "hidden"),
        Output(ids.DATASET_NOTE, "children"),
        Input("dataset", "value"),
    )
    def show_data_fields(dataset):
        """The synthetic series' fields while it is chosen, the upload while "my CSV file" is."""
        if dataset in DATASETS:
            d = DATASETS[dataset]
            note = f"{d.title}, {d.length} points ({d.unit}). {d.note} Its settings are filled in below. {verdict(dataset)}"
        elif dataset == UPLOAD:
            note = "A CSV file of your own: it stays in this page and is never shared."
        else:
            note = ""
        return dataset != SYNTHETIC, dataset != UPLOAD, note

    @app.callback(Output("covariates", "options"), Output(ids.help_text("covariates"), "children"),
                  Input("dataset", "value"), Input(ids.UPLOAD_STORE, "data"), Input(ids.VALUE_COLUMN, "value"))
    def offer_covariates(dataset, store, column):
        """The covariates there are to pick: the synthetic series' holidays, or the file's other numeric columns."""
        return covariate_options(dataset, store, column)


def _register_fill(app: Dash, services: Services) -> None:
    """The form filled from a link, a preset, a data set or a run record."""
    settings = services.settings
    limits = settings.form_limits()  # the values the page fills in itself come within them (``within``)

    @app.callback(
        [Output(i, "value") for i in FIELD_IDS] + [Output(ids.PRESET_NOTE, "children"), Output(ids.URL_NOTICE, "children"),
                                                   Output(ids.PRESET, "value"), Output(ids.LESSON, "value"),
                                                   Output(ids.PROPOSAL_NOTE, "children")],
        Input(ids.URL, "search"),
        Input(ids.PRESET, "value"),
        Input("dataset", "value"),
        Input(ids.UPLOAD_RUN, "last_modified"),  # not its contents: the file need not travel twice
        Input(ids.UPLOAD_STORE, "data"),
        Input(ids.VALUE_COLUMN, "value"),
        Input(ids.SUGGEST_RESULT, "data"),
        State(ids.MISSING_CELLS, "value"),
        State(ids.TIME_COLUMN, "value"),
        [State(i, "value") for i in FIELD_IDS],
    )
    def fill_form(search, preset, dataset, record, store, column, result, missing, time_column, *current):
        """``fill`` below, and the sentence that says what was proposed from the data and why: a CSV file
        (its column chosen), a data set, or Suggest settings' choice."""
        keep = [no_update] * len(FIELD_IDS)
        if ctx.triggered_id in (ids.UPLOAD_STORE, ids.VALUE_COLUMN):
            if dataset != UPLOAD:
                return keep + [no_update] * 5
            values, note = proposal_for(store, column, missing, time_column, limits)
            if values is None:
                return keep + [no_update] * 4 + [note]
            return [_to_field(k, values.get(k, no_update)) for k in FIELD_IDS] + [no_update] * 4 + [note]
        if ctx.triggered_id == ids.SUGGEST_RESULT:
            chosen = (result or {}).get("suggest") if isinstance(result, dict) else None
            if not isinstance(chosen, dict) or not isinstance(chosen.get("settings"), dict):
                return keep + [no_update] * 5
            values = within({k: BY_KEY[k].as_text(v) for k, v in chosen["settings"].items() if k in BY_KEY}, limits)
            return [_to_field(k, values.get(k, no_update)) for k in FIELD_IDS] + [no_update] * 4 + [
                "The form holds Suggest settings' choice: press Train to train at it."]
        out = fill(search, preset, dataset, record)
        if ctx.triggered_id == "dataset":
            note = (f"{DATASETS[dataset].title}: its own settings, chosen by a backtest on its train part "
                    "(tools/dataset_defaults.py)." if dataset in DATASETS else "")
            if dataset in DATASETS or dataset == SYNTHETIC:  # a later choice adjusts what conflicts with it
                chosen = {k: v for k, v in zip(FIELD_IDS, out) if v is not no_update}
                changed, why = settle(dict(zip(FIELD_IDS, current)), chosen, limits)
                out = [_to_field(k, changed[k]) if k in changed else v for k, v in zip(FIELD_IDS, out)] + out[
                    len(FIELD_IDS):]
                note = " ".join(t for t in (note, why) if t)
            return out + [note]
        return out + [no_update]

    def fill(search, preset, dataset, _record):
        """The one writer of the form's values: a link when the page opens (with the preset and lesson it
        names), a preset (which opens its lesson), or a data set's own settings. A person's typing is never
        overwritten otherwise. The link's notice goes once the page shows something else: a preset, another
        data set, a run record."""
        keep = [no_update] * len(FIELD_IDS)
        if ctx.triggered_id == ids.UPLOAD_RUN:
            return keep + [no_update, "", no_update, no_update]
        if ctx.triggered_id == "dataset":
            if dataset not in DATASETS and dataset != SYNTHETIC:  # a file: its own columns, none picked yet
                return [[] if k == "covariates" else no_update for k in FIELD_IDS] + [no_update, "", no_update,
                                                                                       no_update]
            values = dataset_defaults(dataset, limits)
            return [_to_field(k, values.get(k, no_update)) for k in FIELD_IDS] + [no_update, "", no_update, no_update]
        if ctx.triggered_id == ids.PRESET:
            if preset not in PRESETS:
                return keep + ["", no_update, no_update, no_update]
            values = preset_values(preset, limits)
            look_for = PRESETS[preset].look_for + capped_note(preset_values(preset), values)
            return [_to_field(k, values[k]) for k in FIELD_IDS] + [look_for, "", no_update, PRESETS[preset].lesson]
        values, notice = links.read_query(search, limits)  # the page opened
        lesson = values.pop(links.LESSON_KEY, None)
        named = values.pop(links.PRESET_KEY, None)
        if not values and not notice and not named:
            return keep + [no_update, no_update, no_update, lesson or no_update]
        base = preset_values(named, limits) if named else \
            preset_values(None, limits) | dataset_defaults(values.get("dataset", SYNTHETIC), limits)
        filled = base | values
        return [_to_field(k, filled[k]) for k in FIELD_IDS] + [PRESETS[named].look_for if named else "", notice,
                                                               named or no_update,
                                                               lesson or (PRESETS[named].lesson if named else no_update)]


def _register_follow(app: Dash, services: Services) -> None:
    """The address bar and the preset's drift follow the form; the further training settings open."""
    settings = services.settings
    inputs = [Input(i, "value") for i in FIELD_IDS]
    limits = settings.form_limits()  # the values the page fills in itself come within them (``within``)

    @app.callback(Output(ids.URL_QUERY, "data"), Output(ids.PRESET_DRIFT, "children"), inputs,
                  Input(ids.PRESET, "value"), Input(ids.LESSON, "value"), prevent_initial_call=True)
    def follow_form(*raw: Any):
        """The query the address bar shows (the lesson, and the form as it stands, with its preset while the
        form is still on it), and which fields have left the chosen preset."""
        *raw, preset, lesson = raw
        values = form_values(*raw)
        if preset not in PRESETS:
            return links.query_string(values, lesson=lesson), ""
        changed = links.changed_fields(values, preset_values(preset, limits))
        if not changed:
            return links.query_string(values, preset, lesson), ""
        return links.query_string(values, lesson=lesson), (
            f"Changed since the preset \u201c{PRESETS[preset].label}\u201d: {', '.join(changed)}. "
            "The link carries these settings, not the preset.")

    @app.callback(Output(ids.MORE_TRAINING_FIELDS, "is_open"), Output(ids.MORE_TRAINING, "aria-expanded"),
                  Input(ids.MORE_TRAINING, "n_clicks"), Input(ids.PRESET, "value"),
                  State(ids.MORE_TRAINING_FIELDS, "is_open"), prevent_initial_call=True)
    def show_more_training(_n, preset, is_open):
        """One click shows or hides them; a preset that sets one of them shows them."""
        if ctx.triggered_id == ids.PRESET:
            opened = preset in PRESETS and any(k in PRESETS[preset].values for k in MORE_TRAINING_KEYS)
            return (True, "true") if opened else (no_update, no_update)
        return not is_open, "false" if is_open else "true"

    app.clientside_callback(ClientsideFunction("gatelab", "replaceQuery"), Output(ids.URL_WRITTEN, "data"), Input(ids.URL_QUERY, "data"),
                            prevent_initial_call=True)


def _register_checks(app: Dash, services: Services) -> None:
    """Each field's message as it is typed, and the series' preview."""
    settings = services.settings
    inputs = [Input(i, "value") for i in FIELD_IDS]

    @app.callback(
        [Output(i, "invalid") for i in TEXT_IDS] + [Output(ids.feedback(i), "children") for i in TEXT_IDS]
        + [Output(ids.feedback(i), "children") for i in MESSAGE_IDS] + [Output(ids.help_text("seq-len"), "children")],
        inputs + UPLOAD_STATE,
    )
    def show_field_errors(*raw: Any) -> list:
        *raw, store, column, missing, time_column = raw
        values = form_values(*raw)
        _, _, errors = page_config(values, settings, (store, column, missing, time_column))
        return ([i in errors for i in TEXT_IDS] + [errors.get(i, "") for i in TEXT_IDS + MESSAGE_IDS]
                + [seq_len_help(points_of(values, (store, column, missing)), settings)])

    @app.callback(Output(ids.SERIES_PREVIEW, "figure"), inputs + UPLOAD_STATE, prevent_initial_call=True)
    def update_preview(*raw: Any):
        """The series as typed, the data set or the upload (its time column labels the steps);
        model fields play no part, so their errors do not stop the preview."""
        *raw, store, column, missing, time_column = raw
        values = form_values(*raw)
        fraction = REFERENCE.train_fraction
        if values["dataset"] in DATASETS:
            d = DATASETS[values["dataset"]]
            times, series = d.load()
            return make_series_figure(series, split_index(len(series), fraction), times, d.title)
        if values["dataset"] == UPLOAD:
            try:
                table = upload.upload_table(store, column)
                series = table.series(column, missing)
            except UploadError:
                if not store or column not in store.get("numeric", ()):
                    return no_update
                table = Table.from_json(store)  # holes not yet dropped or filled in: shown as gaps
                raw_values = table.numbers(column)
                return make_series_figure(raw_values, split_index(raw_values.shape[0], fraction),
                                          table.times(time_column, column),
                                          f"{store['name']}: {column}, {table.bad_cells(column)} empty cell(s)")
            times = table.times(time_column, column, missing)
            return make_series_figure(series, split_index(len(series), fraction), times, f"{store['name']}: {column}")
        series_only = {k: v for k, v in values.items() if k.startswith("series-")}
        config, _ = form_config(series_only | {"seq-len": 1}, settings)
        if config is None:
            return no_update
        return make_series_figure(make_series(config.series),
                                  split_index(config.series.length, config.train_fraction))
