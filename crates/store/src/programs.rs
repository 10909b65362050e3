//! Partners' programs and their places (the 4W matrix). A program is visible to a viewer
//! when one of its locations passes the viewer's row filter (over the location's region and
//! the program's organisation); it is written only by someone who may see every one of its
//! locations for that organisation. Every change is audited in its transaction. Everything
//! scoped is on [`Scoped`]; the region register lookups stay on [`Store`].

use std::collections::HashMap;

use chrono::NaiveDate;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    SexTarget, TargetGroup, need_regions,
};
pub use sinergi_core::program::{DesaNeed, PeerProgram, Program, ProgramFilter, Saved};
use sinergi_core::region_match::{NamedRegion, RegionNameIndex};
use sinergi_core::{Msg, Ppks, RegionCode, RegionKind};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, Store, StoreError, on_pool};

/// Sort keys the program list accepts.
pub const PROGRAM_SORTS: [(&str, &str); 5] = [
    ("nama", "p.name"),
    ("mitra", "o.name"),
    ("mulai", "p.start_date"),
    ("anggaran", "p.budget_rp"),
    ("sektor", "p.sector"),
];

pub(crate) const PROGRAM_COLS: &str = "p.id, p.organisation_id, o.name, p.code, p.name, p.sector, p.ppks, \
     p.aid_type, p.funding_source, p.budget_rp, p.start_date, p.end_date, p.status, p.desil_from, \
     p.desil_to, p.age_min, p.age_max, p.sex, p.disability_only, p.planned, p.reached, \
     p.reached_male, p.reached_female, p.reached_children, p.reached_disability, p.region_code, \
     p.created_at, p.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| bad(format!("tanggal {s}: {e}")))
}

fn n(v: i64) -> u64 {
    v.max(0) as u64
}

/// The columns of [`PROGRAM_COLS`] read back (the same on both backends).
pub(crate) struct ProgramRecord {
    pub(crate) id: i64,
    pub(crate) organisation_id: i64,
    pub(crate) organisation_name: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) sector: String,
    pub(crate) ppks: String,
    pub(crate) aid_type: String,
    pub(crate) funding: String,
    pub(crate) budget: i64,
    pub(crate) start: String,
    pub(crate) end: String,
    pub(crate) status: String,
    pub(crate) ints: [i64; 4],
    pub(crate) sex: String,
    pub(crate) disability_only: bool,
    pub(crate) counts: [i64; 6],
    pub(crate) region: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

macro_rules! program_record {
    ($row:expr) => {{
        let r = $row;
        ProgramRecord {
            id: r.try_get(0)?,
            organisation_id: r.try_get(1)?,
            organisation_name: r.try_get(2)?,
            code: r.try_get(3)?,
            name: r.try_get(4)?,
            sector: r.try_get(5)?,
            ppks: r.try_get(6)?,
            aid_type: r.try_get(7)?,
            funding: r.try_get(8)?,
            budget: r.try_get(9)?,
            start: r.try_get(10)?,
            end: r.try_get(11)?,
            status: r.try_get(12)?,
            ints: [
                r.try_get(13)?,
                r.try_get(14)?,
                r.try_get(15)?,
                r.try_get(16)?,
            ],
            sex: r.try_get(17)?,
            disability_only: r.try_get(18)?,
            counts: [
                r.try_get(19)?,
                r.try_get(20)?,
                r.try_get(21)?,
                r.try_get(22)?,
                r.try_get(23)?,
                r.try_get(24)?,
            ],
            region: r.try_get(25)?,
            created_at: r.try_get(26)?,
            updated_at: r.try_get(27)?,
        }
    }};
}

pub(crate) use program_record;

impl ProgramRecord {
    pub(crate) fn into_program(
        self,
        locations: Vec<ProgramLocation>,
    ) -> Result<Program, StoreError> {
        let vocab = |what: &str, v: &str| bad(format!("{what} tidak dikenal: {v}"));
        let input = ProgramInput {
            organisation_id: self.organisation_id,
            code: self.code,
            name: self.name,
            sector: Sector::from_key(&self.sector).ok_or_else(|| vocab("sektor", &self.sector))?,
            ppks: self
                .ppks
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Ppks::from_slug(s).ok_or_else(|| vocab("PPKS", s)))
                .collect::<Result<_, _>>()?,
            aid_type: AidType::from_key(&self.aid_type)
                .ok_or_else(|| vocab("jenis bantuan", &self.aid_type))?,
            funding: FundingSource::from_key(&self.funding)
                .ok_or_else(|| vocab("sumber dana", &self.funding))?,
            budget_rp: n(self.budget),
            start: date(&self.start)?,
            end: date(&self.end)?,
            status: ProgramStatus::from_key(&self.status)
                .ok_or_else(|| vocab("status", &self.status))?,
            target: TargetGroup {
                desil_from: self.ints[0] as u8,
                desil_to: self.ints[1] as u8,
                age_min: self.ints[2] as u8,
                age_max: self.ints[3] as u8,
                sex: SexTarget::from_key(&self.sex)
                    .ok_or_else(|| vocab("jenis kelamin", &self.sex))?,
                disability_only: self.disability_only,
            },
            planned: n(self.counts[0]),
            reached: Reached {
                total: n(self.counts[1]),
                male: n(self.counts[2]),
                female: n(self.counts[3]),
                children: n(self.counts[4]),
                disability: n(self.counts[5]),
            },
            locations,
        };
        Ok(Program {
            id: self.id,
            organisation_name: self.organisation_name,
            input,
            region_names: HashMap::new(),
            region: RegionCode::parse(&self.region).ok(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The WHERE body (after `WHERE`) for programs the viewer may see that match `filter`,
/// with its binds, numbered from `ph`.
fn visible(
    scoped: &Scoped<'_>,
    filter: &ProgramFilter,
    ph: &mut Placeholders,
) -> (String, Vec<Bind>) {
    let scope = scoped.rows("l.region_code", "p.organisation_id", ph);
    let mut binds = scope.binds;
    let mut inner = scope.sql;
    if let Some(w) = &filter.within
        && let Some(f) = within_regions(std::slice::from_ref(w), "l.region_code", ph)
    {
        inner = format!("{inner} AND {}", f.sql);
        binds.extend(f.binds);
    }
    let mut sql =
        format!("EXISTS (SELECT 1 FROM program_location l WHERE l.program_id = p.id AND {inner})");
    if let Some(s) = filter.sector {
        sql.push_str(&format!(" AND p.sector = {}", ph.next()));
        binds.push(Bind::Text(s.key().into()));
    }
    if let Some(o) = filter.organisation {
        sql.push_str(&format!(" AND p.organisation_id = {}", ph.next()));
        binds.push(Bind::Int(o));
    }
    if let Some(from) = filter.from {
        sql.push_str(&format!(" AND p.end_date >= {}", ph.next()));
        binds.push(Bind::Text(from.to_string()));
    }
    if let Some(to) = filter.to {
        sql.push_str(&format!(" AND p.start_date <= {}", ph.next()));
        binds.push(Bind::Text(to.to_string()));
    }
    if let Some(q) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        let a = ph.next();
        let b = ph.next();
        sql.push_str(&format!(
            " AND (LOWER(p.name) LIKE {a} OR LOWER(p.code) LIKE {b})"
        ));
        let like = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        binds.push(Bind::Text(like.clone()));
        binds.push(Bind::Text(like));
    }
    (sql, binds)
}

impl Scoped<'_> {
    /// Creates a program, or updates the one with the same organisation and code (so a
    /// re-import updates instead of duplicating).
    pub async fn save_program(&self, input: &ProgramInput) -> Result<Saved, StoreError> {
        Ok(self
            .save_programs(std::slice::from_ref(input))
            .await?
            .remove(0))
    }

    /// Saves several programs in one transaction: all of them or none.
    pub async fn save_programs(&self, inputs: &[ProgramInput]) -> Result<Vec<Saved>, StoreError> {
        self.require_write()?;
        let viewer = self.viewer().clone();
        let mut codes: Vec<RegionCode> = Vec::new();
        for input in inputs {
            if let Err(errors) = input.validate() {
                return Err(StoreError::Refused(
                    Msg::new("programs.program_refused")
                        .arg("code", &input.code)
                        .arg_list("reasons", errors.iter().map(|e| e.msg()).collect()),
                ));
            }
            for l in &input.locations {
                if !viewer.may_see(&l.region, input.organisation_id) {
                    return Err(StoreError::Forbidden);
                }
                codes.push(l.region.clone());
            }
            if self.organisation(input.organisation_id).await?.is_none() {
                return Err(StoreError::Refused(
                    Msg::new("programs.field_reason")
                        .arg("field", "organisasi")
                        .arg_msg(
                            "reason",
                            Msg::new("programs.organisation_missing")
                                .arg("id", input.organisation_id),
                        ),
                ));
            }
        }
        codes.sort();
        codes.dedup();
        let known = self.current_codes(&codes).await?;
        if let Some(unknown) = codes.iter().find(|c| !known.contains(c.as_str())) {
            return Err(StoreError::Refused(
                Msg::new("programs.field_reason")
                    .arg("field", "lokasi")
                    .arg_msg(
                        "reason",
                        Msg::new("programs.region_not_current").arg("code", unknown),
                    ),
            ));
        }
        let actor = self.actor();
        let now = now_text();
        let mut out = Vec::with_capacity(inputs.len());
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            crate::audit::lock_for_write!(tx);
            for input in inputs {
                let existing: Option<(i64, String)> = sqlx::query_as(
                    "SELECT id, name FROM program WHERE organisation_id = $1 AND code = $2",
                )
                .bind(input.organisation_id)
                .bind(input.code.trim())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, _)) = &existing {
                    // Whoever updates must reach every place the program had.
                    let old: Vec<String> = sqlx::query_scalar(
                        "SELECT region_code FROM program_location WHERE program_id = $1",
                    )
                    .bind(*id)
                    .fetch_all(&mut *tx)
                    .await?;
                    for code in old {
                        let code = RegionCode::parse(&code).map_err(|e| bad(e.to_string()))?;
                        if !viewer.may_see(&code, input.organisation_id) {
                            return Err(StoreError::Forbidden);
                        }
                    }
                }
                let t = &input.target;
                let r = &input.reached;
                let home = input
                    .home_region()
                    .map(|r| r.to_string())
                    .unwrap_or_default();
                let ppks = input
                    .ppks
                    .iter()
                    .map(|p| p.slug())
                    .collect::<Vec<_>>()
                    .join(",");
                let values = (
                    input.name.trim().to_string(),
                    input.sector.key(),
                    ppks,
                    input.aid_type.key(),
                    input.funding.key(),
                    input.budget_rp as i64,
                    input.start.to_string(),
                    input.end.to_string(),
                    input.status.key(),
                );
                let id: i64 = match &existing {
                    Some((id, _)) => {
                        sqlx::query(
                            "UPDATE program SET name = $1, sector = $2, ppks = $3, aid_type = $4, \
                             funding_source = $5, budget_rp = $6, start_date = $7, end_date = $8, \
                             status = $9, desil_from = $10, desil_to = $11, age_min = $12, \
                             age_max = $13, sex = $14, disability_only = $15, planned = $16, \
                             reached = $17, reached_male = $18, reached_female = $19, \
                             reached_children = $20, reached_disability = $21, region_code = $22, \
                             updated_at = $23 WHERE id = $24",
                        )
                        .bind(values.0.clone())
                        .bind(values.1)
                        .bind(values.2.clone())
                        .bind(values.3)
                        .bind(values.4)
                        .bind(values.5)
                        .bind(values.6.clone())
                        .bind(values.7.clone())
                        .bind(values.8)
                        .bind(i64::from(t.desil_from))
                        .bind(i64::from(t.desil_to))
                        .bind(i64::from(t.age_min))
                        .bind(i64::from(t.age_max))
                        .bind(t.sex.key())
                        .bind(t.disability_only)
                        .bind(input.planned_total() as i64)
                        .bind(r.total as i64)
                        .bind(r.male as i64)
                        .bind(r.female as i64)
                        .bind(r.children as i64)
                        .bind(r.disability as i64)
                        .bind(home.clone())
                        .bind(now.clone())
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("DELETE FROM program_location WHERE program_id = $1")
                            .bind(*id)
                            .execute(&mut *tx)
                            .await?;
                        *id
                    }
                    None => sqlx::query_scalar(
                        "INSERT INTO program (organisation_id, code, name, sector, ppks, aid_type, \
                             funding_source, budget_rp, start_date, end_date, status, desil_from, \
                             desil_to, age_min, age_max, sex, disability_only, planned, reached, \
                             reached_male, reached_female, reached_children, reached_disability, \
                             region_code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
                             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                             $21, $22, $23, $24, $25, $26) RETURNING id",
                    )
                    .bind(input.organisation_id)
                    .bind(input.code.trim().to_string())
                    .bind(values.0.clone())
                    .bind(values.1)
                    .bind(values.2.clone())
                    .bind(values.3)
                    .bind(values.4)
                    .bind(values.5)
                    .bind(values.6.clone())
                    .bind(values.7.clone())
                    .bind(values.8)
                    .bind(i64::from(t.desil_from))
                    .bind(i64::from(t.desil_to))
                    .bind(i64::from(t.age_min))
                    .bind(i64::from(t.age_max))
                    .bind(t.sex.key())
                    .bind(t.disability_only)
                    .bind(input.planned_total() as i64)
                    .bind(r.total as i64)
                    .bind(r.male as i64)
                    .bind(r.female as i64)
                    .bind(r.children as i64)
                    .bind(r.disability as i64)
                    .bind(home.clone())
                    .bind(now.clone())
                    .bind(now.clone())
                    .fetch_one(&mut *tx)
                    .await?,
                };
                for chunk in input.locations.chunks(200) {
                    let mut ph = Placeholders::starting_at(1);
                    let tuples: Vec<String> = chunk
                        .iter()
                        .map(|_| {
                            format!(
                                "({}, {}, {}, {})",
                                ph.next(),
                                ph.next(),
                                ph.next(),
                                ph.next()
                            )
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO program_location (program_id, region_code, planned, reached) VALUES {}",
                        tuples.join(", ")
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for l in chunk {
                        q = q
                            .bind(id)
                            .bind(l.region.to_string())
                            .bind(l.planned as i64)
                            .bind(l.reached as i64);
                    }
                    q.execute(&mut *tx).await?;
                }
                let summary = serde_json::json!({
                    "kode": input.code.trim(),
                    "nama": values.0,
                    "organisasi": input.organisation_id,
                    "sektor": values.1,
                    "mulai": values.6,
                    "selesai": values.7,
                    "anggaran_rp": input.budget_rp,
                    "lokasi": input.locations.len(),
                });
                let mut event = AuditEvent::new(
                    actor.clone(),
                    if existing.is_some() {
                        "program.update"
                    } else {
                        "program.create"
                    },
                    "program",
                )
                .id(id)
                .after(summary);
                if !home.is_empty() {
                    event = event.region(&home);
                }
                if let Some((_, old_name)) = &existing {
                    event = event.before(serde_json::json!({ "nama": old_name }));
                }
                append_audit!(tx, &event);
                out.push(Saved {
                    id,
                    created: existing.is_none(),
                });
            }
            tx.commit().await?;
        });
        Ok(out)
    }

    /// Which of `codes` are current regions.
    async fn current_codes(
        &self,
        codes: &[RegionCode],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut out = std::collections::HashSet::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<String> = on_pool!(self, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT code FROM region WHERE valid_to IS NULL AND code IN (",
                );
                let mut sep = qb.separated(", ");
                for code in chunk {
                    sep.push_bind(code.as_str().to_string());
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(pool).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Removes a program the viewer may write (all its locations within reach).
    pub async fn delete_program(&self, id: i64) -> Result<bool, StoreError> {
        self.require_write()?;
        let Some(p) = self.program(id).await? else {
            return Ok(false);
        };
        if !p
            .input
            .locations
            .iter()
            .all(|l| self.viewer().may_see(&l.region, p.input.organisation_id))
        {
            return Err(StoreError::Forbidden);
        }
        let mut event = AuditEvent::new(self.actor(), "program.delete", "program").id(id);
        if let Some(region) = &p.region {
            event = event.region(region.as_str());
        }
        let event = event.before(serde_json::json!({ "kode": p.input.code, "nama": p.input.name }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM program_location WHERE program_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM program WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(true)
    }

    /// One program the viewer may see, with its locations and their names.
    pub async fn program(&self, id: i64) -> Result<Option<Program>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let (cond, binds) = visible(self, &ProgramFilter::default(), &mut ph);
        let sql = format!(
            "SELECT {PROGRAM_COLS} FROM program p JOIN organisation o ON o.id = p.organisation_id \
             WHERE p.id = $1 AND {cond}"
        );
        let record: Option<ProgramRecord> = on_pool!(self, |pool| {
            let row = bind_filter!(sqlx::query(AssertSqlSafe(sql.clone())).bind(id), binds)
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) => Some(program_record!(&row)),
                None => None,
            }
        });
        let Some(record) = record else {
            return Ok(None);
        };
        let mut locations = self.locations_of(&[id]).await?;
        let locs = locations.remove(&id).unwrap_or_default();
        let mut program = record.into_program(locs)?;
        let codes: Vec<RegionCode> = program
            .input
            .locations
            .iter()
            .map(|l| l.region.clone())
            .collect();
        program.region_names = self.region_names(&codes).await?;
        Ok(Some(program))
    }

    async fn locations_of(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<ProgramLocation>>, StoreError> {
        let mut out: HashMap<i64, Vec<ProgramLocation>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String, i64, i64)> = on_pool!(self, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT program_id, region_code, planned, reached FROM program_location WHERE program_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                qb.push(") ORDER BY program_id, region_code");
                qb.build_query_as().fetch_all(pool).await
            })?;
            for (pid, code, planned, reached) in rows {
                out.entry(pid).or_default().push(ProgramLocation {
                    region: RegionCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                    planned: n(planned),
                    reached: n(reached),
                });
            }
        }
        Ok(out)
    }

    /// One page of the programs the viewer may see, in the order asked for.
    pub async fn programs(
        &self,
        filter: &ProgramFilter,
        sort: crate::Sort,
        page: Page,
    ) -> Result<Paged<Program>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let (cond, binds) = visible(self, filter, &mut ph);
        let from = "FROM program p JOIN organisation o ON o.id = p.organisation_id";
        let count_sql = format!("SELECT count(*) {from} WHERE {cond}");
        let list_sql = format!(
            "SELECT {PROGRAM_COLS} {from} WHERE {cond} ORDER BY {} LIMIT {} OFFSET {}",
            sort.order_by(&PROGRAM_SORTS, "p.id"),
            page.limit(),
            page.offset()
        );
        let (total, records): (i64, Vec<ProgramRecord>) = on_pool!(self, |pool| {
            let total: i64 =
                bind_filter!(sqlx::query_scalar(AssertSqlSafe(count_sql.clone())), binds)
                    .fetch_one(pool)
                    .await?;
            let rows = bind_filter!(sqlx::query(AssertSqlSafe(list_sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            let mut records = Vec::with_capacity(rows.len());
            for row in &rows {
                records.push(program_record!(row));
            }
            (total, records)
        });
        let items = self.with_locations(records).await?;
        Ok(Paged {
            items,
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }

    /// Every program the viewer may see that matches `filter` (the 4W matrix, its export,
    /// the API), with locations; region names are left to the caller.
    pub async fn programs_all(&self, filter: &ProgramFilter) -> Result<Vec<Program>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let (cond, binds) = visible(self, filter, &mut ph);
        let sql = format!(
            "SELECT {PROGRAM_COLS} FROM program p JOIN organisation o ON o.id = p.organisation_id \
             WHERE {cond} ORDER BY o.name, p.code, p.id"
        );
        let records: Vec<ProgramRecord> = on_pool!(self, |pool| {
            let rows = bind_filter!(sqlx::query(AssertSqlSafe(sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            let mut records = Vec::with_capacity(rows.len());
            for row in &rows {
                records.push(program_record!(row));
            }
            records
        });
        self.with_locations(records).await
    }

    pub(crate) async fn with_locations(
        &self,
        records: Vec<ProgramRecord>,
    ) -> Result<Vec<Program>, StoreError> {
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let mut locations = self.locations_of(&ids).await?;
        records
            .into_iter()
            .map(|r| {
                let locs = locations.remove(&r.id).unwrap_or_default();
                r.into_program(locs)
            })
            .collect()
    }

    /// Every current desa in or below `within` that the viewer's regions cover (see
    /// [`need_regions`]), with the latest figures the gap analysis reads: families, Desil I
    /// families, whether it is an extreme-poverty target village, and its PPKS count (absent
    /// figures are `None`). Aggregates only: no by-name data.
    pub async fn desa_need(
        &self,
        within: Option<&RegionCode>,
    ) -> Result<Vec<DesaNeed>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let mut sql =
            "SELECT code, latitude, longitude FROM region WHERE level = 4 AND valid_to IS NULL"
                .to_string();
        let mut binds = Vec::new();
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), "code", &mut ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds = f.binds;
        }
        if let Some(regions) = need_regions(self.viewer()) {
            match within_regions(&regions, "code", &mut ph) {
                Some(f) => {
                    sql = format!("{sql} AND {}", f.sql);
                    binds.extend(f.binds);
                }
                None => return Ok(Vec::new()),
            }
        }
        sql.push_str(" ORDER BY code");
        let rows: Vec<(String, Option<f64>, Option<f64>)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let mut out: Vec<DesaNeed> = Vec::with_capacity(rows.len());
        for (code, lat, lng) in rows {
            out.push(DesaNeed {
                code: RegionCode::parse(&code).map_err(|e| bad(e.to_string()))?,
                latitude: lat,
                longitude: lng,
                families: None,
                desil1: None,
                extreme_target: false,
                ppks: None,
            });
        }
        let index: HashMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.to_string(), i))
            .collect();
        for element in NEED_ELEMENTS {
            let mut ph = Placeholders::starting_at(3);
            let mut sql = String::from(
                "SELECT region_code, value FROM aggregate_value WHERE element = $1 AND LENGTH(region_code) = 13 \
                 AND period = (SELECT MAX(period) FROM aggregate_value WHERE element = $2 AND LENGTH(region_code) = 13)",
            );
            let mut binds = Vec::new();
            if let Some(w) = within
                && let Some(f) = within_regions(std::slice::from_ref(w), "region_code", &mut ph)
            {
                sql = format!("{sql} AND {}", f.sql);
                binds = f.binds;
            }
            let values: Vec<(String, f64)> = on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone()))
                    .bind(element)
                    .bind(element),
                binds
            )
            .fetch_all(pool)
            .await)?;
            for (code, v) in values {
                if let Some(&i) = index.get(&code) {
                    let d = &mut out[i];
                    match element {
                        "jumlah_keluarga" => d.families = Some(v),
                        "keluarga_desil_1" => d.desil1 = Some(v),
                        "desa_sasaran_kemiskinan_ekstrem" => d.extreme_target = v > 0.0,
                        _ => d.ppks = Some(v),
                    }
                }
            }
        }
        Ok(out)
    }

    /// Organisations that own at least one program the viewer may see (for filters).
    pub async fn program_organisations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let (cond, binds) = visible(self, &ProgramFilter::default(), &mut ph);
        let sql = format!(
            "SELECT DISTINCT o.id, o.name FROM program p JOIN organisation o ON o.id = p.organisation_id \
             WHERE {cond} ORDER BY o.name"
        );
        Ok(on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?)
    }
}

impl Store {
    /// Current regions in or below `within` (everything when empty), for matching the
    /// names partners write to codes.
    pub async fn region_name_index(
        &self,
        within: &[RegionCode],
    ) -> Result<RegionNameIndex, StoreError> {
        self.region_name_index_with(within, false).await
    }

    /// [`Self::region_name_index`] that also knows every province by name, so that a
    /// `provinsi` a row gives can be checked whatever the scope.
    pub async fn region_name_index_with_provinces(
        &self,
        within: &[RegionCode],
    ) -> Result<RegionNameIndex, StoreError> {
        self.region_name_index_with(within, true).await
    }

    async fn region_name_index_with(
        &self,
        within: &[RegionCode],
        provinces: bool,
    ) -> Result<RegionNameIndex, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let mut sql = "SELECT code, name, kind FROM region WHERE valid_to IS NULL".to_string();
        let mut binds = Vec::new();
        if let Some(f) = within_regions(within, "code", &mut ph) {
            sql = if provinces {
                format!("{sql} AND ({} OR level = 1)", f.sql)
            } else {
                format!("{sql} AND {}", f.sql)
            };
            binds = f.binds;
        }
        let rows: Vec<(String, String, String)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let mut regions = Vec::with_capacity(rows.len());
        for (code, name, kind) in rows {
            let code = RegionCode::parse(&code).map_err(|e| bad(e.to_string()))?;
            let kind =
                RegionKind::from_key(&kind).unwrap_or_else(|| RegionKind::infer(&code, &name));
            regions.push(NamedRegion { code, name, kind });
        }
        Ok(RegionNameIndex::new(regions))
    }

    /// Names and coordinates of the given codes (for maps and matrix rows).
    pub async fn region_points(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, (String, Option<f64>, Option<f64>)>, StoreError> {
        let mut out = HashMap::with_capacity(codes.len());
        for chunk in codes.chunks(500) {
            let rows: Vec<(String, String, Option<f64>, Option<f64>)> = on_pool!(self, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT code, name, latitude, longitude FROM region WHERE code IN (",
                );
                let mut sep = qb.separated(", ");
                for code in chunk {
                    sep.push_bind(code.clone());
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await
            })?;
            out.extend(rows.into_iter().map(|(c, n, lat, lng)| (c, (n, lat, lng))));
        }
        Ok(out)
    }
}

/// The aggregate elements the gap analysis reads per desa.
pub const NEED_ELEMENTS: [&str; 4] = [
    "jumlah_keluarga",
    "keluarga_desil_1",
    "desa_sasaran_kemiskinan_ekstrem",
    "jumlah_ppks",
];
