#!/usr/bin/env bash
# Record-linkage benchmark: builds the release binary, generates the synthetic NTB linkage
# lists (sinergi generate --linkage N, cached under bench/out/link-N), runs `sinergi link` and
# measures wall time, peak RSS and accuracy against the ground truth. Markdown to stdout and
# bench/out/link-latest.md.
#
#   ./scripts/bench-link.sh                        # 10 k and 1 M records
#   ./scripts/bench-link.sh --splink               # also Splink 5 (DuckDB) in bench/.venv
#   ./scripts/bench-link.sh --sizes 10000,1000000,5000000
#
# --splink creates bench/.venv (gitignored) and `pip install splink` on first use; Splink runs
# on sizes up to --splink-max (default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi
mkdir -p bench/out
python3 bench/bench_link.py "$@" > bench/out/link-latest.md.tmp
mv bench/out/link-latest.md.tmp bench/out/link-latest.md
cat bench/out/link-latest.md
