# Kuaidan — two commands: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test lint bench system system-tests check-system clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kuaidan needs Python 3.11 or newer")'
	test -d $(VENV) || { $(PYTHON) -m app.syssetup --venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the system packages this machine lacks (Qt's libraries as ldd finds them, a CJK font; xvfb for the tests):
# installed with apt-get as root, through sudo -n otherwise, else named with the command to run (app/syssetup.py)
system: $(STAMP)
	@$(BIN)/python -m app.syssetup

system-tests: $(STAMP)
	@$(BIN)/python -m app.syssetup --for-tests

check-system: $(STAMP)
	@$(BIN)/python -m app.syscheck

demo: system
	$(BIN)/kuaidan demo

run: system
	$(BIN)/python main.py

lint: $(STAMP)
	$(BIN)/ruff check app ui printers tests benchmarks main.py
	$(BIN)/mypy

test: system-tests lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	@failed=""; for b in benchmarks/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "over budget or failed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) build *.egg-info
