//! Institutions (issue 8): the LKKS network and formation targets, the LKS registry with
//! expiries, capacity against need and monthly reports, and the partner directory. Forms use
//! the import columns as field names, so one reader (intake) checks both; the store decides
//! who may see and change what.

pub mod lkks;
pub mod lks;
pub mod partners;
pub mod registry;
pub mod reports;

use askama::Template;
use axum::Router;
use axum::routing::{get, post};
use sinergi_core::{Table, TextColumn};
use sinergi_intake::RowError;
use sinergi_store::RegistryImport;

use self::lkks::LkksPages;
use self::lks::LksPages;
use self::partners::PartnerPages;
use self::registry as reg;
use crate::i18n::Messages;
use crate::{AppState, Ui};

/// Registry files are hundreds to tens of thousands of rows.
pub const MAX_REGISTRY_UPLOAD: usize = 16 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(MAX_REGISTRY_UPLOAD);
    Router::new()
        .route("/lks", get(lks::list))
        .route("/lks/ekspor.csv", get(reg::export_csv::<LksPages>))
        .route("/lks/ekspor.xlsx", get(reg::export_xlsx::<LksPages>))
        .route(
            "/lks/impor",
            get(reg::import_form::<LksPages>)
                .post(reg::import::<LksPages>)
                .layer(upload()),
        )
        .route("/lks/baru", get(lks::new_form).post(lks::create))
        .route("/lks/kedaluwarsa", get(lks::expiries))
        .route("/lks/kapasitas", get(lks::capacity))
        .route("/lks/laporan", get(reports::list))
        .route(
            "/lks/laporan/{id}",
            get(reports::detail).post(reports::save),
        )
        .route("/lks/laporan/{id}/tindakan", post(reports::act))
        .route("/lks/{id}", get(lks::detail).post(lks::update))
        .route("/lks/{id}/laporan", post(reports::start))
        .route("/lkks", get(lkks::list))
        .route("/lkks/ekspor.csv", get(reg::export_csv::<LkksPages>))
        .route("/lkks/ekspor.xlsx", get(reg::export_xlsx::<LkksPages>))
        .route(
            "/lkks/impor",
            get(reg::import_form::<LkksPages>)
                .post(reg::import::<LkksPages>)
                .layer(upload()),
        )
        .route("/lkks/target", get(lkks::targets).post(lkks::create_target))
        .route("/lkks/{id}", get(lkks::detail).post(lkks::update))
        .route("/lkks/{id}/pengurus", post(lkks::add_seat))
        .route("/lkks/{id}/pengurus/{seat}/hapus", post(lkks::remove_seat))
        .route("/lkks/{id}/tahun", post(lkks::set_year))
        .route("/mitra", get(partners::list))
        .route("/mitra/ekspor.csv", get(reg::export_csv::<PartnerPages>))
        .route("/mitra/ekspor.xlsx", get(reg::export_xlsx::<PartnerPages>))
        .route(
            "/mitra/impor",
            get(reg::import_form::<PartnerPages>)
                .post(reg::import::<PartnerPages>)
                .layer(upload()),
        )
        .route(
            "/mitra/baru",
            get(partners::new_form).post(partners::create),
        )
        .route("/mitra/{id}", get(partners::detail).post(partners::update))
        .route("/mitra/{id}/kesepakatan", post(partners::add_agreement))
        .route(
            "/api/v1/registri/{registry}/impor",
            post(reg::api_import).layer(upload()),
        )
}

/// One form field; its name is the import column, its label a catalogue key.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// text, date, number, email, tel, textarea, select, checks
    pub kind: &'static str,
    /// (value, label text, selected) for select and checks.
    pub options: Vec<(String, String, bool)>,
    pub required: bool,
}

impl Field {
    pub fn new(
        name: &'static str,
        label: &'static str,
        kind: &'static str,
        value: impl Into<String>,
    ) -> Field {
        Field {
            name,
            label,
            value: value.into(),
            kind,
            options: Vec::new(),
            required: false,
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Field {
        let chosen: Vec<&str> = self.value.split(';').map(str::trim).collect();
        self.options = options
            .into_iter()
            .map(|(v, l)| {
                let selected = chosen.contains(&v.as_str());
                (v, l, selected)
            })
            .collect();
        self
    }
}

/// A posted form as a one-row table (repeated names joined by `;`, as the import writes
/// lists), so the intake readers check forms exactly as they check files.
pub fn form_table(pairs: &[(String, String)]) -> Table {
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    for (k, v) in pairs {
        if k == crate::auth::CSRF_FIELD {
            continue;
        }
        match names.iter().position(|n| n == k) {
            Some(i) if !v.trim().is_empty() => {
                if !values[i].is_empty() {
                    values[i].push(';');
                }
                values[i].push_str(v.trim());
            }
            Some(_) => {}
            None => {
                names.push(k.clone());
                values.push(v.trim().to_string());
            }
        }
    }
    let columns = values
        .iter()
        .map(|v| {
            let mut c = TextColumn::default();
            let _ = c.push(v);
            c
        })
        .collect();
    Table {
        header: names,
        columns,
        lines: vec![1],
    }
}

pub fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// Reading problems as "column: reason" lines.
pub fn row_errors(t: &Messages, errors: &[RowError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| match &e.column {
            Some(c) => t.render(&sinergi_core::institution::field_msg(c, e.reason.clone())),
            None => t.render(&e.reason),
        })
        .collect()
}

/// The generic import page of a registry.
#[derive(Template)]
#[template(path = "inst_import.html")]
pub struct ImportPage {
    pub ui: Ui,
    pub t: Messages,
    pub title: &'static str,
    pub base: &'static str,
    pub columns: Vec<&'static str>,
    pub outcome: Option<RegistryImport>,
    pub error: Option<String>,
}

impl ImportPage {
    pub fn new(
        ui: &Ui,
        title: &'static str,
        base: &'static str,
        columns: &[&'static str],
    ) -> ImportPage {
        ImportPage {
            t: ui.t,
            ui: ui.clone(),
            title,
            base,
            columns: columns.to_vec(),
            outcome: None,
            error: None,
        }
    }
}

/// Today, for expiry windows and overdue reports.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Options for a keyed enum: (key, label from the catalogue entry `<prefix>.<key>`).
pub fn keyed_options<T: Copy>(
    t: Messages,
    all: &[T],
    key: impl Fn(T) -> &'static str,
    prefix: &str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            let k = key(*v);
            (
                k.to_string(),
                t.get(&format!("{prefix}.{}", k.to_lowercase())).to_string(),
            )
        })
        .collect()
}

/// The catalogue label of a keyed value (`<prefix>.<key>`).
pub fn label(t: Messages, prefix: &str, key: &str) -> String {
    t.get(&format!("{prefix}.{}", key.to_lowercase()))
        .to_string()
}

pub fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}
