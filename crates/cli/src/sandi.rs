//! `sinergi sandi`: encodes a partner's list for the double-aid check, on the partner's own
//! machine. Reads the list through the normal intake, writes the encoded file (no names, no
//! ids, shuffled) and, beside it, the row map the partner keeps to read its results.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use rand::SeedableRng as _;
use sinergi_core::{Msg, RegionCode, RegionPrefixes};
use sinergi_link::encoded::{EncodedError, PlainRecord, Secret, encode_list, write_file};

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
    let t = crate::lang::messages();
    let path_msg =
        |key: &'static str, p: &Path| t.render(&Msg::new(key).arg("path", p.display().to_string()));
    let secret_bytes = std::fs::read(&args.rahasia)
        .with_context(|| path_msg("double_aid.cli_cannot_read", &args.rahasia))?;
    let secret = Secret::new(&secret_bytes).map_err(|e| match e {
        EncodedError::SecretTooShort { got, min } => anyhow::anyhow!(
            t.render(
                &Msg::new("double_aid.secret_too_short")
                    .arg("got", got)
                    .arg("min", min)
            )
        ),
        other => anyhow::anyhow!("{other}"),
    })?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| path_msg("double_aid.cli_cannot_read", &args.file))?;
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
    let list = sinergi_intake::read_person_list(&bytes, &ctx).map_err(|e| {
        anyhow::anyhow!(
            "{}:\n{}",
            args.file.display(),
            crate::lang::row_errors(&t, &e.0, 0)
        )
    })?;
    let plain: Vec<PlainRecord<'_>> = list.rows.iter().map(PlainRecord::from_person).collect();
    let mut rng = rand::rngs::ChaCha8Rng::from_rng(&mut rand::rng());
    let (records, placement) = encode_list(&secret, &plain, &mut rng);
    let out = args
        .keluar
        .clone()
        .unwrap_or_else(|| default_out(&args.file));
    std::fs::write(&out, write_file(&records))
        .with_context(|| path_msg("double_aid.cli_cannot_write", &out))?;
    let mut map = String::from("baris_asal,baris_sandi\n");
    for (person, line) in list.rows.iter().zip(&placement) {
        // Lines of the encoded file as a text editor counts them (the header is line 1).
        let _ = writeln!(map, "{},{}", person.line, line + 2);
    }
    let map_file = map_path(&out);
    std::fs::write(&map_file, map)
        .with_context(|| path_msg("double_aid.cli_cannot_write", &map_file))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        t.render(
            &Msg::new("double_aid.cli_encoded")
                .arg("n", records.len())
                .arg("path", out.display().to_string())
                .arg(
                    "rate",
                    format!("{:.0}", records.len() as f64 / secs.max(1e-9))
                )
                .arg("rejected", list.rejected.len())
        )
    );
    println!("{}", path_msg("double_aid.cli_map_stays", &map_file));
    Ok(())
}
