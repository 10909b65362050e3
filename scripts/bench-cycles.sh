#!/usr/bin/env bash
# Benchmarks of program cycles (issue 20); results go in BENCHMARKS.md.
#
# 1. The eligibility rule in memory over SINERGI_BENCH_PEOPLE people (default 5,750,000:
#    full-scale NTB). Target: ≤ 5 s, ≤ 300 MB (crates/core/tests/bench_eligibility.rs).
# 2. The store, on SQLite and (with SINERGI_TEST_POSTGRES) PostgreSQL
#    (crates/activity/tests/bench_cycles.rs): the same rule counted over the registry in scope
#    (SINERGI_BENCH_STORE_PEOPLE, default 500,000 people loaded in one list), then a cycle of
#    SINERGI_BENCH_BENEFICIARIES (default 100,000) enrolled, submitted, approved and its
#    payment batch built. Target: approval + payment batch ≤ 10 s for 100,000.
#
#   scripts/bench-cycles.sh [--release]
#   SINERGI_BENCH_PEOPLE=1000000 SINERGI_BENCH_STORE_PEOPLE=100000 scripts/bench-cycles.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile=()
[[ "${1:-}" == "--release" ]] && profile=(--release)
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
people="${SINERGI_BENCH_PEOPLE:-5750000}"
store_people="${SINERGI_BENCH_STORE_PEOPLE:-500000}"
beneficiaries="${SINERGI_BENCH_BENEFICIARIES:-100000}"
echo "# bench-cycles $(date -u +%Y-%m-%dT%H:%MZ) ${profile[*]:-debug} load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# targets: rule over 5.75 M people ≤ 5 s and ≤ 300 MB; approval + payment batch of 100,000 ≤ 10 s"
[[ -n "${SINERGI_TEST_POSTGRES:-}" ]] || echo "# SINERGI_TEST_POSTGRES unset: the store part runs on SQLite only"

cargo test -p sinergi-core "${profile[@]}" --test bench_eligibility --no-run 2>/dev/null
SINERGI_BENCH_PEOPLE="$people" /usr/bin/time -v cargo test -p sinergi-core "${profile[@]}" \
    --test bench_eligibility -- --nocapture 2>&1 | grep -E "BENCH|Maximum resident"

cargo test -p sinergi-activity "${profile[@]}" --test bench_cycles --no-run 2>/dev/null
SINERGI_BENCH_PEOPLE="$store_people" SINERGI_BENCH_BENEFICIARIES="$beneficiaries" \
    /usr/bin/time -v cargo test -p sinergi-activity "${profile[@]}" --test bench_cycles -- \
    --nocapture 2>&1 | grep -E "BENCH|Maximum resident"
