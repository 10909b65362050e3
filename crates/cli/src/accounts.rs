//! `sinergi admin create`, `sinergi audit verify`, `sinergi kunci buat`.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
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

pub fn new_key() {
    let (_, text) = PiiKey::generate();
    println!("{text}");
}
