"""`isrc.is_valid` in a Python loop vs python-stdnum's `stdnum.isrc.is_valid` (goal: >= 20x).

python3 python/benches/bench_stdnum.py [N] [RUNS]
"""

import os
import statistics
import sys

from stdnum import isrc as stdnum_isrc

import isrc
from common import codes, table_row, timed

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
values = codes(n)
policy = isrc.Policy(today="2026-11-22")
# Warm-up, not timed (the first calls of each library).
[isrc.is_valid(v, policy) for v in values[:50_000]]
[stdnum_isrc.is_valid(v) for v in values[:50_000]]
ours, theirs = [], []
for _ in range(runs):  # interleaved, so that both see the same load
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    ours += timed(f"isrc.is_valid x{n}", 1, lambda: [isrc.is_valid(v, policy) for v in values])
    theirs += timed(f"stdnum.isrc.is_valid x{n}", 1, lambda: [stdnum_isrc.is_valid(v) for v in values])
ratios = sorted(t / o for t, o in zip(theirs, ours))
print(f"per code: isrc {statistics.median(ours) / n * 1e9:.0f} ns, stdnum {statistics.median(theirs) / n * 1e9:.0f} ns")
print(f"speed-up per run: median {statistics.median(ratios):.1f}x, range {ratios[0]:.1f}-{ratios[-1]:.1f}x (goal >= 20x)")
table_row(f"isrc.is_valid loop vs python-stdnum, {n} codes", ours, theirs, 20)
