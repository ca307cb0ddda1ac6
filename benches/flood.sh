#!/usr/bin/env bash
# The flood (issue 21): 20 clients posting 1 MB text bodies to /api/v1/validate and 20 to
# /api/v1/check for SECONDS, while 4 clients allocate (benches/allocate.lua) and one polls
# /healthz; before it, the same 4 allocating clients alone for the same time (the unflooded
# rate). Server defaults except the rate limits. Prints the server's VmHWM, /healthz latency
# percentiles, allocation rates, answers by status, and checks the ledger for duplicates.
#
#   benches/flood.sh [SECONDS] BINARY [BINARY2...]
#
# Goals: VmHWM <= 300 MB, /healthz p99 <= 50 ms, allocations >= 80 % of the unflooded rate,
# zero duplicates. Needs wrk and curl.
set -euo pipefail
secs=${1:-60}; shift
[ $# -ge 1 ] || { echo "usage: $0 [SECONDS] BINARY [BINARY2...]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
# 1 MB of code lines: valid, invalid and legacy spellings.
python3 -c "
import sys
out = []
size = 0
i = 0
while size < 1_000_000:
    line = ['USRC1%02d%05d' % (26, i % 100000), 'us-rc1-76-%05d' % (i % 100000), 'GBAYE06O%04d' % (i % 10000)][i % 3]
    out.append(line); size += len(line) + 1; i += 1
sys.stdout.write('\n'.join(out) + '\n')" > codes.txt

start_server() {
  "$1" serve --db "$W/l.db" --listen 127.0.0.1:0 --public-rate 1000000000 --login-rate 100000 \
    2>"$W/server.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$W/server.log" 2>/dev/null && break
    sleep 0.1
  done
  BASE=$(grep -o 'http://[0-9.:]*' "$W/server.log" | head -1)
}
make_token() {
  local password csrf jar="$W/jar"
  password=$(sed -n 's/^    \(.*\)$/\1/p' "$W/server.log" | head -1)
  # The generated admin password must be changed at the first sign-in; then sign in again.
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@isrc.localhost\",\"password\":\"$password\"}" "$BASE/api/v1/session" |
    sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  curl -sf -b "$jar" -X PUT -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d "{\"current\":\"$password\",\"new\":\"Bench-admin-passphrase-2026\"}" "$BASE/api/v1/session/password" >/dev/null
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d '{"email":"admin@isrc.localhost","password":"Bench-admin-passphrase-2026"}' "$BASE/api/v1/session" |
    sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"prefix":"CBXYZ","name":"Bench Records","contact":"bench@bench.example"}' \
    "$BASE/api/v1/registrants" >/dev/null
  curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"email":"bench@bench.example","prefix":"CBXYZ","password":"Bench-user-passphrase-2026"}' \
    "$BASE/api/v1/users" >/dev/null
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d '{"email":"bench@bench.example","password":"Bench-user-passphrase-2026"}' "$BASE/api/v1/session" |
    sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  TOKEN=$(curl -sf -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"bench","scopes":["read","allocate"]}' "$BASE/api/v1/tokens" | sed 's/.*"token":"\([^"]*\)".*/\1/')
}

echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for bin in "$@"; do
  rm -f "$W"/l.db*
  start_server "$(realpath "$bin")"
  make_token
  echo "## $bin"
  ISRC_TOKEN=$TOKEN wrk -t1 -c4 -d"${secs}s" -s "$ROOT/benches/allocate.lua" "$BASE" > alone.out 2>&1
  alone=$(awk '/Requests\/sec/ {print $2}' alone.out)
  BODY_FILE=codes.txt wrk -t2 -c20 -d"${secs}s" --timeout 30s -s "$ROOT/benches/post-file.lua" "$BASE/api/v1/validate" > validate.out 2>&1 &
  v=$!
  BODY_FILE=codes.txt wrk -t2 -c20 -d"${secs}s" --timeout 30s -s "$ROOT/benches/post-file.lua" "$BASE/api/v1/check" > check.out 2>&1 &
  c=$!
  ISRC_RUN=flooded- ISRC_TOKEN=$TOKEN wrk -t1 -c4 -d"${secs}s" --timeout 30s -s "$ROOT/benches/allocate.lua" "$BASE" > flooded.out 2>&1 &
  a=$!
  wrk -t1 -c1 -d"${secs}s" --latency "$BASE/healthz" > healthz.out 2>&1
  wait $v $c $a
  hwm=$(awk '/VmHWM/ {print $2, $3}' /proc/$SERVER_PID/status)
  rss=$(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER_PID/status)
  flooded=$(awk '/Requests\/sec/ {print $2}' flooded.out)
  curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/export?format=csv" | tail -n +2 | cut -d, -f1 > codes
  exported=$(wc -l < codes); unique=$(sort -u codes | wc -l)
  echo "server VmHWM $hwm, VmRSS after $rss"
  echo "healthz latency: $(awk '$1 ~ /^(50|90|99)%$/ {printf "p%s %s  ", $1, $2}' healthz.out) max $(awk '/Latency/ {print $4; exit}' healthz.out)"
  echo "allocations: alone $alone req/s, flooded $flooded req/s ($(python3 -c "print(round(100 * $flooded / $alone))") %)"
  echo "validate: $(grep -E '^status|Requests/sec|timeout' validate.out | tr '\n' ' ')"
  echo "check: $(grep -E '^status|Requests/sec|timeout' check.out | tr '\n' ' ')"
  echo "flooded allocations: $(grep -E '^allocated|timeout' flooded.out | tr '\n' ' ')"
  echo "ledger: $exported codes, $unique distinct"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
done
