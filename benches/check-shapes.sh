#!/usr/bin/env bash
# Benchmarks for `isrc check` over three code distributions (issue 12), called by
# benches/check.sh or on its own. Per shape, in the same run: 5,000,000 plain lines and a
# 1,000,000-row CSV with title, artist and duration, measured with hyperfine (3 runs each):
#   wc -l, sort -u (LC_ALL=C), DuckDB (/work/shared/tools/duckdb-baseline.py), the baseline
#   binary (BASE, default /work/wt/bin/isrc-be26a73) and this tree's `isrc check --format json`
#   (with the report's lists: every line of each duplicate, the differing fields of each
#   conflict) and `--max-listed 0` (no lists, so a plain list uses the dense index);
#   for the CSV: the csv crate reading every field, BASE and `isrc check`;
#   max RSS of BASE and `isrc check` from /usr/bin/time -v.
# Shapes: (a) sequential, today's (benches/gen_check_inputs.py); (b) zipf: ~200,000
#   registrants of Zipf sizes, sequential per registrant-year, interleaved; (c) uniform:
#   registrant codes and years uniformly random. (b) and (c) from the gen_catalogue example.
# Usage: benches/check-shapes.sh [WORK_DIR]   (LINES=..., ROWS=..., RUNS=..., BASE=...)
# With HUGE=200000000: also that many lines (HUGE_SHAPE, default uniform) through a pipe with
#   --memory 1G (and, unless HUGE_BUDGETS is set, e.g. to nothing, the same without the budget,
#   for the figures), max RSS from /usr/bin/time -v, the temporary files left behind
#   (TMPDIR is a folder of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/isrc-check-bench}
lines=${LINES:-5000000}
rows=${ROWS:-1000000}
runs=${RUNS:-3}
base=${BASE:-/work/wt/bin/isrc-be26a73}
duckdb=${DUCKDB:-/work/shared/tools/duckdb-baseline.py}
mkdir -p "$dir"
export ISRC_TODAY=2026-11-22 LC_ALL=C

# With ENGINE=1: the engine alone, through the `check_json` example of each tree (what
# `isrc check --format json` does, without the CLI), when building the whole CLI twice is too
# slow; BASE is then the base tree's examples/check_json.
if [ -n "${ENGINE:-}" ]; then
  cargo build --release -q -p isrc-check --example csv_read_all --example gen_catalogue --example check_json
  new_cmd=$PWD/target/release/examples/check_json
  base_cmd=$base
  isrc=
else
  cargo build --release -q -p isrc-cli
  cargo build --release -q -p isrc-check --example csv_read_all --example gen_catalogue
  isrc=$PWD/target/release/isrc
  new_cmd="$isrc check --format json"
  base_cmd="$base check --format json"
fi
csv_read_all=$PWD/target/release/examples/csv_read_all
gen=$PWD/target/release/examples/gen_catalogue

if [ ! -s "$dir/codes.txt" ] || [ "$(wc -l < "$dir/codes.txt")" -ne "$lines" ]; then
  python3 benches/gen_check_inputs.py "$dir" "$lines" "$rows"
fi
ln -sf codes.txt "$dir/sequential.txt"
ln -sf catalogue.csv "$dir/sequential.csv"
for shape in zipf uniform; do
  [ "$(wc -l < "$dir/$shape.txt" 2>/dev/null || echo 0)" -eq "$lines" ] || "$gen" $shape "$lines" > "$dir/$shape.txt"
  [ "$(wc -l < "$dir/$shape.csv" 2>/dev/null || echo 0)" -eq $((rows + 1)) ] || "$gen" $shape "$rows" csv > "$dir/$shape.csv"
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "load before: $(uptime)"

same_figures() { # two JSON reports equal but for what this tree adds or orders differently
  # (schema_version; the duplicates and conflicts lists, whose ties are now ranked by the first
  # record, which base does not know for plain lists; with a third argument, every list, which
  # --max-listed 0 empties): the counts and totals must be base's.
  python3 - "$@" <<'PY'
import json, sys
def strip(r, all_lists):
    r.pop("schema_version", None)
    for key, value in r.items():
        if isinstance(value, dict) and "listed" in value and (all_lists or key in ("duplicates", "conflicts")):
            value.pop("listed")
    return r
all_lists = len(sys.argv) > 3
a, b = (strip(json.load(open(p)), all_lists) for p in sys.argv[1:3])
if a != b:
    print("reports differ:", [k for k in set(a) | set(b) if a.get(k) != b.get(k)])
    sys.exit(1)
PY
}

rss() { # max RSS in MB of a command
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.0f", $6/1024}'
}

for shape in sequential zipf uniform; do
  f=$dir/$shape.txt
  c=$dir/$shape.csv
  echo "== $shape: $(wc -l < "$f") lines, distinct: $(sort -u "$f" | wc -l)"
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/$shape-lines.json" \
    "wc -l $f" \
    "sort -u -o /dev/null $f" \
    "python3 $duckdb $f" \
    "$base_cmd $f" \
    "$new_cmd $f" \
    "$new_cmd --max-listed 0 $f"
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$dir/$shape-csv.json" \
    "$csv_read_all $c" \
    "$base_cmd $c" \
    "$new_cmd $c"
  for i in $(seq "$runs"); do
    echo "$shape rss lines base $(rss $base_cmd "$f") new $(rss $new_cmd "$f") csv base $(rss $base_cmd "$c") new $(rss $new_cmd "$c")"
  done | tee "$dir/$shape-rss.txt"
  # The figures outside the new list fields (schema_version, each duplicate's lines and
  # differing fields, and the first record of a plain list's duplicates, which base leaves
  # null) must equal base's.
  for input in "$f" "$c"; do
    same_figures <($base_cmd "$input") <($new_cmd "$input") \
      && echo "$(basename "$input"): every figure as in BASE"
    same_figures <($base_cmd "$input") <($new_cmd --max-listed 0 "$input") all-lists \
      && echo "$(basename "$input") --max-listed 0: every figure as in BASE"
  done
done

python3 - "$dir" <<'PY'
import json, statistics, sys
d = sys.argv[1]
def times(name):
    return [r["times"] for r in json.load(open(f"{d}/{name}.json"))["results"]]
notes = []
def cpu(name):
    return [(r["user"] + r["system"]) * 1000 for r in json.load(open(f"{d}/{name}.json"))["results"]]
def fmt(ts):
    return f"{statistics.median(ts)*1000:.0f} ms ({min(ts)*1000:.0f}-{max(ts)*1000:.0f})"
print("\n| shape | wc -l | sort -u | DuckDB | base | new | new --max-listed 0 | new / wc -l | new / sort -u | base RSS | new RSS |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for shape, goal in [("sequential", 4), ("zipf", 4), ("uniform", 8)]:
    wc, srt, duck, base, new, unlisted = times(f"{shape}-lines")
    c = cpu(f"{shape}-lines")
    notes.append(f"CPU (user+system, mean) {shape} lines: base {c[3]:.0f} ms, new {c[4]:.0f} ms, --max-listed 0 {c[5]:.0f} ms")
    rss = [l.split() for l in open(f"{d}/{shape}-rss.txt")]
    brss = [int(r[4]) for r in rss]; nrss = [int(r[6]) for r in rss]
    ratio = statistics.median(new) / statistics.median(wc)
    vs_sort = statistics.median(new) / statistics.median(srt)
    print(f"| {shape} lines | {fmt(wc)} | {fmt(srt)} | {fmt(duck)} | {fmt(base)} | {fmt(new)} | {fmt(unlisted)} | "
          f"{ratio:.1f}x (goal {goal}x: {'met' if ratio <= goal else 'not met'}) | "
          f"{vs_sort:.2f} ({'met' if vs_sort <= 1 else 'not met'}) | "
          f"{statistics.median(brss)} MB | {statistics.median(nrss)} MB ({'met' if max(nrss) <= 200 else 'not met'}) |")
print("\n| shape | csv crate | base | new | new / csv crate | base RSS | new RSS |")
print("|---|---|---|---|---|---|---|")
for shape in ["sequential", "zipf", "uniform"]:
    csv, base, new = times(f"{shape}-csv")
    c = cpu(f"{shape}-csv")
    notes.append(f"CPU (user+system, mean) {shape} CSV: csv crate {c[0]:.0f} ms, base {c[1]:.0f} ms, new {c[2]:.0f} ms")
    rss = [l.split() for l in open(f"{d}/{shape}-rss.txt")]
    brss = [int(r[9]) for r in rss]; nrss = [int(r[11]) for r in rss]
    ratio = statistics.median(new) / statistics.median(csv)
    print(f"| {shape} CSV | {fmt(csv)} | {fmt(base)} | {fmt(new)} | {ratio:.2f}x (goal 2x: {'met' if ratio <= 2 else 'not met'}) | "
          f"{statistics.median(brss)} MB | {statistics.median(nrss)} MB |")
print()
print("\n".join(notes))
PY
echo "load after: $(uptime)"

if [ -n "${HUGE:-}" ]; then
  shape=${HUGE_SHAPE:-uniform}
  echo "== $HUGE $shape lines through a pipe"
  # The temporary files go to a folder of their own, to show that none is left behind.
  mkdir -p "$dir/tmp"
  for budget in 1G ${HUGE_BUDGETS-""}; do
    start=$(date +%s.%N)
    "$gen" "$shape" "$HUGE" | TMPDIR=$dir/tmp /usr/bin/time -v $new_cmd ${budget:+--memory $budget} - \
      > "$dir/huge-${budget:-default}.json" 2> "$dir/huge-${budget:-default}.time" || true
    end=$(date +%s.%N)
    echo "--memory ${budget:-default}: $(echo "$end - $start" | bc) s, max RSS $(awk '/Maximum resident/ {printf "%.0f MB", $6/1024}' "$dir/huge-${budget:-default}.time"), CPU $(awk -F: '/User time|System time/ {s += $2} END {printf "%.1f s", s}' "$dir/huge-${budget:-default}.time"), $(grep -ho 'spilled [0-9.]* MB' "$dir/huge-${budget:-default}.time" || echo 'no spill'), files left in TMPDIR: $(find "$dir/tmp" -type f | wc -l)"
  done
  [ ! -e "$dir/huge-default.json" ] || { cmp "$dir/huge-1G.json" "$dir/huge-default.json" && echo "the same report with and without the budget"; }
  head -c 400 "$dir/huge-1G.json"; echo
fi
