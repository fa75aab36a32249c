import random, re, sys, itertools, collections
SEED = 20261206
FILES = ["explicit", "everyday", "ambiguous"]

def load(name):
    rows, cat = [], None
    for ln in open(f"src/{name}.txt", encoding="utf-8"):
        ln = ln.rstrip("\n")
        if not ln.strip():
            continue
        if ln.startswith("## "):
            cat = ln[3:].strip(); continue
        assert "\t" not in ln
        rows.append((cat, ln.strip()))
    return rows

def toks(s):
    return set(re.findall(r"[a-z0-9']+", s.lower()))

data = {f: load(f) for f in FILES}
problems = 0
allrows = [(f, c, m) for f in FILES for c, m in data[f]]
# exact dups
seen = {}
for f, c, m in allrows:
    k = re.sub(r"[^a-z0-9]", "", m.lower())
    if k in seen:
        print("DUP", f, m, "<->", seen[k]); problems += 1
    seen[k] = (f, m)
# near-dups: jaccard on token sets
for (f1, c1, m1), (f2, c2, m2) in itertools.combinations(allrows, 2):
    a, b = toks(m1), toks(m2)
    if min(len(a), len(b)) < 3: continue
    j = len(a & b) / len(a | b)
    if j >= 0.6:
        print(f"NEAR {j:.2f}", f1, c1, "|", m1, "<->", f2, c2, "|", m2); problems += 1
for f, c, m in allrows:
    if len(m) >= 600:
        print("TOO LONG", len(m), m[:60]); problems += 1

held = []
for f in FILES:
    with open(f"{f}.tsv", "w", encoding="utf-8") as out:
        for c, m in data[f]:
            out.write(f"{c}\t{m}\n")
    bycat = collections.OrderedDict()
    for c, m in data[f]:
        bycat.setdefault(c, []).append(m)
    for c, msgs in bycat.items():
        order = list(msgs)
        random.Random(SEED).shuffle(order)
        for i, m in enumerate(order):
            if i % 4 == 0:
                held.append((c, m, f))
with open("heldback.tsv", "w", encoding="utf-8") as out:
    for c, m, f in held:
        out.write(f"{c}\t{m}\t{f}\n")

# report
for f in FILES:
    cnt = collections.Counter(c for c, _ in data[f])
    hc = collections.Counter(c for c, _, ff in held if ff == f)
    print(f"\n{f}: total {len(data[f])}, held back {sum(hc.values())}")
    for c, n in cnt.items():
        print(f"  {c}: {n} (held {hc[c]})")
longs = [(c, len(m)) for c, m in data["explicit"] if len(m) >= 300]
print("\nexplicit long (300+):", len(longs), collections.Counter(c for c, _ in longs))
print("max len", max(len(m) for _, _, m in allrows))
print("problems", problems)
