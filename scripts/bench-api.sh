#!/usr/bin/env bash
# Issue 23's API benchmark: wrk on loopback against the release server with the demo world,
# with a machine token (kab/kota operator of Lombok Timur): three GETs — a page of persons in
# scope (/api/v1/penerima), the LKS registry (/api/v1/lks) and the 4W matrix (/api/v1/4w) —
# and one POST that saves the same program again (POST /api/v1/program, an update each time).
# Prints Markdown (req/s, p50, p99, non-2xx) for BENCHMARKS.md. The token's rate limit is
# raised for the run (--laju-token) so the server is measured, not the limiter.
# Issue 23 sets no numeric target; the run must show 0 non-2xx and 0 socket errors.
#
#   ./scripts/bench-api.sh                          # release build, demo scale 0.1, 30 s each
#   SECS=5 SCALE=0.005 BUILD=debug ./scripts/bench-api.sh   # a quick try in debug
#   SKIP_BUILD=1 ./scripts/bench-api.sh             # the binary already built
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${SECS:-30}"
conns="${CONNS:-50}"
scale="${SCALE:-0.1}"
build="${BUILD:-release}"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq wrk >/dev/null; }
if [ "${SKIP_BUILD:-}" != 1 ]; then
  if [ "$build" = release ]; then cargo build --release -p sinergi >&2; else cargo build -p sinergi >&2; fi
fi
bin="$PWD/target/$build/sinergi"
work="$(mktemp -d "${TMPDIR:-/tmp}/sinergi-bench-api.XXXXXX")"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export SINERGI_KUNCI="$("$bin" kunci buat)"
port="${PORT:-18429}"
base="http://127.0.0.1:$port"
db="$work/sinergi.db"
"$bin" serve --demo --skala-demo "$scale" --laju-token 1000000 --bind "127.0.0.1:$port" \
  --database "$db" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 1200); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$base/healthz" >/dev/null || { echo "bench-api.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
token=$("$bin" token buat --label "bench" --akun svc.bench --peran operator_kabkota --wilayah 52.03 \
  --hari 1 --database "$db" 2>/dev/null | grep -o 'snrg_[A-Za-z0-9_-]*' | head -1)
auth="Authorization: Bearer $token"
# A partner in scope and a desa of Lombok Timur for the program the POST saves.
org=$(curl -fs -H "$auth" "$base/api/v1/mitra?ukuran=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
desa=$(curl -fs "$base/api/v1/wilayah/52.03" | python3 -c '
import json, sys, urllib.request
d = json.load(sys.stdin)
kec = d["children"][0]["region"]["code"]
print(json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/wilayah/" + kec))["children"][0]["region"]["code"])' "$base")
body=$(printf '{"organisasi": %s, "kode": "BENCH-API-1", "nama": "Program uji beban API", "sektor": "perlindungan_sosial", "jenis_bantuan": "sembako", "mulai": "2025-01-01", "selesai": "2025-12-31", "lokasi": [{"kode_wilayah": "%s", "sasaran": 10}]}' "$org" "$desa")
first=$(curl -s -o "$work/first.json" -w '%{http_code}' -H "$auth" -H 'Content-Type: application/json' -d "$body" "$base/api/v1/program")
[ "$first" = 201 ] || [ "$first" = 200 ] || { echo "bench-api.sh: the program POST answered $first: $(cat "$work/first.json")" >&2; exit 1; }
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
EOF

echo "## Issue 23 — API under wrk ($(date -u +%F), $build build, $(nproc) cores shared, load average $(cut -d' ' -f1-3 /proc/loadavg) at start)"
echo
echo "wrk -t2 -c$conns -d${secs}s on loopback with a kab/kota operator token (52.03); demo world scale $scale on SQLite. Commit $(git rev-parse --short HEAD). No numeric target in the issue; 0 non-2xx expected."
echo
echo "| request | req/s | p50 ms | p99 ms | requests | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|---|"
for spec in "GET /api/v1/penerima" "GET /api/v1/lks?urut=nama" "GET /api/v1/4w" "POST /api/v1/program"; do
  method="${spec%% *}" path="${spec#* }"
  if [ "$method" = POST ]; then
    wrk -t2 -c"$conns" -d"${secs}s" --latency -H "$auth" -s "$work/post.lua" "$base$path" >"$work/wrk" 2>&1 || true
  else
    wrk -t2 -c"$conns" -d"${secs}s" --latency -H "$auth" "$base$path" >"$work/wrk" 2>&1 || true
  fi
  ms() { awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.1f", v}' "$work/wrk"; }
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
  reqs=$(awk '/requests in/ {print $1}' "$work/wrk")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk"); non2xx=${non2xx:-0}
  sockerr=$(grep -o 'Socket errors:.*' "$work/wrk" || echo none)
  echo "| \`$method $path\` | $rps | $(ms 50%) | $(ms 99%) | $reqs | $non2xx | $sockerr |"
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
