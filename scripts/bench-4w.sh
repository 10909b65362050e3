#!/usr/bin/env bash
# Issue 7: overlap and gap analysis at 83,762 desa × 10,000 programs (target ≤ 1 s), and the
# 4W page for a province with 2,000 programs (HTML size, p50/p99), SQLite and PostgreSQL.
#
#   ./scripts/bench-4w.sh [--runs N] [--requests N] [--postgres URL|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-bench --bin bench-4w
mkdir -p bench/out
target/release/bench-4w "$@" | tee bench/out/4w.md
