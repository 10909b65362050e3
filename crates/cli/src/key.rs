//! The key for personal data: from SINERGI_KUNCI, from a file, or (outside production) a
//! development key file created beside the database.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sinergi_store::{DatabaseTarget, PiiKey};

use crate::args::KeyArgs;

pub const KEY_ENV: &str = "SINERGI_KUNCI";

/// Where a development key lives when none is configured: beside the SQLite file, or in the
/// working directory for PostgreSQL.
fn development_key_path(target: &DatabaseTarget) -> PathBuf {
    match target {
        DatabaseTarget::Sqlite(path) => {
            let mut p = path.clone().into_os_string();
            p.push(".kunci");
            PathBuf::from(p)
        }
        DatabaseTarget::Postgres(_) => PathBuf::from("sinergi-postgres.kunci"),
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<PiiKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("berkas kunci {} tidak bisa dibaca", path.display()))?;
    PiiKey::parse(&text).with_context(|| format!("berkas kunci {}", path.display()))
}

/// The key if one is configured or a development key already exists, without creating one:
/// for commands that do not handle personal data but still append to the (keyed) audit chain.
pub fn existing(target: &DatabaseTarget) -> anyhow::Result<Option<PiiKey>> {
    if let Ok(text) = std::env::var(KEY_ENV)
        && !text.trim().is_empty()
    {
        return PiiKey::parse(&text)
            .with_context(|| format!("variabel {KEY_ENV}"))
            .map(Some);
    }
    if let Ok(path) = std::env::var("SINERGI_KUNCI_BERKAS")
        && !path.trim().is_empty()
    {
        return read_key_file(Path::new(&path)).map(Some);
    }
    let path = development_key_path(target);
    if path.exists() {
        return read_key_file(&path).map(Some);
    }
    Ok(None)
}

pub fn load(args: &KeyArgs, target: &DatabaseTarget) -> anyhow::Result<PiiKey> {
    if let Ok(text) = std::env::var(KEY_ENV)
        && !text.trim().is_empty()
    {
        return PiiKey::parse(&text).with_context(|| format!("variabel {KEY_ENV}"));
    }
    if let Some(path) = &args.kunci_berkas {
        return read_key_file(path);
    }
    if args.produksi {
        bail!(
            "mode produksi membutuhkan kunci data pribadi: atur SINERGI_KUNCI_BERKAS=/jalur/berkas \
             (buat isinya dengan `sinergi kunci buat`) atau SINERGI_KUNCI. Tanpa kunci, NIK dan No. KK \
             tidak bisa disimpan terenkripsi."
        );
    }
    let path = development_key_path(target);
    if path.exists() {
        return read_key_file(&path);
    }
    let (key, text) = PiiKey::generate();
    write_private(&path, &text).with_context(|| {
        format!(
            "kunci pengembangan tidak bisa ditulis ke {}",
            path.display()
        )
    })?;
    tracing::warn!(
        "mode pengembangan: kunci data pribadi baru dibuat di {} — untuk produksi pakai --produksi dengan SINERGI_KUNCI_BERKAS",
        path.display()
    );
    Ok(key)
}

/// Writes a secret readable only by its owner, created atomically.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}
