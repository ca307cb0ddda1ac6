#!/usr/bin/env bash
# Server CPU time per request of /healthz and of a lookup, for two builds of `isrc`, interleaved
# (not run by CI). wrk and the server share this machine's cores, so requests per second swing
# with the load; the CPU time the server spends per request (perf stat's task-clock over a wrk
# run, divided by the requests wrk counted) is the steadier figure.
#
#   benches/server-cpu.sh OLD_BINARY NEW_BINARY [SECONDS] [ROUNDS]
# Needs wrk and perf (Debian: wrk, linux-perf).
set -u
old=${1:?old binary}; new=${2:?new binary}; secs=${3:-4}; rounds=${4:-3}
W=$(mktemp -d)
"$old" serve --db $W/old.db --listen 127.0.0.1:18081 --public-rate 1000000000 2>$W/old.log & P1=$!
"$new" serve --db $W/new.db --listen 127.0.0.1:18082 --public-rate 1000000000 2>$W/new.log & P2=$!
sleep 4
for r in $(seq $rounds); do for side in old new; do
  port=18081; pid=$P1; [ $side = new ] && port=18082 && pid=$P2
  for route in /healthz /api/v1/isrc/us-rc1-76-07839; do
    perf stat -e task-clock -p $pid -o $W/stat -- sleep $secs & SP=$!
    req=$(wrk -t2 -c16 -d${secs}s http://127.0.0.1:$port$route | awk '/requests in/ {print $1}')
    wait $SP
    ms=$(awk '/task-clock/ {gsub(",","",$1); print $1}' $W/stat)
    echo "$side $route $(python3 -c "print(round($ms*1000/$req,2))") $req"
  done; done; done | tee $W/out
python3 - $W/out <<'PY'
import sys, collections
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, route, us, req = line.split(); d[(side, route)].append(float(us))
for side in ("old", "new"):
    h = d[(side, "/healthz")]; l = d[(side, "/api/v1/isrc/us-rc1-76-07839")]
    print(f"{side}: server CPU per request: healthz {sum(h)/len(h):.1f} us, lookup {sum(l)/len(l):.1f} us, extra {sum(l)/len(l)-sum(h)/len(h):.1f} us")
PY
kill $P1 $P2; wait 2>/dev/null; rm -rf $W
