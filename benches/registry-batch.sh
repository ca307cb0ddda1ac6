#!/usr/bin/env bash
# The 99,999-row `isrc allocate --from-csv` on SQLite (a fresh ledger per run), beside the
# `sqlite3` shell importing the same recording rows into a table with the same schema and
# indexes, and optionally beside another build, all in one hyperfine run (not run by CI).
#
#   benches/registry-batch.sh [RUNS] BINARY [BASELINE_BINARY]
#
# Goal (issue 21): <= 1 s, and within 3x the sqlite3 import of the same run.
# Needs hyperfine and sqlite3 (Debian: hyperfine, sqlite3).
set -euo pipefail
runs=${1:-10}; shift
[ $# -ge 1 ] || { echo "usage: $0 [RUNS] BINARY [BASELINE_BINARY]" >&2; exit 2; }
NEW=$(realpath "$1"); OLD=${2:+$(realpath "$2")}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
export ISRC_TODAY=2026-03-01
python3 -c "
print('title,artist,duration')
for i in range(99999): print(f'Title {i},Bench Artist,{3+i%3}:{i%60:02d}')" > batch.csv
# The rows the ledger stores for this batch, as CSV, for the sqlite3 shell.
"$NEW" registrant add --db rows.db --prefix CBBAT --name B >/dev/null
"$NEW" allocate --db rows.db --prefix CBBAT --from-csv batch.csv >/dev/null
sqlite3 -csv rows.db "SELECT * FROM recordings" > rows.csv
cp "$ROOT/crates/isrc-registry/migrations/sqlite/0001_init.sql" schema.sql
echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows: $(wc -l < rows.csv), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
args=(--runs "$runs" --export-json "$W/h.json"
  --prepare "rm -f s.db* && sqlite3 s.db < schema.sql" -n "sqlite3 .import"
  "sqlite3 s.db '.import --csv rows.csv recordings'"
  --prepare "rm -f b.db* && $NEW registrant add --db b.db --prefix CBBAT --name B >/dev/null" -n "new"
  "$NEW allocate --db b.db --prefix CBBAT --from-csv batch.csv > out.csv")
if [ -n "$OLD" ]; then
  args+=(--prepare "rm -f b.db* && $OLD registrant add --db b.db --prefix CBBAT --name B >/dev/null" -n "baseline"
    "$OLD allocate --db b.db --prefix CBBAT --from-csv batch.csv > out.csv")
fi
hyperfine "${args[@]}"
# Median and range of every command (hyperfine prints mean and range; the summary wants the median).
python3 - "$W/h.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"])
    print(f'{r["command"][:60]:60s} median {r["median"]:.3f} s, range {t[0]:.3f}-{t[-1]:.3f} s, '
          f'user {r["user"]:.2f} s, system {r["system"]:.2f} s, {len(t)} runs')
EOF
