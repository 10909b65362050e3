//! Published figures for administrators: `/agregat` uploads a file of figures per region,
//! for Indonesia as a whole (`ID`) or by group, through the `sinergi agregat impor` use case
//! (the outcome and its rejected rows land on the uploads page); `/agregat/kelompok` is the
//! entry grid of a cross-table (sex × age band × disability) for one region, element and
//! period. [`group_shown`] turns a cross-table into what the profile and the dashboard show.

use askama::Template;
use axum::extract::{Form, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use sinergi_activity::aggregates::{
    self, AggregateOutcome, GroupEntry, GroupEntryOutcome, GroupTable,
};
use sinergi_core::groups::{GROUP_ELEMENTS, Group, grid_groups};
use sinergi_core::strategy::{disaggregation_values, group_label_key};
use sinergi_core::{Disclosed, Msg, Period, RegionCode};

use crate::auth::Signed;
use crate::i18n::Messages;
use crate::picker::RegionPicker;
use crate::{AppError, AppState, Ui};

/// (group, count, bar) of one dimension's group.
pub type GroupLine = (String, String, String);

/// A cross-table as a page shows it.
pub struct GroupShown {
    pub title: String,
    /// Period, source, kind, and over how many regions it is summed.
    pub note: String,
    /// Age band headings.
    pub ages: Vec<String>,
    /// Sex · disability, then one cell per age band.
    pub rows: Vec<(String, Vec<String>)>,
    /// Per dimension: its name, (group, count, bar), and the gap between groups.
    pub margins: Vec<(String, Vec<GroupLine>, String)>,
    pub total: String,
}

fn shown(t: &Messages, d: &Disclosed) -> String {
    match d {
        Disclosed::Count(n) => t.num(n),
        Disclosed::Suppressed => t.get("profil.suppressed").to_string(),
    }
}

/// The cross-table in the user's language, with a small bar per group.
pub fn group_shown(t: &Messages, g: &GroupTable) -> GroupShown {
    let synthetic = {
        let s = g.source.to_lowercase();
        s.contains("sintetis") || s.contains("synthetic")
    };
    let kind = if synthetic {
        "profil.synthetic"
    } else if g.survey {
        "profil.survey"
    } else {
        "profil.administrative"
    };
    let mut note = format!(
        "{}; {}; {}",
        t.period_text(&g.period),
        g.source,
        t.get(kind)
    );
    if g.regions > 1 {
        note.push_str(&format!(
            "; {}",
            t.render(&Msg::new("groups.summed").arg("n", g.regions))
        ));
    }
    let cell = |c: &Option<Disclosed>| c.as_ref().map_or("–".to_string(), |d| shown(t, d));
    GroupShown {
        title: t.get(g.label_key).to_string(),
        note,
        ages: disaggregation_values("kelompok_umur")
            .iter()
            .map(|a| t.get(group_label_key("kelompok_umur", a)).to_string())
            .collect(),
        rows: g
            .table
            .rows
            .iter()
            .map(|r| {
                (
                    format!(
                        "{} · {}",
                        t.get(group_label_key("jenis_kelamin", r.sex)),
                        t.get(group_label_key("disabilitas", r.disability))
                    ),
                    r.cells.iter().map(cell).collect(),
                )
            })
            .collect(),
        margins: g
            .table
            .margins
            .iter()
            .map(|m| {
                let top = m
                    .groups
                    .iter()
                    .filter_map(|(_, _, d)| match d {
                        Disclosed::Count(c) => Some(*c as f64),
                        Disclosed::Suppressed => None,
                    })
                    .fold(0.0_f64, f64::max);
                (
                    t.get(super::strategy::dis_key(m.dimension)).to_string(),
                    m.groups
                        .iter()
                        .map(|(_, key, d)| {
                            let v = match d {
                                Disclosed::Count(c) => *c as f64,
                                Disclosed::Suppressed => 0.0,
                            };
                            (
                                t.get(key).to_string(),
                                shown(t, d),
                                super::strategy::bar(v, top),
                            )
                        })
                        .collect(),
                    m.gap.map_or("–".to_string(), |g| t.num(&g)),
                )
            })
            .collect(),
        total: g
            .table
            .total
            .as_ref()
            .map_or("–".to_string(), |d| shown(t, d)),
    }
}

// ---------------------------------------------------------------------------------------
// Upload

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    ui: Ui,
    t: Messages,
    columns: Vec<&'static str>,
    error: Option<String>,
}

fn figures_page(ui: &Ui) -> FiguresPage {
    FiguresPage {
        ui: ui.clone(),
        t: ui.t,
        columns: sinergi_intake::aggregates::COLUMNS.to_vec(),
        error: None,
    }
}

/// `/agregat`: the upload form (administrators).
pub async fn form(ui: Ui, Signed(user): Signed) -> Response {
    if !user.viewer.is_admin() {
        return AppError::forbidden().page(&ui);
    }
    super::render(&ui, Ok(figures_page(&ui)))
}

/// `/agregat/impor`: the file through the import use case; the outcome is the upload's page
/// on `/tugas/{id}`, with its rejected rows and their download.
pub async fn upload(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    mut multipart: Multipart,
) -> Response {
    if !user.viewer.is_admin() {
        return AppError::forbidden().page(&ui);
    }
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("berkas") {
            let name = field.file_name().unwrap_or("agregat.csv").to_string();
            if let Ok(bytes) = field.bytes().await {
                file = Some((name, bytes));
            }
            break;
        }
    }
    let mut page = figures_page(&ui);
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        page.error = Some(ui.t.get("institution.file_missing").to_string());
        let mut resp = super::render(&ui, Ok(page));
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return resp;
    };
    match aggregates::import_aggregates(&state.store, &user.viewer, &name, &bytes).await {
        Ok(AggregateOutcome::Stored {
            upload: Some(id), ..
        })
        | Ok(AggregateOutcome::Refused {
            upload: Some(id), ..
        }) => Redirect::to(&format!("/tugas/{id}")).into_response(),
        Ok(AggregateOutcome::Stored { .. }) | Ok(AggregateOutcome::Refused { .. }) => {
            super::render(&ui, Ok(page))
        }
        Err(e) => AppError::from(e).page(&ui),
    }
}

// ---------------------------------------------------------------------------------------
// Entry grid

/// One box of the grid: its name, the value held or typed, its groups in words.
type GridBox = (String, String, String);

#[derive(Template)]
#[template(path = "figures_grid.html")]
struct GridPage {
    ui: Ui,
    t: Messages,
    region_picker: RegionPicker,
    region: Option<String>,
    region_name: String,
    elements: Vec<(&'static str, String, bool)>,
    element: String,
    periods: Vec<(String, String, bool)>,
    period: String,
    source: String,
    survey: bool,
    ages: Vec<String>,
    /// Row label, then per age band: box name, held or typed value, its label.
    rows: Vec<(String, Vec<GridBox>)>,
    notice: Option<String>,
    errors: Vec<String>,
    group_tables: Vec<GroupShown>,
}

#[derive(serde::Deserialize, Default)]
pub struct GridQuery {
    pub wilayah: Option<String>,
    pub unsur: Option<String>,
    pub periode: Option<String>,
}

/// Years and quarters offered: this year and the two before, newest first.
fn period_options(t: &Messages, chosen: &str) -> Vec<(String, String, bool)> {
    let year = chrono::Utc::now().year();
    let mut out = Vec::new();
    for y in (year - 2..=year).rev() {
        out.push((y.to_string(), y.to_string(), chosen == y.to_string()));
        for q in (1..=4).rev() {
            if let Ok(p) = Period::quarter(y, q) {
                let v = p.to_string();
                out.push((v.clone(), t.period(&p), chosen == v));
            }
        }
    }
    if !chosen.is_empty() && !out.iter().any(|o| o.2) {
        out.insert(0, (chosen.to_string(), t.period_text(chosen), true));
    }
    out
}

async fn grid_page(
    state: &AppState,
    ui: &Ui,
    q: &GridQuery,
    typed: Option<&[(String, String)]>,
) -> Result<GridPage, AppError> {
    let t = ui.t;
    let region = q
        .wilayah
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| RegionCode::parse(s).ok());
    let element = q
        .unsur
        .clone()
        .filter(|e| GROUP_ELEMENTS.iter().any(|(k, _)| k == e))
        .unwrap_or_else(|| GROUP_ELEMENTS[0].0.to_string());
    let period = q
        .periode
        .clone()
        .filter(|p| Period::parse(p).is_ok())
        .unwrap_or_else(|| (chrono::Utc::now().year() - 1).to_string());
    let (held, tables) = match &region {
        Some(r) => {
            let g = aggregates::group_grid(&state.store, ui.viewer(), r, &element, &period).await?;
            (g.held, g.tables)
        }
        None => (Vec::new(), Vec::new()),
    };
    let region_picker = RegionPicker::load(state, ui, region.as_ref()).await?;
    let region_name = region_picker.chosen_name().unwrap_or_default();
    let field =
        |name: &str| typed.and_then(|f| f.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
    let source = field("sumber")
        .or_else(|| held.first().map(|v| v.source.clone()))
        .unwrap_or_default();
    let survey = field("jenis").map_or_else(
        || {
            held.first()
                .is_some_and(|v| v.source_type == sinergi_store::SourceType::Survey)
        },
        |j| j == "survei",
    );
    let cells = grid_groups();
    let rows = cells
        .chunks(3)
        .map(|chunk| {
            let first = &chunk[0];
            let label = format!(
                "{} · {}",
                t.get(group_label_key("jenis_kelamin", &first.sex)),
                t.get(group_label_key("disabilitas", &first.disability))
            );
            let boxes = chunk
                .iter()
                .map(|g: &Group| {
                    let name = format!("c:{}", g.key());
                    let value = field(&name).unwrap_or_else(|| {
                        held.iter()
                            .find(|v| &v.group == g)
                            .map(|v| (v.value.round().max(0.0) as u64).to_string())
                            .unwrap_or_default()
                    });
                    let words: Vec<String> = g.labels().iter().map(|m| t.render(m)).collect();
                    (name, value, words.join(", "))
                })
                .collect();
            (label, boxes)
        })
        .collect();
    Ok(GridPage {
        ui: ui.clone(),
        t,
        region_picker,
        region: region.as_ref().map(|r| r.to_string()),
        region_name,
        elements: GROUP_ELEMENTS
            .iter()
            .map(|(k, label)| (*k, t.get(label).to_string(), *k == element))
            .collect(),
        periods: period_options(&t, &period),
        element,
        period,
        source,
        survey,
        ages: disaggregation_values("kelompok_umur")
            .iter()
            .map(|a| t.get(group_label_key("kelompok_umur", a)).to_string())
            .collect(),
        rows,
        notice: None,
        errors: Vec::new(),
        group_tables: tables.iter().map(|g| group_shown(&t, g)).collect(),
    })
}

/// `/agregat/kelompok`: choose a region (cascading by reload), element and period; the grid
/// shows what is held in its boxes.
pub async fn grid(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<GridQuery>,
) -> Response {
    if !user.viewer.is_admin() {
        return AppError::forbidden().page(&ui);
    }
    let result = grid_page(&state, &ui, &q, None).await;
    super::render(&ui, result)
}

/// Saves the grid through the entry use case, all or nothing; refused boxes are named by
/// their groups and keep what was typed.
pub async fn save_grid(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let q = GridQuery {
        wilayah: Some(field("kode_wilayah")),
        unsur: Some(field("unsur")),
        periode: Some(field("periode")),
    };
    let entry = GroupEntry {
        region: field("kode_wilayah"),
        element: field("unsur"),
        period: field("periode"),
        source: field("sumber"),
        survey: field("jenis") == "survei",
        cells: fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("c:")?.to_string(), v.clone())))
            .collect(),
    };
    let result: Result<(GridPage, bool), AppError> = async {
        let outcome = aggregates::enter_group_figures(&state.store, &user.viewer, entry).await?;
        Ok(match outcome {
            GroupEntryOutcome::Stored(n) => {
                let mut page = grid_page(&state, &ui, &q, None).await?;
                page.notice = Some(ui.t.render(&Msg::new("groups.stored").arg("n", n)));
                (page, false)
            }
            GroupEntryOutcome::Refused(reasons) => {
                let mut page = grid_page(&state, &ui, &q, Some(&fields)).await?;
                page.errors = reasons.iter().map(|(_, m)| ui.t.render(m)).collect();
                (page, true)
            }
        })
    }
    .await;
    match result {
        Ok((page, refused)) => {
            let mut resp = super::render(&ui, Ok(page));
            if refused {
                *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            }
            resp
        }
        Err(e) => e.page(&ui),
    }
}
