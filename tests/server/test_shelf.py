"""The shelf of every page's runs (on disk, and in Redis) and the web process's cache of them: a run is
read only through its own page's signed tab id, a tab keeps 16 runs, and runs expire with their page."""

import time

import pytest

from components.server.library import RunCache, RunLibrary
from components.server.shelf import DiskShelf, RedisShelf, Shelf
from components.server.signing import Signer
from tests.helpers import redis_server

SIGNER = Signer(b"s" * 32)


@pytest.fixture
def run(tiny_record):
    return tiny_record.with_(id="base")


def runs(base, n, prefix):
    return [base.with_(id=f"{prefix}-{i}") for i in range(n)]


@pytest.fixture(scope="module")
def redis_client():
    import redis

    port, proc = redis_server()
    yield redis.Redis(port=port)
    proc.terminate()
    proc.wait(10)


@pytest.fixture(params=["disk", "redis"])
def shelf(request, tmp_path):
    if request.param == "disk":
        return Shelf(DiskShelf(tmp_path / "runs"))
    client = request.getfixturevalue("redis_client")
    return Shelf(RedisShelf(client, prefix=f"test-{time.monotonic_ns()}:"))


def test_a_tab_numbers_its_runs_keeps_sixteen_and_names_those_that_left(shelf, run):
    tab = SIGNER.new_tab()
    numbered, gone = shelf.add(tab, runs(run, 6, "a"))
    assert [r.number for r in numbered] == [1, 2, 3, 4, 5, 6] and gone == []
    assert [e["id"] for e in shelf.entries(tab)] == [f"a-{i}" for i in range(5, -1, -1)]  # newest first
    numbered, gone = shelf.add(tab, runs(run, 12, "b"))
    assert numbered[0].number == 7 and gone == [2, 1]  # the oldest leave
    assert len(shelf.entries(tab)) == 16 and shelf.get(tab, "a-0") is None
    assert shelf.get(tab, "b-11").number == 18 and shelf.get(tab, "b-11").weights.keys() == run.weights.keys()


def test_one_tab_cannot_read_another_tabs_runs_even_by_their_ids(shelf, run):
    mine, theirs = SIGNER.new_tab(), SIGNER.new_tab()
    shelf.add(mine, runs(run, 2, "mine"))
    assert shelf.get(theirs, "mine-0") is None and shelf.entries(theirs) == []
    library = RunLibrary(shelf, SIGNER)
    forged = [{"id": "mine-0", "number": 1}, {"id": "mine-1", "number": 2}]
    assert library.page(theirs, forged).all() == []  # a page naming another tab's ids sees nothing
    assert [r.id for r in library.page(mine, shelf.entries(mine)).all()] == ["mine-1", "mine-0"]
    assert library.page(mine[:-1] + ("0" if mine[-1] != "0" else "1"), forged).all() == []  # a forged tab id
    assert library.page("made-up", forged).find("mine-0") is None


def test_a_closed_page_forgets_its_runs_and_an_open_one_keeps_them_past_their_first_expiry(tmp_path, run):
    shelf = Shelf(DiskShelf(tmp_path / "runs"), ttl_s=1.0)
    tab, gone_tab = SIGNER.new_tab(), SIGNER.new_tab()
    shelf.add(tab, runs(run, 1, "kept"))
    shelf.add(gone_tab, runs(run, 1, "gone"))
    shelf.forget(gone_tab)
    assert shelf.entries(gone_tab) == [] and shelf.get(gone_tab, "gone-0") is None
    shelf.ttl_s = 30.0
    shelf.keep(tab)  # its heartbeat: 30 s more
    time.sleep(1.3)
    assert shelf.get(tab, "kept-0") is not None
    quiet = SIGNER.new_tab()
    shelf.ttl_s = 0.5
    shelf.add(quiet, runs(run, 1, "quiet"))
    time.sleep(0.8)  # no heartbeat: its runs expire
    assert shelf.entries(quiet) == [] and shelf.get(quiet, "quiet-0") is None


def test_a_tabs_predictions_are_its_own_and_go_with_its_page(shelf):
    a, b = SIGNER.new_tab(), SIGNER.new_tab()
    assert shelf.predictions(a) == {}
    shelf.put_prediction(a, "basics", "yes")
    assert shelf.put_prediction(a, "ahead", "over10") == {"basics": "yes", "ahead": "over10"}
    shelf.put_prediction(a, "basics", "no")  # a changed mind replaces the answer
    assert shelf.predictions(a) == {"basics": "no", "ahead": "over10"} and shelf.predictions(b) == {}
    shelf.forget(a)
    assert shelf.predictions(a) == {}


def test_the_view_cache_rebuilds_a_run_once_and_stays_within_its_bound(tmp_path, run):
    shelf = Shelf(DiskShelf(tmp_path / "runs"))
    tab = SIGNER.new_tab()
    (stored,), _ = shelf.add(tab, [run])
    page = RunLibrary(shelf, SIGNER).page(tab, shelf.entries(tab))
    first = page.find(stored.id)
    assert page.find(stored.id) is first  # read from the shelf once
    epoch = stored.snapshots[0][0]
    assert page.model(stored, epoch) is page.model(stored, epoch)  # rebuilt once for all three views
    replayed = page.at(stored, epoch)
    assert replayed is page.at(stored, epoch) and replayed.forecast.pred != stored.forecast.pred
    assert page.at(stored, None) is stored and page.at(stored, stored.epochs_done) is stored
    cache = RunCache(max_mb=1)
    for i in range(10):
        cache.get(i, lambda: bytes(300_000), len)
    assert cache.size <= 2**20 and 9 in cache.items and 0 not in cache.items
