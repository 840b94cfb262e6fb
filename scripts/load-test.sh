#!/usr/bin/env bash
# `make load-test`: a bounded load test of two instances sharing one PostgreSQL database.
#
# 200 users and 20 super admins (LOAD_USERS, LOAD_SUPER_ADMINS) log in with their own accounts,
# read pages, allow, impersonate, write as the user, stop and disallow for LOAD_SECONDS (60), sent
# by locust (PyPI, pinned in tools/load/requirements.txt, installed into tools/load/.venv) to the
# two instances on loopback only. Then the servers are stopped and `server check-history` reads
# the database back against the domain's rules. The verdict fails on any 5xx or failed request,
# any violation of the rules in the stored history, or an audit log that is not exactly what the
# acknowledged operations imply (tools/load/summary.py says how each figure is compared).
#
# The summary is printed and saved to bench/results/load-<UTC time>.md; the raw files (locust's
# CSVs, the servers' logs, the counts) stay in target/load/. Expects the release build and a
# PostgreSQL cluster (the Makefile's `setup` and `release` run first). Every step is printed, and
# everything this script starts it also stops, by process id, on any exit.
set -euo pipefail

seconds="${LOAD_SECONDS:-60}"
users="${LOAD_USERS:-200}"
super_admins="${LOAD_SUPER_ADMINS:-20}"
# Logins hash a password (~19 MiB and a core each, a few at once per instance): arriving at this
# rate they never wait long enough to be answered "busy".
spawn_rate="${LOAD_SPAWN_RATE:-20}"
password="load test password, the same for every account"

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
server="$root/target/server-release/server"
venv="$root/tools/load/.venv"
work="$root/target/load"
step() { printf '\n==> %s\n' "$*"; }

[ -x "$server" ] || { echo "no release server at $server: run make release" >&2; exit 1; }
[ -f "$root/target/.postgres-port" ] || { echo "no PostgreSQL port in target/.postgres-port: run make setup" >&2; exit 1; }

step "Load tool: locust in tools/load/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if "$venv/bin/pip" freeze --all 2>/dev/null | sort | comm -13 - <(grep -v '^#' tools/load/requirements.txt | sort) | grep -q .; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/load/requirements.txt
fi
echo "    ok: $("$venv/bin/locust" --version 2>&1 | head -n1)"

step "A fresh PostgreSQL database"
pg="postgres://impersonate:impersonate@127.0.0.1:$(cat "$root/target/.postgres-port")"
stamp="$(date -u +%Y%m%d-%H%M%S)"
db="load_$(echo "$stamp" | tr -d -)"
# Earlier runs' databases are dropped, this run's is kept for a look afterwards.
psql "$pg/postgres" -qAt -c "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'load\_%'" | psql "$pg/postgres" -q
psql "$pg/postgres" -q -c "CREATE DATABASE $db"
export DATABASE_URL="$pg/$db"
echo "    ok: $db"

rm -rf "$work" && mkdir -p "$work" "$root/bench/results"

step "Seeding $users users and $super_admins super admins"
IMPERSONATE_PASSWORD="$password" "$server" seed-load --users "$users" --super-admins "$super_admins"

step "Two instances on free loopback ports"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_a="$(free_port)"
port_b="$(free_port)"
while [ "$port_b" = "$port_a" ]; do port_b="$(free_port)"; done
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_servers EXIT
for port in "$port_a" "$port_b"; do
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$server" serve > "$work/instance-$port.log" 2>&1 &
  pids+=("$!")
done
for port in "$port_a" "$port_b"; do
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/login" 2>/dev/null && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/login" || { echo "instance on port $port does not answer; see $work/instance-$port.log" >&2; exit 1; }
  echo "    ok: http://127.0.0.1:$port"
done

step "Load: $((users + super_admins)) people for ${seconds} s (locust, headless)"
# Locust stops by itself at --run-time, letting each person finish the step in flight
# (--stop-timeout); `timeout` bounds the whole run should it not. It exits 1 when a request
# failed: the summary says which, so that is not the end of this script.
set +e
LOAD_HOSTS="http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" \
LOAD_PASSWORD="$password" LOAD_USERS="$users" LOAD_SUPER_ADMINS="$super_admins" \
LOAD_COUNTS="$work/counts.json" \
  timeout --kill-after=10 $((seconds + 120)) "$venv/bin/locust" -f tools/load/locustfile.py --headless \
    --users $((users + super_admins)) --spawn-rate "$spawn_rate" --run-time "${seconds}s" --stop-timeout 30 \
    --csv "$work/locust" --only-summary --loglevel WARNING 2>&1 | tee "$work/locust.txt"
locust_exit="${PIPESTATUS[0]}"
set -e

step "Stopping the instances"
stop_servers
grep -h -E ' ERROR |panicked' "$work"/instance-*.log | head -n 20 || echo "    ok: no errors in the servers' logs"

step "Checking the stored history against the rules"
history_exit=0
"$server" check-history --json "$work/history.json" || history_exit=$?

step "The checker can fail: one grant's ends_at moved by 1 ms, in a copy of the database"
tamper_exit=""
if psql "$DATABASE_URL" -qAt -c "SELECT 1 FROM grants WHERE ends_at IS NOT NULL LIMIT 1" | grep -q 1; then
  psql "$pg/postgres" -q -c "CREATE DATABASE ${db}_tampered TEMPLATE $db"
  psql "$pg/${db}_tampered" -q -c "UPDATE grants SET ends_at = ends_at + interval '1 millisecond' WHERE id = (SELECT id FROM grants WHERE ends_at IS NOT NULL LIMIT 1)"
  tamper_exit=0
  DATABASE_URL="$pg/${db}_tampered" "$server" check-history > "$work/tampered.txt" 2>&1 || tamper_exit=$?
  grep -E '^ +rule |^error' "$work/tampered.txt" || true
  psql "$pg/postgres" -q -c "DROP DATABASE ${db}_tampered"
else
  echo "    skipped: nobody started an impersonation"
fi

step "Summary"
out="bench/results/load-$stamp.md"
"$venv/bin/python" tools/load/summary.py \
  --stats "$work/locust_stats.csv" --counts "$work/counts.json" --history "$work/history.json" \
  --history-exit "$history_exit" --locust-exit "$locust_exit" ${tamper_exit:+--tamper-exit "$tamper_exit"} \
  --meta "when (UTC)=$(date -u '+%Y-%m-%d %H:%M')" \
  --meta "command=make load-test (LOAD_SECONDS=$seconds LOAD_USERS=$users LOAD_SUPER_ADMINS=$super_admins LOAD_SPAWN_RATE=$spawn_rate)" \
  --meta "people=$users users in tenants of 20, $super_admins super admins, each logged in with their own account" \
  --meta "instances=two release servers, http://127.0.0.1:$port_a and http://127.0.0.1:$port_b, every request to either at random" \
  --meta "database=PostgreSQL $(psql "$pg/postgres" -qAt -c 'SHOW server_version' | cut -d' ' -f1), database $db (kept)" \
  --meta "load tool=$("$venv/bin/locust" --version 2>&1 | head -n1 | cut -d' ' -f1-2), ramp $spawn_rate people/s, think time 0.5-2 s between steps" \
  --meta "machine=$(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB, shared with the load tool and PostgreSQL" \
  --out "$out" || { echo "summary saved to $out"; exit 1; }
echo "summary saved to $out"
