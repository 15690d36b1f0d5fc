"""Words a student may not know, each with one sentence: marked where a lesson first uses them, with the
sentence shown on hover and on keyboard focus (a tab stop each), and read out by screen readers from the
page's glossary list (``glossary``, visually hidden), which each mark names with ``aria-describedby``.

A text marks a term as ``[[term]]``, or ``[[words shown|term]]`` where the words differ from the term."""

from __future__ import annotations

import re

from dash import html

TERMS: dict[str, str] = {
    "gate": "A gate is a set of numbers between 0 and 1, one per unit, that scales what passes: the forget gate "
            "scales what the cell keeps, the input gate what it writes, the output gate what it shows.",
    "cell state": "The cell state c is an LSTM's memory: a vector carried from step to step, changed only by "
                  "what the gates let through, so a gradient can travel back along it without shrinking.",
    "hidden state": "The hidden state h is what a recurrent cell passes to the next step and to the output; "
                    "the forecast is read from the last step's h.",
    "window": "The window is the L past values the model reads to make one forecast; each training example is "
              "one window and the value after it.",
    "test part": "The test part is the end of the series (the last 30 % by default) that training never sees; "
                 "every error on the page is measured there.",
    "model units": "Model units are the hidden size H: how many numbers the cell keeps per step, so a heatmap "
                   "has one row per unit.",
    "gate window": "The gate window is the test window whose gate values the heatmaps show; its slider picks "
                   "one of the test windows.",
    "rollout": "A rollout feeds the model its own forecasts: each forecast becomes the newest value of the next "
               "window, so errors can pile up over many steps.",
    "persistence": "Persistence forecasts that the next value equals the last one; a model that cannot beat it "
                   "has learned nothing useful.",
    "MASE": "MASE divides a model's mean absolute error by that of persistence on the train part: below 1, the "
            "model does better than repeating the last value.",
    "gradient norm": "The gradient norm is the size of the gradient of the loss: how strongly one training step "
                     "pulls on the weights, or on one step of the window.",
    "Jacobian": "A Jacobian is the table of how each output of a step changes with each input; chained over "
                "the steps of a window, it says how much of a gradient survives the trip back.",
}
_MARK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")


def slug(term: str) -> str:
    return "glossary-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def marks(text: str) -> list[str]:
    """The terms ``text`` marks, in order."""
    return [(m.group(2) or m.group(1)).strip() for m in _MARK.finditer(text)]


def plain(text: str) -> str:
    """``text`` with its marks as the words they show (for places that take no markup: a title, a test)."""
    return _MARK.sub(lambda m: m.group(1), text)


def term(shown: str, key: str | None = None) -> html.Span:
    """One marked term: a tab stop whose definition shows on hover and focus."""
    key = key or shown
    if key not in TERMS:
        raise ValueError(f"no glossary term {key!r}")
    return html.Span(shown, className="gl-term", tabIndex=0, role="term",
                     **{"data-term": key, "data-definition": TERMS[key], "aria-describedby": slug(key)})


def marked(text: str) -> list:
    """``text`` as page content: plain strings, and each ``[[...]]`` a ``term``."""
    out: list = []
    at = 0
    for m in _MARK.finditer(text):
        out.append(text[at:m.start()])
        out.append(term(m.group(1), (m.group(2) or m.group(1)).strip()))
        at = m.end()
    out.append(text[at:])
    return [piece for piece in out if piece != ""]


def definitions() -> html.Dl:
    """Every definition, once, for screen readers (the marks name them); hidden from sight."""
    items: list = []
    for key, sentence in TERMS.items():
        items += [html.Dt(key), html.Dd(sentence, id=slug(key))]
    return html.Dl(items, id="glossary", className="visually-hidden")
