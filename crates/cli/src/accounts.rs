//! `sinergi admin create`, `sinergi audit verify`, `sinergi kunci buat`.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use sinergi_core::audit::ChainBreak;
use sinergi_core::{RegionCode, Role, Scope};
use sinergi_store::{NewUser, PiiKey};

/// Reads the new password: asked twice on a terminal (without echo), else one line of stdin.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password("Kata sandi baru: ").context("kata sandi tidak terbaca")?;
        let again = rpassword::prompt_password("Ulangi kata sandi: ")
            .context("kata sandi tidak terbaca")?;
        if first != again {
            bail!("kedua kata sandi tidak sama");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("kata sandi tidak terbaca dari stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn create_admin(
    username: &str,
    display_name: Option<String>,
    regions: &[String],
    database: &str,
) -> anyhow::Result<()> {
    let regions = regions
        .iter()
        .map(|r| RegionCode::parse(r).with_context(|| format!("--wilayah \"{r}\"")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let password = read_password()?;
    let store = crate::setup::open(database).await?;
    let id = store
        .as_system("cli")
        .create_user(NewUser {
            username: username.to_string(),
            display_name: display_name.unwrap_or_else(|| username.to_string()),
            password,
            role: Role::AdminProvinsi,
            scope: Scope {
                regions: regions.clone(),
                organisation: None,
            },
        })
        .await?;
    println!(
        "Admin provinsi \"{username}\" dibuat (id {id}) dengan cakupan {}.",
        regions
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    store.close().await;
    Ok(())
}

pub async fn verify_audit(database: &str) -> anyhow::Result<()> {
    let store = crate::setup::open(database).await?;
    let report = store.verify_audit_chain().await?;
    store.close().await;
    match report.broken {
        Some(ChainBreak::Altered { seq }) => bail!(
            "log audit RUSAK: entri #{seq} telah diubah (isinya tidak cocok dengan hash-nya); {} entri sebelumnya utuh",
            report.checked
        ),
        Some(ChainBreak::Missing { after, seq }) => bail!(
            "log audit RUSAK: entri setelah #{after} sampai sebelum #{seq} telah dihapus; {} entri sebelumnya utuh",
            report.checked
        ),
        Some(ChainBreak::Relinked { seq }) => bail!(
            "log audit RUSAK: entri #{seq} tidak menunjuk hash entri sebelumnya (disisipkan atau disusun ulang); {} entri sebelumnya utuh",
            report.checked
        ),
        None if report.head_mismatch => bail!(
            "log audit RUSAK: kepala rantai mencatat entri #{} tetapi entri terakhir adalah #{} — entri terakhir telah dihapus",
            report.head_seq,
            report.checked
        ),
        None => {
            println!(
                "Log audit utuh: {} entri diperiksa. Kepala rantai: #{} {}",
                report.checked, report.head_seq, report.head_hash
            );
            println!(
                "Simpan hash kepala ini di tempat lain untuk mendeteksi pemotongan di kemudian hari."
            );
            Ok(())
        }
    }
}

pub fn new_key() {
    let (_, text) = PiiKey::generate();
    println!("{text}");
}
