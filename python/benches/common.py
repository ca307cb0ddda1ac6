"""Shared by the Python benchmarks: generated codes and a timer that reports the median and
range of several runs (never the best one alone)."""

from __future__ import annotations

import random
import statistics
import time
from typing import Callable, List


PREFIXES = ["USRC1", "CBYZ9", "GBAYE", "FRZ03", "DEA12", "QMDA7", "BRBMG", "JPA01", "NLA1B", "SEABC"]


def codes(n: int, seed: int = 16) -> List[str]:
    """`n` uniformly random codes under a few registrants: 90 % compact and valid, 10 % with
    the usual mistakes (lower case, display form, O for 0, unknown prefix, short)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        code = f"{rng.choice(PREFIXES)}{rng.randrange(10, 27):02d}{rng.randrange(100000):05d}"
        roll = rng.random()
        if roll < 0.90:
            out.append(code)
        elif roll < 0.92:
            out.append(code.lower())
        elif roll < 0.94:
            out.append(f"{code[:2]}-{code[2:5]}-{code[5:7]}-{code[7:]}")
        elif roll < 0.96:
            out.append(code[:8] + code[8:].replace("0", "O"))
        elif roll < 0.98:
            out.append("XX" + code[2:])
        else:
            out.append(code[:-1])
    return out


def timed(label: str, runs: int, f: Callable[[], object]) -> List[float]:
    """Runs `f` `runs` times; prints and returns the seconds of each run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times):.3f} s, range {min(times):.3f}-{max(times):.3f} s over {runs} runs")
    return times


def table_row(bench: str, ours: List[float], theirs: List[float], goal: float, unit: str = "s") -> None:
    """The bench's line of `run_all.sh`'s table (a line starting `TABLE|`): both sides' median
    and range, the per-run ratio (baseline time / ours) with its range, and whether the goal
    is met by the median and in every run."""
    ratios = sorted(t / o for t, o in zip(theirs, ours))
    med = statistics.median(ratios)

    def spread(xs: List[float]) -> str:
        return f"{statistics.median(xs):.3f} {unit} ({min(xs):.3f}-{max(xs):.3f})"

    verdict = "met in every run" if ratios[0] >= goal else ("met by the median only" if med >= goal else "not met")
    print(f"TABLE|{bench}|{spread(ours)}|{spread(theirs)}|{med:.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}x)|>= {goal:g}x|{verdict}|{len(ratios)}", flush=True)
