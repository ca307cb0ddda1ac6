"""PySpark: ``isrc check`` at cluster scale, with the cluster doing the scaling.

>>> import isrc.spark
>>> df = spark.read.csv("catalogue.csv", header=True)            # doctest: +SKIP
>>> report = isrc.spark.check(df, "isrc", title="title", artist="artist")  # doctest: +SKIP
>>> report["invalid"], report["duplicate_isrcs"], report["prefixes"][0]["prefix"]  # doctest: +SKIP

The executors run the Rust kernel on Arrow batches (``mapInArrow``: no Python per row, no
pickling); the cross-record analysis (duplicates, conflicts, one recording under several
codes, systemic errors by prefix) is a handful of Spark aggregations; the driver only
collects the counts and the capped lists. The result is the report ``isrc check --format
json`` prints (docs/check-report.schema.json, schema version 4: each duplicate's lines, each
conflict's differing values), as a ``dict``.

The executors need the ``isrc`` package installed (``pip install isrc`` on the cluster, or
the wheel in ``--py-files``/a Databricks library). Rows are numbered in the DataFrame's order
(partition by partition), and a record's line is its row's number plus ``header_lines``: the
lines of a file with one row a line and a header, as Spark reads CSV. A cell of several codes
gives several records on its row. To see ``input_problems``, read with a corrupt-record
column in the schema (``..., _corrupt_record STRING``): Spark keeps only there the rows it
could not parse.
"""

from __future__ import annotations

import csv
import os
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlparse

import isrc
from isrc._optional import missing

try:
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError as e:
    raise missing("pyarrow", "isrc.spark", "spark") from e

from isrc import arrow as _arrow

__all__ = ["check", "check_batches", "count_valid", "split_cell", "quoting_problem", "ROW_SCHEMA"]

#: The rules in the order of the report's ids (docs/rules.md); legacy_year and
#: designation_zero are information only, every other rule is an error or a warning.
RULES = [
    "empty", "length", "invalid_character", "country_not_letters", "letter_in_digits",
    "unknown_prefix", "example_code", "year_future", "other_identifier", "trailing_text",
    "not_canonical", "retired_prefix", "prefix_before_introduction", "legacy_year", "designation_zero",
]
INFO_RULES = {"legacy_year", "designation_zero"}
SCHEMA_VERSION = 4
#: Same-recording tolerance of isrc::recording (DURATION_TOLERANCE_MS), in seconds.
DURATION_TOLERANCE = 10.0

#: What the executors give back for each record (a Spark DDL schema). ``rank`` numbers the
#: partition's records (a cell of several codes gives several), ``row`` its rows; ``extra``
#: marks the second and later codes of a cell, which keep no title, artist or duration (as in
#: ``isrc check``); ``malformed`` is the raw text of a row Spark's reader could not parse
#: (the corrupt-record column), for ``input_problems``; ``replaced`` marks a row with U+FFFD in
#: a cell, where Spark's reader put it for bytes that are not UTF-8.
ROW_SCHEMA = (
    "part INT, rank LONG, row LONG, extra BOOLEAN, value STRING, key LONG, valid BOOLEAN, "
    "rules ARRAY<STRING>, problem BOOLEAN, prefix STRING, title_artist LONG, version LONG, "
    "recording LONG, duration FLOAT, malformed STRING, replaced BOOLEAN"
)
_ROW_NAMES = [
    "part", "rank", "row", "extra", "value", "key", "valid", "rules", "problem", "prefix",
    "title_artist", "version", "recording", "duration", "malformed", "replaced",
]

#: ``isrc check``'s messages for the CSV problems a corrupt-record row can show.
UNCLOSED_QUOTE = (
    "broken quoting: the quoted field opened here is never closed (no closing quote within 100 "
    "lines, or before the end of the file); the row was read up to the end of this line with its "
    "quotes as plain text, and the next line as the next row"
)
STRAY_QUOTE = "broken quoting: a quote inside an unquoted field (quote the field and double the quote)"
INVALID_UTF8 = (
    "invalid UTF-8{at} in the input (the file is not UTF-8 text, or is damaged here); the value "
    "is checked with U+FFFD in place of the bad bytes"
)


def quoting_problem(line: str) -> Optional[Tuple[str, int]]:
    """The first quoting problem of one CSV line, as ``isrc check`` names it: ``("unclosed",
    column)`` for a quoted field that the line does not close, ``("stray", column)`` for a
    quote inside an unquoted field, ``None`` for neither; the column counts bytes from 1.

    >>> quoting_problem('"USRC17607840,b')
    ('unclosed', 1)
    >>> quoting_problem('USRC17607840,b"c')
    ('stray', 15)
    >>> quoting_problem('"a ""b"" c",d') is None
    True
    """
    i, n = 0, len(line)
    while i <= n:
        if i < n and line[i] == '"':
            opened = i
            i += 1
            while True:
                j = line.find('"', i)
                if j < 0:
                    return "unclosed", len(line[:opened].encode("utf-8")) + 1
                if j + 1 < n and line[j + 1] == '"':
                    i = j + 2
                    continue
                i = j + 1
                break
            k = line.find(",", i)
            i = n + 1 if k < 0 else k + 1
        else:
            k = line.find(",", i)
            field = line[i:] if k < 0 else line[i:k]
            q = field.find('"')
            if q >= 0:
                return "stray", len(line[: i + q].encode("utf-8")) + 1
            i = n + 1 if k < 0 else k + 1
    return None


def _reread_unclosed(batch: pa.RecordBatch, malformed_at: int, positions: List[int]) -> pa.RecordBatch:
    """The batch with each row whose corrupt record has an unclosed quote read again as
    ``isrc check`` reads it: the line cut at its commas, quotes as plain text (Spark's reader
    took the rest of the line for the quoted field). ``positions`` gives the field of the
    line each of the batch's first columns is."""
    raw = batch.column(malformed_at)
    if raw.null_count == len(raw):
        return batch
    texts = raw.to_pylist()
    columns = [batch.column(i).cast(pa.string()).to_pylist() for i in range(len(positions))]
    changed = False
    for r, text in enumerate(texts):
        found = quoting_problem(text) if text is not None else None
        if found is not None and found[0] == "unclosed":
            cells = text.split(",")
            for i, p in enumerate(positions):
                columns[i][r] = (cells[p] or None) if p < len(cells) else None
            changed = True
    if not changed:
        return batch
    arrays = [pa.array(c, pa.string()) for c in columns]
    arrays += [batch.column(j) for j in range(len(positions), batch.num_columns)]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)

#: The separators of several codes in one cell, as ``isrc check`` splits them.
_CELL_SEPARATORS = re.compile(rb"[;/,\n|]")
_ASCII_SPACE = b" \t\n\r\x0c"


def split_cell(value: str) -> Optional[List[str]]:
    """The codes of a cell holding several (``USRC17607839; USRC17607840``, or ``/``, ``,``,
    ``|`` or line breaks between them), as ``isrc check`` splits them: when there are two or
    more and each is 12 to 20 bytes long once trimmed (so that ``US/RC1/76/07839`` or a title
    is not taken apart); ``None`` otherwise.

    >>> split_cell("USRC17607839; GBAYE0000351")
    ['USRC17607839', 'GBAYE0000351']
    >>> split_cell("US/RC1/76/07839") is None
    True
    """
    raw = value.encode("utf-8")
    if len(raw) < 25 or not _CELL_SEPARATORS.search(raw):
        return None
    parts = []
    for piece in _CELL_SEPARATORS.split(raw):
        trimmed = piece.strip(_ASCII_SPACE)
        if trimmed:
            if not 12 <= len(trimmed) <= 20:
                return None
            parts.append(trimmed.decode("utf-8", "replace"))
    return parts if len(parts) >= 2 else None


def _split_cells(values: pa.Array) -> Tuple[pa.Array, Optional[pa.Array], Optional[pa.Array]]:
    """The values with each cell of several codes split: the records, and for each its row
    in ``values`` and whether it is a later code of its cell (``None, None`` when no cell
    holds several, the usual case)."""
    candidates = pc.and_(
        pc.greater_equal(pc.binary_length(values), 25),
        pc.match_substring_regex(values, "[;/,\n|]"),
    )
    if not pc.any(candidates).as_py():
        return values, None, None
    flags = candidates.to_pylist()
    texts = values.to_pylist()
    out: List[str] = []
    rows: List[int] = []
    extra: List[bool] = []
    for i, (text, flag) in enumerate(zip(texts, flags)):
        parts = split_cell(text) if flag else None
        for k, part in enumerate(parts or [text]):
            out.append(part)
            rows.append(i)
            extra.append(k > 0)
    return pa.array(out, pa.string()), pa.array(rows, pa.int64()), pa.array(extra, pa.bool_())


def check_batches(
    batches: Iterator[pa.RecordBatch],
    part: int,
    today: Optional[str],
    prefixes: Optional[str],
    meta: Dict[str, Optional[int]],
    duration_ms: bool,
    positions: Optional[List[int]] = None,
) -> Iterator[pa.RecordBatch]:
    """The executor side: each Arrow batch of (isrc, [title, artist, version, duration,
    corrupt record, replaced]) through the kernel, to batches of ``ROW_SCHEMA``. ``meta``
    gives the batch column of each of title, artist, version, duration, malformed and
    replaced (None when not given); ``positions``, the field of the file's line that each
    column before the corrupt record is (to read a row with an unclosed quote again)."""
    policy = isrc.Policy(today=today, prefixes=prefixes)
    rank = row = 0
    for batch in batches:
        if meta.get("malformed") is not None and positions:
            batch = _reread_unclosed(batch, meta["malformed"], positions)
        rows_in = batch.num_rows
        values, source, extra = _split_cells(pc.fill_null(batch.column(0).cast(pa.string()), ""))
        n = len(values)

        def spread(column: Optional[pa.Array]) -> Optional[pa.Array]:
            # A batch column, one value a record: the row's for its first code, null for the
            # later codes of a cell.
            if column is None or source is None:
                return column
            taken = pc.take(column, source)
            return pc.if_else(extra, pa.nulls(n, taken.type), taken)

        out = _arrow.check(values, policy)
        severity = out.field("severity")
        problem = pc.fill_null(pc.is_in(severity, pa.array(["error", "warning"])), False)
        columns = {k: (None if i is None else batch.column(i).cast(pa.string())) for k, i in meta.items() if k != "replaced"}
        given = [columns["title"], columns["artist"], columns["version"]]
        if any(c is not None for c in given):
            prints = _arrow.fingerprints(*given)
            title_artist = spread(prints.field("title_artist").cast(pa.int64()))
            version = spread(prints.field("version").cast(pa.int64()))
            # The recording fingerprint is a u64: its bits, as Spark's signed LONG.
            recording = spread(prints.field("recording").view(pa.int64()))
        else:
            title_artist = version = recording = pa.nulls(n, pa.int64())
        if columns["duration"] is not None:
            duration = spread(_arrow.durations(columns["duration"], milliseconds=duration_ms).cast(pa.float32()))
        else:
            duration = pa.nulls(n, pa.float32())
        malformed = spread(columns["malformed"]) if columns["malformed"] is not None else pa.nulls(n, pa.string())
        at = meta.get("replaced")
        replaced = spread(batch.column(at)) if at is not None else pa.nulls(n, pa.bool_())
        if source is None:
            row_numbers = pa.array(range(row, row + n), pa.int64())
            extra = pa.array([False] * n, pa.bool_())
        else:
            row_numbers = pc.add(source, row)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array([part] * n, pa.int32()),
                pa.array(range(rank, rank + n), pa.int64()),
                row_numbers,
                extra,
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
                malformed,
                replaced,
            ],
            names=_ROW_NAMES,
        )
        rank += n
        row += rows_in


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


def count_valid(df: Any, column: str, *, today: Optional[str] = None, prefixes: Optional[str] = None) -> Dict[str, int]:
    """How many rows of ``df[column]`` hold a valid ISRC and how many do not (a null or empty
    cell is invalid, as in the report): ``{"valid": ..., "invalid": ...}``, the counts of
    ``check`` without the rest, and with one value a row (a cell of several codes is not
    split: it counts as invalid). Each task counts its own rows with the kernel
    (``mapInArrow``) and gives Spark one row, so no column a row comes back from the Python
    workers.

    >>> isrc.spark.count_valid(spark.read.parquet("catalogue.parquet"), "isrc")  # doctest: +SKIP
    {'valid': 9500000, 'invalid': 500000}
    """
    from pyspark.sql import functions as F

    reference = isrc.Policy(today=today, prefixes=prefixes).today

    def count(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        policy = isrc.Policy(today=reference, prefixes=prefixes)
        valid = invalid = 0
        for batch in batches:
            flags = _arrow.is_valid(pc.fill_null(batch.column(0).cast(pa.string()), ""), policy)
            yes = pc.sum(flags).as_py() or 0
            valid += yes
            invalid += len(flags) - yes
        yield pa.RecordBatch.from_arrays([pa.array([valid], pa.int64()), pa.array([invalid], pa.int64())], names=["valid", "invalid"])

    row = df.select(F.col(column).cast("string")).mapInArrow(count, "valid LONG, invalid LONG").agg(
        F.sum("valid").alias("valid"), F.sum("invalid").alias("invalid")
    ).first()
    return {"valid": int(row["valid"] or 0), "invalid": int(row["invalid"] or 0)}


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
    corrupt_record: Optional[str] = None,
) -> Dict[str, Any]:
    """Checks the ISRCs in ``df[column]`` and returns the report of ``isrc check --format
    json`` (schema version 4): counts, ``by_rule``, systemic errors by prefix, duplicates with
    the lines of their records, conflicts (the same code on records that disagree on title,
    artist, version, or duration by more than 10 s) with the lines of each differing value,
    possible duplicate recordings, invalid codes and input problems, each list capped at
    ``max_listed``. A cell holding several codes (``USRC17607839; USRC17607840``) gives one
    record per code, as ``isrc check`` splits it (``extra_codes`` counts the later ones).

    ``title``, ``artist``, ``version`` and ``duration`` name the columns compared for
    conflicts (``duration_ms``: plain numbers there are milliseconds). ``today`` and
    ``prefixes`` are ``--today`` and ``--prefixes`` (a path the executors can read). ``file``
    is the name the report gives the input (default: the DataFrame's file name).
    ``corrupt_record`` is the column where Spark's reader keeps the rows it could not parse
    (default: ``spark.sql.columnNameOfCorruptRecord``, ``_corrupt_record``, when the DataFrame
    has it): each such row is an input problem, as a ragged row is for ``isrc check``."""
    from pyspark import StorageLevel, TaskContext
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    policy = isrc.Policy(today=today, prefixes=prefixes)
    if corrupt_record is None:
        name = df.sparkSession.conf.get("spark.sql.columnNameOfCorruptRecord", "_corrupt_record")
        corrupt_record = name if name in df.columns else None
    header = [c for c in df.columns if c != corrupt_record]
    fields = len(header)
    roles = {"title": title, "artist": artist, "version": version, "duration": duration}
    chosen = [column] + [c for c in roles.values() if c is not None]
    missing_columns = [c for c in chosen if c not in header]
    if missing_columns:
        raise ValueError(f"no column {missing_columns[0]!r} in the DataFrame (its columns: {', '.join(header)})")
    positions = [header.index(c) for c in chosen]
    meta: Dict[str, Optional[int]] = {}
    position = 1
    for role, name in [*roles.items(), ("malformed", corrupt_record)]:
        meta[role] = position if name is not None else None
        position += name is not None
    selected = [F.col(c).cast("string") for c in chosen]
    if corrupt_record is not None:
        selected.append(F.col(corrupt_record).cast("string"))
    # Spark's reader puts U+FFFD for bytes that are not UTF-8, and says nothing: a row with one
    # in any of its cells is looked at again in the file (``_Report.invalid_utf8``).
    strings = [F.col(c).cast("string") for c in header]
    selected.append(F.concat_ws("", *strings).contains("\ufffd").alias("_isrc_replaced") if strings else F.lit(False))
    meta["replaced"] = len(selected) - 1
    files = df.inputFiles()
    if file is None:
        file = os.path.basename(urlparse(files[0]).path) if len(files) == 1 else "dataframe"
    source = files[0] if len(files) == 1 else None
    reference, table_path = policy.today, prefixes

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        part = TaskContext.get().partitionId()
        return check_batches(batches, part, reference, table_path, meta, duration_ms, positions)

    rows = (
        df.select(*selected)
        .mapInArrow(run, ROW_SCHEMA)
        .withColumn("pos", F.col("part").cast("long") * (1 << 40) + F.col("rank"))
        .withColumn("at", F.col("part").cast("long") * (1 << 40) + F.col("row"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        return _Report(F, Window, rows, policy, file, header_lines, max_listed, source).build(
            _format_of(df), _input_bytes(df), column, roles, fields
        )
    finally:
        rows.unpersist()


_LOW = (1 << 40) - 1


class _Report:
    """The driver side: Spark aggregations over the checked records (``rows``: ``ROW_SCHEMA``
    plus ``pos``, the record's place in input order, and ``at``, its row's), and the report
    built from what they collect."""

    def __init__(
        self, F: Any, Window: Any, rows: Any, policy: "isrc.Policy", file: str, header_lines: int, cap: int,
        source: Optional[str] = None,
    ) -> None:
        self.F, self.Window, self.rows, self.policy = F, Window, rows, policy
        self.file, self.header_lines, self.cap, self.source = file, header_lines, cap, source
        self.record_offsets: Dict[int, int] = {}
        self.row_offsets: Dict[int, int] = {}

    def number(self, pos: int) -> int:
        """The record number (from 1) of a record's ``pos``."""
        return self.record_offsets[pos >> 40] + (pos & _LOW) + 1

    def line(self, at: int) -> int:
        """The line of a row's ``at``."""
        return self.row_offsets[at >> 40] + (at & _LOW) + 1 + self.header_lines

    def place(self, at: int) -> Dict[str, Any]:
        return {"file": self.file, "line": self.line(at)}

    def build(self, fmt: str, size: int, column: str, roles: Dict[str, Optional[str]], fields: int) -> Dict[str, Any]:
        F, rows = self.F, self.rows
        # 1. Counts by partition (for record and line numbers) and by rule, in one pass.
        per_part = rows.groupBy("part").agg(
            F.count(F.lit(1)).alias("records"),
            F.sum(F.col("extra").cast("long")).alias("extra"),
            F.sum(F.col("valid").cast("long")).alias("valid"),
            *[F.sum(F.array_contains("rules", r).cast("long")).alias(r) for r in RULES],
        ).collect()
        per_part.sort(key=lambda r: r["part"])
        records = lines = 0
        for r in per_part:
            self.record_offsets[r["part"]] = records
            self.row_offsets[r["part"]] = lines
            records += r["records"]
            lines += r["records"] - (r["extra"] or 0)
        extra_codes = records - lines
        valid = sum(r["valid"] or 0 for r in per_part)
        by_rule = {r: n for r in RULES if (n := sum(p[r] or 0 for p in per_part)) > 0}
        prefixes = self.prefixes()
        duplicates, conflicts = self.duplicates()
        return {
            "schema_version": SCHEMA_VERSION,
            "reference_date": self.policy.today,
            "prefix_table": self.policy.prefix_table,
            "records": records,
            "extra_codes": extra_codes,
            "valid": valid,
            "invalid": records - valid,
            "warnings": sum(p["problems"] - p["invalid"] for p in prefixes),
            "bytes": size,
            "by_rule": dict(sorted(by_rule.items())),
            "duplicate_isrcs": duplicates["total"],
            "conflicting_isrcs": conflicts["total"],
            "prefixes": prefixes,
            "inputs": [_inputs_entry(self.file, fmt, column, roles)],
            "duplicates": duplicates,
            "conflicts": conflicts,
            "possible_duplicate_recordings": self.recordings(),
            "invalid_codes": self.invalid_codes(records - valid),
            "input_problems": self.input_problems(fields),
        }

    def prefixes(self) -> List[Dict[str, Any]]:
        """Systemic errors by prefix, with the first three problem records of each."""
        F, rows = self.F, self.rows
        problem_rules = [r for r in RULES if r not in INFO_RULES]
        groups = rows.groupBy("prefix").agg(
            F.count(F.lit(1)).alias("records"),
            F.sum(F.col("problem").cast("long")).alias("problems"),
            F.sum((~F.col("valid")).cast("long")).alias("invalid"),
            *[F.sum((F.col("problem") & F.array_contains("rules", r)).cast("long")).alias(r) for r in problem_rules],
        ).filter(F.col("problems") > 0).collect()
        first_problems = (
            rows.filter("problem")
            .withColumn("n", F.row_number().over(self.Window.partitionBy("prefix").orderBy("pos")))
            .filter(F.col("n") <= 3)
            .select("prefix", "pos", "at", "value")
            .collect()
        )
        examples: Dict[str, List[Any]] = {}
        for r in sorted(first_problems, key=lambda r: r["pos"]):
            examples.setdefault(r["prefix"], []).append(
                {"input": r["value"][:64], "file": self.file, "line": self.line(r["at"]),
                 "rules": _problem_rules(r["value"], self.policy)}
            )
        out = [
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
        out.sort(key=lambda p: (-p["problems"], p["prefix"]))
        return out

    def duplicates(self) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Duplicates and conflicts, by key over the records whose code can be formed; the
        listed ones with every record's line and each conflict's differing fields."""
        F, rows, cap = self.F, self.rows, self.cap
        spread = (F.max("duration") - F.min("duration")) * F.lit(1000.0) > F.lit(DURATION_TOLERANCE * 1000.0)
        dups = (
            rows.filter(F.col("key").isNotNull())
            .groupBy("key")
            .agg(
                F.count(F.lit(1)).alias("records"),
                F.min("pos").alias("first"),
                F.min("at").alias("first_at"),
                (
                    (F.countDistinct("title_artist") > 1)
                    | (F.countDistinct("version") > 1)
                    | F.coalesce(spread, F.lit(False))
                ).alias("conflict"),
            )
            .filter(F.col("records") > 1)
            .persist()
        )
        try:
            totals = dups.agg(F.count(F.lit(1)).alias("d"), F.sum(F.col("conflict").cast("long")).alias("c")).first()
            order = [F.col("records").desc(), F.col("first").asc(), F.col("key").asc()]
            top = dups.orderBy(*order).limit(cap).collect()
            top_conflicts = dups.filter("conflict").orderBy(*order).limit(cap).collect()
        finally:
            dups.unpersist()
        keys = sorted({r["key"] for r in top} | {r["key"] for r in top_conflicts})
        lines = self.record_lines(keys)
        differing = self.differing(sorted({r["key"] for r in top + top_conflicts if r["conflict"]}))

        def entry(r: Any) -> Dict[str, Any]:
            return {
                "isrc": str(isrc.Isrc.from_key(r["key"])),
                "records": r["records"],
                "first_record": self.number(r["first"]),
                "first_file": self.file,
                "first_line": self.line(r["first_at"]),
                "conflict": r["conflict"],
                "lines": lines.get(r["key"], []),
                "differing": differing.get(r["key"], []),
            }

        return (
            {"total": totals["d"], "listed": [entry(r) for r in top]},
            {"total": totals["c"] or 0, "listed": [entry(r) for r in top_conflicts]},
        )

    def record_lines(self, keys: List[int]) -> Dict[int, List[Dict[str, Any]]]:
        """The first ``cap`` records' places of each of ``keys``, in input order."""
        F = self.F
        if not keys or self.cap <= 0:
            return {}
        by_key = self.Window.partitionBy("key").orderBy("pos")
        found = (
            self.rows.filter(F.col("key").isin(keys))
            .select("key", "pos", "at", F.row_number().over(by_key).alias("n"))
            .filter(F.col("n") <= self.cap)
            .collect()
        )
        out: Dict[int, List[Any]] = {}
        for r in sorted(found, key=lambda r: r["pos"]):
            out.setdefault(r["key"], []).append(self.place(r["at"]))
        return out

    def differing(self, keys: List[int]) -> Dict[int, List[Dict[str, Any]]]:
        """For each conflicting key: the fields on which its records disagree, each value's
        records (the first ``cap``, the first ``max(cap, 2)`` values), as ``isrc check``
        groups them; a duration differs when the values listed are more than 10 s apart."""
        F, Window, cap = self.F, self.Window, self.cap
        if not keys or cap <= 0:
            return {}
        stacked = self.rows.filter(F.col("key").isin(keys)).select(
            "key", "pos", "at",
            F.expr(
                "stack(3, 'title_artist', cast(title_artist as double), 'version', cast(version as double), "
                "'duration', cast(duration as double)) as (field, v)"
            ),
        ).filter(F.col("v").isNotNull())
        value = Window.partitionBy("key", "field", "v")
        found = (
            stacked.withColumn("first", F.min("pos").over(value))
            .withColumn("n", F.row_number().over(value.orderBy("pos")))
            .withColumn("rank", F.dense_rank().over(Window.partitionBy("key", "field").orderBy("first")))
            .filter((F.col("n") <= cap) & (F.col("rank") <= max(cap, 2)))
            .select("key", "field", "v", "rank", "pos", "at")
            .collect()
        )
        groups: Dict[Tuple[int, str], Dict[int, Dict[str, Any]]] = {}
        for r in sorted(found, key=lambda r: r["pos"]):
            values = groups.setdefault((r["key"], r["field"]), {})
            group = values.setdefault(
                r["rank"], {"seconds": r["v"] if r["field"] == "duration" else None, "lines": []}
            )
            group["lines"].append(self.place(r["at"]))
        out: Dict[int, List[Dict[str, Any]]] = {}
        for key in keys:
            for field in ("title_artist", "version", "duration"):
                values = [g for _, g in sorted(groups.get((key, field), {}).items())]
                if len(values) < 2:
                    continue
                if field == "duration":
                    seconds = [g["seconds"] for g in values]
                    if (max(seconds) - min(seconds)) * 1000.0 <= DURATION_TOLERANCE * 1000.0:
                        continue
                out.setdefault(key, []).append({"field": field, "values": values})
        return out

    def recordings(self) -> Dict[str, Any]:
        """One recording under several codes: each other code at its first record whose
        duration is within the tolerance of the recording's first record."""
        F, rows = self.F, self.rows
        first = self.Window.partitionBy("recording").orderBy("pos")
        ms = lambda c: F.round(c.cast("double") * 1000.0)  # noqa: E731 - as isrc check rounds
        others = (
            rows.filter(F.col("recording").isNotNull() & F.col("key").isNotNull())
            .withColumn("first_key", F.first("key").over(first))
            .withColumn("first_at", F.first("at").over(first))
            .withColumn("first_duration", F.first("duration").over(first))
            .filter(F.col("key") != F.col("first_key"))
            .filter(
                F.col("first_duration").isNull()
                | F.col("duration").isNull()
                | (F.abs(ms(F.col("first_duration")) - ms(F.col("duration"))) <= DURATION_TOLERANCE * 1000.0)
            )
            .groupBy("recording", "key")
            .agg(
                F.min(F.struct("pos", "at")).alias("m"),
                F.first("first_key").alias("first_key"),
                F.first("first_at").alias("first_at"),
            )
            .persist()
        )
        try:
            total = others.count()
            listed = others.orderBy("m.pos").limit(self.cap).collect()
        finally:
            others.unpersist()
        return {
            "total": total,
            "listed": [
                {
                    "isrc": str(isrc.Isrc.from_key(r["first_key"])),
                    "file": self.file,
                    "line": self.line(r["first_at"]),
                    "other_isrc": str(isrc.Isrc.from_key(r["key"])),
                    "other_file": self.file,
                    "other_line": self.line(r["m"]["at"]),
                }
                for r in listed
            ],
        }

    def invalid_codes(self, total: int) -> Dict[str, Any]:
        """Invalid codes, in input order; their rules, fix and alternatives from ``check``."""
        F = self.F
        listed = []
        for r in self.rows.filter(~F.col("valid")).orderBy("pos").limit(self.cap).select("at", "value").collect():
            report = isrc.check(r["value"], policy=self.policy)
            listed.append(
                {
                    "file": self.file,
                    "line": self.line(r["at"]),
                    "value": r["value"][:64],
                    "rules": _problem_rules(r["value"], self.policy),
                    "fix": str(report.fix) if report.fix else None,
                    "alternatives": [str(a) for a in report.alternatives],
                }
            )
        return {"total": total, "listed": listed}

    def input_problems(self, fields: int) -> Dict[str, Any]:
        """What ``isrc check`` reports as input problems that Spark's reader lets be seen, in
        line order: the rows it could not parse (its corrupt-record column), named as
        ``isrc check`` names them (an unclosed quote, a quote inside an unquoted field, a row
        with another number of fields than the header), and the first bytes that are not
        UTF-8 (``isrc check`` reports the first of an input only)."""
        F = self.F
        malformed = self.rows.filter(F.col("malformed").isNotNull() & ~F.col("extra"))
        total = malformed.count()
        found = []
        if total:
            for r in malformed.orderBy("pos").limit(self.cap).select("at", "malformed").collect():
                text = r["malformed"]
                quoting = quoting_problem(text)
                if quoting is not None:
                    column, message = quoting[1], UNCLOSED_QUOTE if quoting[0] == "unclosed" else STRAY_QUOTE
                else:
                    parsed = next(csv.reader([text]), [])
                    column = 1
                    message = (
                        f"ragged row: {len(parsed)} fields where the first row has {fields}"
                        if len(parsed) != fields
                        else "malformed row: Spark's reader could not read its fields"
                    )
                found.append((self.line(r["at"]), column, message))
        utf8 = self.invalid_utf8()
        if utf8 is not None:
            total += 1
            found.append(utf8)
        found.sort(key=lambda p: (p[0], p[1]))
        listed = [
            {"location": {"file": self.file, "line": line, "column": column}, "message": message}
            for line, column, message in found[: self.cap]
        ]
        return {"total": total, "listed": listed}

    def invalid_utf8(self) -> Optional[Tuple[int, int, str]]:
        """The first bytes that are not UTF-8, as ``isrc check`` reports them: the line,
        column (in bytes) and byte offset, looked up in the file for the rows where Spark's
        reader put U+FFFD (read from the driver up to the first such line that is really not
        UTF-8; a U+FFFD written as such is no problem). When the file cannot be read from
        the driver (not a local file, or several files), the first such row, at column 1 and
        without the offset."""
        F = self.F
        flagged = self.rows.filter(F.col("replaced") & ~F.col("extra")).orderBy("pos").select("at").limit(1000).collect()
        if not flagged:
            return None
        lines = sorted({self.line(r["at"]) for r in flagged})
        path = urlparse(self.source).path if self.source and urlparse(self.source).scheme in ("", "file") else None
        if path is None or not os.path.isfile(path):
            return lines[0], 1, INVALID_UTF8.format(at="")
        wanted, offset = set(lines), 0
        with open(path, "rb") as f:
            for number, raw in enumerate(f, start=1):
                if number in wanted:
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        return number, e.start + 1, INVALID_UTF8.format(at=f" at byte offset {offset + e.start}")
                if number >= lines[-1]:
                    break
                offset += len(raw)
        return None
