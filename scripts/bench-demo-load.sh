#!/usr/bin/env bash
# Benchmarks the demo load (`sinergi serve --demo`: generate NTB in-process, seal NIK/KK, bulk
# insert) into SQLite and PostgreSQL, and in the same run the peers loading the same people
# from `penduduk.csv` (written by `sinergi generate`): `sqlite3 .import` and `psql \copy`.
# Prints a Markdown section and writes it to bench/out/demo-load.md (gitignored).
#
#   ./scripts/bench-demo-load.sh               # scales 0.1 and 1.0
#   ./scripts/bench-demo-load.sh 0.05 0.2      # other scales
#   PG=skip ./scripts/bench-demo-load.sh       # SQLite only
#   PG=postgres://user@host:5432/db ./scripts/bench-demo-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.1 1.0)
pg_url="${PG:-postgres://postgres@127.0.0.1:5432/test}"
pg_db="sinergi_bench_demo"

if ! command -v sqlite3 >/dev/null; then
    echo "sqlite3 tidak ada: memasang paket Debian sqlite3" >&2
    apt-get install -y sqlite3 >&2 || { apt-get update >&2 && apt-get install -y sqlite3 >&2; }
fi
cargo build --release -p sinergi >&2
bin="$PWD/target/release/sinergi"
mkdir -p bench/out
work="$(mktemp -d "$PWD/bench/out/demo-load.XXXXXX")"
trap 'rm -rf "$work"' EXIT
report="$work/report.md"
export SINERGI_KUNCI="$("$bin" kunci buat)"

pg_ok=0
if [ "$pg_url" != skip ] && psql "$pg_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then pg_ok=1; fi
pg_admin() { psql "$pg_url" -v ON_ERROR_STOP=1 -Atqc "$1" >/dev/null; }
pg_target() { echo "${pg_url%/*}/$pg_db"; }

now() { date +%s.%N; }

# Runs `serve --demo` until it listens; prints "wall_s load_s rows".
demo_load() { # database, scale
    local log="$work/serve.log"
    local t0 t1
    : > "$log"
    t0="$(now)"
    "$bin" serve --demo --skala-demo "$2" --bind 127.0.0.1:0 --database "$1" > "$log" 2>&1 &
    local pid=$!
    until grep -q "Sinergi berjalan" "$log"; do
        if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; echo "serve --demo gagal" >&2; exit 1; fi
        sleep 0.05
    done
    t1="$(now)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local line load rows
    line="$(grep 'dunia demo dimuat dalam' "$log")"
    load="$(sed -E 's/.*dimuat dalam ([0-9.]+) dtk.*/\1/' <<<"$line")"
    rows="$(sed -E 's/.* dengan ([0-9]+) baris perorangan.*/\1/' <<<"$line")"
    echo "$(echo "$t1 - $t0" | bc -l) $load $rows"
}

rate() { echo "$2 / $1" | bc -l | xargs printf '%.0f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

# Two report rows: Sinergi and the peer on one backend.
report_pair() { # scale, backend, peer label, wall, load, rows, peer seconds, peer rows
    local ours_rate peer_rate
    ours_rate="$(rate "$5" "$6")"
    peer_rate="$(rate "$7" "$8")"
    printf '| %s | %s | sinergi serve --demo (wall to listening %.1f s) | %s | %.1f | %s | %s |\n' \
        "$1" "$2" "$4" "$6" "$5" "$ours_rate" "$(ratio "$ours_rate" "$peer_rate")" >> "$report"
    printf '| %s | %s | %s | %s | %.1f | %s | |\n' "$1" "$2" "$3" "$8" "$7" "$peer_rate" >> "$report"
}

{
    echo "## Demo load — \`sinergi serve --demo\` ($(date -u +%Y-%m-%d))"
    echo
    echo "| Machine | |"
    echo "|---|---|"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (\`nproc\` = $(nproc)) |"
    echo "| Memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| Rust | $(rustc --version) (release profile) |"
    echo "| SQLite CLI | $(sqlite3 --version | cut -d' ' -f1) |"
    if [ $pg_ok = 1 ]; then echo "| PostgreSQL | $(psql "$pg_url" -Atqc 'SHOW server_version') (local, same machine) |"; fi
    echo "| Commit | $(git rev-parse --short HEAD) |"
    echo "| Load average at start | $(cut -d' ' -f1-3 /proc/loadavg) |"
    echo
    echo "Sinergi: wall time from spawn to listening (includes creating the schema and the 91,599"
    echo "regions) and the demo load itself as the server logs it (generate + seal + insert, all"
    echo "lists, organisations, aggregates, accounts); rows/s = person rows ÷ demo-load seconds."
    echo "Peer: the same people from \`penduduk.csv\` (19 text columns, no encryption, no index)."
    echo
    echo "| Scale | Backend | Tool | Person rows | Seconds | Rows/s | Sinergi ÷ peer |"
    echo "|---:|---|---|---:|---:|---:|---:|"
} > "$report"

for scale in "${scales[@]}"; do
    world="$work/world-$scale"
    "$bin" generate --province 52 --scale "$scale" --seed 2025 --out "$world" >&2
    csv_rows=$(( $(wc -l < "$world/penduduk.csv") - 1 ))

    # SQLite: Sinergi, then sqlite3 .import of the same people.
    read -r wall load rows < <(demo_load "$work/demo-$scale.db" "$scale")
    t0="$(now)"
    sqlite3 "$work/peer-$scale.db" ".import --csv $world/penduduk.csv penduduk"
    peer="$(echo "$(now) - $t0" | bc -l)"
    report_pair "$scale" SQLite "sqlite3 .import penduduk.csv" "$wall" "$load" "$rows" "$peer" "$csv_rows"
    rm -f "$work/demo-$scale.db"* "$work/peer-$scale.db"

    if [ $pg_ok = 1 ]; then
        pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
        pg_admin "CREATE DATABASE $pg_db"
        read -r wall load rows < <(demo_load "$(pg_target)" "$scale")
        pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
        pg_admin "CREATE DATABASE $pg_db"
        cols="$(head -1 "$world/penduduk.csv" | sed 's/,/ text, /g') text"
        psql "$(pg_target)" -v ON_ERROR_STOP=1 -qc "CREATE TABLE penduduk ($cols)"
        t0="$(now)"
        psql "$(pg_target)" -v ON_ERROR_STOP=1 -qc "\\copy penduduk FROM '$world/penduduk.csv' CSV HEADER"
        peer="$(echo "$(now) - $t0" | bc -l)"
        pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
        report_pair "$scale" PostgreSQL "psql \\copy penduduk.csv" "$wall" "$load" "$rows" "$peer" "$csv_rows"
    else
        echo "| $scale | PostgreSQL | NOT MEASURED (server unreachable or PG=skip) | | | | |" >> "$report"
    fi
    rm -rf "$world"
done
echo >> "$report"
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$report"
mv "$report" bench/out/demo-load.md
cat bench/out/demo-load.md
