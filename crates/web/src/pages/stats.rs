//! Published aggregates for everyone, without login: counts per region with small counts
//! suppressed, so no one can be singled out.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sinergi_core::{Disclosed, Level, RegionCode};

use super::render;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

pub struct StatRow {
    pub code: String,
    pub name: String,
    pub count: Disclosed,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    ui: Ui,
    t: Messages,
    region_name: Option<String>,
    rows: Vec<StatRow>,
    threshold: u64,
    drill: bool,
}

async fn stats_for(
    state: &AppState,
    ui: &Ui,
    within: Option<RegionCode>,
) -> Result<StatsPage, AppError> {
    let level = match &within {
        None => Level::Provinsi,
        Some(r) => r
            .level()
            .child()
            .ok_or_else(|| AppError::not_found("error.not_found"))?,
    };
    let region_name = match &within {
        Some(r) => Some(
            state
                .store
                .region(r)
                .await?
                .ok_or_else(|| AppError::not_found("error.region_not_found"))?
                .name,
        ),
        None => None,
    };
    // Published counts: as the public sees them (suppressed by the store), whoever asks.
    let counts = state
        .store
        .scoped(sinergi_core::Viewer::public())
        .person_counts(level, within.as_ref())
        .await?;
    let codes: Vec<RegionCode> = counts
        .iter()
        .filter_map(|(c, _)| RegionCode::parse(c).ok())
        .collect();
    let names = state.store.region_names(&codes).await?;
    let threshold = state.store.disclosure_threshold();
    Ok(StatsPage {
        t: ui.t,
        ui: ui.clone(),
        region_name,
        rows: counts
            .into_iter()
            .map(|(code, n)| StatRow {
                name: names.get(code.as_str()).cloned().unwrap_or_default(),
                code,
                count: n,
            })
            .collect(),
        threshold,
        drill: level < Level::Desa,
    })
}

pub async fn index(State(state): State<AppState>, ui: Ui) -> Response {
    let page = stats_for(&state, &ui, None).await;
    render(&ui, page)
}

pub async fn region(State(state): State<AppState>, ui: Ui, Path(code): Path<String>) -> Response {
    let result = async {
        let code = RegionCode::parse(&code).map_err(|e| {
            AppError::bad_request("error.bad_code", crate::error::bad_code(&code, &e))
        })?;
        stats_for(&state, &ui, Some(code)).await
    }
    .await;
    render(&ui, result)
}
