# Lupin. `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every check.
# Both create .venv and install the project first when needed. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed

.PHONY: run test install lint types pytest demo clean

# Lupin's settings are production-safe by default; on a developer's machine every target runs
# in development mode (demo logins, a development sealing key). Any value set in the environment
# wins. Production runs `lupin serve` with its own settings, never make.
export LUPIN_DEBUG ?= 1

run: install
	mkdir -p "$${LUPIN_VAR_DIR:-var}"
	$(BIN)/lupin migrate --noinput
	$(BIN)/lupin collectstatic --noinput --verbosity 0
	$(BIN)/lupin demo --if-empty
	exec $(BIN)/lupin serve

test: lint types pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Lupin needs Python 3.11 or newer, but '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Install a newer Python and run, for example: make PYTHON=python3.12 $(MAKECMDGOALS)" >&2; \
		exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy lupin bench

# Everything under lupin/, browser tests included (they need /usr/bin/chromium).
pytest: install
	$(BIN)/pytest

demo: install
	mkdir -p "$${LUPIN_VAR_DIR:-var}"
	$(BIN)/lupin migrate --noinput
	$(BIN)/lupin demo

# Removes the virtualenv, caches and collected static files; keeps the database in var/.
clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var/static
	find lupin bench -name __pycache__ -type d -prune -exec rm -rf {} +
