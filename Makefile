# Two commands on a fresh machine: `make run` (set up and serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SCALE  ?= small

.PHONY: install run serve test test-fast lint bench messages clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Set everything up (venv, dependencies, database, demo data when empty) and serve.
run: install
	$(BIN)/mowakaba migrate --noinput
	$(BIN)/mowakaba collectstatic --noinput --verbosity 0
	$(BIN)/mowakaba demo --scale $(SCALE) --if-empty
	$(BIN)/mowakaba territory census
	$(BIN)/mowakaba vigilance refresh --if-empty
	HTTPS=0 PORT=$(PORT) $(BIN)/mowakaba serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks || true
	$(BIN)/mypy

# JSON figures at a stated scale (SCALE=small|province|national); DATABASE_URL picks the database.
bench: install
	$(BIN)/python benchmarks/run.py --scale $(SCALE)
	$(BIN)/python benchmarks/registry.py --persons $(PERSONS_$(SCALE))
	$(BIN)/python benchmarks/casework.py --scale $(SCALE) --fresh
	$(BIN)/python benchmarks/programs.py --scale $(SCALE) --fresh
	$(BIN)/python benchmarks/vigilance.py --scale $(SCALE) --fresh
	$(BIN)/python benchmarks/detector_eval.py
	$(BIN)/python benchmarks/names_eval.py

PERSONS_small    := 3000
PERSONS_province := 50000
PERSONS_national := 1000000

# Refresh the Arabic, French and English message catalogues after changing strings.
messages: install
	cd src/mowakaba && ../../$(BIN)/mowakaba makemessages -l ar -l fr -l en --no-obsolete --no-location
	cd src/mowakaba && ../../$(BIN)/mowakaba compilemessages

clean:
	rm -rf $(VENV) var/static
