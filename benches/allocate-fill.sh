#!/usr/bin/env bash
# Allocations per second with 16 clients (wrk + benches/allocate.lua, one API token) while the
# prefix-year already holds FILL codes, on SQLite and (with ISRC_BENCH_POSTGRES_URL, a database
# that may be emptied) on PostgreSQL, for one or two builds, rounds interleaved (not run by CI).
#
#   benches/allocate-fill.sh [SECONDS] [ROUNDS] BINARY [BASELINE_BINARY]
#
# Each run starts from a fresh ledger: registrant CBXYZ (range 00001-99999) and a token made over
# the API, then FILL codes allocated for the same year with `isrc allocate --from-csv` straight
# into the database, then wrk for SECONDS. After each run every code is exported and checked
# for duplicates. Goal (issue 21): the three fill levels within 15 % of each other, and
# PostgreSQL >= SQLite. The rate is the 201s per second; at fill 95,000 only 4,999 codes are
# left, so SECONDS must stay below 4,999 / the rate (1 s on a machine that does 2,500/s): a run
# that uses up the range is printed RANGE-EXHAUSTED and left out of the medians.
#
# With PostgreSQL, each round also runs two `isrc serve` processes on the one database (fill 0,
# wrk -c8 against each at once, titles distinct per server) beside one process with wrk -c16:
# the combined rate, and every exported code distinct and without a gap (designations 1..N).
#
# With ISRC_BENCH_PG_STATEMENTS=URL (another database of the same server, holding the
# pg_stat_statements extension, which must be in shared_preload_libraries), each PostgreSQL run
# also prints to stderr the statements the wrk phase ran: calls per allocation, mean and total
# time, i.e. the round trips of one allocation.
set -uo pipefail
secs=${1:-1}; rounds=${2:-3}; shift 2
[ $# -ge 1 ] || { echo "usage: $0 [SECONDS] [ROUNDS] BINARY [BASELINE_BINARY]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINS=(); for b in "$@"; do BINS+=("$(realpath "$b")"); done
W=$(mktemp -d)
SERVER_PID=
SECOND_PID=
cleanup() { kill $SERVER_PID $SECOND_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
year=$(date -u +%Y)
export ISRC_TODAY=$year-01-15
for fill in 50000 95000; do
  python3 -c "
print('title,artist,duration')
for i in range($fill): print(f'Fill {i},Fill Artist,{3+i%3}:{i%60:02d}')" > fill-$fill.csv
done

start_server() { # binary database
  "$1" serve --db "$2" --listen 127.0.0.1:0 --public-rate 1000000000 --login-rate 100000 \
    >/dev/null 2>"$W/server.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$W/server.log" 2>/dev/null && break
    sleep 0.1
  done
  BASE=$(grep -o 'http://[0-9.:]*' "$W/server.log" | head -1)
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

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

one_run() { # binary backend fill
  local bin=$1 backend=$2 fill=$3 db
  if [ "$backend" = sqlite ]; then
    rm -f "$W"/l.db*; db="$W/l.db"
  else
    psql "$ISRC_BENCH_POSTGRES_URL" -qc 'SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
    db=$ISRC_BENCH_POSTGRES_URL
  fi
  start_server "$bin" "$db"
  make_token
  if [ "$fill" -gt 0 ]; then
    "$bin" allocate --db "$db" --prefix CBXYZ --from-csv "fill-$fill.csv" >/dev/null 2>fill.err || { echo "fill failed: $(cat fill.err)" >&2; }
  fi
  local stmts=
  [ "$backend" = postgres ] && [ -n "${ISRC_BENCH_PG_STATEMENTS:-}" ] && stmts=$ISRC_BENCH_PG_STATEMENTS
  [ -n "$stmts" ] && psql "$stmts" -qAtc 'SELECT pg_stat_statements_reset()' >/dev/null
  ISRC_TOKEN=$TOKEN wrk -t2 -c16 -d"${secs}s" --latency -s "$ROOT/benches/allocate.lua" "$BASE" > wrk.out 2>wrk.err
  local rate p99 created exported unique
  rate=$(awk '/Requests\/sec/ {print $2}' wrk.out)
  [ -s wrk.err ] && head -5 wrk.err >&2
  p99=$(awk '$1 == "99%" {print $2}' wrk.out)
  created=$(sed -n 's/^allocated (201): \([0-9]*\).*/\1/p' wrk.out)
  if [ -n "$stmts" ]; then
    echo "statements of $(basename "$bin") fill $fill, per allocation (of $created):" >&2
    psql "$stmts" -qAF' | ' -c "SELECT round(calls::numeric / GREATEST($created, 1), 2) AS per_alloc, round(mean_exec_time::numeric, 3) AS mean_ms, round(total_exec_time::numeric) AS total_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC, total_exec_time DESC LIMIT 25" >&2
  fi
  curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/export?format=csv" | tail -n +2 | cut -d, -f1 > codes
  exported=$(wc -l < codes); unique=$(sort -u codes | wc -l)
  local dup=ok
  if [ "$exported" != "$unique" ] || [ "$exported" -lt $((created + fill)) ]; then dup=DUPLICATES-OR-LOST; fi
  # wrk's req/s counts the 409s of a range that ran out: the figure is the 201s per second,
  # and a run that used up the range measured nothing (SECONDS too long for this machine).
  rate=$(awk -v c="${created:-0}" -v s="$secs" 'BEGIN {printf "%.1f", c / s}')
  if [ "$dup" = ok ] && [ $((fill + ${created:-0})) -ge 99999 ]; then dup=RANGE-EXHAUSTED; fi
  echo "$(basename "$bin") $backend $fill $rate $p99 $created $exported $unique $dup"
  stop_server
}

# Two servers on one PostgreSQL database, 8 clients each, beside the one-server runs above.
two_servers() { # binary
  local bin=$1 db=$ISRC_BENCH_POSTGRES_URL
  psql "$db" -qc 'SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  start_server "$bin" "$db"
  make_token
  local first=$BASE first_pid=$SERVER_PID
  start_server "$bin" "$db"
  SECOND_PID=$SERVER_PID SERVER_PID=$first_pid
  local second=$BASE
  ISRC_RUN=a ISRC_TOKEN=$TOKEN wrk -t1 -c8 -d"${secs}s" --latency -s "$ROOT/benches/allocate.lua" "$first" > wrk-a.out 2>wrk-a.err &
  local wrk_a=$!
  ISRC_RUN=b ISRC_TOKEN=$TOKEN wrk -t1 -c8 -d"${secs}s" --latency -s "$ROOT/benches/allocate.lua" "$second" > wrk-b.out 2>wrk-b.err
  wait "$wrk_a"
  local rate created
  created=$(cat wrk-a.out wrk-b.out | sed -n 's/^allocated (201): \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s}')
  rate=$(awk -v c="${created:-0}" -v s="$secs" 'BEGIN {printf "%.1f", c / s}')
  curl -sf -H "Authorization: Bearer $TOKEN" "$first/api/v1/export?format=csv" | tail -n +2 | cut -d, -f1 > codes
  local exported unique top check=ok
  exported=$(wc -l < codes); unique=$(sort -u codes | wc -l)
  top=$(cut -c8-12 codes | sort -n | tail -1 | sed 's/^0*//')
  if [ "$exported" != "$unique" ] || [ "$exported" -lt "$created" ] || [ "${top:-0}" != "$exported" ]; then check=DUPLICATES-GAP-OR-LOST; fi
  echo "$(basename "$bin") postgres-2-servers 0 $rate - $created $exported $unique $check"
  kill "$SECOND_PID"; wait "$SECOND_PID" 2>/dev/null || true; SECOND_PID=
  stop_server
}

echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c16, ${secs} s per run, ${rounds} rounds; columns: binary backend fill allocations/s (201s) p99 201s exported distinct check"
backends=(sqlite); [ -n "${ISRC_BENCH_POSTGRES_URL:-}" ] && backends+=(postgres)
# ISRC_BENCH_BACKENDS / ISRC_BENCH_FILLS narrow a run (e.g. "postgres" and "0" to count statements).
[ -n "${ISRC_BENCH_BACKENDS:-}" ] && read -ra backends <<< "$ISRC_BENCH_BACKENDS"
read -ra fills <<< "${ISRC_BENCH_FILLS:-0 50000 95000}"
for r in $(seq "$rounds"); do
  for backend in "${backends[@]}"; do
    for fill in "${fills[@]}"; do
      for bin in "${BINS[@]}"; do one_run "$bin" "$backend" "$fill"; done
    done
  done
  if [[ " ${backends[*]} " == *" postgres "* ]]; then
    for bin in "${BINS[@]}"; do two_servers "$bin"; done
  fi
done | tee "$W/out"
python3 - "$W/out" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    b, backend, fill, rate = line.split()[:4]
    if line.split()[-1] == "RANGE-EXHAUSTED":
        print(f"left out: {line.strip()} (the range ran out: run with fewer SECONDS)")
        continue
    runs[(b, backend, int(fill))].append(float(rate))
for key in sorted(runs):
    v = runs[key]
    print(f"{key[0]:16s} {key[1]:8s} fill {key[2]:6d}: median {statistics.median(v):7.1f} allocations/s, "
          f"range {min(v):.1f}-{max(v):.1f}, {len(v)} runs")
EOF
