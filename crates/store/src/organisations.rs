//! Organisations: LKKS, LKS and partners. The minimum the access scope needs (an owner for
//! rows, a seat for admins' reach); the registry itself grows with the institutions issue.

use serde::Serialize;
use sinergi_core::{Msg, RegionCode};

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::{Scoped, Store, StoreError, on_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Lkks,
    Lks,
    Mitra,
}

impl OrganisationKind {
    pub fn key(self) -> &'static str {
        match self {
            OrganisationKind::Lkks => "lkks",
            OrganisationKind::Lks => "lks",
            OrganisationKind::Mitra => "mitra",
        }
    }

    pub fn from_key(key: &str) -> Option<OrganisationKind> {
        [
            OrganisationKind::Lkks,
            OrganisationKind::Lks,
            OrganisationKind::Mitra,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrganisationKind,
    pub name: String,
    pub region: RegionCode,
}

type OrgRow = (i64, String, String, String);

fn to_org(r: OrgRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: r.0,
        kind: OrganisationKind::from_key(&r.1)
            .ok_or_else(|| StoreError::Corrupt(format!("jenis organisasi {}", r.1)))?,
        name: r.2,
        region: RegionCode::parse(&r.3)
            .map_err(|e| StoreError::Corrupt(format!("wilayah {}: {e}", r.3)))?,
    })
}

impl Scoped<'_> {
    /// Adds an organisation (by an admin within their scope, or by the system).
    pub async fn create_organisation(
        &self,
        kind: OrganisationKind,
        name: &str,
        region: &RegionCode,
    ) -> Result<i64, StoreError> {
        if !self.viewer().may_register_organisation(region) {
            return Err(StoreError::Forbidden);
        }
        if name.trim().is_empty() {
            return Err(StoreError::Refused(
                Msg::new("error.field_required").arg("field", "nama organisasi"),
            ));
        }
        let actor = self.actor();
        let now = now_text();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organisation (kind, name, region_code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(kind.key())
            .bind(name.trim())
            .bind(region.to_string())
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "organisation.create", "organisation")
                .id(id)
                .region(region)
                .after(serde_json::json!({ "jenis": kind.key(), "nama": name.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Organisations this viewer may act for (see `Viewer::may_act_for`).
    pub async fn organisations_acting_for(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows: Vec<OrgRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, kind, name, region_code FROM organisation ORDER BY name"
        )
        .fetch_all(pool)
        .await)?;
        let viewer = self.viewer();
        Ok(rows
            .into_iter()
            .map(to_org)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|o| viewer.may_act_for(o.id, &o.region))
            .collect())
    }
}

/// Organisations are a public registry (names and seats): read without a scope.
impl Store {
    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>, StoreError> {
        let row: Option<OrgRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, kind, name, region_code FROM organisation WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(to_org).transpose()
    }

    pub async fn organisation_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Organisation>, StoreError> {
        let row: Option<OrgRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, kind, name, region_code FROM organisation WHERE name = $1 ORDER BY id LIMIT 1"
        )
        .bind(name)
        .fetch_optional(pool)
        .await
        })?;
        row.map(to_org).transpose()
    }
}
