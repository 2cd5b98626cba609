# The two commands of the README:
#   make run   create .venv, install the app, start it on the embedded SQLite demo database
#   make test  install the test and semantic extras, run the whole test suite
# Extra arguments for the app: make run ARGS="--db mysql+mysqlconnector://user:pw@host/studentres"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# The CPU build of torch; a plain `pip install torch` on Linux pulls a CUDA build of several GB.
TORCH ?= torch==2.13.0

.PHONY: run test semantic bench screenshots bundle lint clean

run: $(VENV)/.app-installed
	$(BIN)/python -m studentres_desktop $(ARGS)

test: $(VENV)/.test-installed
	$(BIN)/ruff check studentres_desktop tests bench scripts packaging
	$(BIN)/mypy studentres_desktop
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.semantic-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e ".[semantic]"
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.semantic-installed
	$(BIN)/pip install --quiet -e ".[test,semantic,multilingual]"
	touch $(VENV)/.app-installed $@

semantic: $(VENV)/.semantic-installed

lint: $(VENV)/.test-installed
	$(BIN)/ruff check studentres_desktop tests bench scripts packaging
	$(BIN)/mypy studentres_desktop

# Each prints Markdown tables; they take from a minute to ten (see docs/benchmarks.md).
bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench_core.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_startup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_browser.py
	$(BIN)/python bench/bench_recommend.py
	$(BIN)/python bench/bench_recommend_cold.py
	$(BIN)/python bench/eval_recommendations.py

screenshots: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# The one-folder bundle for IT: dist/studentres-desktop/ (see packaging/README.md).
bundle: $(VENV)/.app-installed
	$(BIN)/python -c "import PyInstaller" 2>/dev/null || $(BIN)/pip install --quiet -e ".[bundle]"
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/studentres.spec
	@du -sh dist/studentres-desktop
