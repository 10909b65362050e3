#!/usr/bin/env bash
# Issue 23: schemathesis (PyPI, pinned) against the real server on SQLite with a demo token.
# Starts `sinergi serve --demo` on a scratch database, issues an LKS operator token with
# `sinergi token buat`, and runs every operation of the served spec through
# the examples, coverage, fuzzing and stateful phases (bounded examples per operation).
# Passes only with 0 server errors and 0 responses that violate the spec.
#
#   ./scripts/schemathesis.sh                  # builds the debug binary first
#   SKIP_BUILD=1 ./scripts/schemathesis.sh     # the binary already in target/debug
#   ST_EXAMPLES=50 ./scripts/schemathesis.sh   # more examples per operation (default 20)
#
# schemathesis is installed (idempotently) into a virtualenv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
ST_VERSION=4.32.5
venv="${SINERGI_ST_VENV:-$PWD/target/schemathesis-venv}"
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  echo "schemathesis.sh: installing schemathesis $ST_VERSION into $venv…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$ST_VERSION"
fi
[ "${SKIP_BUILD:-}" = 1 ] || cargo build -p sinergi >&2
bin="$PWD/target/debug/sinergi"
work="$(mktemp -d "${TMPDIR:-/tmp}/sinergi-st.XXXXXX")"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export SINERGI_KUNCI="$("$bin" kunci buat)"
db="$work/st.db"
port="${ST_PORT:-18423}"
base="http://127.0.0.1:$port"
# The token's rate limit is raised so the run tests the operations, not the limiter (429 is
# documented on every operation all the same).
"$bin" serve --demo --skala-demo "${ST_DEMO_SCALE:-0.002}" --laju-token 1000 --bind "127.0.0.1:$port" --database "$db" \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$base/healthz" >/dev/null || { echo "schemathesis.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
# The token: the operator of the first LKS in the public directory (organisation-bound, so the
# spec's example program saves as its own: create → read → update in the stateful phase).
lks=$(curl -fs "$base/api/v1/lks?ukuran=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
token=$("$bin" token buat --label "schemathesis" --akun svc.schemathesis --peran operator_lks \
  --organisasi "$lks" --hari 1 --database "$db" 2>/dev/null | grep -o 'snrg_[A-Za-z0-9_-]*' | head -1)
[ -n "$token" ] || { echo "schemathesis.sh: no token issued" >&2; exit 1; }
"$venv/bin/st" run "$base/api/v1/openapi.json" --url "$base" \
  -H "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing,stateful \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${ST_EXAMPLES:-20}" \
  --seed "${ST_SEED:-23}" \
  --workers 1 \
  --report junit --report-dir "${ST_REPORT_DIR:-$work/report}" \
  "$@"
