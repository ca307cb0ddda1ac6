#!/usr/bin/env bash
# POST /api/v1/validate (a JSON array of two codes: a compact one of this year and a hyphenated
# lowercase legacy one) as a share of GET /healthz on the same server, in short interleaved
# rounds (healthz, validate, healthz; validate's requests/s over the mean of the two health
# runs), for one or more builds whose rounds alternate (not run by CI). Goal (issue 21): >= 80 %.
#
#   benches/validate-ratio.sh [SECONDS] [ROUNDS] BINARY [BINARY2]
set -u
secs=${1:-3}; rounds=${2:-9}; shift 2
[ $# -ge 1 ] || { echo "usage: $0 [SECONDS] [ROUNDS] BINARY [BINARY2]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
printf '["USRC1%s00001","us-rc1-76-07839"]' "$(date -u +%y)" > "$W/body.json"
n=0
for bin in "$@"; do
  "$bin" serve --db "$W/$n.db" --listen 127.0.0.1:$((18280 + n)) --public-rate 1000000000 2>"$W/$n.log" &
  PIDS+=($!)
  n=$((n + 1))
done
sleep 4
echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c16, ${secs} s per run, ${rounds} rounds"
rps() { wrk -t2 -c16 -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
for r in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    base=http://127.0.0.1:$((18280 + i))
    h1=$(rps "$base/healthz")
    v=$(BODY_FILE=$W/body.json CONTENT_TYPE=application/json rps -s "$ROOT/benches/post-file.lua" "$base/api/v1/validate")
    h2=$(rps "$base/healthz")
    echo "$i $h1 $v $h2"
  done
done | tee "$W/out"
python3 - "$W/out" "$@" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for i, name in enumerate(sys.argv[2:]):
    mine = [[float(x) for x in r[1:]] for r in rows if r[0] == str(i)]
    ratio = [v / ((h1 + h2) / 2) for h1, v, h2 in mine]
    print(f"{name}: validate / healthz median {100 * statistics.median(ratio):.0f} % "
          f"(rounds {100 * min(ratio):.0f}-{100 * max(ratio):.0f} %), healthz median "
          f"{statistics.median((h1 + h2) / 2 for h1, v, h2 in mine):,.0f} req/s")
PY
