"""Inputs for benches/check.sh: N lines of one ISRC each (2% invalid, ~1% duplicates) and a
CSV catalogue with title and artist. Deterministic (seeded)."""
import random
import sys

def main(out_dir, lines, rows):
    rnd = random.Random(3901)
    prefixes = ["USRC1", "GBAYE", "CBYZ9", "FRZ03", "DEA12", "NLAB1", "USUM7", "JPSO0"]
    bad = ["USRC176O7839", "XXRC12600001", "us-rc1-76-07839", "USRC1760783", "0602557012347", "JMK400000001"]
    def code(i):
        p = prefixes[i % len(prefixes)]
        return "%s%02d%05d" % (p, 21 + (i // 800000) % 6, (i // len(prefixes)) % 100000)
    with open(f"{out_dir}/codes.txt", "w") as f:
        for i in range(lines):
            r = rnd.random()
            if r < 0.02:
                f.write(bad[i % len(bad)] + "\n")
            elif r < 0.03:
                f.write(code(rnd.randrange(max(i, 1))) + "\n")
            else:
                f.write(code(i) + "\n")
    words = ["love", "night", "blue", "city", "dream", "fire", "road", "heart", "rain", "gold"]
    with open(f"{out_dir}/catalogue.csv", "w") as f:
        f.write("isrc,title,artist,duration\n")
        for i in range(rows):
            title = " ".join(rnd.choice(words) for _ in range(3)).title()
            if i % 50 == 0:
                title = '"' + title + ', Pt. 2"'
            artist = "The " + rnd.choice(words).title() + "s"
            c = code(i) if rnd.random() >= 0.02 else bad[i % len(bad)]
            f.write(f"{c},{title},{artist},{rnd.randrange(60, 600)}\n")

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
