"""One cursor: hover a time step on the one-step forecasts, the rollout or the gate heatmaps, and
the other two show the same step as a line.

All in the browser: a clientside callback reads the three graphs' hover, works out the step on
the series' time axis (the heatmaps' figure says where each of its columns lies:
``layout.meta.cursor``), and moves a line named "cursor" on the other graphs with Plotly's own
``relayout``, keeping every other shape (the gate window's shading stays), on a graph that shows
that step. Nothing goes to the server, and each figure keeps its one writer; the next redraw of
a figure clears its line.
"""

from __future__ import annotations

from dash import Dash, Input, Output, dcc

from components import ids

GRAPHS = (ids.FORECAST_GRAPH, ids.ROLLOUT_GRAPH, ids.GATES_GRAPH)

MOVE = """
function(forecastHover, rolloutHover, gatesHover) {
    const graphs = %(graphs)s, gatesId = %(gates)s;
    const trig = ((window.dash_clientside.callback_context.triggered || [])[0] || {}).prop_id || '';
    const source = trig.split('.')[0];
    const hover = {[graphs[0]]: forecastHover, [graphs[1]]: rolloutHover, [graphs[2]]: gatesHover}[source];
    const plot = function(id) {
        const el = document.getElementById(id);
        return el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
    };
    const gates = plot(gatesId);
    const meta = (gates && gates.layout && gates.layout.meta) || {};
    const columns = meta.cursor || [], firstStep = meta.first_step || 0;
    let at = null;
    if (hover && hover.points && hover.points.length) {
        const p = hover.points[0];
        at = source === gatesId ? columns[p.x - firstStep] : p.x;
        if (at === undefined) { at = null; }
    }
    const mark = function(id, x) {
        const gd = plot(id);
        if (!gd || !gd.layout || id === source) { return; }
        const shapes = (gd.layout.shapes || []).filter(function(s) { return s.name !== 'cursor'; });
        const drawn = (gd.data || []).some(function(t) { return t.x && Array.prototype.indexOf.call(t.x, x) >= 0; });
        if (x !== null && (id === gatesId || drawn)) {  // a step the graph does not show would stretch its axis
            shapes.push({type: 'line', name: 'cursor', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
                         line: {color: '#d6336c', width: 1.5}});
        }
        window.Plotly.relayout(gd, {shapes: shapes});
    };
    mark(graphs[0], at);
    mark(graphs[1], at);
    const column = at === null ? -1 : columns.indexOf(at);
    mark(gatesId, column < 0 ? null : column + firstStep);
    return at;
}
""" % {"graphs": list(GRAPHS), "gates": repr(ids.GATES_GRAPH)}


def layout() -> dcc.Store:
    return dcc.Store(id=ids.CURSOR)


def register(app: Dash) -> None:
    app.clientside_callback(MOVE, Output(ids.CURSOR, "data"), *(Input(g, "hoverData") for g in GRAPHS),
                            prevent_initial_call=True)
