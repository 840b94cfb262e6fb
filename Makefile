# The two commands: `make run` and `make test`. Both install whatever is missing first
# (scripts/setup.sh: idempotent, prints each step, skips what is present).

SHELL := /bin/bash
# wasm-opt from tools/ (npm binaryen) must win over any other on PATH; cargo's bin holds cargo-leptos.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_ENV ?= PROD

# Not `SERVER`: `make bench` passes that one from the environment to scripts/bench.sh (another build to bench).
SERVER_BINARY := target/server-release/server

.PHONY: run run-cluster test setup setup-run release check-bundle test-bench test-rust test-postgres test-e2e load-test bench setup-bench watch clean-data

# One step at a time even under `make -j`: the tests read the port the set-up records, and the
# size check and the browser tests need the release build.
.NOTPARALLEL:

## Set up what is missing, build, and run the app on SQLite with demo data.
run: setup-run release
	@echo
	@echo "==> Starting Impersonate (SQLite database in ./data/, demo data added when empty)"
	@./$(SERVER_BINARY) serve --demo

## Two instances on one PostgreSQL database (ports 3000 and 3001) with demo data, as behind a load
## balancer: a change made on one reaches the other's open pages at once (PostgreSQL NOTIFY).
run-cluster: setup release
	@port=$$(cat target/.postgres-port) && url=postgres://impersonate:impersonate@127.0.0.1:$$port && \
	if ! psql "$$url/postgres" -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'impersonate_cluster'" | grep -q 1; then \
	  psql "$$url/postgres" -q -c "CREATE DATABASE impersonate_cluster"; fi && \
	echo && echo "==> Two instances on $$url/impersonate_cluster: http://127.0.0.1:3000 and http://127.0.0.1:3001 (Ctrl-C stops both)" && \
	trap 'kill 0' INT TERM EXIT; \
	DATABASE_URL=$$url/impersonate_cluster LEPTOS_SITE_ADDR=127.0.0.1:3000 ./$(SERVER_BINARY) serve --demo & \
	until (echo > /dev/tcp/127.0.0.1/3000) 2>/dev/null; do sleep 0.5; done; \
	DATABASE_URL=$$url/impersonate_cluster LEPTOS_SITE_ADDR=127.0.0.1:3001 ./$(SERVER_BINARY) serve & \
	wait

## Set up what is missing, then run every test: unit, integration, and the browser tests.
test: setup test-bench test-rust test-postgres release check-bundle test-e2e

setup:
	@scripts/setup.sh test

# Only what building and running needs (no browser, no PostgreSQL).
setup-run:
	@scripts/setup.sh run

release:
	@echo
	@echo "==> Building the release app (server and WASM front end); a cold build takes ~8-12 min"
	cargo leptos build --release --precompress
	@scripts/recompress.sh

# The release front end must stay within its size budget (bytes, not time: see the script).
check-bundle:
	@echo
	@echo "==> Front-end size budget"
	@scripts/check-bundle.sh

# How `make bench` reads its measurements (bench/report.py): the committed reports rest on it.
# `-v` names each test as it starts, so the time limit's kill shows which one hung.
test-bench:
	@echo
	@echo "==> Bench report readers (Python, stdlib unittest)"
	timeout 60 python3 -m unittest discover -s bench -p 'test_*.py' -v

test-rust:
	@echo
	@echo "==> Rust tests: domain, units and integration (real server on port 0, own database)"
	@echo "    (cargo-nextest: each test in its own process, ended and named when over its time limit, .config/nextest.toml)"
	cargo nextest run --workspace

# The integration tests again, each on its own new PostgreSQL database (setup records the port):
# the in-process api tests, and the crash test (a server process killed mid-write and restarted).
test-postgres:
	@port=$$(cat target/.postgres-port) && url=postgres://impersonate:impersonate@127.0.0.1:$$port && \
	echo && echo "==> Integration tests on PostgreSQL ($$url)" && \
	psql "$$url/postgres" -qAt -c "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'itest_%'" \
	  | psql "$$url/postgres" -q && \
	IMPERSONATE_TEST_POSTGRES=$$url cargo nextest run -p server --test api --test crash

# Against fresh servers: SQLite ones, and one on a new PostgreSQL database (setup records the port).
test-e2e:
	@echo
	@echo "==> Browser tests: Playwright in Chromium against fresh servers with their own databases"
	cd end2end && IMPERSONATE_E2E_POSTGRES=postgres://impersonate:impersonate@127.0.0.1:$$(cat ../target/.postgres-port) npx playwright test

## A bounded load test, not part of `make test`: 200 users and 20 super admins against two instances
## on a new PostgreSQL database for LOAD_SECONDS (60), then the stored history checked against the
## rules. Fails on any 5xx, violation or unexplained audit line; summary in bench/results/.
load-test: setup release
	@scripts/load-test.sh

## Throughput and latency on loopback (not part of `make test`): the release server on a fresh
## SQLite and a fresh PostgreSQL database (DB=sqlite or DB=postgres for one), wrk, and the profile
## page's time to interactive in Chromium; report in bench/results/<UTC time>.md and .json.
bench: setup-bench release
	@DB=$(DB) scripts/bench.sh

setup-bench:
	@scripts/setup.sh bench

## Development: rebuild and reload on every change. Unhashed: cargo-leptos names files by their
## hash on its first build only, and a rebuild in watch mode writes plain names without
## rewriting hash.txt, so a hashed watch server would go on naming the first build's files.
watch: setup-run
	LEPTOS_HASH_FILES=false DEMO_DATA=true cargo leptos watch

clean-data:
	rm -rf data
