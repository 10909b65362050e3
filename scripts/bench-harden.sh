#!/usr/bin/env bash
# Issue 17's load and memory benchmark: the release server with the demo world (scale 0.1,
# 575,131 people), wrk with 100 connections against the public region page, /statistik, a
# signed-in dashboard, /4w and /penerima as an operator; server RSS idle after the demo
# load and at its highest during the load (sampled every 100 ms). Prints Markdown.
#
#   ./scripts/bench-harden.sh                 # 60 s per page, SQLite and PostgreSQL
#   SECS=10 ./scripts/bench-harden.sh         # shorter runs
#   PG=skip ./scripts/bench-harden.sh         # SQLite only
#   BIN=/tmp/sinergi SKIP_BUILD=1 ./scripts/bench-harden.sh   # a binary copied aside
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${SECS:-60}"
conns="${CONNS:-100}"
pg_url="${PG:-postgres://postgres@127.0.0.1:5432/test}"
command -v wrk >/dev/null || apt-get install -y wrk >&2
# SKIP_BUILD=1 measures the binary already built (e.g. while others use the cores).
[ "${SKIP_BUILD:-}" = 1 ] || cargo build --release -p sinergi >&2
bin="${BIN:-$PWD/target/release/sinergi}"
work="$(mktemp -d /tmp/sinergi-bench-harden.XXXXXX)"
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export SINERGI_KUNCI="$("$bin" kunci buat)"
port=18417

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

run_backend() {
  local label="$1" db="$2"
  "$bin" serve --demo --bind "127.0.0.1:$port" --database "$db" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  sleep 5
  local idle; idle=$(rss_mb "$server")
  # Sign in as the Lombok Timur operator; wrk sends the session cookie.
  local jar="$work/jar"
  local token; token=$(curl -fs -c "$jar" "http://127.0.0.1:$port/masuk" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=operator.lotim" \
    --data-urlencode "password=sinergi-demo-2025" --data-urlencode "_csrf=$token" "http://127.0.0.1:$port/masuk"
  local cookie; cookie=$(awk '!/^#/ && NF >= 7 {printf "%s=%s; ", $6, $7}' "$jar"; grep '^#HttpOnly_' "$jar" | awk '{printf "%s=%s; ", $6, $7}')
  echo "### $label"
  echo
  echo "Idle RSS after the demo load: **$idle MB**."
  echo
  echo "| page | who | req/s | p50 ms | p99 ms | requests | non-2xx/3xx | socket errors | peak RSS MB |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---:|"
  for spec in "/wilayah/52|public" "/statistik|public" "/|operator" "/4w|operator" "/penerima|operator" "/penerima?q=Siti|operator"; do
    local path="${spec%%|*}" who="${spec##*|}"
    local peak=0
    ( while kill -0 "$server" 2>/dev/null; do rss_mb "$server"; echo; sleep 0.1; done ) >"$work/rss" &
    local sampler=$!
    if [ "$who" = operator ]; then
      wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" >"$work/wrk" 2>&1 || true
    else
      wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port$path" >"$work/wrk" 2>&1 || true
    fi
    kill $sampler 2>/dev/null || true; wait $sampler 2>/dev/null || true
    peak=$(sort -n "$work/rss" | tail -1)
    local rps p50 p99 reqs non2xx sockerr
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
    p50=$(awk '$1=="50%" {print $2}' "$work/wrk")
    p99=$(awk '$1=="99%" {print $2}' "$work/wrk")
    reqs=$(awk '/requests in/ {print $1}' "$work/wrk")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk"); non2xx=${non2xx:-0}
    sockerr=$(grep -o 'Socket errors:.*' "$work/wrk" || echo none)
    echo "| \`$path\` | $who | $rps | $p50 | $p99 | $reqs | $non2xx | $sockerr | $peak |"
  done
  echo
  echo "Idle RSS after the load runs: $(rss_mb "$server") MB."
  echo
  kill "$server"; wait "$server" 2>/dev/null || true
}

echo "## Issue 17 — load and memory ($(date -u +%F), $(nproc) cores shared, load average $(cut -d' ' -f1-3 /proc/loadavg) at start)"
echo
echo "wrk -t2 -c$conns -d${secs}s on loopback beside the server; demo world scale 0.1. Commit $(git rev-parse --short HEAD)."
echo
run_backend "SQLite" "$work/sinergi.db"
if [ "$pg_url" != skip ] && psql "$pg_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  base="${pg_url%/*}"
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS sinergi_bench_harden" >/dev/null
  psql "$pg_url" -qc "CREATE DATABASE sinergi_bench_harden" >/dev/null
  run_backend "PostgreSQL" "$base/sinergi_bench_harden"
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS sinergi_bench_harden" >/dev/null
else
  echo "PostgreSQL: NOT MEASURED"
fi
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
