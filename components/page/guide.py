"""The teacher's guide: a printable page per lesson, for ``gatelab guide`` and the page's "Teacher's guide"
link. Each page holds the lesson's goal, its prediction question and the answer, the numbers its link's
default run gives (computed here by running it, never typed), what to notice, two follow-up questions, and
the link that opens the lesson for a class.

    html_text = guide(base_url="http://localhost:8050")            # every lesson
    html_text = guide(["why-gates"], values=preset_values(None))   # one, at the form's values

The runs are those Train makes from the link's defaults: the form's cell (an LSTM), and for the lessons
that compare cells, the plain RNN and the GRU beside it. A run is made once per guide and shared by the
lessons that read it. The page is one HTML file with its style inside: it prints and opens offline.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from components.page.glossary import plain
from components.page.lessons import LESSONS
from models.questions import QUESTIONS, Evidence
from models.run import RunRecord, restore
from models.verdict import verdict


@dataclass(frozen=True)
class Notes:
    notice: str
    follow_ups: tuple[str, str]
    cells: tuple[str, ...] = ("lstm",)  # the runs the lesson's answer reads, the first its own


NOTES: dict[str, Notes] = {
    "basics": Notes(
        "Both losses fall fast in the first epochs and then flatten; the forecast follows the waves but smooths "
        "the noise. The results table puts the model beside baselines that need no training.",
        ("Why can a straight weighted sum of recent values (the linear AR) be so hard to beat here?",
         "What would you change first to beat it: the window, the hidden size or the epochs? Try one.")),
    "inside": Notes(
        "Rows of the heatmaps are units, columns are steps of the window. Look for units whose forget gate stays "
        "bright (keeping) through the whole window; the cell state c swings wider than h, which tanh and o "
        "squash.",
        ("Replay training: at which epoch do the gates start to look organised?",
         "Pick a unit whose f is near 1 and one near 0: what does each do to its c from step to step?")),
    "why-gates": Notes(
        "In the gradient chart, compare how far back into the window each cell's curve stays high; in the "
        "rollout, which cell keeps the series' rhythm to the end.",
        ("One seed each: would the verdict hold with other training seeds? (Compare runs sweeps them.)",
         "Make the window 20: does the plain RNN catch up, and why would it?"),
        ("lstm", "rnn")),
    "ahead": Notes(
        "The one-step forecast starts from the truth every time; the rollout feeds itself, so its errors "
        "compound. Compare the rollout's MSE with the one-step MSE.",
        ("Train a direct model with a horizon of 20: at which step does it beat the recursive forecast?",
         "Does dropout's band widen where the rollout goes wrong?")),
    "data": Notes(
        "AutoETS, AutoARIMA and AutoTheta are fitted on the same train part; MASE puts every series on one "
        "scale, and below 1 beats persistence as it did in training.",
        ("Choose the Nile: does the model still beat the statistical models there, and why not?",
         "Which input transform suits a series with a trend, and which one a series with a season?")),
    "compare": Notes(
        "One run per cell is one draw of its seeds. A seed sweep shows the spread; only a gap larger than it "
        "names a winner.",
        ("Sweep seeds 0-4 for the three cells: is there a winner in test MSE?",
         "Tick two runs: which settings differ between them, and which of them explains the gap?"),
        ("lstm", "gru", "rnn")),
    "looks": Notes(
        "The saliency bars say how much the forecast moves per unit of each past value; the autocorrelation "
        "under them shows which lags the statistics point at.",
        ("Edit the newest value of a test window: how far does the forecast move?",
         "Does the model read a season back where the autocorrelation peaks?")),
    "trust": Notes(
        "A single run is one draw. An ensemble of seeds, a calibrated band and a backtest over several origins "
        "each test whether the verdict holds.",
        ("Train an ensemble of 5: does the verdict against the best baseline survive?",
         "Run a backtest: at how many origins does the model beat the linear AR?")),
}

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.45; color: #222; }
section { page-break-after: always; margin-bottom: 3rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; }
.answer { background: #f3f6fa; padding: .5rem .75rem; border-left: 3px solid #3a6ea5; }
@media print { a { color: inherit; } body { margin: 0; } }
"""


def runs_for(lessons: Iterable[str], values: Mapping[str, str], train: Callable) -> dict[str, RunRecord]:
    """The default run of every cell the lessons read, each trained once (``train(config) -> RunRecord``)."""
    from components.page.form import form_config
    from components.server.settings import Settings

    out: dict[str, RunRecord] = {}
    for cell in dict.fromkeys(c for name in lessons for c in NOTES[name].cells):
        config, problems = form_config(dict(values) | {"cell": cell}, Settings())
        if problems:
            raise ValueError("; ".join(problems.values()))
        out[cell] = train(config).with_(number=len(out) + 1)
    return out


def evidence(name: str, runs: dict[str, RunRecord]) -> Evidence:
    """What the lesson's answer reads: its own run, the others, and the model's insides where asked."""
    cells = NOTES[name].cells
    own, others = runs[cells[0]], tuple(runs[c] for c in cells[1:])

    def gates():
        return restore(own).gate_activations(0)

    def saliency():
        from components.page.views.saliency import windows_within
        from models.saliency import mean_saliency

        model = restore(own)
        return mean_saliency(model.model_, model.prep_, windows_within(own.config))[:, 0]

    return Evidence(own, others, gates, saliency)


def section(name: str, runs: dict[str, RunRecord], base_url: str) -> str:
    lesson, q, notes = LESSONS[name], QUESTIONS[name], NOTES[name]
    ev = evidence(name, runs)
    answer = q.answer(ev)
    said = q.choices.get(answer.choice, "this run cannot settle it") if answer else "no run"
    link = f"{base_url.rstrip('/')}/?lesson={name}"
    e = html.escape
    return f"""<section id="{e(name)}">
<h2>{e(lesson.label)}</h2>
<p><strong>Goal.</strong> {e(plain(lesson.intro))}</p>
<p><strong>Ask before Train.</strong> {e(q.text)} ({e(" / ".join(q.choices.values()))})</p>
<p class="answer"><strong>The answer at the link's defaults:</strong> {e(said)}. {e(answer.figures if answer else "")}</p>
<p><strong>The default run's numbers.</strong> {e(verdict(ev.run))}</p>
<p><strong>Why.</strong> {e(answer.why if answer else "")}</p>
<p><strong>What to notice.</strong> {e(notes.notice)}</p>
<p><strong>Follow-up questions.</strong></p>
<ol><li>{e(notes.follow_ups[0])}</li><li>{e(notes.follow_ups[1])}</li></ol>
<p><strong>Open it for the class:</strong> <a href="{e(link)}">{e(link)}</a></p>
</section>"""


def lessons_of(lessons: Iterable[str] | None) -> list[str]:
    names = list(LESSONS if lessons is None else lessons)
    unknown = [n for n in names if n not in LESSONS]
    if unknown:
        raise ValueError(f"--lesson must be one of {', '.join(LESSONS)}, got {unknown[0]!r}")
    return names


def render(names: list[str], runs: dict[str, RunRecord], base_url: str) -> str:
    """The guide's page from the runs it reads (``runs_for``)."""
    body = "\n".join(section(n, runs, base_url) for n in names)
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gatelab: a teacher's guide"
            f"</title><style>{STYLE}</style></head><body>\n<h1>Gatelab: a teacher's guide</h1>\n<p>One page per "
            f"lesson. Every number below comes from the run that the lesson's link trains by default, made when "
            f"this guide was made; a student's run at the same settings gives the same numbers.</p>\n{body}\n"
            f"</body></html>\n")


def guide(lessons: Iterable[str] | None = None, values: Mapping[str, str] | None = None,
          base_url: str = "http://localhost:8050", train: Callable | None = None) -> str:
    """The guide of ``lessons`` (every one by default) as one HTML page; ``values``: the form's (the link's
    defaults unless given); ``train``: how a run is made (``models.experiment.run_experiment``)."""
    from components.page.form import preset_values

    names = lessons_of(lessons)
    if train is None:
        from models.experiment import run_experiment as train
    return render(names, runs_for(names, preset_values(None) if values is None else values, train), base_url)
