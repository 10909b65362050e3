#!/usr/bin/env python3
"""TEMPORARY linkage test-data generator, standing in until `sinergi generate --linkage`
(branch synth) lands. Writes DIR/linkage/records.csv (id,nik,nama,jenis_kelamin,
tanggal_lahir,no_kk,kode_desa) and DIR/linkage/truth.csv (id,person_id) with recording
errors: typos, name variants and titles, swapped name order, missing/transposed/
Excel-truncated NIK, day/month swap, old KK, missing values.

    python3 bench/gen_linkage_tmp.py OUT_DIR RECORDS [SEED]
"""
import os, random, sys

out, n_records = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 52)

MALE = ("muhammad ahmad abdul rizki fauzi hasan husain ilham yusuf zainuddin wahyu agus budi "
        "dedi eko hendra imam joko lukman nurdin rahman saiful sahabuddin syamsul taufik usman "
        "wayan made ketut komang gede putu nyoman kadek arif bayu candra dimas fajar gilang "
        "hadi irfan jamal khairul lalu mahsun nasrun oki pandu qomar rudi samsul tri umar "
        "zulkifli haerul sapri junaidi mustafa rasyid ramli idris kamarudin sukri suparman "
        "amir anwar bahri darmawan firman habibi ismail jafar kurniawan mansur naim").split()
FEMALE = ("siti nur aminah fatimah aisyah khadijah maryam zahra dewi sri wulan rina ani "
          "yuliana baiq ni luh ayu putri lestari handayani wahyuni rahmawati kartini "
          "susanti hidayah mariani nurhayati halimah juleha rohani sumarni salmah "
          "hartini inaq jumiati lina murni nengah rosita sakinah tuti umi wati yanti "
          "zubaidah aini badriah cahaya dahlia erna fitri gina hasanah indah").split()
SURN = ("hidayat rahman saputra wijaya setiawan kusuma pratama santoso hakim fauzan "
        "ramadhan maulana syahputra nugraha gunawan suryadi firdaus hamdani marzuki "
        "mahmud harun ridwan sulaiman zakaria azhari basri hamzah iskandar jailani "
        "kamal lubis munir nasution pohan rangkuti sembiring tanjung").split()
VARIANTS = {"muhammad": ["muhamad", "mohammad", "moh.", "muh.", "m."], "nur": ["nurul", "noor"],
            "ahmad": ["achmad", "akhmad"], "siti": ["sitti"], "abdul": ["abd."]}
TITLES_PRE = ["H.", "Hj.", "Drs.", "Dra.", "Ir.", "Ust.", "dr."]
TITLES_POST = [", S.Pd.", ", S.E.", ", S.H.", ", M.Si", ", S.Pd.I"]

def rand_date():
    y = rng.randint(1940, 2020)
    return y, rng.randint(1, 12), rng.randint(1, 28)

KEC = [f"52{k:02d}{c:02d}" for k in range(1, 11) for c in range(1, 13)]

def make_person(pid):
    female = rng.random() < 0.5
    pool = FEMALE if female else MALE
    toks = []
    if female and rng.random() < 0.15: toks.append("baiq")
    if not female and rng.random() < 0.15: toks.append("lalu")
    toks.append(rng.choice(pool))
    r = rng.random()
    if r < 0.85: toks.append(rng.choice(pool + SURN))
    if r < 0.35: toks.append(rng.choice(SURN))
    y, m, d = rand_date()
    kec = rng.choice(KEC)
    dd = d + 40 if female else d
    serial = rng.randint(1, 9999)
    nik = f"{kec}{dd:02d}{m:02d}{y % 100:02d}{serial:04d}"
    kk = f"{kec}{rng.randint(1,28):02d}{rng.randint(1,12):02d}{rng.randint(0,23):02d}{rng.randint(1,9999):04d}"
    desa = f"{kec}{rng.randint(2001, 2015)}"
    return dict(pid=pid, toks=toks, female=female, y=y, m=m, d=d, nik=nik, kk=kk, desa=desa)

def typo(s):
    if len(s) < 3: return s
    i = rng.randrange(1, len(s))
    op = rng.random()
    c = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op < 0.4: return s[:i] + c + s[i + 1:]
    if op < 0.7: return s[:i] + s[i + 1:]
    return s[:i] + c + s[i:]

def record(p, first):
    toks = list(p["toks"])
    if not first:
        if rng.random() < 0.25:
            i = rng.randrange(len(toks)); toks[i] = typo(toks[i])
        if rng.random() < 0.2:
            toks = [rng.choice(VARIANTS[t]) if t in VARIANTS and rng.random() < 0.8 else t for t in toks]
        if rng.random() < 0.08 and len(toks) > 1: toks = toks[1:] + toks[:1]
        if rng.random() < 0.05 and len(toks) > 2: toks = toks[:-1]
    name = " ".join(t.capitalize() if rng.random() < 0.5 else t.upper() for t in toks)
    if not first and rng.random() < 0.1: name = rng.choice(TITLES_PRE) + " " + name
    if not first and rng.random() < 0.05: name = name + rng.choice(TITLES_POST)
    nik = p["nik"]
    if not first:
        r = rng.random()
        if r < 0.08: nik = ""
        elif r < 0.12:
            i = rng.randrange(12, 15); nik = nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]
        elif r < 0.15: nik = nik[:15]
        elif r < 0.17:
            i = rng.randrange(6, 16); nik = nik[:i] + str(rng.randint(0, 9)) + nik[i + 1:]
    y, m, d = p["y"], p["m"], p["d"]
    date = f"{y:04d}-{m:02d}-{d:02d}"
    if not first:
        r = rng.random()
        if r < 0.05 and d <= 12: date = f"{y:04d}-{d:02d}-{m:02d}"
        elif r < 0.08: date = f"{y + rng.choice([-1, 1]):04d}-{m:02d}-{d:02d}"
        elif r < 0.10: date = ""
    sex = ("P" if p["female"] else "L") if rng.random() < 0.97 else ""
    kk = p["kk"]
    if not first and rng.random() < 0.2:
        kk = kk[:6] + f"{rng.randint(1,28):02d}{rng.randint(1,12):02d}{rng.randint(0,23):02d}{rng.randint(1,9999):04d}"
    if not first and rng.random() < 0.1: kk = ""
    desa = p["desa"]
    if not first and rng.random() < 0.1: desa = desa[:6] + str(rng.randint(2001, 2015))
    return [nik, name, sex, date, kk, desa]

os.makedirs(os.path.join(out, "linkage"), exist_ok=True)
rows, truth = [], []
pid = 0
while len(rows) < n_records:
    p = make_person(pid); pid += 1
    k = 1
    r = rng.random()
    if r < 0.30: k = 2
    if r < 0.10: k = 3
    if r < 0.03: k = 4
    for i in range(min(k, n_records - len(rows))):
        rid = f"R{len(rows) + 1:08d}"
        rows.append([rid] + record(p, i == 0)); truth.append((rid, f"P{p['pid']:08d}"))
order = list(range(len(rows))); rng.shuffle(order)
with open(os.path.join(out, "linkage", "records.csv"), "w") as f:
    f.write("id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n")
    for i in order:
        f.write(",".join('"%s"' % v if "," in v else v for v in rows[i]) + "\n")
with open(os.path.join(out, "linkage", "truth.csv"), "w") as f:
    f.write("id,person_id\n")
    for i in order:
        f.write("%s,%s\n" % truth[i])
