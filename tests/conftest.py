import os
import sys
import tempfile

# Tests run single-threaded: deterministic, and no pool fights on small machines.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The dashboard's job cache lives in a folder of this test session's own.
os.environ.setdefault("GATELAB_CACHE_DIR", tempfile.mkdtemp(prefix="gatelab-test-cache-"))
# dash.testing drives Debian's Chromium.
if os.path.exists("/usr/bin/chromium"):
    os.environ.setdefault("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
