//! The partner directory: every partner with its penta-helix role (or zakat/philanthropy),
//! focus sectors, areas, contacts and agreements. A partner account edits only its own
//! record; regional staff see the partners seated in their regions and above them (a
//! provincial partner works in every kab/kota).

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::institution::{AgreementInput, Helix, PartnerInput, field_msg, rules};
use sinergi_core::{RegionCode, fold_text};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::institutions::{RegistryImport, date_text, fetch_page, parse_date, text};
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, Sort, StoreError, on_pool};

pub const PARTNER_SORTS: [(&str, &str); 3] = [
    ("nama", "o.name"),
    ("peran", "COALESCE(p.helix, 'zz')"),
    ("wilayah", "o.region_code"),
];

#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    pub query: Option<String>,
    pub helix: Option<Helix>,
    pub region: Option<RegionCode>,
    pub sector: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Agreement {
    pub id: i64,
    pub number: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartnerRecord {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub region: String,
    pub region_name: Option<String>,
    pub helix: Option<Helix>,
    pub kind: Option<String>,
    pub sectors: Vec<String>,
    pub areas: Vec<String>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub agreement_count: i64,
    pub agreements: Vec<Agreement>,
}

impl PartnerRecord {
    pub fn sectors_label(&self) -> String {
        self.sectors.join(", ")
    }

    pub fn areas_label(&self) -> String {
        self.areas.join(", ")
    }

    pub fn helix_key(&self) -> &'static str {
        self.helix.map_or("", |h| h.key())
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

type PartnerDbRow = (
    i64,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

const PARTNER_COLUMNS: &str = "o.id, p.registry_key, o.name, o.region_code, r.name, p.helix, \
     p.kind, p.sectors, p.areas, p.contact_name, p.phone, p.email, p.address, \
     (SELECT COUNT(*) FROM partner_agreement a WHERE a.organisation_id = o.id)";
const PARTNER_FROM: &str = "FROM organisation o LEFT JOIN partner p ON p.organisation_id = o.id \
     LEFT JOIN region r ON r.code = o.region_code";

fn to_partner(r: PartnerDbRow) -> PartnerRecord {
    PartnerRecord {
        id: r.0,
        key: r.1,
        name: r.2,
        region: r.3,
        region_name: r.4,
        helix: r.5.as_deref().and_then(Helix::from_key),
        kind: r.6,
        sectors: split_list(r.7.as_deref().unwrap_or("")),
        areas: split_list(r.8.as_deref().unwrap_or("")),
        contact_name: r.9,
        phone: r.10,
        email: r.11,
        address: r.12,
        agreement_count: r.13,
        agreements: Vec::new(),
    }
}

impl Scoped<'_> {
    fn partner_where(&self, filter: &PartnerFilter) -> (String, Vec<Bind>) {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("o.region_code", "o.id", &mut ph);
        let mut scope = f.sql;
        let mut binds = f.binds;
        // Regional staff also see partners seated above their regions (core's rule).
        let above = rules::partner_seats_above(self.viewer());
        if !above.is_empty() {
            let marks: Vec<String> = above.iter().map(|_| ph.next()).collect();
            scope = format!("({scope} OR o.region_code IN ({}))", marks.join(", "));
            binds.extend(above.into_iter().map(|a| Bind::Text(a.to_string())));
        }
        let mut parts = vec!["o.kind = 'mitra'".to_string(), scope];
        if let Some(r) = &filter.region
            && let Some(f) = within_regions(std::slice::from_ref(r), "o.region_code", &mut ph)
        {
            parts.push(f.sql);
            binds.extend(f.binds);
        }
        if let Some(h) = filter.helix {
            parts.push(format!("p.helix = {}", ph.next()));
            binds.push(Bind::Text(h.key().into()));
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(fold_text)
            .filter(|q| !q.is_empty())
        {
            parts.push(format!("p.search_key LIKE {}", ph.next()));
            binds.push(Bind::Text(format!("%{q}%")));
        }
        if let Some(s) = filter
            .sector
            .as_deref()
            .map(fold_text)
            .filter(|s| !s.is_empty())
        {
            parts.push(format!("LOWER(p.sectors) LIKE {}", ph.next()));
            binds.push(Bind::Text(format!("%{s}%")));
        }
        (parts.join(" AND "), binds)
    }

    /// One page of the partners this viewer may see.
    pub async fn partners_list(
        &self,
        filter: &PartnerFilter,
        sort: Sort,
        page: Page,
    ) -> Result<Paged<PartnerRecord>, StoreError> {
        let (w, binds) = self.partner_where(filter);
        let count_sql = format!("SELECT COUNT(*) {PARTNER_FROM} WHERE {w}");
        let sql = format!(
            "SELECT {PARTNER_COLUMNS} {PARTNER_FROM} WHERE {w} ORDER BY {} LIMIT {} OFFSET {}",
            sort.order_by(&PARTNER_SORTS, "o.id"),
            page.limit(),
            page.offset()
        );
        let (total, rows): (u64, Vec<PartnerDbRow>) =
            fetch_page(self, count_sql, sql, &binds).await?;
        Ok(Paged {
            items: rows.into_iter().map(to_partner).collect(),
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// Every partner this viewer may see under `filter`, with agreements (for export);
    /// audited.
    pub async fn export_partners(
        &self,
        filter: &PartnerFilter,
    ) -> Result<Vec<PartnerRecord>, StoreError> {
        let (w, binds) = self.partner_where(filter);
        let sql =
            format!("SELECT {PARTNER_COLUMNS} {PARTNER_FROM} WHERE {w} ORDER BY o.name, o.id");
        let rows: Vec<PartnerDbRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let mut out: Vec<PartnerRecord> = rows.into_iter().map(to_partner).collect();
        for p in &mut out {
            if p.agreement_count > 0 {
                p.agreements = self.agreements_of(p.id).await?;
            }
        }
        // Contact persons' names, phones and e-mail: audited like a by-name export.
        self.audit_contacts_export(
            "partner",
            out.len(),
            filter.query.as_deref(),
            filter.region.as_ref(),
        )
        .await?;
        Ok(out)
    }

    /// One partner with its agreements, when this viewer may see it.
    pub async fn partner(&self, id: i64) -> Result<Option<PartnerRecord>, StoreError> {
        let (w, mut binds) = self.partner_where(&PartnerFilter::default());
        let sql = format!(
            "SELECT {PARTNER_COLUMNS} {PARTNER_FROM} WHERE {w} AND o.id = ${}",
            binds.len() + 1
        );
        binds.push(Bind::Int(id));
        let row: Option<PartnerDbRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let mut p = to_partner(row);
        p.agreements = self.agreements_of(id).await?;
        Ok(Some(p))
    }

    async fn agreements_of(&self, id: i64) -> Result<Vec<Agreement>, StoreError> {
        type A = (i64, String, Option<String>, Option<String>, String);
        let rows: Vec<A> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, number, signed_on, valid_until, scope FROM partner_agreement WHERE organisation_id = $1 ORDER BY signed_on DESC, id DESC"
        )
        .bind(id)
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, number, s, v, scope)| Agreement {
                id,
                number,
                signed_on: parse_date(s),
                valid_until: parse_date(v),
                scope,
            })
            .collect())
    }

    /// The organisation id of the partner with key `key`, when this viewer may see it (for
    /// loaders: no names).
    pub async fn partner_id_by_key(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let (w, mut binds) = self.partner_where(&PartnerFilter::default());
        let sql = format!(
            "SELECT o.id {PARTNER_FROM} WHERE {w} AND p.registry_key = ${}",
            binds.len() + 1
        );
        binds.push(Bind::Text(key.to_string()));
        Ok(on_pool!(self, |pool| bind_filter!(
            sqlx::query_scalar(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?)
    }

    /// Saves one partner from a form (created, or updated by its key). Returns (id, created).
    pub async fn save_partner(&self, input: &PartnerInput) -> Result<(i64, bool), StoreError> {
        let created = self
            .import_partners(&[(0, input.clone())])
            .await?
            .single()?;
        let id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT organisation_id FROM partner WHERE registry_key = $1"
        )
        .bind(input.key.trim())
        .fetch_optional(pool)
        .await)?;
        Ok((
            id.ok_or_else(|| StoreError::Corrupt("mitra tidak tersimpan".into()))?,
            created,
        ))
    }

    /// Stores partner rows in one transaction, keyed by kode_mitra. A bare partner
    /// organisation of the same name and seat (made before the directory existed) is taken
    /// over rather than duplicated.
    pub async fn import_partners(
        &self,
        rows: &[(u64, PartnerInput)],
    ) -> Result<RegistryImport, StoreError> {
        let actor = self.actor();
        let now = now_text();
        let mut out = RegistryImport::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (line, input) in rows {
                let line = *line;
                if out.refuse_problems(line, input.problems()) {
                    continue;
                }
                let (Some(region), Some(helix)) = (input.region.clone(), input.helix) else {
                    continue;
                };
                let mut unknown = None;
                for code in std::iter::once(&region).chain(&input.areas) {
                    let known: Option<i64> =
                        sqlx::query_scalar("SELECT level FROM region WHERE code = $1")
                            .bind(code.as_str())
                            .fetch_optional(&mut *tx)
                            .await?;
                    if known.is_none() {
                        unknown = Some(code.clone());
                        break;
                    }
                }
                if let Some(code) = unknown {
                    let column = if code == region {
                        "kode_wilayah"
                    } else {
                        "wilayah_kerja"
                    };
                    out.refuse_unknown_region(line, column, &code, false);
                    continue;
                }
                let key = input.key.trim().to_string();
                let name = input.name.trim().to_string();
                let mut existing: Option<(i64, String, String, bool)> = sqlx::query_as(
                    "SELECT o.id, o.region_code, o.name, 1 = 1 FROM partner p JOIN organisation o ON o.id = p.organisation_id WHERE p.registry_key = $1",
                )
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
                if existing.is_none() {
                    existing = sqlx::query_as(
                        "SELECT o.id, o.region_code, o.name, 1 = 0 FROM organisation o LEFT JOIN partner p ON p.organisation_id = o.id \
                         WHERE o.kind = 'mitra' AND p.organisation_id IS NULL AND o.name = $1 AND o.region_code = $2 ORDER BY o.id LIMIT 1",
                    )
                    .bind(&name)
                    .bind(region.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                }
                let old_region = existing
                    .as_ref()
                    .and_then(|(_, r, _, _)| RegionCode::parse(r).ok());
                let check = existing
                    .as_ref()
                    .zip(old_region.as_ref())
                    .map(|((id, _, _, _), r)| (r, *id));
                if !self.screen_write(&mut out, line, "kode_mitra", check, &region) {
                    continue;
                }
                let id: i64 = match &existing {
                    Some((id, _, _, _)) => {
                        sqlx::query("UPDATE organisation SET name = $1, region_code = $2 WHERE id = $3")
                            .bind(&name)
                            .bind(region.as_str())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        *id
                    }
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO organisation (kind, name, region_code, created_at) VALUES ('mitra', $1, $2, $3) RETURNING id",
                        )
                        .bind(&name)
                        .bind(region.as_str())
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let has_row = existing.as_ref().is_some_and(|e| e.3);
                let sql = if has_row {
                    "UPDATE partner SET registry_key = $2, helix = $3, kind = $4, sectors = $5, \
                     areas = $6, contact_name = $7, phone = $8, email = $9, address = $10, \
                     search_key = $11, updated_at = $12 WHERE organisation_id = $1"
                } else {
                    "INSERT INTO partner (organisation_id, registry_key, helix, kind, sectors, \
                     areas, contact_name, phone, email, address, search_key, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                };
                let sectors: Vec<String> = input
                    .sectors
                    .iter()
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect();
                let areas: Vec<String> = input.areas.iter().map(|a| a.to_string()).collect();
                sqlx::query(sql)
                    .bind(id)
                    .bind(&key)
                    .bind(helix.key())
                    .bind(text(&input.kind))
                    .bind(sectors.join(";"))
                    .bind(areas.join(";"))
                    .bind(text(&input.contact_name))
                    .bind(text(&input.phone))
                    .bind(text(&input.email))
                    .bind(text(&input.address))
                    .bind(fold_text(&format!("{name} {key}")))
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                let mut event = AuditEvent::new(
                    actor.clone(),
                    if existing.is_some() {
                        "partner.update"
                    } else {
                        "partner.create"
                    },
                    "partner",
                )
                .id(id)
                .region(&region)
                .after(
                    serde_json::json!({ "kode_mitra": key, "nama": name, "peran": helix.key() }),
                );
                if let Some((_, r, n, _)) = &existing {
                    event = event.before(serde_json::json!({ "nama": n, "wilayah": r }));
                }
                append_audit!(tx, &event);
                out.stored(existing.is_none());
            }
            tx.commit().await?;
        });
        Ok(out)
    }

    /// Adds (or replaces, by number) an agreement of partner `id`.
    pub async fn save_agreement(&self, id: i64, input: &AgreementInput) -> Result<(), StoreError> {
        if let Some((f, r)) = input.problems().into_iter().next() {
            return Err(StoreError::Refused(field_msg(f, r)));
        }
        let seat: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT region_code FROM organisation WHERE id = $1 AND kind = 'mitra'"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let region = seat
            .and_then(|r| RegionCode::parse(&r).ok())
            .ok_or(StoreError::Forbidden)?;
        self.require_registry_write((&region, id), &region)?;
        let actor = self.actor();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM partner_agreement WHERE organisation_id = $1 AND number = $2")
                .bind(id)
                .bind(input.number.trim())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO partner_agreement (organisation_id, number, signed_on, valid_until, scope) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(input.number.trim())
            .bind(date_text(input.signed_on))
            .bind(date_text(input.valid_until))
            .bind(input.scope.trim())
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "partner.agreement", "partner")
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "nomor": input.number.trim(), "ruang_lingkup": input.scope.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }
}
