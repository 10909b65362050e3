//! The 4W export (XLSX, CSV) and the empty template.

use axum::extract::{Query, State};
use axum::response::Response;
use sinergi_intake::programs::TEMPLATE_COLUMNS;
use sinergi_store::SessionUser;

use super::FilterQuery;
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::{AppError, AppState, Ui};

fn template_table(rows: Vec<Vec<String>>) -> Table {
    let headers: Vec<&str> = TEMPLATE_COLUMNS.iter().map(|(c, _)| *c).collect();
    Table {
        notes: TEMPLATE_COLUMNS
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        ..Table::new("4W", &headers, rows)
    }
}

async fn export(
    state: &AppState,
    user: &SessionUser,
    q: &FilterQuery,
    format: TableFormat,
) -> Result<Response, AppError> {
    let rows =
        sinergi_activity::programs::export_fourw(&state.store, &user.viewer, &q.filter()?).await?;
    table_download(format, "program-4w", template_table(rows))
}

pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    export(&state, &user, &q, TableFormat::Xlsx)
        .await
        .unwrap_or_else(|e| e.page(&ui))
}

pub(super) async fn export_csv(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    export(&state, &user, &q, TableFormat::Csv)
        .await
        .unwrap_or_else(|e| e.page(&ui))
}
