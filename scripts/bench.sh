#!/usr/bin/env bash
# Builds the release server and the benchmark harness, then runs the benchmarks.
# The Markdown report goes to stdout and to bench/out/latest.md (gitignored).
#
#   ./scripts/bench.sh                      # full run, SQLite and PostgreSQL (127.0.0.1:5432)
#   ./scripts/bench.sh --quick              # smoke test: few iterations, 5 s load runs
#   ./scripts/bench.sh --postgres skip      # SQLite only (reported loudly as NOT MEASURED)
#   ./scripts/bench.sh --postgres postgres://user@host:5432/db
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p sinergi -p sinergi-bench
mkdir -p bench/out
target/release/sinergi-bench "$@" > bench/out/latest.md.tmp
mv bench/out/latest.md.tmp bench/out/latest.md
cat bench/out/latest.md
echo "(written to bench/out/latest.md)" >&2
