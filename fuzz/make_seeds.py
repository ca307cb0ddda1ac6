#!/usr/bin/env python3
"""Writes small valid and damaged seed inputs for the isrc-check fuzz targets into
fuzz/corpus/<target>/ (or the folder given as the first argument), so that libFuzzer starts
from long CSV records, multi-line headers, byte order marks, JSON and DDEX inputs instead of
empty bytes. The corpus itself is not committed: run this before `cargo fuzz run`.

Each seed starts with the selector bytes the target reads (see fuzz/fuzz_targets/*.rs):
check_reader: format (0 txt, 1 csv, 2 tsv, 3 jsonl, 4 json, 5 plain), then bit 0 UTF-16 and
bits 1-2 --skip-rows; dsr_reader: bit 0 adds the #SU02 header row; ern_reader: an odd first
byte puts the input inside an ERN 4.3 SoundRecording.
"""
import hashlib
import pathlib
import sys

BOM = b"\xef\xbb\xbf"
ROWS = b"USRC17607839,Yesterday,The Beatles\nus-rc1-76-07840,Help,The Beatles\nUSRC176O7841,Bad,X\n"

CHECK_READER = {
    1: [
        b"isrc,title,artist\n" + ROWS,
        b'isrc;"Track\nTitle";"Main\r\n\nArtist"\nUSRC17607839;One;A\nUSRC17607840;Two;B\n',
        BOM + BOM + b"isrc,title\nus-rc1-76-07839,One\n",
        b'isrc,title\nUSRC17600003,"Broken title\nUSRC17600004,ok\n',
        b"isrc,title\r\nUSRC17607839; USRC17607840,Two codes\r\n\xff\xfe,bad bytes\r\n",
    ],
    2: [b"isrc\ttitle\nUSRC17607839\tOne\nGBAYE06O1498\tTwo\n"],
    3: [b'{"isrc":"us-rc1-76-07839","title":"A"}\n{"isrc":"USRC1760784\\u0030"}\n', BOM + BOM + b'{"isrc":"USRC17607839"}\n'],
    4: [b'[{"isrc":"USRC17607839"},\n {"isrc":"bad"}]\n'],
    5: [b"USRC17607839\nusrc17607839\n\nGB-AYE-06-01498\n", BOM + BOM + b"USRC17607839\n"],
    0: [b"ISRC\nUSRC17607839\nUSRC17607839\n"],
}

DSR_ROWS = (
    b"AS01\tB1\tR1\tD1\tUSRC17607839\tYesterday\t\tThe Beatles\t\tPT2M5S\n"
    b"SU02\tB1\tT1\tR1\t100\t1.5\n"
    b"AS01\tB2\tR1\tD2\tGB|XX9|A7\tBad\t\tArtist\t\tPT3M\n"
    b"SU02\tB2\tT2\t\t5\t0.25\n"
    b"SR01\t\tD3\tUSRC17607840\tSingle\t\tArtist\t\tPT3M\n"
    b"AS02.04\tB3\tR1\tD1\tGBAYE2600001\tYesterday\t\tThe Beatles\t\tPT2M5S\n"
    b"SU02\tB9\tT\t\t1\t0.7\nFOOT\t1\n"
)

ERN = (
    b"<ResourceReference>A1</ResourceReference><Type>MusicalWorkSoundRecording</Type>"
    b"<SoundRecordingEdition><ResourceId><ISRC>USRC17607839</ISRC></ResourceId></SoundRecordingEdition>"
    b"<DisplayTitleText>Yesterday</DisplayTitleText><Duration>PT2M5S</Duration>"
)


def write(folder: pathlib.Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> None:
    root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "corpus"
    for fmt, inputs in CHECK_READER.items():
        for text in inputs:
            for more in (0, 1, 2):
                write(root / "check_reader", bytes([fmt, more]) + text)
    for selector in (0, 1, 4, 9, 255):
        write(root / "dsr_reader", bytes([selector]) + DSR_ROWS)
    write(root / "ern_reader", b"\x01" + ERN)
    write(root / "ern_reader", b"\x01" + ERN.replace(b"USRC17607839", b"usrc176O7839"))
    for text in (b"USRC17607839", b"ISRC US-RC1-76-07839", b"usrc176O7839", b"\xff\xfe"):
        write(root / "check", text)


if __name__ == "__main__":
    main()
