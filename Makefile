# Kuaidan — two commands: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test lint bench system system-tests check-system clean dist check-dist install-desktop

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

# the desktop bundle: one folder dist/kuaidan/ with the program `kuaidan` (GUI and CLI), no Python needed to run it
dist: $(STAMP)
	@$(BIN)/python -c 'import PyInstaller' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,dist]'
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/kuaidan.spec
	@du -sh dist/kuaidan

# starts the built bundle outside the venv: the CLI from import to a printed label, the window under Xvfb
# (tests/bundle; pictures of a label and of the window in build/check-dist/)
check-dist:
	@test -x dist/kuaidan/kuaidan || { echo "build the bundle first: make dist"; exit 1; }
	KUAIDAN_BUNDLE=$(CURDIR)/dist/kuaidan/kuaidan KUAIDAN_DIST_SHOTS=$(CURDIR)/build/check-dist \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/bundle

# Kuaidan in this user's application menu (~/.local/share/applications/kuaidan.desktop), pointing at dist/kuaidan
install-desktop:
	@test -x dist/kuaidan/kuaidan || { echo "build the bundle first: make dist"; exit 1; }
	dist/kuaidan/install-desktop.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
