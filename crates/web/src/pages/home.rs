//! `/`: the visitor's region overview, or the signed-in user's own home (what waits for them,
//! how their strategy and programs are doing), assembled by `activity::home`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use sinergi_core::{Principal, Viewer};
use sinergi_store::{PublicVersion, Store};

use sinergi_activity::home::{Headline, Home, HomeKind, PublicHome};

use super::institutions::today;
use super::render;
use super::strategy::indicator::Shown;
use crate::i18n::Messages;
use crate::{AppState, Ui};

#[derive(Template)]
#[template(path = "home.html")]
struct PublicPage {
    ui: Ui,
    t: Messages,
    home: PublicHome,
}

/// A headline row as shown: the rating, the figures and the trend word.
struct HeadlineRow {
    code: String,
    name: String,
    shown: Shown,
    trend: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "home_user.html")]
struct UserHome {
    ui: Ui,
    t: Messages,
    home: Home,
    headline: Vec<HeadlineRow>,
    period_label: String,
    area_label: String,
}

impl UserHome {
    fn is_partner(&self) -> bool {
        self.home.kind == HomeKind::Partner
    }

    fn is_lks(&self) -> bool {
        self.home.kind == HomeKind::Lks
    }

    fn report_period(&self, period: &str) -> String {
        self.t.period_text(period)
    }
}

pub async fn home(State(state): State<AppState>, ui: Ui) -> Response {
    if ui.user.is_some() {
        return user_home(state, ui).await;
    }
    let result = async {
        let home = sinergi_activity::home::public_home(&state.store, ui.viewer()).await?;
        Ok(PublicPage {
            t: ui.t,
            ui: ui.clone(),
            home,
        })
    }
    .await;
    render(&ui, result)
}

async fn user_home(state: AppState, ui: Ui) -> Response {
    let result = async {
        let kept = state
            .homes
            .gather(&state.store, ui.viewer(), today())
            .await?;
        let (headline, period_label, area_label) = match &kept.home.strategy {
            Some(s) => (
                s.headline.iter().map(|h| row(ui.t, &s.bands, h)).collect(),
                ui.t.period(&s.period),
                kept.area_name
                    .clone()
                    .unwrap_or_else(|| ui.t.get("home.national").to_string()),
            ),
            None => (Vec::new(), String::new(), String::new()),
        };
        Ok(UserHome {
            t: ui.t,
            ui: ui.clone(),
            home: kept.home.clone(),
            headline,
            period_label,
            area_label,
        })
    }
    .await;
    render(&ui, result)
}

/// What a signed-in home shows, gathered for one viewer on one day.
pub struct Gathered {
    home: Home,
    /// The name of the strategy's area; `None` for the national level.
    area_name: Option<String>,
}

/// A home is kept at most this long even when no audited write moved the data version
/// (uploads refused by a background job, for one, finish without an audit entry).
const HOME_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(15);
/// Homes kept at most; past this the map starts again.
const MAX_HOMES: usize = 1_000;
const GATHER_STRIPES: usize = 16;

/// Signed-in homes kept per user while the data behind them is unchanged: a home reads a
/// dozen scoped queries (strategy, registries, forums, review queues, uploads), and its
/// figures move only with writes, which are audited (the store's [`PublicVersion`]) or
/// change person rows. Each home is kept for exactly the principal it was gathered for
/// (user, role and scope), on its day, so no viewer is ever shown another scope's counts.
/// What is kept is the data, not the HTML: the page carries the session's own form token.
///
/// [`PublicVersion`]: sinergi_store::PublicVersion
#[derive(Clone, Default)]
pub struct KeptHomes {
    homes: Arc<Mutex<HashMap<i64, KeptHome>>>,
    gathering: Arc<[tokio::sync::Mutex<()>; GATHER_STRIPES]>,
}

struct KeptHome {
    principal: Principal,
    today: NaiveDate,
    version: PublicVersion,
    at: Instant,
    gathered: Arc<Gathered>,
}

impl KeptHomes {
    /// The home of `viewer` on `today`: the kept one while it is current, otherwise gathered
    /// (once, however many requests of the same user arrive together) and kept.
    pub async fn gather(
        &self,
        store: &Store,
        viewer: &Viewer,
        today: NaiveDate,
    ) -> Result<Arc<Gathered>, crate::AppError> {
        let principal = viewer
            .principal()
            .ok_or_else(|| crate::AppError::from(sinergi_activity::ActivityError::Forbidden))?;
        let version = store.public_version().await?;
        if let Some(g) = self.get(principal, today, version) {
            return Ok(g);
        }
        let _gathering = self.gathering[principal.user_id as usize % GATHER_STRIPES]
            .lock()
            .await;
        if let Some(g) = self.get(principal, today, version) {
            return Ok(g);
        }
        let home = sinergi_activity::home::home(store, viewer, today).await?;
        let area_name = match &home.strategy {
            Some(s) => sinergi_activity::strategy::region_names(store, std::iter::once(&s.region))
                .await?
                .get(&s.region.to_string())
                .cloned(),
            None => None,
        };
        let gathered = Arc::new(Gathered { home, area_name });
        let mut homes = self.homes.lock().unwrap_or_else(|e| e.into_inner());
        if homes.len() >= MAX_HOMES && !homes.contains_key(&principal.user_id) {
            homes.clear();
        }
        homes.insert(
            principal.user_id,
            KeptHome {
                principal: principal.clone(),
                today,
                version,
                at: Instant::now(),
                gathered: gathered.clone(),
            },
        );
        Ok(gathered)
    }

    fn get(
        &self,
        principal: &Principal,
        today: NaiveDate,
        version: PublicVersion,
    ) -> Option<Arc<Gathered>> {
        let homes = self.homes.lock().unwrap_or_else(|e| e.into_inner());
        homes
            .get(&principal.user_id)
            .filter(|k| {
                k.principal == *principal
                    && k.today == today
                    && k.version == version
                    && k.at.elapsed() < HOME_MAX_AGE
            })
            .map(|k| k.gathered.clone())
    }
}

fn row(t: Messages, bands: &sinergi_core::strategy::RatingBands, h: &Headline) -> HeadlineRow {
    HeadlineRow {
        code: h.status.code.clone(),
        name: h.status.name.clone(),
        shown: Shown::of(t, bands, &h.status),
        trend: h.trend(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_store::{PersonCursor, PersonFilter};
    use sinergi_testkit::world::build;

    #[tokio::test]
    async fn a_home_is_kept_per_principal_until_the_data_moves() {
        for db in sinergi_testkit::TestDb::all().await {
            let label = db.label;
            let w = build(&db).await;
            let homes = KeptHomes::default();
            let day = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
            let op = Viewer::User(w.principal("op5203").await);
            let admin = Viewer::User(w.principal("admin52").await);
            let first = homes.gather(&w.store, &op, day).await.unwrap();
            let again = homes.gather(&w.store, &op, day).await.unwrap();
            assert!(
                Arc::ptr_eq(&first, &again),
                "{label}: kept for the same viewer"
            );
            let other = homes.gather(&w.store, &admin, day).await.unwrap();
            assert!(
                !Arc::ptr_eq(&first, &other),
                "{label}: another user gathers its own"
            );
            // The same account with another scope (an admin changed it) is not served the
            // home kept for the old scope.
            let mut moved = w.principal("op5203").await;
            moved.scope.regions = vec![sinergi_testkit::world::code("52.02")];
            let moved = Viewer::User(moved);
            let for_moved = homes.gather(&w.store, &moved, day).await.unwrap();
            assert!(!Arc::ptr_eq(&first, &for_moved), "{label}: scope changed");
            // Another day is gathered again.
            let next_day = day.succ_opt().unwrap();
            let tomorrow = homes.gather(&w.store, &op, next_day).await.unwrap();
            assert!(!Arc::ptr_eq(&first, &tomorrow), "{label}: another day");
            // Any audited write moves the data version (here the by-name list view's entry).
            let kept = homes.gather(&w.store, &op, next_day).await.unwrap();
            assert!(
                Arc::ptr_eq(&tomorrow, &kept),
                "{label}: kept on the new day"
            );
            w.store
                .scoped(&op)
                .person_page(&PersonFilter::default(), &PersonCursor::First, 3)
                .await
                .unwrap();
            let after = homes.gather(&w.store, &op, next_day).await.unwrap();
            assert!(
                !Arc::ptr_eq(&kept, &after),
                "{label}: gathered after a write"
            );
        }
    }
}
