#!/usr/bin/env bash
# `isrc check NEW --against OLD` beside checking each file alone and both in one run, on two
# versions of a 1,000,000-row catalogue of uniformly random codes (benches/gen_against_inputs.py:
# 1% removed, 1% added, 1% titles and 1% durations changed, shuffled), with hyperfine in the
# same run; the baseline binary (BASE) checks both files for reference.
# Usage: benches/check-against.sh [WORK_DIR]   (RUNS=..., BASE=...)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/isrc-check-against}
runs=${RUNS:-5}
base=${BASE:-/work/wt/bin/isrc-145beea}
mkdir -p "$dir"
export ISRC_TODAY=2026-11-22 LC_ALL=C
cargo build --release -q -p isrc-cli
isrc=$PWD/target/release/isrc
[ -s "$dir/new.csv" ] || python3 benches/gen_against_inputs.py "$dir"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/against.json" \
  "wc -l $dir/new.csv $dir/old.csv" \
  "$base check --format json $dir/new.csv $dir/old.csv" \
  "$isrc check --format json $dir/old.csv" \
  "$isrc check --format json $dir/new.csv" \
  "$isrc check --format json $dir/new.csv $dir/old.csv" \
  "$isrc check --format json $dir/new.csv --against $dir/old.csv"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for cmd in "check --format json $dir/new.csv $dir/old.csv" "check --format json $dir/new.csv --against $dir/old.csv"; do
  echo "max RSS (MB) of isrc $cmd: $(/usr/bin/time -v $isrc $cmd 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.0f", $6/1024}')"
done
