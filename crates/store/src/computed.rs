//! Realisation computed from data already in the platform. Each computation is one entry of
//! [`COMPUTATIONS`]: a key, a name, the kind of figure, and the SQL that produces one value per
//! kab/kota — the same text is shown to the user next to the value, so a figure can be checked.
//!
//! To add one, append an entry whose SQL
//! returns `(kab/kota code, value)` rows using only `$1` and `$2` (the strategy region's code
//! range, as in `scope::within_regions`); nothing else changes.

use serde::Serialize;
use sinergi_core::strategy::{StrategyArea, may_enter_realisation_in};
use sinergi_core::{Level, Msg, Period};
use sqlx::AssertSqlSafe;

use crate::strategy::{EntryMethod, NewRealisation, RefusedRealisation};
use crate::{Scoped, SourceType, StoreError, on_pool};

/// A named computation.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Computation {
    pub key: &'static str,
    /// Name in Bahasa Indonesia (the computation is data, not UI chrome).
    pub name: &'static str,
    pub unit: &'static str,
    pub source_type: SourceType,
    /// Returns `(kab/kota code, value)`; `$1 <= kode < $2` is the strategy region's range.
    pub sql: &'static str,
}

/// Every computation the platform knows. Codes are compared as text (C collation on
/// PostgreSQL); `substr(code, 1, 5)` is the kab/kota of a desa code.
pub const COMPUTATIONS: &[Computation] = &[
    Computation {
        key: "keluarga_desil_1",
        name: "Keluarga Desil I menurut DTSEN (periode terbaru yang dimuat)",
        unit: "keluarga",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(region_code, 1, 5) AS kabkota, SUM(value) AS nilai \
              FROM aggregate_value \
              WHERE element = 'keluarga_desil_1' AND length(region_code) = 13 \
                AND region_code >= $1 AND region_code < $2 \
                AND period = (SELECT MAX(period) FROM aggregate_value WHERE element = 'keluarga_desil_1') \
              GROUP BY substr(region_code, 1, 5)",
    },
    Computation {
        key: "jumlah_keluarga",
        name: "Seluruh keluarga menurut DTSEN (periode terbaru yang dimuat)",
        unit: "keluarga",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(region_code, 1, 5) AS kabkota, SUM(value) AS nilai \
              FROM aggregate_value \
              WHERE element = 'jumlah_keluarga' AND length(region_code) = 13 \
                AND region_code >= $1 AND region_code < $2 \
                AND period = (SELECT MAX(period) FROM aggregate_value WHERE element = 'jumlah_keluarga') \
              GROUP BY substr(region_code, 1, 5)",
    },
    // Sinergi holds no desil per family, so "reached" is read at desa level: the Desil I
    // families of every desa where at least one program for Desil I runs or has run. The
    // name says exactly that, so nobody reads it as a count of families served.
    Computation {
        key: "keluarga_desil_1_desa_terjangkau",
        name: "Keluarga Desil I di desa yang dijangkau sedikitnya satu program bersasaran Desil I (berjalan atau selesai)",
        unit: "keluarga",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(a.region_code, 1, 5) AS kabkota, SUM(a.value) AS nilai \
              FROM aggregate_value a \
              WHERE a.element = 'keluarga_desil_1' AND length(a.region_code) = 13 \
                AND a.region_code >= $1 AND a.region_code < $2 \
                AND a.period = (SELECT MAX(period) FROM aggregate_value WHERE element = 'keluarga_desil_1') \
                AND EXISTS (SELECT 1 FROM program_location l JOIN program p ON p.id = l.program_id \
                            WHERE l.region_code = a.region_code AND p.desil_from = 1 \
                              AND p.status IN ('berjalan', 'selesai')) \
              GROUP BY substr(a.region_code, 1, 5)",
    },
    Computation {
        key: "penerima_tercatat",
        name: "Orang tercatat dalam daftar penerima mitra (semua daftar kecuali register)",
        unit: "orang",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(p.region_code, 1, 5) AS kabkota, CAST(COUNT(*) AS DOUBLE PRECISION) AS nilai \
              FROM person_record p JOIN organisation o ON o.id = p.organisation_id \
              WHERE o.kind <> 'lkks' AND length(p.region_code) >= 5 \
                AND p.region_code >= $1 AND p.region_code < $2 \
              GROUP BY substr(p.region_code, 1, 5)",
    },
    Computation {
        key: "lks_terdaftar",
        name: "LKS terdaftar di Sinergi, menurut kedudukannya",
        unit: "lembaga",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(region_code, 1, 5) AS kabkota, CAST(COUNT(*) AS DOUBLE PRECISION) AS nilai \
              FROM organisation \
              WHERE kind = 'lks' AND length(region_code) >= 5 \
                AND region_code >= $1 AND region_code < $2 \
              GROUP BY substr(region_code, 1, 5)",
    },
    // Accreditation counts only while valid: the grade's end date (5/3/2 years) not passed.
    Computation {
        key: "lks_terakreditasi",
        name: "LKS dengan akreditasi (A, B atau C) yang masih berlaku hari ini, menurut kedudukannya",
        unit: "lembaga",
        source_type: SourceType::Administrative,
        sql: "SELECT substr(o.region_code, 1, 5) AS kabkota, CAST(COUNT(*) AS DOUBLE PRECISION) AS nilai \
              FROM lks l JOIN organisation o ON o.id = l.organisation_id \
              WHERE l.grade IN ('A', 'B', 'C') AND l.accreditation_until >= CAST(CURRENT_DATE AS TEXT) \
                AND length(o.region_code) >= 5 \
                AND o.region_code >= $1 AND o.region_code < $2 \
              GROUP BY substr(o.region_code, 1, 5)",
    },
];

pub fn computation(key: &str) -> Option<&'static Computation> {
    COMPUTATIONS.iter().find(|c| c.key == key)
}

/// One computed value per kab/kota plus the strategy region's total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComputedValue {
    pub region: String,
    pub value: f64,
}

impl Scoped<'_> {
    /// Runs a computation over the region `within` (a province, kab/kota or [`NATIONAL`]):
    /// one value per kab/kota, and the sum for `within` itself.
    pub async fn run_computation(
        &self,
        key: &str,
        within: &str,
    ) -> Result<Vec<ComputedValue>, StoreError> {
        let c = computation(key).ok_or_else(|| {
            StoreError::Refused(Msg::new("strategy.refuse.computation_unknown").arg("key", key))
        })?;
        let area = StrategyArea::parse(within).map_err(|_| {
            StoreError::Refused(Msg::new("strategy.refuse.region_bad").arg("region", within))
        })?;
        // Every code sorts between "0" and "9/"; a region's subtree is [code, code + "/").
        let (lo, hi) = match &area {
            StrategyArea::National => ("0".to_string(), "9/".to_string()),
            StrategyArea::Region(r) => (r.to_string(), format!("{r}/")),
        };
        // SQLite has no DOUBLE PRECISION type name issue: CAST(x AS DOUBLE PRECISION) is REAL.
        let rows: Vec<(String, f64)> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(c.sql))
            .bind(&lo)
            .bind(&hi)
            .fetch_all(pool)
            .await)?;
        let mut out: Vec<ComputedValue> = rows
            .into_iter()
            .map(|(region, value)| ComputedValue { region, value })
            .collect();
        out.sort_by(|a, b| a.region.cmp(&b.region));
        let total: f64 = out.iter().map(|v| v.value).sum();
        if area.region().is_none_or(|r| r.level() == Level::Provinsi) {
            out.push(ComputedValue {
                region: area.to_string(),
                value: total,
            });
        }
        Ok(out)
    }

    /// Computes every indicator of the published version that names a computation, for
    /// `period`, and stores the values (method `computed`, source "Sinergi: <key>").
    pub async fn compute_realisations(
        &self,
        strategy_id: i64,
        period: Period,
    ) -> Result<Result<u64, Vec<RefusedRealisation>>, StoreError> {
        let tree = self
            .load_tree(strategy_id, None, false)
            .await?
            .ok_or_else(|| StoreError::Refused(Msg::new("strategy.refuse.not_published")))?;
        let mut rows = Vec::new();
        for ind in tree.indicators() {
            let Some(key) = &ind.fields.computation else {
                continue;
            };
            for v in self
                .run_computation(key, tree.strategy.region.as_str())
                .await?
            {
                // An operator computes for their own kab/kota only.
                if !StrategyArea::parse(&v.region)
                    .is_ok_and(|a| may_enter_realisation_in(self.viewer(), &a))
                {
                    continue;
                }
                rows.push(NewRealisation {
                    line: 0,
                    indicator_code: ind.fields.code.clone(),
                    disaggregation: String::new(),
                    region: v.region,
                    period,
                    source: format!("Sinergi: {key}"),
                    value: v.value,
                    drivers: String::new(),
                    obstacles: String::new(),
                    follow_up: String::new(),
                });
            }
        }
        if rows.is_empty() {
            return Ok(Ok(0));
        }
        self.save_realisations(strategy_id, EntryMethod::Computed, &rows)
            .await
    }
}
