#!/usr/bin/env bash
# Benchmark of program cycles (issue 20): the eligibility rule over N people in memory
# (SINERGI_BENCH_PEOPLE, default 1,000,000), with the peak memory of the process.
# Usage: scripts/bench-cycles.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
export SINERGI_BENCH_PEOPLE="${SINERGI_BENCH_PEOPLE:-1000000}"
profile=()
[[ "${1:-}" == "--release" ]] && profile=(--release)
cargo test -p sinergi-core "${profile[@]}" --test bench_eligibility --no-run
/usr/bin/time -v cargo test -p sinergi-core "${profile[@]}" --test bench_eligibility -- \
    --nocapture 2>&1 | grep -E "BENCH|Maximum resident|Elapsed"
