#!/usr/bin/env bash
# Issue 8: the LKS list over a national registry of 30,000 LKS (filter + page, p50/p99) as
# several principals see it, on SQLite and PostgreSQL (127.0.0.1:5432 unless --postgres).
#
#   ./scripts/bench-lks.sh [--lks N] [--runs N] [--postgres URL|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-bench --bin bench-lks
mkdir -p bench/out
target/release/bench-lks "$@" | tee bench/out/lks.md
