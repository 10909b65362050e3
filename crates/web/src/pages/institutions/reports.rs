//! Monthly LKS report pages: the list with the overdue LKS of the latest month past its due
//! day, a report with its review trail, writing (the LKS) and moving it (submit, request
//! revision, approve).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::Localized;
use sinergi_core::institution::{
    Disaggregation, REPORT_DUE_DAY, ReportAction, ReportInput, ReportPeriod, ReportRole,
    ReportState,
};
use sinergi_store::{LksReport, OverdueReport, Page, ReportFilter};

use super::{label, today};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::pages::{optional_region, render};
use crate::{AppError, AppState, Ui};

/// Overdue LKS listed on the page; the count covers all (narrow by region to see the rest).
const OVERDUE_SHOWN: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub periode: Option<String>,
    pub status: Option<String>,
    pub wilayah: Option<String>,
    pub lks: Option<i64>,
    pub hal: Option<u32>,
}

#[derive(Template)]
#[template(path = "lks_reports.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    period_picker: crate::picker::PeriodPicker,
    rows: Vec<LksReport>,
    total: u64,
    pager: Option<Pager>,
    q: ReportQuery,
    states: Vec<(String, String)>,
    overdue: Vec<OverdueReport>,
    overdue_total: usize,
    overdue_period: String,
    due_day: u32,
}

impl ListPage {
    fn state(&self, s: &ReportState) -> String {
        label(self.t, "report.state", s.key())
    }
}

fn bad(field: &str, reason: sinergi_core::Msg) -> AppError {
    AppError::bad_request(
        "error.invalid",
        sinergi_core::institution::field_msg(field, reason),
    )
}

fn unknown(value: &str, choices: &[&str]) -> sinergi_core::Msg {
    sinergi_core::Msg::new("error.value_unknown")
        .arg("value", value)
        .arg("choices", choices.join(", "))
}

pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ReportQuery>,
) -> Response {
    let result = async {
        let period = match q
            .periode
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(ReportPeriod::parse(s).map_err(|e| bad("periode", e.msg()))?),
            None => None,
        };
        let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(ReportState::from_key(s).ok_or_else(|| {
                bad(
                    "status",
                    unknown(
                        s,
                        &ReportState::ALL.iter().map(|s| s.key()).collect::<Vec<_>>(),
                    ),
                )
            })?),
            None => None,
        };
        let region = optional_region(q.wilayah.as_deref())?;
        let filter = ReportFilter {
            period,
            state: status,
            region: region.clone(),
            lks: q.lks,
        };
        let paged = state
            .store
            .scoped(&user.viewer)
            .lks_reports(&filter, Page::new(q.hal, None, 50))
            .await?;
        let keep: Vec<(&str, String)> = [
            ("periode", q.periode.clone()),
            ("status", q.status.clone()),
            ("wilayah", q.wilayah.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let refs: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let pager = (paged.pages() > 1).then(|| Pager::new(&paged, "/lks/laporan", &refs));
        let overdue_period = period.unwrap_or_else(|| ReportPeriod::latest_overdue(today()));
        let mut overdue = if overdue_period.due() < today() {
            state
                .store
                .scoped(&user.viewer)
                .overdue_lks_reports(overdue_period, region.as_ref())
                .await?
        } else {
            Vec::new()
        };
        // A province can have hundreds: show the first ones, count them all (the page budget).
        let overdue_total = overdue.len();
        overdue.truncate(OVERDUE_SHOWN);
        Ok(ListPage {
            t: ui.t,
            ui: ui.clone(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, region.as_ref()).await?,
            period_picker: crate::picker::PeriodPicker::months(
                &ui.t,
                today(),
                q.periode.as_deref(),
                24,
            ),
            total: paged.total,
            rows: paged.items,
            pager,
            states: super::keyed_options(ui.t, ReportState::ALL, |s| s.key(), "report.state"),
            overdue,
            overdue_total,
            overdue_period: overdue_period.to_string(),
            due_day: REPORT_DUE_DAY,
            q,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "lks_report.html")]
struct DetailPage {
    ui: Ui,
    t: Messages,
    report: LksReport,
    can_write: bool,
    actions: Vec<(String, String)>,
    errors: Vec<String>,
}

impl DetailPage {
    fn state(&self) -> String {
        label(self.t, "report.state", self.report.state.key())
    }

    fn action(&self, key: &str) -> String {
        label(self.t, "report.action", key)
    }
}

async fn page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
) -> Result<DetailPage, AppError> {
    let report = state
        .store
        .scoped(&user.viewer)
        .lks_report(id)
        .await?
        .ok_or_else(|| AppError::not_found("report.not_found"))?;
    let role = sinergi_core::institution::rules::report_role(&user.viewer);
    // Offer only the moves the rule allows this user from this state.
    let actions = ReportAction::ALL
        .iter()
        .filter(|a| report.state.apply(**a, role, "x").is_ok())
        .map(|a| (a.key().to_string(), label(ui.t, "report.action", a.key())))
        .collect();
    Ok(DetailPage {
        t: ui.t,
        ui: ui.clone(),
        can_write: role == ReportRole::Reporter && report.state.editable(),
        report,
        actions,
        errors: Vec::new(),
    })
}

pub async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    render(&ui, page(&state, &ui, &user, id).await)
}

#[derive(Deserialize)]
pub struct StartForm {
    periode: String,
}

/// Opens (creating as an empty draft when needed) the report of an LKS for a month.
pub async fn start(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(lks): Path<i64>,
    Form(f): Form<StartForm>,
) -> Response {
    let result: Result<i64, AppError> = async {
        let period = ReportPeriod::parse(&f.periode).map_err(|e| bad("periode", e.msg()))?;
        let existing = state
            .store
            .scoped(&user.viewer)
            .lks_reports(
                &ReportFilter {
                    period: Some(period),
                    lks: Some(lks),
                    ..ReportFilter::default()
                },
                Page::new(None, None, 1),
            )
            .await?;
        if let Some(r) = existing.items.first() {
            return Ok(r.id);
        }
        let draft = ReportInput {
            activities: "-".into(),
            obstacles: String::new(),
            beneficiaries: Disaggregation::default(),
        };
        Ok(state
            .store
            .scoped(&user.viewer)
            .save_lks_report(lks, period, &draft)
            .await?)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/lks/laporan/{id}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct ReportForm {
    kegiatan: String,
    kendala: Option<String>,
    laki_laki: Option<String>,
    perempuan: Option<String>,
    anak: Option<String>,
    dewasa: Option<String>,
    lansia: Option<String>,
    disabilitas: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Response {
    let mut view = match page(&state, &ui, &user, id).await {
        Ok(v) => v,
        Err(e) => return e.page(&ui),
    };
    let mut errors = Vec::new();
    let mut n = |name: &str, v: &Option<String>| -> u32 {
        let s = v.as_deref().unwrap_or("").trim();
        if s.is_empty() {
            return 0;
        }
        s.parse().unwrap_or_else(|_| {
            errors.push(ui.t.render(&sinergi_core::institution::field_msg(
                name,
                sinergi_core::Msg::new("institution.count_malformed").arg("value", s),
            )));
            0
        })
    };
    let input = ReportInput {
        activities: f.kegiatan.clone(),
        obstacles: f.kendala.clone().unwrap_or_default(),
        beneficiaries: Disaggregation {
            male: n("laki_laki", &f.laki_laki),
            female: n("perempuan", &f.perempuan),
            child: n("anak", &f.anak),
            adult: n("dewasa", &f.dewasa),
            elderly: n("lansia", &f.lansia),
            disability: n("disabilitas", &f.disabilitas),
        },
    };
    if errors.is_empty() {
        let period = match ReportPeriod::parse(&view.report.period) {
            Ok(p) => p,
            Err(e) => return AppError::internal(e).page(&ui),
        };
        match state
            .store
            .scoped(&user.viewer)
            .save_lks_report(view.report.lks_id, period, &input)
            .await
        {
            Ok(_) => return Redirect::to(&format!("/lks/laporan/{id}")).into_response(),
            Err(e) => match super::registry::refused_save(&ui, e) {
                Ok(reason) => errors.push(reason),
                Err(e) => return e.page(&ui),
            },
        }
    }
    view.report.activities = input.activities;
    view.report.obstacles = input.obstacles;
    view.report.beneficiaries = input.beneficiaries;
    view.errors = errors;
    let mut resp = render(&ui, Ok(view));
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

#[derive(Deserialize)]
pub struct ActForm {
    tindakan: String,
    catatan: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Response {
    let Some(action) = ReportAction::from_key(&f.tindakan) else {
        let actions: Vec<&str> = ReportAction::ALL.iter().map(|a| a.key()).collect();
        return bad("tindakan", unknown(&f.tindakan, &actions)).page(&ui);
    };
    match state
        .store
        .scoped(&user.viewer)
        .move_lks_report(id, action, f.catatan.as_deref().unwrap_or(""))
        .await
    {
        Ok(_) => Redirect::to(&format!("/lks/laporan/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}
