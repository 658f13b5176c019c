# The two commands of the README's quick start: `make run` and `make test`.
# Both create .venv and install the project into it first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test bench clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The SPARQL editor (YASGUI) and the JavaScript client the tests run (Comunica), from npm at the
# versions package-lock.json records; served from this server, never committed, never from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/kg node_modules/.package-lock.json

run: install
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

# The browser tests (tests/browser/) drive Debian's chromium, the remote-store tests (tests/remote/)
# start a Virtuoso of their own, the client tests run curl; as root, install whichever is missing
# (one apt-get update for all).
# Virtuoso's postinst may try to start the system service and asks for a DBA password; noninteractive
# skips the question, and a service that fails to start does not fail the install.
test: install
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v virtuoso-t >/dev/null || missing="$$missing virtuoso-opensource"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	$(BIN)/python -m pytest

clean:
	rm -rf .kg .pytest_cache build *.egg-info
