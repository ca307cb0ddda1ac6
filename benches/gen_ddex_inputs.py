#!/usr/bin/env python3
"""Inputs for benches/check-ddex.sh: a DSR flat file of about SIZE bytes (blocks of one AS01
resource record and three SU02 usage records; uniformly random ISRCs, 1 % mistyped, 5 % of
DspResourceIds reused) and N ERN messages of 12 sound recordings each (4.3, 4.2 and 3.8.2 in
turn, in folders of 1,000; 5 % of the codes repeated from earlier messages).

Usage: gen_ddex_inputs.py DIR [DSR_BYTES] [ERN_MESSAGES]
"""
import os
import random
import string
import sys

out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 30
messages = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
random.seed(17)
os.makedirs(out, exist_ok=True)
alnum = string.ascii_uppercase + string.digits


def code():
    c = random.choice(string.ascii_uppercase) + random.choice(string.ascii_uppercase)
    return "GB" + "".join(random.choices(alnum, k=3)) + "%02d%05d" % (random.randint(0, 26), random.randint(0, 99999))


def dsr(path):
    with open(path, "w") as f:
        f.write("HEAD\tdsrf/4.0\tBasicAudioProfile\t1.2\tMSG-1\t2026-11-30T00:00:00\n")
        f.write("#AS01\tBlockId\tResourceReference\tDspResourceId\tISRC\tTitle\tSubTitle\tDisplayArtistName\tDisplayArtistPartyId\tDuration\tResourceType\n")
        f.write("#SU02\tBlockId\tSalesTransactionId\tUseType\tCommercialModel\tTerritory\tNumberOfUsages\tNetRevenue\tCurrency\n")
        written, block = 0, 0
        buf = []
        while written < size:
            block += 1
            isrc = code()
            if random.random() < 0.01:
                isrc = isrc[:8] + "O" + isrc[9:]
            dsp = "D%d" % (random.randint(1, block) if random.random() < 0.05 else block)
            lines = ["AS01\tB%d\tR%d\t%s\t%s\tSong %d\t\tArtist %d\t\tPT%dM%02dS\tSoundRecording\n"
                     % (block, block, dsp, isrc, block, block % 5000, random.randint(1, 6), random.randint(0, 59))]
            for j in range(3):
                lines.append("SU02\tB%d\tT%d-%d\tOnDemandStream\tSubscriptionModel\t%s\t%d\t%.4f\tGBP\n"
                             % (block, block, j, random.choice(["GB", "FR", "DE", "US"]), random.randint(1, 5000), random.random() * 10))
            for l in lines:
                written += len(l)
            buf.extend(lines)
            if len(buf) > 10000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
        f.write("FOOT\t%d\n" % block)


def ern(folder):
    pool = []
    for m in range(messages):
        ver = ["43", "42", "382"][m % 3]
        sub = os.path.join(folder, "batch%03d" % (m // 1000))
        os.makedirs(sub, exist_ok=True)
        x = ['<?xml version="1.0" encoding="UTF-8"?>\n<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/%s" MessageSchemaVersionId="ern/%s">\n  <MessageHeader><MessageId>M%d</MessageId></MessageHeader>\n  <ResourceList>\n' % (ver, ver, m)]
        for t in range(12):
            if pool and random.random() < 0.05:
                isrc, title, secs = random.choice(pool)
            else:
                isrc, title, secs = code(), "Song %d-%d" % (m, t), random.randint(120, 400)
                pool.append((isrc, title, secs))
            dur = "PT%dM%dS" % (secs // 60, secs % 60)
            if ver == "382":
                x.append('    <SoundRecording>\n      <SoundRecordingType>MusicalWorkSoundRecording</SoundRecordingType>\n      <SoundRecordingId><ISRC>%s</ISRC></SoundRecordingId>\n      <ResourceReference>A%d</ResourceReference>\n      <ReferenceTitle><TitleText>%s</TitleText></ReferenceTitle>\n      <Duration>%s</Duration>\n    </SoundRecording>\n' % (isrc, t + 1, title, dur))
            elif ver == "42":
                x.append('    <SoundRecording>\n      <ResourceReference>A%d</ResourceReference>\n      <Type>MusicalWorkSoundRecording</Type>\n      <ResourceId><ISRC>%s</ISRC></ResourceId>\n      <DisplayTitleText>%s</DisplayTitleText>\n      <DisplayArtistName>Artist %d</DisplayArtistName>\n      <Duration>%s</Duration>\n    </SoundRecording>\n' % (t + 1, isrc, title, m, dur))
            else:
                x.append('    <SoundRecording>\n      <ResourceReference>A%d</ResourceReference>\n      <Type>MusicalWorkSoundRecording</Type>\n      <SoundRecordingEdition>\n        <Type>NonImmersiveEdition</Type>\n        <ResourceId><ISRC>%s</ISRC></ResourceId>\n        <PLine><Year>2026</Year><PLineText>(P) 2026 Label</PLineText></PLine>\n      </SoundRecordingEdition>\n      <DisplayTitleText>%s</DisplayTitleText>\n      <DisplayArtistName>Artist %d</DisplayArtistName>\n      <Duration>%s</Duration>\n    </SoundRecording>\n' % (t + 1, isrc, title, m, dur))
        x.append('  </ResourceList>\n  <ReleaseList>\n    <Release>\n      <ReleaseReference>R0</ReleaseReference>\n      <ReleaseId><ICPN>0602557012347</ICPN></ReleaseId>\n      <ReleaseType>Album</ReleaseType>\n      <ResourceGroup>')
        x.append("".join("<ResourceGroupContentItem><ReleaseResourceReference>A%d</ReleaseResourceReference></ResourceGroupContentItem>" % (t + 1) for t in range(12)))
        x.append('</ResourceGroup>\n    </Release>\n  </ReleaseList>\n</ern:NewReleaseMessage>\n')
        with open(os.path.join(sub, "m%06d.xml" % m), "w") as f:
            f.write("".join(x))


if size > 0:
    dsr(os.path.join(out, "sales.tsv"))
if messages > 0:
    ern(os.path.join(out, "ern"))
