//! Program cycles (issue 20): `/program/{id}/siklus` lists a program's eligibility rules
//! and cycles with their figures; `/program/{id}/siklus/{cycle}` a cycle's beneficiaries
//! and entitlements (by name only for viewers who may; the board sees the figures); the
//! bank payment batch and the donor report are downloads through the export module. The
//! use cases are `sinergi_activity::cycles`; nothing here filters rows.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use sinergi_activity::cycles::{
    DonorTally, PAYMENT_COLUMNS, cycle_view, donor_report, payment_batch,
};
use sinergi_store::{CycleRecord, EntitlementRecord, MemberRecord, RuleRecord};

use super::render;
use crate::auth::Signed;
use crate::export::{Table, TableFormat, csv_bytes, file_download, xlsx_bytes};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program/{id}/siklus", get(cycles_page))
        .route("/program/{id}/siklus/laporan.xlsx", get(report_xlsx))
        .route("/program/{id}/siklus/{cycle}", get(cycle_page))
        .route(
            "/program/{id}/siklus/{cycle}/bayar/{tranche}",
            get(payment_csv),
        )
}

/// A payment batch in the bank-upload layout (CSV, UTF-8).
pub fn payment_batch_csv(rows: Vec<Vec<String>>) -> Vec<u8> {
    csv_bytes(&Table::new("pembayaran", &PAYMENT_COLUMNS, rows))
}

fn tally_rows(t: &DonorTally) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "penerima".into(),
        "jumlah".into(),
        t.beneficiaries.to_string(),
    ]];
    let mut push = |dim: &str, map: &std::collections::BTreeMap<String, u64>| {
        for (k, v) in map {
            rows.push(vec![dim.to_string(), k.clone(), v.to_string()]);
        }
    };
    push("kabupaten_kota", &t.by_kabkota);
    push("jenis_kelamin", &t.by_sex);
    push("jenjang", &t.by_level);
    push("keluar", &t.exits);
    push("pengaduan", &t.grievances);
    rows.push(vec![
        "disabilitas".into(),
        "ya".into(),
        t.with_disability.to_string(),
    ]);
    rows.push(vec![
        "pendampingan".into(),
        "catatan".into(),
        t.mentoring_notes.to_string(),
    ]);
    for (tranche, (planned, paid, n_paid, n_failed)) in &t.tranches {
        rows.push(vec![
            format!("tahap_{tranche}"),
            "rencana_rp".into(),
            planned.to_string(),
        ]);
        rows.push(vec![
            format!("tahap_{tranche}"),
            "dibayar_rp".into(),
            paid.to_string(),
        ]);
        rows.push(vec![
            format!("tahap_{tranche}"),
            "dibayar".into(),
            n_paid.to_string(),
        ]);
        rows.push(vec![
            format!("tahap_{tranche}"),
            "gagal".into(),
            n_failed.to_string(),
        ]);
    }
    rows
}

/// The donor report workbook: the cumulative sheet, then one sheet per cycle.
pub fn donor_report_xlsx(
    per_cycle: &[(CycleRecord, DonorTally)],
    total: &DonorTally,
) -> Result<Vec<u8>, AppError> {
    let headers = ["ukuran", "rincian", "nilai"];
    let mut sheets = vec![Table::new("Kumulatif", &headers, tally_rows(total))];
    for (c, t) in per_cycle {
        sheets.push(Table::new(
            &format!("{} {}", c.id, c.name),
            &headers,
            tally_rows(t),
        ));
    }
    xlsx_bytes(&sheets).map_err(|e| AppError::internal(format!("xlsx: {e}")))
}

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    ui: Ui,
    t: Messages,
    program_id: i64,
    program_name: String,
    rules: Vec<RuleRecord>,
    cycles: Vec<(CycleRecord, String)>,
}

async fn cycles_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let scoped = state.store.scoped(&user.viewer);
        let p = scoped
            .program(id)
            .await?
            .ok_or(AppError::not_found("program.not_found"))?;
        let rules = scoped.rules(id).await?;
        let cycles = scoped
            .cycles(id)
            .await?
            .into_iter()
            .map(|c| {
                let state = ui.t.render(&c.state.label());
                (c, state)
            })
            .collect();
        Ok(CyclesPage {
            program_id: id,
            program_name: p.input.name,
            rules,
            cycles,
            t: ui.t,
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "cycle.html")]
struct CyclePage {
    ui: Ui,
    t: Messages,
    program_id: i64,
    cycle: CycleRecord,
    state: String,
    by_name: bool,
    members: Vec<MemberRecord>,
    entitlements: Vec<EntitlementRecord>,
    tally: Vec<Vec<String>>,
    tranches: Vec<i64>,
}

async fn cycle_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, cycle_id)): Path<(i64, i64)>,
) -> Response {
    let result = async {
        let view = cycle_view(&state.store, &user.viewer, id, cycle_id)
            .await?
            .ok_or(AppError::not_found("error.not_found"))?;
        let cycle = view.cycle;
        Ok(CyclePage {
            program_id: id,
            state: ui.t.render(&cycle.state.label()),
            tranches: (1..=cycle.tranches).collect(),
            cycle,
            by_name: view.by_name,
            members: view.members,
            entitlements: view.entitlements,
            tally: tally_rows(&view.tally),
            t: ui.t,
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
        let rows = payment_batch(&state.store, &user.viewer, cycle_id, tranche).await?;
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
        let (per_cycle, total) = donor_report(&state.store, &user.viewer, id).await?;
        let bytes = donor_report_xlsx(&per_cycle, &total)?;
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
