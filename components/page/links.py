"""Shareable links: every setting of the form in the page's query string, under its field's id.

    /?dataset=nile&cell=gru&hidden-size=16&seq-len=30

The address bar follows the form as a person edits it (only settings that differ from
the defaults are written), so copying it shares the experiment; opening it fills the
form again. A form still on the preset it was filled from carries ``preset=<name>``
first, so whoever opens the link also reads the preset's "what to look for" line, and the lesson
shown (``lesson=<value>``) before them, so the link opens where its sender was. A key Gatelab does not know, or a value out of range or of the wrong
type, falls back to that field's default, and a notice names the fields. An uploaded
CSV file stays in its page: a link cannot carry it, and says so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from components.page.lessons import LESSONS
from components.page.presets import PRESETS
from data.datasets import UPLOAD
from models.knobs import BY_KEY, PAGE_KNOBS

PRESET_KEY = "preset"
LESSON_KEY = "lesson"
NAMED = {LESSON_KEY: ("Lesson", LESSONS), PRESET_KEY: ("Preset", PRESETS)}  # keys a link gives by name



def _text(key: str, value: Any) -> str:
    """A field's value as the link writes it, and as two values are compared."""
    knob = BY_KEY[key]
    return knob.as_text(value) if knob.kind in ("switch", "names") else "" if value is None else str(value).strip()


def same_value(key: str, a: Any, b: Any) -> bool:
    """Whether field ``key`` holds the same setting in ``a`` and ``b`` ("80" and "80.0" do)."""
    ta, tb = _text(key, a), _text(key, b)
    if ta == tb:
        return True
    knob = BY_KEY[key]
    (va, ea), (vb, eb) = knob.parse(ta, ""), knob.parse(tb, "")
    return ea is None and eb is None and va == vb


def changed_fields(values: dict[str, Any], target: dict[str, str]) -> list[str]:
    """The labels of the fields whose values differ from ``target`` (knob key -> text), in form order."""
    return [k.label for k in PAGE_KNOBS if k.key in target and not same_value(k.key, values.get(k.key), target[k.key])]


def query_string(values: dict[str, Any], preset: str | None = None, lesson: str | None = None) -> str:
    """The query for form ``values`` (knob key -> text): the ``lesson`` shown, ``preset`` (a form on that
    preset), then the settings that differ from the defaults."""
    pairs = [(LESSON_KEY, lesson)] if lesson in LESSONS else []
    pairs += [(PRESET_KEY, preset)] if preset in PRESETS else []
    for knob in PAGE_KNOBS:
        value = values.get(knob.key)
        text = _text(knob.key, value)
        if text != knob.as_text(knob.default):
            pairs.append((knob.key, text))
    return urlencode(pairs)


def read_query(search: str | None, limits: dict[str, float]) -> tuple[dict[str, str], str]:
    """(knob key -> text for every field the link sets, ``PRESET_KEY`` -> the preset it names and
    ``LESSON_KEY`` -> the lesson; a notice naming what fell back to its default)."""
    values: dict[str, str] = {}
    unknown, bad, twice, seen = [], [], [], set()
    for key, text in parse_qsl((search or "").lstrip("?"), keep_blank_values=True):
        if key in seen:
            if key not in twice:
                twice.append(key)
            continue
        seen.add(key)
        if key in NAMED:  # a lesson or a preset, by its name
            what, names = NAMED[key]
            if text in names:
                values[key] = text
            else:
                bad.append(f"{what} (there is no {what.lower()} {text[:40]!r}; these are: {', '.join(names)})")
            continue
        knob = BY_KEY.get(key)
        if knob is None or not knob.on_page:
            unknown.append(key)
            continue
        if key == "dataset" and text == UPLOAD:
            bad.append(f"{knob.label} (an uploaded CSV file stays in the page it was uploaded to; "
                       "a link cannot carry it)")
            continue
        _, err = knob.parse(text, knob.label, limits.get(key))
        if err:
            bad.append(knob.label)
            continue
        values[key] = text
    parts = []
    if bad:
        parts.append("These of its values were not allowed, so the fields keep their defaults: " + "; ".join(bad))
    if unknown:
        parts.append("These are not settings of Gatelab and were ignored: " + ", ".join(unknown))
    if twice:
        parts.append("These were given more than once, and only the first value was used: " + ", ".join(twice))
    return values, ("About this link. " + " ".join(p + "." for p in parts)) if parts else ""
