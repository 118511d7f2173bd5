# The whole onboarding is two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# `make run HOST=0.0.0.0 PORT=8080` serves elsewhere; the documents' QR codes follow
# (CASETRAIL_PUBLIC_URL, unless set) — give a reachable name when HOST is 0.0.0.0.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint imports typecheck pytest install lock clean docs

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# The demo keeps its "off-site" copies in the data folder so every page is populated; in
# production point CASETRAIL_REPLICA_STORE and CASETRAIL_OFFSITE_DIR at another disk or bucket.
run: export CASETRAIL_REPLICA_STORE ?= replica
run: export CASETRAIL_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export CASETRAIL_OFFSITE_DIR ?= $(or $(CASETRAIL_DATA_DIR),$(CURDIR)/data)/offsite-checkpoints
run: $(STAMP)
	$(BIN)/casetrail migrate --noinput
	$(BIN)/casetrail demo
	@echo "casetrail: http://$(HOST):$(PORT)/  (Ctrl-C 停止; the worker publishes checkpoints alongside)"
	@echo "二维码地址 (CASETRAIL_PUBLIC_URL): $(CASETRAIL_PUBLIC_URL)"
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/casetrail worker --interval 10 & \
	$(BIN)/casetrail runserver --noreload $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The floors: no package imports from a floor above it (pyproject.toml, docs/architecture.md).
imports: $(STAMP)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy casetrail tests $(wildcard bench/*.py)

# The suite runs on every core (pytest-xdist; each worker has its own test database);
# `make pytest PYTEST_WORKERS=0 PYTEST_ARGS=tests/web` runs part of it in one process.
PYTEST_WORKERS ?= auto
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint imports typecheck pytest

# The generated sections of the docs (the citations table of docs/traceability.md).
docs: $(STAMP)
	$(BIN)/python -m casetrail.procedure.citation_table docs/traceability.md

# Re-pin every dependency to what is installed now (after changing pyproject.toml).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
