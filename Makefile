# The two commands of the README's quick start: `make run` and `make test`.
# Both create .venv and install the project into it first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test bench clean

# Quiet: -qq keeps pip to its errors; setuptools' notice that every editable install gives is not
# the project's to act on (the precise message is filtered, nothing else).
$(BIN)/kg: pyproject.toml
	@echo "Installing DutyGraph and its libraries into $(VENV)/ (once, about a minute; again only when pyproject.toml changes)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade pip
	@PYTHONWARNINGS="ignore:Editable installation:UserWarning" $(BIN)/python -m pip install -qq -e '.[test]'
	@touch $@
	@echo "Installed: $(BIN)/kg (the kg command; $(BIN)/kg --help lists what it does)"

# The SPARQL editor (YASGUI) and the JavaScript client the tests run (Comunica), from npm at the
# versions package-lock.json records; served from this server, never committed, never from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/kg node_modules/.package-lock.json

# kg serve builds the bundled plans first when nothing is built, says where it serves and how to
# stop, and names PORT= when the port is taken.
run: install
	@$(BIN)/kg serve --host $(HOST) --port $(PORT)

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
