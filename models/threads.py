"""Thread discipline: one place that decides how many threads BLAS and torch use.

NumPy's OpenBLAS and torch each start a pool of one thread per core by default;
in one process on a small machine the two pools fight, and a torch pool that was
started in a parent does not survive a fork. Every entry point (the command
line, a training job) calls ``limit_threads`` once, before any heavy work.
"""

from __future__ import annotations

import os
import sys

from threadpoolctl import threadpool_limits


def limit_threads(n: int = 1) -> None:
    """Use ``n`` threads for BLAS and torch, whether they are loaded yet or not."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)  # read by libraries that load later
    threadpool_limits(limits=n)  # pools already loaded
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)
