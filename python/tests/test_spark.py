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
    two codes."""
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
        duration = f"{seconds // 60}:{seconds % 60:02d}"
        rows.append((code, title, artist, duration, seconds))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["isrc", "title", "artist", "duration"])
        for code, title, artist, duration, _ in rows:
            w.writerow([code or "", title, artist, duration])


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
    df = spark.read.csv(str(path), header=True)
    assert df.rdd.getNumPartitions() >= 4
    report = isrc.spark.check(df, "isrc", title="title", artist="artist", duration="duration", today=TODAY)
    assert expected["duplicate_isrcs"] > 0 and expected["conflicting_isrcs"] > 0
    assert expected["possible_duplicate_recordings"]["total"] > 0
    # The Spark report keeps schema_version 3: the lists of version 4 (each duplicate's
    # `lines`, each conflict's `differing` fields) are not built by the Spark job yet
    # (docs/python.md). Everything else must be equal.
    assert report["schema_version"] == 3 and expected["schema_version"] == 4
    for part in ("duplicates", "conflicts"):
        for entry in expected[part]["listed"]:
            assert entry.pop("lines") and "differing" in entry
            entry.pop("differing")
    report = {k: v for k, v in report.items() if k != "schema_version"}
    expected = {k: v for k, v in expected.items() if k != "schema_version"}
    for field in expected:
        assert report[field] == expected[field], field
    assert report == expected
