#!/usr/bin/env bash
# Benchmarks for `isrc check` on DDEX inputs (issue 17), in one run with their baselines:
#   a DSR flat file of about 1 GB (DSR_BYTES; 0 skips it): `wc -l`, the csv crate reading
#     every field (tab-delimited), DuckDB, and `isrc check --format json`;
#   a folder of 10,000 ERN messages (ERN_MESSAGES; 0 skips it): `xmllint --noout` over the
#     same files when xmllint is installed (Debian libxml2-utils), expat through Python
#     (benches/xml_wellformed.py: a well-formedness parse of each file, as xmllint does),
#     and `isrc check --format json DIR`.
# BASE=/path/to/an/older/isrc adds that binary's `isrc check` beside this one, in the same run.
# Usage: benches/check-ddex.sh [WORK_DIR]   (RUNS=..., DSR_BYTES=..., ERN_MESSAGES=..., BASE=...)
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

cargo build --release -q -p isrc-cli
cargo build --release -q -p isrc-check --example csv_read_all
isrc=$PWD/target/release/isrc
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

if [ "$bytes" != 0 ]; then
  echo "DSR: $(du -h "$dir/sales.tsv" | cut -f1), $(wc -l < "$dir/sales.tsv") lines"
  base_dsr=()
  if [ -n "$base" ]; then base_dsr=("$base check --format json $dir/sales.tsv"); fi
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/dsr.json" \
    "wc -l $dir/sales.tsv" \
    "$csv_read_all $dir/sales.tsv tab" \
    "python3 $duckdb $dir/sales.tsv" \
    "${base_dsr[@]}" \
    "$isrc check --format json $dir/sales.tsv"
  echo "isrc check DSR max RSS: $(rss "$isrc" check --format json "$dir/sales.tsv")"
  if [ -n "$base" ]; then echo "base DSR max RSS: $(rss "$base" check --format json "$dir/sales.tsv")"; fi
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
  if [ -n "$base" ]; then base_ern=("$base check --format json $dir/ern > /dev/null"); fi
  hyperfine -i --warmup 1 --runs "$runs" --export-json "$dir/ern.json" \
    "${xmllint_cmd[@]}" \
    "python3 benches/xml_wellformed.py $dir/ern" \
    "${base_ern[@]}" \
    "$isrc check --format json $dir/ern > /dev/null"
  echo "isrc check ERN max RSS: $(rss "$isrc" check --format json "$dir/ern")"
  if [ -n "$base" ]; then echo "base ERN max RSS: $(rss "$base" check --format json "$dir/ern")"; fi
  echo "xml_wellformed.py max RSS: $(rss python3 benches/xml_wellformed.py "$dir/ern")"
  echo "load average after ERN: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
