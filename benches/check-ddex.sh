#!/usr/bin/env bash
# Benchmarks for `isrc check` on DDEX inputs (issue 17), in one run with their baselines:
#   a DSR flat file of about 1 GB (DSR_BYTES; 0 skips it): `wc -l`, the csv crate reading
#     every field (tab-delimited), DuckDB, and `isrc check --format json`;
#   a folder of 10,000 ERN messages (ERN_MESSAGES; 0 skips it): `xmllint --noout` over the
#     same files when xmllint is installed (Debian libxml2-utils), expat through Python
#     (benches/xml_wellformed.py: a well-formedness parse of each file, as xmllint does),
#     and `isrc check --format json DIR`.
# BASE=/path/to/an/older/isrc adds that binary's `isrc check` beside this one, in the same run,
#   and compares the two JSON reports byte for byte (one more run of each).
# After each hyperfine pass, a table: median (range of all runs), and CPU user / system (mean).
# ENGINE=1: the engine alone, through the `check_json` example of each tree (what
#   `isrc check --format json` does, without the CLI), when building the CLI is too slow; BASE
#   is then the base tree's examples/check_json.
# Usage: benches/check-ddex.sh [WORK_DIR]   (RUNS=..., DSR_BYTES=..., ERN_MESSAGES=..., BASE=...,
#   DUCKDB=none, ENGINE=1, ISRC=...)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/isrc-ddex-bench}
runs=${RUNS:-3}
bytes=${DSR_BYTES:-1073741824}
messages=${ERN_MESSAGES:-10000}
duckdb=${DUCKDB:-/work/shared/tools/duckdb-baseline.py}
base=${BASE:-}
mkdir -p "$dir"
export ISRC_TODAY=2026-11-22 LC_ALL=C

if [ -n "${ENGINE:-}" ]; then
  cargo build --release -q -p isrc-check --example csv_read_all --example check_json
  new_cmd=$PWD/target/release/examples/check_json
  base_cmd=$base
elif [ -n "${ISRC:-}" ]; then
  # ISRC=/path/to/isrc: that CLI binary stands for this tree (its code of the part measured
  # must be this tree's).
  cargo build --release -q -p isrc-check --example csv_read_all
  new_cmd="$ISRC check --format json"
  base_cmd="$base check --format json"
else
  cargo build --release -q -p isrc-cli
  cargo build --release -q -p isrc-check --example csv_read_all
  new_cmd="$PWD/target/release/isrc check --format json"
  base_cmd="$base check --format json"
fi
csv_read_all=$PWD/target/release/examples/csv_read_all
want_dsr=0 want_ern=0
if [ "$bytes" != 0 ] && [ ! -s "$dir/sales.tsv" ]; then want_dsr=$bytes; fi
if [ "$messages" != 0 ] && [ ! -d "$dir/ern" ]; then want_ern=$messages; fi
if [ "$want_dsr" != 0 ] || [ "$want_ern" != 0 ]; then
  python3 benches/gen_ddex_inputs.py "$dir" "$want_dsr" "$want_ern"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.0f MB", $6/1024}'; }
# The table of a hyperfine JSON export: median (range of all runs), CPU user / system (mean).
table() {
  python3 - "$1" <<'PY'
import json, statistics, sys
print("| command | median (range of all runs) | CPU user / sys (mean) |")
print("|---|---|---|")
for r in json.load(open(sys.argv[1]))["results"]:
    t = r["times"]
    print(f"| `{r['command']}` | {statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f}) | "
          f"{r['user']:.2f} / {r['system']:.2f} s |")
PY
}
# Whether BASE and this build write the same JSON report on an input.
same_report() {
  if cmp -s <($base_cmd "$1") <($new_cmd "$1"); then
    echo "$1: the JSON report is byte-identical to BASE's"
  else
    echo "$1: the JSON report DIFFERS from BASE's"
  fi
}

if [ "$bytes" != 0 ]; then
  echo "DSR: $(du -h "$dir/sales.tsv" | cut -f1), $(wc -l < "$dir/sales.tsv") lines"
  base_dsr=() duckdb_dsr=()
  if [ -n "$base" ]; then base_dsr=("$base_cmd $dir/sales.tsv"); fi
  # DUCKDB=none leaves DuckDB out (a long run on a loaded machine).
  if [ "$duckdb" != none ]; then duckdb_dsr=("python3 $duckdb $dir/sales.tsv"); fi
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/dsr.json" \
    "wc -l $dir/sales.tsv" \
    "$csv_read_all $dir/sales.tsv tab" \
    "${duckdb_dsr[@]}" \
    "${base_dsr[@]}" \
    "$new_cmd $dir/sales.tsv"
  table "$dir/dsr.json"
  echo "isrc check DSR max RSS: $(rss $new_cmd "$dir/sales.tsv")"
  if [ -n "$base" ]; then
    echo "base DSR max RSS: $(rss $base_cmd "$dir/sales.tsv")"
    same_report "$dir/sales.tsv"
  fi
  echo "load average after DSR: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [ "$messages" != 0 ]; then
  echo "ERN: $(find "$dir/ern" -name '*.xml' | wc -l) files, $(du -sh "$dir/ern" | cut -f1)"
  xmllint_cmd=()
  if command -v xmllint > /dev/null; then
    xmllint_cmd=("find $dir/ern -name *.xml -exec xmllint --noout {} +")
  else
    echo "xmllint is not installed (Debian libxml2-utils): expat through Python is the baseline"
  fi
  base_ern=()
  if [ -n "$base" ]; then base_ern=("$base_cmd $dir/ern > /dev/null"); fi
  hyperfine -i --warmup 1 --runs "$runs" --export-json "$dir/ern.json" \
    "${xmllint_cmd[@]}" \
    "python3 benches/xml_wellformed.py $dir/ern" \
    "${base_ern[@]}" \
    "$new_cmd $dir/ern > /dev/null"
  table "$dir/ern.json"
  echo "isrc check ERN max RSS: $(rss $new_cmd "$dir/ern")"
  if [ -n "$base" ]; then
    echo "base ERN max RSS: $(rss $base_cmd "$dir/ern")"
    same_report "$dir/ern"
  fi
  echo "xml_wellformed.py max RSS: $(rss python3 benches/xml_wellformed.py "$dir/ern")"
  echo "load average after ERN: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
