#!/usr/bin/env bash
# Issue 21: the actions overview and a forum's history with 10,000 meetings and 100,000
# actions (server-side read through the scoped store, p50/p99), on SQLite and PostgreSQL
# (127.0.0.1:5432 unless --postgres). Target: p99 ≤ 100 ms per read at the default size
# (10,000 meetings, 100,000 actions) in the release build. Pass --debug to use the debug build.
#
#   ./scripts/bench-forums.sh [--debug] [--meetings N] [--runs N] [--postgres URL|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
if [[ "${1:-}" == "--debug" ]]; then profile=debug; shift; fi
if [[ $profile == release ]]; then
  cargo build --release -p sinergi-bench --bin bench-forums
else
  cargo build -p sinergi-bench --bin bench-forums
fi
mkdir -p bench/out
"target/$profile/bench-forums" "$@" | tee bench/out/forums.md
