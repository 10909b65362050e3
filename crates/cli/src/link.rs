//! `sinergi link`: reads one or two lists (intake), links them (sinergi-link) and writes the
//! pairs, clusters and review queue. Outputs go to temporary files in the target directory
//! and are renamed only once all of them are complete.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use chrono::Datelike;
use rayon::prelude::*;
use sinergi_core::RegionKind;
use sinergi_core::Table;
use sinergi_core::region_match::{NamedRegion, RegionNameIndex};
use sinergi_link::mapping::{self, Choice};
use sinergi_link::{Decision, Input, Linker, Model, Outcome, ScoredPair, Settings};
use tempfile::NamedTempFile;

use crate::args::LinkArgs;

fn read_table(path: &Path) -> anyhow::Result<Table> {
    sinergi_intake::read_table_file(path).map_err(|e| {
        anyhow!(
            "berkas {} ditolak, tidak ada keluaran yang ditulis. {}",
            path.display(),
            crate::lang::table_error(&crate::lang::messages(), &e)
        )
    })
}

/// A linkage error in the CLI's language.
fn shown(e: &sinergi_link::LinkError) -> String {
    crate::lang::messages().render(&sinergi_core::Localized::msg(e))
}

fn file_label(path: &Path) -> String {
    path.display().to_string()
}

/// A run allocates and frees arrays of tens of megabytes stage after stage. glibc hands each
/// large block back to the kernel and the next one is faulted in again as fresh zeroed pages
/// (about a third of the system time at 1 M records); for this one batch run freed memory stays in
/// the process and is reused. The server keeps glibc's defaults.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes the allocator's settings for later allocations.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

pub fn run(args: LinkArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_freed_memory();
    let mut settings = match &args.pengaturan {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("berkas pengaturan {} tidak bisa dibaca", path.display())
            })?;
            Settings::from_toml(&text)
                .map_err(|e| anyhow!("berkas pengaturan {}: {}", path.display(), shown(&e)))?
        }
        None => Settings::person_preset(),
    };
    if let Some(d) = &args.tanggal_acuan {
        if mapping::reference_year(d).is_none() {
            bail!("nilai --tanggal-acuan \"{d}\" tidak sah (tulis YYYY-MM-DD, mis. 2025-09-30)");
        }
        settings.reference_date = Some(d.clone());
    }
    if let Some(t) = args.ambang {
        if !(t > 0.0 && t < 1.0) {
            bail!("nilai --ambang {t} tidak sah (harus di antara 0 dan 1, mis. 0.9)");
        }
        settings.threshold = t;
        settings.review_floor = settings.review_floor.min(t);
    }
    let model = match &args.model {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("berkas model {} tidak bisa dibaca", path.display()))?;
            Some(
                Model::from_json(&text, &settings)
                    .map_err(|e| anyhow!("berkas model {}: {}", path.display(), shown(&e)))?,
            )
        }
        None => None,
    };
    let progress = crate::progress::Steps::new(3, "taut");
    progress.step("membaca berkas");
    let raw: Vec<Table> = args
        .files
        .iter()
        .map(|p| read_table(p))
        .collect::<anyhow::Result<_>>()?;
    let regions = if raw.iter().any(|t| mapping::needs_regions(&settings, t)) {
        Some(region_index()?)
    } else {
        None
    };
    let today = chrono::Utc::now().date_naive();
    let today = (today.year() as u32, today.month() * 100 + today.day());
    let mapped: Vec<mapping::Mapped> = raw
        .iter()
        .map(|t| mapping::map_table(&settings, t, today, regions.as_ref()))
        .collect();
    for (path, m) in args.files.iter().zip(&mapped) {
        print_mapping(path, m);
    }
    if let Some(column) = mapping::absent_everywhere(&settings, &mapped).first() {
        bail!(
            "{}. Tidak ada keluaran yang ditulis.",
            shown(&sinergi_link::LinkError::MissingColumn {
                file: file_label(&args.files[0]),
                column: column.to_string(),
                available: raw[0].header.join(", "),
            })
        );
    }
    drop(raw);
    if args.periksa {
        return Ok(());
    }
    let tables: Vec<Table> = mapped.into_iter().map(|m| m.table).collect();
    let inputs = args
        .files
        .iter()
        .zip(&tables)
        .map(|(p, t)| Input {
            name: file_label(p),
            table: t,
        })
        .collect();
    let read_secs = started.elapsed().as_secs_f64();
    let linker = Linker::new(settings, inputs)
        .map_err(|e| anyhow!("{}. Tidak ada keluaran yang ditulis.", shown(&e)))?;
    let decisions = match &args.keputusan {
        Some(path) => {
            let t = read_table(path)?;
            linker
                .decisions(&t)
                .map_err(|e| anyhow!("{} — {}", path.display(), shown(&e)))?
        }
        None => Vec::new(),
    };
    if let Some(ids) = &args.jelaskan {
        return explain(&linker, model, &decisions, &ids[0], &ids[1]);
    }
    let truth = match &args.kebenaran {
        Some(path) => Some(read_truth(&linker, path)?),
        None => None,
    };
    progress.step("mencocokkan pasangan");
    let outcome = linker.run(model, &decisions, truth.as_deref());
    let link_secs = started.elapsed().as_secs_f64() - read_secs;
    progress.step("menulis hasil");
    let out = &args.keluar;
    std::fs::create_dir_all(out)
        .with_context(|| format!("folder keluaran {} tidak bisa dibuat", out.display()))?;
    // The three files are formatted at the same time.
    let (pairs, (review, clusters)) = rayon::join(
        || write_pairs(&linker, &outcome, out),
        || {
            rayon::join(
                || write_review(&linker, &outcome, out),
                || write_clusters(&linker, &outcome, out),
            )
        },
    );
    let mut files = vec![
        ("pasangan.csv", pairs?),
        ("tinjauan.csv", review?),
        ("klaster.csv", clusters?),
    ];
    if let Some(e) = &outcome.evaluation {
        let mut f = NamedTempFile::new_in(out)?;
        f.write_all(serde_json::to_string_pretty(e)?.as_bytes())?;
        files.push(("evaluasi.json", f));
    }
    let mut model_file = None;
    if let Some(path) = &args.simpan_model {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut f = NamedTempFile::new_in(dir)
            .with_context(|| format!("berkas model {} tidak bisa ditulis", path.display()))?;
        f.write_all(outcome.model.to_json().as_bytes())?;
        model_file = Some((path.clone(), f));
    }
    // Everything is written; only now do the files take their names.
    for (name, f) in files {
        f.persist(out.join(name))
            .with_context(|| format!("{} tidak bisa disimpan", out.join(name).display()))?;
    }
    if let Some((path, f)) = model_file {
        f.persist(&path)
            .with_context(|| format!("model {} tidak bisa disimpan", path.display()))?;
    }
    drop(progress);
    print_summary(
        &linker,
        &outcome,
        out,
        read_secs,
        link_secs,
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// The region register as the name matcher reads it.
fn region_index() -> anyhow::Result<RegionNameIndex> {
    let regions = sinergi_refdata::wilayah()?
        .into_iter()
        .map(|e| NamedRegion {
            kind: RegionKind::infer(&e.code, &e.name),
            code: e.code,
            name: e.name,
        })
        .collect();
    Ok(RegionNameIndex::new(regions))
}

/// Which of the file's columns each settings column reads.
fn print_mapping(path: &Path, m: &mapping::Mapped) {
    println!("Kolom {}:", path.display());
    for (column, choice) in &m.choices {
        let from = match choice {
            Choice::Column(h) => format!("kolom \"{h}\""),
            Choice::Derived { transform, headers } => format!(
                "dibuat dari {} (ubah = {})",
                headers
                    .iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                transform.key()
            ),
            Choice::LineNumber => "nomor baris di berkas (kolom id tidak ada)".into(),
            Choice::Absent => "tidak ada di berkas ini: dianggap kosong".into(),
        };
        println!("  {column:<14} ← {from}");
    }
    for (column, n) in &m.unread {
        println!("  kolom {column}: {n} nilai sumber tidak terbaca, diperlakukan sebagai kosong");
    }
}

fn read_truth(linker: &Linker<'_>, path: &Path) -> anyhow::Result<Vec<u64>> {
    let t = read_table(path)?;
    let id = t.column_index("id").ok_or_else(|| {
        anyhow!(
            "berkas kebenaran {}: kolom \"id\" tidak ada",
            path.display()
        )
    })?;
    let person = t
        .column_index("person_id")
        .or_else(|| t.column_index("orang"))
        .ok_or_else(|| {
            anyhow!(
                "berkas kebenaran {}: kolom \"person_id\" tidak ada",
                path.display()
            )
        })?;
    let mut labels: HashMap<&str, u64> = HashMap::new();
    let mut truth = vec![u64::MAX; linker.records()];
    for row in 0..t.rows() {
        let p = t.columns[person].get(row);
        let next = labels.len() as u64;
        let label = *labels.entry(p).or_insert(next);
        let idv = t.columns[id].get(row);
        for source in 0..2 {
            if let Some(r) = linker.find(source, idv) {
                truth[r as usize] = label;
            }
        }
    }
    if let Some(r) = truth.iter().position(|l| *l == u64::MAX) {
        bail!(
            "berkas kebenaran {}: id \"{}\" tidak ada di dalamnya",
            path.display(),
            linker.id(r as u32).1
        );
    }
    Ok(truth)
}

fn temp_file(dir: &Path) -> anyhow::Result<NamedTempFile> {
    NamedTempFile::new_in(dir)
        .with_context(|| format!("folder keluaran {} tidak bisa ditulisi", dir.display()))
}

/// Rows per chunk when a file's rows are formatted in parallel.
const CHUNK: usize = 8192;

/// Writes `header`, then the rows of every item of `items` that `row` writes, formatted in
/// parallel chunks (each with its own CSV writer, so quoting is the same as one writer's) and
/// appended in order.
fn write_csv<T: Sync>(
    dir: &Path,
    header: &[String],
    items: &[T],
    row: impl Fn(&mut csv::Writer<Vec<u8>>, &mut String, &T) -> csv::Result<()> + Sync,
) -> anyhow::Result<NamedTempFile> {
    let chunks: Vec<Vec<u8>> = items
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut w = csv::Writer::from_writer(Vec::with_capacity(chunk.len() * 64));
            let mut buf = String::new();
            for item in chunk {
                row(&mut w, &mut buf, item)?;
            }
            w.into_inner()
                .map_err(|e| anyhow!("gagal menulis: {}", e.error()))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut head = csv::Writer::from_writer(Vec::new());
    head.write_record(header)?;
    let head = head
        .into_inner()
        .map_err(|e| anyhow!("gagal menulis: {}", e.error()))?;
    let mut f = std::io::BufWriter::with_capacity(1 << 20, temp_file(dir)?);
    f.write_all(&head)?;
    for c in &chunks {
        f.write_all(c)?;
    }
    f.into_inner()
        .map_err(|e| anyhow!("gagal menulis: {}", e.error()))
}

/// Writes `value` formatted with `args` as one CSV field, reusing `buf`.
fn field(
    w: &mut csv::Writer<Vec<u8>>,
    buf: &mut String,
    args: std::fmt::Arguments<'_>,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    buf.clear();
    let _ = buf.write_fmt(args);
    w.write_field(buf.as_bytes())
}

/// Writes `v` with `decimals` (3 or 6) decimals exactly as `format!("{v:.N}")` does, without
/// the formatting machinery (2.8 M numbers at 1 M records): the value times 10^N is rounded
/// as an integer, and whenever that rounding could differ from rounding the exact binary
/// value (a tie within the product's error, a huge value, NaN) std formats it.
fn fixed(w: &mut csv::Writer<Vec<u8>>, buf: &mut String, v: f64, decimals: u32) -> csv::Result<()> {
    let scale = 10f64.powi(decimals as i32);
    let scaled = v.abs() * scale;
    let frac = scaled - scaled.floor();
    // Below 1e9 the product's error (< 1e-7) cannot carry it across a tie 1e-6 away.
    if scaled.is_nan() || scaled >= 1e9 || (frac - 0.5).abs() < 1e-6 {
        return match decimals {
            3 => field(w, buf, format_args!("{v:.3}")),
            _ => field(w, buf, format_args!("{v:.6}")),
        };
    }
    let units = scaled.round() as u64;
    let unit = 10u64.pow(decimals);
    buf.clear();
    if v.is_sign_negative() {
        buf.push('-');
    }
    push_integer(buf, units / unit);
    buf.push('.');
    let mut rest = units % unit;
    let mut fraction = [b'0'; 6];
    for i in (0..decimals as usize).rev() {
        fraction[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    buf.extend(fraction[..decimals as usize].iter().map(|d| char::from(*d)));
    w.write_field(buf.as_bytes())
}

/// Appends `v` in decimal.
fn push_integer(buf: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend(digits[at..].iter().map(|d| char::from(*d)));
}

fn is_match(p: &ScoredPair, threshold: f64) -> bool {
    match p.decision {
        Some(d) => d == Decision::Accept,
        None => p.probability >= threshold,
    }
}

/// The ids of both records of each pair, in that order, looked up in record order: pairs come
/// by weight, and looking ids up pair by pair would jump at random through a column of a
/// million rows (a cache and TLB miss each).
fn pair_ids<'a>(linker: &Linker<'a>, pairs: &[&ScoredPair]) -> Vec<&'a str> {
    let mut wanted: Vec<u64> = pairs
        .iter()
        .enumerate()
        .flat_map(|(k, p)| {
            [
                (u64::from(p.a) << 32) | (2 * k) as u64,
                (u64::from(p.b) << 32) | (2 * k + 1) as u64,
            ]
        })
        .collect();
    wanted.par_sort_unstable();
    let mut ids = vec![""; wanted.len()];
    for w in &wanted {
        ids[(*w as u32) as usize] = linker.id((w >> 32) as u32).1;
    }
    ids
}

fn write_pairs(linker: &Linker<'_>, o: &Outcome, dir: &Path) -> anyhow::Result<NamedTempFile> {
    let mut header = vec![
        "id_kiri".to_string(),
        "id_kanan".into(),
        "probabilitas".into(),
        "bobot".into(),
    ];
    header.extend(linker.column_names().iter().map(|c| format!("bobot_{c}")));
    header.extend(["keputusan".to_string(), "satu_klaster".into()]);
    let weights = o.model.weights();
    let threshold = linker.settings.threshold;
    let matched: Vec<&ScoredPair> = o.pairs.iter().filter(|p| is_match(p, threshold)).collect();
    let ids = pair_ids(linker, &matched);
    let rows: Vec<(&ScoredPair, &[&str])> = matched.into_iter().zip(ids.chunks(2)).collect();
    write_csv(dir, &header, &rows, |w, buf, (p, ids)| {
        w.write_field(ids[0])?;
        w.write_field(ids[1])?;
        fixed(w, buf, p.probability, 6)?;
        fixed(w, buf, p.weight, 3)?;
        for v in linker.field_weights(&o.model, &weights, p) {
            fixed(w, buf, v, 3)?;
        }
        w.write_field(p.decision.map_or("", |d| d.label()))?;
        w.write_field(if p.same_cluster { "ya" } else { "tidak" })?;
        w.write_record(None::<&[u8]>)
    })
}

fn write_review(linker: &Linker<'_>, o: &Outcome, dir: &Path) -> anyhow::Result<NamedTempFile> {
    let columns = linker.column_names();
    let mut header = vec![
        "id_kiri".to_string(),
        "id_kanan".into(),
        "probabilitas".into(),
        "bobot".into(),
    ];
    for c in &columns {
        header.extend([
            format!("{c}_kiri"),
            format!("{c}_kanan"),
            format!("bobot_{c}"),
        ]);
    }
    header.push("keputusan".into());
    let weights = o.model.weights();
    let threshold = linker.settings.threshold;
    write_csv(dir, &header, &o.pairs, |w, buf, p| {
        if p.decision.is_some() || p.probability >= threshold {
            return Ok(());
        }
        w.write_field(linker.id(p.a).1)?;
        w.write_field(linker.id(p.b).1)?;
        fixed(w, buf, p.probability, 6)?;
        fixed(w, buf, p.weight, 3)?;
        let fw = linker.field_weights(&o.model, &weights, p);
        for (k, v) in fw.iter().enumerate() {
            w.write_field(linker.value(p.a, k))?;
            w.write_field(linker.value(p.b, k))?;
            fixed(w, buf, *v, 3)?;
        }
        w.write_field("")?;
        w.write_record(None::<&[u8]>)
    })
}

fn write_clusters(linker: &Linker<'_>, o: &Outcome, dir: &Path) -> anyhow::Result<NamedTempFile> {
    let header: Vec<String> = if linker.is_dedupe() {
        vec!["id".into(), "klaster".into()]
    } else {
        vec!["berkas".into(), "id".into(), "klaster".into()]
    };
    let records: Vec<(u32, u32)> = o
        .clusters
        .iter()
        .enumerate()
        .map(|(r, c)| (r as u32, *c))
        .collect();
    write_csv(dir, &header, &records, |w, buf, (r, c)| {
        let (source, id) = linker.id(*r);
        if !linker.is_dedupe() {
            field(w, buf, format_args!("{}", source + 1))?;
        }
        w.write_field(id)?;
        buf.clear();
        push_integer(buf, u64::from(*c));
        w.write_field(buf.as_bytes())?;
        w.write_record(None::<&[u8]>)
    })
}

fn explain(
    linker: &Linker<'_>,
    model: Option<Model>,
    decisions: &[(u32, u32, Decision)],
    left: &str,
    right: &str,
) -> anyhow::Result<()> {
    let (a, b) = linker
        .find_pair(left, right)
        .map_err(|e| anyhow!(shown(&e)))?;
    let model = match model {
        Some(mut m) => {
            // λ depends on the data; estimate it here too, from this run's candidates.
            let o = linker.run(Some(m.clone()), decisions, None);
            m.lambda = o.model.lambda;
            m
        }
        None => linker.run(None, decisions, None).model,
    };
    let e = linker.explain(&model, a, b);
    println!("Penjelasan pasangan {left} – {right}");
    println!(
        "{:<16} {:<28} {:<28} {:<40} {:>8}",
        "kolom", "kiri", "kanan", "tingkat", "bobot"
    );
    for f in &e.fields {
        println!(
            "{:<16} {:<28} {:<28} {:<40} {:>8.2}",
            f.column, f.left, f.right, f.level, f.weight
        );
    }
    println!(
        "{:<114} {:>8.2}",
        "bobot awal (peluang dua catatan acak sama orangnya)", e.prior
    );
    println!("{:<114} {:>8.2}", "jumlah bobot", e.weight);
    println!("probabilitas sama orang: {:.6}", e.probability);
    if let Some(d) = decisions.iter().find(|d| (d.0, d.1) == (a, b)).map(|d| d.2) {
        println!("keputusan peninjau: {}", d.label());
    }
    Ok(())
}

fn print_summary(
    linker: &Linker<'_>,
    o: &Outcome,
    out: &Path,
    read_secs: f64,
    link_secs: f64,
    total_secs: f64,
) {
    let s = &o.stats;
    let records: Vec<String> = s.records.iter().map(|r| r.to_string()).collect();
    println!(
        "{} catatan ({}), {} pasangan kandidat dibandingkan.",
        linker.records(),
        records.join(" + "),
        s.candidate_pairs
    );
    for r in &s.rules {
        print!("  blok {}: {} pasangan", r.rule, r.pairs);
        if r.skipped_blocks > 0 {
            print!(
                " ({} blok berisi {} catatan dilewati karena melebihi blok_maks)",
                r.skipped_blocks, r.skipped_records
            );
        }
        println!();
    }
    for (column, n) in &s.unreadable {
        println!("  kolom {column}: {n} nilai tidak terbaca, diperlakukan sebagai kosong");
    }
    if s.kk_in_nik_field > 0 {
        println!(
            "  kolom NIK: {} catatan berisi No. KK-nya sendiri, diperlakukan sebagai kosong",
            s.kk_in_nik_field
        );
    }
    println!(
        "Model: {} (λ = {:.3e}).",
        if s.model_trained {
            "dilatih dari data ini"
        } else {
            "dimuat dari berkas"
        },
        s.lambda
    );
    for c in &o.model.perbandingan {
        if !c.dilatih {
            println!(
                "  peringatan: m kolom {} tidak dilatih (tidak ada aturan blok latih yang tidak memakainya)",
                c.kolom
            );
        }
    }
    println!(
        "{} pasangan cocok (probabilitas ≥ {}), {} pasangan untuk ditinjau, {} klaster ({} berisi lebih dari satu catatan).",
        s.matches, linker.settings.threshold, s.review, s.clusters, s.clusters_with_several
    );
    if s.refused_too_large + s.refused_person_keys + s.refused_rejected > 0 {
        println!(
            "  penggabungan ditolak: {} karena klaster_maks, {} karena NIK berbeda, {} karena keputusan tolak",
            s.refused_too_large, s.refused_person_keys, s.refused_rejected
        );
    }
    if let Some(e) = &o.evaluation {
        println!(
            "Evaluasi: recall blok {:.4}; pasangan: presisi {:.4}, recall {:.4}, F1 {:.4}; klaster: presisi {:.4}, recall {:.4}, F1 {:.4}.",
            e.blocking_recall,
            e.precision,
            e.recall,
            e.f1,
            e.cluster_precision,
            e.cluster_recall,
            e.cluster_f1
        );
        for r in &e.rules {
            println!(
                "  recall blok {}: {:.4} ({} pasangan benar, {} hanya oleh aturan ini)",
                r.rule, r.recall, r.reached, r.only_this_rule
            );
        }
    }
    let stages: Vec<String> = s
        .stages
        .iter()
        .map(|(n, t)| format!("{n} {t:.2}"))
        .collect();
    println!("Tahap taut (detik): {}.", stages.join(", "));
    println!(
        "Ditulis ke {}: pasangan.csv, klaster.csv, tinjauan.csv. Waktu: baca {:.2} d, taut {:.2} d, total {:.2} d.",
        out.display(),
        read_secs,
        link_secs,
        total_secs
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_are_what_std_writes() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            0.0005,
            0.0015,
            -0.0004,
            1e-7,
            -1e-7,
            0.9999995,
            0.9995,
            12.3455,
            -3.25159,
            1e14,
            2.5e15,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.125,
            0.0625,
            999.9995,
            4.0005,
        ];
        let mut state = 7u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = (state >> 11) as f64 / (1u64 << 53) as f64;
            values.push((x - 0.5) * [1.0, 60.0, 1e-3, 1e6][(state % 4) as usize]);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut expected = csv::Writer::from_writer(Vec::new());
        let mut buf = String::new();
        for v in &values {
            fixed(&mut w, &mut buf, *v, 3).unwrap();
            fixed(&mut w, &mut buf, *v, 6).unwrap();
            w.write_record(None::<&[u8]>).unwrap();
            expected
                .write_record([format!("{v:.3}"), format!("{v:.6}")])
                .unwrap();
        }
        let (ours, std) = (w.into_inner().unwrap(), expected.into_inner().unwrap());
        for (a, b) in String::from_utf8(ours)
            .unwrap()
            .lines()
            .zip(String::from_utf8(std).unwrap().lines())
        {
            assert_eq!(a, b);
        }
    }
}
