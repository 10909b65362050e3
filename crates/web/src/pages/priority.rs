//! `/prioritas`: the Indeks Prioritas (issue 22) — the ranked regions with each indicator's
//! contribution, the sensitivity range, a choropleth, a region's "why is it ranked here", an
//! XLSX download, and publishing the ranking. The use case computes; this only renders.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_activity::priority::{self, PriorityView};
use sinergi_core::{Level, RegionCode};

use super::{optional_region, render};
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::map::{Map, MapItem, SEQUENTIAL, class_of, legend_for_breaks, quantile_breaks};
use crate::{AppError, AppState, Ui};

/// Rows shown on the page; the download has all.
const SHOWN: usize = 200;

#[derive(Deserialize, Default)]
pub struct PriorityQuery {
    tingkat: Option<String>,
    wilayah: Option<String>,
    /// `1`: compute a draft now instead of reading the published ranking.
    draf: Option<String>,
}

fn level_of(key: Option<&str>) -> Result<Level, AppError> {
    match key.unwrap_or("kabkota") {
        "kabkota" => Ok(Level::KabKota),
        "kecamatan" => Ok(Level::Kecamatan),
        "desa" => Ok(Level::Desa),
        other => Err(AppError::bad_request(
            "error.invalid",
            sinergi_core::Msg::new("priority.level_unknown").arg("level", other),
        )),
    }
}

pub struct IndicatorHead {
    /// The indicator in words where the catalogue names it, else its key.
    pub name: String,
    pub dimension: String,
    pub weight: f64,
    pub period: String,
}

#[derive(Template)]
#[template(path = "priority.html")]
struct PriorityPage {
    ui: Ui,
    t: Messages,
    view: PriorityView,
    indicators: Vec<IndicatorHead>,
    level: String,
    within: String,
    shown: usize,
    map: Option<String>,
    may_publish: bool,
    published: Option<priority::Publication>,
}

fn heads(t: &Messages, view: &PriorityView) -> Vec<IndicatorHead> {
    view.definition
        .method
        .indicators
        .iter()
        .zip(&view.periods)
        .map(|(i, (_, p))| IndicatorHead {
            name: {
                let key = format!("figure.{}", i.key);
                let name = t.get(&key);
                if name == key {
                    i.key.clone()
                } else {
                    name.to_string()
                }
            },
            dimension: i.dimension.clone(),
            weight: i.weight,
            period: p
                .as_deref()
                .map_or_else(|| "–".into(), |p| t.period_text(p)),
        })
        .collect()
}

async fn choropleth(
    state: &AppState,
    t: &Messages,
    view: &PriorityView,
) -> Result<Option<String>, AppError> {
    let areas = crate::map::areas(&state.store, view.within.as_ref(), view.level).await?;
    let scores: Vec<f64> = view.rows.iter().filter_map(|r| r.score).collect();
    let breaks = quantile_breaks(&scores, 5);
    let items: Vec<MapItem> = view
        .rows
        .iter()
        .filter_map(|r| {
            let geometry = crate::map::geometry(&areas, r.code.as_str(), None, None)?;
            Some(MapItem {
                code: r.code.to_string(),
                label: r.name.clone(),
                geometry,
                class: r.score.map(|s| class_of(s, &breaks)),
                size: None,
                detail: format!(
                    "#{} · {}",
                    r.rank,
                    r.score.map_or("–".into(), |s| t.decimal(&s))
                ),
                href: Some(format!(
                    "/prioritas/wilayah/{}?tingkat={}",
                    r.code,
                    view.level.key()
                )),
            })
        })
        .collect();
    if items.len() < 2 {
        return Ok(None);
    }
    Ok(Some(
        Map {
            title: t.get("priority.map").to_string(),
            items,
            background: Vec::new(),
            classes: legend_for_breaks(&breaks, &SEQUENTIAL, |v| t.decimal(&v)),
            no_data_label: t.get("priority.no_score").to_string(),
        }
        .render(),
    ))
}

/// The published ranking unless a draft is asked for (or nothing is published yet).
async fn shown(
    state: &AppState,
    ui: &Ui,
    q: &PriorityQuery,
) -> Result<(PriorityView, Option<priority::Publication>), AppError> {
    if q.draf.as_deref() != Some("1") {
        let level = level_of(q.tingkat.as_deref())?;
        let within = match optional_region(q.wilayah.as_deref())? {
            Some(w) => Some(w),
            None => priority::default_within(ui.viewer()),
        };
        if let Some((view, p)) =
            priority::published(&state.store, ui.viewer(), level, within).await?
        {
            return Ok((view, Some(p)));
        }
    }
    Ok((compute(state, ui, q).await?, None))
}

async fn compute(state: &AppState, ui: &Ui, q: &PriorityQuery) -> Result<PriorityView, AppError> {
    let level = level_of(q.tingkat.as_deref())?;
    let within = match optional_region(q.wilayah.as_deref())? {
        Some(w) => Some(w),
        None => priority::default_within(ui.viewer()),
    };
    Ok(priority::rank(&state.store, ui.viewer(), level, within).await?)
}

pub async fn index(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Query(q): Query<PriorityQuery>,
) -> Response {
    let result = async {
        let (view, published) = shown(&state, &ui, &q).await?;
        let map = choropleth(&state, &ui.t, &view).await?;
        let may_publish = view.method.is_some()
            && view.within.as_ref().map_or_else(
                || sinergi_core::priority::may_define_method(ui.viewer()),
                |w| sinergi_core::priority::may_publish(ui.viewer(), w),
            );
        Ok(PriorityPage {
            t: ui.t,
            ui: ui.clone(),
            indicators: heads(&ui.t, &view),
            level: view.level.key().to_string(),
            within: view
                .within
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
            shown: SHOWN,
            map,
            may_publish,
            published,
            view,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "priority_region.html")]
struct RegionPage {
    ui: Ui,
    t: Messages,
    view: PriorityView,
    indicators: Vec<IndicatorHead>,
    row: usize,
    of: usize,
    level: String,
    within: String,
}

/// "Why is it ranked here": the region's raw figures, normalised scores and contributions.
pub async fn region(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Path(code): Path<String>,
    Query(q): Query<PriorityQuery>,
) -> Response {
    let result = async {
        let code = RegionCode::parse(&code).map_err(|e| {
            AppError::bad_request("error.bad_code", crate::error::bad_code(&code, &e))
        })?;
        let view = compute(&state, &ui, &q).await?;
        let row = view
            .rows
            .iter()
            .position(|r| r.code == code)
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        Ok(RegionPage {
            t: ui.t,
            ui: ui.clone(),
            indicators: heads(&ui.t, &view),
            row,
            of: view.rows.len(),
            level: view.level.key().to_string(),
            within: view
                .within
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
            view,
        })
    }
    .await;
    render(&ui, result)
}

/// The whole ranking as XLSX, with the method version and periods in the notes sheet.
pub async fn download(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Query(q): Query<PriorityQuery>,
) -> Response {
    let result = async {
        let (view, published) = shown(&state, &ui, &q).await?;
        let t = &ui.t;
        let mut headers: Vec<String> = [
            "peringkat",
            "kode",
            "nama",
            "skor",
            "peringkat_median",
            "peringkat_p5",
            "peringkat_p95",
            "tidak_stabil",
        ]
        .map(String::from)
        .to_vec();
        for i in &view.definition.method.indicators {
            headers.push(format!("kontribusi_{}", i.key));
        }
        let number = |v: f64| format!("{v:.4}");
        let rows = view
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    r.rank.to_string(),
                    r.code.to_string(),
                    r.name.clone(),
                    r.score.map(number).unwrap_or_default(),
                    r.range.map(|x| x.median.to_string()).unwrap_or_default(),
                    r.range.map(|x| x.p5.to_string()).unwrap_or_default(),
                    r.range.map(|x| x.p95.to_string()).unwrap_or_default(),
                    r.range
                        .map(|x| if x.unstable { "ya" } else { "tidak" }.to_string())
                        .unwrap_or_default(),
                ];
                cells.extend(r.contributions.iter().map(|c| number(*c)));
                cells
            })
            .collect();
        let method = match &view.method {
            Some(m) => format!("{} v{} ({})", m.name, m.version, m.created_at),
            None => t.get("priority.method_default").to_string(),
        };
        let mut notes = vec![(t.get("priority.method").to_string(), method)];
        notes.push(match &published {
            Some(p) => (
                t.get("priority.published").to_string(),
                format!("{} ({})", p.published_at, p.published_by),
            ),
            None => (
                t.get("priority.draft").to_string(),
                t.get("priority.draft_help").to_string(),
            ),
        });
        for (key, period) in &view.periods {
            notes.push((key.clone(), period.clone().unwrap_or_else(|| "–".into())));
        }
        let table = Table {
            name: "prioritas".into(),
            headers,
            rows,
            notes,
        };
        table_download(
            TableFormat::Xlsx,
            &format!("indeks-prioritas-{}", view.level.key()),
            table,
        )
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    tingkat: Option<String>,
    wilayah: Option<String>,
}

pub async fn publish(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(form): Form<PublishForm>,
) -> Response {
    let result = async {
        let level = level_of(form.tingkat.as_deref())?;
        let within = optional_region(form.wilayah.as_deref())?;
        priority::publish(&state.store, &user.viewer, level, within.clone()).await?;
        Ok::<_, AppError>(format!(
            "/prioritas?tingkat={}&wilayah={}&terbit=1",
            level.key(),
            within.map(|w| w.to_string()).unwrap_or_default()
        ))
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => e.page(&ui),
    }
}
