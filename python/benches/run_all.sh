#!/bin/bash
# The three Python benchmarks of issue 16, one after the other, each with its baseline in the
# same run (interleaved), then one table: python-stdnum loop (goal >= 20x), Polars against
# the standard's regex (goal: faster), PySpark against a python-stdnum UDF (goal >= 10x).
# Needs the package installed in release mode (pip install ./python), pyarrow, polars,
# pyspark and python-stdnum 2.2. Logs go to $OUT (default: a new /tmp/isrc-py-bench.* folder).
#
# bash python/benches/run_all.sh [STDNUM_N STDNUM_RUNS POLARS_N POLARS_RUNS SPARK_N SPARK_RUNS]
# (defaults 1000000 5 10000000 5 10000000 3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$(mktemp -d /tmp/isrc-py-bench.XXXXXX)}
py=${PYTHON:-python3}
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "logs in $out; $(date -u +%H:%M) UTC, load average $(load), $(nproc) cores"
run() {
    local name=$1
    shift
    echo "== $name: $* (load average $(load) before)"
    (cd "$here" && "$py" "$@") >"$out/$name.log" 2>"$out/$name.err"
    local rc=$?
    echo "   exit $rc, load average $(load) after"
    [ "$rc" = 0 ] || tail -5 "$out/$name.err"
}
run stdnum bench_stdnum.py "${1:-1000000}" "${2:-5}"
run polars bench_polars.py "${3:-10000000}" "${4:-5}"
run spark bench_spark.py "${5:-10000000}" "${6:-3}"
echo
echo "| benchmark | ours: median (range) | baseline: median (range) | baseline / ours per run | goal | | runs |"
echo "|---|---|---|---|---|---|---|"
cat "$out"/stdnum.log "$out"/polars.log "$out"/spark.log 2>/dev/null |
    awk -F'|' '/^TABLE\|/ { printf "|"; for (i = 2; i <= NF; i++) printf " %s |", $i; print "" }'
echo "(finished $(date -u +%H:%M) UTC, load average $(load))"
