//! `/mutu-data`: the data-quality scorecard (issue 22) — regions × checks graded against the
//! deployment's thresholds, the share of regions failing each check, a region's drill-down to
//! the offending values and rows, follow-up marks (owner and status; never deleted; audited)
//! and the XLSX download. The use case gathers and grades; this parses and renders.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use sinergi_activity::quality::{self as uc, ScorecardAsk, ScorecardView};
use sinergi_core::{Level, Msg, RegionCode};
use sinergi_insight::quality::{Cell, Check, Grade, OutlierRule, QualityRules, Threshold};
use sinergi_store::{FOLLOWUP_STATUSES, Followup, RowFlag};

use super::{optional_region, render};
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// Regions shown on the page (worst first); the download has all.
const SHOWN: usize = 30;
/// Offending values and rows shown on a drill-down (page budget); one check at a time shows
/// its own first ones.
const OFFENCES_SHOWN: usize = 60;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Deserialize, Default)]
pub struct QualityQuery {
    tingkat: Option<String>,
    wilayah: Option<String>,
    tahun: Option<String>,
    cek: Option<String>,
}

fn level_of(key: Option<&str>) -> Result<Level, AppError> {
    match key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("kabkota")
    {
        "kabkota" => Ok(Level::KabKota),
        "kecamatan" => Ok(Level::Kecamatan),
        other => Err(AppError::bad_request(
            "error.invalid",
            Msg::new("priority.quality_level_unknown").arg("level", other),
        )),
    }
}

fn year_of(text: Option<&str>) -> Result<Option<i32>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| {
            AppError::bad_request(
                "error.invalid",
                Msg::new("priority.quality_year").arg("year", t),
            )
        }),
    }
}

fn check_of(key: Option<&str>) -> Result<Option<Check>, AppError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => Check::from_key(k).map(Some).ok_or_else(|| {
            AppError::bad_request(
                "error.invalid",
                Msg::new("priority.check_unknown").arg("check", k),
            )
        }),
    }
}

/// A cell as the page shows it: its share in percent (or "–") and its grade's class.
pub struct Shown {
    pub text: String,
    pub grade: &'static str,
}

fn grade_key(g: Grade) -> &'static str {
    match g {
        Grade::Pass => "pass",
        Grade::Warn => "warn",
        Grade::Fail => "fail",
        Grade::NoData => "nodata",
    }
}

fn share(t: &Messages, v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "–".into(), |v| t.percent(&(v * 100.0)))
}

fn shown(t: &Messages, cell: &Cell) -> Shown {
    Shown {
        text: share(t, cell.value),
        grade: grade_key(cell.grade),
    }
}

pub struct CheckHead {
    pub key: &'static str,
    pub label: String,
    pub pass: String,
    pub warn: String,
    pub higher_is_better: bool,
}

fn heads(t: &Messages, view: &ScorecardView) -> Vec<CheckHead> {
    Check::ALL
        .into_iter()
        .map(|c| {
            let th = view.rules.thresholds.get(&c);
            CheckHead {
                key: c.key(),
                label: t.get(&format!("priority.check.{}", c.key())).to_string(),
                pass: share(t, th.map(|x| x.pass)),
                warn: share(t, th.map(|x| x.warn)),
                higher_is_better: c.higher_is_better(),
            }
        })
        .collect()
}

pub struct RowShown {
    pub code: String,
    pub name: String,
    pub cells: Vec<Shown>,
    pub open_followups: usize,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    ui: Ui,
    t: Messages,
    checks: Vec<CheckHead>,
    rows: Vec<RowShown>,
    failing: Vec<String>,
    level: String,
    within: String,
    year: i32,
    shown: usize,
    followups: Vec<Followup>,
    statuses: [&'static str; 3],
    may_follow_up: bool,
    /// When, by whom and how the scorecard shown was computed.
    provenance: String,
}

fn provenance(ui: &Ui, view: &ScorecardView) -> String {
    view.provenance.as_ref().map_or_else(String::new, |p| {
        ui.t.render(
            &Msg::new(if p.kept {
                "quality.provenance.kept"
            } else {
                "quality.provenance.fresh"
            })
            .arg("at", ui.t.moment(&p.computed_at, ui.zone()))
            .arg("by", &p.computed_by)
            .arg("ms", p.millis),
        )
    })
}

fn ask(q: &QualityQuery, ui: &Ui, detail: bool) -> Result<ScorecardAsk, AppError> {
    let within = match optional_region(q.wilayah.as_deref())? {
        Some(w) => Some(w),
        None => sinergi_activity::priority::default_within(ui.viewer()),
    };
    Ok(ScorecardAsk {
        level: level_of(q.tingkat.as_deref())?,
        within,
        year: year_of(q.tahun.as_deref())?,
        today: today(),
        detail,
        recompute: false,
    })
}

fn rows_shown(t: &Messages, view: &ScorecardView) -> Vec<RowShown> {
    view.rows
        .iter()
        .map(|r| RowShown {
            code: r.code.to_string(),
            name: r.name.clone(),
            cells: r.cells.iter().map(|c| shown(t, c)).collect(),
            open_followups: r.open_followups,
        })
        .collect()
}

pub async fn index(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Query(q): Query<QualityQuery>,
) -> Response {
    let result = async {
        let ask = ask(&q, &ui, false)?;
        let view = uc::scorecard(&state.store, ui.viewer(), &ask).await?;
        let t = &ui.t;
        let provenance = provenance(&ui, &view);
        let may_follow_up = view
            .rows
            .iter()
            .any(|r| sinergi_core::priority::may_follow_up(ui.viewer(), &r.code));
        Ok(QualityPage {
            checks: heads(t, &view),
            rows: rows_shown(t, &view),
            failing: view.failing_share.iter().map(|s| share(t, *s)).collect(),
            level: view.level.key().to_string(),
            within: view
                .within
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
            year: view.year,
            shown: SHOWN,
            followups: view.followups,
            statuses: FOLLOWUP_STATUSES,
            may_follow_up,
            provenance,
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// One offending value or row of a drill-down, as text cells.
pub struct Offence {
    pub check: &'static str,
    pub what: String,
    pub period: String,
    pub value: String,
    pub against: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "quality_region.html")]
struct RegionPage {
    ui: Ui,
    t: Messages,
    checks: Vec<CheckHead>,
    row: RowShown,
    code: String,
    level: String,
    year: i32,
    focus: Option<&'static str>,
    offences: Vec<Offence>,
    /// "The first 60 of N" when cut.
    more: Option<String>,
    followups: Vec<Followup>,
    statuses: [&'static str; 3],
    may_follow_up: bool,
}

fn offences(ui: &Ui, view: &ScorecardView, focus: Option<Check>) -> Vec<Offence> {
    let t = &ui.t;
    let wanted = |c: Check| focus.is_none_or(|f| f == c);
    let mut out = Vec::new();
    let number = |v: f64| {
        if v.is_finite() {
            t.decimal(&v)
        } else {
            "–".into()
        }
    };
    if let Some(row) = view.rows.first() {
        for (check, cell) in Check::ALL.into_iter().zip(&row.cells) {
            if !wanted(check) {
                continue;
            }
            for o in &cell.offenders {
                let against = match check {
                    Check::ChangeOverTime => share(t, Some(o.against)),
                    _ => number(o.against),
                };
                out.push(Offence {
                    check: check.key(),
                    what: o.indicator.clone(),
                    period: o.period.clone().unwrap_or_default(),
                    value: number(o.value),
                    against,
                    href: None,
                });
            }
        }
    }
    let gap = |check: Check, g: &sinergi_store::QualityGap, href: Option<String>| Offence {
        check: check.key(),
        what: g.what.clone(),
        period: g.period.clone(),
        value: g.entered_at.as_deref().map_or_else(
            || t.get("priority.quality.missing").to_string(),
            |at| t.moment(at, ui.zone()),
        ),
        against: t.date(&g.due),
        href,
    };
    for g in &view.realisation_gaps {
        let check = if g.entered_at.is_some() {
            Check::RealisationOnTime
        } else {
            Check::RealisationComplete
        };
        if wanted(check) {
            out.push(gap(check, g, g.link.map(|s| format!("/strategi/{s}"))));
        }
    }
    for g in &view.report_gaps {
        let check = if g.entered_at.is_some() {
            Check::LksReportsOnTime
        } else {
            Check::LksReportsComplete
        };
        if wanted(check) {
            out.push(gap(check, g, g.link.map(|id| format!("/lks/{id}"))));
        }
    }
    for r in &view.flagged_rows {
        let check = match r.flag {
            RowFlag::Incomplete => Check::RequiredFieldsFilled,
            RowFlag::NikWarning => Check::NikWarned,
            RowFlag::Repeated => Check::Duplicates,
        };
        if !wanted(check) {
            continue;
        }
        out.push(Offence {
            check: check.key(),
            what: r.list_name.clone(),
            period: t.num(&(r.line.max(0) as u64)),
            value: match &r.message {
                Some(m) => t.render_stored(m),
                None => r.missing.join(", "),
            },
            against: r.region.clone(),
            href: Some(format!("/daftar/{}", r.list_id)),
        });
    }
    for r in &view.refused {
        if wanted(Check::NikRefused) {
            out.push(Offence {
                check: Check::NikRefused.key(),
                what: r.list_name.clone(),
                period: String::new(),
                value: t.num(&r.refused),
                against: t.num(&r.read),
                href: Some(format!("/daftar/{}", r.list_id)),
            });
        }
    }
    out
}

/// A region's drill-down: every check's value, the offending values and rows (all checks or
/// `?cek=`), its follow-up marks and the form to add one.
pub async fn region(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Path(code): Path<String>,
    Query(q): Query<QualityQuery>,
) -> Response {
    let result = async {
        let code = RegionCode::parse(&code).map_err(|e| {
            AppError::bad_request("error.bad_code", crate::error::bad_code(&code, &e))
        })?;
        let level = code.level();
        if !matches!(level, Level::KabKota | Level::Kecamatan) {
            return Err(AppError::bad_request(
                "error.invalid",
                Msg::new("priority.quality_level"),
            ));
        }
        let focus = check_of(q.cek.as_deref())?;
        let ask = ScorecardAsk {
            level,
            within: Some(code.clone()),
            year: year_of(q.tahun.as_deref())?,
            today: today(),
            detail: true,
            recompute: false,
        };
        let view = uc::scorecard(&state.store, ui.viewer(), &ask).await?;
        let t = &ui.t;
        let row = rows_shown(t, &view)
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let may_follow_up = sinergi_core::priority::may_follow_up(ui.viewer(), &code);
        let mut all = offences(&ui, &view, focus);
        let more = (all.len() > OFFENCES_SHOWN).then(|| {
            t.render(
                &Msg::new("priority.quality.more_offences")
                    .arg("shown", OFFENCES_SHOWN)
                    .arg("total", all.len()),
            )
        });
        all.truncate(OFFENCES_SHOWN);
        Ok(RegionPage {
            checks: heads(t, &view),
            offences: all,
            more,
            row,
            code: code.to_string(),
            level: level.key().to_string(),
            year: view.year,
            focus: focus.map(Check::key),
            followups: view.followups,
            statuses: FOLLOWUP_STATUSES,
            may_follow_up,
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// The scorecard as XLSX: one row per region, each check's share and grade, thresholds in
/// the notes sheet.
pub async fn download(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Query(q): Query<QualityQuery>,
) -> Response {
    let result = async {
        let ask = ask(&q, &ui, false)?;
        let view = uc::scorecard(&state.store, ui.viewer(), &ask).await?;
        let t = &ui.t;
        let mut headers = vec!["kode".to_string(), "nama".to_string()];
        for c in Check::ALL {
            headers.push(c.key().to_string());
            headers.push(format!("{}_nilai", c.key()));
        }
        headers.push("tindak_lanjut_terbuka".into());
        let rows = view
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.code.to_string(), r.name.clone()];
                for cell in &r.cells {
                    cells.push(grade_key(cell.grade).to_string());
                    cells.push(cell.value.map(|v| format!("{v:.4}")).unwrap_or_default());
                }
                cells.push(r.open_followups.to_string());
                cells
            })
            .collect();
        let mut notes = vec![(
            t.get("priority.quality.year").to_string(),
            view.year.to_string(),
        )];
        for h in heads(t, &view) {
            notes.push((
                h.key.to_string(),
                format!(
                    "{} · {} {} · {} {}",
                    h.label,
                    t.get("priority.quality.grade.pass"),
                    h.pass,
                    t.get("priority.quality.grade.warn"),
                    h.warn
                ),
            ));
        }
        table_download(
            TableFormat::Xlsx,
            &format!("mutu-data-{}-{}", view.level.key(), view.year),
            Table {
                name: "mutu_data".into(),
                headers,
                rows,
                notes,
            },
        )
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct MarkForm {
    wilayah: String,
    cek: String,
    #[serde(default)]
    rincian: String,
    #[serde(default)]
    penanggung_jawab: String,
    tahun: Option<String>,
}

pub async fn mark(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(form): Form<MarkForm>,
) -> Response {
    let result = async {
        let code = RegionCode::parse(form.wilayah.trim()).map_err(|e| {
            AppError::bad_request("error.bad_code", crate::error::bad_code(&form.wilayah, &e))
        })?;
        uc::mark_followup(
            &state.store,
            &user.viewer,
            &code,
            form.cek.trim(),
            &form.rincian,
            &form.penanggung_jawab,
        )
        .await?;
        Ok::<_, AppError>(format!(
            "/mutu-data/wilayah/{code}?tahun={}#tindak-lanjut",
            form.tahun.as_deref().unwrap_or_default().trim()
        ))
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    status: String,
    #[serde(default)]
    penanggung_jawab: String,
    /// Where to go back to (a path on this site).
    kembali: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(form): Form<UpdateForm>,
) -> Response {
    let result = uc::update_followup(
        &state.store,
        &user.viewer,
        id,
        form.status.trim(),
        &form.penanggung_jawab,
    )
    .await;
    match result {
        Ok(()) => {
            let back = form
                .kembali
                .filter(|k| k.starts_with("/mutu-data") && !k.starts_with("//"))
                .unwrap_or_else(|| "/mutu-data".into());
            Redirect::to(&back).into_response()
        }
        Err(e) => AppError::from(e).page(&ui),
    }
}

/// Asks for the scorecard to be computed afresh (on demand), then shows it.
#[derive(Deserialize)]
pub struct RecomputeForm {
    tingkat: Option<String>,
    wilayah: Option<String>,
    tahun: Option<String>,
}

pub async fn recompute(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(form): Form<RecomputeForm>,
) -> Response {
    let q = QualityQuery {
        tingkat: form.tingkat,
        wilayah: form.wilayah,
        tahun: form.tahun,
        cek: None,
    };
    let result = async {
        let mut ask = ask(&q, &ui, false)?;
        ask.recompute = true;
        let view = uc::scorecard(&state.store, &user.viewer, &ask).await?;
        Ok::<_, AppError>(format!(
            "/mutu-data?tingkat={}&wilayah={}&tahun={}",
            view.level.key(),
            view.within.map(|w| w.to_string()).unwrap_or_default(),
            view.year
        ))
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => e.page(&ui),
    }
}

/// One check's thresholds in the form, in percent.
pub struct ThresholdField {
    pub key: &'static str,
    pub label: String,
    pub pass: String,
    pub warn: String,
    pub higher_is_better: bool,
}

#[derive(Template)]
#[template(path = "quality_rules.html")]
struct RulesPage {
    ui: Ui,
    t: Messages,
    fields: Vec<ThresholdField>,
    outlier_kind: &'static str,
    outlier_limit: String,
    change_limit: String,
    reference_limit: String,
    may_edit: bool,
    version: Option<i64>,
}

/// A share as the form shows it: percent, without trailing zeros.
fn percent_field(v: f64) -> String {
    let p = (v * 10_000.0).round() / 100.0;
    format!("{p}")
}

fn rules_page(ui: &Ui, rules: &QualityRules, version: Option<i64>) -> RulesPage {
    let t = &ui.t;
    let (outlier_kind, limit) = match rules.outlier {
        OutlierRule::ModifiedZ(l) => ("modified_z", l),
        OutlierRule::StandardDeviations(l) => ("standard_deviations", l),
    };
    RulesPage {
        fields: Check::ALL
            .into_iter()
            .map(|c| {
                let th = rules.thresholds.get(&c);
                ThresholdField {
                    key: c.key(),
                    label: t.get(&format!("priority.check.{}", c.key())).to_string(),
                    pass: th.map(|x| percent_field(x.pass)).unwrap_or_default(),
                    warn: th.map(|x| percent_field(x.warn)).unwrap_or_default(),
                    higher_is_better: c.higher_is_better(),
                }
            })
            .collect(),
        outlier_kind,
        outlier_limit: format!("{limit}"),
        change_limit: percent_field(rules.change_limit),
        reference_limit: percent_field(rules.reference_limit),
        may_edit: sinergi_core::priority::may_define_method(ui.viewer()),
        version,
        t: ui.t,
        ui: ui.clone(),
    }
}

/// `/mutu-data/ambang`: the deployment's thresholds; the province admin changes them.
pub async fn rules_form(State(state): State<AppState>, ui: Ui, Signed(_user): Signed) -> Response {
    let result = async {
        let (rules, version) = uc::quality_rules(&state.store, ui.viewer()).await?;
        Ok::<_, AppError>(rules_page(&ui, &rules, version))
    }
    .await;
    render(&ui, result)
}

/// A number the form sent (a decimal comma is accepted).
fn number_field(
    form: &std::collections::HashMap<String, String>,
    name: &str,
) -> Result<f64, AppError> {
    let raw = form.get(name).map(|v| v.trim()).unwrap_or_default();
    raw.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            AppError::bad_request(
                "error.invalid",
                Msg::new("quality.rules.not_a_number")
                    .arg("field", name)
                    .arg("value", raw),
            )
        })
}

pub async fn save_rules(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let result = async {
        let mut rules = QualityRules::default();
        for c in Check::ALL {
            let pass = number_field(&form, &format!("lulus_{}", c.key()))? / 100.0;
            let warn = number_field(&form, &format!("waspada_{}", c.key()))? / 100.0;
            rules.thresholds.insert(c, Threshold { pass, warn });
        }
        let limit = number_field(&form, "batas_pencilan")?;
        rules.outlier = match form.get("pencilan").map(|v| v.trim()) {
            Some("standard_deviations") => OutlierRule::StandardDeviations(limit),
            Some("modified_z") | None => OutlierRule::ModifiedZ(limit),
            Some(other) => {
                return Err(AppError::bad_request(
                    "error.invalid",
                    Msg::new("quality.rules.outlier_unknown").arg("kind", other),
                ));
            }
        };
        rules.change_limit = number_field(&form, "batas_perubahan")? / 100.0;
        rules.reference_limit = number_field(&form, "batas_rujukan")? / 100.0;
        uc::save_quality_rules(&state.store, &user.viewer, &rules).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/mutu-data/ambang?tersimpan=1").into_response(),
        Err(e) => e.page(&ui),
    }
}

/// The scorecard of a strategy's area for the quarterly M&E report: the kab/kota of a
/// province (or the kecamatan of a kab/kota) for the year of the quarter, as kept. `None`
/// where the viewer does not see the scorecard or the area has no level below it to judge.
pub async fn report_section(
    store: &sinergi_store::Store,
    viewer: &sinergi_core::Viewer,
    area: &sinergi_core::strategy::StrategyArea,
    year: i32,
    t: &Messages,
) -> Result<Option<sinergi_report::QualitySection>, AppError> {
    use sinergi_core::strategy::StrategyArea;
    if !sinergi_core::priority::may_view(viewer) {
        return Ok(None);
    }
    let (level, within) = match area {
        StrategyArea::National => (Level::KabKota, None),
        StrategyArea::Region(code) => match code.level() {
            Level::Provinsi => (Level::KabKota, Some(code.clone())),
            Level::KabKota => (Level::Kecamatan, Some(code.clone())),
            _ => return Ok(None),
        },
    };
    let today = today();
    if year > today.year() {
        return Ok(None);
    }
    let ask = ScorecardAsk {
        level,
        within,
        year: Some(year),
        today,
        detail: false,
        recompute: false,
    };
    let view = uc::scorecard(store, viewer, &ask).await?;
    let note = t.render(
        &Msg::new("quality.report.note").arg("year", view.year).arg(
            "at",
            view.provenance
                .as_ref()
                .map(|p| {
                    p.computed_at
                        .get(..16)
                        .unwrap_or(&p.computed_at)
                        .replace('T', " ")
                })
                .unwrap_or_default(),
        ),
    );
    Ok(Some(sinergi_report::QualitySection {
        note,
        checks: Check::ALL
            .into_iter()
            .map(|c| t.get(&format!("priority.check.{}", c.key())).to_string())
            .collect(),
        rows: view
            .rows
            .iter()
            .map(|r| sinergi_report::QualityRegion {
                code: r.code.to_string(),
                name: r.name.clone(),
                cells: r
                    .cells
                    .iter()
                    .map(|c| {
                        (
                            grade_key(c.grade).to_string(),
                            share(t, c.value),
                            c.value.map(|v| format!("{v:.4}")).unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        failing: view.failing_share.iter().map(|s| share(t, *s)).collect(),
    }))
}
