//! Deliberate exceptions to the row scope: a viewer shown something beyond its rows, each
//! with its reason, written here so that they are few, named and tested.

use sinergi_core::RegionCode;
use sinergi_core::institution::FormationStatus;

use crate::lkks::{FormationEntry, FormationProgress};
use crate::{Scoped, StoreError, on_pool};

/// LKKS formation progress. Reason: a formation target is a public commitment of the
/// province (e.g. "every kab/kota has an active LKKS by 2026"), so its progress — which
/// kab/kota has an LKKS and in what formation status — is shown to everyone who may see the
/// target (the public, partners and every regional user of the province), including kab/kota
/// whose LKKS rows lie outside the viewer's own rows. Only the status, the region and a link
/// are shown; the LKKS's record itself stays behind the row filter.
impl Scoped<'_> {
    /// Progress of a target: every current kab/kota of the province with the status of its
    /// LKKS (none when not recorded) and whether it reached the target.
    pub async fn formation_progress(
        &self,
        target_id: i64,
    ) -> Result<Option<FormationProgress>, StoreError> {
        let Some(target) = self
            .formation_targets()
            .await?
            .into_iter()
            .find(|t| t.id == target_id)
        else {
            return Ok(None);
        };
        let province = RegionCode::parse(&target.province)
            .map_err(|e| StoreError::Corrupt(format!("wilayah {}: {e}", target.province)))?;
        let children = self.region_children(Some(&province)).await?;
        let (lo, hi) = (province.to_string(), format!("{province}/"));
        let statuses: Vec<(String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT region_code, organisation_id, status FROM lkks WHERE region_code >= $1 AND region_code < $2"
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(pool)
        .await
        })?;
        let by_region: std::collections::HashMap<String, (i64, String)> = statuses
            .into_iter()
            .map(|(r, id, s)| (r, (id, s)))
            .collect();
        let entries: Vec<FormationEntry> = children
            .into_iter()
            .map(|c| {
                let found = by_region.get(c.region.code.as_str());
                let status = found.and_then(|(_, s)| FormationStatus::from_key(s));
                FormationEntry {
                    reached: status.is_some_and(|s| s.reaches(target.target_status)),
                    lkks_id: found.map(|(id, _)| *id),
                    status,
                    latitude: c.region.latitude,
                    longitude: c.region.longitude,
                    region_name: c.region.name,
                    region: c.region.code,
                }
            })
            .collect();
        let reached = entries.iter().filter(|e| e.reached).count();
        Ok(Some(FormationProgress {
            target,
            entries,
            reached,
        }))
    }
}
