//! `sinergi token buat|daftar|cabut`: API tokens for other systems, from the shell (acting as
//! the system, audited as "cli"). The same store calls as the admin page.

use anyhow::Context;
use sinergi_core::{Localized, Msg, RegionCode, Role, Scope};
use sinergi_store::{NewApiToken, StoreError};

use crate::args::KeyArgs;

/// What `token buat` was given.
pub struct Request {
    pub label: String,
    pub username: String,
    pub role: String,
    pub regions: Vec<String>,
    pub organisation: Option<i64>,
    pub days: i64,
}

/// A store refusal in the user's language.
fn explain(e: StoreError) -> anyhow::Error {
    let t = crate::lang::messages();
    match e {
        StoreError::Refused(m) => anyhow::anyhow!(t.render(&m)),
        StoreError::Forbidden => anyhow::anyhow!(t.render(&Msg::new("api.cli.forbidden"))),
        e if e.is_users_to_fix() => anyhow::anyhow!(t.render(&e.msg())),
        e => e.into(),
    }
}

pub async fn issue(req: Request, database: &str, key: &KeyArgs) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let role = Role::from_key(&req.role)
        .with_context(|| t.render(&Msg::new("api.cli.role_unknown").arg("role", &req.role)))?;
    let regions = req
        .regions
        .iter()
        .map(|r| RegionCode::parse(r).with_context(|| format!("--wilayah \"{r}\"")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let store = crate::setup::open_with_key(database, key).await?;
    let issued = store
        .as_system("cli")
        .issue_api_token(NewApiToken {
            label: req.label.clone(),
            username: req.username.clone(),
            role,
            scope: Scope {
                regions,
                organisation: req.organisation,
            },
            days: req.days,
        })
        .await
        .map_err(explain);
    store.close().await;
    let issued = issued?;
    eprintln!(
        "{}",
        t.render(
            &Msg::new("api.cli.issued")
                .arg("id", issued.id)
                .arg("label", &req.label)
                .arg("days", req.days)
        )
    );
    // The secret alone on stdout, so a script can capture it.
    println!("{}", issued.secret);
    Ok(())
}

pub async fn list(database: &str) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let store = crate::setup::open(database).await?;
    let tokens = store.as_system("cli").api_tokens().await.map_err(explain);
    store.close().await;
    let tokens = tokens?;
    if tokens.is_empty() {
        println!("{}", t.render(&Msg::new("api.cli.none")));
        return Ok(());
    }
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    println!("id\tlabel\takun\tperan\tawalan\tberlaku_sampai\tterakhir_dipakai\tstatus");
    for k in tokens {
        let status = if k.revoked_at.is_some() {
            "dicabut"
        } else if k.is_live(&now) {
            "aktif"
        } else {
            "kedaluwarsa"
        };
        println!(
            "{}\t{}\t{}\t{}\t{}…\t{}\t{}\t{status}",
            k.id,
            k.label,
            k.username,
            k.role.key(),
            k.prefix,
            &k.expires_at[..10.min(k.expires_at.len())],
            k.last_used_at.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}

pub async fn revoke(id: i64, database: &str, key: &KeyArgs) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let store = crate::setup::open_with_key(database, key).await?;
    let done = store
        .as_system("cli")
        .revoke_api_token(id)
        .await
        .map_err(explain);
    store.close().await;
    if done? {
        println!("{}", t.render(&Msg::new("api.cli.revoked").arg("id", id)));
        Ok(())
    } else {
        anyhow::bail!("{}", t.render(&Msg::new("api.cli.unknown").arg("id", id)))
    }
}
