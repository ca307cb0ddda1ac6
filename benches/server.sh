#!/usr/bin/env bash
# Load benchmark of `isrc serve` with wrk on loopback (not run by CI).
#
#   benches/server.sh [SECONDS]     # default 10 s per run
#
# 1. GET /api/v1/isrc/{code} against GET /healthz of the same server, 16 connections,
#    three times each, interleaved (goal: lookup >= 80 % of healthz requests per second).
# 2. 16 concurrent clients allocating through POST /api/v1/allocations with a registrant's API
#    token (benches/allocate.lua); then every code of the ledger is exported and checked for
#    duplicates (there must be none) and counted against the 201 answers.
# The ledger is a fresh SQLite file; set ISRC_BENCH_POSTGRES_URL (a database that can be
# emptied) to repeat step 2 on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
BIN=target/release/isrc
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
cargo build --release -p isrc-cli >&2
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start_server() { # $1: database
  "$BIN" serve --db "$1" --listen 127.0.0.1:0 --public-rate 1000000000 --login-rate 100000 \
    2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$WORK/server.log" 2>/dev/null && break
    sleep 0.1
  done
  BASE=$(grep -o 'http://[0-9.:]*' "$WORK/server.log" | head -1)
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }

# Signs in as ADMIN (password from the server log or $ADMIN_PASSWORD), makes registrant CBXYZ
# and a user of it, signs the user in and makes an API token: sets TOKEN.
make_token() {
  local password csrf jar="$WORK/jar"
  password=${ADMIN_PASSWORD:-$(sed -n 's/^    \(.*\)$/\1/p' "$WORK/server.log" | head -1)}
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@isrc.localhost\",\"password\":\"$password\"}" "$BASE/api/v1/session" |
    sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"prefix":"CBXYZ","name":"Bench Records","contact":"bench@bench.example"}' \
    "$BASE/api/v1/registrants" >/dev/null
  curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"email":"bench@bench.example","prefix":"CBXYZ","password":"bench-password"}' \
    "$BASE/api/v1/users" >/dev/null
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d '{"email":"bench@bench.example","password":"bench-password"}' "$BASE/api/v1/session" |
    sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  TOKEN=$(curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"bench"}' "$BASE/api/v1/tokens" | sed 's/.*"token":"\([^"]*\)".*/\1/')
}

run_wrk() { # label, wrk arguments...
  local label=$1; shift
  echo "### $label"
  wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency "$@" | tee "$WORK/wrk.out"
  echo
}

allocate_and_verify() {
  make_token
  ISRC_TOKEN=$TOKEN run_wrk "POST /api/v1/allocations, 16 clients with one API token" \
    -s benches/allocate.lua "$BASE"
  local created exported unique
  created=$(sed -n 's/^allocated (201): \([0-9]*\).*/\1/p' "$WORK/wrk.out")
  curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/export?format=csv" |
    tail -n +2 | cut -d, -f1 >"$WORK/codes"
  exported=$(wc -l <"$WORK/codes")
  unique=$(sort -u "$WORK/codes" | wc -l)
  echo "codes in the ledger: $exported, distinct: $unique, 201 answers: $created"
  if [ "$exported" != "$unique" ] || [ "$exported" -lt "$created" ]; then
    echo "DUPLICATES OR LOST CODES" >&2
    exit 1
  fi
  echo "zero duplicates"
  echo
}

echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: 2 threads, 16 connections, ${SECONDS_PER_RUN} s per run"
echo
start_server "$WORK/isrc.db"
for round in 1 2 3; do
  run_wrk "GET /healthz (round $round)" "$BASE/healthz"
  run_wrk "GET /api/v1/isrc/{code} (round $round)" "$BASE/api/v1/isrc/us-rc1-76-07839"
done
echo "## SQLite"
allocate_and_verify
stop_server

if [ -n "${ISRC_BENCH_POSTGRES_URL:-}" ]; then
  echo "## PostgreSQL"
  psql "$ISRC_BENCH_POSTGRES_URL" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  start_server "$ISRC_BENCH_POSTGRES_URL"
  allocate_and_verify
  stop_server
fi
