# make run   - set up and serve the site on http://127.0.0.1:8000 (PORT overrides)
# make run-behind-nginx - the same behind nginx, as on the open internet (tools/serve-behind-nginx)
# make test  - set up, then lint and run every test, real-browser tests included
# make bench - measure speed and page weight (see bench/README.md)
# make bench-settings - measure the gunicorn settings against each other
# make bench-slow-clients - slow and idle clients against a reader: gthread, gevent, sync, nginx
# make faults - the site under database, restart and header faults (tests/test_faults.py; in make test too)
# make bench-headers - what a huge Accept-Language costs the server (bench/headers.md)
# make soak  - 200 connections for 60 s of pages and scans: no errors, flat memory, every scan counted
# make translations - refresh the gettext catalogs after changing interface strings

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

# Debian packages the tests need, as probe:package (a command or a file, then the package):
# Chromium, Noto fonts so Arabic, Persian, Chinese, Devanagari, Greek and Cyrillic render, zbar to
# decode every QR code, PostgreSQL and nginx, which the tests start themselves.
SYSTEM_TEST_PACKAGES := chromium:chromium \
	/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf:fonts-noto-core \
	/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk \
	zbarimg:zbar-tools pdftoppm:poppler-utils /usr/lib/postgresql/15/bin/initdb:postgresql \
	/usr/sbin/nginx:nginx
SYSTEM_BENCH_PACKAGES := wrk:wrk chromium:chromium /usr/lib/postgresql/15/bin/initdb:postgresql

.PHONY: run run-behind-nginx test lint faults bench-headers bench bench-settings bench-slow-clients soak translations

$(BIN)/python:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask content check
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) "app:create_app()"

# nginx (deploy/nginx.conf) on PORT, the Procfile's gunicorn behind it on 127.0.0.1 (README, Deploying).
run-behind-nginx: $(VENV)/.installed
	tools/system-packages /usr/sbin/nginx:nginx
	$(BIN)/flask content check
	PATH="$(CURDIR)/$(BIN):$$PATH" tools/serve-behind-nginx --bind 127.0.0.1:$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	tools/system-packages $(SYSTEM_TEST_PACKAGES)
	$(BIN)/flask content check
	$(BIN)/pytest

# The fault runs alone (they are part of `make test` too), their table written to bench/faults.md.
faults: $(VENV)/.installed-dev
	tools/system-packages /usr/lib/postgresql/15/bin/initdb:postgresql /usr/sbin/nginx:nginx
	FAULTS_TABLE=bench/faults.md $(BIN)/pytest -p no:cacheprovider tests/test_faults.py

# What an 8 KB and a 360 KB Accept-Language cost the server against a normal request: bench/headers.md.
bench-headers: $(VENV)/.installed-dev
	tools/system-packages /usr/sbin/nginx:nginx
	$(BIN)/python bench/header_cost.py

bench: $(VENV)/.installed-dev bench/node_modules/.bin/lighthouse
	tools/system-packages $(SYSTEM_BENCH_PACKAGES)
	$(BIN)/python bench/run.py

# The measurements behind gunicorn.conf.py's settings: writes bench/settings.md.
bench-settings: $(VENV)/.installed-dev
	tools/system-packages wrk:wrk
	$(BIN)/python bench/settings.py

# gunicorn's worker classes and nginx in front, under slow and idle clients: writes its section of
# bench/settings.md. gevent is installed for the measurement only: the site does not use it.
bench-slow-clients: $(VENV)/.installed-dev
	tools/system-packages wrk:wrk /usr/sbin/nginx:nginx
	$(BIN)/pip install --quiet gevent==26.9.0
	$(BIN)/python bench/slow_clients.py

# Not part of `make test`: it takes two to three minutes and loads the whole machine.
soak: $(VENV)/.installed-dev
	tools/system-packages wrk:wrk
	$(BIN)/python bench/soak.py

# Lighthouse for bench/lighthouse.py, exactly as bench/package-lock.json pins it.
bench/node_modules/.bin/lighthouse: bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund
	touch $@

# After changing interface strings: refresh messages.pot and merge it into every language's .po.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --no-wrap --sort-by-file --add-comments=Translators: \
		--project="Safer Nights" --copyright-holder="Safer Nights" -o translations/messages.pot .
	$(BIN)/pybabel -q update --no-wrap -i translations/messages.pot -d translations
