"""The Polars expression over N codes (default 10 M) vs `str.contains` with the standard's
regex (which has no prefix table and no year check), and vs the same kernel through
`map_batches` (the fallback of `isrc.polars` when the plugin cannot load), interleaved.

python3 python/benches/bench_polars.py [N] [RUNS]
"""

import os
import statistics
import sys
import time

import polars as pl

import isrc
import isrc.polars  # noqa: F401
from common import codes, table_row

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
base = codes(1_000_000)
df = pl.DataFrame({"isrc": (base * (n // len(base) + 1))[:n]})
policy = isrc.Policy(today="2026-11-22")
REGEX = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$"
# Warm-up, not timed: the first call of each side pays for its first allocations (and the
# expression for the kernel's first threads), which would count against the side timed first.
batches = isrc.polars._map_batches("is_valid", pl.col("isrc"), policy)
print(f"engine: {isrc.polars.ENGINE} ({isrc.polars.ENGINE_REASON or 'the compiled plugin'})")
df.head(200_000).select(
    pl.col("isrc").isrc.is_valid(policy), pl.col("isrc").str.contains(REGEX).alias("regex"), batches.alias("b")
)
ours, theirs, fallback = [], [], []
for _ in range(runs):
    start = time.perf_counter()
    c = df.select(batches).to_series().sum()
    fallback.append(time.perf_counter() - start)
    start = time.perf_counter()
    a = df.select(pl.col("isrc").isrc.is_valid(policy)).to_series().sum()
    ours.append(time.perf_counter() - start)
    start = time.perf_counter()
    b = df.select(pl.col("isrc").str.contains(REGEX)).to_series().sum()
    theirs.append(time.perf_counter() - start)
    print(f"run: isrc {ours[-1]:.3f} s ({a} valid), map_batches {fallback[-1]:.3f} s ({c} valid), regex {theirs[-1]:.3f} s ({b} match), load average {os.getloadavg()[0]:.1f}", flush=True)
ratios = sorted(t / o for t, o in zip(theirs, ours))
print(f"map_batches is_valid x{n}: median {statistics.median(fallback):.3f} s, range {min(fallback):.3f}-{max(fallback):.3f} s")
print(f"isrc.is_valid expression x{n}: median {statistics.median(ours):.3f} s, range {min(ours):.3f}-{max(ours):.3f} s")
print(f"str.contains(regex) x{n}: median {statistics.median(theirs):.3f} s, range {min(theirs):.3f}-{max(theirs):.3f} s")
print(f"regex time / isrc time per run: median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}-{ratios[-1]:.2f}")
table_row(f"Polars .isrc.is_valid() ({isrc.polars.ENGINE}) vs str.contains(regex), {n} codes", ours, theirs, 1)
table_row(f"Polars .isrc.is_valid() ({isrc.polars.ENGINE}) vs map_batches, {n} codes", ours, fallback, 1)
