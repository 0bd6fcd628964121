# observer-app: `make run` opens the GUI on the demo study, `make test` runs every check headless.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck contracts pytest bench demo-media clean sysdeps-run sysdeps-test

run: sysdeps-run $(STAMP)
	$(BIN)/observer-app

test: sysdeps-test $(STAMP) contracts lint typecheck pytest

sysdeps-run:
	@scripts/sysdeps.sh run

sysdeps-test:
	@scripts/sysdeps.sh test

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "observer-app needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

contracts: $(STAMP)
	$(BIN)/lint-imports

lint: $(STAMP)
	$(BIN)/ruff check observer_app tests benchmarks scripts
	$(BIN)/ruff format --check observer_app tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy --strict observer_app/coding observer_app/store observer_app/services

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q --durations=25 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

demo-media: sysdeps-test
	scripts/make_demo_media.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
