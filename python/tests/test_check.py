"""`isrc.check` equals `isrc validate --json`; `Isrc` objects."""

from __future__ import annotations

import json
import subprocess

import pytest

import isrc
from conftest import TODAY

INPUTS = [
    "CBYZ92200001",
    "us-rc1-76-07839",
    "ISRC: US-RC1-76-07839",
    "USRC176O7839",
    "XXRC17607839",
    "JMK400000001",
    "USS1Z2600001",
    "USRC13907839",
    "0602557012347",
    "T-034.524.680-1",
    "USRC17607839-A",
    "YUAB19100001",
    "CBAB19900001",
    "USRC12600000",
    "1TAB12600001",
    "USRC1760783+9",
    "ＵＳＲＣ１７６０７８３９",
    "US\u2011RC1\u201176\u201107839",
    "ISRC:",
    "Ü",
]


def test_check_equals_the_validate_command_json(policy, isrc_bin):
    run = subprocess.run(
        [isrc_bin, "validate", "--json", "--today", TODAY, "--", *INPUTS],
        capture_output=True,
        text=True,
    )
    lines = run.stdout.splitlines()
    assert len(lines) == len(INPUTS), run.stderr
    for text, line in zip(INPUTS, lines):
        report = isrc.check(text, policy=policy)
        assert json.loads(report.to_json()) == json.loads(line), text
        expected = json.loads(line)
        assert report.valid == expected["valid"]
        assert [f.rule for f in report.findings] == [f["rule"] for f in expected["findings"]]
        assert [f.byte_span for f in report.findings] == [tuple(f["span"]) for f in expected["findings"]]
        assert (report.isrc and str(report.isrc)) == (expected["isrc"] or None)


def test_a_report_tells_rules_spans_and_fixes(policy):
    report = isrc.check("USRC176O7839", policy=policy)
    assert not report.valid and not report
    assert report.severity == "error"
    (finding,) = report.findings
    assert finding.rule == "letter_in_digits"
    assert report.input[slice(*finding.span)] == "O"
    assert str(finding.fix) == "USRC17607839" == str(report.fix)
    wide = isrc.check("ＵＳＲＣ１７６０７８３９", policy=policy)
    assert wide.valid
    # Spans index the Python string; byte spans the UTF-8 text, as the CLI's JSON.
    assert wide.findings[-1].span == (0, 12)
    assert wide.findings[-1].byte_span == (0, 36)
    assert [str(a) for a in isrc.check("1TAB12600001", policy=policy).alternatives] == ["ITAB12600001", "LTAB12600001"]


def test_isrc_objects_have_the_parts_as_attributes():
    code = isrc.Isrc("isrc cb-yz9-22-00001")
    assert (code.country, code.registrant, code.prefix, code.year, code.designation) == ("CB", "YZ9", "CBYZ9", 22, 1)
    assert str(code) == code.compact == "CBYZ92200001"
    assert code.hyphenated() == "CB-YZ9-22-00001"
    assert isrc.Isrc.from_key(code.key) == code
    assert len({code, isrc.Isrc("CBYZ92200001")}) == 1
    assert sorted([isrc.Isrc("USRC17607839"), code]) == [code, isrc.Isrc("USRC17607839")]
    with pytest.raises(ValueError, match="not an ISRC"):
        isrc.Isrc("USRC1760783")


def test_a_policy_takes_a_date_and_a_prefix_table(tmp_path):
    import datetime

    table = tmp_path / "prefixes.csv"
    table.write_text("prefix,territory,agency,status,introduced\nGB,United Kingdom,PPL,active,\n")
    policy = isrc.Policy(today=datetime.date(2030, 1, 1), prefixes=table)
    assert policy.today == "2030-01-01"
    assert isrc.is_valid("GBAYE2900001", policy=policy)
    assert not isrc.is_valid("USRC17607839", policy=policy)
    with pytest.raises(ValueError, match="not a date"):
        isrc.Policy(today="tomorrow")
    bad = tmp_path / "bad.csv"
    bad.write_text("nonsense\n")
    with pytest.raises(ValueError, match="bad.csv"):
        isrc.Policy(prefixes=bad)
