# make run: set up .venv and open the app on the bundled demo data.
# make test: set up .venv with the test extras and run the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench templates clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/tracker-desktop demo

test: $(VENV)/.installed
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_bundle.py

templates: $(VENV)/.installed
	$(PY) -m tracker_desktop.commands.templates

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
