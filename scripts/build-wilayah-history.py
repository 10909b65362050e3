#!/usr/bin/env python3
"""Build Sinergi's embedded region history from cahyadsn/wilayah (MIT).

    python3 scripts/build-wilayah-history.py [DIR]   # DIR defaults to ../shared/data/wilayah/cahyadsn

DIR holds wilayah_{2016,2018,2020,2022,2023}.csv (kode,nama,level,parent), parsed from the
archived SQL dumps of https://github.com/cahyadsn/wilayah. Writes
crates/refdata/data/wilayah_history.tsv.gz: every code of those lists that the current embedded
list (crates/refdata/data/wilayah.tsv.gz) no longer has, one per line,
`code<TAB>name<TAB>years` with `years` the comma-separated list labels it appears in. Codes still
current are left out: the current list already knows them. Kab/kota names are written as the
current list writes them ("KAB. MERAUKE" becomes "Kabupaten Merauke"). gzip with a fixed
timestamp, so reruns are byte-identical.
"""
import csv, gzip, io, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CURRENT = os.path.join(ROOT, "crates", "refdata", "data", "wilayah.tsv.gz")
OUT = os.path.join(ROOT, "crates", "refdata", "data", "wilayah_history.tsv.gz")
YEARS = ["2016", "2018", "2020", "2022", "2023"]


def kabkota_name(name):
    words = name.replace(".", ". ").split()
    head = words[0].rstrip(".").upper()
    rest = " ".join(w.capitalize() for w in words[1:])
    if head == "KAB":
        return f"Kabupaten {rest}"
    if head == "KOTA":
        return f"Kota {rest}"
    sys.exit(f"kab/kota name without KAB./KOTA: {name}")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "wilayah", "cahyadsn")
    with gzip.open(CURRENT, "rt", encoding="utf-8") as f:
        current = {line.split("\t", 1)[0] for line in f}
    retired = {}  # code -> (name, [years])
    for year in YEARS:
        with open(os.path.join(src, f"wilayah_{year}.csv"), encoding="utf-8") as f:
            for r in csv.DictReader(f):
                code, name = r["kode"].strip(), " ".join(r["nama"].split())
                if code in current:
                    continue
                if len(code) == 5:
                    name = kabkota_name(name)
                if "\t" in name or not name:
                    sys.exit(f"bad name for {code} in {year}")
                entry = retired.setdefault(code, [name, []])
                entry[0] = name  # the newest list's spelling
                entry[1].append(year)
    for code in retired:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent and parent not in current and parent not in retired:
            sys.exit(f"orphan {code}: parent {parent} in no list")
    buf = io.StringIO()
    for code in sorted(retired):
        name, years = retired[code]
        buf.write(f"{code}\t{name}\t{','.join(years)}\n")
    with open(OUT, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"wrote {OUT}: {len(retired)} retired codes ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
