#!/usr/bin/env bash
# `make bench`: throughput and latency of the release server on loopback, one run per database,
# written to bench/results/<UTC time>.md and .json. A measurement: it prints figures, fails only
# when something could not be measured, and asserts no speed.
#
#   make bench                 # SQLite and PostgreSQL, one report
#   make bench DB=sqlite       # or DB=postgres: only that one
#   BENCH_SECONDS=20 make bench
#
# For each database: a fresh database, the release server (`serve --demo`, login limits raised for
# this server only), accounts from `server seed-load`, logged in once each with curl. Then wrk
# (Debian's, installed by `scripts/setup.sh bench`) runs every case for BENCH_SECONDS (10) with
# BENCH_CONNECTIONS (32) connections on 2 threads, one case after the other:
#   in BENCH_ROUNDS (3) rounds: static asset (the CSS), login page (anonymous), a user's home, the
#   same page while impersonating, the impersonated user's own profile page, the live channel's
#   status call; then
#   once: the switcher search
#   (server function), then
#   the writes: allow+disallow and start+stop (bench/writes.lua: one connection and one session
#   per wrk thread, each alternating the two calls and carrying the cookie the last answer set).
# Each case also records the CPU time it cost, per request: the server's, and PostgreSQL's; and
# the server's context switches per request.
# Also: the CSS at 4 connections (its median), the WASM's raw, gzip and brotli sizes, and the
# profile page's time to interactive in Chromium (bench/tti.mjs: median of BENCH_TTI_LOADS, 10).
# Last, per database: the reads' instructions per request, the server under callgrind (see
# count_instructions below).
#
# SERVER and SITE (and SEEDER) choose another build (an older binary for a before/after); everything this
# script starts it also stops, by process id, on any exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
# One user, one subject and one super admin per connection, from the 80 users and 40 super admins
# seeded below, with users 79-80 and super admins 39-40 kept for the reads: 38 at most.
case "$connections" in
  '' | *[!0-9]*) echo "BENCH_CONNECTIONS must be a number from 1 to 38" >&2; exit 2 ;;
esac
[ "$connections" -ge 1 ] && [ "$connections" -le 38 ] || { echo "BENCH_CONNECTIONS must be from 1 to 38 (the seeded accounts)" >&2; exit 2; }
tti_loads="${BENCH_TTI_LOADS:-10}"
rounds="${BENCH_ROUNDS:-3}"
dbs="${DB:-both}"
server="${SERVER:-$root/target/server-release/server}"
# The binary that seeds the accounts (`seed-load`); SERVER only serves. They differ only to bench
# a build older than `seed-load`.
seeder="${SEEDER:-$server}"
site="${SITE:-$root/target/site}"
password="bench password, the same for every account"
stamp="$(date -u +%Y%m%d-%H%M%S)"
work="$root/target/bench/$stamp"
step() { printf '\n==> %s\n' "$*"; }

case "$dbs" in
  both) dbs="sqlite postgres" ;;
  sqlite | postgres) ;;
  *) echo "DB must be sqlite, postgres or both" >&2; exit 2 ;;
esac
[ -x "$server" ] || { echo "no release server at $server: run make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "no wrk: run scripts/setup.sh bench" >&2; exit 1; }
mkdir -p "$work" "$root/bench/results"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

# The pages' sizes and the WASM's, once: they do not depend on the database.
wasm="$(ls "$site"/pkg/*.wasm | head -n1)"
css_name="$(basename "$(ls "$site"/pkg/*.css | head -n1)")"

login() { # email -> session cookie value
  local jar="$work/jar-$1"
  curl -fsS -c "$jar" -H "Origin: $addr" --data-urlencode "email=$1" --data-urlencode "password=$password" "$addr/api/auth/login" -o /dev/null
  awk '$6 == "impersonate_session" { print $7 }' "$jar"
}
post() { # cookie path [body] -> answer
  curl -fsS -H "Origin: $addr" -H "Cookie: impersonate_session=$1" -H 'Content-Type: application/x-www-form-urlencoded' --data "${3:-}" "$addr$2"
}
user_id() { # super admin cookie, email -> the user's id from the switcher
  post "$1" /api/impersonation/switcher "search=$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)["candidates"][0]["user_id"])'
}
# CPU time used so far (clock ticks): the server's process (with SQLite inside it), and
# PostgreSQL's processes (0 on SQLite). A backend that exits during a case takes its ticks with
# it; the pool keeps its connections open, so that does not happen in a case.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
database_ticks() {
  [ "$db" = postgres ] || { echo 0; return; }
  # Every process named postgres: the server, its backends and its background workers.
  local total=0 dir comm stat
  for dir in /proc/[0-9]*; do
    # Silenced before the file is opened: a process may end between the listing and the read.
    read -r comm 2>/dev/null < "$dir/comm" && [ "$comm" = postgres ] || continue
    # Fields 14 and 15 (user and system time) come after the name in parentheses.
    stat="$(cat "$dir/stat" 2>/dev/null)" || continue
    set -- ${stat##*) }
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
# The server's context switches so far, one line per thread (tokio's, SQLite's workers): its id
# and its count. Each trip of a statement to a SQLite worker thread, or to PostgreSQL, costs some;
# unlike CPU time, the count hardly moves when the shared machine is busy.
server_switches() {
  local task
  for task in /proc/"$server_pid"/task/*; do
    awk -v id="${task##*/}" '/voluntary_ctxt_switches/ { s += $2 } END { print id, s + 0 }' "$task/status" 2>/dev/null || true
  done
}
# The address a server just started prints to its log (waiting up to $2 half-seconds for it), or
# the log on stderr and the end of the run.
address_in() { # log tries
  for _ in $(seq 1 "$2"); do grep -q 'running at' "$1" && break; sleep 0.5; done
  addr="$(grep -o 'running at http://[0-9.:]*' "$1" | head -n1 | cut -d' ' -f3)"
  [ -n "$addr" ] || { cat "$1" >&2; exit 1; }
}
# One wrk case: name, then wrk's arguments. Saves wrk's output as <db>-<name>.txt, the CPU
# ticks before and after it (server, database, ticks per second) as <db>-<name>.cpu, and the
# server's context switches before and after it as <db>-<name>.switches.
measure() {
  local name="$1"; shift
  printf '    %-22s' "$name"
  local cpu_before="$(server_ticks) $(database_ticks)" switches_before="$(server_switches)"
  wrk --latency -d "${seconds}s" "$@" > "$work/$db-$name.txt" 2>&1 || { cat "$work/$db-$name.txt" >&2; exit 1; }
  local s0 d0; read -r s0 d0 <<< "$cpu_before"
  echo "$s0 $(server_ticks) $d0 $(database_ticks) $(getconf CLK_TCK)" > "$work/$db-$name.cpu"
  { echo "$switches_before"; echo "--"; server_switches; } > "$work/$db-$name.switches"
  awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
       END { printf "%10s req/s  p50 %8s  p99 %8s  non-2xx %s\n", rps, p50, p99, bad + 0 }' "$work/$db-$name.txt"
}

# Instructions per request, counted by callgrind: the same server on the same database, each read
# asked for one request at a time on one kept-alive connection (curl), counters zeroed after a
# warm-up and dumped after the case. Unlike req/s and CPU time, the count does not depend on
# whatever else the machine runs; only the server's own background work moves it (the home page
# by 6 % over three runs, where req/s moved by a quarter). It counts the server's process (SQLite
# inside it; not PostgreSQL's processes) and not the waits.
callgrind=yes
command -v valgrind >/dev/null || { echo "    no valgrind: no instruction counts (scripts/setup.sh bench installs it)"; callgrind=no; }
cg_requests="${BENCH_CALLGRIND_REQUESTS:-300}"
cg_warmup=30
count_instructions() {
  local out="$work/$db-callgrind.out" log="$work/$db-callgrind-server.log"
  rm -f "$out"*
  LEPTOS_SITE_ADDR=127.0.0.1:0 LEPTOS_SITE_ROOT="$site" RUST_LOG=warn \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$server" serve > "$log" 2>&1 &
  local cg_pid="$!"
  pids+=("$cg_pid")
  # callgrind starts the server a few times slower.
  address_in "$log" 360
  # Open the pool's connections before counting. Otherwise the first time two statements want a
  # connection at once (for example the minute's sweep beside a request) opens one inside a case:
  # on PostgreSQL its TLS and SCRAM handshake cost about 30 million instructions, 100,000 a
  # request over a case of 300 (callgrind's dump of the case shows sqlx's `PoolInner::connect`).
  local opener openers=()
  for opener in 1 2 3 4; do
    curl -s -H "Cookie: impersonate_session=$reader" "$addr/" -o /dev/null "$addr/" -o /dev/null &
    openers+=("$!")
  done
  wait "${openers[@]}"
  local case cookie path method
  : > "$work/$db-instructions.txt"
  while read -r case cookie path method; do
    local args=(-s -H "Origin: $addr" -w '%{http_code}\n')
    [ "$cookie" = - ] || args+=(-H "Cookie: impersonate_session=${!cookie}")
    [ "$method" = POST ] && args+=(-X POST -H 'Content-Type: application/x-www-form-urlencoded' --data '')
    local warm=() counted=()
    for _ in $(seq 1 "$cg_warmup"); do warm+=("$addr$path" -o /dev/null); done
    for _ in $(seq 1 "$cg_requests"); do counted+=("$addr$path" -o /dev/null); done
    curl "${args[@]}" "${warm[@]}" > /dev/null
    callgrind_control -z "$cg_pid" > /dev/null 2>&1
    local codes; codes="$(curl "${args[@]}" "${counted[@]}" | sort | uniq -c | tr -s ' ' | sed 's/^ //')"
    callgrind_control -d "$case" "$cg_pid" > /dev/null 2>&1
    # Only answers of the page itself count: a redirect to the login page would cost far less.
    [ "$codes" = "$cg_requests 200" ] || { echo "$case: answers $codes, not $cg_requests times 200" >&2; exit 1; }
    local dump; dump="$(grep -l -x "desc: Trigger: dump $case" "$out".* | head -n1)"
    local total; total="$(awk '/^summary:/ { print $2; exit }' "$dump")"
    [ -n "$total" ] || { echo "$case: no callgrind dump" >&2; exit 1; }
    echo "$case $cg_requests $total" >> "$work/$db-instructions.txt"
    printf '    %-22s%12s instructions a request\n' "$case" "$((total / cg_requests))"
  done <<EOF_CASES
login - /login GET
home reader / GET
home-impersonating impersonating / GET
profile helped /profile GET
status reader /api/session/status POST
EOF_CASES
  stop_all
}

for db in $dbs; do
  step "$db: a fresh database and the release server"
  case "$db" in
    sqlite)
      rm -f "$work/bench.db"*
      url="sqlite://$work/bench.db?mode=rwc" ;;
    postgres)
      [ -f "$root/target/.postgres-port" ] || { echo "no PostgreSQL port in target/.postgres-port: run scripts/setup.sh bench" >&2; exit 1; }
      pg="postgres://impersonate:impersonate@127.0.0.1:$(cat "$root/target/.postgres-port")"
      name="bench_$(echo "$stamp" | tr -d -)"
      # Earlier runs' databases go; this run's stays for a look afterwards.
      psql "$pg/postgres" -qAt -c "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'bench\_%'" | psql "$pg/postgres" -q
      psql "$pg/postgres" -q -c "CREATE DATABASE $name"
      url="$pg/$name" ;;
  esac
  export DATABASE_URL="$url"
  IMPERSONATE_PASSWORD="$password" "$seeder" seed-load --users 80 --super-admins 40 > "$work/$db-seed.txt"
  # The login limits count failures only, but the bench logs in ~110 times from one address:
  # raised for this server so that a slow turn never reads as a lock-out.
  LEPTOS_SITE_ADDR=127.0.0.1:0 LEPTOS_SITE_ROOT="$site" RUST_LOG=warn \
    LOGIN_MAX_FAILURES=1000 LOGIN_MAX_FAILURES_PER_ADDRESS=100000 PASSWORD_HASHING_MAX_WAIT=30s \
    "$server" serve --demo > "$work/$db-server.log" 2>&1 &
  server_pid="$!"
  pids+=("$server_pid")
  address_in "$work/$db-server.log" 120
  echo "    $addr ($DATABASE_URL)"

  step "$db: sessions (curl logins) and the state the writes start from"
  n="$connections"
  admin="$(login admin-40@load.test)"
  reader="$(login user-80@load.test)"
  # The impersonated home: admin-39 impersonates user-79, whom nobody else touches. User-79's own
  # profile (the consent in force, an impersonation in its history) is the profile case.
  helped="$(login user-79@load.test)"
  post "$helped" /api/impersonation/allow > /dev/null
  impersonator="$(login admin-39@load.test)"
  curl -fsS -c "$work/jar-impersonating" -H "Origin: $addr" -H "Cookie: impersonate_session=$impersonator" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "user=$(user_id "$admin" user-79@load.test)&reason=bench" "$addr/api/impersonation/start" -o /dev/null
  impersonating="$(awk '$6 == "impersonate_session" { print $7 }' "$work/jar-impersonating")"
  curl -fsS -H "Cookie: impersonate_session=$impersonating" "$addr/" | grep -q 'Impersonating' || { echo "the impersonating session does not show the banner" >&2; exit 1; }
  # allow+disallow: users 1..n, each on its own session; start+stop: admins 1..n on users 41..40+n.
  allow_cookies=(); start_cookies=(); start_targets=()
  for i in $(seq 1 "$n"); do
    allow_cookies+=("$(login "user-$i@load.test")")
    subject="$(login "user-$((40 + i))@load.test")"
    post "$subject" /api/impersonation/allow > /dev/null
    start_cookies+=("$(login "admin-$i@load.test")")
    start_targets+=("$(user_id "$admin" "user-$((40 + i))@load.test")")
  done
  echo "    $((3 * n + 5)) sessions"

  step "$db: wrk, $connections connections, ${seconds} s a case; the reads in $rounds rounds"
  export BENCH_ORIGIN="$addr"
  # The reads the ratios compare, one round after the other, so that each round's page and its
  # login page are measured minutes apart at most, not a whole run apart: on a shared 2-core
  # machine the same case moved by a quarter between two runs. The report takes medians.
  for round in $(seq 1 "$rounds"); do
    echo "    round $round"
    measure "static-r$round" -t2 -c"$connections" "$addr/pkg/$css_name"
    measure "login-r$round" -t2 -c"$connections" "$addr/login"
    measure "home-r$round" -t2 -c"$connections" -H "Cookie: impersonate_session=$reader" "$addr/"
    measure "home-impersonating-r$round" -t2 -c"$connections" -H "Cookie: impersonate_session=$impersonating" "$addr/"
    measure "profile-r$round" -t2 -c"$connections" -H "Cookie: impersonate_session=$helped" "$addr/profile"
    BENCH_COOKIE="$reader" measure "status-r$round" -t2 -c"$connections" -s bench/post.lua "$addr/api/session/status"
  done
  measure static-4 -t2 -c4 "$addr/pkg/$css_name"
  BENCH_COOKIE="$admin" BENCH_BODY="search=Load+User+0" measure switcher-search -t2 -c"$connections" -s bench/post.lua "$addr/api/impersonation/switcher"
  BENCH_MODE=allow BENCH_COOKIES="${allow_cookies[*]}" measure allow-disallow -t"$n" -c"$n" -s bench/writes.lua "$addr/"
  BENCH_MODE=start BENCH_COOKIES="${start_cookies[*]}" BENCH_TARGETS="${start_targets[*]}" measure start-stop -t"$n" -c"$n" -s bench/writes.lua "$addr/"

  step "$db: the profile page's time to interactive (Chromium, $tti_loads loads)"
  node bench/tti.mjs "$addr/profile" "$reader" "$tti_loads" | tee "$work/$db-tti.json"

  stop_all
  grep -h -E ' ERROR |panicked' "$work/$db-server.log" | head -n 10 || true

  if [ "$callgrind" = yes ]; then
    step "$db: instructions per request (the server under callgrind, $cg_requests requests a case after $cg_warmup)"
    count_instructions
  fi
done

step "Report"
python3 bench/report.py --work "$work" --dbs "$dbs" --stamp "$stamp" --seconds "$seconds" --connections "$connections" --rounds "$rounds" \
  --wasm "$wasm" --server "$server" --out "$root/bench/results/$stamp"
