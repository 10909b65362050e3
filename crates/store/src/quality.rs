//! What the data-quality scorecard (issue 22, `/mutu-data`) judges, gathered per region of one
//! level through the viewer's rows: realisation expected against entered (and when), LKS
//! monthly reports due against received (and when), the person-list rows' required fields,
//! NIK warnings and repeats, NIKs refused on import, the realisation series (outliers and
//! change over time), and figures held for a region against the sum of its parts. Counts come
//! out of SQL grouped by region, so a province's million list rows never sit in memory; the
//! drill-down's offending rows are capped at [`DETAIL_ROWS`] per kind. `insight::quality`
//! grades them.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sinergi_core::institution::ReportPeriod;
use sinergi_core::{Level, RegionCode, priority as rules};
use sqlx::AssertSqlSafe;

use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Scoped, StoreError, on_pool};

/// Offending rows kept per kind for a drill-down (the counts are always whole).
pub const DETAIL_ROWS: usize = 500;

/// Units of figures that add up over regions (a rate or a percentage does not).
pub const COUNT_UNITS: [&str; 3] = ["keluarga", "orang", "jiwa"];

/// A list row counts as complete with its NIK, birth date and sex filled in.
const COMPLETE_ROW: &str =
    "r.nik_hash IS NOT NULL AND r.birth_date IS NOT NULL AND r.sex IS NOT NULL";

/// Counts per region for the chosen year (realisation and reports) or held now (lists).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityCounts {
    pub realisation_expected: u64,
    pub realisation_entered: u64,
    pub realisation_on_time: u64,
    pub lks_reports_due: u64,
    pub lks_reports_received: u64,
    pub lks_reports_on_time: u64,
    pub list_rows: u64,
    pub list_rows_complete: u64,
    pub nik_warned: u64,
    pub duplicates: u64,
    /// Rows read by the imports of the region's lists (stored and refused).
    pub list_rows_read: u64,
    pub nik_refused: u64,
}

/// One indicator's quarterly realisation for one region, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualitySeries {
    pub region: String,
    pub indicator: String,
    pub periods: Vec<String>,
    pub values: Vec<f64>,
}

/// A figure held for a region and the sum of the same figure over its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReference {
    pub region: String,
    pub element: String,
    pub period: String,
    /// The sum over the regions one level down.
    pub platform: f64,
    /// The figure held for the region itself.
    pub reference: f64,
}

/// A value expected by its due date and missing or late: realisation (`what` = indicator code)
/// or an LKS report (`what` = the LKS's name, `link` = its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityGap {
    pub region: String,
    pub what: String,
    pub period: String,
    pub due: NaiveDate,
    /// When it was entered or submitted (late); `None` = still missing.
    pub entered_at: Option<String>,
    pub link: Option<i64>,
}

/// Which list-row check a flagged row fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowFlag {
    /// NIK, birth date or sex missing.
    Incomplete,
    /// A NIK warning (historical prefix, birth date or sex disagreeing).
    NikWarning,
    /// The same NIK on another line of the file.
    Repeated,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedRow {
    pub flag: RowFlag,
    pub region: String,
    pub list_id: i64,
    pub list_name: String,
    pub line: i64,
    /// The warning as stored ([`sinergi_core::Msg::to_json`]); for incomplete rows, `None`.
    pub message: Option<serde_json::Value>,
    /// For incomplete rows: the import columns left empty (`nik`, `tanggal_lahir`, `jenis_kelamin`).
    pub missing: Vec<&'static str>,
}

/// A list whose import refused NIKs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedNiks {
    pub region: String,
    pub list_id: i64,
    pub list_name: String,
    pub refused: u64,
    pub read: u64,
}

/// Everything the scorecard judges for the regions of one level.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QualityInputs {
    /// Current regions of the level below `within` in the viewer's scope, by code.
    pub regions: Vec<(RegionCode, String)>,
    /// Same order as `regions`.
    pub counts: Vec<QualityCounts>,
    pub series: Vec<QualitySeries>,
    pub references: Vec<QualityReference>,
    /// Drill-down rows (only when asked for), each kind capped at [`DETAIL_ROWS`].
    pub realisation_gaps: Vec<QualityGap>,
    pub report_gaps: Vec<QualityGap>,
    pub flagged_rows: Vec<FlaggedRow>,
    pub refused: Vec<RefusedNiks>,
}

/// What to gather.
#[derive(Debug, Clone)]
pub struct QualityAsk {
    pub level: Level,
    pub within: Option<RegionCode>,
    /// Realisation quarters and report months of this year.
    pub year: i32,
    /// Only what was due before this day is expected.
    pub today: NaiveDate,
    /// The import job kind whose reject reports name refused NIKs (`activity::lists`).
    pub import_job_kind: String,
    /// Gather the offending rows too (the drill-down).
    pub detail: bool,
}

fn date_part(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}

impl Scoped<'_> {
    /// The viewer's rows below `within`: the SQL and its binds.
    fn quality_filter(
        &self,
        region_col: &str,
        org_col: &str,
        within: Option<&RegionCode>,
        ph: &mut Placeholders,
    ) -> (String, Vec<Bind>) {
        let f = self.rows(region_col, org_col, ph);
        let mut sql = f.sql;
        let mut binds = f.binds;
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), region_col, ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds.extend(f.binds);
        }
        (sql, binds)
    }

    /// The scorecard's inputs for the regions of `ask.level` below `ask.within`.
    pub async fn quality_inputs(&self, ask: &QualityAsk) -> Result<QualityInputs, StoreError> {
        if !rules::may_view(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let len = ask.level.dotted_len();
        let within = ask.within.as_ref();

        // The regions: current ones of the level, in scope.
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("code", "NULL", within, &mut ph);
        let sql = format!(
            "SELECT code, name FROM region WHERE level = {} AND valid_to IS NULL AND {w} ORDER BY code",
            ask.level.number()
        );
        let rows: Vec<(String, String)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let mut regions = Vec::with_capacity(rows.len());
        for (code, name) in rows {
            let code = RegionCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            regions.push((code, name));
        }
        let index: HashMap<String, usize> = regions
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (c.to_string(), i))
            .collect();
        let mut out = QualityInputs {
            counts: vec![QualityCounts::default(); regions.len()],
            regions,
            ..QualityInputs::default()
        };
        if out.regions.is_empty() {
            return Ok(out);
        }
        self.gather_realisation(ask, len, &index, &mut out).await?;
        self.gather_reports(ask, len, &index, &mut out).await?;
        self.gather_lists(ask, len, &index, &mut out).await?;
        self.gather_refused(ask, len, &index, &mut out).await?;
        self.gather_references(ask, len, &index, &mut out).await?;
        Ok(out)
    }

    /// Realisation of the published strategies' administrative, entered (not computed)
    /// indicators: one value per target region and ended quarter of the year, due by
    /// [`rules::realisation_due`]; the quarterly series up to that year.
    async fn gather_realisation(
        &self,
        ask: &QualityAsk,
        len: usize,
        index: &HashMap<String, usize>,
        out: &mut QualityInputs,
    ) -> Result<(), StoreError> {
        let year = ask.year;
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("t.region_code", "NULL", ask.within.as_ref(), &mut ph);
        let sql = format!(
            "SELECT DISTINCT v.strategy_id, i.code, t.region_code FROM strategy_target t \
             JOIN strategy_indicator i ON i.id = t.indicator_id \
             JOIN strategy_version v ON v.id = i.version_id \
             WHERE v.status = 'published' AND t.year = {year} AND i.source_type = 'administrative' \
             AND i.computation IS NULL AND LENGTH(t.region_code) = {len} AND {w} \
             ORDER BY t.region_code, i.code"
        );
        let targets: Vec<(i64, String, String)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;

        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("r.region_code", "NULL", ask.within.as_ref(), &mut ph);
        let sql = format!(
            "SELECT r.strategy_id, r.indicator_code, r.region_code, r.period, r.value, r.entered_at \
             FROM strategy_realisation r WHERE r.disaggregation = '' AND LENGTH(r.region_code) = {len} \
             AND r.period LIKE '%-Q%' AND r.period <= '{year}-Q4' AND {w} \
             ORDER BY r.strategy_id, r.indicator_code, r.region_code, r.period, r.source"
        );
        type Value = (i64, String, String, String, f64, String);
        let values: Vec<Value> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        // One value per key and period: the first source.
        let mut entered: HashMap<(i64, &str, &str, &str), &str> = HashMap::new();
        type Periods = (Vec<String>, Vec<f64>);
        let mut series: BTreeMap<(&str, &str, i64), Periods> = BTreeMap::new();
        for (sid, code, region, period, value, at) in &values {
            if entered
                .insert((*sid, code, region, period), at.as_str())
                .is_some()
            {
                continue;
            }
            if index.contains_key(region.as_str()) {
                let s = series.entry((region, code, *sid)).or_default();
                s.0.push(period.clone());
                s.1.push(*value);
            }
        }
        let periods: Vec<(u8, String, NaiveDate)> = (1..=4u8)
            .filter(|q| rules::quarter_ended(year, *q, ask.today))
            .filter_map(|q| Some((q, format!("{year}-Q{q}"), rules::realisation_due(year, q)?)))
            .collect();
        for (sid, code, region) in &targets {
            let Some(&r) = index.get(region.as_str()) else {
                continue;
            };
            for (_, period, due) in &periods {
                let c = &mut out.counts[r];
                c.realisation_expected += 1;
                let at = entered.get(&(*sid, code.as_str(), region.as_str(), period.as_str()));
                if let Some(at) = at {
                    c.realisation_entered += 1;
                    if date_part(at) <= due.to_string().as_str() {
                        c.realisation_on_time += 1;
                        continue;
                    }
                }
                if ask.detail && out.realisation_gaps.len() < DETAIL_ROWS {
                    out.realisation_gaps.push(QualityGap {
                        region: region.clone(),
                        what: code.clone(),
                        period: period.clone(),
                        due: *due,
                        entered_at: at.map(|a| a.to_string()),
                        link: Some(*sid),
                    });
                }
            }
        }
        out.series = series
            .into_iter()
            .filter(|(_, (_, v))| v.len() >= 2)
            .map(|((region, code, _), (periods, values))| QualitySeries {
                region: region.to_string(),
                indicator: code.to_string(),
                periods,
                values,
            })
            .collect();
        Ok(())
    }

    /// LKS monthly reports: every LKS at or below a region owes one per month of the year whose
    /// due day has passed; received = submitted or approved; on time = submitted by the due day.
    async fn gather_reports(
        &self,
        ask: &QualityAsk,
        len: usize,
        index: &HashMap<String, usize>,
        out: &mut QualityInputs,
    ) -> Result<(), StoreError> {
        let year = ask.year;
        let months: Vec<ReportPeriod> = (1..=12)
            .map(|month| ReportPeriod { year, month })
            .filter(|p| p.due() < ask.today)
            .collect();
        if months.is_empty() {
            return Ok(());
        }
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("o.region_code", "o.id", ask.within.as_ref(), &mut ph);
        let sql = format!(
            "SELECT o.id, o.name, o.region_code FROM organisation o WHERE o.kind = 'lks' \
             AND LENGTH(o.region_code) >= {len} AND {w} ORDER BY o.region_code, o.name, o.id"
        );
        let lks: Vec<(i64, String, String)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("o.region_code", "o.id", ask.within.as_ref(), &mut ph);
        let sql = format!(
            "SELECT t.organisation_id, t.period, t.submitted_at FROM lks_report t \
             JOIN organisation o ON o.id = t.organisation_id WHERE o.kind = 'lks' \
             AND t.state IN ('diajukan', 'disetujui') AND t.period LIKE '{year}-%' \
             AND LENGTH(o.region_code) >= {len} AND {w}"
        );
        let received: Vec<(i64, String, Option<String>)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let received: HashMap<(i64, &str), Option<&str>> = received
            .iter()
            .map(|(id, p, at)| ((*id, p.as_str()), at.as_deref()))
            .collect();
        for (id, name, region) in &lks {
            let Some(&r) = region.get(..len).and_then(|p| index.get(p)) else {
                continue;
            };
            for month in &months {
                let period = month.to_string();
                let due = month.due();
                let c = &mut out.counts[r];
                c.lks_reports_due += 1;
                let got = received.get(&(*id, period.as_str()));
                if let Some(at) = got {
                    c.lks_reports_received += 1;
                    if at.is_some_and(|at| date_part(at) <= due.to_string().as_str()) {
                        c.lks_reports_on_time += 1;
                        continue;
                    }
                }
                if ask.detail && out.report_gaps.len() < DETAIL_ROWS {
                    out.report_gaps.push(QualityGap {
                        region: region.clone(),
                        what: name.clone(),
                        period: period.clone(),
                        due,
                        entered_at: got.and_then(|a| a.map(str::to_string)),
                        link: Some(*id),
                    });
                }
            }
        }
        Ok(())
    }

    /// Person-list rows held: complete, with a NIK warning, with a repeated NIK.
    async fn gather_lists(
        &self,
        ask: &QualityAsk,
        len: usize,
        index: &HashMap<String, usize>,
        out: &mut QualityInputs,
    ) -> Result<(), StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter(
            "r.region_code",
            "r.organisation_id",
            ask.within.as_ref(),
            &mut ph,
        );
        let sql = format!(
            "SELECT SUBSTR(r.region_code, 1, {len}), COUNT(*), \
             COUNT(CASE WHEN {COMPLETE_ROW} THEN 1 END) FROM person_record r \
             WHERE LENGTH(r.region_code) >= {len} AND {w} GROUP BY SUBSTR(r.region_code, 1, {len})"
        );
        let rows: Vec<(String, i64, i64)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        for (region, all, complete) in rows {
            if let Some(&r) = index.get(&region) {
                out.counts[r].list_rows = all.max(0) as u64;
                out.counts[r].list_rows_complete = complete.max(0) as u64;
            }
        }
        // Stored as `Msg::to_json` text; its members may come in either order.
        const NIK_WARNING: &str = "%\"key\":\"nik.%";
        const REPEATED: &str = "%\"key\":\"intake.nik_repeated%";
        let mut ph = Placeholders::starting_at(3);
        let (w, binds) = self.quality_filter(
            "r.region_code",
            "r.organisation_id",
            ask.within.as_ref(),
            &mut ph,
        );
        let joined = "FROM person_warning w JOIN person_record r ON r.list_id = w.list_id \
             AND r.source_line = w.source_line";
        let sql = format!(
            "SELECT SUBSTR(r.region_code, 1, {len}), \
             COUNT(DISTINCT CASE WHEN w.message LIKE $1 THEN r.id END), \
             COUNT(DISTINCT CASE WHEN w.message LIKE $2 THEN r.id END) \
             {joined} WHERE LENGTH(r.region_code) >= {len} AND {w} \
             GROUP BY SUBSTR(r.region_code, 1, {len})"
        );
        let rows: Vec<(String, i64, i64)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(NIK_WARNING)
                .bind(REPEATED),
            binds
        )
        .fetch_all(pool)
        .await)?;
        for (region, warned, repeated) in rows {
            if let Some(&r) = index.get(&region) {
                out.counts[r].nik_warned = warned.max(0) as u64;
                out.counts[r].duplicates = repeated.max(0) as u64;
            }
        }
        if !ask.detail {
            return Ok(());
        }
        let limit = DETAIL_ROWS;
        let sql = format!(
            "SELECT r.region_code, r.list_id, l.name, r.source_line, w.message {joined} \
             JOIN person_list l ON l.id = r.list_id WHERE LENGTH(r.region_code) >= {len} \
             AND (w.message LIKE $1 OR w.message LIKE $2) AND {w} \
             ORDER BY r.list_id, r.source_line, w.id LIMIT {limit}"
        );
        type Flagged = (String, i64, String, Option<i64>, String);
        let rows: Vec<Flagged> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(NIK_WARNING)
                .bind(REPEATED),
            binds
        )
        .fetch_all(pool)
        .await)?;
        for (region, list_id, list_name, line, message) in rows {
            let flag = if message.contains("\"key\":\"nik.") {
                RowFlag::NikWarning
            } else {
                RowFlag::Repeated
            };
            out.flagged_rows.push(FlaggedRow {
                flag,
                region,
                list_id,
                list_name,
                line: line.unwrap_or_default(),
                message: Some(
                    serde_json::from_str(&message).unwrap_or(serde_json::Value::String(message)),
                ),
                missing: Vec::new(),
            });
        }
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter(
            "r.region_code",
            "r.organisation_id",
            ask.within.as_ref(),
            &mut ph,
        );
        let sql = format!(
            "SELECT r.region_code, r.list_id, l.name, r.source_line, r.nik_hash IS NULL, \
             r.birth_date IS NULL, r.sex IS NULL FROM person_record r \
             JOIN person_list l ON l.id = r.list_id WHERE LENGTH(r.region_code) >= {len} \
             AND NOT ({COMPLETE_ROW}) AND {w} ORDER BY r.list_id, r.source_line LIMIT {limit}"
        );
        type Incomplete = (String, i64, String, Option<i64>, bool, bool, bool);
        let rows: Vec<Incomplete> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        for (region, list_id, list_name, line, no_nik, no_birth, no_sex) in rows {
            let missing = [
                (no_nik, "nik"),
                (no_birth, "tanggal_lahir"),
                (no_sex, "jenis_kelamin"),
            ]
            .into_iter()
            .filter_map(|(m, c)| m.then_some(c))
            .collect();
            out.flagged_rows.push(FlaggedRow {
                flag: RowFlag::Incomplete,
                region,
                list_id,
                list_name,
                line: line.unwrap_or_default(),
                message: None,
                missing,
            });
        }
        Ok(())
    }

    /// NIKs refused on import, from the finished import jobs' reject reports (which name the
    /// list stored, the rows read and each refused row's column and reason), counted for the
    /// region of the list's organisation. Reports cut at their row cap count only the rows
    /// they kept.
    async fn gather_refused(
        &self,
        ask: &QualityAsk,
        len: usize,
        index: &HashMap<String, usize>,
        out: &mut QualityInputs,
    ) -> Result<(), StoreError> {
        let reports: Vec<Option<String>> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT result_json FROM job WHERE kind = $1 AND state = 'done' ORDER BY id"
        )
        .bind(&ask.import_job_kind)
        .fetch_all(pool)
        .await)?;
        // list → (refused NIKs, rows read)
        let mut by_list: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        for json in reports.into_iter().flatten() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&json) else {
                continue;
            };
            let Some(list) = v.get("list_id").and_then(serde_json::Value::as_i64) else {
                continue;
            };
            let stored = v.get("stored").and_then(serde_json::Value::as_u64);
            let rejected = v.get("rejected_lines").and_then(serde_json::Value::as_u64);
            let refused = v
                .get("rows")
                .and_then(serde_json::Value::as_array)
                .map_or(0, |rows| {
                    rows.iter()
                        .filter(|row| {
                            let column = row.get("column").and_then(serde_json::Value::as_str);
                            let key = row
                                .get("reason")
                                .and_then(|r| r.get("key"))
                                .and_then(serde_json::Value::as_str);
                            column.is_some_and(|c| c.eq_ignore_ascii_case("nik"))
                                || key.is_some_and(|k| k.starts_with("nik."))
                        })
                        .count() as u64
                });
            let e = by_list.entry(list).or_default();
            e.0 += refused;
            e.1 += stored.unwrap_or(0) + rejected.unwrap_or(0);
        }
        if by_list.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = by_list.keys().copied().collect();
        for chunk in ids.chunks(500) {
            let mut ph = Placeholders::starting_at(1);
            let list_ph: Vec<String> = chunk.iter().map(|_| ph.next()).collect();
            let (w, mut binds) =
                self.quality_filter("o.region_code", "o.id", ask.within.as_ref(), &mut ph);
            let mut all: Vec<Bind> = chunk.iter().map(|id| Bind::Int(*id)).collect();
            all.append(&mut binds);
            let sql = format!(
                "SELECT l.id, l.name, o.region_code FROM person_list l \
                 JOIN organisation o ON o.id = l.organisation_id WHERE l.id IN ({}) \
                 AND LENGTH(o.region_code) >= {len} AND {w} ORDER BY l.id",
                list_ph.join(", ")
            );
            let lists: Vec<(i64, String, String)> = on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                all
            )
            .fetch_all(pool)
            .await)?;
            for (id, name, region) in lists {
                let Some(&r) = region.get(..len).and_then(|p| index.get(p)) else {
                    continue;
                };
                let (refused, read) = by_list[&id];
                out.counts[r].nik_refused += refused;
                out.counts[r].list_rows_read += read;
                if ask.detail && refused > 0 && out.refused.len() < DETAIL_ROWS {
                    out.refused.push(RefusedNiks {
                        region,
                        list_id: id,
                        list_name: name,
                        refused,
                        read,
                    });
                }
            }
        }
        Ok(())
    }

    /// Count figures held for a region against the sum of the same figure (element, period,
    /// source) over its parts at the finest level below that holds it (DTSEN counts are held
    /// per desa), where both are held.
    async fn gather_references(
        &self,
        ask: &QualityAsk,
        len: usize,
        index: &HashMap<String, usize>,
        out: &mut QualityInputs,
    ) -> Result<(), StoreError> {
        if ask.level.child().is_none() {
            return Ok(());
        }
        let units = COUNT_UNITS.map(|u| format!("'{u}'")).join(", ");
        let mut ph = Placeholders::starting_at(1);
        let (w, binds) = self.quality_filter("a.region_code", "NULL", ask.within.as_ref(), &mut ph);
        let sql = format!(
            "SELECT SUBSTR(a.region_code, 1, {len}), a.element, a.period, a.source, \
             CAST(LENGTH(a.region_code) AS BIGINT), SUM(a.value) FROM aggregate_value a \
             WHERE LENGTH(a.region_code) >= {len} AND a.unit IN ({units}) AND {w} \
             GROUP BY SUBSTR(a.region_code, 1, {len}), a.element, a.period, a.source, \
             LENGTH(a.region_code) ORDER BY 1, 2, 3, 4, 5"
        );
        type Sum = (String, String, String, String, i64, f64);
        let rows: Vec<Sum> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        // (region, element, period, source) → (own figure, sum at the finest level below)
        type Key = (String, String, String, String);
        let mut pairs: BTreeMap<Key, (Option<f64>, Option<f64>)> = BTreeMap::new();
        for (region, element, period, source, l, value) in rows {
            let e = pairs.entry((region, element, period, source)).or_default();
            if l as usize == len {
                e.0 = Some(value);
            } else {
                // Rows come by length: the last one is the finest.
                e.1 = Some(value);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for ((region, element, period, _), (own, parts)) in pairs {
            let (Some(reference), Some(platform)) = (own, parts) else {
                continue;
            };
            // One pair per region, element and period: the first source by name.
            if !index.contains_key(&region)
                || !seen.insert((region.clone(), element.clone(), period.clone()))
            {
                continue;
            }
            out.references.push(QualityReference {
                region,
                element,
                period,
                platform,
                reference,
            });
        }
        Ok(())
    }
}
