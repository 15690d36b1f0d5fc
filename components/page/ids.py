"""Every id on the page, in one place. The form's field ids are the knob keys of
``models.knobs`` (also the link's query keys); each field has a feedback and a help line.

Each id is written by one module, named beside it; ``allow_duplicate`` marks the
few outputs with two writers, with the reason where they are declared.
"""

# the tab (app.py)
SESSION = "session-id"  # per page load: a tab id the server issued and signed (components.server.signing)
TAB_WATCH = "tab-watch"  # the tab id the page-hide beacon sends
HEARTBEAT = "heartbeat"  # train_bar.py: tells running jobs the page is open

# the lessons (lessons.py)
PAGE = "page"  # the root: its class names the lesson shown
LESSON = "lesson"  # the switcher; each lesson's button is "lesson-<value>"
ALL_SETTINGS = "all-settings"  # every setting and view on one page

# Train, Cancel and the live view of a job (train_bar.py)
TRAIN = "train-button"
TRAIN_ALL = "train-all-button"
CANCEL = "cancel-button"
PAUSE = "pause-button"  # Pause, then Resume (train_bar.py)
STEP = "step-button"  # while paused: one more epoch
SPEED = "speed"  # full, or slow (about one epoch a second)
PAUSED_RUN = "paused-run"  # the run as it stands at a pause: the views show it (train_bar.py writes it)
PAUSED_FEED = "paused-feed"  # the same, as each of the job's progress reports has it
SHARE = "share-link"  # copies the experiment's link (share.py)
SHARE_URL = "share-url"  # the link it copies
SHARE_NOTE = "share-note"
PROGRESS = "progress-bar"
STATUS = "job-status"
QUEUE_NOTE = "queue-note"
STATUS_WATCH = "status-watch"  # the request the lost-run watchdog suspects
JOB_REQUEST = "job-request"  # the request Train made; starts the background job
GUIDE_LINK = "guide-link"  # the teacher's guide (components/page/guide.py), served at <prefix>guide
PREDICT_REVEAL = "predict-reveal"  # the answer to the shown lesson's question, beside the student's (predict.py)
MODEL_SUMMARY = "model-summary"  # what Train will train, each item a link to its lesson (summary.py)
RUN_RESULT = "run-result"  # the job's outcome (server.job.JobOutcome as JSON)
SWEEP_RESULT = "sweep-result"  # the same outcome, set only for a sweep, so that a plain run asks nothing of its view
BACKTEST_RESULT = "backtest-result"  # ... only for a backtest
SUGGEST_RESULT = "suggest-result"  # ... only for Suggest settings (its view, and the form it fills)
DRAW_WAIT = "draw-wait"  # the views a finished job's status waits for before it says "done"
DRAW_LEFT = "draw-left"  # those of them not yet redrawn
FIRST_POINT_TICK = "first-point-tick"  # while a job starts: asks for its first loss point (train_bar.py)
LOSS_OPTIONS = "loss-options"
LOSS_GRAPH = "loss-graph"  # live: train_bar.py; finished runs: results.py
LOSS_FEED = "loss-feed"  # the running job's loss history, as numbers; the browser draws it (train_bar.py)
PARITY_METER = "parity-meter"  # during Train all: NumPy against PyTorch, epoch by epoch (views/parity.py; train_bar.py)

# finished runs (views/runs_table.py)
RUNS_STORE = "runs-store"  # RunRecord JSON, oldest first
CURRENT_RUN = "current-run"  # id of the run the Results card shows
RUNS_TABLE = "runs-table"
RUNS_NOTE = "runs-note"

# downloads.py (the buttons; and the dcc.Download that hands each file over)
DOWNLOAD_WEIGHTS_BUTTON = "download-weights"
DOWNLOAD_FORECASTS_BUTTON = "download-forecasts"
DOWNLOAD_RUN_BUTTON = "download-run"
DOWNLOAD_RUNS_BUTTON = "download-runs"
DOWNLOAD_NOTEBOOK_BUTTON = "download-notebook"
DOWNLOAD_WEIGHTS = "download-weights-file"
DOWNLOAD_FORECASTS = "download-forecasts-file"
DOWNLOAD_RUN = "download-run-file"
DOWNLOAD_RUNS = "download-runs-file"
DOWNLOAD_NOTEBOOK = "download-notebook-file"
UPLOAD_RUN = "upload-run"  # runs_table.py: a run record shown again without training

# replay.py: one request a move answers every view that follows the slider
REPLAY_SLIDER = "replay-slider"
REPLAY_PLAY = "replay-play"
REPLAY_TICK = "replay-tick"
REPLAY_NOTE = "replay-note"
REPLAY_SPEED = "replay-speed"
REPLAY_SHOWN = "replay-shown"  # {"run", "position"}: the epoch the views show (replay.py writes it)

# results.py
METRICS_TABLE = "metrics-table"
PARITY_NOTE = "parity-note"
VERDICT = "verdict"  # the sentence under Results: who scored best, by how much, against which baseline
ROLLOUT_NOTE = "rollout-note"
FORECAST_GRAPH = "forecast-graph"
ROLLOUT_STEPS = "rollout-steps"
ROLLOUT_GRAPH = "rollout-graph"
GATE_WINDOW = "gate-window"
GATES_GRAPH = "gates-graph"

# arithmetic.py: one unit's equation with the model's numbers (the heatmaps' clicks choose it)
CELL_EXPLAIN = "cell-explain"
EXPLAIN_GATE = "explain-gate"
EXPLAIN_UNIT = "explain-unit"
EXPLAIN_STEP = "explain-step"

# cursor.py: the time step hovered on the forecasts, the rollout or the gates (a line on the others)
CURSOR = "cursor"

# saliency.py
SALIENCY_GRAPH = "saliency-graph"
SALIENCY_NOTE = "saliency-note"

# whatif.py: the chosen test window, edited (gates, arithmetic and saliency read the edits)
WHATIF = "whatif"  # the window's graph; a click on a point chooses its step
WHATIF_STEP = "whatif-step"
WHATIF_VALUE = "whatif-value"
WHATIF_SET = "whatif-set"
WHATIF_RESET = "whatif-reset"
WHATIF_EDITS = "whatif-edits"  # {run, window, points: {step: value}}, original units
WHATIF_FEEDBACK = "whatif-feedback"
WHATIF_NOTE = "whatif-note"

# gradflow.py
GRADFLOW_GRAPH = "gradflow-graph"
GRADFLOW_NOTE = "gradflow-note"

# horizon.py
HORIZON_GRAPH = "horizon-graph"
HORIZON_NOTE = "horizon-note"
HORIZON_EXPLAIN = "horizon-explain"

# sweep.py (the button starts a job through train_bar.py)
SWEEP_OVER = "sweep-over"
SWEEP_VALUES = "sweep-values"
SWEEP_CELLS = "sweep-cells"
SWEEP_SERIES = "sweep-series"
SWEEP_BUTTON = "sweep-button"
SWEEP_NOTE = "sweep-note"
SWEEP_GRAPH = "sweep-graph"
SWEEP_PROGRESS = "sweep-progress"  # a sweep's progress beside its button
SWEEP_BAR = "sweep-bar"
BACKTEST_ORIGINS = "backtest-origins"  # how many forecast origins over the test part
BACKTEST_REFIT = "backtest-refit"  # "every": train again at each origin; "once": train once, then feed the data
BACKTEST_BUTTON = "backtest-button"
BACKTEST_GRAPH = "backtest-graph"  # errors per origin, the model's and the baselines'
BACKTEST_TABLE = "backtest-table"
BACKTEST_NOTE = "backtest-note"

# upload.py
UPLOAD_DATA = "upload-data"
UPLOAD_STATUS = "upload-status"
UPLOAD_STORE = "upload-store"  # the CSV's columns, in the page only
VALUE_COLUMN = "value-column"
TIME_COLUMN = "time-column"
MISSING_CELLS = "missing-cells"
MISSING_FIELD = "missing-field"

# form.py: the form, and what fills it (a data set, a preset, a link)
URL = "url"
URL_QUERY = "url-query"  # the query the address bar shows
URL_WRITTEN = "url-written"  # the query the browser last wrote into the address bar
URL_NOTICE = "url-notice"
PRESET = "preset"
PRESET_NOTE = "preset-note"
PRESET_DRIFT = "preset-drift"  # the fields changed since the chosen preset (follow_form)
SERIES_PREVIEW = "series-preview"
SYNTHETIC_FIELDS = "synthetic-fields"  # hidden while a real data set is chosen
UPLOAD_FIELDS = "upload-fields"  # shown while "my CSV file" is chosen
DATASET_NOTE = "dataset-note"
PROPOSAL_NOTE = "proposal-note"  # what was proposed from the data just chosen, and why (models.propose)
SUGGEST_BUTTON = "suggest-button"  # Suggest settings: a search on the train part, as a job (models.suggest)
SUGGEST_NOTE = "suggest-note"  # what it chose
SUGGEST_TABLE = "suggest-table"  # the candidates it tried and their validation scores
MORE_TRAINING = "more-training"  # the button that shows the training settings beyond epochs and rate
MORE_TRAINING_FIELDS = "more-training-fields"

# explain.py
EQUATIONS = "equations"
WHY_GATES = "why-gates"
PITFALLS = "pitfalls"  # under "Pitfalls worth trying here", one click away


def feedback(field: str) -> str:
    """The message under a field."""
    return f"{field}-feedback"


def help_text(field: str) -> str:
    """The help line under a field."""
    return f"{field}-help"


def predict(lesson: str) -> str:
    """The lesson's question, answered before Train (``predict-<lesson>``)."""
    return f"predict-{lesson}"
