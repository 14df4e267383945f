# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export QT_API := pyside6

.PHONY: run test lint typecheck contracts pytest bench slow system-deps venv clean package demo

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

run: system-deps $(STAMP)
	$(VENV)/bin/switchboard --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop ui tests

typecheck: $(STAMP)
	$(VENV)/bin/mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow and not bench" -q

test: system-deps $(STAMP) lint typecheck contracts pytest

bench: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -m bench -q -s -p no:randomly

slow: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m slow -q

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
