# 申报助手 — the two commands are `make run` and `make test`; the rest are steps they use.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: setup build run cluster test eval bench staff purge clean

setup:
	@scripts/setup.sh

build: setup
	@$(PY) -m knowledge.build
	@$(PY) scripts/stack.py train

run: build
	@$(PY) scripts/stack.py run

# every process replicated (REPLICAS, default 2) on PostgreSQL + Redis behind nginx (README: Scale-out / cluster)
cluster: build
	@scripts/install_postgres.sh
	@scripts/install_cluster_deps.sh
	@$(PY) scripts/cluster.py --replicas $(or $(REPLICAS),2)

test: build
	@$(PY) -m pytest -q $(PYTEST_ARGS)

eval: build
	@$(PY) scripts/eval.py $(EVAL_ARGS)

bench: build
	@$(PY) scripts/bench.py $(BENCH_ARGS)

# a helpdesk staff account: make staff USERNAME=li NAME=李老师 (the password is asked twice)
staff:
	@$(PY) -m gateway.helpdesk.staff create --username "$(USERNAME)" --display-name "$(or $(NAME),$(USERNAME))"

# delete personal data older than RETENTION_DAYS (README: Data inventory); PURGE_ARGS="--dry-run" only counts
purge:
	@$(PY) -m gateway.retention purge $(PURGE_ARGS)

clean:
	rm -rf var .venv .venv-rasa
