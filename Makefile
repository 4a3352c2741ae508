# 申报助手 — the two commands are `make run` and `make test`; the rest are steps they use.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup build run test eval bench clean

setup:
	@scripts/setup.sh

build: setup
	@$(PY) -m knowledge.build
	@$(PY) scripts/stack.py train

run: build
	@$(PY) scripts/stack.py run

test: build
	@$(PY) -m pytest -q $(PYTEST_ARGS)

eval: build
	@$(PY) scripts/eval.py $(EVAL_ARGS)

bench: build
	@$(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf var .venv .venv-rasa
