# Everything a fresh machine needs. `make run` serves Gatelab; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# On these machines `pip install torch==2.13.0` finds the CPU wheel on disk. Elsewhere, get the CPU
# build with: make TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
PORT ?= 8050
# make test runs the suite in this many processes (pytest-xdist). On this project's 2-core machine: 3 processes
# 10 min 54 s for 682 tests (the same 17 1/2 min, and 712 tests 21 min, on a day it ran 1.7 times slower);
# before the browser tests were trimmed, 3 processes 11 min 48 s, 2 processes 13 min, 4 processes
# 12 3/4 to 13 1/2 min with load-made flakes, 6 processes 15 min. One process:
# make test TEST_WORKERS=0
TEST_WORKERS ?= 3

.PHONY: install run test test-fast bench browser container-test loadtest clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/gatelab serve --host 0.0.0.0 --port $(PORT)

# Browser tests drive Debian's Chromium; the Celery tests start Debian's redis-server.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v redis-server >/dev/null || { \
	  echo "installing chromium, chromium-driver and redis-server"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium chromium-driver redis-server >/dev/null; }

test: install browser
	$(BIN)/python -m pytest --durations=15 $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal)

# The unit tests alone: no Chromium, Redis, wheel build or Jupyter.
test-fast: install
	$(BIN)/python -m pytest -m "not browser and not redis and not wheel and not jupyter"

# OPENBLAS_CORETYPE pins an older kernel on some shared machines; the benchmark measures the native one.
bench: install browser
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python tools/bench.py
	$(BIN)/python tools/bench_ui.py --repeats 5
	$(BIN)/python tools/bench_whatif.py

# Builds and runs the Dockerfile with podman (no Docker engine needed), trains over HTTP, cleans up.
container-test: install
	bash tools/container_test.sh

# 30 students at once against gunicorn on this machine (see README, "A classroom"). They all come
# from 127.0.0.1, so the per-computer queue bound is lifted to the class size.
loadtest: install
	GATELAB_CACHE_DIR=$$(mktemp -d) GATELAB_PORT=8061 GATELAB_MAX_QUEUED_PER_CLIENT=30 $(BIN)/gunicorn -c gunicorn.conf.py app:server & 	  pid=$$!; sleep 10; $(BIN)/python tools/loadtest.py --url http://127.0.0.1:8061 --students 30 --moves 10 --pid $$pid; 	  status=$$?; kill $$pid; exit $$status

clean:
	rm -rf $(VENV) *.egg-info
