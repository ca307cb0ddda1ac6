"""PySpark: ``isrc check`` at cluster scale, with the cluster doing the scaling.

>>> import isrc.spark
>>> df = spark.read.csv("catalogue.csv", header=True)            # doctest: +SKIP
>>> report = isrc.spark.check(df, "isrc", title="title", artist="artist")  # doctest: +SKIP
>>> report["invalid"], report["duplicate_isrcs"], report["prefixes"][0]["prefix"]  # doctest: +SKIP

The executors run the Rust kernel on Arrow batches (``mapInArrow``: no Python per row, no
pickling); the cross-record analysis (duplicates, conflicts, one recording under several
codes, systemic errors by prefix) is a handful of Spark aggregations; the driver only
collects the counts and the capped lists. The result is the report ``isrc check --format
json`` prints (docs/check-report.schema.json), as a ``dict``.

The executors need the ``isrc`` package installed (``pip install isrc`` on the cluster, or
the wheel in ``--py-files``/a Databricks library). Records are numbered in the DataFrame's
order (partition by partition), and a record's line is its number plus ``header_lines``: the
lines of a file with one record a line and a header, as Spark reads CSV.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.compute as pc

import isrc
from isrc import arrow as _arrow

__all__ = ["check", "check_batches", "ROW_SCHEMA"]

#: The rules in the order of the report's ids (docs/rules.md); legacy_year and
#: designation_zero are information only, every other rule is an error or a warning.
RULES = [
    "empty", "length", "invalid_character", "country_not_letters", "letter_in_digits",
    "unknown_prefix", "example_code", "year_future", "other_identifier", "trailing_text",
    "not_canonical", "retired_prefix", "prefix_before_introduction", "legacy_year", "designation_zero",
]
INFO_RULES = {"legacy_year", "designation_zero"}
SCHEMA_VERSION = 3
#: Same-recording tolerance of isrc::recording (DURATION_TOLERANCE_MS), in seconds.
DURATION_TOLERANCE = 10.0

#: What the executors give back for each record (a Spark DDL schema).
ROW_SCHEMA = (
    "part INT, idx LONG, value STRING, key LONG, valid BOOLEAN, rules ARRAY<STRING>, "
    "problem BOOLEAN, prefix STRING, title_artist LONG, version LONG, recording LONG, duration FLOAT"
)


def check_batches(
    batches: Iterator[pa.RecordBatch],
    part: int,
    today: Optional[str],
    prefixes: Optional[str],
    meta: Dict[str, Optional[int]],
    duration_ms: bool,
) -> Iterator[pa.RecordBatch]:
    """The executor side: each Arrow batch of (isrc, [title, artist, version, duration])
    through the kernel, to batches of ``ROW_SCHEMA``. ``meta`` gives the batch column of each
    of title, artist, version and duration (None when not given)."""
    policy = isrc.Policy(today=today, prefixes=prefixes)
    idx = 0
    for batch in batches:
        n = batch.num_rows
        values = pc.fill_null(batch.column(0).cast(pa.string()), "")
        out = _arrow.check(values, policy)
        severity = out.field("severity")
        problem = pc.fill_null(pc.is_in(severity, pa.array(["error", "warning"])), False)
        columns = {k: (None if i is None else batch.column(i).cast(pa.string())) for k, i in meta.items()}
        given = [columns["title"], columns["artist"], columns["version"]]
        if any(c is not None for c in given):
            prints = _arrow.fingerprints(*given)
            title_artist = prints.field("title_artist").cast(pa.int64())
            version = prints.field("version").cast(pa.int64())
            # The recording fingerprint is a u64: its bits, as Spark's signed LONG.
            recording = prints.field("recording").view(pa.int64())
        else:
            title_artist = version = recording = pa.nulls(n, pa.int64())
        if columns["duration"] is not None:
            duration = _arrow.durations(columns["duration"], milliseconds=duration_ms).cast(pa.float32())
        else:
            duration = pa.nulls(n, pa.float32())
        yield pa.RecordBatch.from_arrays(
            [
                pa.array([part] * n, pa.int32()),
                pa.array(range(idx, idx + n), pa.int64()),
                values,
                out.field("key").cast(pa.int64()),
                out.field("valid"),
                out.field("rules").cast(pa.list_(pa.string())),
                problem,
                pc.fill_null(out.field("prefix"), ""),
                title_artist,
                version,
                recording,
                duration,
            ],
            names=["part", "idx", "value", "key", "valid", "rules", "problem", "prefix",
                   "title_artist", "version", "recording", "duration"],
        )
        idx += n


def _input_bytes(df: Any) -> int:
    """The size of the files the DataFrame was read from (what `isrc check` reports as bytes)."""
    total = 0
    spark = df.sparkSession
    for uri in df.inputFiles():
        parsed = urlparse(uri)
        if parsed.scheme in ("", "file"):
            total += os.path.getsize(parsed.path)
        else:  # HDFS, S3, DBFS...: ask Hadoop.
            jvm = spark._jvm
            path = jvm.org.apache.hadoop.fs.Path(uri)
            fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
            total += fs.getFileStatus(path).getLen()
    return total


def _format_of(df: Any) -> str:
    files = df.inputFiles()
    ext = os.path.splitext(urlparse(files[0]).path)[1].lower().lstrip(".") if len(files) == 1 else ""
    return {"csv": "csv", "tsv": "tsv", "txt": "csv", "jsonl": "jsonl", "json": "jsonl", "parquet": "parquet"}.get(ext, "dataframe")


def _inputs_entry(file: str, fmt: str, column: str, roles: Dict[str, Optional[str]]) -> Dict[str, Any]:
    used = [f"{what} ({c})" for what, c in roles.items() if c is not None]
    conflicts = (
        "checked on " + ", ".join(used)
        if used
        else "not checked: no title, artist, version or duration column was found by its header; "
        "name them with --title-column, --artist-column, --version-column or --duration-column"
    )
    return {
        "file": file,
        "format": fmt,
        "isrc": column,
        "title": roles["title"],
        "artist": roles["artist"],
        "version": roles["version"],
        "duration": roles["duration"],
        "conflicts_checked": bool(used),
        "conflicts": conflicts,
    }


def _problem_rules(value: str, policy: "isrc.Policy") -> List[str]:
    """The ids of a value's errors and warnings, in the order of its findings."""
    out: List[str] = []
    for f in isrc.check(value, policy=policy).findings:
        if f.severity in ("error", "warning") and f.rule not in out:
            out.append(f.rule)
    return out


def check(
    df: Any,
    column: str,
    *,
    title: Optional[str] = None,
    artist: Optional[str] = None,
    version: Optional[str] = None,
    duration: Optional[str] = None,
    duration_ms: bool = False,
    today: Optional[str] = None,
    prefixes: Optional[str] = None,
    file: Optional[str] = None,
    header_lines: int = 1,
    max_listed: int = 1000,
) -> Dict[str, Any]:
    """Checks the ISRCs in ``df[column]`` and returns the report of ``isrc check --format
    json``: counts, ``by_rule``, systemic errors by prefix, duplicates, conflicts (the same
    code on records that disagree on title, artist, version, or duration by more than 10 s),
    possible duplicate recordings and invalid codes, each list capped at ``max_listed``.

    ``title``, ``artist``, ``version`` and ``duration`` name the columns compared for
    conflicts (``duration_ms``: plain numbers there are milliseconds). ``today`` and
    ``prefixes`` are ``--today`` and ``--prefixes`` (a path the executors can read). ``file``
    is the name the report gives the input (default: the DataFrame's file name)."""
    from pyspark import StorageLevel, TaskContext
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    policy = isrc.Policy(today=today, prefixes=prefixes)
    roles = {"title": title, "artist": artist, "version": version, "duration": duration}
    chosen = [column] + [c for c in roles.values() if c is not None]
    meta: Dict[str, Optional[int]] = {}
    position = 1
    for role, name in roles.items():
        meta[role] = position if name is not None else None
        position += name is not None
    if file is None:
        files = df.inputFiles()
        file = os.path.basename(urlparse(files[0]).path) if len(files) == 1 else "dataframe"
    reference, table_path = policy.today, prefixes

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        part = TaskContext.get().partitionId()
        return check_batches(batches, part, reference, table_path, meta, duration_ms)

    rows = (
        df.select(*[F.col(c).cast("string") for c in chosen])
        .mapInArrow(run, ROW_SCHEMA)
        .withColumn("pos", F.col("part").cast("long") * (1 << 40) + F.col("idx"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        return _report(F, Window, rows, policy, file, _format_of(df), _input_bytes(df), column, roles, header_lines, max_listed)
    finally:
        rows.unpersist()


def _report(F: Any, Window: Any, rows: Any, policy: "isrc.Policy", file: str, fmt: str, size: int,
            column: str, roles: Dict[str, Optional[str]], header_lines: int, cap: int) -> Dict[str, Any]:
    # 1. Counts by partition (for record numbers) and by rule, in one pass.
    per_part = rows.groupBy("part").agg(
        F.count(F.lit(1)).alias("records"),
        F.sum(F.col("valid").cast("long")).alias("valid"),
        *[F.sum(F.array_contains("rules", r).cast("long")).alias(r) for r in RULES],
    ).collect()
    per_part.sort(key=lambda r: r["part"])
    offsets: Dict[int, int] = {}
    records = 0
    for r in per_part:
        offsets[r["part"]] = records
        records += r["records"]
    valid = sum(r["valid"] or 0 for r in per_part)
    by_rule = {r: n for r in RULES if (n := sum(p[r] or 0 for p in per_part)) > 0}

    def number(pos: int) -> int:
        return offsets[pos >> 40] + (pos & ((1 << 40) - 1)) + 1

    def line(pos: int) -> int:
        return number(pos) + header_lines

    # 2. Systemic errors by prefix, with the first three problem records of each.
    problem_rules = [r for r in RULES if r not in INFO_RULES]
    groups = rows.groupBy("prefix").agg(
        F.count(F.lit(1)).alias("records"),
        F.sum(F.col("problem").cast("long")).alias("problems"),
        F.sum((~F.col("valid")).cast("long")).alias("invalid"),
        *[F.sum((F.col("problem") & F.array_contains("rules", r)).cast("long")).alias(r) for r in problem_rules],
    ).filter(F.col("problems") > 0).collect()
    first_problems = (
        rows.filter("problem")
        .withColumn("n", F.row_number().over(Window.partitionBy("prefix").orderBy("pos")))
        .filter(F.col("n") <= 3)
        .select("prefix", "pos", "value")
        .collect()
    )
    examples: Dict[str, List[Any]] = {}
    for r in sorted(first_problems, key=lambda r: r["pos"]):
        examples.setdefault(r["prefix"], []).append(
            {"input": r["value"][:64], "file": file, "line": line(r["pos"]), "rules": _problem_rules(r["value"], policy)}
        )
    prefixes = [
        {
            "prefix": g["prefix"],
            "records": g["records"],
            "problems": g["problems"],
            "invalid": g["invalid"],
            "share": g["invalid"] / max(g["records"], 1),
            "rules": {r: g[r] for r in sorted(problem_rules) if g[r]},
            "examples": examples.get(g["prefix"], []),
        }
        for g in groups
    ]
    prefixes.sort(key=lambda p: (-p["problems"], p["prefix"]))
    warnings = sum(p["problems"] - p["invalid"] for p in prefixes)

    # 3. Duplicates and conflicts: by key, over the records whose code can be formed.
    spread = (F.max("duration") - F.min("duration")) * F.lit(1000.0) > F.lit(DURATION_TOLERANCE * 1000.0)
    dups = (
        rows.filter(F.col("key").isNotNull())
        .groupBy("key")
        .agg(
            F.count(F.lit(1)).alias("records"),
            F.min("pos").alias("first"),
            (
                (F.countDistinct("title_artist") > 1)
                | (F.countDistinct("version") > 1)
                | F.coalesce(spread, F.lit(False))
            ).alias("conflict"),
        )
        .filter(F.col("records") > 1)
        .persist()
    )
    totals = dups.agg(F.count(F.lit(1)).alias("d"), F.sum(F.col("conflict").cast("long")).alias("c")).first()
    order = [F.col("records").desc(), F.col("first").asc(), F.col("key").asc()]

    def listed(frame: Any) -> List[Dict[str, Any]]:
        return [
            {
                "isrc": str(isrc.Isrc.from_key(r["key"])),
                "records": r["records"],
                "first_record": number(r["first"]),
                "first_file": file,
                "first_line": line(r["first"]),
                "conflict": r["conflict"],
            }
            for r in frame.orderBy(*order).limit(cap).collect()
        ]

    duplicates = {"total": totals["d"], "listed": listed(dups)}
    conflicts = {"total": totals["c"] or 0, "listed": listed(dups.filter("conflict"))}
    dups.unpersist()

    # 4. One recording under several codes: each other code at its first record whose
    #    duration is within the tolerance of the recording's first record.
    first = Window.partitionBy("recording").orderBy("pos")
    ms = lambda c: F.round(c.cast("double") * 1000.0)  # noqa: E731 - as isrc check rounds
    others = (
        rows.filter(F.col("recording").isNotNull() & F.col("key").isNotNull())
        .withColumn("first_key", F.first("key").over(first))
        .withColumn("first_pos", F.first("pos").over(first))
        .withColumn("first_duration", F.first("duration").over(first))
        .filter(F.col("key") != F.col("first_key"))
        .filter(
            F.col("first_duration").isNull()
            | F.col("duration").isNull()
            | (F.abs(ms(F.col("first_duration")) - ms(F.col("duration"))) <= DURATION_TOLERANCE * 1000.0)
        )
        .groupBy("recording", "key")
        .agg(F.min("pos").alias("pos"), F.first("first_key").alias("first_key"), F.first("first_pos").alias("first_pos"))
    )
    recordings_total = others.count()
    possible = [
        {
            "isrc": str(isrc.Isrc.from_key(r["first_key"])),
            "file": file,
            "line": line(r["first_pos"]),
            "other_isrc": str(isrc.Isrc.from_key(r["key"])),
            "other_file": file,
            "other_line": line(r["pos"]),
        }
        for r in others.orderBy("pos").limit(cap).collect()
    ]

    # 5. Invalid codes, in input order; their rules, fix and alternatives from `check`.
    invalid_listed = []
    for r in rows.filter(~F.col("valid")).orderBy("pos").limit(cap).select("pos", "value").collect():
        report = isrc.check(r["value"], policy=policy)
        invalid_listed.append(
            {
                "file": file,
                "line": line(r["pos"]),
                "value": r["value"][:64],
                "rules": _problem_rules(r["value"], policy),
                "fix": str(report.fix) if report.fix else None,
                "alternatives": [str(a) for a in report.alternatives],
            }
        )

    return {
        "schema_version": SCHEMA_VERSION,
        "reference_date": policy.today,
        "prefix_table": policy.prefix_table,
        "records": records,
        "extra_codes": 0,
        "valid": valid,
        "invalid": records - valid,
        "warnings": warnings,
        "bytes": size,
        "by_rule": dict(sorted(by_rule.items())),
        "duplicate_isrcs": duplicates["total"],
        "conflicting_isrcs": conflicts["total"],
        "prefixes": prefixes,
        "inputs": [_inputs_entry(file, fmt, column, roles)],
        "duplicates": duplicates,
        "conflicts": conflicts,
        "possible_duplicate_recordings": {"total": recordings_total, "listed": possible},
        "invalid_codes": {"total": records - valid, "listed": invalid_listed},
        "input_problems": {"total": 0, "listed": []},
    }
