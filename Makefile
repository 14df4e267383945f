# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export QT_API := pyside6

.PHONY: run test lint typecheck contracts pytest bench slow system-deps venv clean package demo \
	package-check bench-bundle

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

PKG_STAMP := $(VENV)/.installed-package
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test,package]'
	@touch $(PKG_STAMP)

# dist/Switchboard/ and dist/Switchboard-<version>-linux-<arch>.tar.gz (README: Packaging)
package: system-deps $(PKG_STAMP)
	PY=$(PY) bash scripts/package.sh

# the tarball unpacked and run in a clean environment, then the bundle's tests
package-check:
	bash scripts/smoke-bundle.sh
	SWITCHBOARD_BUNDLE_TESTS=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/packaging -q -p no:randomly

bench-bundle: package
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench/test_bundle_bench.py -m bench -q -s

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
