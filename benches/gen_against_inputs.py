"""Two versions of a 1,000,000-row catalogue with uniformly random codes (the worst case):
new.csv drops 1% of old.csv's rows, adds 1% new codes, changes the title of 1% and the
duration of 1%, and is in another order (shuffled). Seeded."""
import random, string, sys
out = sys.argv[1] if len(sys.argv) > 1 else "."
rnd = random.Random(19)
L = string.ascii_uppercase
A = L + string.digits
words = ["love", "night", "blue", "city", "dream", "fire", "road", "heart", "rain", "gold"]
def code():
    return rnd.choice(L) + rnd.choice(L) + "".join(rnd.choice(A) for _ in range(3)) + "%02d%05d" % (rnd.randrange(0, 26), rnd.randrange(100000))
def row():
    return [code(), " ".join(rnd.choice(words) for _ in range(3)).title(), "The " + rnd.choice(words).title() + "s", "%d:%02d" % (rnd.randrange(2, 6), rnd.randrange(60))]
N = 1_000_000
old = [row() for _ in range(N)]
with open(f"{out}/old.csv", "w") as f:
    f.write("isrc,title,artist,duration\n")
    f.writelines(",".join(r) + "\n" for r in old)
new = []
for r in old:
    x = rnd.random()
    if x < 0.01:
        continue
    r = list(r)
    if x < 0.02:
        r[1] += " (Remastered)"
    elif x < 0.03:
        r[3] = "9:59"
    new.append(r)
new += [row() for _ in range(N // 100)]
rnd.shuffle(new)
with open(f"{out}/new.csv", "w") as f:
    f.write("isrc,title,artist,duration\n")
    f.writelines(",".join(r) + "\n" for r in new)
