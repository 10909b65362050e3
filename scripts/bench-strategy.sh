#!/usr/bin/env bash
# Issue 6: the quarter dashboard (10 kab/kota × 30 indicators × 20 quarters, and 514 kab/kota)
# through the real HTTP server, and the NTB quarterly report as PDF and XLSX, on SQLite and
# PostgreSQL (127.0.0.1:5432 unless --postgres URL|skip).
#
#   ./scripts/bench-strategy.sh [--requests N] [--postgres URL|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-bench --bin bench-strategy
mkdir -p bench/out
target/release/bench-strategy "$@" | tee bench/out/strategy.md
