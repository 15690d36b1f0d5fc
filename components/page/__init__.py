"""The page: the form, the lessons, the training bar and the result cards (``views``).

Every card is a module with ``layout()`` and ``register(app, services)``; ``register`` below binds them
all, in one list. A new card is a module in ``views/``, its ids in ``ids.py``, a line in ``CARDS`` and
its place in ``layout.py``.
"""

from __future__ import annotations

from importlib import import_module

CARDS = ("layout", "form", "upload", "lessons", "cursor", "share", "train_bar", "summary", "predict",
         "views.runs_table", "views.results", "views.explain", "views.arithmetic", "views.whatif", "views.saliency", "views.gradflow", "views.horizon",
         "views.sweep", "views.backtest", "views.suggest", "views.downloads", "views.replay")


def register(app, services) -> None:
    """Bind every card's callbacks to ``app``."""
    for name in CARDS:
        import_module(f"{__name__}.{name}").register(app, services)
