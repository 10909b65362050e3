//! The LKS registry: legal status, registration and permit, accreditation with its history,
//! services by PPKS category, capacity and clients, seat and contacts, and the LKKS each LKS
//! belongs to. Every read and write goes through the viewer's scoped handle (the public gets
//! the directory of registered LKS without contacts); every change is audited.

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::institution::rules::{self, LksListing};
use sinergi_core::institution::{
    Disaggregation, EXPIRY_WINDOW_DAYS, Grade, LksInput, split_evenly,
};
use sinergi_core::{Level, Ppks, RegionCode, fold_text};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::institutions::{RegistryImport, date_text, fetch_page, parse_date, text};
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, Sort, StoreError, on_pool};

/// Sort keys of the LKS list (query value, SQL). Empty grades and dates sort last.
pub const LKS_SORTS: [(&str, &str); 5] = [
    ("nama", "o.name"),
    ("wilayah", "o.region_code"),
    ("akreditasi", "COALESCE(l.grade, 'Z')"),
    ("berlaku", "COALESCE(l.accreditation_until, '9999-12-31')"),
    ("kapasitas", "COALESCE(l.capacity, 0)"),
];

/// Aggregate elements holding the number of people in a PPKS category per region:
/// `ppks_<slug>`, e.g. `ppks_lanjut_usia_terlantar` (unit: orang).
pub const PPKS_NEED_PREFIX: &str = "ppks_";

pub fn need_element(ppks: Ppks) -> String {
    format!("{PPKS_NEED_PREFIX}{}", ppks.slug())
}

/// Accreditation filter of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeFilter {
    Grade(Grade),
    /// Not (yet) accredited.
    None,
}

#[derive(Debug, Clone, Default)]
pub struct LksFilter {
    pub query: Option<String>,
    pub region: Option<RegionCode>,
    pub ppks: Option<Ppks>,
    pub grade: Option<GradeFilter>,
    /// Accreditation ends between these dates (inclusive).
    pub accreditation_ends: Option<(NaiveDate, NaiveDate)>,
}

/// An LKS in the list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LksRow {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub region: String,
    pub region_name: Option<String>,
    pub grade: Option<String>,
    pub accreditation_until: Option<NaiveDate>,
    pub capacity: i64,
    pub clients: i64,
    pub services: Vec<Ppks>,
    pub registered: bool,
}

impl LksRow {
    pub fn services_label(&self) -> String {
        services_label(&self.services)
    }
}

pub fn services_label(services: &[Ppks]) -> String {
    services
        .iter()
        .map(|p| p.abbreviation().unwrap_or(p.name()).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One accreditation of an LKS.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Accreditation {
    pub grade: String,
    pub accredited_on: NaiveDate,
    pub valid_until: NaiveDate,
}

/// Capacity and clients of one service.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LksService {
    pub ppks: Ppks,
    pub capacity: i64,
    pub clients: i64,
}

/// An LKS in full, as its detail page, edit form and export show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LksRecord {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub region: String,
    pub region_name: Option<String>,
    pub lkks_id: Option<i64>,
    pub lkks_name: Option<String>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub deed_number: Option<String>,
    pub deed_date: Option<NaiveDate>,
    pub kemenkumham_decree: Option<String>,
    pub npwp: Option<String>,
    pub registration_number: Option<String>,
    pub registration_until: Option<NaiveDate>,
    pub permit_number: Option<String>,
    pub permit_until: Option<NaiveDate>,
    pub grade: Option<String>,
    pub accredited_on: Option<NaiveDate>,
    pub accreditation_until: Option<NaiveDate>,
    pub capacity: i64,
    pub clients: Disaggregation,
    pub services: Vec<LksService>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub history: Vec<Accreditation>,
}

impl LksRecord {
    pub fn service_list(&self) -> Vec<Ppks> {
        self.services.iter().map(|s| s.ppks).collect()
    }
}

/// A date that falls due soon (accreditation, Tanda Daftar or operating permit).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expiry {
    pub id: i64,
    pub name: String,
    pub region: String,
    /// akreditasi, tanda_daftar or izin_operasional.
    pub what: &'static str,
    pub until: NaiveDate,
    pub days_left: i64,
}

/// LKS capacity beside need, for one region and PPKS category.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapacityRow {
    pub region: RegionCode,
    pub region_name: String,
    pub ppks: Ppks,
    pub lks: u64,
    pub capacity: u64,
    pub clients: u64,
    /// People in this category in the region (aggregate `ppks_<slug>`), when held.
    pub need: Option<f64>,
    pub need_period: Option<String>,
}

impl CapacityRow {
    /// Capacity as a share of need, in percent.
    pub fn coverage(&self) -> Option<f64> {
        self.need
            .filter(|n| *n > 0.0)
            .map(|n| self.capacity as f64 / n * 100.0)
    }
}

fn parse_services(s: &str) -> Vec<Ppks> {
    s.split(';')
        .filter_map(|n| n.trim().parse::<u8>().ok())
        .filter_map(Ppks::from_number)
        .collect()
}

fn services_text(services: &[Ppks]) -> String {
    services
        .iter()
        .map(|p| p.number().to_string())
        .collect::<Vec<_>>()
        .join(";")
}

type LksDbRow = (
    i64,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    String,
    Option<String>,
);

// The region name is looked up for the page's rows only (a join would visit every match).
const LKS_LIST_COLUMNS: &str = "o.id, l.registry_key, o.name, o.region_code, CAST(NULL AS TEXT), l.grade, \
     l.accreditation_until, COALESCE(l.capacity, 0), \
     COALESCE(l.clients_male + l.clients_female, 0), COALESCE(l.services, ''), \
     l.registration_number";
const LKS_FROM: &str = "FROM organisation o LEFT JOIN lks l ON l.organisation_id = o.id \
     LEFT JOIN region r ON r.code = o.region_code";

fn to_lks_row(r: LksDbRow) -> LksRow {
    LksRow {
        id: r.0,
        key: r.1,
        name: r.2,
        region: r.3,
        region_name: r.4,
        grade: r.5,
        accreditation_until: parse_date(r.6),
        capacity: r.7,
        clients: r.8,
        services: parse_services(&r.9),
        registered: r.10.is_some_and(|s| !s.is_empty()),
    }
}

impl Scoped<'_> {
    /// The WHERE clause of the LKS list for this viewer (the public directory for the
    /// public) and `filter`.
    fn lks_where(&self, filter: &LksFilter) -> (String, Vec<Bind>) {
        let mut ph = Placeholders::starting_at(1);
        let mut parts = vec!["o.kind = 'lks'".to_string()];
        let mut binds = Vec::new();
        match rules::lks_listing(self.viewer()) {
            LksListing::Rows => {
                let f = self.rows("o.region_code", "o.id", &mut ph);
                parts.push(f.sql);
                binds.extend(f.binds);
            }
            LksListing::Directory => parts
                .push("l.registration_number IS NOT NULL AND l.registration_number <> ''".into()),
        }
        if let Some(r) = &filter.region
            && let Some(f) = within_regions(std::slice::from_ref(r), "o.region_code", &mut ph)
        {
            parts.push(f.sql);
            binds.extend(f.binds);
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(fold_text)
            .filter(|q| !q.is_empty())
        {
            parts.push(format!("l.search_key LIKE {}", ph.next()));
            binds.push(Bind::Text(format!("%{q}%")));
        }
        match filter.grade {
            Some(GradeFilter::Grade(g)) => {
                parts.push(format!("l.grade = {}", ph.next()));
                binds.push(Bind::Text(g.key().into()));
            }
            Some(GradeFilter::None) => parts.push("l.grade IS NULL".into()),
            None => {}
        }
        if let Some(ppks) = filter.ppks {
            // Driven from the (ppks, organisation_id) index rather than probed per LKS.
            parts.push(format!(
                "o.id IN (SELECT s.organisation_id FROM lks_service s WHERE s.ppks = {})",
                ph.next()
            ));
            binds.push(Bind::Int(i64::from(ppks.number())));
        }
        if let Some((from, to)) = filter.accreditation_ends {
            parts.push(format!(
                "l.accreditation_until >= {} AND l.accreditation_until <= {}",
                ph.next(),
                ph.next()
            ));
            binds.push(Bind::Text(from.format("%Y-%m-%d").to_string()));
            binds.push(Bind::Text(to.format("%Y-%m-%d").to_string()));
        }
        (parts.join(" AND "), binds)
    }

    /// One page of the LKS registry this viewer may see (the directory for the public).
    pub async fn lks_list(
        &self,
        filter: &LksFilter,
        sort: Sort,
        page: Page,
    ) -> Result<Paged<LksRow>, StoreError> {
        let (sql_where, binds) = self.lks_where(filter);
        let count_sql = format!(
            "SELECT COUNT(*) FROM organisation o LEFT JOIN lks l ON l.organisation_id = o.id WHERE {sql_where}"
        );
        let list_sql = format!(
            "SELECT {LKS_LIST_COLUMNS} FROM organisation o LEFT JOIN lks l ON l.organisation_id = o.id \
             WHERE {sql_where} ORDER BY {} LIMIT {} OFFSET {}",
            sort.order_by(&LKS_SORTS, "o.id"),
            page.limit(),
            page.offset()
        );
        let (total, rows): (u64, Vec<LksDbRow>) =
            fetch_page(self, count_sql, list_sql, &binds).await?;
        let mut items: Vec<LksRow> = rows.into_iter().map(to_lks_row).collect();
        let codes: Vec<RegionCode> = items
            .iter()
            .filter_map(|r| RegionCode::parse(&r.region).ok())
            .collect();
        let names = self.region_names(&codes).await?;
        for r in &mut items {
            r.region_name = names.get(&r.region).cloned();
        }
        Ok(Paged {
            items,
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// One LKS in full, when this viewer may see it.
    pub async fn lks(&self, id: i64) -> Result<Option<LksRecord>, StoreError> {
        let mut found = self.lks_records(&LksFilter::default(), Some(id)).await?;
        Ok(found.pop())
    }

    /// Every LKS this viewer may see under `filter`, in full (for export).
    /// Audited like a by-name export: the records carry contacts.
    pub async fn export_lks(&self, filter: &LksFilter) -> Result<Vec<LksRecord>, StoreError> {
        let records = self.lks_records(filter, None).await?;
        self.audit_contacts_export(
            "lks",
            records.len(),
            filter.query.as_deref(),
            filter.region.as_ref(),
        )
        .await?;
        Ok(records)
    }

    /// LKS in full (contacts, legal documents): never for the public directory.
    async fn lks_records(
        &self,
        filter: &LksFilter,
        id: Option<i64>,
    ) -> Result<Vec<LksRecord>, StoreError> {
        if rules::lks_listing(self.viewer()) == LksListing::Directory {
            return Err(StoreError::Forbidden);
        }
        let (mut sql_where, mut binds) = self.lks_where(filter);
        if let Some(id) = id {
            sql_where = format!("{sql_where} AND o.id = ${}", binds.len() + 1);
            binds.push(Bind::Int(id));
        }
        let sql = format!(
            "SELECT o.id, l.registry_key, o.name, o.region_code, r.name, l.lkks_id, k.name, \
             l.address, l.latitude, l.longitude, l.deed_number, l.deed_date, \
             l.kemenkumham_decree, l.npwp, l.registration_number, l.registration_until, \
             l.permit_number, l.permit_until, l.grade, l.accredited_on, l.accreditation_until, \
             COALESCE(l.capacity, 0), COALESCE(l.clients_male, 0), COALESCE(l.clients_female, 0), \
             COALESCE(l.clients_child, 0), COALESCE(l.clients_adult, 0), \
             COALESCE(l.clients_elderly, 0), COALESCE(l.clients_disability, 0), \
             l.contact_name, l.phone, l.email \
             {LKS_FROM} LEFT JOIN organisation k ON k.id = l.lkks_id \
             WHERE {sql_where} ORDER BY o.region_code, o.name, o.id"
        );
        let mut records: Vec<LksRecord> = on_pool!(self, |pool| {
            let rows = bind_filter!(sqlx::query(AssertSqlSafe(sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            let n = |r: &_, i| -> Result<u32, sqlx::Error> {
                let v: i64 = Row::try_get(r, i)?;
                Ok(v.max(0) as u32)
            };
            rows.iter()
                .map(|r| -> Result<LksRecord, sqlx::Error> {
                    Ok(LksRecord {
                        id: r.try_get(0)?,
                        key: r.try_get(1)?,
                        name: r.try_get(2)?,
                        region: r.try_get(3)?,
                        region_name: r.try_get(4)?,
                        lkks_id: r.try_get(5)?,
                        lkks_name: r.try_get(6)?,
                        address: r.try_get(7)?,
                        latitude: r.try_get(8)?,
                        longitude: r.try_get(9)?,
                        deed_number: r.try_get(10)?,
                        deed_date: parse_date(r.try_get(11)?),
                        kemenkumham_decree: r.try_get(12)?,
                        npwp: r.try_get(13)?,
                        registration_number: r.try_get(14)?,
                        registration_until: parse_date(r.try_get(15)?),
                        permit_number: r.try_get(16)?,
                        permit_until: parse_date(r.try_get(17)?),
                        grade: r.try_get(18)?,
                        accredited_on: parse_date(r.try_get(19)?),
                        accreditation_until: parse_date(r.try_get(20)?),
                        capacity: r.try_get(21)?,
                        clients: Disaggregation {
                            male: n(r, 22)?,
                            female: n(r, 23)?,
                            child: n(r, 24)?,
                            adult: n(r, 25)?,
                            elderly: n(r, 26)?,
                            disability: n(r, 27)?,
                        },
                        services: Vec::new(),
                        contact_name: r.try_get(28)?,
                        phone: r.try_get(29)?,
                        email: r.try_get(30)?,
                        history: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        if records.is_empty() {
            return Ok(records);
        }
        // Services and history: one query each, for one LKS or the whole export.
        let one = id.map(Bind::Int);
        let (svc_sql, acc_sql) = match one {
            Some(_) => (
                "SELECT organisation_id, ppks, capacity, clients FROM lks_service WHERE organisation_id = $1 ORDER BY ppks",
                "SELECT organisation_id, grade, accredited_on, valid_until FROM lks_accreditation WHERE organisation_id = $1 ORDER BY accredited_on DESC, id DESC",
            ),
            None => (
                "SELECT organisation_id, ppks, capacity, clients FROM lks_service ORDER BY organisation_id, ppks",
                "SELECT organisation_id, grade, accredited_on, valid_until FROM lks_accreditation ORDER BY organisation_id, accredited_on DESC, id DESC",
            ),
        };
        let binds: Vec<Bind> = one.into_iter().collect();
        type Svc = (i64, i64, i64, i64);
        type Acc = (i64, String, String, String);
        let (services, history): (Vec<Svc>, Vec<Acc>) = on_pool!(self, |pool| {
            let s: Vec<Svc> = bind_filter!(sqlx::query_as(svc_sql), binds)
                .fetch_all(pool)
                .await?;
            let a: Vec<Acc> = bind_filter!(sqlx::query_as(acc_sql), binds)
                .fetch_all(pool)
                .await?;
            (s, a)
        });
        let index: std::collections::HashMap<i64, usize> =
            records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        for (org, ppks, capacity, clients) in services {
            if let (Some(&i), Some(ppks)) = (index.get(&org), Ppks::from_number(ppks as u8)) {
                records[i].services.push(LksService {
                    ppks,
                    capacity,
                    clients,
                });
            }
        }
        for (org, grade, on, until) in history {
            if let (Some(&i), Some(on), Some(until)) = (
                index.get(&org),
                parse_date(Some(on)),
                parse_date(Some(until)),
            ) {
                records[i].history.push(Accreditation {
                    grade,
                    accredited_on: on,
                    valid_until: until,
                });
            }
        }
        Ok(records)
    }

    /// The organisation id of the LKS with registry key `key`, when this viewer may see it
    /// (for loaders: no names).
    pub async fn lks_id_by_key(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let f = self.rows("o.region_code", "o.id", &mut ph);
        let sql = format!(
            "SELECT o.id FROM lks l JOIN organisation o ON o.id = l.organisation_id \
             WHERE l.registry_key = $1 AND {}",
            f.sql
        );
        let mut binds = vec![Bind::Text(key.to_string())];
        binds.extend(f.binds);
        Ok(on_pool!(self, |pool| bind_filter!(
            sqlx::query_scalar(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?)
    }

    /// Saves one LKS from a form: creates it, or updates the one with the same key.
    /// Returns (organisation id, created).
    pub async fn save_lks(&self, input: &LksInput) -> Result<(i64, bool), StoreError> {
        let outcome = self.import_lks(&[(0, input.clone())]).await?;
        let created = outcome.single()?;
        let id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT organisation_id FROM lks WHERE registry_key = $1"
        )
        .bind(input.key.trim())
        .fetch_optional(pool)
        .await)?;
        Ok((
            id.ok_or_else(|| StoreError::Corrupt("LKS tidak tersimpan".into()))?,
            created,
        ))
    }

    /// Stores LKS rows (line, input) in one transaction: each row is created, updated by its
    /// key (kode_lks), or rejected with its reason. Rows this viewer may not write are
    /// rejected, not stored; the others are.
    pub async fn import_lks(&self, rows: &[(u64, LksInput)]) -> Result<RegistryImport, StoreError> {
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
                let Some(region) = input.region.clone() else {
                    continue;
                };
                let known: Option<i64> =
                    sqlx::query_scalar("SELECT level FROM region WHERE code = $1")
                        .bind(region.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                if out.refuse_unknown_region(line, "kode_wilayah", &region, known.is_some()) {
                    continue;
                }
                let key = input.key.trim().to_string();
                let keyed: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT o.id, o.region_code, o.name FROM lks l JOIN organisation o ON o.id = l.organisation_id WHERE l.registry_key = $1",
                )
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
                // A bare LKS organisation of the same name and seat (made before the registry,
                // e.g. for accounts) gets its registry record instead of a twin.
                let bare: Option<(i64, String, String)> = match keyed {
                    Some(_) => None,
                    None => sqlx::query_as(
                        "SELECT o.id, o.region_code, o.name FROM organisation o LEFT JOIN lks l ON l.organisation_id = o.id \
                         WHERE o.kind = 'lks' AND l.organisation_id IS NULL AND o.name = $1 AND o.region_code = $2 ORDER BY o.id LIMIT 1",
                    )
                    .bind(input.name.trim())
                    .bind(region.as_str())
                    .fetch_optional(&mut *tx)
                    .await?,
                };
                let has_row = keyed.is_some();
                let existing = keyed.or(bare);
                let old_region = existing
                    .as_ref()
                    .and_then(|(_, r, _)| RegionCode::parse(r).ok());
                let check = existing
                    .as_ref()
                    .zip(old_region.as_ref())
                    .map(|((id, _, _), r)| (r, *id));
                if !self.screen_write(&mut out, line, "kode_lks", check, &region) {
                    continue;
                }
                // The LKKS of the LKS's kab/kota, else of its province.
                let kab = region.at_level(Level::KabKota).unwrap_or(region.province());
                let lkks_id: Option<i64> = sqlx::query_scalar(
                    "SELECT organisation_id FROM lkks WHERE region_code IN ($1, $2) ORDER BY LENGTH(region_code) DESC LIMIT 1",
                )
                .bind(kab.as_str())
                .bind(region.province().as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let name = input.name.trim().to_string();
                let search = fold_text(&format!("{name} {key}"));
                let c = &input.clients;
                let id = match &existing {
                    Some((id, _, _)) => {
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
                            "INSERT INTO organisation (kind, name, region_code, created_at) VALUES ('lks', $1, $2, $3) RETURNING id",
                        )
                        .bind(&name)
                        .bind(region.as_str())
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let sql = if has_row {
                    "UPDATE lks SET lkks_id = $2, address = $3, latitude = $4, longitude = $5, \
                     deed_number = $6, deed_date = $7, kemenkumham_decree = $8, npwp = $9, \
                     registration_number = $10, registration_until = $11, permit_number = $12, \
                     permit_until = $13, capacity = $14, clients_male = $15, clients_female = $16, \
                     clients_child = $17, clients_adult = $18, clients_elderly = $19, \
                     clients_disability = $20, services = $21, contact_name = $22, phone = $23, \
                     email = $24, search_key = $25, updated_at = $26, registry_key = $27 \
                     WHERE organisation_id = $1"
                } else {
                    "INSERT INTO lks (organisation_id, lkks_id, address, latitude, longitude, \
                     deed_number, deed_date, kemenkumham_decree, npwp, registration_number, \
                     registration_until, permit_number, permit_until, capacity, clients_male, \
                     clients_female, clients_child, clients_adult, clients_elderly, \
                     clients_disability, services, contact_name, phone, email, search_key, \
                     updated_at, registry_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
                     $26, $27)"
                };
                sqlx::query(sql)
                    .bind(id)
                    .bind(lkks_id)
                    .bind(text(&input.address))
                    .bind(input.latitude)
                    .bind(input.longitude)
                    .bind(text(&input.deed_number))
                    .bind(date_text(input.deed_date))
                    .bind(text(&input.kemenkumham_decree))
                    .bind(text(&input.npwp))
                    .bind(text(&input.registration_number))
                    .bind(date_text(input.registration_until))
                    .bind(text(&input.permit_number))
                    .bind(date_text(input.permit_until))
                    .bind(i64::from(input.capacity))
                    .bind(i64::from(c.male))
                    .bind(i64::from(c.female))
                    .bind(i64::from(c.child))
                    .bind(i64::from(c.adult))
                    .bind(i64::from(c.elderly))
                    .bind(i64::from(c.disability))
                    .bind(services_text(&input.services))
                    .bind(text(&input.contact_name))
                    .bind(text(&input.phone))
                    .bind(text(&input.email))
                    .bind(&search)
                    .bind(&now)
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM lks_service WHERE organisation_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let mut services = input.services.clone();
                services.sort();
                services.dedup();
                let caps = split_evenly(input.capacity, services.len());
                let clients = split_evenly(c.total(), services.len());
                for ((ppks, cap), cl) in services.iter().zip(caps).zip(clients) {
                    sqlx::query(
                        "INSERT INTO lks_service (organisation_id, ppks, capacity, clients) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(i64::from(ppks.number()))
                    .bind(i64::from(cap))
                    .bind(i64::from(cl))
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some((grade, on)) = input.accreditation {
                    let on_text = on.format("%Y-%m-%d").to_string();
                    let seen: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM lks_accreditation WHERE organisation_id = $1 AND grade = $2 AND accredited_on = $3",
                    )
                    .bind(id)
                    .bind(grade.key())
                    .bind(&on_text)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if seen.is_none() {
                        sqlx::query(
                            "INSERT INTO lks_accreditation (organisation_id, grade, accredited_on, valid_until, recorded_at) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(grade.key())
                        .bind(&on_text)
                        .bind(grade.valid_until(on).format("%Y-%m-%d").to_string())
                        .bind(&now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    // The current accreditation is the latest given.
                    let latest: (String, String, String) = sqlx::query_as(
                        "SELECT grade, accredited_on, valid_until FROM lks_accreditation WHERE organisation_id = $1 ORDER BY accredited_on DESC, id DESC LIMIT 1",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE lks SET grade = $1, accredited_on = $2, accreditation_until = $3 WHERE organisation_id = $4",
                    )
                    .bind(&latest.0)
                    .bind(&latest.1)
                    .bind(&latest.2)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                let (action, before) = match &existing {
                    Some((_, r, n)) => (
                        "lks.update",
                        Some(serde_json::json!({ "nama": n, "wilayah": r })),
                    ),
                    None => ("lks.create", None),
                };
                let mut event = AuditEvent::new(actor.clone(), action, "lks")
                    .id(id)
                    .region(&region)
                    .after(serde_json::json!({ "kode_lks": key, "nama": name, "wilayah": region.as_str() }));
                if let Some(b) = before {
                    event = event.before(b);
                }
                append_audit!(tx, &event);
                out.stored(existing.is_none());
            }
            tx.commit().await?;
        });
        Ok(out)
    }

    /// Accreditation, Tanda Daftar and permit dates of LKS this viewer sees that end between
    /// `today` and the reminder window (90 days), soonest first; expired ones are listed
    /// too when `include_expired`.
    pub async fn lks_expiries(
        &self,
        today: NaiveDate,
        include_expired: bool,
    ) -> Result<Vec<Expiry>, StoreError> {
        let (sql_where, mut binds) = self.lks_where(&LksFilter::default());
        let end = today + chrono::Duration::days(EXPIRY_WINDOW_DAYS);
        let from = if include_expired {
            "0000-01-01".to_string()
        } else {
            today.format("%Y-%m-%d").to_string()
        };
        let a = binds.len() + 1;
        let b = a + 1;
        let in_window = |col: &str| format!("({col} >= ${a} AND {col} <= ${b})");
        let sql = format!(
            "SELECT o.id, o.name, o.region_code, l.accreditation_until, l.registration_until, l.permit_until \
             {LKS_FROM} WHERE {sql_where} AND ({} OR {} OR {})",
            in_window("l.accreditation_until"),
            in_window("l.registration_until"),
            in_window("l.permit_until"),
        );
        binds.push(Bind::Text(from.clone()));
        binds.push(Bind::Text(end.format("%Y-%m-%d").to_string()));
        type Row6 = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row6> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let from = NaiveDate::parse_from_str(&from, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        let mut out = Vec::new();
        for (id, name, region, acc, reg, permit) in rows {
            for (what, date) in [
                ("akreditasi", acc),
                ("tanda_daftar", reg),
                ("izin_operasional", permit),
            ] {
                if let Some(until) = parse_date(date).filter(|d| *d >= from && *d <= end) {
                    out.push(Expiry {
                        id,
                        name: name.clone(),
                        region: region.clone(),
                        what,
                        until,
                        days_left: (until - today).num_days(),
                    });
                }
            }
        }
        out.sort_by(|x, y| x.until.cmp(&y.until).then(x.id.cmp(&y.id)));
        Ok(out)
    }

    /// One page of [`Scoped::lks_expiries`], soonest first, so a long list of lapsed papers
    /// stays a light page.
    pub async fn lks_expiries_page(
        &self,
        today: NaiveDate,
        include_expired: bool,
        page: crate::Page,
    ) -> Result<crate::Paged<Expiry>, StoreError> {
        let all = self.lks_expiries(today, include_expired).await?;
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(page.size as usize)
            .collect();
        Ok(crate::Paged {
            items,
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// Per region below `parent` (provinces for `None`) and PPKS category: the number of
    /// LKS serving it, their capacity and clients, beside the number of people in that
    /// category (aggregate `ppks_<slug>`, latest period) when held. Only LKS this viewer
    /// sees are counted. Sorted by region, then PPKS number.
    pub async fn lks_capacity_by_region(
        &self,
        parent: Option<&RegionCode>,
    ) -> Result<Vec<CapacityRow>, StoreError> {
        let Some(level) = parent.map_or(Some(Level::Provinsi), |p| p.level().child()) else {
            return Ok(Vec::new());
        };
        let len = level.dotted_len();
        let mut ph = Placeholders::starting_at(1);
        let scope = self.rows("o.region_code", "o.id", &mut ph);
        let mut parts = vec!["o.kind = 'lks'".to_string(), scope.sql];
        let mut binds = scope.binds;
        if let Some(p) = parent
            && let Some(f) = within_regions(std::slice::from_ref(p), "o.region_code", &mut ph)
        {
            parts.push(f.sql);
            binds.extend(f.binds);
        }
        let sql = format!(
            "SELECT SUBSTR(o.region_code, 1, {len}), s.ppks, COUNT(*), \
             CAST(SUM(s.capacity) AS BIGINT), CAST(SUM(s.clients) AS BIGINT) \
             FROM lks_service s JOIN organisation o ON o.id = s.organisation_id \
             WHERE {} AND LENGTH(o.region_code) >= {len} \
             GROUP BY SUBSTR(o.region_code, 1, {len}), s.ppks",
            parts.join(" AND ")
        );
        type Cap = (String, i64, i64, i64, i64);
        let rows: Vec<Cap> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        // Need: the latest period of each ppks_* element per region at that level.
        let mut ph = Placeholders::starting_at(2);
        let mut need_sql = format!(
            "SELECT region_code, element, value, period FROM aggregate_value \
             WHERE element LIKE $1 AND LENGTH(region_code) = {len}"
        );
        let mut need_binds = vec![Bind::Text(format!("{PPKS_NEED_PREFIX}%"))];
        if let Some(p) = parent
            && let Some(f) = within_regions(std::slice::from_ref(p), "region_code", &mut ph)
        {
            need_sql = format!("{need_sql} AND {}", f.sql);
            need_binds.extend(f.binds);
        }
        // Aggregates are published figures: only within the principal's aggregate regions.
        type Need = (String, String, f64, String);
        let needs: Vec<Need> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(need_sql.clone())),
            need_binds
        )
        .fetch_all(pool)
        .await)?;
        let mut latest: std::collections::HashMap<(String, Ppks), (f64, String)> =
            Default::default();
        for (region, element, value, period) in needs {
            let Some(ppks) = element
                .strip_prefix(PPKS_NEED_PREFIX)
                .and_then(Ppks::from_slug)
            else {
                continue;
            };
            let e = latest
                .entry((region, ppks))
                .or_insert((value, period.clone()));
            if period > e.1 {
                *e = (value, period);
            }
        }
        let mut by_key: std::collections::BTreeMap<(String, u8), CapacityRow> = Default::default();
        for (region, ppks, lks, capacity, clients) in rows {
            let (Ok(code), Some(ppks)) =
                (RegionCode::parse(&region), Ppks::from_number(ppks as u8))
            else {
                continue;
            };
            by_key.insert(
                (region.clone(), ppks.number()),
                CapacityRow {
                    region: code,
                    region_name: String::new(),
                    ppks,
                    lks: lks as u64,
                    capacity: capacity.max(0) as u64,
                    clients: clients.max(0) as u64,
                    need: None,
                    need_period: None,
                },
            );
        }
        // Regions in view with a need but no LKS serving it: a gap worth showing.
        for ((region, ppks), (value, period)) in &latest {
            let Ok(code) = RegionCode::parse(region) else {
                continue;
            };
            if !rules::sees_need_of(self.viewer(), &code) {
                continue;
            }
            let row = by_key
                .entry((region.clone(), ppks.number()))
                .or_insert_with(|| CapacityRow {
                    region: code,
                    region_name: String::new(),
                    ppks: *ppks,
                    lks: 0,
                    capacity: 0,
                    clients: 0,
                    need: None,
                    need_period: None,
                });
            row.need = Some(*value);
            row.need_period = Some(period.clone());
        }
        let codes: Vec<RegionCode> = by_key.values().map(|r| r.region.clone()).collect();
        let names = self.region_names(&codes).await?;
        Ok(by_key
            .into_values()
            .map(|mut r| {
                r.region_name = names
                    .get(r.region.as_str())
                    .cloned()
                    .unwrap_or_else(|| r.region.to_string());
                r
            })
            .collect())
    }
}
