//! `sinergi sandi`: encodes a partner's list for the double-aid check, on the partner's own
//! machine. Reads the list through the normal intake, writes the encoded file (no names, no
//! ids, shuffled) and, beside it, the row map the partner keeps to read its results.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use rand::SeedableRng as _;
use sinergi_core::{RegionCode, RegionPrefixes};
use sinergi_link::encoded::{PlainRecord, Secret, encode_list, write_file};

use crate::args::SandiArgs;

/// Where the encoded file goes by default: `penerima.xlsx` → `penerima.sandi.csv`.
fn default_out(file: &Path) -> PathBuf {
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    file.with_file_name(format!("{stem}.sandi.csv"))
}

/// The row map's name: `penerima.sandi.csv` → `penerima.sandi.peta.csv`.
fn map_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!("{stem}.peta.csv"))
}

pub fn run(args: &SandiArgs) -> anyhow::Result<()> {
    let secret_bytes = std::fs::read(&args.rahasia)
        .with_context(|| format!("tidak bisa membaca {}", args.rahasia.display()))?;
    let secret = Secret::new(&secret_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("tidak bisa membaca {}", args.file.display()))?;
    let started = Instant::now();
    // The partner's machine has no region register: codes are taken as given (the server
    // only reads the kecamatan prefix, and a wrong desa just lowers the filter similarity).
    let any_region = |_: &RegionCode| true;
    let ctx = sinergi_intake::PersonContext {
        region_exists: &any_region,
        prefixes: None::<&dyn RegionPrefixes>,
        region_names: None,
        today: chrono::Utc::now().date_naive(),
        limits: sinergi_intake::Limits::default(),
    };
    let list = sinergi_intake::read_person_list(&bytes, &ctx)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let plain: Vec<PlainRecord<'_>> = list.rows.iter().map(PlainRecord::from_person).collect();
    let mut rng = rand::rngs::ChaCha8Rng::from_rng(&mut rand::rng());
    let (records, placement) = encode_list(&secret, &plain, &mut rng);
    let out = args
        .keluar
        .clone()
        .unwrap_or_else(|| default_out(&args.file));
    std::fs::write(&out, write_file(&records))
        .with_context(|| format!("tidak bisa menulis {}", out.display()))?;
    let mut map = String::from("baris_asal,baris_sandi\n");
    for (person, line) in list.rows.iter().zip(&placement) {
        // Lines of the encoded file as a text editor counts them (the header is line 1).
        let _ = writeln!(map, "{},{}", person.line, line + 2);
    }
    let map_file = map_path(&out);
    std::fs::write(&map_file, map)
        .with_context(|| format!("tidak bisa menulis {}", map_file.display()))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} baris disandikan ke {} ({:.0} baris/detik); {} baris ditolak.",
        records.len(),
        out.display(),
        records.len() as f64 / secs.max(1e-9),
        list.rejected.len()
    );
    println!(
        "Peta baris {} TETAP di komputer ini: jangan diunggah.",
        map_file.display()
    );
    Ok(())
}
