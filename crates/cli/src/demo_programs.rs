//! The demo's partner programs: the synthetic world's programs (sector, PPKS, target group,
//! aid type, period, budget, funding, planned beneficiaries per desa) stored as programs of
//! their partners, so the 4W matrix, overlaps and gaps have something real-looking to show.

use std::collections::HashMap;

use anyhow::Context;
use sinergi_core::RegionCode;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    SexTarget, TargetGroup,
};
use sinergi_store::Store;
use sinergi_synth::World;
use sinergi_synth::institutions::{Program, Target};

/// Stores the programs as the system (an admin-like principal over the province).
pub async fn load(
    store: &Store,
    world: &World,
    programs: &[Program],
    partners: &HashMap<String, i64>,
) -> anyhow::Result<usize> {
    let today = sinergi_synth::reference_date();
    let mut inputs = Vec::with_capacity(programs.len());
    for p in programs {
        let (age_min, age_max, sex) = match p.target {
            Target::Children => (6, 18, SexTarget::Semua),
            Target::Elderly => (60, 120, SexTarget::Semua),
            Target::Women => (18, 59, SexTarget::Perempuan),
            Target::Family | Target::Disability => (0, 120, SexTarget::Semua),
        };
        let locations: Vec<ProgramLocation> = p
            .locations
            .iter()
            .map(|&(d, planned)| {
                Ok(ProgramLocation {
                    region: RegionCode::parse(&world.desa[d].code)?,
                    planned: u64::from(planned),
                    // Reached in proportion to the time elapsed.
                    reached: 0,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let elapsed = ((today - p.start).num_days() as f64
            / ((p.end - p.start).num_days().max(1)) as f64)
            .clamp(0.0, 1.0);
        let locations: Vec<ProgramLocation> = locations
            .into_iter()
            .map(|l| ProgramLocation {
                reached: (l.planned as f64 * elapsed).round() as u64,
                ..l
            })
            .collect();
        let reached_total: u64 = locations.iter().map(|l| l.reached).sum();
        let female = if sex == SexTarget::Perempuan {
            reached_total
        } else {
            reached_total / 2
        };
        inputs.push(ProgramInput {
            organisation_id: *partners.get(&p.partner).context("program tanpa mitra")?,
            code: p.id.clone(),
            name: p.name.clone(),
            sector: Sector::lookup(p.sector).unwrap_or(Sector::Lainnya),
            ppks: vec![p.ppks],
            aid_type: AidType::lookup(p.aid).unwrap_or(AidType::Barang),
            funding: FundingSource::lookup(p.funding).unwrap_or(FundingSource::Lainnya),
            budget_rp: p.budget_rp,
            start: p.start,
            end: p.end,
            status: if today < p.start {
                ProgramStatus::Rencana
            } else if today > p.end {
                ProgramStatus::Selesai
            } else {
                ProgramStatus::Berjalan
            },
            target: TargetGroup {
                desil_from: p.desil.0,
                desil_to: p.desil.1,
                age_min,
                age_max,
                sex,
                disability_only: p.target == Target::Disability,
            },
            planned: p.planned(),
            reached: Reached {
                total: reached_total,
                male: reached_total - female,
                female,
                children: if p.target == Target::Children {
                    reached_total
                } else {
                    0
                },
                disability: if p.target == Target::Disability {
                    reached_total
                } else {
                    0
                },
            },
            locations,
        });
    }
    store.as_system("demo").save_programs(&inputs).await?;
    Ok(inputs.len())
}
