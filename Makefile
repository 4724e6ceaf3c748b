# The two commands the README starts with: `make demo` and `make test`.
.PHONY: demo test setup setup-test lint type unit

export HF_HUB_OFFLINE ?= 1
PYTEST_ARGS ?=

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

## Set up, then caption a bundled example image offline with packaged weights.
demo: setup
	.venv/bin/mils caption --preset offline examples/images/coffee.jpg

## Set up, then run lint, type checks and the whole test suite.
test: setup-test lint type
	.venv/bin/python -m pytest -m "not ray" $(PYTEST_ARGS)
	.venv/bin/python -m pytest -m ray $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check mils_core tests plugins contrib

type:
	.venv/bin/mypy mils_core plugins/*/src contrib/*/src

unit:
	.venv/bin/python -m pytest -m "not slow and not ray" $(PYTEST_ARGS)
