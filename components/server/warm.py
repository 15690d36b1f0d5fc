"""What every process that runs training jobs imports before it runs any.

Jobs start in a *fork server* (see ``app.py``, which also preloads the page module where the job's
callback is defined, since unpickling the callback imports it): a fresh, single-threaded Python
that imports this module once and then forks a child per job. So a job never
inherits the web server's threads or the locks they held, and it still starts
warm: importing torch and ``torch.optim`` in each job would cost over a second
before its first epoch.
"""

import numpy.random  # noqa: F401  - not lazily, inside a job

import components.server.job  # noqa: F401  - the job and everything it imports
import models.torch_backend
import scipy.optimize  # noqa: F401  - the ES hybrid's fit (data.smoothing)
import statsforecast.models  # noqa: F401  - the statistical baselines (models.statistical): a second and a half
from models.threads import limit_threads

limit_threads(1)
models.torch_backend.preload()
