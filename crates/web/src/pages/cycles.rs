//! Program cycles (issue 20): `/program/{id}/siklus` lists a program's eligibility rules
//! and cycles; the owner writes a rule there (draft, test cases, the count in scope,
//! publish) and creates a cycle. `/program/{id}/siklus/{cycle}` shows a cycle's figures,
//! beneficiaries and entitlements (by name only for viewers who may; the board sees the
//! figures) and, for those who run it, the forms that do the work: enrol, add by hand with a
//! reason, verification steps, submit / send back / approve / distribute / end / cancel,
//! the bank's results file, mentoring notes, grievances and exits. The bank payment batch
//! and the donor report are downloads through the export module. Every handler parses its
//! form, calls one use case in `sinergi_activity::cycles` and renders or redirects; a
//! refusal is shown in the user's language, naming the field.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use sinergi_activity::ActivityError;
use sinergi_activity::cycles as uc;
use sinergi_activity::cycles::{DonorTally, PAYMENT_COLUMNS};
use sinergi_core::Msg;
use sinergi_core::cycle::{AmountRule, CycleAction, SchoolLevel, VerificationStep};
use sinergi_core::eligibility::{Facts, RuleCase};
use sinergi_store::{
    CycleRecord, DuplicatePair, EntitlementRecord, MemberRecord, NewCycle, NewNote, NoteRecord,
};

use super::render;
use crate::auth::Signed;
use crate::export::{Table, TableFormat, csv_bytes, file_download, xlsx_bytes};
use crate::i18n::Messages;
use crate::pager::KeysetPager;
use crate::{AppError, AppState, Ui};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program/{id}/siklus", get(cycles_page).post(new_cycle))
        .route("/program/{id}/siklus/aturan", post(new_rule))
        .route(
            "/program/{id}/siklus/fakta",
            post(facts).layer(axum::extract::DefaultBodyLimit::max(
                super::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/program/{id}/siklus/aturan/{rule}/kasus", post(add_case))
        .route("/program/{id}/siklus/aturan/{rule}/hitung", post(count))
        .route(
            "/program/{id}/siklus/aturan/{rule}/terbitkan",
            post(publish),
        )
        .route("/program/{id}/siklus/laporan.xlsx", get(report_xlsx))
        .route("/program/{id}/siklus/laporan.pdf", get(report_pdf))
        .route("/program/{id}/siklus/{cycle}", get(cycle_page))
        .route("/program/{id}/siklus/{cycle}/langkah", post(act))
        .route("/program/{id}/siklus/{cycle}/daftarkan", post(enrol))
        .route("/program/{id}/siklus/{cycle}/tambah", post(add_by_hand))
        .route("/program/{id}/siklus/{cycle}/verifikasi", post(verify))
        .route("/program/{id}/siklus/{cycle}/catatan", post(note))
        .route("/program/{id}/siklus/{cycle}/keluar", post(exit))
        .route("/program/{id}/siklus/{cycle}/ganda/{pair}", post(decide))
        .route(
            "/program/{id}/siklus/{cycle}/hasil",
            post(results).layer(axum::extract::DefaultBodyLimit::max(
                super::lists::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/program/{id}/siklus/{cycle}/bayar/{tranche}",
            get(payment_csv),
        )
}

// -----------------------------------------------------------------------------------
// Words for the figures

/// Rupiah in the user's notation: `Rp 300.000` / `Rp 300,000`.
fn rupiah(t: Messages, amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!("Rp {sign}{}", t.num(&amount.unsigned_abs()))
}

/// The amount rule in words, with the number of tranches.
pub fn amount_words(t: Messages, amount: &AmountRule, tranches: i64) -> String {
    let msg = match amount {
        AmountRule::Flat { rupiah: r } => {
            Msg::new("cycles.amount.flat").arg("amount", rupiah(t, *r))
        }
        AmountRule::ByLevel { sd, smp, sma } => Msg::new("cycles.amount.by_level")
            .arg("sd", rupiah(t, *sd))
            .arg("smp", rupiah(t, *smp))
            .arg("sma", rupiah(t, *sma)),
    };
    t.render(&msg.arg("tranches", tranches))
}

/// A stored key (`lulus`, `P`, `selesai`, …) in words: `cycles.{group}.{key}` from the
/// catalogue, the key itself when the group has no words for it (a region code, SD/SMP/SMA),
/// "unknown" when empty.
fn label_or_unknown(t: Messages, group: &str, key: &str) -> String {
    if key == "-" || key.is_empty() {
        return t.get("cycles.unknown").to_string();
    }
    if group.is_empty() {
        return key.to_string();
    }
    let full = format!("cycles.{group}.{key}");
    let text = t.get(&full);
    if text == full {
        key.to_string()
    } else {
        text.to_string()
    }
}

/// One row of a cycle's figures: what is counted, its detail, and the value (rupiah or a
/// count).
pub struct TallyRow {
    pub measure: String,
    pub detail: String,
    pub value: i64,
    pub rupiah: bool,
}

impl TallyRow {
    /// The value as the page shows it: `Rp 300.000` or `1.234`.
    pub fn shown(&self, t: &Messages) -> String {
        if self.rupiah {
            rupiah(*t, self.value)
        } else {
            t.num(&self.value.unsigned_abs())
        }
    }
}

/// The figures of a cycle (or the cumulative ones) as rows of (measure, detail, value), in
/// the user's language.
pub fn tally_rows(t: Messages, tally: &DonorTally) -> Vec<TallyRow> {
    let count = |measure: &str, detail: String, v: u64| TallyRow {
        measure: t.get(measure).to_string(),
        detail,
        value: i64::try_from(v).unwrap_or(i64::MAX),
        rupiah: false,
    };
    let mut rows = vec![count(
        "cycles.fig.beneficiaries",
        String::new(),
        tally.beneficiaries,
    )];
    for (measure, group, map) in [
        ("cycles.fig.kabkota", "", &tally.by_kabkota),
        ("cycles.fig.sex", "sex", &tally.by_sex),
        ("cycles.fig.level", "", &tally.by_level),
        ("cycles.fig.exits", "exit", &tally.exits),
        ("cycles.fig.grievances", "grievance", &tally.grievances),
    ] {
        for (k, v) in map {
            rows.push(count(measure, label_or_unknown(t, group, k), *v));
        }
    }
    rows.push(count(
        "cycles.fig.disability",
        String::new(),
        tally.with_disability,
    ));
    rows.push(count(
        "cycles.fig.mentoring",
        String::new(),
        tally.mentoring_notes,
    ));
    rows.push(count(
        "cycles.fig.double_aid",
        String::new(),
        tally.double_aid,
    ));
    for (tranche, (planned, paid, n_paid, n_failed)) in &tally.tranches {
        let name = t.render(&Msg::new("cycles.fig.tranche").arg("n", tranche));
        let money = |detail: &str, v: i64| TallyRow {
            measure: name.clone(),
            detail: t.get(detail).to_string(),
            value: v,
            rupiah: true,
        };
        rows.push(money("cycles.fig.planned", *planned));
        rows.push(money("cycles.fig.paid", *paid));
        let mut c = count("cycles.fig.paid_count", String::new(), *n_paid);
        c.detail = std::mem::take(&mut c.measure);
        c.measure = name.clone();
        rows.push(c);
        let mut c = count("cycles.fig.failed_count", String::new(), *n_failed);
        c.detail = std::mem::take(&mut c.measure);
        c.measure = name.clone();
        rows.push(c);
    }
    rows
}

/// A payment batch in the bank-upload layout (CSV, UTF-8).
pub fn payment_batch_csv(rows: Vec<Vec<String>>) -> Vec<u8> {
    csv_bytes(&Table::new("pembayaran", &PAYMENT_COLUMNS, rows))
}

/// The program's plan against its cycles, as rows of (measure, detail, value).
pub fn plan_rows(t: Messages, plan: &uc::PlanComparison) -> Vec<TallyRow> {
    let row = |measure: &str, detail: &str, value: i64, rupiah: bool| TallyRow {
        measure: t.get(measure).to_string(),
        detail: t.get(detail).to_string(),
        value,
        rupiah,
    };
    let count = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    vec![
        row(
            "cycles.plan.reach",
            "cycles.plan.target",
            count(plan.target_reach),
            false,
        ),
        row(
            "cycles.plan.reach",
            "cycles.plan.reached",
            count(plan.reached),
            false,
        ),
        row(
            "cycles.plan.budget",
            "cycles.plan.planned",
            plan.budget_rp,
            true,
        ),
        row(
            "cycles.plan.budget",
            "cycles.plan.entitled",
            plan.entitled_rp,
            true,
        ),
        row("cycles.plan.budget", "cycles.fig.paid", plan.paid_rp, true),
    ]
}

/// `part` as a share of `whole`, in the user's notation, or a dash without a plan figure.
fn share(t: Messages, part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".into();
    }
    t.percent(&(part as f64 * 100.0 / whole as f64))
}

/// The donor report workbook in the user's language: the plan, the cumulative sheet, then
/// one sheet per cycle.
pub fn donor_report_xlsx(t: Messages, report: &uc::DonorReport) -> Result<Vec<u8>, AppError> {
    let headers = [
        t.get("cycles.fig.measure"),
        t.get("cycles.fig.detail"),
        t.get("cycles.fig.value"),
    ];
    let sheet_rows = |rows: Vec<TallyRow>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| {
                let detail = if r.rupiah {
                    format!("{} (Rp)", r.detail)
                } else {
                    r.detail
                };
                vec![r.measure, detail, r.value.to_string()]
            })
            .collect()
    };
    let mut sheets = vec![
        Table::new(
            t.get("cycles.plan.title"),
            &headers,
            sheet_rows(plan_rows(t, &report.plan)),
        ),
        Table::new(
            t.get("cycles.fig.cumulative"),
            &headers,
            sheet_rows(tally_rows(t, &report.total)),
        ),
    ];
    for (c, tally) in &report.per_cycle {
        sheets.push(Table::new(
            &format!("{} {}", c.id, c.name),
            &headers,
            sheet_rows(tally_rows(t, tally)),
        ));
    }
    xlsx_bytes(&sheets).map_err(|e| AppError::internal(format!("xlsx: {e}")))
}

/// The donor report as PDF, through the typesetter of the M&E report.
pub fn donor_report_pdf(t: Messages, report: &uc::DonorReport) -> Result<Vec<u8>, AppError> {
    sinergi_report::pdf::render(&donor_report_document(t, report), &|_| {})
        .map_err(AppError::internal)
}

fn print_table(t: Messages, sheet: &str, rows: Vec<TallyRow>) -> sinergi_report::Block {
    sinergi_report::Block::Table(sinergi_report::TableBlock {
        sheet: sheet.to_string(),
        widths: vec![3.0, 3.0, 2.0],
        header: vec![
            t.get("cycles.fig.measure").to_string(),
            t.get("cycles.fig.detail").to_string(),
            t.get("cycles.fig.value").to_string(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    sinergi_report::Cell::plain(&r.measure),
                    sinergi_report::Cell::plain(&r.detail),
                    sinergi_report::Cell::plain(r.shown(&t)),
                ]
            })
            .collect(),
    })
}

/// The donor report for print: the plan compared, the cumulative figures, then each cycle.
pub fn donor_report_document(t: Messages, report: &uc::DonorReport) -> sinergi_report::Document {
    use sinergi_report::Block;
    let plan = &report.plan;
    let reach = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let mut blocks = vec![
        Block::Heading(2, t.get("cycles.plan.title").to_string()),
        Block::Fields(vec![
            (
                t.get("cycles.plan.reach").to_string(),
                t.render(
                    &Msg::new("cycles.plan.reach_text")
                        .arg("reached", t.num(&plan.reached))
                        .arg("target", t.num(&plan.target_reach))
                        .arg(
                            "share",
                            share(t, reach(plan.reached), reach(plan.target_reach)),
                        ),
                ),
            ),
            (
                t.get("cycles.plan.budget").to_string(),
                t.render(
                    &Msg::new("cycles.plan.budget_text")
                        .arg("paid", rupiah(t, plan.paid_rp))
                        .arg("entitled", rupiah(t, plan.entitled_rp))
                        .arg("budget", rupiah(t, plan.budget_rp))
                        .arg("share", share(t, plan.paid_rp, plan.budget_rp)),
                ),
            ),
        ]),
        Block::Heading(2, t.get("cycles.fig.cumulative").to_string()),
        print_table(
            t,
            t.get("cycles.fig.cumulative"),
            tally_rows(t, &report.total),
        ),
    ];
    for (c, tally) in &report.per_cycle {
        blocks.push(Block::Heading(2, c.name.clone()));
        blocks.push(Block::Fields(vec![
            (
                t.get("cycles.col.state").to_string(),
                t.render(&c.state.label()),
            ),
            (
                t.get("cycles.field.start").to_string(),
                format!("{} – {}", t.date(&c.start), t.date(&c.end)),
            ),
            (
                t.get("cycles.col.amount").to_string(),
                amount_words(t, &c.amount, c.tranches),
            ),
        ]));
        blocks.push(print_table(t, &c.name, tally_rows(t, tally)));
    }
    sinergi_report::Document {
        title: t.get("cycles.report_title").to_string(),
        subtitle: report.program_name.clone(),
        letterhead: sinergi_report::Letterhead::default(),
        footer: format!("{} — {}", t.get("cycles.report_title"), report.program_name),
        page_label: t.get("cycles.page").to_string(),
        blocks,
        sheets: Vec::new(),
    }
}

// -----------------------------------------------------------------------------------
// Form helpers

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A field that could not be read: names the field (in the user's language) and the value.
fn bad(field: &'static str, value: &str) -> AppError {
    AppError::bad_request(
        "error.invalid",
        Msg::new("cycles.field_invalid")
            .arg_msg("field", Msg::new(field))
            .arg("value", value.trim()),
    )
}

fn date_field(field: &'static str, value: &str) -> Result<NaiveDate, AppError> {
    sinergi_core::parse_date(value.trim()).map_err(|_| bad(field, value))
}

fn number_field(field: &'static str, value: &str) -> Result<i64, AppError> {
    value.trim().parse().map_err(|_| bad(field, value))
}

fn yes_no(field: &'static str, value: &Option<String>) -> Result<Option<bool>, AppError> {
    match blank(value) {
        None => Ok(None),
        Some("ya") => Ok(Some(true)),
        Some("tidak") => Ok(Some(false)),
        Some(other) => Err(bad(field, other)),
    }
}

/// Where a form goes after it succeeded, or its refusal as a page.
fn done(result: Result<impl Sized, ActivityError>, ui: &Ui, to: String) -> Response {
    match result {
        Ok(_) => Redirect::to(&to).into_response(),
        Err(e) => AppError::from(e).page(ui),
    }
}

fn cycle_url(id: i64, cycle: i64) -> String {
    format!("/program/{id}/siklus/{cycle}")
}

// -----------------------------------------------------------------------------------
// The program's cycles: rules and cycles

/// One rule as the page shows it.
struct RuleView {
    id: i64,
    version: i64,
    expression: String,
    state: String,
    draft: bool,
    matched: Option<i64>,
    checked: Option<i64>,
    /// Each test case: label, expected eligible, whether the rule agrees.
    cases: Vec<(String, bool, bool)>,
}

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    ui: Ui,
    t: Messages,
    program_id: i64,
    program_name: String,
    may_run: bool,
    rules: Vec<RuleView>,
    /// Published rules a new cycle may use: (id, version).
    published: Vec<(i64, i64)>,
    /// Each cycle with its state and amount in words.
    cycles: Vec<(CycleRecord, String, String)>,
    steps: Vec<(&'static str, String)>,
    levels: Vec<&'static str>,
    variables: String,
}

fn step_choices(t: Messages) -> Vec<(&'static str, String)> {
    VerificationStep::ALL
        .into_iter()
        .map(|s| (s.key(), t.render(&s.label())))
        .collect()
}

async fn cycles_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let o = uc::cycles_overview(&state.store, &user.viewer, id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))?;
        let t = ui.t;
        let published = o
            .rules
            .iter()
            .filter(|r| r.status == sinergi_core::eligibility::RuleStatus::Published)
            .map(|r| (r.id, r.version))
            .collect();
        let rules = o
            .rules
            .iter()
            .zip(&o.case_results)
            .map(|(r, agreed)| RuleView {
                id: r.id,
                version: r.version,
                expression: r.expression.clone(),
                state: t.render(&r.status.label()),
                draft: r.status == sinergi_core::eligibility::RuleStatus::Draft,
                matched: r.matched,
                checked: r.checked,
                cases: r
                    .cases
                    .iter()
                    .zip(agreed)
                    .map(|(c, agrees)| (c.label.clone(), c.expected, *agrees))
                    .collect(),
            })
            .collect();
        let cycles = o
            .cycles
            .into_iter()
            .map(|c| {
                let s = t.render(&c.state.label());
                let a = amount_words(t, &c.amount, c.tranches);
                (c, s, a)
            })
            .collect();
        Ok(CyclesPage {
            program_id: id,
            program_name: o.program_name,
            may_run: o.may_run,
            rules,
            published,
            cycles,
            steps: step_choices(t),
            levels: SchoolLevel::ALL.iter().map(|l| l.key()).collect(),
            variables: sinergi_core::eligibility::VARIABLES.join(", "),
            t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Debug, Deserialize)]
pub struct RuleForm {
    aturan: String,
}

async fn new_rule(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<RuleForm>,
) -> Response {
    let made = uc::create_rule(&state.store, &user.viewer, id, &f.aturan, &[]).await;
    let to = match &made {
        Ok(rule) => format!("/program/{id}/siklus#aturan-{rule}"),
        Err(_) => String::new(),
    };
    done(made, &ui, to)
}

#[derive(Debug, Deserialize)]
pub struct CaseForm {
    label: String,
    harapan: String,
    desil: Option<String>,
    lahir: Option<String>,
    jk: Option<String>,
    disabilitas: Option<String>,
    sekolah: Option<String>,
    jenjang: Option<String>,
    wilayah: Option<String>,
}

fn case_of(f: &CaseForm) -> Result<RuleCase, AppError> {
    let expected = match f.harapan.trim() {
        "ya" => true,
        "tidak" => false,
        other => return Err(bad("cycles.field.expected", other)),
    };
    let desil = match blank(&f.desil) {
        None => None,
        Some(d) => Some(
            d.parse::<u8>()
                .ok()
                .filter(|d| (1..=10).contains(d))
                .ok_or_else(|| bad("cycles.field.desil", d))?,
        ),
    };
    let birth_date = blank(&f.lahir)
        .map(|d| date_field("cycles.field.birth_date", d))
        .transpose()?;
    let sex = match blank(&f.jk) {
        None => None,
        Some(s @ ("L" | "P")) => Some(s.to_string()),
        Some(other) => return Err(bad("cycles.field.sex", other)),
    };
    let level = match blank(&f.jenjang) {
        None => None,
        Some(l) => Some(SchoolLevel::lookup(l).ok_or_else(|| bad("cycles.field.level", l))?),
    };
    Ok(RuleCase {
        label: f.label.trim().to_string(),
        expected,
        facts: Facts {
            desil,
            birth_date,
            sex,
            disability: yes_no("cycles.field.disability", &f.disabilitas)?,
            in_school: yes_no("cycles.field.in_school", &f.sekolah)?,
            level,
            region: blank(&f.wilayah).unwrap_or("").to_string(),
            programs: Vec::new(),
        },
    })
}

async fn add_case(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, rule)): Path<(i64, i64)>,
    Form(f): Form<CaseForm>,
) -> Response {
    let case = match case_of(&f) {
        Ok(c) => c,
        Err(e) => return e.page(&ui),
    };
    done(
        uc::add_rule_case(&state.store, &user.viewer, rule, &case).await,
        &ui,
        format!("/program/{id}/siklus#aturan-{rule}"),
    )
}

async fn count(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, rule)): Path<(i64, i64)>,
) -> Response {
    done(
        uc::count_rule(&state.store, &user.viewer, rule).await,
        &ui,
        format!("/program/{id}/siklus#aturan-{rule}"),
    )
}

async fn publish(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, rule)): Path<(i64, i64)>,
) -> Response {
    done(
        uc::publish_rule(&state.store, &user.viewer, rule).await,
        &ui,
        format!("/program/{id}/siklus#aturan-{rule}"),
    )
}

/// A new cycle: the form's fields, and the JSON body of `POST /api/v1/program/{id}/siklus`.
/// Amounts in rupiah as text; a step is asked when its field is not empty.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"nama": "Siklus 2025/1", "mulai": "2025-01-01", "selesai": "2025-06-30", "jenis_jumlah": "tetap", "jumlah_tetap": "450000", "tahap": "2", "langkah_dokumen": "1"}))]
pub struct CycleForm {
    nama: String,
    mulai: String,
    selesai: String,
    aturan: Option<String>,
    jenis_jumlah: String,
    jumlah_tetap: Option<String>,
    jumlah_sd: Option<String>,
    jumlah_smp: Option<String>,
    jumlah_sma: Option<String>,
    tahap: String,
    langkah_dokumen: Option<String>,
    langkah_kunjungan_rumah: Option<String>,
    langkah_konfirmasi_sekolah: Option<String>,
}

fn money(field: &'static str, value: &Option<String>) -> Result<i64, AppError> {
    let v = blank(value).unwrap_or("");
    sinergi_core::parse_rupiah(v)
        .ok()
        .filter(|r| *r > 0)
        .ok_or_else(|| bad(field, v))
}

pub(crate) fn new_cycle_of(id: i64, f: &CycleForm) -> Result<NewCycle, AppError> {
    if f.nama.trim().is_empty() {
        return Err(bad("cycles.field.name", &f.nama));
    }
    let amount = match f.jenis_jumlah.trim() {
        "tetap" => AmountRule::Flat {
            rupiah: money("cycles.field.amount_flat", &f.jumlah_tetap)?,
        },
        "jenjang" => AmountRule::ByLevel {
            sd: money("cycles.field.amount_sd", &f.jumlah_sd)?,
            smp: money("cycles.field.amount_smp", &f.jumlah_smp)?,
            sma: money("cycles.field.amount_sma", &f.jumlah_sma)?,
        },
        other => return Err(bad("cycles.field.amount_kind", other)),
    };
    let tranches = number_field("cycles.field.tranches", &f.tahap)?;
    if !(1..=12).contains(&tranches) {
        return Err(bad("cycles.field.tranches", &f.tahap));
    }
    let rule_id = blank(&f.aturan)
        .map(|r| number_field("cycles.field.rule", r))
        .transpose()?;
    let steps = [
        (&f.langkah_dokumen, VerificationStep::Documents),
        (&f.langkah_kunjungan_rumah, VerificationStep::HomeVisit),
        (
            &f.langkah_konfirmasi_sekolah,
            VerificationStep::SchoolConfirmation,
        ),
    ]
    .into_iter()
    .filter(|(v, _)| blank(v).is_some())
    .map(|(_, s)| s)
    .collect();
    Ok(NewCycle {
        program_id: id,
        name: f.nama.trim().to_string(),
        start: date_field("cycles.field.start", &f.mulai)?,
        end: date_field("cycles.field.end", &f.selesai)?,
        rule_id,
        amount,
        tranches,
        steps,
    })
}

async fn new_cycle(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<CycleForm>,
) -> Response {
    let new = match new_cycle_of(id, &f) {
        Ok(n) => n,
        Err(e) => return e.page(&ui),
    };
    match uc::create_cycle(&state.store, &user.viewer, &new).await {
        Ok(cycle) => Redirect::to(&cycle_url(id, cycle)).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

// -----------------------------------------------------------------------------------
// One cycle

/// One beneficiary as the cycle page shows it.
struct MemberView {
    m: MemberRecord,
    source: String,
    verdict: String,
    /// The steps not yet passed, in words; empty when all passed.
    pending: String,
    exit: String,
    /// Other partners giving the same aid type (the double-aid check), or empty.
    double_aid: String,
}

/// A pair of beneficiaries perhaps one person, as the page shows it.
struct DuplicateView {
    p: DuplicatePair,
    /// The match probability in the reader's notation.
    percent: String,
    /// The decision in words, empty while waiting.
    decided: String,
}

/// Duplicate pairs listed on a cycle's page (waiting ones first); the rest are counted.
const DUPLICATES_SHOWN: usize = 50;

struct NoteView {
    n: NoteRecord,
    member: String,
    kind: String,
    /// The step and outcome of a verification, or the grievance's status, in words.
    detail: String,
}

#[derive(Template)]
#[template(path = "cycle.html")]
struct CyclePage {
    ui: Ui,
    t: Messages,
    program_id: i64,
    cycle: CycleRecord,
    state: String,
    amount: String,
    steps_text: String,
    by_name: bool,
    may_run: bool,
    list_open: bool,
    /// The actions that may be taken now: (key, label).
    actions: Vec<(&'static str, String)>,
    members: Vec<MemberView>,
    /// Links to the other pages of beneficiaries.
    pager: KeysetPager,
    entitlements: Vec<(EntitlementRecord, String)>,
    notes: Vec<NoteView>,
    tally: Vec<TallyRow>,
    tranches: Vec<i64>,
    steps: Vec<(&'static str, String)>,
    payable: bool,
    today: String,
    duplicates: Vec<DuplicateView>,
    /// Pairs not listed (beyond [`DUPLICATES_SHOWN`]), in words; empty when none.
    duplicates_more: String,
}

fn action_label(t: Messages, a: CycleAction) -> String {
    t.get(&format!("cycles.action.{}", a.key())).to_string()
}

/// Keyset paging of a cycle's beneficiaries: the ones after (`setelah`) or before
/// (`sebelum`) a beneficiary id.
#[derive(Debug, Default, Deserialize)]
struct MemberPageQuery {
    setelah: Option<i64>,
    sebelum: Option<i64>,
}

async fn cycle_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle_id)): Path<(i64, i64)>,
    Query(q): Query<MemberPageQuery>,
) -> Response {
    let result = async {
        let cursor = uc::MemberCursor {
            after: q.setelah,
            before: q.sebelum,
        };
        let view = uc::cycle_view(&state.store, &user.viewer, id, cycle_id, cursor)
            .await?
            .ok_or(AppError::not_found("error.not_found"))?;
        let pager = KeysetPager::new(
            &format!("/program/{id}/siklus/{cycle_id}"),
            &[],
            view.before.map(|b| b.to_string()),
            view.after.map(|a| a.to_string()),
            view.at_start,
        );
        let t = ui.t;
        let cycle = view.cycle;
        let steps_words = |steps: &[VerificationStep]| {
            steps
                .iter()
                .map(|s| t.render(&s.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let names: HashMap<i64, String> = view
            .members
            .iter()
            .map(|m| (m.id, m.name.clone()))
            .collect();
        let members = view
            .members
            .into_iter()
            .map(|m| {
                let pending = view
                    .pending
                    .get(&m.id)
                    .map(|p| steps_words(p))
                    .unwrap_or_default();
                let mut verdict = t.get(&format!("cycles.verdict.{}", m.verdict)).to_string();
                if let Some(n) = &m.verdict_note {
                    verdict = format!("{verdict} — {}", t.render(&uc::approval_note(n)));
                }
                let exit = match (&m.exit_kind, &m.exit_reason) {
                    (Some(k), r) => format!(
                        "{}{}",
                        label_or_unknown(t, "exit", k),
                        r.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
                    ),
                    _ => String::new(),
                };
                MemberView {
                    double_aid: m.double_aid.join(", "),
                    source: label_or_unknown(t, "source", &m.source),
                    verdict,
                    pending,
                    exit,
                    m,
                }
            })
            .collect();
        let notes = view
            .notes
            .into_iter()
            .map(|n| {
                let detail = match (n.step, n.passed, &n.status) {
                    (Some(s), Some(p), _) => format!(
                        "{}: {}",
                        t.render(&s.label()),
                        t.get(if p {
                            "cycles.outcome.lulus"
                        } else {
                            "cycles.outcome.gagal"
                        })
                    ),
                    (_, _, Some(st)) => label_or_unknown(t, "grievance", st),
                    _ => String::new(),
                };
                NoteView {
                    member: names.get(&n.member_id).cloned().unwrap_or_default(),
                    kind: label_or_unknown(t, "note_kind", &n.kind),
                    detail,
                    n,
                }
            })
            .collect();
        let actions = CycleAction::ALL
            .into_iter()
            .filter(|a| cycle.state.apply(*a).is_ok())
            .map(|a| (a.key(), action_label(t, a)))
            .collect();
        let more = view.duplicates.len().saturating_sub(DUPLICATES_SHOWN);
        let duplicates_more = if more > 0 {
            t.render(&Msg::new("cycles.dup.more").arg("count", t.num(&(more as u64))))
        } else {
            String::new()
        };
        let duplicates = view
            .duplicates
            .into_iter()
            .take(DUPLICATES_SHOWN)
            .map(|p| DuplicateView {
                percent: format!("{} %", t.num(&((p.probability * 100.0).round() as u64))),
                decided: match p.same {
                    None => String::new(),
                    Some(true) => t.get("cycles.dup.decided_same").to_string(),
                    Some(false) => t.get("cycles.dup.decided_different").to_string(),
                },
                p,
            })
            .collect();
        Ok(CyclePage {
            duplicates,
            duplicates_more,
            program_id: id,
            state: t.render(&cycle.state.label()),
            amount: amount_words(t, &cycle.amount, cycle.tranches),
            steps_text: steps_words(&cycle.steps),
            tranches: (1..=cycle.tranches).collect(),
            list_open: cycle.state.list_open(),
            payable: cycle.state.entitlements_payable(),
            by_name: view.by_name,
            may_run: view.may_run,
            actions,
            members,
            pager,
            entitlements: view
                .entitlements
                .into_iter()
                .map(|e| {
                    let s = t.render(&e.state.label());
                    (e, s)
                })
                .collect(),
            notes,
            tally: tally_rows(t, &view.tally),
            steps: cycle
                .steps
                .iter()
                .map(|s| (s.key(), t.render(&s.label())))
                .collect(),
            cycle,
            today: chrono::Utc::now().date_naive().to_string(),
            t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

/// A step in a cycle's life: the form's field, and the JSON body of
/// `POST /api/v1/program/{id}/siklus/{siklus}/langkah`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"aksi": "ajukan"}))]
pub struct ActionForm {
    /// ajukan, kembalikan, setujui, salurkan, tutup or batalkan.
    aksi: String,
}

impl ActionForm {
    pub(crate) fn action(&self) -> Result<CycleAction, AppError> {
        CycleAction::from_key(self.aksi.trim())
            .ok_or_else(|| bad("cycles.field.action", &self.aksi))
    }
}

async fn act(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let action = match f.action() {
        Ok(a) => a,
        Err(e) => return e.page(&ui),
    };
    done(
        uc::act_on_cycle(&state.store, &user.viewer, cycle, action).await,
        &ui,
        cycle_url(id, cycle),
    )
}

#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    daftar: Option<String>,
    wilayah: Option<String>,
}

async fn enrol(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<EnrolForm>,
) -> Response {
    let list = match blank(&f.daftar)
        .map(|d| number_field("cycles.field.list", d))
        .transpose()
    {
        Ok(l) => l,
        Err(e) => return e.page(&ui),
    };
    let region = match blank(&f.wilayah) {
        None => None,
        Some(r) => match sinergi_core::RegionCode::parse(r) {
            Ok(code) => Some(code.to_string()),
            Err(_) => return bad("cycles.field.region", r).page(&ui),
        },
    };
    done(
        uc::enrol_from_registry(
            &state.store,
            &user.viewer,
            cycle,
            list,
            region.as_deref(),
            &uc::ExtraFacts::new(),
        )
        .await,
        &ui,
        cycle_url(id, cycle),
    )
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    putusan: String,
}

/// The partner's decision on a pair of beneficiaries perhaps one person.
async fn decide(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle, pair)): Path<(i64, i64, i64)>,
    Form(f): Form<DecideForm>,
) -> Response {
    let same = match f.putusan.trim() {
        "sama" => true,
        "beda" => false,
        other => return bad("cycles.dup.decision", other).page(&ui),
    };
    done(
        uc::decide_duplicate(&state.store, &user.viewer, cycle, pair, same).await,
        &ui,
        format!("{}#ganda", cycle_url(id, cycle)),
    )
}

#[derive(Debug, Deserialize)]
pub struct ManualForm {
    orang: String,
    alasan: String,
}

async fn add_by_hand(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<ManualForm>,
) -> Response {
    let person = match number_field("cycles.field.person", &f.orang) {
        Ok(p) => p,
        Err(e) => return e.page(&ui),
    };
    done(
        uc::enrol_manually(&state.store, &user.viewer, cycle, person, None, &f.alasan).await,
        &ui,
        cycle_url(id, cycle),
    )
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    penerima: String,
    langkah: String,
    hasil: String,
    tanggal: String,
    catatan: String,
}

async fn verify(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<VerifyForm>,
) -> Response {
    let parsed = (|| {
        let member_id = number_field("cycles.field.member", &f.penerima)?;
        let step = VerificationStep::from_key(&f.langkah)
            .ok_or_else(|| bad("cycles.field.step", &f.langkah))?;
        let passed = match f.hasil.trim() {
            "lulus" => true,
            "gagal" => false,
            other => return Err(bad("cycles.field.outcome", other)),
        };
        Ok(NewNote {
            member_id,
            kind: "verifikasi",
            on_date: date_field("cycles.field.date", &f.tanggal)?,
            body: f.catatan.clone(),
            follow_up: None,
            status: None,
            entitlement_id: None,
            step: Some(step),
            passed: Some(passed),
        })
    })();
    match parsed {
        Ok(n) => done(
            uc::add_note(&state.store, &user.viewer, cycle, &n).await,
            &ui,
            cycle_url(id, cycle),
        ),
        Err(e) => e.page(&ui),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    penerima: String,
    jenis: String,
    tanggal: String,
    catatan: String,
    tindak_lanjut: Option<String>,
    status: Option<String>,
    hak: Option<String>,
}

async fn note(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<NoteForm>,
) -> Response {
    let parsed = (|| {
        let member_id = number_field("cycles.field.member", &f.penerima)?;
        let (kind, status) = match f.jenis.trim() {
            "pendampingan" => ("pendampingan", None),
            "pengaduan" => {
                let s = blank(&f.status).unwrap_or("diterima");
                if !["diterima", "ditinjau", "selesai", "banding"].contains(&s) {
                    return Err(bad("cycles.field.status", s));
                }
                ("pengaduan", Some(s.to_string()))
            }
            other => return Err(bad("cycles.field.kind", other)),
        };
        Ok(NewNote {
            member_id,
            kind,
            on_date: date_field("cycles.field.date", &f.tanggal)?,
            body: f.catatan.clone(),
            follow_up: blank(&f.tindak_lanjut).map(str::to_string),
            status,
            entitlement_id: blank(&f.hak)
                .map(|h| number_field("cycles.field.entitlement", h))
                .transpose()?,
            step: None,
            passed: None,
        })
    })();
    match parsed {
        Ok(n) => done(
            uc::add_note(&state.store, &user.viewer, cycle, &n).await,
            &ui,
            cycle_url(id, cycle),
        ),
        Err(e) => e.page(&ui),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExitForm {
    penerima: String,
    jenis: String,
    alasan: String,
    tanggal: String,
}

async fn exit(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    Form(f): Form<ExitForm>,
) -> Response {
    let parsed = (|| {
        Ok::<_, AppError>((
            number_field("cycles.field.member", &f.penerima)?,
            date_field("cycles.field.date", &f.tanggal)?,
        ))
    })();
    match parsed {
        Ok((member, on)) => done(
            uc::exit_member(
                &state.store,
                &user.viewer,
                cycle,
                member,
                f.jenis.trim(),
                &f.alasan,
                on,
            )
            .await,
            &ui,
            cycle_url(id, cycle),
        ),
        Err(e) => e.page(&ui),
    }
}

#[derive(Template)]
#[template(path = "cycle_results.html")]
struct ResultsPage {
    ui: Ui,
    t: Messages,
    title: String,
    back: String,
    back_label: String,
    summary: String,
    rejected: Vec<(usize, String)>,
}

/// The `berkas` field of an upload form: its name and bytes, or why not.
async fn uploaded_file(multipart: &mut Multipart) -> Result<(String, Vec<u8>), AppError> {
    let bad = || AppError::bad_request("error.invalid", Msg::new("cycles.upload_bad"));
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        if field.name() == Some("berkas") {
            let name = field.file_name().unwrap_or("berkas.csv").to_string();
            let bytes = field.bytes().await.map_err(|_| bad())?;
            file = Some((name, bytes.to_vec()));
        }
    }
    file.filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::bad_request("error.invalid", Msg::new("cycles.upload_missing")))
}

async fn facts(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let (name, bytes) = uploaded_file(&mut multipart).await?;
        let done = uc::import_person_facts(&state.store, &user.viewer, &name, &bytes).await?;
        let t = ui.t;
        Ok(ResultsPage {
            title: t.get("cycles.facts_upload").to_string(),
            back: format!("/program/{id}/siklus"),
            back_label: t.get("cycles.back_program").to_string(),
            summary: t.render(
                &Msg::new("cycles.facts_done")
                    .arg("updated", t.num(&done.updated))
                    .arg("rejected", t.num(&(done.rejected.len() as u64))),
            ),
            rejected: done
                .rejected
                .iter()
                .map(|(line, m)| (*line, t.render(m)))
                .collect(),
            t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

async fn results(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle)): Path<(i64, i64)>,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let (name, bytes) = uploaded_file(&mut multipart).await?;
        let done =
            uc::import_payment_results(&state.store, &user.viewer, cycle, &name, &bytes).await?;
        let t = ui.t;
        Ok(ResultsPage {
            title: t.get("cycles.upload_results").to_string(),
            back: cycle_url(id, cycle),
            back_label: t.get("cycles.back").to_string(),
            summary: t.render(
                &Msg::new("cycles.cli_results")
                    .arg("updated", t.num(&done.updated))
                    .arg("paid", t.num(&done.paid))
                    .arg("failed", t.num(&done.failed))
                    .arg("rejected", t.num(&(done.rejected.len() as u64))),
            ),
            rejected: done
                .rejected
                .iter()
                .map(|(line, m)| (*line, t.render(m)))
                .collect(),
            t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

async fn payment_csv(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((_id, cycle_id, tranche)): Path<(i64, i64, String)>,
) -> Response {
    let result = async {
        let tranche: i64 = tranche
            .trim_end_matches(".csv")
            .parse()
            .map_err(|_| AppError::not_found("error.not_found"))?;
        let rows = uc::payment_batch(&state.store, &user.viewer, cycle_id, tranche).await?;
        Ok::<_, AppError>(file_download(
            &format!("pembayaran-siklus-{cycle_id}-tahap-{tranche}.csv"),
            "text/csv; charset=utf-8",
            payment_batch_csv(rows),
        ))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

async fn report_xlsx(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let report = uc::donor_report(&state.store, &user.viewer, id).await?;
        let bytes = donor_report_xlsx(ui.t, &report)?;
        Ok::<_, AppError>(file_download(
            &format!(
                "laporan-donor-program-{id}.{}",
                TableFormat::Xlsx.extension()
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

async fn report_pdf(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let report = uc::donor_report(&state.store, &user.viewer, id).await?;
        let t = ui.t;
        let bytes = tokio::task::spawn_blocking(move || donor_report_pdf(t, &report))
            .await
            .map_err(AppError::internal)??;
        Ok::<_, AppError>(file_download(
            &format!("laporan-donor-program-{id}.pdf"),
            "application/pdf",
            bytes,
        ))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}
