//! Demo organisations and accounts, created on the first `serve --demo`. Their credentials
//! are listed in the README; they exist only in demo databases.

use sinergi_core::{RegionCode, Role, Scope};
use sinergi_store::{NewUser, OrganisationKind, Store};

/// The one demo password (also in the README). Demo databases hold synthetic data only.
pub const DEMO_PASSWORD: &str = "sinergi-demo-2025";

pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub regions: &'static [&'static str],
    /// Index into DEMO_ORGANISATIONS.
    pub organisation: Option<usize>,
}

pub const DEMO_ORGANISATIONS: [(OrganisationKind, &str, &str); 4] = [
    (
        OrganisationKind::Lkks,
        "LKKS Provinsi Nusa Tenggara Barat",
        "52",
    ),
    (OrganisationKind::Mitra, "Baznas Provinsi NTB", "52"),
    (
        OrganisationKind::Lks,
        "LKS Anak Sejahtera Masbagik",
        "52.03",
    ),
    (OrganisationKind::Mitra, "Yayasan Peduli Sumbawa", "52.04"),
];

pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        username: "admin.ntb",
        display_name: "Admin LKKS NTB",
        role: Role::AdminProvinsi,
        regions: &["52"],
        organisation: None,
    },
    DemoAccount {
        username: "operator.lotim",
        display_name: "Operator Lombok Timur",
        role: Role::OperatorKabKota,
        regions: &["52.03"],
        organisation: None,
    },
    DemoAccount {
        username: "operator.lks",
        display_name: "Operator LKS Anak Sejahtera",
        role: Role::OperatorLks,
        regions: &[],
        organisation: Some(2),
    },
    DemoAccount {
        username: "mitra.baznas",
        display_name: "Baznas NTB",
        role: Role::Mitra,
        regions: &[],
        organisation: Some(1),
    },
    DemoAccount {
        username: "mitra.sumbawa",
        display_name: "Yayasan Peduli Sumbawa",
        role: Role::Mitra,
        regions: &[],
        organisation: Some(3),
    },
    DemoAccount {
        username: "pimpinan.ntb",
        display_name: "Pengurus LKKS NTB",
        role: Role::Pimpinan,
        regions: &["52"],
        organisation: None,
    },
];

/// Creates the demo organisations and accounts when the database has no accounts yet.
pub async fn ensure_accounts(store: &Store) -> anyhow::Result<bool> {
    if store.user_count().await? > 0 {
        return Ok(false);
    }
    let mut org_ids = Vec::new();
    for (kind, name, region) in DEMO_ORGANISATIONS {
        let region = RegionCode::parse(region)?;
        org_ids.push(store.create_organisation(None, kind, name, &region).await?);
    }
    for a in &DEMO_ACCOUNTS {
        store
            .create_user(
                None,
                NewUser {
                    username: a.username.into(),
                    display_name: a.display_name.into(),
                    password: DEMO_PASSWORD.into(),
                    role: a.role,
                    scope: Scope {
                        regions: a
                            .regions
                            .iter()
                            .map(|r| RegionCode::parse(r))
                            .collect::<Result<_, _>>()?,
                        organisation: a.organisation.map(|i| org_ids[i]),
                    },
                },
            )
            .await?;
    }
    tracing::info!(
        "akun demo dibuat: {} (kata sandi: lihat README)",
        DEMO_ACCOUNTS
            .iter()
            .map(|a| a.username)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(true)
}
