//! Deliberate exceptions to the row filter: places where a viewer is shown something beyond
//! its own rows. Each says why, and what exactly it shows; each has a test that proves it
//! shows no more (named in its comment).

use sinergi_core::Level;
use sinergi_core::program::{PeerProgram, ProgramFilter, own_organisation};
use sqlx::AssertSqlSafe;

use crate::lkks::{FormationEntry, FormationProgress};
use crate::programs::{PROGRAM_COLS, ProgramRecord, program_record};
use crate::{Scoped, StoreError, on_pool};
use sinergi_core::RegionCode;
use sinergi_core::institution::FormationStatus;

impl Scoped<'_> {
    /// For a partner or LKS account: the other organisations' programs that share a desa with
    /// one of its own programs matching `filter`.
    ///
    /// Why beyond its rows: a partner cannot coordinate (the point of the 4W overlap analysis)
    /// without knowing who else works in the desa it works in, and in what. So it is told
    /// who (organisation), what (sector), when (period), for whom (target group) and where
    /// (only the desa shared with its own programs) — reduced to [`PeerProgram`]. Names,
    /// budgets, figures and the other places of other partners' programs stay out; accounts
    /// not bound to an organisation (and the public, and the system) get nothing here, they
    /// see programs through their own row filter.
    ///
    /// Test: `a_partner_learns_only_who_and_what_of_programs_sharing_its_desa` in
    /// `crates/store/tests/programs.rs`.
    pub async fn overlap_peers(
        &self,
        filter: &ProgramFilter,
    ) -> Result<Vec<PeerProgram>, StoreError> {
        let Some(own_org) = own_organisation(self.viewer()) else {
            return Ok(Vec::new());
        };
        let own = self.programs_all(filter).await?;
        let mut desa: Vec<String> = own
            .iter()
            .flat_map(|p| &p.input.locations)
            .filter(|l| l.region.level() == Level::Desa)
            .map(|l| l.region.to_string())
            .collect();
        desa.sort();
        desa.dedup();
        let mut records: Vec<ProgramRecord> = Vec::new();
        for chunk in desa.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {PROGRAM_COLS} FROM program p JOIN organisation o ON o.id = p.organisation_id \
                 WHERE p.organisation_id <> $1 AND p.id IN (SELECT program_id FROM program_location \
                 WHERE region_code IN ({})) ORDER BY p.id",
                marks.join(", ")
            );
            let batch: Vec<ProgramRecord> = on_pool!(self, |pool| {
                use sqlx::Row;
                let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(own_org);
                for code in chunk {
                    q = q.bind(code.clone());
                }
                let rows = q.fetch_all(pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    out.push(program_record!(row));
                }
                out
            });
            records.extend(batch);
        }
        records.sort_by_key(|r| r.id);
        records.dedup_by_key(|r| r.id);
        let programs = self.with_locations(records).await?;
        Ok(programs
            .into_iter()
            .map(|p| PeerProgram {
                id: p.id,
                organisation_id: p.input.organisation_id,
                organisation_name: p.organisation_name,
                sector: p.input.sector,
                start: p.input.start,
                end: p.input.end,
                target: p.input.target,
                desa: p
                    .input
                    .locations
                    .into_iter()
                    .map(|l| l.region)
                    .filter(|c| {
                        desa.binary_search_by(|d| d.as_str().cmp(c.as_str()))
                            .is_ok()
                    })
                    .collect(),
            })
            .collect())
    }
}

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
