"""PySpark over N rows (default 10 M): the kernel in the executors (mapInArrow) vs the same
job with a Python UDF calling python-stdnum (goal: >= 10x). The job: the validity of every
code, counted. Also times `isrc.spark.check`, the whole report.

python3 python/benches/bench_spark.py [N] [RUNS]
"""

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

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.driver.memory", "3g")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
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


def kernel(batches):
    import pyarrow as pa
    import isrc as _isrc
    import isrc.arrow as _arrow

    policy = _isrc.Policy(today="2026-11-22")
    for batch in batches:
        out = _arrow.check(batch.column(0), policy)
        yield pa.RecordBatch.from_arrays([out.field("valid")], names=["valid"])


@F.udf(BooleanType())
def stdnum_valid(value):
    from stdnum import isrc as stdnum_isrc

    return stdnum_isrc.is_valid(value)


def ours():
    return df.mapInArrow(kernel, "valid BOOLEAN").groupBy("valid").count().collect()


def theirs():
    return df.select(stdnum_valid("isrc").alias("valid")).groupBy("valid").count().collect()


times = {"kernel": [], "udf": [], "report": []}
for _ in range(runs):
    for label, job in [("kernel", ours), ("udf", theirs), ("report", lambda: isrc.spark.check(df, "isrc", today="2026-11-22", file="generated"))]:
        start = time.perf_counter()
        result = job()
        times[label].append(time.perf_counter() - start)
        print(f"{label}: {times[label][-1]:.1f} s", result if label != "report" else (result["valid"], result["invalid"]), flush=True)
for label, t in times.items():
    print(f"{label} x{n}: median {statistics.median(t):.1f} s, range {min(t):.1f}-{max(t):.1f} s over {len(t)} runs")
ratios = sorted(u / k for u, k in zip(times["udf"], times["kernel"]))
print(f"UDF time / kernel time per run: median {statistics.median(ratios):.1f}x, range {ratios[0]:.1f}-{ratios[-1]:.1f}x (goal >= 10x)")
spark.stop()
