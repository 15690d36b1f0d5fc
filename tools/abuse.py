"""``python tools/abuse.py``: a curious student's tries against a served Gatelab, and what each did.

It serves Gatelab itself (``gatelab serve`` on a free port, a cache folder of its own, the
default limits) and plays every try of the hardening issue through Dash's own callback
protocol, the way ``tools/loadtest.py`` does: forged Train requests posted straight to the
job's callback, made-up tab ids, one computer queueing many runs, a CSV of 100,000 rows, a
forged run record, a 150 MB body, JSON nested 100,000 deep, 6000 made-up heartbeats, and a
run at the served maxima cancelled in its first batch. Printed: a table of try, outcome,
and the server's memory (its processes together, MB) before and after; then the run at the
maxima's peak memory against GATELAB_MAX_JOB_MB.

Only 127.0.0.1 is ever contacted, every loop is bounded, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.server.job import make_request  # noqa: E402
from data.synthetic import SeriesConfig  # noqa: E402
from models.config import ExperimentConfig  # noqa: E402
from models.cost import run_mb  # noqa: E402
from models.experiment import run_experiment  # noqa: E402
from models.run import _digest  # noqa: E402
from models.train import TrainConfig  # noqa: E402
from tests.helpers import free_port, wait_for_port  # noqa: E402
from tools.loadtest import DashClient, changed, job_body  # noqa: E402

TINY = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5, train=TrainConfig(epochs=2),
                        rollout_steps=30)
MAXIMA = ExperimentConfig(series=SeriesConfig(length=5000), seq_len=1700, hidden_size=256,
                          train=TrainConfig(epochs=500))


def tree_mb(pid: int) -> float:
    """RSS of a process and all its children, MB (shared pages counted in each, so an upper bound)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def run_job(client: DashClient, request, timeout: float = 60) -> str:
    """Post ``request`` to the job's callback and poll it; the status line it ends with."""
    first = client.post(job_body(request))
    handles = {"cacheKey": first["cacheKey"], "job": first["job"]}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.post(job_body(request), **handles)
        if "response" in data:
            return data["response"]["job-status"]["children"]
        time.sleep(0.2)
    return f"no answer in {timeout:g} s"


def callback(client: DashClient, deps: list, input_id: str, values: dict) -> dict:
    """Call the callback that ``input_id`` triggers, with ``values`` ({id.prop: value}) and None elsewhere."""
    spec = next(d for d in deps if any(i["id"] == input_id for i in d["inputs"]))
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in spec["output"].strip(".").split("...")]
    body = {"output": spec["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in spec["inputs"]],
            "state": [{**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in spec["state"]],
            "changedPropIds": [f"{input_id}.{spec['inputs'][[i['id'] for i in spec['inputs']].index(input_id)]['property']}"]}
    return client.post(body)


def raw_post(base: str, data: bytes) -> str:
    req = urllib.request.Request(f"{base}/_dash-update-component", data=data,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return f"HTTP {r.status}"
    except urllib.error.HTTPError as e:
        text = e.read()[:300].decode(errors="replace")
        title = text.split("<title>")[1].split("</title>")[0] if "<title>" in text else text.strip()
        return f"HTTP {e.code}: {title[:100]}"
    except (urllib.error.URLError, ConnectionError) as e:
        return f"refused ({type(e).__name__})"


def forged(**changes) -> dict:
    return changed(TINY, **changes)


def tries(base: str, server_pid: int, cache: Path) -> list[tuple[str, str]]:
    client = DashClient(base)
    client.heartbeat(client.tab)
    deps = json.loads(client._get("/_dash-dependencies"))
    out: list[tuple[str, str]] = []

    def forged_train(name: str, config: dict) -> None:
        request = make_request(uuid.uuid4().hex, client.tab, [TINY])
        request["configs"] = [config]
        out.append((name, run_job(client, request)))

    forged_train("forged Train: H 100000", forged(hidden_size=100000))
    forged_train("forged Train: epochs 1e9", forged(**{"train.epochs": 1e9}))
    forged_train("forged Train: epochs 10000", forged(**{"train.epochs": 10000}))
    comps = forged()
    comps["series"]["components"] = [{"period": 10.0 + i, "amplitude": 1.0, "phase": 0.0} for i in range(10000)]
    forged_train("forged Train: 10000 seasonal components", comps)
    forged_train("forged Train: n 20000, L 10000", forged(**{"series.length": 20000, "seq_len": 10000}))
    forged_train("forged Train: H 256, L 3000, batch 1024", forged(
        **{"series.length": 5000, "seq_len": 3000, "hidden_size": 256, "train.batch_size": 1024}))
    made_up = make_request(uuid.uuid4().hex, uuid.uuid4().hex, [TINY])
    out.append(("Train with a made-up tab id", run_job(client, made_up)))

    # one computer, 12 tabs, a long run each
    pages, started = [], []
    for _ in range(12):
        page = DashClient(base)
        page.heartbeat(page.tab)
        request = make_request(uuid.uuid4().hex, page.tab, [ExperimentConfig(train=TrainConfig(epochs=500))])
        pages.append((page, request))
    answers = []
    lock = threading.Lock()

    def one(page, request):
        status = run_job(page, request, timeout=20)
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=one, args=pr, daemon=True) for pr in pages]
    for t in threads:
        t.start()
        time.sleep(0.1)
    time.sleep(3)
    psutil_jobs = len(psutil.Process(server_pid).children(recursive=True))
    refused = sum(1 for a in answers if "runs waiting or running" in a)
    for _, request in pages:
        urllib.request.urlopen(urllib.request.Request(f"{base}/tab-closed", data=request["session"].encode()),
                               timeout=10)
    for t in threads:
        t.join(25)
    refused = sum(1 for a in answers if "runs waiting or running" in a)
    out.append(("12 runs from one computer in 1.2 s", f"{refused} refused with a sentence, "
                f"{len(answers) - refused} ran or queued; {psutil_jobs} processes under the server at the peak"))

    # a CSV of 100,000 rows
    csv = ("value\n" + "\n".join(f"{v:.4f}" for v in np.sin(np.arange(100_000) / 9))).encode()
    contents = "data:text/csv;base64," + base64.b64encode(csv).decode()
    answer = callback(client, deps, "upload-data", {"upload-data.contents": contents,
                                                     "upload-data.filename": "long.csv"})
    said = json.dumps(answer.get("response", {}).get("upload-status", {}))
    said = said[said.find("Not read"):].split('"')[0] if "Not read" in said else said[:150]
    out.append((f"CSV of 100,000 rows ({len(csv) / 2**20:.2f} MB)", said))

    # a forged run record: dataset upload, n 30000, L 15000, its digest recomputed
    record = run_experiment(TINY).to_json()
    body = {k: v for k, v in record.items() if k != "digest"}
    body["config"]["dataset"], body["config"]["seq_len"] = "upload", 15000
    body["series"]["values"] = [0.0] * 30000
    forged_record = {**body, "digest": _digest(body)}
    contents = "data:application/json;base64," + base64.b64encode(json.dumps(forged_record).encode()).decode()
    answer = callback(client, deps, "upload-run", {"upload-run.contents": contents,
                                                    "upload-run.filename": "forged.json", "runs-store.data": []})
    said = answer.get("response", {}).get("runs-note", {}).get("children", str(answer)[:150])
    out.append(("forged run record (n 30000, L 15000, digest recomputed)", said))

    out.append(("150 MB POST", raw_post(base, b"x" * (150 * 2**20))))
    out.append(("JSON nested 100,000 deep", raw_post(base, b"[" * 100_000)))

    board = cache / "board" / "alive"
    before = len(list(board.iterdir())) if board.exists() else 0
    t0 = time.perf_counter()
    for i in range(6000):
        client.heartbeat(f"made-up-{i}")
    per = (time.perf_counter() - t0) / 6000 * 1000
    after = len(list(board.iterdir()))
    out.append(("6000 heartbeats of made-up tabs", f"{after - before} files left; {per:.1f} ms a heartbeat"))

    with urllib.request.urlopen(base + "/", timeout=10) as r:
        h = r.headers
        out.append(("security headers", f"nosniff: {h.get('X-Content-Type-Options')}, frame: "
                    f"{h.get('X-Frame-Options')}, CSP: {'yes' if h.get('Content-Security-Policy') else 'no'}, "
                    f"Server: {h.get('Server')}"))
    return out


def job_pid(cache: Path) -> int | None:
    """The pid of the running job on the board (one job at a time here)."""
    try:
        running = json.loads((cache / "board" / "board.json").read_text()).get("running", {})
    except (FileNotFoundError, ValueError):
        return None
    return next((e["pid"] for e in running.values()), None)


def maxima(base: str, cache: Path, seconds: float = 20) -> tuple[str, float, float, bool]:
    """A run at the served maxima, cancelled ``seconds`` in: (status, seconds to stop, the job's peak RSS MB,
    whether its process was gone 2 s after the answer)."""
    client = DashClient(base)
    client.heartbeat(client.tab)
    request = make_request(uuid.uuid4().hex, client.tab, [MAXIMA])
    first = client.post(job_body(request))
    handles = {"cacheKey": first["cacheKey"], "job": first["job"]}
    pid, peak = None, 0.0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        pid = pid or job_pid(cache)
        if pid:
            peak = max(peak, tree_mb(pid))
        client.post(job_body(request), **handles)
        if int(time.monotonic() - t0) % 4 == 0:
            client.heartbeat(client.tab)
        time.sleep(0.2)
    cancel = next(i for i in json.loads(client._get("/_dash-dependencies")) if i["inputs"][0]["id"] == "cancel-button")
    body = {"output": cancel["output"], "outputs": [], "inputs": [{"id": "cancel-button", "property": "n_clicks",
                                                                   "value": 1}],
            "state": [{"id": "job-request", "property": "data", "value": request}],
            "changedPropIds": ["cancel-button.n_clicks"]}
    asked = time.monotonic()
    client.post(body)
    while time.monotonic() - asked < 30:
        data = client.post(job_body(request), **handles)
        if "response" in data:
            took = time.monotonic() - asked
            time.sleep(2)
            return data["response"]["job-status"]["children"], took, peak, not (pid and psutil.pid_exists(pid))
        if pid:
            peak = max(peak, tree_mb(pid))
        time.sleep(0.1)
    return "no answer in 30 s", 30.0, peak, False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    port = free_port()
    cache = Path(tempfile.mkdtemp(prefix="gatelab-abuse-"))
    env = {**os.environ, "GATELAB_CACHE_DIR": str(cache), "GATELAB_MAX_JOBS": "2"}
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r}); "
                               f"from app import serve; serve(port={port})"], env=env, cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=90)
        base = f"http://127.0.0.1:{port}"
        time.sleep(2)
        rows = []
        start_mb = tree_mb(server.pid)
        for name, outcome in tries(base, server.pid, cache):
            rows.append((name, outcome))
        mid_mb = tree_mb(server.pid)
        status, took, peak, gone = maxima(base, cache)
        time.sleep(2)
        end_mb = tree_mb(server.pid)
        limit = int(os.environ.get("GATELAB_MAX_JOB_MB", "2048"))
        print(f"{'try':58s} | outcome")
        print("-" * 58 + "-|-" + "-" * 70)
        for name, outcome in rows:
            print(f"{name:58s} | {outcome}")
        print(f"\nserver memory (its processes together): {start_mb:.0f} MB before the tries, {mid_mb:.0f} MB after "
              f"them, {end_mb:.0f} MB after the run at the maxima")
        print(f"run at the served maxima (n 5000, L 1700, H 256, batch 64), cancelled 20 s in: {status!r}, "
              f"{took:.2f} s from Cancel to the answer, its process {'gone' if gone else 'STILL THERE'} 2 s later; "
              f"the job's peak RSS {peak:.0f} MB (GATELAB_MAX_JOB_MB {limit}; estimated {run_mb(MAXIMA, 5000):.0f})")
        return 0
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    raise SystemExit(main())
