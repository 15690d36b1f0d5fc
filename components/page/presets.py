"""One-click experiments for a class: the original notebook's set-up and its exercises.

A preset is a set of knob values (``models.knobs``) on top of the reference defaults,
one line on what to look for, and the lesson it opens. Choosing one fills every control; the link in the
address bar then carries it to anyone it is shared with (``components.page.links``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    label: str
    look_for: str
    values: dict[str, str] = field(default_factory=dict)  # knob key -> text, as typed
    lesson: str = "basics"  # the lesson it opens (``components.page.lessons``)


PRESETS: dict[str, Preset] = {
    "notebook": Preset(
        "The original notebook",
        "The notebook's own set-up: plain levels, 80 epochs at 2e-3. Compare the test MSE with persistence, "
        "then switch Inputs to detrended and train again.",
        {"transform": "none", "epochs": "80"}),
    "noise": Preset(
        "Exercise 1: more noise",
        "Three times the noise. Sweep over training seeds for LSTM and GRU: which cell's result varies more "
        "from seed to seed, and does either still beat persistence?",
        {"series-noise": "0.5"}, "compare"),
    "long-season": Preset(
        "Exercise 2: a longer season",
        "A second season of 120 steps, read through a 40-step window that never holds a whole cycle. Sweep "
        "the window length (20 to 120) to see where each cell stops gaining.",
        {"series-periods": "50, 120", "series-amplitudes": "1.2, 0.6", "series-phases": "0, 0.8", "seq-len": "40"},
        "compare"),
    "horizon": Preset(
        "Exercise 3: twenty steps ahead",
        "A direct model with 20 outputs against the one-step model fed its own forecasts: watch the "
        "per-step error curves cross (or not) in 'Several steps ahead'.",
        {"horizon": "20"}, "ahead"),
    "dropout": Preset(
        "Exercise 4: dropout and rollout drift",
        "A large model (H = 128) with dropout 0.3 on a short series. Compare its one-step and rollout MSE with "
        "a run at dropout 0, and watch the rollout drift away from the truth.",
        {"hidden-size": "128", "dropout": "0.3", "series-length": "400", "seq-len": "40"}, "ahead"),
    "vanishing": Preset(
        "Why gates: a plain RNN",
        "A plain RNN on the reference series. In 'Gradient flow through time', see how little of the gradient "
        "reaches the start of the window; then train an LSTM: the answer under the question compares the two "
        "runs' 200-step rollouts.",
        {"cell": "rnn"}, "why-gates"),
    "early-stop": Preset(
        "Early stopping",
        "300 epochs of a large model with a validation part: training stops when the validation loss stops "
        "improving, and the star on the loss chart marks the epoch whose weights are kept.",
        {"hidden-size": "64", "epochs": "300", "val-fraction": "0.2", "patience": "10"}),
    "holidays": Preset(
        "Inputs beside the series: holidays",
        "Spikes of 2 on 'holiday' steps, 15 to 45 steps apart, and the model sees which steps are holidays. "
        "Untick the covariate and train again: how much of the test error were the holidays?",
        {"series-holidays": "2", "covariates": "holidays"}, "data"),
    "calendar": Preset(
        "Calendar features on CO2",
        "CO2's weekly changes through an 8-week window, with the date's place in the year as two more inputs. "
        "Train, switch Calendar features off, train again, and tick both runs: compare the rollouts.",
        {"dataset": "co2", "transform": "diff", "seq-len": "8", "calendar-features": "on", "ensemble": "1"}, "data"),
    "seq2seq": Preset(
        "Seq2seq and scheduled sampling",
        "An encoder-decoder for 10 steps ahead, trained with scheduled sampling rising to 0.5. Train it again "
        "at 0 (teacher forcing), tick both runs, and compare the error per step and the seq2seq rollouts.",
        {"horizon": "10", "horizon-method": "seq2seq", "scheduled-sampling": "0.5"}, "ahead"),
    "sunspots": Preset(
        "Real data: sunspots",
        "A classic non-linear series with cycles of about 11 years. Does the LSTM beat the linear AR and the "
        "seasonal naive baseline (11 years back)? Try GRU and RNN too.",
        {"dataset": "sunspots"}, "data"),
}
