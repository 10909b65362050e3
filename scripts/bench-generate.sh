#!/usr/bin/env bash
# Benchmarks `sinergi generate` at full scale: NTB (5.75 M people), once without and once with
# 5,000,000 linkage records. Reports wall time and peak memory (max RSS from /usr/bin/time -v)
# as a Markdown section on stdout and in bench/out/generate.md (gitignored).
#
#   ./scripts/bench-generate.sh                 # province 52, scale 1.0
#   ./scripts/bench-generate.sh 33 0.5          # another province / scale
set -euo pipefail
cd "$(dirname "$0")/.."
province="${1:-52}"
scale="${2:-1.0}"
linkage="${LINKAGE:-5000000}"

cargo build --release -p sinergi >&2
mkdir -p bench/out
out="bench/out/world-$province"
report="bench/out/generate.md.tmp"

measure() { # label, extra args…
    local label="$1"; shift
    local log="bench/out/generate-time.log"
    local load_before load_after
    load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v target/release/sinergi generate --province "$province" --scale "$scale" --seed 2025 --out "$out" "$@" \
        > bench/out/generate-stdout.log 2> "$log"
    load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
    local wall rss_kb
    wall="$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')"
    rss_kb="$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')"
    local summary
    summary="$(sed -n 2,4p bench/out/generate-stdout.log | tr -s ' ' | paste -sd ';' -)"
    printf '| %s | %s | %d MiB | %s | %s → %s |\n' "$label" "$wall" "$((rss_kb / 1024))" "$summary" "$load_before" "$load_after" >> "$report"
}

{
    echo "## sinergi generate — province $province, scale $scale ($(date -u +%Y-%m-%d))"
    echo
    echo "| Machine | |"
    echo "|---|---|"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (\`nproc\` = $(nproc)) |"
    echo "| Memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| Rust | $(rustc --version) (release profile) |"
    echo "| Commit | $(git rev-parse --short HEAD) |"
    echo
    echo "| Run | Wall (m:ss) | Peak RSS | Output | Load avg before → after |"
    echo "|---|---:|---:|---|---|"
} > "$report"
measure "people, families, aggregates, organisations, programs, lists, XLSX"
measure "same + --linkage $linkage" --linkage "$linkage"
du -sh "$out" | awk '{print "\nOutput folder: " $1 " (" $2 ")."}' >> "$report"
mv "$report" bench/out/generate.md
cat bench/out/generate.md
