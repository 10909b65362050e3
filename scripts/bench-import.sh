#!/usr/bin/env bash
# Issue 16: `sinergi daftar impor` of a person list of ROWS valid rows (default 1,000,000)
# into SQLite and PostgreSQL, against `sqlite3 .import --csv` and `psql \copy` of the same
# file; wall, CPU seconds and peak RSS from /usr/bin/time -v. The list is cut from the
# people `sinergi generate` writes (NTB), keeping the person-list columns.
# Prints a Markdown section and writes it to bench/out/import.md (gitignored).
#
#   ./scripts/bench-import.sh                  # 1,000,000 rows, release build
#   ROWS=100000 ./scripts/bench-import.sh      # fewer rows
#   PROFILE=debug ./scripts/bench-import.sh    # when a release build is out of reach
#   PG=skip ./scripts/bench-import.sh          # SQLite only
#   SKIP_BUILD=1 ./scripts/bench-import.sh     # the binary already built
#   XLSX=skip ./scripts/bench-import.sh        # without the XLSX runs
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${ROWS:-1000000}"
profile="${PROFILE:-release}"
pg_url="${PG:-postgres://postgres@127.0.0.1:5432/test}"
pg_db="sinergi_bench_import"

for tool in sqlite3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool tidak ada" >&2; exit 1; }
done
# SKIP_BUILD=1 measures the binary already built (e.g. while others use the cores).
if [ "${SKIP_BUILD:-}" = 1 ]; then
    :
elif [ "$profile" = release ]; then
    cargo build --release -p sinergi >&2
else
    cargo build -p sinergi >&2
fi
bin="$PWD/target/$profile/sinergi"
mkdir -p bench/out
work="$(mktemp -d "$PWD/bench/out/import.XXXXXX")"
trap 'rm -rf "$work"' EXIT
report="$work/report.md"
export SINERGI_KUNCI="$("$bin" kunci buat)"

pg_ok=0
if [ "$pg_url" != skip ] && psql "$pg_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then pg_ok=1; fi
pg_admin() { psql "$pg_url" -v ON_ERROR_STOP=1 -Atqc "$1" >/dev/null; }
pg_target() { echo "${pg_url%/*}/$pg_db"; }

# The list: nik, no_kk, nama, jenis_kelamin, tanggal_lahir, kode_desa of ROWS generated people
# (scale 0.2 of NTB is ~1.15 M people).
"$bin" generate --province 52 --scale 0.2 --seed 2025 --out "$work/world" >&2
list="$work/penerima.csv"
head -n $((rows + 1)) "$work/world/penduduk.csv" | cut -d, -f2-6,19 > "$list"
rm -rf "$work/world"
# The same rows as an XLSX workbook, text in shared strings as Excel writes it (XLSX=skip: none).
xlsx="$work/penerima.xlsx"
if [ "${XLSX:-}" != skip ]; then python3 scripts/csv-to-xlsx.py "$list" "$xlsx"; fi
got=$(($(wc -l < "$list") - 1))
[ "$got" = "$rows" ] || { echo "hanya $got baris dibuat" >&2; exit 1; }
printf 'kode_mitra,nama,kode_wilayah,peran\nM-BENCH,Mitra Bench,52,dunia usaha\n' > "$work/mitra.csv"

# Runs a command under /usr/bin/time -v; prints "wall_s cpu_s peak_mib".
measure() {
    local out="$work/time.txt"
    /usr/bin/time -v -o "$out" "$@" > "$work/cmd.log" 2>&1 || { cat "$work/cmd.log" "$out" >&2; exit 1; }
    awk -F': ' '
        /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {m=$2}
        /Elapsed \(wall clock\)/ {n=split($2, t, ":"); w=0; for (i=1; i<=n; i++) w=w*60+t[i]}
        END {printf "%.1f %.1f %.0f\n", w, u+s, m/1024}' "$out"
}

# A fresh database with the regions, an administrator of NTB and the organisation.
prepare() { # database
    printf 'sandi-bench-12345\n' |
        "$bin" admin create --nama-pengguna bench.admin --wilayah 52 --database "$1" >/dev/null
    "$bin" registri impor mitra "$work/mitra.csv" --database "$1" >/dev/null
}
ours() { # database [file]
    measure "$bin" daftar impor "${2:-$list}" --sebagai bench.admin --organisasi "Mitra Bench" \
        --dasar-hukum tugas_publik --rujukan "bench" --database "$1"
    # Every row stored, or the figures mean nothing.
    grep -q "): $rows orang untuk" "$work/cmd.log" || { cat "$work/cmd.log" >&2; exit 1; }
}
row() { # backend, tool, wall, cpu, rss
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rows" "$3" "$4" "$5" >> "$report"
}

{
    echo "## Issue 16 — person-list import, \`sinergi daftar impor\` ($(date -u +%Y-%m-%d))"
    echo
    echo "| Machine | |"
    echo "|---|---|"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (\`nproc\` = $(nproc)) |"
    echo "| Memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| Rust | $(rustc --version) ($profile profile) |"
    echo "| SQLite CLI | $(sqlite3 --version | cut -d' ' -f1) |"
    if [ $pg_ok = 1 ]; then echo "| PostgreSQL | $(psql "$pg_url" -Atqc 'SHOW server_version') (local, same machine) |"; fi
    echo "| Commit | $(git rev-parse --short HEAD) |"
    echo "| Load average at start | $(cut -d' ' -f1-3 /proc/loadavg) |"
    echo
    echo "File: $rows valid rows, 6 columns, $(du -m "$list" | cut -f1) MB. Sinergi reads, checks"
    echo "(NIK/KK, dates, region), seals NIK/KK/address and stores in one transaction, as the"
    echo "job a user's upload runs; the peers load the same text into one table without checks."
    echo
    echo "| Backend | Tool | Rows | Wall s | CPU s | Peak RSS MiB |"
    echo "|---|---|---:|---:|---:|---:|"
} > "$report"

db="$work/sinergi.db"
prepare "$db"
read -r w c m < <(ours "$db")
row SQLite "sinergi daftar impor" "$w" "$c" "$m"
rm -f "$db"*
if [ -f "$xlsx" ]; then
    prepare "$db"
    read -r w c m < <(ours "$db" "$xlsx")
    row SQLite "sinergi daftar impor (same rows as XLSX)" "$w" "$c" "$m"
    rm -f "$db"*
fi
read -r w c m < <(measure sqlite3 "$work/peer.db" ".import --csv $list penerima")
row SQLite "sqlite3 .import --csv" "$w" "$c" "$m"
rm -f "$work/peer.db"

if [ $pg_ok = 1 ]; then
    pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
    pg_admin "CREATE DATABASE $pg_db"
    prepare "$(pg_target)"
    read -r w c m < <(ours "$(pg_target)")
    row PostgreSQL "sinergi daftar impor" "$w" "$c" "$m"
    pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
    if [ -f "$xlsx" ]; then
        pg_admin "CREATE DATABASE $pg_db"
        prepare "$(pg_target)"
        read -r w c m < <(ours "$(pg_target)" "$xlsx")
        row PostgreSQL "sinergi daftar impor (same rows as XLSX)" "$w" "$c" "$m"
        pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
    fi
    pg_admin "CREATE DATABASE $pg_db"
    psql "$(pg_target)" -v ON_ERROR_STOP=1 -qc \
        "CREATE TABLE penerima (nik text, no_kk text, nama text, jenis_kelamin text, tanggal_lahir text, kode_desa text)"
    read -r w c m < <(measure psql "$(pg_target)" -v ON_ERROR_STOP=1 -qc "\\copy penerima FROM '$list' CSV HEADER")
    row PostgreSQL "psql \\copy (client only; the server's CPU is not in it)" "$w" "$c" "$m"
    pg_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
else
    echo "| PostgreSQL | NOT MEASURED (server unreachable or PG=skip) | | | | |" >> "$report"
fi
echo >> "$report"
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$report"
mv "$report" bench/out/import.md
cat bench/out/import.md
