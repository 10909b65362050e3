#!/usr/bin/env bash
# Issue 22: the Indeks Prioritas with 1,000 sensitivity draws over 83,762 synthetic desa
# (target ≤ 5 s, ≤ 300 MB peak RSS) and the data-quality scorecard recomputation for a
# province and for 514 kab/kota. Pure insight code: builds only sinergi-insight.
#
#   ./scripts/bench-priority.sh [--desa N] [--draws N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-insight --example bench_priority
mkdir -p bench/out
target/release/examples/bench_priority "$@" | tee bench/out/priority.md
