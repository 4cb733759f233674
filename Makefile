# The two commands a newcomer needs:  `make run`  and  `make test`.
# Every target installs what it needs first, and is safe to repeat.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
PROVINCE ?= rayong
PRESET   ?= rayong

.PHONY: run test lint docs bench up down db-start db-stop db-status setup env lock clean-var help

help:
	@echo "make run     run the nightly pipeline end to end (embedded PostgreSQL, simulators)"
	@echo "make test    run the whole test suite (ruff + pytest)"
	@echo "make up      start the Airflow UI and scheduler;  make down  stops them"
	@echo "make db-start / db-stop / db-status   the embedded PostgreSQL"
	@echo "make docs    generate and serve the dbt documentation (models, columns, lineage)"
	@echo "make bench   benchmarks: PRESET=tiny|rayong|national, ONLY=loader,extract,dbt,e2e,parse"
	@echo "make lock    regenerate constraints.txt from a working install"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@# a venv left half-made by an interrupted install is made again
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/edu run --province $(PROVINCE) --preset $(PRESET)

# the report's browser test drives Debian's Chromium, with Thai fonts
$(CHROMIUM): | $(STAMP)
	$(BIN)/python -m edu_platform.debian_packages chromium fonts-thai-tlwg

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --durations=30

docs: $(STAMP)
	$(BIN)/edu docs --serve

# not part of `make test`: figures in bench/results/, summary in README "Performance"
bench: $(STAMP)
	$(BIN)/python -m bench --preset $(PRESET) $(if $(ONLY),--only $(ONLY))

lint: $(STAMP)
	$(BIN)/ruff check .

setup: $(STAMP)
	$(BIN)/edu setup

up: $(STAMP)
	$(BIN)/edu up --preset $(PRESET)

down: $(STAMP)
	$(BIN)/edu down

db-start: $(STAMP)
	$(BIN)/edu db start

db-stop: $(STAMP)
	$(BIN)/edu db stop

db-status: $(STAMP)
	$(BIN)/edu db status

env: $(STAMP)
	@$(BIN)/edu env

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^edu-platform' > constraints.txt
