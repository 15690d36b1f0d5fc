"""A slider with a number box beside it that applies on Enter (and on leaving the box).

Dash's own slider box applies only when the box loses focus, and takes "abc" as
NaN. Here the box is a text field read by the server: a whole number in range
moves the slider, anything else gets a message under the box and leaves the
slider where it was. Moving the slider writes its value into the box. One
callback owns both, so they never disagree.

``SliderWithBox`` is one such widget, in the way of Dash's All-in-One components: it owns its
layout and its callback. Its ids are plain strings (the slider's id, and that id with "-box"),
not pattern-matching ids, because other issues name them as the page's contract.

    ROLLOUT = SliderWithBox(ids.ROLLOUT_STEPS, "Rollout length (steps)", "Rollout length", min=10, ...)
    ROLLOUT.layout()                 # in the card's layout
    ROLLOUT.register(app)            # in the card's register
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update


def box_problem(text: str | None, low: int, high: int, label: str) -> tuple[int | None, str]:
    """(value, "") for a whole number in [low, high], else (None, a message that starts with ``label``)."""
    must = f"{label} must be a whole number from {low} to {high}"
    text = (text or "").strip()
    try:
        value = float(text)
    except ValueError:
        return None, f"{must}; {text!r} is not a number" if text else f"{must}; it is empty"
    if not value.is_integer():
        return None, f"{must}; {text} is not a whole number"
    if not low <= value <= high:
        return None, f"{must}, got {value:g}"
    return int(value), ""


class SliderWithBox:
    """A slider and its number box; ``label`` heads them, ``short`` starts the box's messages."""

    def __init__(self, slider_id: str, label: str, short: str, **slider_kwargs) -> None:
        self.slider_id, self.label, self.short, self.slider_kwargs = slider_id, label, short, slider_kwargs

    @property
    def box_id(self) -> str:
        return f"{self.slider_id}-box"

    def layout(self) -> html.Div:
        """The label, the slider (without Dash's own box) and the box, in a row."""
        value = self.slider_kwargs.get("value", 0)
        return html.Div(
            [
                dbc.Label(self.label, html_for=self.box_id, className="small mb-0"),
                html.Div(
                    [
                        html.Div(dcc.Slider(id=self.slider_id, allow_direct_input=False, **self.slider_kwargs),
                                 className="flex-grow-1", **{"data-label": self.label}),  # the handle's name (a11y.js)
                        html.Div(
                            [
                                dbc.Input(id=self.box_id, type="text", inputmode="numeric", value=str(value),
                                          size="sm", debounce=True, autocomplete="off", style={"width": "5.5rem"}),
                                dbc.FormFeedback(id=f"{self.box_id}-feedback", type="invalid"),
                            ],
                            className="ms-2",
                        ),
                    ],
                    className="d-flex align-items-start",
                ),
            ]
        )

    def register(self, app: Dash) -> None:
        slider_id, box, short = self.slider_id, self.box_id, self.short

        @app.callback(
            Output(slider_id, "value"),
            Output(box, "value"),
            Output(box, "invalid"),
            Output(f"{box}-feedback", "children"),
            Input(slider_id, "value"),
            Input(box, "value"),
            State(slider_id, "min"),
            State(slider_id, "max"),
            prevent_initial_call=True,
        )
        def sync(slider_value, text, low, high):
            if ctx.triggered_id == slider_id:
                return no_update, str(slider_value), False, ""
            value, problem = box_problem(text, int(low), int(high), short)
            if value is None:
                return no_update, no_update, True, problem
            return value, str(value), False, ""
