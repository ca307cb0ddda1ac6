#!/usr/bin/env bash
# Benchmarks for `isrc check` (issue 3). Generates the inputs, runs hyperfine, and prints
# ratios measured in the same run:
#   1. 5,000,000 lines (2% invalid): `isrc check --format json` vs `wc -l`   (goal: within 4x)
#   2. the same lines vs python-stdnum's isrc.is_valid loop, per line      (goal: >= 200x throughput)
#   3. a 1,000,000-row CSV with title/artist vs the csv crate reading every field (goal: within 2x)
# Needs: hyperfine (apt-get install -y hyperfine), python3 with python-stdnum (pip install python-stdnum).
# Usage: benches/check.sh [WORK_DIR]   (LINES=..., ROWS=..., PY_LINES=... to change sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/isrc-check-bench}
lines=${LINES:-5000000}
rows=${ROWS:-1000000}
py_lines=${PY_LINES:-500000}
mkdir -p "$dir"

cargo build --release -q -p isrc-cli
cargo build --release -q -p isrc-check --example csv_read_all
isrc=$PWD/target/release/isrc
csv_read_all=$PWD/target/release/examples/csv_read_all

if [ ! -s "$dir/codes.txt" ] || [ "$(wc -l < "$dir/codes.txt")" -ne "$lines" ]; then
  python3 benches/gen_check_inputs.py "$dir" "$lines" "$rows"
fi
head -n "$py_lines" "$dir/codes.txt" > "$dir/codes-py.txt"
cat > "$dir/stdnum_loop.py" <<'PY'
import sys
from stdnum import isrc
valid = 0
with open(sys.argv[1]) as f:
    for line in f:
        if isrc.is_valid(line.strip()):
            valid += 1
print(valid)
PY

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
export ISRC_TODAY=2026-11-22

hyperfine -N -i --warmup 2 --runs 10 --export-json "$dir/lines.json" \
  "wc -l $dir/codes.txt" \
  "$isrc check --format json $dir/codes.txt"
hyperfine -i --warmup 0 --runs 3 --export-json "$dir/python.json" \
  "python3 $dir/stdnum_loop.py $dir/codes-py.txt"
hyperfine -N -i --warmup 2 --runs 10 --export-json "$dir/csv.json" \
  "$csv_read_all $dir/catalogue.csv" \
  "$isrc check --format json $dir/catalogue.csv"

python3 - "$dir" "$lines" "$py_lines" "$rows" <<'PY'
import json, sys
d, lines, py_lines, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def results(name):
    return json.load(open(f"{d}/{name}.json"))["results"]
def means(name):
    return [r["mean"] for r in results(name)]
def cpu(name):
    # User + system CPU time: steadier than wall time on a shared machine, but a parallel
    # program's CPU time is its total work, not how long one waits.
    return [r["user"] + r["system"] for r in results(name)]
wc, check = means("lines")
(py,) = means("python")
csv, check_csv = means("csv")
wc_cpu, check_cpu = cpu("lines")
(py_cpu,) = cpu("python")
csv_cpu, check_csv_cpu = cpu("csv")
print()
print(f"1. {lines:,} lines: wc -l {wc*1000:.1f} ms, isrc check {check*1000:.1f} ms -> {check/wc:.1f}x wc -l (goal <= 4x)")
ours = lines / check
theirs = py_lines / py
print(f"2. python-stdnum {theirs:,.0f} codes/s, isrc check {ours:,.0f} codes/s -> {ours/theirs:.0f}x (goal >= 200x)")
print(f"3. {rows:,}-row CSV: csv crate {csv*1000:.1f} ms, isrc check {check_csv*1000:.1f} ms -> {check_csv/csv:.1f}x (goal <= 2x)")
print("CPU time (user + system):")
print(f"1. wc -l {wc_cpu*1000:.1f} ms, isrc check {check_cpu*1000:.1f} ms -> {check_cpu/wc_cpu:.1f}x")
print(f"2. python-stdnum {py_lines/py_cpu:,.0f} codes/s, isrc check {lines/check_cpu:,.0f} codes/s -> {(lines/check_cpu)/(py_lines/py_cpu):.0f}x")
print(f"3. csv crate {csv_cpu*1000:.1f} ms, isrc check {check_csv_cpu*1000:.1f} ms -> {check_csv_cpu/csv_cpu:.1f}x")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
