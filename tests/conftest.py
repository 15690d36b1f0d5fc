import os
import sys

import pytest

# Tests run single-threaded: deterministic, and no pool fights on small machines.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# dash.testing drives Debian's Chromium.
if os.path.exists("/usr/bin/chromium"):
    os.environ.setdefault("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


from models.config import ExperimentConfig, SeriesConfig  # noqa: E402 - after the path above
from models.train import TrainConfig  # noqa: E402

# The tiny experiment the unit tests train when any run will do: 240 points, L 16, H 5, 3 epochs, a rollout
# of 30 (a second or less). Modules that build on it at import take it as ``from tests.conftest import TINY``.
TINY = ExperimentConfig(series=SeriesConfig(length=240), seq_len=16, hidden_size=5, train=TrainConfig(epochs=3),
                        rollout_steps=30)


@pytest.fixture(scope="session")
def tiny_record():
    """``TINY`` trained once for the session (NumPy LSTM): a record to read, store, seal and restore."""
    from models.experiment import run_experiment

    return run_experiment(TINY)


@pytest.fixture
def settings(tmp_path):
    """Settings of a test's own: its own cache folder and job board."""
    from components.server.settings import Settings

    return Settings(cache_dir=tmp_path / "cache")


@pytest.fixture
def gatelab(settings):
    """An app of this test's own, with its own cache and job board."""
    from app import create_app

    return create_app(settings)


@pytest.fixture
def served(gatelab):
    """The url of ``gatelab``, served for this test (see ``tests.helpers.serve``)."""
    from tests.helpers import serve

    url, stop = serve(gatelab)
    yield url
    stop()


@pytest.fixture
def page(dash_duo, served):
    """``dash_duo`` on this test's own app, its page open and ready, with every setting and view shown
    ("Everything on one page"): the tests of the views reach each control where it is. The lessons'
    own tests (``test_browser_page.py``) start from a lesson (``lesson_page``)."""
    from tests.helpers import everything

    dash_duo.server_url = served  # opens the page
    dash_duo.wait_for_text_to_equal("#job-status", "ready")
    everything(dash_duo.driver)
    yield dash_duo
    assert dash_duo.get_logs() == []


@pytest.fixture
def lesson_page(dash_duo, served):
    """``dash_duo`` on this test's own app, its page open and ready, as a newcomer finds it: the first lesson."""
    dash_duo.server_url = served
    dash_duo.wait_for_text_to_equal("#job-status", "ready")
    yield dash_duo
    assert dash_duo.get_logs() == []


@pytest.fixture(scope="session")
def _one_chromium(request, tmp_path_factory):
    """One headless Chromium for every browser test of the session: starting it costs a second or two,
    and the page's scripts, compiled once, load faster on every later visit. Each test still gets its
    own app, server and page (a fresh tab id, no runs)."""
    from dash.testing.composite import DashComposite

    with DashComposite(server=None, browser=request.config.getoption("webdriver"),
                       headless=request.config.getoption("headless"),
                       options=request.config.hook.pytest_setup_options(),
                       download_path=str(tmp_path_factory.mktemp("download")), percy_run=False) as duo:
        duo.initial_size = duo.driver.get_window_size()
        yield duo


@pytest.fixture
def dash_duo(_one_chromium, tmp_path):
    """dash.testing's ``dash_duo``, on the session's Chromium, reset for this test: one fresh tab at the
    first size, no console messages left from before, and downloads into a folder of its own."""
    duo, d = _one_chromium, _one_chromium.driver
    old = d.window_handles
    d.switch_to.new_window("tab")  # a fresh tab, and the last test's tabs closed: their pages (and their
    fresh = d.current_window_handle  # renderers, with their timers) are gone, not kept in a cache
    for handle in old:
        d.switch_to.window(handle)
        d.close()
    d.switch_to.window(fresh)
    size = duo.initial_size
    d.set_window_size(size["width"], size["height"])
    d.get_log("browser")  # read, and so cleared
    duo._last_ts = 0
    downloads = tmp_path / "download"
    downloads.mkdir()
    duo._download_path = str(downloads)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield duo
    d.get("about:blank")  # the page goes away: its tab closes on the server, and its job stops

