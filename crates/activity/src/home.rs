//! The home page after sign-in: "what needs me now" and "how are we doing", assembled for the
//! viewer's role from the same scoped reads the task pages use (so every count matches the
//! page its link opens). The store applies the row filter; nothing here re-checks a role.

use chrono::NaiveDate;
use sinergi_core::access::Role;
use sinergi_core::institution::ReportPeriod;
use sinergi_core::program::ProgramFilter;
use sinergi_core::strategy::{StrategyArea, StrategyTree};
use sinergi_core::{Msg, Period, Viewer};
use sinergi_insight::status::{Status, red_first, statuses};
use sinergi_store::{LevelCounts, LksReport, Page, RegionVersion, ReportFilter, Store};

use crate::ActivityError;

/// Headline indicators shown on a home page (the dashboard has the rest).
pub const HEADLINE_SHOWN: usize = 6;
/// A partner's programs shown by name (the program list has the rest).
pub const PROGRAMS_SHOWN: usize = 8;
/// An LKS operator's latest monthly reports shown.
pub const REPORTS_SHOWN: u32 = 6;

/// Which home a viewer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeKind {
    /// Province admin, board and kab/kota operator: their region's strategy and registries.
    Region,
    /// A partner: its programs, their reach and overlaps.
    Partner,
    /// An LKS operator: its reports and accreditation.
    Lks,
}

impl HomeKind {
    pub fn of(role: Role) -> HomeKind {
        match role {
            Role::AdminProvinsi | Role::Pimpinan | Role::OperatorKabKota => HomeKind::Region,
            Role::Mitra => HomeKind::Partner,
            Role::OperatorLks => HomeKind::Lks,
        }
    }
}

/// One thing that waits for the viewer: how many, what, and where it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Todo {
    pub count: u64,
    /// What the count is, a catalogue message with the count as `n`.
    pub what: Msg,
    pub href: String,
}

/// A headline indicator with its rating now and the quarter before.
#[derive(Debug, Clone)]
pub struct Headline {
    pub status: Status,
    pub previous_achievement: Option<f64>,
}

impl Headline {
    /// `up`, `down` or `flat` against the quarter before; `None` without both achievements.
    pub fn trend(&self) -> Option<&'static str> {
        let (now, before) = (self.status.achievement?, self.previous_achievement?);
        Some(if (now - before).abs() < 0.5 {
            "flat"
        } else if now > before {
            "up"
        } else {
            "down"
        })
    }
}

/// The strategy part of a region home.
#[derive(Debug, Clone)]
pub struct StrategyView {
    pub strategy_id: i64,
    pub title: String,
    pub period: Period,
    pub region: StrategyArea,
    pub bands: sinergi_core::strategy::RatingBands,
    /// Worst first, at most [`HEADLINE_SHOWN`].
    pub headline: Vec<Headline>,
    pub indicators: usize,
}

/// A program with its reach against plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramReach {
    pub id: i64,
    pub name: String,
    pub planned: u64,
    pub reached: u64,
}

impl ProgramReach {
    /// Reached as a whole percentage of planned; `None` without a plan.
    pub fn percent(&self) -> Option<u64> {
        (self.planned > 0).then(|| (self.reached * 100 + self.planned / 2) / self.planned)
    }
}

/// Everything one home page shows.
#[derive(Debug, Clone)]
pub struct Home {
    pub kind: HomeKind,
    /// What needs the viewer now; items with nothing waiting are left out.
    pub todo: Vec<Todo>,
    pub strategy: Option<StrategyView>,
    pub programs: Vec<ProgramReach>,
    pub program_total: usize,
    pub planned: u64,
    pub reached: u64,
    pub reports: Vec<LksReport>,
}

impl Home {
    /// Lists a waiting item; nothing waiting is not listed.
    fn push(&mut self, count: usize, key: &'static str, href: &str) {
        if count > 0 {
            self.todo.push(Todo {
                count: count as u64,
                what: Msg::new(key),
                href: href.to_string(),
            });
        }
    }
}

/// What a visitor without an account sees first: the region register's size and source, and
/// the regions whose profile (figures and published strategy) can be opened.
#[derive(Debug, Clone)]
pub struct PublicHome {
    pub counts: LevelCounts,
    pub version: Option<RegionVersion>,
    /// Code and name of each region with a strategy, for the "at a glance" links.
    pub profiles: Vec<(String, String)>,
}

pub async fn public_home(store: &Store, viewer: &Viewer) -> Result<PublicHome, ActivityError> {
    let counts = store.region_counts_below(None).await?;
    let version = store.region_versions().await?.into_iter().next();
    let strategies = store.scoped(viewer).strategies().await?;
    let mut codes: Vec<sinergi_core::RegionCode> = strategies
        .iter()
        .filter_map(|s| s.region.region().cloned())
        .collect();
    codes.sort();
    codes.dedup();
    let names = store.region_names(&codes).await?;
    let profiles = codes
        .iter()
        .map(|c| {
            let name = names.get(c.as_str()).cloned().unwrap_or_default();
            (c.to_string(), name)
        })
        .collect();
    Ok(PublicHome {
        counts,
        version,
        profiles,
    })
}

/// Assembles the home of a signed-in `viewer` on `today`; `Forbidden` for the public (its
/// home is the region overview).
pub async fn home(store: &Store, viewer: &Viewer, today: NaiveDate) -> Result<Home, ActivityError> {
    let principal = viewer.principal().ok_or(ActivityError::Forbidden)?;
    let kind = HomeKind::of(principal.role);
    let scoped = store.scoped(viewer);
    let mut home = Home {
        kind,
        todo: Vec::new(),
        strategy: None,
        programs: Vec::new(),
        program_total: 0,
        planned: 0,
        reached: 0,
        reports: Vec::new(),
    };
    if kind == HomeKind::Region {
        let strategy = strategy_view(store, viewer, principal.scope.regions.first()).await?;
        if let Some((view, missing)) = strategy {
            let href = format!("/strategi/{}/data", view.strategy_id);
            home.push(missing, "home.todo.realisation_missing", &href);
            home.strategy = Some(view);
        }
    }
    if kind != HomeKind::Partner {
        let expiring = scoped.lks_expiries(today, false).await?.len();
        home.push(expiring, "home.todo.lks_expiring", "/lks/kedaluwarsa");
        let overdue_period = ReportPeriod::latest_overdue(today);
        let overdue = scoped
            .overdue_lks_reports(overdue_period, None)
            .await?
            .len();
        home.push(overdue, "home.todo.reports_overdue", "/lks/laporan");
    }
    if kind == HomeKind::Region {
        let mut not_formed = 0;
        let mut target_href = "/lkks/target".to_string();
        if let Some(target) = scoped.formation_targets().await?.first() {
            target_href = format!("/lkks/target?id={}", target.id);
            if let Some(progress) = scoped.formation_progress(target.id).await? {
                // A kab/kota operator counts its own kab/kota, not the province's.
                let own = &principal.scope.regions;
                not_formed = progress
                    .missing()
                    .filter(|e| {
                        own.is_empty()
                            || own.iter().any(|r| r == &e.region || r.contains(&e.region))
                    })
                    .count();
            }
        }
        home.push(not_formed, "home.todo.lkks_not_formed", &target_href);
    }
    // Overdue follow-up actions: the LKKS's (its region's forums) and an owner's own.
    let overdue_actions = crate::forums::overdue_count(store, viewer, today).await?;
    home.push(
        overdue_actions as usize,
        "home.todo.actions_overdue",
        "/forum/tindak-lanjut?terlambat=1",
    );
    // Meeting invitations an organisation's account has not answered yet.
    let unanswered = scoped
        .own_invitations()
        .await?
        .iter()
        .filter(|i| i.rsvp == sinergi_core::forum::Rsvp::Belum)
        .count();
    home.push(
        unanswered,
        "home.todo.invitations_unanswered",
        "/forum/undangan",
    );
    let queues = scoped.review_queues().await?;
    let pending: i64 = queues
        .iter()
        .map(|q| (q.pair_count - q.decided).max(0))
        .sum();
    home.push(pending as usize, "home.todo.review_pending", "/tautan");

    // Uploads whose rows (or whole file) were not stored: the viewer's own, an admin's all.
    let rejected_uploads = crate::lists::recent_uploads(store, viewer, today, true)
        .await?
        .len();
    home.push(
        rejected_uploads,
        "home.todo.uploads_rejected",
        "/tugas?ditolak=1",
    );

    if kind == HomeKind::Partner {
        let programs = scoped.programs_all(&ProgramFilter::default()).await?;
        home.program_total = programs.len();
        home.planned = programs.iter().map(|p| p.input.planned).sum();
        home.reached = programs.iter().map(|p| p.input.reached.total).sum();
        let behind = programs
            .iter()
            .filter(|p| p.input.planned > 0 && p.input.reached.total * 2 < p.input.planned)
            .count();
        home.programs = programs
            .iter()
            .take(PROGRAMS_SHOWN)
            .map(|p| ProgramReach {
                id: p.id,
                name: p.input.name.clone(),
                planned: p.input.planned,
                reached: p.input.reached.total,
            })
            .collect();
        let analysis =
            crate::programs::analyse_fourw(store, viewer, &ProgramFilter::default()).await?;
        let overlaps = analysis.analysis.overlaps.len();
        home.push(behind, "home.todo.programs_behind", "/program");
        home.push(overlaps, "home.todo.overlaps", "/4w/analisis");
    }
    if kind == HomeKind::Lks {
        home.reports = scoped
            .lks_reports(
                &ReportFilter::default(),
                Page::new(None, None, REPORTS_SHOWN),
            )
            .await?
            .items;
    }
    Ok(home)
}

/// The viewer's strategy at its region, with the indicators still missing a value this
/// quarter. The strategy of the viewer's own region comes first, else the first it sees.
async fn strategy_view(
    store: &Store,
    viewer: &Viewer,
    region: Option<&sinergi_core::RegionCode>,
) -> Result<Option<(StrategyView, usize)>, ActivityError> {
    let scoped = store.scoped(viewer);
    let strategies = scoped.strategies().await?;
    let own = |s: &&sinergi_core::strategy::Strategy| {
        region.is_some_and(|r| s.region.region() == Some(r))
    };
    let covering = |s: &&sinergi_core::strategy::Strategy| {
        region.is_some_and(|r| s.region.region().is_some_and(|top| top.contains(r)))
    };
    let Some(strategy) = strategies
        .iter()
        .find(own)
        .or_else(|| strategies.iter().find(covering))
        .or_else(|| strategies.first())
    else {
        return Ok(None);
    };
    let Some(tree) = scoped.strategy_tree(strategy.id, None).await? else {
        return Ok(None);
    };
    let values = scoped.realisations(&tree.strategy, None, None).await?;
    let period = crate::strategy::chosen_period(None, &values);
    // A kab/kota operator under a province strategy sees its own kab/kota's figures.
    let area = match region {
        Some(r) if tree.strategy.region.region() != Some(r) && covering(&&tree.strategy) => {
            StrategyArea::Region(r.clone())
        }
        _ => tree.strategy.region.clone(),
    };
    let bands = scoped.rating_bands().await?;
    let now = statuses(&tree, &values, period, &bands, std::slice::from_ref(&area));
    let before = match period.prev() {
        Some(p) => statuses(&tree, &values, p, &bands, std::slice::from_ref(&area)),
        None => Vec::new(),
    };
    let missing = missing_this_quarter(&tree, &now);
    let mut sorted: Vec<&Status> = now.iter().collect();
    red_first(&mut sorted);
    let headline = sorted
        .into_iter()
        .take(HEADLINE_SHOWN)
        .map(|s| Headline {
            previous_achievement: before
                .iter()
                .find(|b| b.code == s.code)
                .and_then(|b| b.achievement),
            status: s.clone(),
        })
        .collect();
    Ok(Some((
        StrategyView {
            strategy_id: tree.strategy.id,
            title: tree.strategy.title.clone(),
            period,
            region: area,
            bands,
            headline,
            indicators: now.len(),
        },
        missing,
    )))
}

/// Indicators of the tree without a value in the period at the area.
fn missing_this_quarter(tree: &StrategyTree, now: &[Status]) -> usize {
    tree.indicators()
        .filter(|i| {
            !now.iter()
                .any(|s| s.code == i.fields.code && s.actual.is_some())
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_is_a_rounded_share_of_plan_and_none_without_one() {
        let p = |planned, reached| ProgramReach {
            id: 1,
            name: String::new(),
            planned,
            reached,
        };
        assert_eq!(p(200, 101).percent(), Some(51));
        assert_eq!(p(3, 2).percent(), Some(67));
        assert_eq!(p(0, 5).percent(), None);
    }

    #[test]
    fn each_role_gets_its_home() {
        assert_eq!(HomeKind::of(Role::Pimpinan), HomeKind::Region);
        assert_eq!(HomeKind::of(Role::OperatorKabKota), HomeKind::Region);
        assert_eq!(HomeKind::of(Role::Mitra), HomeKind::Partner);
        assert_eq!(HomeKind::of(Role::OperatorLks), HomeKind::Lks);
    }
}
