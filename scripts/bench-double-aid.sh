#!/usr/bin/env bash
# The double-aid benchmark (issue 19; results in BENCHMARKS.md).
#
# Generates N linkage records with realistic errors (`sinergi generate --linkage`), deals them
# to three partners in the proportions 100:50:20 (a person copied into two partners' lists is
# a double-aid pair), then measures with crates/bench/src/bin/bench-double-aid.rs:
#   - held (cleartext) lists through the server's own path (activity::double_aid::run_held,
#     the linkage engine): precision/recall/F1, wall time, peak RSS after it;
#   - encoded lists (`sinergi sandi`'s encoding + the encoded round): the same figures,
#     encoding records/s, Dice comparisons/s on one core;
#   - the exact-NIK baseline.
# Targets (issue 19): the 100k/50k/20k round (N = 170000) in ≤ 10 s and ≤ 500 MB on 2 cores;
# cleartext F1 ≥ 0.95; encoded F1 within 0.02 of cleartext.
#
#   scripts/bench-double-aid.sh [N] [SCALE]        (default 170000 records, world scale 0.2;
#                                                    a release build)
#   PROFILE=dev scripts/bench-double-aid.sh 20000 0.02     (a quick debug check)
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
for r in rows:
    p = random.choices([0, 1, 2], weights=[100, 50, 20])[0]
    writers[p].writerow(r)
for f in files:
    f.close()
open(f"{out}/truth.csv", "w").write(open(f"{out}/world/linkage/truth.csv").read())
PY
echo "== held lists, encoded lists and the exact-NIK baseline"
"$BIN/bench-double-aid" "$OUT"
