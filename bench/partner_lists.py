#!/usr/bin/env python3
"""Partner lists as they come, from `sinergi generate --linkage N` (stdlib only).

Splits linkage/records.csv (which already carries typos, name variants, transposed and
Excel-damaged NIKs, day/month swaps, old KK numbers) into a DTSEN-like register and three
partner lists, each in its own layout and with the further errors of real lists:

- register.csv  id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa (ids "R…")
- baznas.csv    No, Nama Mustahik, NIK, NO. KK, "Tempat, Tgl Lahir", JK, Desa, Kecamatan,
                Kabupaten; no id column (linked by line number); NIK placeholders, No. KK in
                the NIK field, H./Hj. titles, Amaq/Inaq teknonyms
- csr.csv       nama_lengkap, nik, jk, umur, desa, kecamatan, kabupaten_kota; age only,
                scientific-notation NIKs, region aliases (Lotim, KSB, Loteng)
- lsm.csv       id_lsm (not an id alias: linked by line number), nama, nik, jenis_kelamin, tgl_lahir (DD/MM/YYYY or year only),
                no_kk, kode_wilayah; S.Pd. titles, Muh./Moh., people who moved desa, split KK
- truth_register_<list>.csv  id,person_id: the register's ids ("R…") and the list's line
                numbers, for `sinergi link register.csv <list>.csv --kebenaran …`

  python3 bench/partner_lists.py OUT/linkage OUT/partner --seed 7 --reference 2026-12-01
"""
import argparse, csv, gzip, os, random
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WILAYAH = os.path.join(ROOT, "crates", "refdata", "data", "wilayah.tsv.gz")
ALIASES = {"52.03": "Lotim", "52.07": "KSB", "52.02": "Loteng", "52.01": "Lobar"}


def regions():
    names = {}
    with gzip.open(WILAYAH, "rt", encoding="utf-8") as f:
        for line in f:
            code, name = line.split("\t")[:2]
            if code.startswith("52"):
                names[code.replace(".", "")] = name
    return names


def dotted(code):
    return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("linkage")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reference", default="2026-12-01")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ref_year = int(a.reference[:4])
    ref_md = int(a.reference[5:7]) * 100 + int(a.reference[8:10])
    names = regions()
    by_kec = defaultdict(list)
    for code in names:
        if len(code) == 10:
            by_kec[code[:6]].append(code)
    with open(os.path.join(a.linkage, "truth.csv"), newline="") as f:
        truth = {r["id"]: r["person_id"] for r in csv.DictReader(f)}
    with open(os.path.join(a.linkage, "records.csv"), newline="") as f:
        records = list(csv.DictReader(f))
    os.makedirs(a.out, exist_ok=True)
    files = {}
    writers = {}
    layouts = {
        "register": ["id", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_kk", "kode_desa"],
        "baznas": ["No", "Nama Mustahik", "NIK", "NO. KK", "Tempat, Tgl Lahir", "JK", "Desa",
                   "Kecamatan", "Kabupaten"],
        "csr": ["nama_lengkap", "nik", "jk", "umur", "desa", "kecamatan", "kabupaten_kota"],
        "lsm": ["id_lsm", "nama", "nik", "jenis_kelamin", "tgl_lahir", "no_kk", "kode_wilayah"],
    }
    for name, header in layouts.items():
        files[name] = open(os.path.join(a.out, f"{name}.csv"), "w", newline="")
        writers[name] = csv.writer(files[name])
        writers[name].writerow(header)
    truth_out = {n: open(os.path.join(a.out, f"truth_{n}.csv"), "w", newline="")
                 for n in ("baznas", "csr", "lsm")}
    truth_w = {n: csv.writer(f) for n, f in truth_out.items()}
    register_truth = []
    lines = defaultdict(lambda: 1)
    counts = defaultdict(int)

    def place(code):
        code = code.replace(".", "")
        if len(code) != 10 or code not in names:
            return "", "", ""
        return names.get(code[:4], ""), names.get(code[:6], ""), names[code]

    def birth(date):
        return date if len(date) == 10 and date[4] == "-" else ""

    for r in records:
        person = truth[r["id"]]
        nik, nama, sex, date, kk, desa = (r["nik"], r["nama"], r["jenis_kelamin"],
                                          r["tanggal_lahir"], r["no_kk"], r["kode_desa"])
        which = rng.choices(["register", "baznas", "csr", "lsm"], [40, 20, 20, 20])[0]
        counts[which] += 1
        lines[which] += 1
        line = lines[which]
        adult = birth(date) and ref_year - int(date[:4]) >= 30
        if which == "register":
            writers[which].writerow([f"R{r['id']}", nik, nama, sex, date, kk, desa])
            register_truth.append((f"R{r['id']}", person))
            continue
        if which == "baznas":
            u = rng.random()
            if u < 0.30:
                nik = rng.choice(["belum ada", "-", "0", ""])
            elif u < 0.34 and kk:
                nik = kk  # No. KK written in the NIK field
            if adult and rng.random() < 0.15:
                nama = ("H. " if sex == "L" else "Hj. ") + nama
            elif adult and rng.random() < 0.05:
                nama = ("Amaq " if sex == "L" else "Inaq ") + nama.split(" ")[-1]
            kab, kec, ds = place(desa)
            d = birth(date)
            ttl = f"{kec or 'Selong'}, {d[8:10]}-{d[5:7]}-{d[:4]}" if d else ""
            writers[which].writerow([line - 1, nama, nik, kk, ttl, sex, ds, kec, kab])
        elif which == "csr":
            if rng.random() < 0.20:
                nik = ""
            elif nik and rng.random() < 0.10:
                nik = f"{nik[0]}.{nik[1:6]}E+15"
            kab, kec, ds = place(desa)
            if kab and rng.random() < 0.5:
                kab = ALIASES.get(dotted(desa.replace('.', ''))[:5], kab)
            d = birth(date)
            age = ""
            if d:
                y, md = int(d[:4]), int(d[5:7]) * 100 + int(d[8:10])
                age = ref_year - y - (1 if md > ref_md else 0)
            sexw = {"L": "Laki-laki", "P": "Perempuan"}.get(sex, "")
            writers[which].writerow([nama, nik, sexw, age, ds, kec, kab])
        else:
            if rng.random() < 0.25:
                nik = ""
            if rng.random() < 0.03:
                nama = nama + ", S.Pd."
            nama = nama.replace("Muhammad ", rng.choice(["Muh. ", "Moh. ", "Muhammad "]))
            d = birth(date)
            if d and rng.random() < 0.2:
                tgl = d[:4]
            elif d:
                tgl = f"{d[8:10]}/{d[5:7]}/{d[:4]}"
            else:
                tgl = ""
            code = desa.replace(".", "")
            if len(code) == 10 and rng.random() < 0.05 and by_kec[code[:6]]:
                code = rng.choice(by_kec[code[:6]])  # moved within the kecamatan
            if kk and rng.random() < 0.05:
                kk = kk[:12] + f"{rng.randrange(10000):04d}"  # a new KK after a split
            writers[which].writerow([f"L{r['id']}", nama, nik, sex, tgl, kk, code])
        truth_w[which].writerow([str(line), person])
    for f in files.values():
        f.close()
    for n, f in truth_out.items():
        f.close()
        # Each partner list's truth with the register's.
        with open(os.path.join(a.out, f"truth_{n}.csv")) as src:
            body = src.read()
        with open(os.path.join(a.out, f"truth_register_{n}.csv"), "w", newline="") as dst:
            w = csv.writer(dst)
            w.writerow(["id", "person_id"])
            w.writerows(register_truth)
            dst.write(body)
        os.remove(os.path.join(a.out, f"truth_{n}.csv"))
    print(dict(counts))


if __name__ == "__main__":
    main()
