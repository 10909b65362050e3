//! `/`: the visitor's region overview, or the signed-in user's own home (what waits for them,
//! how their strategy and programs are doing), assembled by `activity::home`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

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
        let home = sinergi_activity::home::home(&state.store, ui.viewer(), today()).await?;
        let (headline, period_label, area_label) = match &home.strategy {
            Some(s) => {
                let names = sinergi_activity::strategy::region_names(
                    &state.store,
                    std::iter::once(&s.region),
                )
                .await?;
                let area = names
                    .get(&s.region.to_string())
                    .cloned()
                    .unwrap_or_else(|| ui.t.get("home.national").to_string());
                (
                    s.headline.iter().map(|h| row(ui.t, &s.bands, h)).collect(),
                    ui.t.period(&s.period),
                    area,
                )
            }
            None => (Vec::new(), String::new(), String::new()),
        };
        Ok(UserHome {
            t: ui.t,
            ui: ui.clone(),
            home,
            headline,
            period_label,
            area_label,
        })
    }
    .await;
    render(&ui, result)
}

fn row(t: Messages, bands: &sinergi_core::strategy::RatingBands, h: &Headline) -> HeadlineRow {
    HeadlineRow {
        code: h.status.code.clone(),
        name: h.status.name.clone(),
        shown: Shown::of(t, bands, &h.status),
        trend: h.trend(),
    }
}
