//! Figures per region (Desil counts per desa, poverty, child marriage, stunting), each with its
//! source and its kind. Survey and administrative figures measure different things and are
//! never mixed: the kind is part of every row and every read.

use serde::Serialize;
use sinergi_core::groups::Group;
use sinergi_core::{Disclosed, Level, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{Actor, AuditEvent, append_audit, now_text};
use crate::scope::{Placeholders, bind_filter, within_regions};
use crate::{Scoped, Store, StoreError, on_pool};

/// Where a figure comes from (defined in core, with the strategy's read models).
pub use sinergi_core::strategy::SourceType;

/// One figure for one region and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateValue {
    pub region: RegionCode,
    /// Data element key, e.g. `keluarga_desil_1`, `kemiskinan_p0`, `stunting`.
    pub element: String,
    pub period: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub source_type: SourceType,
    /// Not a published value but derived (e.g. a kab/kota value filled from the province).
    pub estimated: bool,
    pub note: Option<String>,
}

/// A figure for Indonesia as a whole (e.g. child marriage 5,90 %), set beside a region's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalValue {
    pub element: String,
    pub period: String,
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub source_type: SourceType,
    pub estimated: bool,
    pub note: Option<String>,
}

/// One cell of a region's cross-table (sex × age band × disability) for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValue {
    pub region: RegionCode,
    pub element: String,
    pub period: String,
    pub group: Group,
    pub value: f64,
    pub unit: String,
    pub source: String,
    pub source_type: SourceType,
    pub estimated: bool,
    pub note: Option<String>,
}

/// What one load stores, all in one transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct FigureLoad<'a> {
    pub regional: &'a [AggregateValue],
    pub national: &'a [NationalValue],
    pub groups: &'a [GroupValue],
}

/// Whether a figure comes from Sinergi's synthetic world rather than a publisher: the demo and
/// `generate` name every source they write "sintetis", and a profile must never set such a
/// figure beside an official one as if it were the same measure.
fn synthetic_source(source: &str) -> bool {
    let s = source.to_lowercase();
    s.contains("sintetis") || s.contains("synthetic")
}

impl AggregateValue {
    pub fn is_synthetic(&self) -> bool {
        synthetic_source(&self.source)
    }
}

impl AggregateSum {
    pub fn is_synthetic(&self) -> bool {
        synthetic_source(&self.source)
    }
}

type AggregateRow = (
    String,
    String,
    String,
    f64,
    String,
    String,
    String,
    bool,
    Option<String>,
);

const AGGREGATE_COLUMNS: &str =
    "region_code, element, period, value, unit, source, source_type, estimated, note";

fn to_value(r: AggregateRow) -> Result<AggregateValue, StoreError> {
    Ok(AggregateValue {
        region: RegionCode::parse(&r.0)
            .map_err(|e| StoreError::Corrupt(format!("wilayah {}: {e}", r.0)))?,
        element: r.1,
        period: r.2,
        value: r.3,
        unit: r.4,
        source: r.5,
        source_type: SourceType::from_key(&r.6)
            .ok_or_else(|| StoreError::Corrupt(format!("jenis sumber {}", r.6)))?,
        estimated: r.7,
        note: r.8,
    })
}

impl Store {
    /// Stores figures in one transaction (a figure with the same region, element, period and
    /// source is replaced); one audit event for the whole load.
    pub async fn load_aggregates(
        &self,
        actor: Actor,
        values: &[AggregateValue],
    ) -> Result<u64, StoreError> {
        self.load_figures(
            actor,
            FigureLoad {
                regional: values,
                ..FigureLoad::default()
            },
        )
        .await
    }

    /// Stores per-region, national and by-group figures in one transaction (a figure with the
    /// same place, element, period, source and groups is replaced); one audit event.
    pub async fn load_figures(
        &self,
        actor: Actor,
        load: FigureLoad<'_>,
    ) -> Result<u64, StoreError> {
        let now = now_text();
        let values = load.regional;
        let mut regions: Vec<&str> = values
            .iter()
            .map(|v| v.region.as_str())
            .chain(load.groups.iter().map(|v| v.region.as_str()))
            .collect();
        regions.sort_unstable();
        regions.dedup();
        let mut elements: Vec<&str> = values
            .iter()
            .map(|v| v.element.as_str())
            .chain(load.national.iter().map(|v| v.element.as_str()))
            .chain(load.groups.iter().map(|v| v.element.as_str()))
            .collect();
        elements.sort_unstable();
        elements.dedup();
        let event =
            AuditEvent::new(actor, "aggregate.load", "aggregate_value").after(serde_json::json!({
                "baris": values.len(),
                "nasional": load.national.len(),
                "kelompok": load.groups.len(),
                "wilayah": regions.len(),
                "unsur": elements,
            }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Small statements: SQLite looks each `$N` up in a list, so thousands are slow.
            for chunk in values.chunks(100) {
                let mut ph = Placeholders::starting_at(1);
                let tuples: Vec<String> = chunk
                    .iter()
                    .map(|_| {
                        let cols: Vec<String> = (0..10).map(|_| ph.next()).collect();
                        format!("({})", cols.join(", "))
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO aggregate_value ({AGGREGATE_COLUMNS}, loaded_at) VALUES {} \
                     ON CONFLICT (region_code, element, period, source) DO UPDATE SET \
                     value = excluded.value, unit = excluded.unit, source_type = excluded.source_type, \
                     estimated = excluded.estimated, note = excluded.note, loaded_at = excluded.loaded_at",
                    tuples.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for v in chunk {
                    q = q
                        .bind(v.region.to_string())
                        .bind(v.element.clone())
                        .bind(v.period.clone())
                        .bind(v.value)
                        .bind(v.unit.clone())
                        .bind(v.source.clone())
                        .bind(v.source_type.key())
                        .bind(v.estimated)
                        .bind(v.note.clone())
                        .bind(now.clone());
                }
                q.execute(&mut *tx).await?;
            }
            for v in load.national {
                sqlx::query(
                    "INSERT INTO national_value (element, period, value, unit, source, \
                     source_type, estimated, note, loaded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (element, period, source) DO UPDATE SET \
                     value = excluded.value, unit = excluded.unit, source_type = excluded.source_type, \
                     estimated = excluded.estimated, note = excluded.note, loaded_at = excluded.loaded_at",
                )
                .bind(&v.element)
                .bind(&v.period)
                .bind(v.value)
                .bind(&v.unit)
                .bind(&v.source)
                .bind(v.source_type.key())
                .bind(v.estimated)
                .bind(&v.note)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            for v in load.groups {
                sqlx::query(
                    "INSERT INTO aggregate_group_value (region_code, element, period, sex, \
                     age_band, disability, value, unit, source, source_type, estimated, note, \
                     loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (region_code, element, period, source, sex, age_band, disability) \
                     DO UPDATE SET value = excluded.value, unit = excluded.unit, \
                     source_type = excluded.source_type, estimated = excluded.estimated, \
                     note = excluded.note, loaded_at = excluded.loaded_at",
                )
                .bind(v.region.to_string())
                .bind(&v.element)
                .bind(&v.period)
                .bind(&v.group.sex)
                .bind(&v.group.age_band)
                .bind(&v.group.disability)
                .bind(v.value)
                .bind(&v.unit)
                .bind(&v.source)
                .bind(v.source_type.key())
                .bind(v.estimated)
                .bind(&v.note)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok((values.len() + load.national.len() + load.groups.len()) as u64)
    }

    /// Every figure held for Indonesia as a whole, by element, period (newest first), source.
    pub async fn national_figures(&self) -> Result<Vec<NationalValue>, StoreError> {
        type Row = (
            String,
            String,
            f64,
            String,
            String,
            String,
            bool,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT element, period, value, unit, source, source_type, estimated, note \
             FROM national_value ORDER BY element, period DESC, source"
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(NationalValue {
                    element: r.0,
                    period: r.1,
                    value: r.2,
                    unit: r.3,
                    source: r.4,
                    source_type: SourceType::from_key(&r.5)
                        .ok_or_else(|| StoreError::Corrupt(format!("jenis sumber {}", r.5)))?,
                    estimated: r.6,
                    note: r.7,
                })
            })
            .collect()
    }

    /// The by-group figures of `elements` held for `within` or any region below it, every
    /// period; the caller picks the period and level it shows.
    pub async fn group_figures(
        &self,
        within: &RegionCode,
        elements: &[&str],
    ) -> Result<Vec<GroupValue>, StoreError> {
        if elements.is_empty() {
            return Ok(Vec::new());
        }
        let mut ph = Placeholders::starting_at(1);
        let in_elements: Vec<String> = elements.iter().map(|_| ph.next()).collect();
        let f = within_regions(std::slice::from_ref(within), "region_code", &mut ph);
        let mut sql = format!(
            "SELECT region_code, element, period, sex, age_band, disability, value, unit, source, \
             source_type, estimated, note FROM aggregate_group_value WHERE element IN ({})",
            in_elements.join(", ")
        );
        let mut binds = Vec::new();
        if let Some(f) = f {
            sql = format!("{sql} AND {}", f.sql);
            binds = f.binds;
        }
        sql.push_str(" ORDER BY element, period, region_code, sex, age_band, disability");
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            f64,
            String,
            String,
            String,
            bool,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for e in elements {
                q = q.bind(*e);
            }
            bind_filter!(q, binds).fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(GroupValue {
                    region: RegionCode::parse(&r.0)
                        .map_err(|e| StoreError::Corrupt(format!("wilayah {}: {e}", r.0)))?,
                    element: r.1,
                    period: r.2,
                    group: Group {
                        sex: r.3,
                        age_band: r.4,
                        disability: r.5,
                    },
                    value: r.6,
                    unit: r.7,
                    source: r.8,
                    source_type: SourceType::from_key(&r.9)
                        .ok_or_else(|| StoreError::Corrupt(format!("jenis sumber {}", r.9)))?,
                    estimated: r.10,
                    note: r.11,
                })
            })
            .collect()
    }

    /// The figures held for exactly this region, by element, kind, period and source.
    pub async fn region_figures(
        &self,
        region: &RegionCode,
    ) -> Result<Vec<AggregateValue>, StoreError> {
        let sql = format!(
            "SELECT {AGGREGATE_COLUMNS} FROM aggregate_value WHERE region_code = $1 \
             ORDER BY element, source_type, period, source"
        );
        let rows: Vec<AggregateRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(region.to_string())
                .fetch_all(pool)
                .await)?;
        rows.into_iter().map(to_value).collect()
    }
}

impl Scoped<'_> {
    /// The sum of `element` over the regions of `level` at or below `within` (all of
    /// Indonesia when `None`), for the latest period held at that level, as a count this
    /// viewer may be given (small sums suppressed for the public). `None` when no region
    /// holds a value.
    pub async fn latest_sum_below(
        &self,
        within: Option<&RegionCode>,
        element: &str,
        level: Level,
    ) -> Result<Option<AggregateSum>, StoreError> {
        let len = level.dotted_len();
        let mut ph = Placeholders::starting_at(3);
        let mut sql = format!(
            "SELECT SUM(value), COUNT(*), MAX(period), MIN(source) FROM aggregate_value \
             WHERE element = $1 AND LENGTH(region_code) = {len} AND period = \
             (SELECT MAX(period) FROM aggregate_value WHERE element = $2 AND LENGTH(region_code) = {len})"
        );
        let mut binds = Vec::new();
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), "region_code", &mut ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds = f.binds;
        }
        type SumRow = (Option<f64>, i64, Option<String>, Option<String>);
        let row: SumRow = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(element)
                .bind(element),
            binds
        )
        .fetch_one(pool)
        .await)?;
        Ok(match row {
            (Some(value), regions, Some(period), Some(source)) if regions > 0 => {
                Some(AggregateSum {
                    value: self.disclose(value.round().max(0.0) as u64),
                    regions: regions as u64,
                    period,
                    source,
                })
            }
            _ => None,
        })
    }

    /// Every element whose key starts with `prefix` (e.g. `ppks_`), summed like
    /// [`Scoped::latest_sum_below`] over the regions of `level` at or below `within`, each
    /// for its own latest period at that level; by element key.
    pub async fn latest_sums_by_prefix(
        &self,
        within: Option<&RegionCode>,
        prefix: &str,
        level: Level,
    ) -> Result<Vec<(String, AggregateSum)>, StoreError> {
        let len = level.dotted_len();
        let mut ph = Placeholders::starting_at(2);
        let mut sql = format!(
            "SELECT a.element, SUM(a.value), COUNT(*), MAX(a.period), MIN(a.source) \
             FROM aggregate_value a WHERE a.element LIKE $1 AND LENGTH(a.region_code) = {len} \
             AND a.period = (SELECT MAX(b.period) FROM aggregate_value b \
             WHERE b.element = a.element AND LENGTH(b.region_code) = {len})"
        );
        let mut binds = Vec::new();
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), "a.region_code", &mut ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds = f.binds;
        }
        sql.push_str(" GROUP BY a.element ORDER BY a.element");
        type SumRow = (String, Option<f64>, i64, Option<String>, Option<String>);
        // `_` matches any character in LIKE; the exact prefix is checked below.
        let like = format!("{prefix}%");
        let rows: Vec<SumRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(&like),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .filter(|r| r.0.starts_with(prefix))
            .filter_map(|(element, value, regions, period, source)| {
                Some((
                    element,
                    AggregateSum {
                        value: self.disclose(value?.round().max(0.0) as u64),
                        regions: regions as u64,
                        period: period?,
                        source: source?,
                    },
                ))
            })
            .collect())
    }
}

/// A figure summed over regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateSum {
    pub value: Disclosed,
    /// How many regions held a value.
    pub regions: u64,
    pub period: String,
    /// The source of the summed values (the first, when they differ).
    pub source: String,
}
