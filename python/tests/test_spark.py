"""PySpark with two executors: the report equals `isrc check --format json` on the same data."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys

import pytest

import isrc.spark
from conftest import TODAY, generated_codes

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(os.environ.get("ISRC_TEST_SPARK_MASTER", "local-cluster[2,1,1024]"))
        .appName("isrc-tests")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.executorEnv.PYTHONPATH", os.pathsep.join(sys.path))
        .getOrCreate()
    )
    yield session
    session.stop()


TITLES = ["Yesterday", "Tomorrow", "Intro", "Blue", "Night Drive", "Outro"]
ARTISTS = ["The Band", "Ana", "DJ Q", "Les Amis"]


def write_catalogue(path, n, seed=3):
    """A catalogue of `n` rows: the generated codes with titles, artists and durations; some
    codes repeated on the same recording, some on another (conflicts), some recordings under
    two codes; some cells holding two or three codes, and some ragged rows (no duration
    field)."""
    rng = random.Random(seed)
    codes = generated_codes(n, seed=seed)
    rows = []
    for i, code in enumerate(codes):
        title, artist = rng.choice(TITLES), rng.choice(ARTISTS)
        seconds = rng.randrange(120, 400)
        if rows and rng.random() < 0.04:  # the same code again: same recording, or not
            prev = rng.choice(rows[-200:])
            code = prev[0]
            if rng.random() < 0.5:
                title, artist, seconds = prev[1], prev[2].lower(), prev[4] + rng.choice([0, 3, 30])
        elif rows and rng.random() < 0.01:  # several codes in one cell, one of them seen before
            others = [rng.choice(rows[-300:])[0] or "USRC17607839", f"GBAYE{rng.randrange(10, 26)}{rng.randrange(100000):05d}"]
            code = rng.choice(["; ", " / ", ",", "|"]).join([c for c in [code] + others[: rng.randrange(1, 3)] if c])
        duration = f"{seconds // 60}:{seconds % 60:02d}"
        rows.append((code, title, artist, duration, seconds))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["isrc", "title", "artist", "duration"])
        for i, (code, title, artist, duration, _) in enumerate(rows):
            if i % 997 == 5:  # a ragged row: an input problem, still checked
                w.writerow([code or "", title, artist])
            else:
                w.writerow([code or "", title, artist, duration])


SCHEMA = "isrc STRING, title STRING, artist STRING, duration STRING, _corrupt_record STRING"


@pytest.mark.parametrize("n", [2_000, 60_000])
def test_the_spark_report_equals_the_check_command_json(spark, isrc_bin, tmp_path, n):
    path = tmp_path / "catalogue.csv"
    write_catalogue(path, n)
    cli = subprocess.run(
        [isrc_bin, "check", "--format", "json", "--today", TODAY, "catalogue.csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert cli.stdout, cli.stderr
    expected = json.loads(cli.stdout)
    # Several input splits (partitions in the file's order), so that both executors work.
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(path.stat().st_size // 4, 4096)))
    # The corrupt-record column keeps the rows Spark's reader could not parse: input problems.
    df = spark.read.csv(str(path), header=True, schema=SCHEMA)
    assert df.rdd.getNumPartitions() >= 4
    report = isrc.spark.check(df, "isrc", title="title", artist="artist", duration="duration", today=TODAY)
    assert expected["schema_version"] == 4
    assert expected["duplicate_isrcs"] > 0 and expected["conflicting_isrcs"] > 0
    assert expected["possible_duplicate_recordings"]["total"] > 0
    assert expected["extra_codes"] > 0 and expected["input_problems"]["total"] > 0
    assert any(d["differing"] for d in expected["conflicts"]["listed"])
    for field in expected:
        assert report[field] == expected[field], field
    assert report == expected


def test_capped_lists_equal_the_check_command_with_max_listed(spark, isrc_bin, tmp_path):
    """--max-listed 2: two duplicates, two lines each, at most two values of a field."""
    path = tmp_path / "catalogue.csv"
    write_catalogue(path, 3_000, seed=5)
    cli = subprocess.run(
        [isrc_bin, "check", "--format", "json", "--today", TODAY, "--max-listed", "2", "catalogue.csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    expected = json.loads(cli.stdout)
    df = spark.read.csv(str(path), header=True, schema=SCHEMA)
    report = isrc.spark.check(
        df, "isrc", title="title", artist="artist", duration="duration", today=TODAY, max_listed=2
    )
    assert any(d["records"] > 2 for d in expected["duplicates"]["listed"])
    assert report == expected


def test_split_cell_is_the_check_command_s():
    assert isrc.spark.split_cell("USRC17607839; GBAYE0000351") == ["USRC17607839", "GBAYE0000351"]
    assert isrc.spark.split_cell("USRC17607839|GBAYE0000351|FRZ031200001") == [
        "USRC17607839", "GBAYE0000351", "FRZ031200001",
    ]
    assert isrc.spark.split_cell("US/RC1/76/07839") is None  # a code written with slashes
    assert isrc.spark.split_cell("Yesterday, Today and Tomorrow, remastered") is None
    assert isrc.spark.split_cell("USRC17607839") is None


def test_input_problems_beyond_ragged_rows_equal_the_check_command(spark, isrc_bin, tmp_path):
    """Bytes that are not UTF-8 (the first of the file, in the code's cell and in a title after
    a multi-byte character), an unclosed quote, a quote in an unquoted field on a ragged row,
    and ragged rows: the whole report, input problems included, equals `isrc check`'s."""
    codes = [c for c in generated_codes(400, seed=11) if c and "," not in c and '"' not in c]
    lines = [b"isrc,title,artist,duration"]
    for i, code in enumerate(codes):
        title = "Été" if i % 7 == 0 else "Night Drive"
        line = f"{code},{title},Ana,3:{i % 60:02d}".encode()
        if i == 40:
            line = f"{code[:7]}".encode() + b"\xff" + f"{code[8:]},{title},Ana,3:00".encode()
        elif i == 90:
            line = f"{code},Été".encode() + b"\xfe" + b",Ana,3:00"  # a later bad byte: not reported
        elif i == 200:
            line = f'{code},Blue,DJ Q,4:00,"x"y'.encode()  # ragged, and a quote in an unquoted field
        elif i == 250:
            line = f"{code},Blue,DJ Q".encode()  # ragged
        elif i == len(codes) - 30:
            line = f'"{code},Blue,DJ Q,4:00'.encode()  # a quote never closed
        lines.append(line)
    path = tmp_path / "problems.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    cli = subprocess.run(
        [isrc_bin, "check", "--format", "json", "--today", TODAY, "problems.csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert cli.stdout, cli.stderr
    expected = json.loads(cli.stdout)
    messages = [p["message"] for p in expected["input_problems"]["listed"]]
    assert any(m.startswith("invalid UTF-8 at byte offset") for m in messages), messages
    assert any("never closed" in m for m in messages), messages
    assert any(m.startswith("ragged row") for m in messages), messages
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(path.stat().st_size // 3, 4096)))
    df = spark.read.csv(str(path), header=True, schema=SCHEMA)
    report = isrc.spark.check(df, "isrc", title="title", artist="artist", duration="duration", today=TODAY)
    assert report["input_problems"] == expected["input_problems"]
    for field in expected:
        assert report[field] == expected[field], field


def test_quoting_problem_names_the_check_command_s_cases():
    assert isrc.spark.quoting_problem('"USRC17607840,Blue') == ("unclosed", 1)
    assert isrc.spark.quoting_problem('Été,"Blue') == ("unclosed", 7)  # bytes, not characters
    assert isrc.spark.quoting_problem('USRC17607840,Bl"ue') == ("stray", 16)
    assert isrc.spark.quoting_problem('"USRC17607840","Blue ""live"""') is None
    assert isrc.spark.quoting_problem("USRC17607840,Blue") is None


def test_count_valid_gives_the_report_s_counts_on_one_code_a_row(spark, tmp_path):
    codes = [c for c in generated_codes(5_000, seed=7) if c is None or ("," not in c and ";" not in c and "/" not in c and "|" not in c)]
    df = spark.createDataFrame([(c,) for c in codes], "isrc STRING").repartition(4)
    counts = isrc.spark.count_valid(df, "isrc", today=TODAY)
    report = isrc.spark.check(df, "isrc", today=TODAY)
    assert counts == {"valid": report["valid"], "invalid": report["invalid"]}
    assert counts["invalid"] > 0 and counts["valid"] + counts["invalid"] == len(codes)


def test_a_column_the_dataframe_lacks_is_named(spark):
    df = spark.createDataFrame([("USRC17607839", "Blue")], "isrc STRING, title STRING")
    with pytest.raises(ValueError, match=r"no column 'artist' in the DataFrame \(its columns: isrc, title\)"):
        isrc.spark.check(df, "isrc", title="title", artist="artist")
