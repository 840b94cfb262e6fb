#!/usr/bin/env bash
# How many database statements an open page's live channel costs while nothing changes: N open
# channels for D seconds against the release server on a new PostgreSQL database, counting the
# transactions PostgreSQL committed meanwhile (each statement outside a transaction is one).
# A measurement: it prints figures and asserts nothing.
#
#   bench/idle-live.sh                 # N=100 channels, D=60 s, LIVE_RECHECK=30s (the default)
#   N=200 D=120 bench/idle-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
D=${D:-60}
SERVER=${SERVER:-target/server-release/server}
SITE=${SITE:-target/site}
port=$(cat target/.postgres-port)
url=postgres://impersonate:impersonate@127.0.0.1:$port
db=idle_live_$$
dir=$(mktemp -d)
psql "$url/postgres" -qc "CREATE DATABASE $db"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  psql "$url/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "==> Server on $url/$db (LIVE_RECHECK=${LIVE_RECHECK:-30s})"
DATABASE_URL=$url/$db LEPTOS_SITE_ADDR=127.0.0.1:0 LEPTOS_SITE_ROOT=$SITE LIVE_STREAMS_PER_SESSION=$((N + 1)) LIVE_STREAMS_PER_ACCOUNT=$((N + 1)) \
  "$SERVER" serve --demo > "$dir/out" 2>&1 &
for _ in $(seq 1 120); do grep -q 'running at' "$dir/out" && break; sleep 0.5; done
addr=$(grep -o 'running at http://[0-9.:]*' "$dir/out" | head -1 | cut -d' ' -f3)
echo "    $addr"

curl -sf -c "$dir/jar" -H "Origin: $addr" -d 'email=ann@acme.test&password=impersonate-demo' "$addr/api/auth/login" > /dev/null
echo "==> $N live channels open as Ann"
for _ in $(seq 1 "$N"); do
  curl -sN -b "$dir/jar" "$addr/api/events" > /dev/null 2>&1 &
done
# Let every channel make its first read (and its statistics reach pg_stat) before counting.
until [ "$(psql "$url/$db" -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'")" -ge 1 ]; do sleep 0.5; done
sleep 15
count() { psql "$url/postgres" -qAt -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$db'"; }
before=$(count)
echo "==> Counting for $D s while nothing changes"
sleep "$D"
after=$(count)
# psql's own two reads of the statistic are in other databases, not counted here.
statements=$((after - before))
echo
echo "statements committed in $D s: $statements for $N open channels"
awk -v s="$statements" -v n="$N" -v d="$D" 'BEGIN { printf "per open page per 10 s: %.2f\n", s / n / (d / 10) }'
