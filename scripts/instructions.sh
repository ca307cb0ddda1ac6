#!/usr/bin/env bash
# Instructions per input for parse/check/verdict, beside the isrc 0.1.2 crate, counted by
# callgrind (repeatable on a loaded machine). Needs valgrind (Debian: apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p isrc-code --features json --example instructions
bin=target/release/examples/instructions
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(count baseline)
printf '%-22s %s\n' workload instructions/input
for mode in compact-isrc-0.1.2 compact-parse compact-check compact-verdict \
            legacy-check legacy-verdict display-parse display-check display-verdict \
            compact-json messy-json; do
  total=$(count "$mode")
  printf '%-22s %d\n' "$mode" $(( (total - base) / 100000 ))
done
