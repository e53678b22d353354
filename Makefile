# constraints.txt pins every transitive dependency to versions known to work together (pip freeze).
# Two commands for a fresh machine with Python 3.11+ and make:
#   make demo   runs the bundled scenario with the dashboard at http://127.0.0.1:8501
#   make test   runs the linter (ruff) and the test suite
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c "import sys; sys.exit(sys.version_info < (3, 11))" >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-quick test bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "earful needs Python 3.11 or newer: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@echo "compiling the classifier's kernels (once, about 10 s)"
	$(BIN)/python -c "from earful.sentiment import warm_up; warm_up()"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/earful demo --fresh

demo-quick: $(STAMP)
	$(BIN)/earful demo --fresh --no-dashboard --until-idle

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) earful-demo.duckdb earful-demo.duckdb.wal
