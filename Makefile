# Spa Planner: `make run` serves the demo spa, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DEBUG=true

.PHONY: run test lint format migrate demo clean

$(BIN)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Spa Planner needs Python 3.11 or newer." or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

# Links in emails point at the port served, unless SITE_URL says otherwise.
SITE_URL ?= http://127.0.0.1:$(PORT)
SERVED := $(DEV) SITE_URL=$(SITE_URL)

run: $(BIN)/.installed
	@$(SERVED) $(BIN)/python manage.py migrate --noinput --verbosity 0
	@# The demo's own emails (reminders, flags) go nowhere, so the logins are what is printed.
	@$(SERVED) EMAIL_URL=dummy:// $(BIN)/python manage.py seed_demo
	@echo "Spa Planner: http://127.0.0.1:$(PORT)/"
	$(SERVED) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: lint
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles
