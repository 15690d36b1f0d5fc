// The page's clientside callbacks: what runs in the browser without a round trip to the server.
// Python binds each by name (ClientsideFunction('gatelab', NAME)); the ids and words below are the
// ones components/page defines, and tests/page/test_clientside.py holds the two to each other.
window.dash_clientside = Object.assign({}, window.dash_clientside, {gatelab: {

    // app.py: a page that goes away tells the server, so a reloaded tab's job stops at once instead of
    // after its heartbeat falls silent. The id lives in the page's memory, not in sessionStorage, which a
    // duplicated tab would copy.
    tabBeacon: function (tab) {
        if (tab && !window.gatelabTab) {
            window.addEventListener('pagehide', function () { navigator.sendBeacon('tab-closed', window.gatelabTab); });
        }
        window.gatelabTab = tab;
        return tab;
    },

    // lessons.py: the page's class follows the switcher; the graphs of a lesson just shown take their size.
    showLesson: function (lesson, everything) {
        window.requestAnimationFrame(function () { window.dispatchEvent(new Event('resize')); });
        return 'gl-page ' + (everything ? 'gl-all' : 'gl-on-' + (lesson || 'basics'));
    },

    // links.py: the address bar is written in the browser: no round trip, and no loop through the form.
    replaceQuery: function (query) {
        const url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(null, '', url);
        }
        return query;
    },

    // share.py: the link the button copies is the address as the page last wrote it.
    followUrl: function (_written, _lesson) { return window.location.href; },

    copied: function (n, url) {
        if (!navigator.clipboard) {
            return 'To share this experiment, copy the address bar: this browser lets only https and localhost ' +
                   'pages use the clipboard.';
        }
        return n ? 'Copied the link of this experiment: ' + url : '';
    },

    // cursor.py: hovering the forecasts, the rollout or the heatmaps draws a line at the same series step on
    // the other two (the heatmaps' figure names its columns' steps in layout.meta.cursor).
    moveCursor: function (forecastHover, rolloutHover, gatesHover) {
        const graphs = ['forecast-graph', 'rollout-graph', 'gates-graph'], gatesId = 'gates-graph';
        const trig = ((window.dash_clientside.callback_context.triggered || [])[0] || {}).prop_id || '';
        const source = trig.split('.')[0];
        const hover = {[graphs[0]]: forecastHover, [graphs[1]]: rolloutHover, [graphs[2]]: gatesHover}[source];
        const plot = function (id) {
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
        const mark = function (id, x) {
            const gd = plot(id);
            if (!gd || !gd.layout || id === source) { return; }
            const shapes = (gd.layout.shapes || []).filter(function (s) { return s.name !== 'cursor'; });
            const drawn = (gd.data || []).some(function (t) { return t.x && Array.prototype.indexOf.call(t.x, x) >= 0; });
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
    },

    // train_bar.py: "done" once the finished run is drawn. The job's last word names the views to wait for
    // (draw-wait), and this says "done" when each has been redrawn since: the views' callbacks run after
    // the runs store takes the new runs, and the renderer may run this before or after them.
    finishDrawing: function (wait, _table, _rollout, _gates, _sweep, _backtest, _suggest, left) {
        const nu = window.dash_clientside.no_update;
        const hit = window.dash_clientside.callback_context.triggered.map(function (t) { return t.prop_id.split('.')[0]; });
        let pending = left;
        if (hit.includes('draw-wait')) {
            if (!wait || !Array.isArray(wait.views)) { return [nu, nu, null]; }
            pending = wait.views;
        }
        if (!pending) { return [nu, nu, nu]; }
        pending = pending.filter(function (id) { return !hit.includes(id); });
        return pending.length ? [nu, nu, pending] : ['done', 'done', null];
    },

    // train_bar.py: the run a paused job shows, named by its request and epoch. The job's progress carries
    // it at every report; this passes on only a change, so the views redraw at a pause and at its end.
    pausedChange: function (feed, current) {
        const same = (feed || null) === (current || null) ||
            (feed && current && feed.request === current.request && feed.epoch === current.epoch);
        return same ? window.dash_clientside.no_update : (feed || null);
    },

    // train_bar.py: a job's callback that ends without its final word (the job died, or a request for its
    // result failed) leaves the status at a word of a job in flight while Train is enabled again. Seen at
    // two heartbeats in a row, for the same request, that means the run is lost.
    watchdog: function (_tick, trainDisabled, status, request, watch) {
        const inFlight = typeof status === 'string' &&
            (status === 'starting' || status === 'running' || status.startsWith('queued'));
        const id = request && request.id;
        if (!inFlight || trainDisabled || !id) { return [window.dash_clientside.no_update, null]; }
        if (watch === id) {
            return ['no result: this run was lost on its way back from the server; press Train to try again', null];
        }
        return [window.dash_clientside.no_update, id];
    },

    // train_bar.py: the job reports its loss history as numbers (run k of the job, every epoch so far);
    // this puts them into the live figure, whose layout.meta.per_run says how many traces a run has.
    drawLossFeed: function (feed, figure) {
        if (!feed || !feed.history || !figure || !figure.data) { return window.dash_clientside.no_update; }
        const per = (figure.layout && figure.layout.meta && figure.layout.meta.per_run) || 3;
        const first = (feed.run || 0) * per;
        const keys = ['train_loss', 'test_loss', 'grad_norm'].concat(feed.history.val_loss ? ['val_loss'] : []);
        const x = feed.history.train_loss.map(function (_, i) { return i + 1; });
        const data = figure.data.slice();
        keys.forEach(function (key, i) {
            if (data[first + i]) { data[first + i] = Object.assign({}, data[first + i], {x: x, y: feed.history[key]}); }
        });
        return Object.assign({}, figure, {data: data});
    },

    // results.py: log scale and gradient norm restyle whatever loss figure is shown (a live one too), in the
    // browser: nothing is sent, and the next redraw reads the options.
    styleLoss: function (options, figure) {
        if (!figure || !figure.layout) { return window.dash_clientside.no_update; }
        const log = (options || []).includes('log'), grad = (options || []).includes('grad');
        const layout = Object.assign({}, figure.layout, {
            yaxis: Object.assign({}, figure.layout.yaxis, {type: log ? 'log' : 'linear'}),
            yaxis2: Object.assign({}, figure.layout.yaxis2, {visible: grad})});
        const data = (figure.data || []).map(function (t) { return t.meta === 'grad' ? Object.assign({}, t, {visible: grad}) : t; });
        return Object.assign({}, figure, {data: data, layout: layout});
    },

    // replay.py: Play, Pause and each step run in the browser, so a press takes effect at once and no step
    // can overtake it. Play from the end starts at the first snapshot; each step moves one snapshot on and
    // stops at the end.
    replayPlayer: function (_play, _tick, paused, value, last) {
        const nu = window.dash_clientside.no_update;
        const pressed = window.dash_clientside.callback_context.triggered
            .some(function (t) { return t.prop_id === 'replay-play.n_clicks'; });
        value = value || 0; last = last || 0;
        if (pressed) {
            if (!paused || last <= 0) { return [nu, true, 'Play']; }
            return [value >= last ? 0 : nu, false, 'Pause'];
        }
        if (paused) { return [nu, nu, nu]; }
        if (value + 1 >= last) { return [Math.min(value + 1, last), true, 'Play']; }
        return [value + 1, nu, nu];
    },

    // replay.py: milliseconds per snapshot for each speed (replay.SPEEDS).
    replaySpeed: function (speed) { return {slow: 1200, normal: 600, fast: 250}[speed] || 600; },
}});
