# Minzheng — the only commands you need: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SERVICES := $(BIN)/python -m civil_affairs.devservices --

.PHONY: install run test lint format bench stop clean messages chromium

MO := locale/en/LC_MESSAGES/django.mo
# the core's catalogue and each area's own (<area>/locale/), compiled together
PO := $(wildcard locale/en/LC_MESSAGES/django.po */locale/en/LC_MESSAGES/django.po)

install: $(STAMP) $(MO)

# Creates .venv and installs Python and front-end packages.
$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

# Compiled translations: only when the catalogue changed (not a reinstall).
$(MO): $(PO) $(STAMP)
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq gettext; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set.
run: install
	$(SERVICES) $(BIN)/python -m civil_affairs.devrun

# Browser tests drive Debian's Chromium (and a CJK font, so screenshots are
# readable); install them only when one is missing and we may (no apt-get when
# both are there).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
chromium:
	@{ [ -x /usr/bin/chromium ] && [ -f $(CJK_FONT) ]; } || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; } || echo "chromium or its CJK font missing: browser tests will fail"

test: install chromium lint
	$(SERVICES) $(BIN)/pytest $(PYTEST_ARGS)

# ruff: lint and formatting (`make format` rewrites the files)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(SERVICES) $(BIN)/python bench/seed_demo.py $(or $(N),400000)

messages:
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=var --ignore=staticfiles --ignore=docs

stop:
	$(BIN)/python -m civil_affairs.devservices stop

clean:
	rm -rf $(VENV) node_modules staticfiles
