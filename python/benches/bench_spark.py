"""PySpark over N rows (default 10 M): the kernel in the executors (mapInArrow) vs the same
job with a Python UDF calling python-stdnum (goal: >= 10x). The job: the validity of every
code, counted. Each run times both jobs, interleaved, and prints the load average.

python3 python/benches/bench_spark.py [N] [RUNS] [--profile] [--report]

Each run times, interleaved: `kernel` (mapInArrow giving each row's validity, counted by
Spark's groupBy, as the UDF job does), `udf` (the python-stdnum UDF), `kernel_counted` (the
same kernel, each task counting its own rows: one row a task for the groupBy) and
`passthrough_counted` (mapInArrow that only counts the rows: the floor, Spark's transfer of
the strings to Python and back, without the kernel) and `count_valid` (`isrc.spark.count_valid`,
the library's way to count: each task counts its rows). Every job collects the same two
counts (valid, invalid) to the driver; none writes anything.

--profile  also times a pass-through mapInArrow returning a constant column per row (the
           transfer and the groupBy over every row, no kernel), and the kernel building the
           whole check struct (`isrc.arrow.check`) instead of the validity alone.
--report   also times `isrc.spark.check`, the whole report (several Spark aggregations).

ISRC_BENCH_BATCH sets spark.sql.execution.arrow.maxRecordsPerBatch (default 100000; Spark's
own default is 10000).

Besides the wall time, each job's CPU time is printed: the JVM's and its Python workers'
(the process tree under the JVM, from /proc), which the other work on a loaded machine
changes less than the wall time.
"""

import glob
import os
import statistics
import sys
import time

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType

import isrc
import isrc.arrow
import isrc.spark

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import table_row  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = {a for a in sys.argv[1:] if a.startswith("--")}
n = int(args[0]) if len(args) > 0 else 10_000_000
runs = int(args[1]) if len(args) > 1 else 3
batch = os.environ.get("ISRC_BENCH_BATCH", "100000")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.driver.memory", "3g")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.sql.execution.arrow.maxRecordsPerBatch", batch)
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
prefixes = F.array(*[F.lit(p) for p in ["USRC1", "CBYZ9", "GBAYE", "FRZ03", "DEA12", "QMDA7", "BRBMG", "JPA01"]])
ids = spark.range(n, numPartitions=8)
code = F.concat(
    F.element_at(prefixes, (F.col("id") % 8 + 1).cast("int")),
    F.lpad(((F.col("id") * 7919) % 17 + 10).cast("string"), 2, "0"),
    F.lpad(((F.col("id") * 104729) % 100000).cast("string"), 5, "0"),
)
# One code in 20 with a letter O for a zero: the usual mistake.
df = ids.select(F.when(F.col("id") % 20 == 0, F.regexp_replace(code, "0", "O")).otherwise(code).alias("isrc")).cache()
df.count()


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and every process under it (with their reaped children's)."""
    kids, cpu = {}, {}
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            data = open(path).read()
        except OSError:
            continue
        pid = int(path.split("/")[2])
        rest = data[data.rindex(")") + 2 :].split()
        kids.setdefault(int(rest[1]), []).append(pid)
        cpu[pid] = sum(int(x) for x in rest[11:15])  # utime, stime, cutime, cstime
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0)
        todo += kids.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


JVM = spark.sparkContext._gateway.proc.pid


def kernel(batches):
    import pyarrow as pa
    import isrc as _isrc
    import isrc.arrow as _arrow

    policy = _isrc.Policy(today="2026-11-22")
    for b in batches:
        yield pa.RecordBatch.from_arrays([_arrow.is_valid(b.column(0), policy)], names=["valid"])


def kernel_struct(batches):
    import pyarrow as pa
    import isrc as _isrc
    import isrc.arrow as _arrow

    policy = _isrc.Policy(today="2026-11-22")
    for b in batches:
        out = _arrow.check(b.column(0), policy)
        yield pa.RecordBatch.from_arrays([out.field("valid")], names=["valid"])


def kernel_counted(batches):
    import pyarrow as pa
    import pyarrow.compute as pc
    import isrc as _isrc
    import isrc.arrow as _arrow

    policy = _isrc.Policy(today="2026-11-22")
    valid = total = 0
    for b in batches:
        valid += pc.sum(_arrow.is_valid(b.column(0), policy)).as_py() or 0
        total += b.num_rows
    yield pa.RecordBatch.from_arrays([pa.array([True, False]), pa.array([valid, total - valid], pa.int64())], names=["valid", "count"])


def passthrough_counted(batches):
    import pyarrow as pa

    total = 0
    for b in batches:
        total += b.num_rows
    yield pa.RecordBatch.from_arrays([pa.array([True]), pa.array([total], pa.int64())], names=["valid", "count"])


def passthrough(batches):
    import pyarrow as pa

    for b in batches:
        yield pa.RecordBatch.from_arrays([pa.array([True] * b.num_rows, pa.bool_())], names=["valid"])


@F.udf(BooleanType())
def stdnum_valid(value):
    from stdnum import isrc as stdnum_isrc

    return stdnum_isrc.is_valid(value)


def arrow_job(f):
    return lambda: df.mapInArrow(f, "valid BOOLEAN").groupBy("valid").count().collect()


def counted_job(f):
    return lambda: df.mapInArrow(f, "valid BOOLEAN, count LONG").groupBy("valid").agg(F.sum("count").alias("count")).collect()


def theirs():
    return df.select(stdnum_valid("isrc").alias("valid")).groupBy("valid").count().collect()


jobs = [
    ("kernel", arrow_job(kernel)),
    ("udf", theirs),
    ("kernel_counted", counted_job(kernel_counted)),
    ("passthrough_counted", counted_job(passthrough_counted)),
    ("count_valid", lambda: isrc.spark.count_valid(df, "isrc", today="2026-11-22")),
]
if "--profile" in flags:
    jobs += [("passthrough", arrow_job(passthrough)), ("kernel_struct", arrow_job(kernel_struct))]
if "--report" in flags:
    jobs.append(("report", lambda: isrc.spark.check(df, "isrc", today="2026-11-22", file="generated")))
# Warm-up, not timed: the first job of a session starts the Python workers and imports
# pyarrow, isrc and stdnum in them (seconds under load), which would count against
# whichever job comes first. Session 10 warmed up on 80,000 and then 1 M rows, and the first
# timed kernel job over all the rows still took 1.3-1.5 s more CPU than the later ones (4.7-5.2
# s against 3.3-3.8 s: the workers' and the JVM's buffers growing to full-sized batches), so
# both jobs now run once over all the rows (ISRC_BENCH_WARMUP rows, default all) before timing.
warm = int(os.environ.get("ISRC_BENCH_WARMUP", str(n)))
small = df.limit(warm).cache() if warm < n else df
small.count()
small.mapInArrow(kernel, "valid BOOLEAN").groupBy("valid").count().collect()
small.select(stdnum_valid("isrc").alias("valid")).groupBy("valid").count().collect()
if small is not df:
    small.unpersist()
print(f"{n} rows, {runs} runs, maxRecordsPerBatch {batch}, warm-up {warm} rows, cores {os.cpu_count()}", flush=True)
times = {label: [] for label, _ in jobs}
cpus = {label: [] for label, _ in jobs}
for run in range(runs):
    for label, job in jobs:
        load = os.getloadavg()[0]
        cpu = tree_cpu(JVM)
        start = time.perf_counter()
        result = job()
        times[label].append(time.perf_counter() - start)
        cpus[label].append(tree_cpu(JVM) - cpu)
        shown = (result["valid"], result["invalid"]) if isinstance(result, dict) else sorted(tuple(r) for r in result)
        print(
            f"run {run + 1} {label}: {times[label][-1]:.1f} s, CPU {cpus[label][-1]:.1f} s "
            f"(load {load:.1f} before, {os.getloadavg()[0]:.1f} after)",
            shown,
            flush=True,
        )
for label, t in times.items():
    c = cpus[label]
    print(
        f"{label} x{n}: median {statistics.median(t):.1f} s, range {min(t):.1f}-{max(t):.1f} s; "
        f"CPU median {statistics.median(c):.1f} s, range {min(c):.1f}-{max(c):.1f} s over {len(t)} runs"
    )
for label in ("kernel", "kernel_counted", "passthrough_counted", "count_valid"):
    ratios = sorted(u / k for u, k in zip(times["udf"], times[label]))
    cpu_ratios = sorted(u / k for u, k in zip(cpus["udf"], cpus[label]))
    print(
        f"UDF / {label} per run: wall median {statistics.median(ratios):.1f}x, range {ratios[0]:.1f}-{ratios[-1]:.1f}x; "
        f"CPU median {statistics.median(cpu_ratios):.1f}x, range {cpu_ratios[0]:.1f}-{cpu_ratios[-1]:.1f}x (goal >= 10x)"
    )
table_row(f"PySpark mapInArrow per-row job vs python-stdnum UDF, {n} rows, wall", times["kernel"], times["udf"], 10)
table_row(f"PySpark mapInArrow per-row job vs python-stdnum UDF, {n} rows, CPU", cpus["kernel"], cpus["udf"], 10)
table_row(f"PySpark isrc.spark.count_valid (counted in the tasks) vs python-stdnum UDF, {n} rows, wall", times["count_valid"], times["udf"], 10)
table_row(f"PySpark pass-through floor (no kernel) vs python-stdnum UDF, {n} rows, CPU", cpus["passthrough_counted"], cpus["udf"], 10)
spark.stop()
