//! Indeks Prioritas and the data-quality scorecard (issue 22): method versions (never edited,
//! a change is a new version), published rankings naming their method version and data
//! periods, the indicator columns drawn from the figures held per region, and follow-up marks
//! on scorecard cells (never deleted; only owner and status move).

use std::collections::BTreeMap;

use serde::Serialize;
use sinergi_core::{Level, Msg, RegionCode, priority as rules};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::scope::{Placeholders, bind_filter, within_regions};
use crate::{Scoped, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityMethodVersion {
    pub id: i64,
    pub name: String,
    pub version: i64,
    /// JSON of the method (indicators, weights, treatment, sensitivity), read by `insight`.
    pub definition: String,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

/// Indicator columns for one level: `columns[i][r]` is element `i`'s latest figure held for
/// `regions[r]`, from the period in `periods[i]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorityColumns {
    pub regions: Vec<RegionCode>,
    pub periods: Vec<Option<String>>,
    pub columns: Vec<Vec<Option<f64>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingRow {
    pub region: String,
    pub score: Option<f64>,
    pub rank: u32,
    pub median_rank: Option<u32>,
    pub p5_rank: Option<u32>,
    pub p95_rank: Option<u32>,
    pub unstable: bool,
    /// Per indicator, method order.
    pub contributions: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct NewRanking {
    pub method_id: i64,
    pub level: Level,
    pub within: Option<RegionCode>,
    /// Element → the period its figures were drawn from.
    pub periods: BTreeMap<String, String>,
    pub rows: Vec<RankingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRanking {
    pub id: i64,
    pub method: PriorityMethodVersion,
    pub level: String,
    pub within: Option<String>,
    pub periods: BTreeMap<String, String>,
    pub published_at: String,
    pub published_by: String,
    /// Best rank first.
    pub rows: Vec<RankingRow>,
}

/// Status of a follow-up mark (stored keys in Indonesian, as the page shows them).
pub const FOLLOWUP_STATUSES: [&str; 3] = ["terbuka", "ditangani", "selesai"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Followup {
    pub id: i64,
    pub region: String,
    pub check_key: String,
    pub detail: String,
    pub owner: String,
    pub status: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
}

type MethodRow = (i64, String, i64, String, Option<String>, String, String);

fn to_method(r: MethodRow) -> PriorityMethodVersion {
    PriorityMethodVersion {
        id: r.0,
        name: r.1,
        version: r.2,
        definition: r.3,
        note: r.4,
        created_at: r.5,
        created_by: r.6,
    }
}

const METHOD_COLUMNS: &str = "id, name, version, definition, note, created_at, created_by";

type FollowupRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

const FOLLOWUP_COLUMNS: &str =
    "id, region_code, check_key, detail, owner, status, created_at, created_by, updated_at";

fn to_followup(r: FollowupRow) -> Followup {
    Followup {
        id: r.0,
        region: r.1,
        check_key: r.2,
        detail: r.3,
        owner: r.4,
        status: r.5,
        created_at: r.6,
        created_by: r.7,
        updated_at: r.8,
    }
}

impl Scoped<'_> {
    fn require_view(&self) -> Result<(), StoreError> {
        if rules::may_view(self.viewer()) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// Saves `definition` as the next version of method `name` (the first is version 1).
    pub async fn save_priority_method(
        &self,
        name: &str,
        definition: &str,
        note: Option<&str>,
    ) -> Result<PriorityMethodVersion, StoreError> {
        if !rules::may_define_method(self.viewer()) {
            return Err(StoreError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Refused(Msg::new(
                "priority.method_name_missing",
            )));
        }
        let now = now_text();
        let by = self.actor().name.clone();
        let id: i64 = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let version: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM priority_method WHERE name = $1",
            )
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO priority_method (name, version, definition, note, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(name)
            .bind(version)
            .bind(definition)
            .bind(note)
            .bind(&now)
            .bind(&by)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(self.actor(), "priority_method.save", "priority_method")
                .id(id)
                .after(serde_json::json!({ "nama": name, "versi": version }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        self.priority_method(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("priority_method".into()))
    }

    /// Every version of every method, newest first.
    pub async fn priority_methods(&self) -> Result<Vec<PriorityMethodVersion>, StoreError> {
        self.require_view()?;
        let sql =
            format!("SELECT {METHOD_COLUMNS} FROM priority_method ORDER BY name, version DESC");
        let rows: Vec<MethodRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await)?;
        Ok(rows.into_iter().map(to_method).collect())
    }

    pub async fn priority_method(
        &self,
        id: i64,
    ) -> Result<Option<PriorityMethodVersion>, StoreError> {
        self.require_view()?;
        let sql = format!("SELECT {METHOD_COLUMNS} FROM priority_method WHERE id = $1");
        let row: Option<MethodRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await)?;
        Ok(row.map(to_method))
    }

    /// The latest figure of each element for every region of `level` below `within` (all held
    /// when `None`). The period is the latest held at that level, per element, so one column
    /// never mixes periods. Regions holding none of the elements are not listed.
    pub async fn priority_columns(
        &self,
        level: Level,
        within: Option<&RegionCode>,
        elements: &[String],
    ) -> Result<PriorityColumns, StoreError> {
        self.require_view()?;
        let len = level.dotted_len();
        let mut by_element: Vec<BTreeMap<String, f64>> = Vec::with_capacity(elements.len());
        let mut periods = Vec::with_capacity(elements.len());
        for element in elements {
            let mut ph = Placeholders::starting_at(3);
            let mut sql = format!(
                "SELECT region_code, value FROM aggregate_value WHERE element = $1 \
                 AND LENGTH(region_code) = {len} AND period = $2"
            );
            let mut binds = Vec::new();
            if let Some(f) =
                within.and_then(|w| within_regions(std::slice::from_ref(w), "region_code", &mut ph))
            {
                sql = format!("{sql} AND {}", f.sql);
                binds = f.binds;
            }
            // One figure per region: the first source by name when several publish it.
            sql = format!("{sql} ORDER BY region_code, source");
            let period: Option<String> =
                on_pool!(self, |pool| sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT MAX(period) FROM aggregate_value WHERE element = $1 \
                     AND LENGTH(region_code) = {len}"
                )))
                .bind(element)
                .fetch_one(pool)
                .await)?;
            let mut values = BTreeMap::new();
            if let Some(p) = &period {
                let rows: Vec<(String, f64)> = on_pool!(self, |pool| bind_filter!(
                    sqlx::query_as(AssertSqlSafe(sql.clone()))
                        .bind(element)
                        .bind(p),
                    binds
                )
                .fetch_all(pool)
                .await)?;
                for (region, value) in rows {
                    values.entry(region).or_insert(value);
                }
            }
            by_element.push(values);
            periods.push(period);
        }
        let mut codes: Vec<&String> = by_element.iter().flat_map(|m| m.keys()).collect();
        codes.sort_unstable();
        codes.dedup();
        let regions = codes
            .iter()
            .map(|c| RegionCode::parse(c).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let columns = by_element
            .iter()
            .map(|m| codes.iter().map(|c| m.get(*c).copied()).collect())
            .collect();
        Ok(PriorityColumns {
            regions,
            periods,
            columns,
        })
    }

    /// Publishes a ranking: its rows are kept as computed, with the method version and the
    /// periods drawn on.
    pub async fn publish_ranking(&self, ranking: &NewRanking) -> Result<i64, StoreError> {
        let allowed = match &ranking.within {
            Some(w) => rules::may_publish(self.viewer(), w),
            None => rules::may_define_method(self.viewer()),
        };
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let now = now_text();
        let by = self.actor().name.clone();
        let periods = serde_json::to_string(&ranking.periods)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let within = ranking.within.as_ref().map(|w| w.to_string());
        let id: i64 = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO priority_ranking (method_id, level, within, periods, published_at, published_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(ranking.method_id)
            .bind(ranking.level.key())
            .bind(&within)
            .bind(&periods)
            .bind(&now)
            .bind(&by)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in ranking.rows.chunks(100) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO priority_ranking_row (ranking_id, region_code, score, rank, \
                     median_rank, p5_rank, p95_rank, unstable, contributions) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(id)
                        .push_bind(r.region.clone())
                        .push_bind(r.score)
                        .push_bind(i64::from(r.rank))
                        .push_bind(r.median_rank.map(i64::from))
                        .push_bind(r.p5_rank.map(i64::from))
                        .push_bind(r.p95_rank.map(i64::from))
                        .push_bind(r.unstable)
                        .push_bind(
                            serde_json::to_string(&r.contributions).unwrap_or_else(|_| "[]".into()),
                        );
                });
                qb.build().execute(&mut *tx).await?;
            }
            let mut event =
                AuditEvent::new(self.actor(), "priority_ranking.publish", "priority_ranking")
                    .id(id)
                    .after(serde_json::json!({
                        "metode": ranking.method_id,
                        "tingkat": ranking.level.key(),
                        "wilayah": ranking.rows.len(),
                        "periode": ranking.periods,
                    }));
            if let Some(w) = &within {
                event = event.region(w);
            }
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The latest ranking published for `level` below exactly `within`.
    pub async fn latest_ranking(
        &self,
        level: Level,
        within: Option<&RegionCode>,
    ) -> Result<Option<PublishedRanking>, StoreError> {
        self.require_view()?;
        type Head = (i64, i64, String, Option<String>, String, String, String);
        let within_text = within.map(|w| w.to_string());
        let head: Option<Head> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, method_id, level, within, periods, published_at, published_by \
             FROM priority_ranking WHERE level = $1 AND COALESCE(within, '') = $2 \
             ORDER BY id DESC LIMIT 1"
        )
        .bind(level.key())
        .bind(within_text.clone().unwrap_or_default())
        .fetch_optional(pool)
        .await)?;
        let Some(h) = head else {
            return Ok(None);
        };
        let method = self
            .priority_method(h.1)
            .await?
            .ok_or_else(|| StoreError::Corrupt("priority_method".into()))?;
        type Row = (
            String,
            Option<f64>,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            bool,
            String,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT region_code, score, rank, median_rank, p5_rank, p95_rank, unstable, contributions \
             FROM priority_ranking_row WHERE ranking_id = $1 ORDER BY rank"
        )
        .bind(h.0)
        .fetch_all(pool)
        .await
        })?;
        let rank = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Some(PublishedRanking {
            id: h.0,
            method,
            level: h.2,
            within: h.3,
            periods: serde_json::from_str(&h.4).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            published_at: h.5,
            published_by: h.6,
            rows: rows
                .into_iter()
                .map(|r| RankingRow {
                    region: r.0,
                    score: r.1,
                    rank: rank(r.2),
                    median_rank: r.3.map(rank),
                    p5_rank: r.4.map(rank),
                    p95_rank: r.5.map(rank),
                    unstable: r.6,
                    contributions: serde_json::from_str(&r.7).unwrap_or_default(),
                })
                .collect(),
        }))
    }

    /// Marks a scorecard cell for follow-up. The flagged value itself is left as it is.
    pub async fn mark_followup(
        &self,
        region: &RegionCode,
        check_key: &str,
        detail: &str,
        owner: &str,
    ) -> Result<i64, StoreError> {
        if !rules::may_follow_up(self.viewer(), region) {
            return Err(StoreError::Forbidden);
        }
        let owner = owner.trim();
        if owner.is_empty() {
            return Err(StoreError::Refused(Msg::new(
                "priority.followup_owner_missing",
            )));
        }
        let now = now_text();
        let by = self.actor().name.clone();
        let id: i64 = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO quality_followup (region_code, check_key, detail, owner, status, created_at, created_by, updated_at) \
                 VALUES ($1, $2, $3, $4, 'terbuka', $5, $6, $5) RETURNING id",
            )
            .bind(region.to_string())
            .bind(check_key)
            .bind(detail)
            .bind(owner)
            .bind(&now)
            .bind(&by)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(self.actor(), "quality_followup.mark", "quality_followup")
                .id(id)
                .region(region)
                .after(serde_json::json!({ "cek": check_key, "rincian": detail, "penanggung_jawab": owner }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Moves a follow-up mark's status (and owner). Never deletes it.
    pub async fn update_followup(
        &self,
        id: i64,
        status: &str,
        owner: &str,
    ) -> Result<(), StoreError> {
        if !FOLLOWUP_STATUSES.contains(&status) {
            return Err(StoreError::Refused(Msg::new(
                "priority.followup_status_unknown",
            )));
        }
        let sql = format!("SELECT {FOLLOWUP_COLUMNS} FROM quality_followup WHERE id = $1");
        let before: Option<FollowupRow> =
            on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await)?;
        let before = before.map(to_followup).ok_or(StoreError::Forbidden)?;
        let region =
            RegionCode::parse(&before.region).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if !rules::may_follow_up(self.viewer(), &region) {
            return Err(StoreError::Forbidden);
        }
        let owner = if owner.trim().is_empty() {
            before.owner.clone()
        } else {
            owner.trim().to_string()
        };
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE quality_followup SET status = $1, owner = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(status)
            .bind(&owner)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(
                self.actor(),
                "quality_followup.update",
                "quality_followup",
            )
            .id(id)
            .region(&region)
            .before(
                serde_json::json!({ "status": before.status, "penanggung_jawab": before.owner }),
            )
            .after(serde_json::json!({ "status": status, "penanggung_jawab": owner }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Follow-up marks in this viewer's regions (below `within` when given), newest first.
    pub async fn followups(
        &self,
        within: Option<&RegionCode>,
    ) -> Result<Vec<Followup>, StoreError> {
        self.require_view()?;
        let mut ph = Placeholders::starting_at(1);
        // Marks belong to a region, not to an organisation: no organisation column.
        let scope = self.rows("region_code", "NULL", &mut ph);
        let mut sql = format!(
            "SELECT {FOLLOWUP_COLUMNS} FROM quality_followup WHERE {}",
            scope.sql
        );
        let mut binds = scope.binds;
        if let Some(f) =
            within.and_then(|w| within_regions(std::slice::from_ref(w), "region_code", &mut ph))
        {
            sql = format!("{sql} AND {}", f.sql);
            binds.extend(f.binds);
        }
        sql.push_str(" ORDER BY id DESC");
        let rows: Vec<FollowupRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(to_followup).collect())
    }
}
