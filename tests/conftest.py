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
