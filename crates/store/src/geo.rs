//! Region boundaries imported with `sinergi geo import`, for choropleth maps. Public
//! reference data (no scope), stored as JSON per Kemendagri code; a re-import replaces.

use sinergi_core::geo::Boundary;
pub use sinergi_core::geo::Polygon;
use sinergi_core::{Level, Msg, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{Actor, AuditEvent, append_audit, now_text};
use crate::scope::{Placeholders, bind_filter, within_regions};
use crate::{Store, StoreError, on_pool};

impl Store {
    /// Stores (or replaces) boundaries in one transaction. Codes the register does not know
    /// refuse the whole file, named.
    pub async fn save_boundaries(
        &self,
        actor: Actor,
        boundaries: &[Boundary],
        source: &str,
    ) -> Result<u64, StoreError> {
        let known = self.region_code_set().await?;
        let unknown: Vec<&str> = boundaries
            .iter()
            .map(|b| b.code.as_str())
            .filter(|c| !known.contains(*c))
            .collect();
        if !unknown.is_empty() {
            return Err(StoreError::Refused(
                Msg::new("geo.codes_unknown")
                    .arg("count", unknown.len())
                    .arg(
                        "codes",
                        unknown
                            .iter()
                            .take(20)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
            ));
        }
        let mut levels: Vec<&str> = boundaries.iter().map(|b| b.code.level().key()).collect();
        levels.sort_unstable();
        levels.dedup();
        let event = AuditEvent::new(actor, "boundary.import", "region_boundary").after(
            serde_json::json!({ "wilayah": boundaries.len(), "tingkat": levels, "sumber": source }),
        );
        let all: Vec<&Boundary> = boundaries.iter().collect();
        self.write_boundaries(&all, source, Some(&event)).await
    }

    /// The boundaries embedded in the binary, on first start: reference data like the
    /// embedded region list, so not audited (that load is not either), and only for the
    /// codes the register holds (a deployment's own region list may be smaller).
    pub async fn seed_boundaries(
        &self,
        boundaries: &[Boundary],
        source: &str,
    ) -> Result<u64, StoreError> {
        let known = self.region_code_set().await?;
        let kept: Vec<&Boundary> = boundaries
            .iter()
            .filter(|b| known.contains(b.code.as_str()))
            .collect();
        self.write_boundaries(&kept, source, None).await
    }

    async fn write_boundaries(
        &self,
        boundaries: &[&Boundary],
        source: &str,
        event: Option<&AuditEvent>,
    ) -> Result<u64, StoreError> {
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for b in boundaries {
                let geometry = serde_json::to_string(&b.polygons)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO region_boundary (code, level, geometry, source, imported_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
                     geometry = excluded.geometry, source = excluded.source, imported_at = excluded.imported_at",
                )
                .bind(b.code.to_string())
                .bind(b.code.level().number())
                .bind(geometry)
                .bind(source)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(event) = event {
                append_audit!(tx, event);
            }
            tx.commit().await?;
        });
        Ok(boundaries.len() as u64)
    }

    /// Boundaries of the regions at `level` in or below `within` (all when None).
    pub async fn boundaries(
        &self,
        within: Option<&RegionCode>,
        level: Level,
    ) -> Result<Vec<Boundary>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let mut sql = "SELECT code, geometry FROM region_boundary WHERE level = $1".to_string();
        let mut binds = Vec::new();
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), "code", &mut ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds = f.binds;
        }
        sql.push_str(" ORDER BY code");
        let rows: Vec<(String, String)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(level.number()),
            binds
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(code, geometry)| {
                Ok(Boundary {
                    code: RegionCode::parse(&code)
                        .map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?,
                    polygons: serde_json::from_str(&geometry)
                        .map_err(|e| StoreError::Corrupt(format!("batas {code}: {e}")))?,
                })
            })
            .collect()
    }

    /// How many boundaries are held per level (1..=4).
    pub async fn boundary_counts(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT level, count(*) FROM region_boundary GROUP BY level ORDER BY level"
        )
        .fetch_all(pool)
        .await)?)
    }
}
