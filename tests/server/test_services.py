"""Nothing happens at import; an app per call; a job that exits at any moment loses no result."""

import os
import subprocess
import sys

import psutil
import pytest

ROOT = __file__.rsplit("/tests/", 1)[0]
MODULES = ["app", "cli", "components.page.form", "components.page.views.explain", "components.page.figures", "components.page.ids",
           "components.page.views.gradflow", "components.server.board", "components.page.views.results", "components.server.job", "components.page.views.runs_table",
           "components.server.services", "components.server.settings", "components.page.train_bar"]


def test_importing_any_component_creates_no_file_folder_or_process(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    code = ("import importlib, psutil, sys\n"
            f"for m in {MODULES!r}: importlib.import_module(m)\n"
            "print(len(psutil.Process().children(recursive=True)))\n")
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), GATELAB_CACHE_DIR=str(tmp_path / "c"))
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "0"  # no fork server, no job
    assert sorted(os.listdir(tmp_path)) == ["home"] and os.listdir(home) == []


def test_two_apps_in_one_process_each_have_their_callbacks_and_settings(tmp_path):
    from app import create_app
    from components.server.settings import Settings

    first = create_app(Settings(cache_dir=tmp_path / "a", max_epochs=7))
    second = create_app(Settings(cache_dir=tmp_path / "b", max_epochs=9))
    for app, folder in ((first, "a"), (second, "b")):
        deps = app.server.test_client().get("/_dash-dependencies").json
        outputs = " ".join(d["output"] for d in deps)
        assert "run-result.data" in outputs and "job-request.data" in outputs
        assert app.gatelab.board.store.folder == tmp_path / folder / "board"
    assert first.gatelab.settings.max_epochs == 7 and second.gatelab.settings.max_epochs == 9
    # each manager runs only its own app's jobs
    assert first.gatelab.manager.func_registry and second.gatelab.manager.func_registry
    key = next(iter(second.gatelab.manager.func_registry))
    assert first.gatelab.manager.func_registry[key] is not second.gatelab.manager.func_registry[key]


def _exited_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("safe", [False, True])
def test_a_result_survives_a_job_that_exits_while_it_is_fetched(tmp_path, monkeypatch, safe):
    """Dash's get_result clears the result, then stops the job. If the job's process exits between
    psutil's two looks at it, psutil raises: forced here by a pid that pid_exists calls alive."""
    import diskcache
    from dash import DiskcacheManager

    from components.server.services import SafeDiskcacheManager

    cache = diskcache.Cache(str(tmp_path))
    manager = (SafeDiskcacheManager if safe else DiskcacheManager)(cache)
    cache.set("key", {"the": "result"})
    pid = _exited_pid()
    monkeypatch.setattr(psutil, "pid_exists", lambda p: True)
    if not safe:  # what Dash alone does: the request fails, and the result is gone
        with pytest.raises(psutil.NoSuchProcess):
            manager.get_result("key", pid)
        assert cache.get("key") is None
        return
    assert manager.get_result("key", pid) == {"the": "result"}
    assert manager.job_running(pid) is False
