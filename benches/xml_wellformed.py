#!/usr/bin/env python3
"""Benchmark baseline for ERN folders: every .xml file under DIR parsed for well-formedness
with expat (C), as `xmllint --noout` does with libxml2; one process for all files."""
import os
import sys
import xml.parsers.expat

bad = files = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith(".xml"):
            continue
        files += 1
        parser = xml.parsers.expat.ParserCreate()
        try:
            with open(os.path.join(root, name), "rb") as f:
                parser.ParseFile(f)
        except xml.parsers.expat.ExpatError:
            bad += 1
print(f"{files} files, {bad} not well-formed")
