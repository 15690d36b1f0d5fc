"""The objects a web process and its jobs share, made by one explicit step, ``init_services``:
the background-callback manager, the cache behind it, the job board, and the shelf of
every page's runs (in the cache folder, or in Redis).

Without REDIS_URL (the default, one machine): Dash's ``DiskcacheManager`` over a sharded disk
cache (progress keys are written and deleted at every poll of every page; shards spread those
writes over several SQLite files), and the job board in files under ``flock``.

With REDIS_URL: Dash's ``CeleryManager``; training runs in Celery workers, which may live on other
machines (``celery -A app:celery_app worker``), and the job board lives in Redis.

Both managers take a job that ends at any moment in their stride: stopping a job that is already
gone is not an error, and a job that cannot be looked at counts as ended. Why each of these
choices: docs/decisions.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dash import CeleryManager, DiskcacheManager

from components.server.board import JobBoard, RedisStore
from components.server.library import RunLibrary
from components.server.settings import Settings
from components.server.shelf import DiskShelf, RedisShelf, Shelf
from components.server.signing import Signer, load_key

log = logging.getLogger(__name__)


class _ExitTolerant:
    """Mixed into a Dash background-callback manager.

    ``call_job_fn`` runs in the web process as a job starts, inside the request that
    started it: it writes the client's address into the job's request (whatever the
    client wrote there), so the job can count one computer's runs.

    ``accepting``: Dash hands every background function of the process to every
    manager it has seen; a manager takes only those of the app it was made for
    (``create_app`` opens it while it binds its callbacks), so two apps in one
    process each run their own jobs.
    """

    accepting = False
    def register(self, key, fn, progress) -> None:
        if self.accepting:
            super().register(key, fn, progress)

    def call_job_fn(self, key, job_fn, args, context):
        if isinstance(args, (list, tuple)) and args and isinstance(args[0], dict):
            args = [{**args[0], "client": client_address()}, *args[1:]]
        return super().call_job_fn(key, job_fn, args, context)

    def terminate_job(self, job) -> None:
        try:
            super().terminate_job(job)
        except Exception as e:  # noqa: BLE001 - gone already, or its broker hiccuped: the result is safe
            log.info("job %s could not be stopped (%s: %s); it has ended", job, type(e).__name__, e)

    def job_running(self, job) -> bool:
        try:
            return bool(super().job_running(job))
        except Exception as e:  # noqa: BLE001 - psutil.NoSuchProcess between its own two looks
            log.info("job %s could not be looked at (%s: %s); taken as ended", job, type(e).__name__, e)
            return False


class SafeDiskcacheManager(_ExitTolerant, DiskcacheManager):
    pass


class SafeCeleryManager(_ExitTolerant, CeleryManager):
    pass


def client_address() -> str:
    """The address of the computer behind the current request ("" outside one)."""
    import flask

    return (flask.request.remote_addr or "") if flask.has_request_context() else ""


@dataclass
class Services:
    settings: Settings
    manager: Any  # a Dash background-callback manager
    board: JobBoard
    key: bytes  # signs tab ids and seals run records (``components.server.signing``)
    shelf: Shelf  # every page's runs (``components.server.shelf``)
    celery_app: Any = None  # with REDIS_URL only
    library: RunLibrary | None = None  # the shelf as this web process's views read it

    def __post_init__(self) -> None:
        if self.library is None:
            self.library = RunLibrary(self.shelf, self.signer, self.settings.view_cache_mb)

    @property
    def signer(self) -> Signer:
        return Signer(self.key)


def init_services(settings: Settings) -> Services:
    """Make the cache folder, the manager and the board for ``settings``."""
    if settings.redis_url:
        import redis
        from celery import Celery
        celery_app = Celery("gatelab", broker=settings.redis_url, backend=settings.redis_url)
        # One task per worker process: a run that a stop left behind (``components.server.job``) ends with
        # the process that ran it, as it does under the diskcache manager.
        celery_app.conf.update(result_expires=3600, worker_prefetch_multiplier=1, task_acks_late=False,
                               broker_connection_retry_on_startup=True, worker_max_tasks_per_child=1)
        # Leases are renewed every few seconds by running jobs; a worker machine that vanishes
        # frees its slots after 30 s (its processes cannot be checked from here).
        client = redis.Redis.from_url(settings.redis_url)
        board = JobBoard(RedisStore(client), slots=settings.max_jobs, lease_s=30.0)
        key = load_key(settings.secret, redis_client=client)
        return Services(settings, SafeCeleryManager(celery_app, expire=3600), board, key, Shelf(RedisShelf(client)),
                        celery_app)

    import diskcache

    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # Bounded: past the limit the least recently stored entries go (results nobody read, old progress).
    cache = diskcache.FanoutCache(str(settings.cache_dir / "jobs"), shards=8, timeout=10,
                                  size_limit=settings.cache_mb * 2**20, eviction_policy="least-recently-stored")
    board = JobBoard(settings.cache_dir / "board", slots=settings.max_jobs)
    shelf = Shelf(DiskShelf(settings.cache_dir / "runs", settings.runs_mb))
    return Services(settings, SafeDiskcacheManager(cache), board, load_key(settings.secret, settings.cache_dir), shelf)
