"""The epochs a run's replay stops at (``replay-slider``): every snapshot its training kept
(``models.experiment.snapshot_every``), then its end; and the loss chart's marker at the one shown."""

from __future__ import annotations

MARKER = "replayed epoch"  # the name of the loss chart's marker shape


def marker_shapes(run, position: int | None) -> list[dict]:
    """The loss chart's marker at the epoch the slider replays; none at the run's end."""
    if run is None:
        return []
    epoch = epoch_of(run, position)
    if epoch >= run.epochs_done:
        return []
    return [{"type": "line", "name": MARKER, "x0": epoch, "x1": epoch, "yref": "paper", "y0": 0, "y1": 1,
             "line": {"color": "#9467bd", "dash": "dot", "width": 2},
             "label": {"text": f"replay: epoch {epoch}", "textposition": "end", "font": {"size": 11}}}]


def stops(run) -> list[int]:
    """The epochs the slider stops at: every snapshot before the end, then the end (the run's final
    weights, which are the best epoch's when it stopped early)."""
    return [e for e, _ in run.snapshots if e < run.epochs_done] + [run.epochs_done]


def epoch_of(run, position: int | None) -> int:
    """The epoch the slider's ``position`` stands for; past the stops, the run's end."""
    epochs = stops(run)
    if position is None or not 0 <= position < len(epochs):
        return run.epochs_done
    return epochs[position]


def position_shown(drawn, run_id) -> int | None:
    """The slider position the views show for run ``run_id`` (``replay-shown``); None (its end) when they
    show another run's, or nothing has been replayed."""
    if isinstance(drawn, dict) and drawn.get("run") == run_id and isinstance(drawn.get("position"), int):
        return drawn["position"]
    return None
