#!/usr/bin/env bash
# Login cost (argon2id) and the access-scope filter's overhead on 1,000,000 person rows,
# on SQLite and PostgreSQL (127.0.0.1:5432 unless --postgres URL|skip).
#
#   ./scripts/bench-access.sh [--rows N] [--postgres URL|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi-bench --bin bench-access
mkdir -p bench/out
target/release/bench-access "$@" | tee bench/out/access.md
