#!/usr/bin/env bash
# Issue 22: the Indeks Prioritas with 1,000 sensitivity draws over 83,762 synthetic desa
# (target ≤ 5 s, ≤ 300 MB peak RSS) and the data-quality scorecard recomputation for a
# province and for 514 kab/kota (pure insight code); then the scorecard through the store
# (bench-quality: 10 kab/kota × 30 indicators × 20 quarters with 1 M list rows, and 514
# kab/kota; recomputation and kept-read p50/p99 on SQLite and PostgreSQL).
#
#   ./scripts/bench-priority.sh [--desa N] [--draws N]
#   BENCH_QUALITY_ARGS="--rows 1000000 --postgres skip" ./scripts/bench-priority.sh
#   BENCH_QUALITY=skip ./scripts/bench-priority.sh      # the pure part only
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-insight --example bench_priority
mkdir -p bench/out
target/release/examples/bench_priority "$@" | tee bench/out/priority.md
if [ "${BENCH_QUALITY:-}" != "skip" ]; then
    cargo build --release -p sinergi-bench --bin bench-quality
    # shellcheck disable=SC2086
    target/release/bench-quality ${BENCH_QUALITY_ARGS:-} | tee bench/out/quality.md
fi
