# The README's two commands: `make demo` and `make test`. Needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs Keepword with the versions pinned in requirements.lock; redone when either changes.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	# An editable install leaves Keepword's own modules uncompiled; where Python may not write
	# bytecode (PYTHONDONTWRITEBYTECODE), every command would compile them again at start.
	$(BIN)/python -m compileall -q src
	touch $@

demo: $(VENV)/.installed
	$(BIN)/keepword demo --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	@sh scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python bench/forecast.py
	$(BIN)/python bench/whatif.py
	$(BIN)/python bench/change.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/web.py --requests 200 --write-every 1
	$(BIN)/python bench/login.py
	$(BIN)/python bench/playbook.py
	$(BIN)/python bench/cli.py

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
