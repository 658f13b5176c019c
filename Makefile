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

install: $(BIN)/kg

run: install
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

# The browser tests (tests/browser/) drive Debian's chromium; as root, install it when missing.
test: install
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
	$(BIN)/python -m pytest

clean:
	rm -rf .kg .pytest_cache build *.egg-info
