"""Suggest settings as a view: what the search chose, and every candidate it tried with its score.

The button (``suggest-button``, in the form, ``components.page.form.suggest_layout``) goes through the
same Train callback and job as any run (``components.page.train_bar``): one job on the board, its progress
("candidate 7 of 17: MSE 402 on the validation blocks") on the status line, Cancel keeps the best candidate
scored by then. Its outcome carries the choice (``models.suggest.Suggestion.as_dict``); the form's one
writer (``components.page.form``) fills the six settings from it, and this view says what was chosen.
"""

from __future__ import annotations

from dash import Dash, Input, Output, html, no_update

from components.page import ids
from components.server.services import Services
from models.suggest import describe
from models.verdict import number


def rows(chosen: dict) -> list:
    """The candidates as table rows, the best first; the chosen one marked."""
    head = html.Thead(html.Tr([html.Th("validation MSE"), html.Th("seconds"), html.Th("settings")]))
    tried = sorted(chosen.get("candidates", []), key=lambda c: (c.get("validation_mse") is None,
                                                                c.get("validation_mse") or 0))
    body = []
    for c in tried:
        mse = c.get("validation_mse")
        settings = c.get("settings", {})
        text = describe(settings) + (f" ({c['note']})" if c.get("note") else "")
        body.append(html.Tr([html.Td(number(mse) if mse is not None else "-"), html.Td(f"{c.get('seconds', 0):.1f}"),
                             html.Td(text)], className="table-success" if settings == chosen.get("settings") else ""))
    return [head, html.Tbody(body)]


def register(app: Dash, services: Services) -> None:
    @app.callback(Output(ids.SUGGEST_TABLE, "children"), Output(ids.SUGGEST_NOTE, "children"),
                  Input(ids.SUGGEST_RESULT, "data"), prevent_initial_call=True)
    def show_suggestion(result):
        """The choice comes with its job's result (``JobOutcome.page_json``)."""
        chosen = result.get("suggest") if isinstance(result, dict) else None
        if not isinstance(chosen, dict) or not isinstance(chosen.get("candidates"), list):
            return no_update, no_update
        stopped = result.get("status", "")
        return rows(chosen), chosen.get("line", "") + (f" ({stopped})" if stopped and stopped != "done" else "")
