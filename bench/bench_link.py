#!/usr/bin/env python3
"""Linkage benchmark driver (stdlib only). Run through scripts/bench-link.sh.

For each size: generates the synthetic NTB linkage list (sinergi generate --linkage N), runs
`sinergi link` (release) and measures wall time and the child's peak RSS (wait4), computes
pairwise precision/recall/F1 and cluster F1 from its output files against truth.csv, and
takes blocking recall from a second run with --kebenaran (not timed). With --splink, runs
bench/splink_dedupe.py in bench/.venv on the same file with an equivalent model, measured
the same way, and prints the ratio. Markdown goes to stdout, progress to stderr.
"""
import argparse, csv, json, os, platform, subprocess, sys, time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINERGI = os.environ.get("SINERGI_BIN", os.path.join(ROOT, "target", "release", "sinergi"))
# Ages in the partner lists (`linkage/mitra/csr.csv`) are counted at the synthetic world's
# reference date (sinergi_synth::reference_date).
AGES_AT = "2025-09-30"
VENV_PY = os.path.join(ROOT, "bench", ".venv", "bin", "python")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def measured_isolated(cmd):
    """Runs cmd; returns (seconds, peak RSS in MiB, CPU seconds (user + system), stdout).
    RUSAGE_CHILDREN's maximum spans all children so far, so each command runs under a fresh
    Python and is measured alone. CPU seconds hardly change with the load other processes put
    on the machine, while wall time does."""
    wrapper = (
        "import resource,subprocess,sys,time,json;t=time.monotonic();"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "s=time.monotonic()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);r=u.ru_maxrss/1024;"
        "sys.stderr.write(p.stderr);print(json.dumps([p.returncode,s,r,u.ru_utime+u.ru_stime,p.stdout]))"
    )
    p = subprocess.run([sys.executable, "-c", wrapper] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    code, secs, rss, cpu, out = json.loads(p.stdout.strip().splitlines()[-1])
    if code != 0:
        log(out, p.stderr)
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
    return secs, rss, cpu, out


def measured(cmd, repeat):
    """measured_isolated `repeat` times: median wall and CPU seconds (one run can meet a busy
    moment of a shared machine), the largest peak RSS, the last run's stdout."""
    runs = [measured_isolated(cmd) for _ in range(repeat)]
    med = lambda k: sorted(r[k] for r in runs)[len(runs) // 2]
    return med(0), max(r[1] for r in runs), med(2), runs[-1][3]


def generate(size, out_dir):
    records = os.path.join(out_dir, "linkage", "records.csv")
    if os.path.exists(records):
        return records
    log(f"generating {size} records…")
    subprocess.run([SINERGI, "generate", "--province", "52", "--scale", "0.01", "--seed", "2025",
                    "--out", out_dir, "--linkage", str(size)], check=True, stdout=subprocess.DEVNULL)
    return records


def read_truth(path):
    with open(path, newline="") as f:
        return {r["id"]: r["person_id"] for r in csv.DictReader(f)}


def pair_count(groups):
    return sum(k * (k - 1) // 2 for k in groups)


def metrics(truth, pairs, clusters):
    """pairs: iterable of (id, id) predicted matches; clusters: {id: cluster}."""
    true_pairs = pair_count(Counter(truth.values()).values())
    predicted = tp = 0
    for a, b in pairs:
        predicted += 1
        tp += truth[a] == truth[b]
    cl_pairs = pair_count(Counter(clusters.values()).values())
    cl_tp = pair_count(Counter((clusters[i], truth[i]) for i in truth).values())

    def prf(tp, pred, act):
        p = tp / pred if pred else 0.0
        r = tp / act if act else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    p, r, f = prf(tp, predicted, true_pairs)
    cp, cr, cf = prf(cl_tp, cl_pairs, true_pairs)
    return dict(true_pairs=true_pairs, precision=p, recall=r, f1=f,
                cluster_precision=cp, cluster_recall=cr, cluster_f1=cf)


def sinergi_outputs(out_dir, threshold):
    with open(os.path.join(out_dir, "pasangan.csv"), newline="") as f:
        pairs = [(r["id_kiri"], r["id_kanan"]) for r in csv.DictReader(f)
                 if float(r["probabilitas"]) >= threshold or r["keputusan"] == "terima"]
    with open(os.path.join(out_dir, "klaster.csv"), newline="") as f:
        clusters = {r["id"]: r["klaster"] for r in csv.DictReader(f)}
    return pairs, clusters


def run_sinergi(records, truth_path, work, threshold, repeat):
    out = os.path.join(work, "sinergi")
    secs, rss, cpu, stdout = measured([SINERGI, "link", records, "--keluar", out,
                                       "--ambang", str(threshold)], repeat)
    log(stdout)
    truth = read_truth(truth_path)
    m = metrics(truth, *sinergi_outputs(out, threshold))
    # Blocking recall needs the candidates: a second, untimed run with the truth file.
    eval_out = os.path.join(work, "sinergi-eval")
    subprocess.run([SINERGI, "link", records, "--keluar", eval_out, "--ambang", str(threshold),
                    "--kebenaran", truth_path], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(eval_out, "evaluasi.json")) as f:
        e = json.load(f)
    m["blocking_recall"] = e["blocking_recall"]
    assert abs(e["f1"] - m["f1"]) < 1e-3, (e, m)
    candidates = next((l for l in stdout.splitlines() if "pasangan kandidat" in l), "")
    m["candidates"] = candidates.split(" pasangan kandidat")[0].split(", ")[-1] if candidates else "?"
    return dict(secs=secs, rss=rss, cpu=cpu, **m)


def run_partner(work, files, truth_path, threshold):
    """One `sinergi link` of partner files (one: de-duplication, two: the register against a
    list), timed, then evaluated from its own evaluasi.json (a second, untimed run with the
    truth: pairwise and cluster F1 over the pairs the run is about, cross-list for two
    files)."""
    out = os.path.join(work, "sinergi")
    cmd = [SINERGI, "link", *files, "--keluar", out, "--ambang", str(threshold),
           "--tanggal-acuan", AGES_AT]
    secs, rss, cpu, stdout = measured(cmd, 1)
    log(stdout)
    subprocess.run(cmd + ["--kebenaran", truth_path], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "evaluasi.json")) as f:
        e = json.load(f)
    return dict(secs=secs, rss=rss, cpu=cpu, **e)


def partners(size, work, threshold):
    """The register against each partner list, and each list de-duplicated, as they come
    from `sinergi generate --linkage` (linkage/mitra/)."""
    mitra = os.path.join(work, "linkage", "mitra")
    rows = []
    for name in ("baznas", "csr", "lsm"):
        truth = os.path.join(mitra, f"truth_register_{name}.csv")
        lst = os.path.join(mitra, f"{name}.csv")
        log(f"partners {size}: register × {name}…")
        rows.append((f"register × {name}", run_partner(
            os.path.join(work, f"mitra-{name}"), [os.path.join(mitra, "register.csv"), lst],
            truth, threshold)))
        log(f"partners {size}: {name} de-duplicated…")
        rows.append((f"{name} (de-dup)", run_partner(
            os.path.join(work, f"mitra-{name}-dedup"), [lst], truth, threshold)))
    return rows


def ensure_splink():
    if os.path.exists(VENV_PY):
        return
    log("creating bench/.venv and installing splink…")
    subprocess.run([sys.executable, "-m", "venv", os.path.join(ROOT, "bench", ".venv")], check=True)
    subprocess.run([VENV_PY, "-m", "pip", "install", "-q", "splink"], check=True)


def run_splink(records, truth_path, work, threshold, repeat):
    out = os.path.join(work, "splink")
    os.makedirs(out, exist_ok=True)
    secs, rss, cpu, stdout = measured([VENV_PY, os.path.join(ROOT, "bench", "splink_dedupe.py"),
                                       records, out, str(threshold)], repeat)
    log(stdout)
    truth = read_truth(truth_path)
    with open(os.path.join(out, "pairs.csv"), newline="") as f:
        pairs = [(r["id_l"], r["id_r"]) for r in csv.DictReader(f)]
    with open(os.path.join(out, "clusters.csv"), newline="") as f:
        clusters = {r["id"]: r["cluster_id"] for r in csv.DictReader(f)}
    for i in truth:
        clusters.setdefault(i, "single-" + i)
    m = metrics(truth, pairs, clusters)
    info = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    return dict(secs=secs, rss=rss, cpu=cpu, blocking_recall=None, candidates="—", **m)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    load = open("/proc/loadavg").read().split()[:3]
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return cpu, os.cpu_count(), mem / 1024 / 1024, load, rustc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--splink", action="store_true")
    ap.add_argument("--splink-max", type=int, default=1_000_000, help="largest size Splink runs on")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per tool and size (median)")
    ap.add_argument("--partners", action="store_true",
                    help="also link the partner layouts (linkage/mitra/) against the register")
    ap.add_argument("--partners-only", action="store_true",
                    help="only the partner layouts (no Splink, no synthetic de-duplication)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.splink:
        ensure_splink()
    cpu, cores, mem, load, rustc = machine()
    rows = []
    partner_rows = []
    for size in sizes:
        work = os.path.join(ROOT, "bench", "out", f"link-{size}")
        records = generate(size, work)
        truth = os.path.join(work, "linkage", "truth.csv")
        if args.partners or args.partners_only:
            partner_rows += [(size, *r) for r in partners(size, work, args.threshold)]
        if args.partners_only:
            continue
        log(f"sinergi link, {size} records…")
        s = run_sinergi(records, truth, work, args.threshold, args.repeat)
        rows.append(("sinergi", size, s))
        if args.splink and size <= args.splink_max:
            log(f"splink, {size} records…")
            rows.append(("splink", size, run_splink(records, truth, work, args.threshold, args.repeat)))
    load_after = open("/proc/loadavg").read().split()[:3]
    print(f"Machine: {cpu}, {cores} cores, {mem:.1f} GiB; {rustc}; {platform.platform()}")
    print(f"Date: {time.strftime('%Y-%m-%d')}; load average before {' '.join(load)}, after {' '.join(load_after)}")
    print(f"Wall and CPU seconds: median of {args.repeat} runs per tool and size; peak RSS: the largest.")
    print()
    print("| tool | records | wall (s) | CPU (s) | peak RSS (MiB) | candidate pairs | blocking recall | precision | recall | pairwise F1 | cluster F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tool, size, r in rows:
        br = f"{r['blocking_recall']:.4f}" if r["blocking_recall"] is not None else "—"
        print(f"| {tool} | {size:,} | {r['secs']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | {r['candidates']} | {br} | "
              f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['cluster_f1']:.4f} |")
    if partner_rows:
        print()
        print(f"Partner layouts (`linkage/mitra/`, ages at {AGES_AT}; one run each):")
        print()
        print("| records | run | wall (s) | CPU (s) | peak RSS (MiB) | true pairs | blocking recall | precision | recall | pairwise F1 | cluster F1 |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size, name, r in partner_rows:
            print(f"| {size:,} | {name} | {r['secs']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | "
                  f"{r['true_pairs']:,} | {r['blocking_recall']:.4f} | {r['precision']:.4f} | "
                  f"{r['recall']:.4f} | {r['f1']:.4f} | {r['cluster_f1']:.4f} |")
    by = {(t, s): r for t, s, r in rows}
    for size in sizes:
        if ("splink", size) in by:
            a, b = by[("sinergi", size)], by[("splink", size)]
            print(f"\n{size:,} records: sinergi is {b['secs'] / a['secs']:.1f}× faster (wall; "
                  f"{b['cpu'] / a['cpu']:.1f}× less CPU time) and uses "
                  f"{b['rss'] / a['rss']:.1f}× less peak memory than Splink; pairwise F1 "
                  f"{a['f1']:.4f} vs {b['f1']:.4f}, cluster F1 {a['cluster_f1']:.4f} vs {b['cluster_f1']:.4f}.")


if __name__ == "__main__":
    main()
