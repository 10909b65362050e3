//! The LKKS network: one record per province and kab/kota LKKS with its formation status and
//! history, decree, term, board, yearly report and program sync; and formation targets with
//! their progress. Reads are scoped; every change is audited.

use chrono::NaiveDate;
use serde::Serialize;
use sinergi_core::institution::rules;
use sinergi_core::institution::{BoardMember, BoardPosition, FormationStatus, LkksBody, LkksInput};
use sinergi_core::{Level, Localized, Msg, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::institutions::{RegistryImport, date_text, fetch_page, parse_date, text};
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, Sort, StoreError, on_pool};

pub const LKKS_SORTS: [(&str, &str); 3] = [
    ("wilayah", "l.region_code"),
    ("nama", "o.name"),
    ("status", "l.status"),
];

#[derive(Debug, Clone, Default)]
pub struct LkksFilter {
    pub query: Option<String>,
    pub region: Option<RegionCode>,
    pub status: Option<FormationStatus>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LkksRow {
    pub id: i64,
    pub region: String,
    pub region_name: Option<String>,
    pub name: String,
    pub body: String,
    pub status: FormationStatus,
    pub decree_number: Option<String>,
    pub decree_date: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub decree_signed_by: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BoardSeat {
    pub id: i64,
    pub position: BoardPosition,
    pub title: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatusChange {
    pub status: FormationStatus,
    pub changed_on: NaiveDate,
    pub note: Option<String>,
    pub actor: String,
}

/// Per year: annual report received, program synchronised for the coming year.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LkksYear {
    pub year: i64,
    pub report_received_on: Option<NaiveDate>,
    pub program_synced_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LkksRecord {
    pub lkks: LkksRow,
    pub board: Vec<BoardSeat>,
    pub history: Vec<StatusChange>,
    pub years: Vec<LkksYear>,
    pub lks_count: i64,
}

impl LkksRecord {
    pub fn seat(&self, position: BoardPosition) -> Option<&BoardSeat> {
        self.board.iter().find(|s| s.position == position)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FormationTarget {
    pub id: i64,
    pub province: String,
    pub name: String,
    pub target_status: FormationStatus,
    pub due_date: NaiveDate,
}

/// One kab/kota of a formation target.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FormationEntry {
    pub region: RegionCode,
    pub region_name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub lkks_id: Option<i64>,
    pub status: Option<FormationStatus>,
    pub reached: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FormationProgress {
    pub target: FormationTarget,
    pub entries: Vec<FormationEntry>,
    pub reached: usize,
}

impl FormationProgress {
    pub fn total(&self) -> usize {
        self.entries.len()
    }

    pub fn percent(&self) -> u64 {
        if self.entries.is_empty() {
            0
        } else {
            (self.reached as u64 * 100) / self.entries.len() as u64
        }
    }

    pub fn missing(&self) -> impl Iterator<Item = &FormationEntry> {
        self.entries.iter().filter(|e| !e.reached)
    }
}

type LkksDbRow = (
    i64,
    String,
    Option<String>,
    String,
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
);

const LKKS_COLUMNS: &str = "o.id, l.region_code, r.name, o.name, l.body, l.status, \
     l.decree_number, l.decree_date, l.term_start, l.term_end, l.decree_signed_by, l.address, \
     l.phone, l.email";
const LKKS_FROM: &str = "FROM lkks l JOIN organisation o ON o.id = l.organisation_id \
     LEFT JOIN region r ON r.code = l.region_code";

fn to_lkks(r: LkksDbRow) -> LkksRow {
    LkksRow {
        id: r.0,
        region: r.1,
        region_name: r.2,
        name: r.3,
        body: r.4,
        status: FormationStatus::from_key(&r.5).unwrap_or(FormationStatus::BelumDibentuk),
        decree_number: r.6,
        decree_date: parse_date(r.7),
        term_start: parse_date(r.8),
        term_end: parse_date(r.9),
        decree_signed_by: r.10,
        address: r.11,
        phone: r.12,
        email: r.13,
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

impl Scoped<'_> {
    fn lkks_where(&self, filter: &LkksFilter) -> (String, Vec<Bind>) {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("l.region_code", "o.id", &mut ph);
        let mut parts = vec![f.sql];
        let mut binds = f.binds;
        if let Some(r) = &filter.region
            && let Some(f) = within_regions(std::slice::from_ref(r), "l.region_code", &mut ph)
        {
            parts.push(f.sql);
            binds.extend(f.binds);
        }
        if let Some(s) = filter.status {
            parts.push(format!("l.status = {}", ph.next()));
            binds.push(Bind::Text(s.key().into()));
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty())
        {
            parts.push(format!("LOWER(o.name) LIKE {}", ph.next()));
            binds.push(Bind::Text(format!("%{q}%")));
        }
        (parts.join(" AND "), binds)
    }

    /// One page of the LKKS network this viewer may see.
    pub async fn lkks_list(
        &self,
        filter: &LkksFilter,
        sort: Sort,
        page: Page,
    ) -> Result<Paged<LkksRow>, StoreError> {
        let (w, binds) = self.lkks_where(filter);
        let count_sql = format!("SELECT COUNT(*) {LKKS_FROM} WHERE {w}");
        let sql = format!(
            "SELECT {LKKS_COLUMNS} {LKKS_FROM} WHERE {w} ORDER BY {} LIMIT {} OFFSET {}",
            sort.order_by(&LKKS_SORTS, "o.id"),
            page.limit(),
            page.offset()
        );
        let (total, rows): (u64, Vec<LkksDbRow>) = fetch_page(self, count_sql, sql, &binds).await?;
        Ok(Paged {
            items: rows.into_iter().map(to_lkks).collect(),
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// Every LKKS this viewer may see under `filter` (for export), by region; audited.
    pub async fn export_lkks(&self, filter: &LkksFilter) -> Result<Vec<LkksRecord>, StoreError> {
        let page = self
            .lkks_list(
                filter,
                Sort::parse(None, &LKKS_SORTS),
                Page::new(Some(1), Some(Page::MAX_SIZE), Page::MAX_SIZE),
            )
            .await?;
        let mut out = Vec::with_capacity(page.items.len());
        let mut all = page.items;
        let mut n = 1;
        let mut total = page.total as usize;
        while all.len() < total {
            n += 1;
            let next = self
                .lkks_list(
                    filter,
                    Sort::parse(None, &LKKS_SORTS),
                    Page::new(Some(n), Some(Page::MAX_SIZE), Page::MAX_SIZE),
                )
                .await?;
            total = next.total as usize;
            if next.items.is_empty() {
                break;
            }
            all.extend(next.items);
        }
        for l in all {
            out.push(self.lkks_parts(l).await?);
        }
        // The board members' names and phones make this a by-name export.
        self.audit_contacts_export(
            "lkks",
            out.len(),
            filter.query.as_deref(),
            filter.region.as_ref(),
        )
        .await?;
        Ok(out)
    }

    /// One LKKS with its board, status history and years, when this viewer may see it.
    pub async fn lkks(&self, id: i64) -> Result<Option<LkksRecord>, StoreError> {
        let (w, mut binds) = self.lkks_where(&LkksFilter::default());
        let sql = format!(
            "SELECT {LKKS_COLUMNS} {LKKS_FROM} WHERE {w} AND o.id = ${}",
            binds.len() + 1
        );
        binds.push(Bind::Int(id));
        let row: Option<LkksDbRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?;
        match row {
            Some(r) => Ok(Some(self.lkks_parts(to_lkks(r)).await?)),
            None => Ok(None),
        }
    }

    async fn lkks_parts(&self, lkks: LkksRow) -> Result<LkksRecord, StoreError> {
        type Seat = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        );
        type Hist = (String, String, Option<String>, String);
        type Year = (i64, Option<String>, Option<String>, Option<String>);
        let id = lkks.id;
        let (board, history, years, lks_count): (Vec<Seat>, Vec<Hist>, Vec<Year>, i64) = on_pool!(
            self,
            |pool| {
                let b: Vec<Seat> = sqlx::query_as(
                    "SELECT id, position, title, name, phone, email FROM lkks_board WHERE organisation_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                let h: Vec<Hist> = sqlx::query_as(
                    "SELECT status, changed_on, note, actor_name FROM lkks_status_history WHERE organisation_id = $1 ORDER BY id DESC",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                let y: Vec<Year> = sqlx::query_as(
                    "SELECT year, report_received_on, program_synced_on, note FROM lkks_year WHERE organisation_id = $1 ORDER BY year DESC",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lks WHERE lkks_id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await?;
                (b, h, y, n)
            }
        );
        let mut board: Vec<BoardSeat> = board
            .into_iter()
            .filter_map(|(id, p, title, name, phone, email)| {
                Some(BoardSeat {
                    id,
                    position: BoardPosition::from_key(&p)?,
                    title,
                    name,
                    phone,
                    email,
                })
            })
            .collect();
        board.sort_by_key(|s| (s.position, s.id));
        Ok(LkksRecord {
            lkks,
            board,
            history: history
                .into_iter()
                .filter_map(|(s, on, note, actor)| {
                    Some(StatusChange {
                        status: FormationStatus::from_key(&s)?,
                        changed_on: parse_date(Some(on))?,
                        note,
                        actor,
                    })
                })
                .collect(),
            years: years
                .into_iter()
                .map(|(year, r, p, note)| LkksYear {
                    year,
                    report_received_on: parse_date(r),
                    program_synced_on: parse_date(p),
                    note,
                })
                .collect(),
            lks_count,
        })
    }

    /// Saves one LKKS from a form (created, or updated by its region). Returns (id, created).
    pub async fn save_lkks(
        &self,
        input: &LkksInput,
        note: Option<&str>,
    ) -> Result<(i64, bool), StoreError> {
        let outcome = self.import_lkks_noted(&[(0, input.clone())], note).await?;
        let created = outcome.single()?;
        let region = input
            .region
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT organisation_id FROM lkks WHERE region_code = $1"
        )
        .bind(&region)
        .fetch_optional(pool)
        .await)?;
        Ok((
            id.ok_or_else(|| StoreError::Corrupt("LKKS tidak tersimpan".into()))?,
            created,
        ))
    }

    /// Stores LKKS rows (line, input) in one transaction, keyed by region: each row is
    /// created, updated, or rejected with its reason (a status move the domain does not
    /// allow, a missing decree, a region outside this viewer's scope).
    pub async fn import_lkks(
        &self,
        rows: &[(u64, LkksInput)],
    ) -> Result<RegistryImport, StoreError> {
        self.import_lkks_noted(rows, None).await
    }

    async fn import_lkks_noted(
        &self,
        rows: &[(u64, LkksInput)],
        note: Option<&str>,
    ) -> Result<RegistryImport, StoreError> {
        let actor = self.actor();
        let now = now_text();
        let today = date_text(Some(today()));
        let mut out = RegistryImport::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for (line, input) in rows {
                let line = *line;
                if out.refuse_problems(line, input.problems()) {
                    continue;
                }
                let (Some(region), Some(status)) = (input.region.clone(), input.status) else {
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
                let existing: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT l.organisation_id, l.status, o.name FROM lkks l JOIN organisation o ON o.id = l.organisation_id WHERE l.region_code = $1",
                )
                .bind(region.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                if !self.screen_write(
                    &mut out,
                    line,
                    "kode_wilayah",
                    existing.as_ref().map(|(id, _, _)| (&region, *id)),
                    &region,
                ) {
                    continue;
                }
                let old_status = existing
                    .as_ref()
                    .and_then(|(_, s, _)| FormationStatus::from_key(s));
                if let Some(old) = old_status
                    && let Err(e) = old.check_move(status, input.has_decree())
                {
                    out.reject(line, "status", e.msg());
                    continue;
                }
                let name = input.name.trim().to_string();
                let body = input
                    .body
                    .unwrap_or_else(|| LkksBody::for_province(region.province().as_str()));
                let id: i64 = match &existing {
                    Some((id, _, _)) => {
                        sqlx::query("UPDATE organisation SET name = $1 WHERE id = $2")
                            .bind(&name)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        *id
                    }
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO organisation (kind, name, region_code, created_at) VALUES ('lkks', $1, $2, $3) RETURNING id",
                        )
                        .bind(&name)
                        .bind(region.as_str())
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let sql = if existing.is_some() {
                    "UPDATE lkks SET body = $2, status = $3, decree_number = $4, decree_date = $5, \
                     decree_signed_by = $6, term_start = $7, term_end = $8, address = $9, \
                     phone = $10, email = $11, updated_at = $12, region_code = $13 \
                     WHERE organisation_id = $1"
                } else {
                    "INSERT INTO lkks (organisation_id, body, status, decree_number, decree_date, \
                     decree_signed_by, term_start, term_end, address, phone, email, updated_at, \
                     region_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                };
                sqlx::query(sql)
                    .bind(id)
                    .bind(body.key())
                    .bind(status.key())
                    .bind(text(&input.decree_number))
                    .bind(date_text(input.decree_date))
                    .bind(text(&input.decree_signed_by))
                    .bind(date_text(input.term_start))
                    .bind(date_text(input.term_end))
                    .bind(text(&input.address))
                    .bind(text(&input.phone))
                    .bind(text(&input.email))
                    .bind(&now)
                    .bind(region.as_str())
                    .execute(&mut *tx)
                    .await?;
                if old_status != Some(status) {
                    // A confirmed body's history starts at its decree date when first known.
                    let on = if old_status.is_none() && status.needs_decree() {
                        date_text(input.decree_date).or(today.clone())
                    } else {
                        today.clone()
                    };
                    sqlx::query(
                        "INSERT INTO lkks_status_history (organisation_id, status, changed_on, note, actor_name, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(status.key())
                    .bind(on)
                    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
                    .bind(&actor.name)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
                for m in input.board.iter().flatten() {
                    if m.position != BoardPosition::Bidang {
                        sqlx::query(
                            "DELETE FROM lkks_board WHERE organisation_id = $1 AND position = $2",
                        )
                        .bind(id)
                        .bind(m.position.key())
                        .execute(&mut *tx)
                        .await?;
                    }
                    sqlx::query(
                        "INSERT INTO lkks_board (organisation_id, position, title, name, phone, email) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(m.position.key())
                    .bind(text(&m.title))
                    .bind(m.name.trim())
                    .bind(text(&m.phone))
                    .bind(text(&m.email))
                    .execute(&mut *tx)
                    .await?;
                }
                let mut event = AuditEvent::new(
                    actor.clone(),
                    if existing.is_some() { "lkks.update" } else { "lkks.create" },
                    "lkks",
                )
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "nama": name, "status": status.key(), "no_sk": text(&input.decree_number) }));
                if let Some((_, s, n)) = &existing {
                    event = event.before(serde_json::json!({ "nama": n, "status": s }));
                }
                append_audit!(tx, &event);
                out.stored(existing.is_none());
            }
            tx.commit().await?;
        });
        Ok(out)
    }

    /// Checks that this viewer may change LKKS `id`; returns its region.
    async fn lkks_for_write(&self, id: i64) -> Result<RegionCode, StoreError> {
        let region: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT region_code FROM lkks WHERE organisation_id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let region = region
            .and_then(|r| RegionCode::parse(&r).ok())
            .ok_or(StoreError::Forbidden)?;
        self.require_registry_write((&region, id), &region)?;
        Ok(region)
    }

    /// Adds a board seat (a division, or a main seat, which replaces the holder).
    pub async fn add_board_member(&self, id: i64, member: &BoardMember) -> Result<(), StoreError> {
        let region = self.lkks_for_write(id).await?;
        let check = LkksInput {
            region: Some(region.clone()),
            name: "-".into(),
            status: Some(FormationStatus::BelumDibentuk),
            board: Some(vec![member.clone()]),
            ..LkksInput::default()
        };
        if let Some((f, r)) = check.problems().into_iter().next() {
            return Err(StoreError::Refused(sinergi_core::institution::field_msg(
                f, r,
            )));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if member.position != BoardPosition::Bidang {
                sqlx::query("DELETE FROM lkks_board WHERE organisation_id = $1 AND position = $2")
                    .bind(id)
                    .bind(member.position.key())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO lkks_board (organisation_id, position, title, name, phone, email) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(member.position.key())
            .bind(text(&member.title))
            .bind(member.name.trim())
            .bind(text(&member.phone))
            .bind(text(&member.email))
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(self.actor(), "lkks.board_add", "lkks")
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "jabatan": member.position.key(), "nama": member.name.trim() }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn remove_board_member(&self, id: i64, seat: i64) -> Result<bool, StoreError> {
        let region = self.lkks_for_write(id).await?;
        let removed = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM lkks_board WHERE organisation_id = $1 AND id = $2")
                .bind(id)
                .bind(seat)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let event = AuditEvent::new(self.actor(), "lkks.board_remove", "lkks")
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "kursi": seat }));
            append_audit!(tx, &event);
            tx.commit().await?;
            n > 0
        });
        Ok(removed)
    }

    /// Records a year's annual report receipt and program sync (replacing that year's).
    pub async fn set_lkks_year(&self, id: i64, year: &LkksYear) -> Result<(), StoreError> {
        if !(2000..=2100).contains(&year.year) {
            return Err(StoreError::Refused(field_refused(
                "tahun",
                Msg::new("institution.year_implausible").arg("year", year.year),
            )));
        }
        let region = self.lkks_for_write(id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM lkks_year WHERE organisation_id = $1 AND year = $2")
                .bind(id)
                .bind(year.year)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO lkks_year (organisation_id, year, report_received_on, program_synced_on, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(year.year)
            .bind(date_text(year.report_received_on))
            .bind(date_text(year.program_synced_on))
            .bind(text(&year.note))
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(self.actor(), "lkks.year", "lkks")
                .id(id)
                .region(&region)
                .after(serde_json::json!({
                    "tahun": year.year,
                    "laporan_diterima": date_text(year.report_received_on),
                    "sinkron_program": date_text(year.program_synced_on),
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Formation targets of the provinces this viewer sees (every one for the public and
    /// the system), latest due first.
    pub async fn formation_targets(&self) -> Result<Vec<FormationTarget>, StoreError> {
        type T = (i64, String, String, String, String);
        let rows: Vec<T> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, region_code, name, target_status, due_date FROM formation_target ORDER BY due_date DESC, id DESC"
        )
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, province, name, status, due)| {
                let code = RegionCode::parse(&province).ok()?;
                rules::sees_formation_target(self.viewer(), &code).then_some(())?;
                Some(FormationTarget {
                    id,
                    province,
                    name,
                    target_status: FormationStatus::from_key(&status)?,
                    due_date: parse_date(Some(due))?,
                })
            })
            .collect())
    }

    /// Sets a province's formation target (admins of that province, or the system).
    pub async fn save_formation_target(
        &self,
        province: &RegionCode,
        name: &str,
        status: FormationStatus,
        due: NaiveDate,
    ) -> Result<i64, StoreError> {
        if province.level() != Level::Provinsi {
            return Err(StoreError::Refused(field_refused(
                "provinsi",
                Msg::new("institution.not_province").arg("code", province),
            )));
        }
        if !rules::may_set_formation_target(self.viewer(), province) {
            return Err(StoreError::Forbidden);
        }
        if name.trim().is_empty() {
            return Err(StoreError::Refused(field_refused(
                "nama",
                Msg::new("institution.required"),
            )));
        }
        let actor = self.actor();
        let now = now_text();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO formation_target (region_code, name, target_status, due_date, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(province.as_str())
            .bind(name.trim())
            .bind(status.key())
            .bind(date_text(Some(due)))
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "lkks.target", "formation_target")
                .id(id)
                .region(province)
                .after(serde_json::json!({ "nama": name.trim(), "status": status.key(), "tenggat": date_text(Some(due)) }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }
}

/// A field named with why it was refused.
fn field_refused(field: &str, reason: Msg) -> Msg {
    Msg::new("error.field")
        .arg("field", field)
        .arg_msg("reason", reason)
}
