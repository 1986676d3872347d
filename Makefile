# Canvass developer commands. Every target that needs Python creates .venv/ first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements-dev.txt
STAMP := $(VENV)/.installed-$(shell sha256sum $(LOCK) | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000
# Emailed links point at the address `make run` serves, unless the caller names another.
FRONTEND_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint audit bench worker broker clean client-check demo

install: $(STAMP)

$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip check
	rm -f $(VENV)/.installed-*
	touch $@

run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} FRONTEND_URL='$(FRONTEND_URL)' $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# --strict: a package the advisory service cannot be asked about fails the audit instead of being
# skipped under a "No known vulnerabilities found" headline (README "Security").
audit: install
	$(BIN)/pip-audit --strict --require-hashes --disable-pip -r requirements.txt

# The load benchmark (bench/README.md): PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
		$(BIN)/python bench/webhook_delivery.py; \
	else echo "webhook deliveries/s: needs DATABASE_URL=postgres://… and REDIS_URL (skipped)"; fi

# `broker` comes first, so a worker without a broker stops before anything is installed.
worker: broker install
	FRONTEND_URL='$(FRONTEND_URL)' $(BIN)/celery -A settings.celery:app worker --beat --loglevel INFO

broker:
	$(if $(CELERY_BROKER_URL)$(REDIS_URL),,$(error make worker needs a broker: set REDIS_URL (or CELERY_BROKER_URL), e.g. REDIS_URL=redis://127.0.0.1:6379/0))

# Sample data for development (README "Two commands"): a demo owner, three published surveys
# of every question kind and their responses, in the database `make run` serves.
DEMO_PASSWORD ?= demo-password-123
demo: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_surveys --surveys 3 --questions 5 \
		--responses 20 --users 20 --email-domain demo.example.org --password '$(DEMO_PASSWORD)'

# A TypeScript client generated from the OpenAPI document must type-check README's calls
# (clients/typescript/: openapi-typescript + openapi-fetch, tsc --strict; npm packages pinned).
CLIENT := clients/typescript
client-check: install
	DEBUG=1 $(BIN)/python manage.py spectacular --format openapi-json --file $(CLIENT)/schema.json
	cd $(CLIENT) && npm ci --no-audit --no-fund --loglevel=error && npm run -s generate && npm run -s check

clean:
	rm -rf $(CLIENT)/node_modules $(CLIENT)/schema.json $(CLIENT)/schema.d.ts
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* celerybeat-schedule* .pytest_cache .mypy_cache .ruff_cache
