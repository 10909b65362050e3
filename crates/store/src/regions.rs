//! Regions: look-ups, counts per level, name search, and applying an official list while
//! keeping history (retired codes stay, with validity dates and their successor).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sinergi_core::succession::infer_successors;
use sinergi_core::{
    Level, Msg, Region, RegionCode, RegionEntry, RegionKind, RegionQuery, fold_text,
    normalize_region_name,
};
use sqlx::AssertSqlSafe;

use crate::{Page, Paged, RejectedCode, Store, StoreError, on_pool};

const REGION_COLS: &str =
    "code, name, kind, latitude, longitude, valid_from, valid_to, replaced_by";
type RegionRow = (
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
);

/// Rows per multi-row INSERT: 12 columns × 1,000 stays under both backends' parameter limits.
const INSERT_CHUNK: usize = 1_000;

/// How many current regions lie below a region, per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub provinsi: u64,
    pub kabkota: u64,
    pub kecamatan: u64,
    pub desa: u64,
}

impl LevelCounts {
    pub fn get(&self, level: Level) -> u64 {
        match level {
            Level::Provinsi => self.provinsi,
            Level::KabKota => self.kabkota,
            Level::Kecamatan => self.kecamatan,
            Level::Desa => self.desa,
        }
    }

    fn add(&mut self, level: Level, n: u64) {
        match level {
            Level::Provinsi => self.provinsi += n,
            Level::KabKota => self.kabkota += n,
            Level::Kecamatan => self.kecamatan += n,
            Level::Desa => self.desa += n,
        }
    }
}

/// A child region with the counts of what lies below it.
#[derive(Debug, Clone, Serialize)]
pub struct ChildCounts {
    pub region: Region,
    pub below: LevelCounts,
}

/// One applied region list.
#[derive(Debug, Clone, Serialize)]
pub struct RegionVersion {
    pub effective_date: NaiveDate,
    pub source: String,
    pub added: u64,
    pub renamed: u64,
    pub retired: u64,
    pub reactivated: u64,
}

/// What applying a list changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: u64,
    pub renamed: u64,
    pub retired: u64,
    pub reactivated: u64,
    /// True when the list was older than the newest applied one: it only added history.
    pub historical: bool,
}

/// Every kecamatan code ever known, current or retired: the table a NIK prefix is checked against.
#[derive(Debug, Clone, Default)]
pub struct RegionPrefixTable {
    current: HashMap<String, bool>,
}

impl RegionPrefixTable {
    /// `Some(true)` for a current code, `Some(false)` for a retired one, `None` if never known.
    pub fn is_current(&self, kecamatan: &RegionCode) -> Option<bool> {
        self.current.get(kecamatan.as_str()).copied()
    }

    pub fn len(&self) -> usize {
        self.current.len()
    }

    pub fn is_empty(&self) -> bool {
        self.current.is_empty()
    }
}

impl sinergi_core::RegionPrefixes for RegionPrefixTable {
    fn prefix_status(&self, kecamatan: &RegionCode) -> sinergi_core::PrefixStatus {
        match self.is_current(kecamatan) {
            Some(true) => sinergi_core::PrefixStatus::Current,
            Some(false) => sinergi_core::PrefixStatus::Historical,
            None => sinergi_core::PrefixStatus::Unknown,
        }
    }
}

fn to_region(row: RegionRow) -> Result<Region, StoreError> {
    let (code, name, kind, latitude, longitude, valid_from, valid_to, replaced_by) = row;
    let bad = |what: String| StoreError::Query(sqlx::Error::Decode(what.into()));
    let code = RegionCode::parse(&code).map_err(|e| bad(e.to_string()))?;
    let kind = RegionKind::from_key(&kind)
        .ok_or_else(|| bad(format!("jenis wilayah tidak dikenal: {kind}")))?;
    let replaced_by = replaced_by
        .map(|c| RegionCode::parse(&c))
        .transpose()
        .map_err(|e| bad(e.to_string()))?;
    Ok(Region {
        code,
        name,
        kind,
        latitude,
        longitude,
        valid_from,
        valid_to,
        replaced_by,
    })
}

fn to_regions(rows: Vec<RegionRow>) -> Result<Vec<Region>, StoreError> {
    rows.into_iter().map(to_region).collect()
}

fn like_contains(folded: &str) -> String {
    // fold_text leaves only letters, digits and spaces; escaped all the same (`ESCAPE '\'`).
    sinergi_core::like_contains(folded)
}

impl Store {
    /// Number of regions known, current and retired.
    pub async fn region_count(&self) -> Result<u64, StoreError> {
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT count(*) FROM region"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n as u64)
    }

    /// Every code the register knows, current or retired (for validating imported rows).
    pub async fn region_code_set(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let codes: Vec<String> =
            on_pool!(self, |pool| sqlx::query_scalar("SELECT code FROM region")
                .fetch_all(pool)
                .await)?;
        Ok(codes.into_iter().collect())
    }

    /// Looks a code up, current or retired.
    pub async fn region(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        let sql = AssertSqlSafe(format!("SELECT {REGION_COLS} FROM region WHERE code = $1"));
        let row: Option<RegionRow> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(code.as_str())
            .fetch_optional(pool)
            .await)?;
        row.map(to_region).transpose()
    }

    /// Names of the given codes (current or retired), in one query per 1,000 codes.
    pub async fn region_names(
        &self,
        codes: &[RegionCode],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut out = HashMap::with_capacity(codes.len());
        for chunk in codes.chunks(INSERT_CHUNK) {
            let rows: Vec<(String, String)> = on_pool!(self, |pool| {
                let mut qb =
                    sqlx::QueryBuilder::new("SELECT code, name FROM region WHERE code IN (");
                let mut sep = qb.separated(", ");
                for code in chunk {
                    sep.push_bind(code.as_str().to_string());
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The region's ancestors, province first. Missing ancestors are skipped.
    pub async fn region_ancestors(&self, code: &RegionCode) -> Result<Vec<Region>, StoreError> {
        let mut out = Vec::new();
        for ancestor in code.ancestors() {
            if let Some(region) = self.region(&ancestor).await? {
                out.push(region);
            }
        }
        Ok(out)
    }

    /// Current children of a region (provinces for `None`), sorted by code, each with the
    /// number of current regions below it per level.
    pub async fn region_children(
        &self,
        parent: Option<&RegionCode>,
    ) -> Result<Vec<ChildCounts>, StoreError> {
        let children = self.child_regions(parent).await?;
        let child_level = parent.map_or(Some(Level::Provinsi), |p| p.level().child());
        let Some(child_level) = child_level else {
            return Ok(Vec::new());
        };
        let counts = self.counts_by_child(parent, child_level).await?;
        Ok(children
            .into_iter()
            .map(|region| {
                let below = counts
                    .get(region.code.as_str())
                    .copied()
                    .unwrap_or_default();
                ChildCounts { region, below }
            })
            .collect())
    }

    /// Current children of a region (provinces for `None`), sorted by code, without counts
    /// (for pickers).
    pub async fn child_regions(
        &self,
        parent: Option<&RegionCode>,
    ) -> Result<Vec<Region>, StoreError> {
        let rows: Vec<RegionRow> = match parent {
            Some(p) => {
                let sql = AssertSqlSafe(format!(
                    "SELECT {REGION_COLS} FROM region WHERE parent_code = $1 AND valid_to IS NULL ORDER BY code"
                ));
                on_pool!(self, |pool| sqlx::query_as(sql)
                    .bind(p.as_str())
                    .fetch_all(pool)
                    .await)?
            }
            None => {
                let sql = AssertSqlSafe(format!(
                    "SELECT {REGION_COLS} FROM region WHERE level = 1 AND valid_to IS NULL ORDER BY code"
                ));
                on_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?
            }
        };
        to_regions(rows)
    }

    /// Current regions below `under` (the whole country for `None`), per level.
    pub async fn region_counts_below(
        &self,
        under: Option<&RegionCode>,
    ) -> Result<LevelCounts, StoreError> {
        let rows: Vec<(i64, i64)> = match under {
            Some(code) => {
                let (lo, hi) = code.descendant_range();
                on_pool!(self, |pool| {
                    sqlx::query_as(
                    "SELECT level, count(*) FROM region WHERE code >= $1 AND code < $2 AND valid_to IS NULL GROUP BY level"
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(pool)
                .await
                })?
            }
            None => on_pool!(self, |pool| sqlx::query_as(
                "SELECT level, count(*) FROM region WHERE valid_to IS NULL GROUP BY level"
            )
            .fetch_all(pool)
            .await)?,
        };
        let mut counts = LevelCounts::default();
        for (level, n) in rows {
            if let Some(level) = Level::from_number(level) {
                counts.add(level, n as u64);
            }
        }
        Ok(counts)
    }

    async fn counts_by_child(
        &self,
        parent: Option<&RegionCode>,
        child_level: Level,
    ) -> Result<HashMap<String, LevelCounts>, StoreError> {
        // The child's code is the first `len` characters of every code below it.
        let len = child_level.dotted_len();
        let level = child_level.number();
        let rows: Vec<(String, i64, i64)> = match parent {
            Some(p) => {
                let (lo, hi) = p.descendant_range();
                let sql = AssertSqlSafe(format!(
                    "SELECT substr(code, 1, {len}), level, count(*) FROM region \
                     WHERE code >= $1 AND code < $2 AND level > {level} AND valid_to IS NULL GROUP BY 1, 2"
                ));
                on_pool!(self, |pool| sqlx::query_as(sql)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(pool)
                    .await)?
            }
            None => {
                let sql = AssertSqlSafe(format!(
                    "SELECT substr(code, 1, {len}), level, count(*) FROM region \
                     WHERE level > {level} AND valid_to IS NULL GROUP BY 1, 2"
                ));
                on_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?
            }
        };
        let mut out: HashMap<String, LevelCounts> = HashMap::new();
        for (child, lvl, n) in rows {
            if let Some(lvl) = Level::from_number(lvl) {
                out.entry(child).or_default().add(lvl, n as u64);
            }
        }
        Ok(out)
    }

    /// Case-insensitive name search that understands "Kab."/"Kabupaten"/"Kota".
    /// Exact names first, then names starting with the query, then the rest; current before retired.
    pub async fn search_regions(
        &self,
        query: &RegionQuery,
        page: Page,
    ) -> Result<Paged<Region>, StoreError> {
        for term in [&query.full, &query.stripped] {
            sinergi_core::bounded_search(term).map_err(StoreError::Refused)?;
        }
        let full = like_contains(&query.full);
        let stripped = like_contains(&query.stripped);
        let prefix = format!("{}%", sinergi_core::like_escape(&query.stripped));
        let kind = query.kind.map(|k| k.key()).unwrap_or("");
        // `$4 = ''` switches the kind filter off without a type-ambiguous NULL parameter.
        let filter = "(name_full LIKE $1 ESCAPE '\\' OR (name_key LIKE $2 ESCAPE '\\' AND ($4 = '' OR kind = $4)))";
        let count_sql = AssertSqlSafe(format!(
            "SELECT count(*) FROM region WHERE {filter} AND $3 = $3"
        ));
        let list_sql = AssertSqlSafe(format!(
            "SELECT {REGION_COLS} FROM region WHERE {filter} ORDER BY \
             CASE WHEN valid_to IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN name_key = $5 OR name_full = $6 THEN 0 WHEN name_key LIKE $3 ESCAPE '\\' THEN 1 ELSE 2 END, \
             level, name, code LIMIT $7 OFFSET $8"
        ));
        let (total, rows): (i64, Vec<RegionRow>) = on_pool!(self, |pool| {
            let total = sqlx::query_scalar(count_sql)
                .bind(&full)
                .bind(&stripped)
                .bind(&prefix)
                .bind(kind)
                .fetch_one(pool)
                .await?;
            let rows = sqlx::query_as(list_sql)
                .bind(&full)
                .bind(&stripped)
                .bind(&prefix)
                .bind(kind)
                .bind(&query.stripped)
                .bind(&query.full)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((total, rows))
        })?;
        Ok(Paged {
            items: to_regions(rows)?,
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }

    /// Earlier names of a region (renames kept by imports), oldest first.
    pub async fn region_former_names(
        &self,
        code: &RegionCode,
    ) -> Result<Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>, StoreError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT name, valid_from, valid_to FROM region_name_history WHERE code = $1 ORDER BY valid_to, name"
        )
        .bind(code.as_str())
        .fetch_all(pool)
        .await
        })?)
    }

    /// The region lists applied so far, newest first.
    pub async fn region_versions(&self) -> Result<Vec<RegionVersion>, StoreError> {
        let rows: Vec<(NaiveDate, String, i64, i64, i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT effective_date, source, added, renamed, retired, reactivated FROM region_version \
             ORDER BY effective_date DESC, id DESC"
        )
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(effective_date, source, a, n, r, re)| RegionVersion {
                effective_date,
                source,
                added: a as u64,
                renamed: n as u64,
                retired: r as u64,
                reactivated: re as u64,
            })
            .collect())
    }

    /// Every kecamatan code ever known, for NIK prefix checks.
    pub async fn region_prefix_table(&self) -> Result<RegionPrefixTable, StoreError> {
        let rows: Vec<(String, Option<NaiveDate>)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT code, valid_to FROM region WHERE level = 3"
        )
        .fetch_all(pool)
        .await)?;
        Ok(RegionPrefixTable {
            current: rows.into_iter().map(|(c, to)| (c, to.is_none())).collect(),
        })
    }

    /// Applies an official region list in one transaction.
    ///
    /// A list dated on or after the newest applied one updates the register: new codes are
    /// added, renamed codes keep their old name in history, and current codes under the
    /// provinces the list covers that it no longer names are retired (with their successor
    /// when one can be inferred). An older list only adds history: codes it alone knows are
    /// stored as retired, valid until the next list. Nothing is written if any row is refused.
    pub async fn apply_region_list(
        &self,
        entries: &[RegionEntry],
        effective: NaiveDate,
        source: &str,
    ) -> Result<ImportSummary, StoreError> {
        let existing: Vec<(String, String, Option<NaiveDate>)> =
            on_pool!(self, |pool| sqlx::query_as(
                "SELECT code, name, valid_to FROM region"
            )
            .fetch_all(pool)
            .await)?;
        let existing: HashMap<String, (String, Option<NaiveDate>)> = existing
            .into_iter()
            .map(|(c, n, to)| (c, (n, to)))
            .collect();
        let dates: Vec<NaiveDate> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT effective_date FROM region_version ORDER BY effective_date"
        )
        .fetch_all(pool)
        .await)?;
        let plan = plan_region_list(entries, &existing, &dates, effective)?;
        let summary = plan.summary.clone();
        let imported_at = Utc::now();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for chunk in plan.inserts.chunks(INSERT_CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO region (code, parent_code, level, kind, name, name_full, name_key, \
                     latitude, longitude, valid_from, valid_to, replaced_by) ",
                );
                qb.push_values(chunk, |mut b, row| {
                    b.push_bind(row.entry.code.as_str().to_string())
                        .push_bind(row.entry.code.parent().map(String::from))
                        .push_bind(row.entry.code.level().number())
                        .push_bind(RegionKind::infer(&row.entry.code, &row.entry.name).key())
                        .push_bind(row.entry.name.clone())
                        .push_bind(fold_text(&row.entry.name))
                        .push_bind(normalize_region_name(&row.entry.name))
                        .push_bind(row.entry.latitude)
                        .push_bind(row.entry.longitude)
                        .push_bind(Some(effective))
                        .push_bind(row.valid_to)
                        .push_bind(row.replaced_by.as_ref().map(|c| c.as_str().to_string()));
                });
                qb.build().execute(&mut *tx).await?;
            }
            for r in &plan.renames {
                if r.record_history {
                    sqlx::query(
                        "INSERT INTO region_name_history (code, name, valid_from, valid_to) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(r.code.as_str())
                    .bind(&r.old_name)
                    .bind(r.old_from)
                    .bind(r.old_to)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(new_name) = &r.new_name {
                    sqlx::query("UPDATE region SET name = $1, name_full = $2, name_key = $3, kind = $4 WHERE code = $5")
                        .bind(new_name)
                        .bind(fold_text(new_name))
                        .bind(normalize_region_name(new_name))
                        .bind(RegionKind::infer(&r.code, new_name).key())
                        .bind(r.code.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for code in &plan.reactivate {
                sqlx::query(
                    "UPDATE region SET valid_to = NULL, replaced_by = NULL WHERE code = $1",
                )
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?;
            }
            for (code, successor) in &plan.retire {
                sqlx::query("UPDATE region SET valid_to = $1, replaced_by = $2 WHERE code = $3")
                    .bind(effective)
                    .bind(successor.as_ref().map(|c| c.as_str().to_string()))
                    .bind(code.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            for chunk in plan.extend_back.chunks(INSERT_CHUNK) {
                let mut qb = sqlx::QueryBuilder::new("UPDATE region SET valid_from = ");
                qb.push_bind(effective);
                qb.push(" WHERE (valid_from IS NULL OR valid_from > ");
                qb.push_bind(effective);
                qb.push(") AND code IN (");
                let mut sep = qb.separated(", ");
                for code in chunk {
                    sep.push_bind(code.as_str().to_string());
                }
                qb.push(")");
                qb.build().execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO region_version (effective_date, source, imported_at, added, renamed, retired, reactivated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(effective)
            .bind(source)
            .bind(imported_at)
            .bind(summary.added as i64)
            .bind(summary.renamed as i64)
            .bind(summary.retired as i64)
            .bind(summary.reactivated as i64)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(summary)
    }
}

struct PlannedInsert<'a> {
    entry: &'a RegionEntry,
    valid_to: Option<NaiveDate>,
    replaced_by: Option<RegionCode>,
}

struct PlannedRename {
    code: RegionCode,
    old_name: String,
    old_from: Option<NaiveDate>,
    old_to: Option<NaiveDate>,
    /// The name to switch to; `None` when an older list only adds a former name.
    new_name: Option<String>,
    record_history: bool,
}

struct Plan<'a> {
    inserts: Vec<PlannedInsert<'a>>,
    renames: Vec<PlannedRename>,
    reactivate: Vec<RegionCode>,
    retire: Vec<(RegionCode, Option<RegionCode>)>,
    extend_back: Vec<RegionCode>,
    summary: ImportSummary,
}

/// Works out what a list changes, without touching the database.
fn plan_region_list<'a>(
    entries: &'a [RegionEntry],
    existing: &HashMap<String, (String, Option<NaiveDate>)>,
    version_dates: &[NaiveDate],
    effective: NaiveDate,
) -> Result<Plan<'a>, StoreError> {
    let in_file: HashSet<&str> = entries.iter().map(|e| e.code.as_str()).collect();
    let mut refused = Vec::new();
    let mut seen = HashSet::new();
    for e in entries {
        if !seen.insert(e.code.as_str()) {
            refused.push(RejectedCode {
                code: e.code.clone(),
                reason: Msg::new("store.region_code_repeated"),
            });
        }
        if let Some(parent) = e.code.parent()
            && !in_file.contains(parent.as_str())
            && !existing.contains_key(parent.as_str())
        {
            refused.push(RejectedCode {
                code: e.code.clone(),
                reason: Msg::new("store.region_parent_missing").arg("parent", parent),
            });
        }
    }
    if !refused.is_empty() {
        return Err(StoreError::RegionListRejected(refused));
    }
    let newest = version_dates.last().copied();
    let historical = newest.is_some_and(|newest| effective < newest);
    let mut plan = Plan {
        inserts: Vec::new(),
        renames: Vec::new(),
        reactivate: Vec::new(),
        retire: Vec::new(),
        extend_back: Vec::new(),
        summary: ImportSummary {
            historical,
            ..Default::default()
        },
    };
    let differs = |a: &str, b: &str| normalize_region_name(a) != normalize_region_name(b);

    if historical {
        let next = version_dates.iter().copied().find(|d| *d > effective);
        let mut new_codes = Vec::new();
        for e in entries {
            match existing.get(e.code.as_str()) {
                None => new_codes.push(e),
                Some((name, _)) => {
                    plan.extend_back.push(e.code.clone());
                    if differs(name, &e.name) {
                        plan.renames.push(PlannedRename {
                            code: e.code.clone(),
                            old_name: e.name.clone(),
                            old_from: Some(effective),
                            old_to: next,
                            new_name: None,
                            record_history: true,
                        });
                    }
                }
            }
        }
        let current: Vec<(RegionCode, String)> = existing
            .iter()
            .filter(|(_, (_, to))| to.is_none())
            .filter_map(|(c, (n, _))| RegionCode::parse(c).ok().map(|c| (c, n.clone())))
            .collect();
        let retired: Vec<(RegionCode, String)> = new_codes
            .iter()
            .map(|e| (e.code.clone(), e.name.clone()))
            .collect();
        let successors = infer_successors(&retired, &current);
        for e in new_codes {
            let replaced_by = successors.get(&e.code).cloned();
            plan.inserts.push(PlannedInsert {
                entry: e,
                valid_to: next,
                replaced_by,
            });
        }
        plan.summary.added = plan.inserts.len() as u64;
        plan.summary.renamed = plan.renames.len() as u64;
        return Ok(plan);
    }

    for e in entries {
        match existing.get(e.code.as_str()) {
            None => plan.inserts.push(PlannedInsert {
                entry: e,
                valid_to: None,
                replaced_by: None,
            }),
            Some((name, valid_to)) => {
                if valid_to.is_some() {
                    plan.reactivate.push(e.code.clone());
                }
                if name != &e.name {
                    plan.renames.push(PlannedRename {
                        code: e.code.clone(),
                        old_name: name.clone(),
                        old_from: None,
                        old_to: Some(effective),
                        new_name: Some(e.name.clone()),
                        record_history: differs(name, &e.name),
                    });
                }
            }
        }
    }
    let provinces: HashSet<&str> = entries.iter().map(|e| &e.code.as_str()[..2]).collect();
    let mut retired = Vec::new();
    let mut current = Vec::new();
    for (code, (name, valid_to)) in existing {
        if valid_to.is_some() {
            continue;
        }
        let Ok(parsed) = RegionCode::parse(code) else {
            continue;
        };
        if provinces.contains(&code[..2]) && !in_file.contains(code.as_str()) {
            retired.push((parsed, name.clone()));
        } else {
            current.push((parsed, name.clone()));
        }
    }
    current.extend(entries.iter().map(|e| (e.code.clone(), e.name.clone())));
    let successors = infer_successors(&retired, &current);
    retired.sort();
    plan.retire = retired
        .into_iter()
        .map(|(code, _)| {
            let successor = successors.get(&code).cloned();
            (code, successor)
        })
        .collect();
    plan.summary.added = plan.inserts.len() as u64;
    plan.summary.renamed = plan.renames.iter().filter(|r| r.record_history).count() as u64;
    plan.summary.retired = plan.retire.len() as u64;
    plan.summary.reactivated = plan.reactivate.len() as u64;
    Ok(plan)
}
