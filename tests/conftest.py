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
    from components.settings import Settings

    return Settings(cache_dir=tmp_path / "cache")
