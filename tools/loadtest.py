"""``python tools/loadtest.py``: many students at once, over HTTP, with Dash's own callback protocol.

Each simulated student does what the page does: loads the page (for its signed
``end_id``), sends heartbeats, posts the training callback with a request of its
own, polls it as the renderer does until the result arrives, and checks that the
result is its own; then takes its run into its runs store and moves the replay
slider ``--moves`` times, as the page's views ask for them. Reported: jobs started,
finished, lost, cross-talk (a result, progress or view that belongs to someone
else), time from the request to the first loss point (median, p95), the wall time
against the ideal (jobs x single-job time / cores), the bytes each student sent and
received, and, with ``--pid`` (the web server's), its CPU time per student.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import statistics
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

# The training callback's outputs, as the page names them (components.page.train_bar.run_job).
JOB_OUTPUTS = [("run-result", "data"), ("job-status", "children"), ("progress-bar", "value"), ("progress-bar", "label"),
               ("draw-wait", "data"), ("sweep-result", "data"), ("backtest-result", "data"), ("suggest-result", "data")]


class DashClient:
    """One page's worth of Dash protocol: its end_id, its tab id (the server issues one per page
    load, in the layout), and callback requests."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.up = self.down = 0  # bytes of this page's requests and answers
        self._deps: list | None = None
        html = self._get("/")
        config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                                      html, re.S).group(1))
        self.end_id = config.get("end_id", "")
        self.tab = find_prop(json.loads(self._get("/_dash-layout")), "session-id", "data")

    def _get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=self.timeout) as r:
            raw = r.read()
        self.down += len(raw)
        return raw.decode()

    def post(self, body: dict, **handles: str) -> dict:
        query = "&".join(f"{k}={v}" for k, v in {"endId": self.end_id, **handles}.items())
        data = json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/_dash-update-component?{query}", data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            raw = r.read()
        self.up += len(data)
        self.down += len(raw)
        return json.loads(raw) if raw else {}

    def call(self, output: str, values: dict[str, Any], changed: list[str]) -> dict:
        """Post the page's callback whose outputs include ``output`` ("replay-note.children"), with its
        inputs and state taken from ``values`` ("id.prop" -> value; None where absent); returns its
        answer's "response"."""
        if self._deps is None:
            self._deps = json.loads(self._get("/_dash-dependencies"))
        names = lambda d: [o.split("@")[0] for o in d["output"].strip(".").split("...")]  # noqa: E731
        dep = next(d for d in self._deps if output in names(d))
        outputs = [{"id": n.partition(".")[0], "property": n.partition(".")[2]} for n in names(dep)]
        spec = lambda items: [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]  # noqa: E731
        body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": spec(dep["inputs"]), "state": spec(dep["state"]), "changedPropIds": changed}
        return self.post(body).get("response", {})

    def heartbeat(self, session: str) -> None:
        self.post({"output": "heartbeat.disabled", "outputs": {"id": "heartbeat", "property": "disabled"},
                   "inputs": [{"id": "heartbeat", "property": "n_intervals", "value": 1}],
                   "state": [{"id": "session-id", "property": "data", "value": session}],
                   "changedPropIds": ["heartbeat.n_intervals"]})

    def train(self, request: dict, poll_s: float = 0.25, on_progress=None, limit_s: float = 1800) -> dict:
        """Start the background training callback and poll it until its result; returns the result. The tab
        the request names sends its heartbeat every few seconds meanwhile, from a thread of its own, as an
        open page does whatever its polls are waiting for."""
        body = job_body(request)
        tab = request.get("session") if isinstance(request, dict) else None
        done = threading.Event()

        def beat() -> None:
            while not done.wait(HEARTBEAT_S):
                with contextlib.suppress(Exception):  # a missed beat is the server's to judge
                    self.heartbeat(tab)

        if isinstance(tab, str):
            threading.Thread(target=beat, daemon=True).start()
        try:
            return self._poll(body, poll_s, on_progress, limit_s)
        finally:
            done.set()

    def _poll(self, body: dict, poll_s: float, on_progress, limit_s: float) -> dict:
        first = self.post(body)
        handles = {"cacheKey": first["cacheKey"], "job": first["job"]}
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            time.sleep(poll_s)
            data = self.post(body, **handles)
            if data.get("progress") and on_progress:
                on_progress(data["progress"])
            if "response" in data:
                return data["response"]["run-result"]["data"]
        raise TimeoutError("the job did not finish in time")


HEARTBEAT_S = 5.0  # as the page's heartbeat interval


def job_body(request: Any) -> dict:
    """The training callback's request body for ``request`` (whatever it holds: tools send forged ones)."""
    return {"output": ".." + "...".join(f"{i}.{p}" for i, p in JOB_OUTPUTS) + "..",
            "outputs": [{"id": i, "property": p} for i, p in JOB_OUTPUTS],
            "inputs": [{"id": "job-request", "property": "data", "value": request}],
            "state": [], "changedPropIds": ["job-request.data"]}


def changed(config: Any, **paths: Any) -> dict:
    """``config.as_dict()`` with values set by dotted path ("train.epochs"), past any check: a forged config."""
    d = config.as_dict()
    for path, value in paths.items():
        *parents, name = path.split(".")
        node = d
        for part in parents:
            node = node[part]
        node[name] = value
    return d


def find_prop(layout: Any, component_id: str, prop: str) -> Any:
    """``prop`` of the component ``component_id`` in a Dash layout's JSON, or None."""
    if isinstance(layout, dict):
        props = layout.get("props", {})
        if props.get("id") == component_id:
            return props.get(prop)
        children = props.get("children")
        return find_prop(children, component_id, prop) if children is not None else None
    if isinstance(layout, list):
        for child in layout:
            found = find_prop(child, component_id, prop)
            if found is not None:
                return found
    return None


def default_request(session: str, epochs: int | None = None) -> dict:
    from components.server.job import make_request
    from models.config import ExperimentConfig
    from models.train import TrainConfig

    config = ExperimentConfig() if epochs is None else ExperimentConfig(train=TrainConfig(epochs=epochs))
    return make_request(uuid.uuid4().hex, session, [config])


@dataclass
class Student:
    started: bool = False
    finished: bool = False
    crosstalk: bool = False
    first_point_s: float | None = None
    total_s: float | None = None
    queued_seen: set = field(default_factory=set)
    error: str = ""
    moves: int = 0  # replay-slider moves whose views showed this student's run
    up: int = 0
    down: int = 0


def replay(client: DashClient, session: str, result: dict, moves: int) -> int:
    """Take the run into the page's runs store, as the page does, then move the replay slider ``moves``
    times: each move is one request that answers the forecasts, the rollout, the gates and the replay's note.
    Returns the moves whose views all showed this page's run."""
    got = client.call("runs-store.data", {"run-result.data": result, "session-id.data": session,
                                          "runs-store.data": [], "runs-table.selected_rows": []}, ["run-result.data"])
    store, current = got["runs-store"]["data"], got["current-run"]["data"]
    page = {"session-id.data": session, "runs-store.data": store, "current-run.data": current,
            "runs-table.selected_rows": [], "cancel-button.disabled": True, "loss-options.value": [],
            "gate-window.value": 0, "rollout-steps.value": 200}
    label = result["runs"][0]["label"]
    ok = 0
    for i in range(moves):  # one request a move: it answers every view that follows the slider
        values = {**page, "replay-slider.value": i % 3, "replay-shown.data": None}
        answer = client.call("replay-note.children", values, ["replay-slider.value"])
        note = answer.get("replay-note", {}).get("children", "")
        ok += note.startswith(label) and all(v in answer for v in ("forecast-graph", "rollout-graph", "gates-graph"))
    return ok


def play_student(base: str, epochs: int | None, moves: int = 10) -> Student:
    s = Student()
    stop = threading.Event()
    try:
        client = DashClient(base)
        session = client.tab
        client.heartbeat(session)

        def beat() -> None:
            while not stop.wait(4.0):
                try:
                    client.heartbeat(session)
                except OSError:
                    pass

        threading.Thread(target=beat, daemon=True).start()
        request = default_request(session, epochs)
        want = request["configs"][0]["train"]["epochs"]
        t0 = time.monotonic()

        def on_progress(p: dict) -> None:
            status = p.get("job-status.children")
            if isinstance(status, str) and status.startswith("queued"):
                s.queued_seen.add(status)
            label = p.get("progress-bar.label") or ""
            m = re.search(r"epoch (\d+) of (\d+)", label)
            if m and int(m.group(2)) != want:
                s.crosstalk = True
            if m and s.first_point_s is None:
                s.first_point_s = time.monotonic() - t0

        s.started = True
        result = client.train(request, on_progress=on_progress)
        s.total_s = time.monotonic() - t0
        if result.get("request_id") != request["id"]:
            s.crosstalk = True
        runs = result.get("runs") or []
        s.finished = result.get("status") == "done" and len(runs) == 1 and runs[0]["epochs"] == want
        s.error = "" if result.get("status") == "done" else str(result.get("status"))
        if s.finished and moves:
            s.moves = replay(client, session, result, moves)
            s.crosstalk |= s.moves != moves
        s.up, s.down = client.up, client.down
    except Exception as e:  # noqa: BLE001 - a lost job is a figure in the report, not a crash
        s.error = f"{type(e).__name__}: {e}"
    finally:
        stop.set()
    return s


def web_cpu_s(pid: int | None) -> float | None:
    """CPU seconds of the web server ``pid`` and its worker processes so far (not the job processes,
    which the fork server under each worker starts)."""
    if not pid:
        return None
    import psutil

    master = psutil.Process(pid)
    procs = [master] + [p for p in master.children() if "gunicorn" in " ".join(p.cmdline())]
    return sum(p.cpu_times().user + p.cpu_times().system for p in procs)


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def run_loadtest(base: str, students: int = 30, epochs: int | None = None, cores: int | None = None,
                 moves: int = 10, pid: int | None = None) -> dict[str, Any]:
    cores = cores or os.cpu_count() or 1
    single = play_student(base, epochs, moves=0)
    if not single.finished:
        raise SystemExit(f"a single job failed: {single.error}")
    results: list[Student | None] = [None] * students
    barrier = threading.Barrier(students)
    cpu0 = web_cpu_s(pid)

    def one(i: int) -> None:
        barrier.wait()
        results[i] = play_student(base, epochs, moves)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(students)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    cpu = web_cpu_s(pid)
    done = [r for r in results if r is not None]
    firsts = [r.first_point_s for r in done if r.first_point_s is not None]
    report = {
        "students": students,
        "started": sum(r.started for r in done),
        "finished": sum(r.finished for r in done),
        "lost": sum(not r.finished for r in done),
        "crosstalk": sum(r.crosstalk for r in done),
        "saw_queue_position": sum(bool(r.queued_seen) for r in done),
        "first_point_median_s": statistics.median(firsts) if firsts else None,
        "first_point_p95_s": pct(firsts, 0.95) if firsts else None,
        "single_job_s": single.total_s,
        "wall_s": wall,
        "ideal_s": students * single.total_s / cores,
        "errors": sorted({r.error for r in done if r.error}),
        "moves": moves,
        "moves_ok": sum(r.moves for r in done),
        "up_kb_per_student": statistics.mean(r.up for r in done) / 1024,
        "down_kb_per_student": statistics.mean(r.down for r in done) / 1024,
        "web_cpu_s_per_student": (cpu - cpu0) / students if cpu is not None and cpu0 is not None else None,
    }
    return report


def print_report(r: dict[str, Any]) -> None:
    print(f"students {r['students']}: started {r['started']}, finished {r['finished']}, lost {r['lost']}, "
          f"cross-talk {r['crosstalk']}, saw a queue position {r['saw_queue_position']}")
    if r["first_point_median_s"] is not None:
        print(f"time to first progress point: median {r['first_point_median_s']:.2f} s, "
              f"p95 {r['first_point_p95_s']:.2f} s")
    print(f"wall time {r['wall_s']:.1f} s; ideal {r['ideal_s']:.1f} s "
          f"(= {r['students']} x {r['single_job_s']:.2f} s single job / cores); ratio {r['wall_s'] / r['ideal_s']:.2f}")
    print(f"replay-slider moves: {r['moves_ok']} of {r['students'] * r['moves']} showed the student's own run; "
          f"per student {r['up_kb_per_student']:.1f} KB sent, {r['down_kb_per_student']:.1f} KB received "
          "(uncompressed: this client asks for no compression)")
    if r["web_cpu_s_per_student"] is not None:
        print(f"web-process CPU time per student: {r['web_cpu_s_per_student']:.2f} s")
    for e in r["errors"]:
        print(f"  error: {e}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Play many students at once against a served Gatelab.")
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=None, help="default: the dashboard's default")
    parser.add_argument("--cores", type=int, default=None, help="for the ideal time (default: this machine's)")
    parser.add_argument("--moves", type=int, default=10, help="replay-slider moves per student after the run")
    parser.add_argument("--pid", type=int, default=None, help="the web server's process id, for its CPU time")
    args = parser.parse_args()
    report = run_loadtest(args.url, args.students, args.epochs, args.cores, args.moves, args.pid)
    print_report(report)
    if report["lost"] or report["crosstalk"]:
        raise SystemExit(1)
