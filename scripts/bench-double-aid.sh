#!/usr/bin/env bash
# The double-aid benchmark (issue 19; results in BENCHMARKS.md).
#
# Generates N linkage records with realistic errors (`sinergi generate --linkage`), deals them
# to three partners in the proportions 100:50:20 (a person copied into two partners' lists is
# a double-aid pair), then measures:
#   - encoded lists (`sinergi sandi`'s encoding + the encoded round) and the exact-NIK
#     baseline: precision/recall/F1, wall time, peak RSS, encoding records/s, Dice/s/core
#     (crates/bench/src/bin/bench-double-aid.rs);
#   - held (cleartext) lists: `sinergi link` over the three lists together, pairs across
#     partners scored against the same truth, wall time and peak RSS (/usr/bin/time).
#
#   scripts/bench-double-aid.sh [N] [SCALE]        (default 170000 records, world scale 0.2)
#   PROFILE=dev scripts/bench-double-aid.sh 20000 0.02
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-170000}
SCALE=${2:-0.2}
PROFILE=${PROFILE:-release}
OUT=${OUT:-target/bench-double-aid}
DIR=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build --profile "$PROFILE" -p sinergi -p sinergi-bench --bin sinergi --bin bench-double-aid
BIN=target/$DIR
rm -rf "$OUT" && mkdir -p "$OUT"
"$BIN/sinergi" generate --province 52 --scale "$SCALE" --seed 7 --out "$OUT/world" --linkage "$N" >/dev/null
python3 - "$OUT" <<'PY'
import csv, random, sys
out = sys.argv[1]
random.seed(19)
rows = list(csv.reader(open(f"{out}/world/linkage/records.csv")))
header, rows = rows[0], rows[1:]
files = [open(f"{out}/p{i}.csv", "w", newline="") for i in range(3)]
writers = [csv.writer(f) for f in files]
for w in writers:
    w.writerow(header)
every = [csv.writer(open(f"{out}/all.csv", "w", newline=""))]
every[0].writerow(header)
for r in rows:
    p = random.choices([0, 1, 2], weights=[100, 50, 20])[0]
    writers[p].writerow(r)
    every[0].writerow(r)
for f in files:
    f.close()
open(f"{out}/truth.csv", "w").write(open(f"{out}/world/linkage/truth.csv").read())
PY
echo "== encoded lists and exact-NIK baseline"
"$BIN/bench-double-aid" "$OUT"
echo "== held lists (cleartext, sinergi link over the three lists)"
/usr/bin/time -f "held: wall %e s, peak RSS %M KB" "$BIN/sinergi" link "$OUT/all.csv" --keluar "$OUT/held" >/dev/null
python3 - "$OUT" <<'PY'
import csv, sys
out = sys.argv[1]
partner = {}
for p in range(3):
    for r in csv.DictReader(open(f"{out}/p{p}.csv")):
        partner[r["id"]] = p
truth = {tuple(sorted((r["a"], r["b"]))) for r in csv.DictReader(open(f"{out}/truth_pairs.csv"))}
found = set()
for r in csv.DictReader(open(f"{out}/held/pasangan.csv")):
    a, b = r["id_kiri"], r["id_kanan"]
    if partner[a] != partner[b]:
        found.add(tuple(sorted((a, b))))
tp = len(found & truth)
p = tp / len(found) if found else 0
rc = tp / len(truth) if truth else 0
f1 = 2 * p * rc / (p + rc) if p + rc else 0
print(f"held:       found {len(found):>7}  precision {p:.4f}  recall {rc:.4f}  F1 {f1:.4f}")
PY
