#!/usr/bin/env bash
# Lookup throughput as a share of /healthz throughput, for one or two builds of `isrc`, in many
# short interleaved rounds (not run by CI).
#
#   benches/server-ratio.sh [SECONDS] [ROUNDS] BINARY [BINARY2]
#
# wrk and the server share this machine's two cores, and the machine's speed swings from one
# minute to the next (a shared VM), so one long run of each route compares different machines.
# Here each round runs /healthz, then each lookup, then /healthz again, SECONDS each, and
# divides a lookup's requests per second by the mean of the two healthz runs around it; the
# median over ROUNDS rounds is the figure (goal: at least 80 %). Two lookups: a compact code
# of this year (the common case) and a hyphenated lowercase legacy code with two findings (the
# longest answer). With two binaries, their rounds alternate.
# With perf (Debian: linux-perf) it also prints the steadier figure behind the throughput: the
# CPU time that the server and wrk together spend per request (throughput is about the two
# cores divided by it), as healthz's share of the lookup's.
# Needs wrk (Debian: wrk).
set -u
secs=${1:-3}; rounds=${2:-9}; shift 2
[ $# -ge 1 ] || { echo "usage: $0 [SECONDS] [ROUNDS] BINARY [BINARY2]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
W=$(mktemp -d)
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
year=$(date -u +%y)
compact="/api/v1/isrc/USRC1${year}00001"
messy="/api/v1/isrc/us-rc1-76-07839"
n=0
for bin in "$@"; do
  port=$((18180 + n))
  "$bin" serve --db "$W/$n.db" --listen 127.0.0.1:$port --public-rate 1000000000 2>"$W/$n.log" &
  PIDS+=($!)
  n=$((n + 1))
done
sleep 4
have_perf=$(perf stat -e task-clock true >/dev/null 2>&1 && echo yes)
# Prints requests per second and, with perf, microseconds of CPU (server + wrk) per request.
rps() { # port route pid
  if [ -z "$have_perf" ]; then
    wrk -t2 -c16 -d"${secs}s" "http://127.0.0.1:$1$2" | awk '/Requests\/sec/ {printf "%s 0", $2}'
    return
  fi
  perf stat -x, -e task-clock -p "$3" -o "$W/server.stat" -- sleep "$secs" &
  local sp=$!
  perf stat -x, -e task-clock -o "$W/wrk.stat" wrk -t2 -c16 -d"${secs}s" "http://127.0.0.1:$1$2" >"$W/wrk.out"
  wait $sp
  local server wrk req rate
  server=$(awk -F, '/task-clock/ {print $1}' "$W/server.stat")
  wrk=$(awk -F, '/task-clock/ {print $1}' "$W/wrk.stat")
  req=$(awk '/requests in/ {print $1}' "$W/wrk.out")
  rate=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.out")
  python3 -c "print($rate, round(($server + $wrk) * 1000 / $req, 2), end='')"
}
echo "machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c16, ${secs} s per run, ${rounds} rounds"
for r in $(seq "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    port=$((18180 + i)); pid=${PIDS[$i]}
    h1=$(rps $port /healthz $pid); c=$(rps $port "$compact" $pid)
    m=$(rps $port "$messy" $pid); h2=$(rps $port /healthz $pid)
    echo "$i $h1 $c $m $h2"
  done
done | tee "$W/out"
python3 - "$W/out" "$@" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for i, name in enumerate(sys.argv[2:]):
    # Each row: healthz, compact, messy, healthz, each as (requests/s, CPU us per request).
    mine = [[float(x) for x in r[1:]] for r in rows if r[0] == str(i)]
    compact = [c / ((h1 + h2) / 2) for h1, _, c, _, m, _, h2, _ in mine]
    messy = [m / ((h1 + h2) / 2) for h1, _, c, _, m, _, h2, _ in mine]
    healthz = [(h1 + h2) / 2 for h1, _, c, _, m, _, h2, _ in mine]
    print(f"{name}: healthz median {statistics.median(healthz):,.0f} req/s; "
          f"compact code {100 * statistics.median(compact):.0f} % "
          f"(rounds {min(compact) * 100:.0f}-{max(compact) * 100:.0f} %), "
          f"hyphenated legacy code {100 * statistics.median(messy):.0f} % "
          f"(rounds {min(messy) * 100:.0f}-{max(messy) * 100:.0f} %)")
    cpu = [(ch1, cc, cm, ch2) for _, ch1, _, cc, _, cm, _, ch2 in mine]
    if all(x > 0 for row in cpu for x in row):
        h = statistics.median((a + d) / 2 for a, b, c, d in cpu)
        c = statistics.median(b for a, b, c, d in cpu)
        m = statistics.median(c for a, b, c, d in cpu)
        print(f"  CPU per request (server + wrk), medians: healthz {h:.1f} us, compact code "
              f"{c:.1f} us ({100 * h / c:.0f} % of its speed), hyphenated legacy code {m:.1f} us "
              f"({100 * h / m:.0f} %)")
PY
