# The README's two commands are `make run` and `make test`; CI (.ci/run) calls `make test`.
# uv is used when present, else bootstrapped once into .tools/ (plain pip from PyPI).

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_ARGS ?= -n 2 --dist loadgroup
# Two workers: the suites are independent (each test starts its own controller on port 0);
# the tests that drive the real OBS share one, on one worker (xdist_group "real_obs").

NODE_PEER := benchmarks/peers/node_socketio

.PHONY: setup run test system-deps lint types pytest format clean bench

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

setup: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	# Bytecode compiled once here: a controller restarted under a reconnect storm (or on a
	# host with PYTHONDONTWRITEBYTECODE) does not spend half a second compiling its imports.
	$(UV) sync --frozen --compile-bytecode
	$(UV) run python -m compileall -q simulcast
	cd dashboards && npm ci --no-audit --no-fund --loglevel=error && npm run build
	npm ci --prefix $(NODE_PEER) --no-audit --no-fund --loglevel=error

## Start the controller on the sample rooms.yaml with SQLite (simulcast.db).
run: setup
	$(UV) run simulcast serve

## Install what the tests need, then lint, type-check and run the whole test suite.
test: system-deps setup lint types pytest

## System packages of the tests (OBS, nginx-rtmp, ffmpeg, Chromium, Node.js); root installs.
system-deps:
	bash scripts/system-deps.sh
	bash scripts/real-obs.sh install

lint:
	$(UV) run ruff check simulcast tests benchmarks
	$(UV) run ruff format --check simulcast tests benchmarks

types:
	$(UV) run mypy simulcast benchmarks

pytest:
	$(UV) run pytest $(PYTEST_ARGS)

format: setup
	$(UV) run ruff format simulcast tests benchmarks
	$(UV) run ruff check --fix simulcast tests benchmarks

## The load benchmark with its peers (figures in docs/benchmarks.md).
bench: setup
	$(UV) run simulcast bench --peers --capacity 10000 --storm --json bench.json

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
