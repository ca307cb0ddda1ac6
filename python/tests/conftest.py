"""Shared test support: a fixed reference date, the `isrc` binary, generated catalogues."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path
from typing import List, Optional

import pytest

import isrc

TODAY = "2026-11-22"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def policy() -> isrc.Policy:
    return isrc.Policy(today=TODAY)


@pytest.fixture(scope="session")
def isrc_bin() -> str:
    """The `isrc` binary: $ISRC_BIN, else the workspace's debug build, else `isrc` on PATH."""
    candidates = [os.environ.get("ISRC_BIN"), str(REPO / "target" / "debug" / "isrc"), shutil.which("isrc")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise AssertionError(
        "these tests compare with the `isrc` binary: build it (cargo build -p isrc-cli) or set ISRC_BIN"
    )


PREFIXES = ["USRC1", "CBYZ9", "GBAYE", "FRZ03", "DEA12", "QMDA7", "BRBMG", "JPA01"]


def generated_codes(n: int, seed: int = 16) -> List[Optional[str]]:
    """`n` values of mixed quality, as catalogues hold them: mostly compact valid codes, some
    repeated, and the usual mistakes (display forms, lower case, O for 0, unknown prefixes,
    wrong lengths, suffixes, future years, other identifiers, blanks, nulls)."""
    rng = random.Random(seed)
    out: List[Optional[str]] = []
    for i in range(n):
        prefix = rng.choice(PREFIXES)
        year = rng.choice(["19", "20", "21", "22", "23", "24", "25", "26", "76", "85"])
        code = f"{prefix}{year}{rng.randrange(100000):05d}"
        roll = rng.random()
        if roll < 0.70:
            value: Optional[str] = code
        elif roll < 0.75 and out:
            value = rng.choice([v for v in out[-50:]])
        elif roll < 0.78:
            value = f"{code[:2]}-{code[2:5]}-{code[5:7]}-{code[7:]}".lower()
        elif roll < 0.81:
            value = code[:8] + code[8:].replace("0", "O")
        elif roll < 0.83:
            value = "XX" + code[2:]
        elif roll < 0.85:
            value = code[:-1]
        elif roll < 0.87:
            value = code + "-A"
        elif roll < 0.89:
            value = code[:5] + "39" + code[7:]
        elif roll < 0.90:
            value = "0602557012347"
        elif roll < 0.92:
            value = ""
        elif roll < 0.94:
            value = None
        elif roll < 0.96:
            value = "ISRC " + code
        elif roll < 0.98:
            value = "1T" + code[2:]
        else:
            value = " " + code + " "
        out.append(value)
    return out
