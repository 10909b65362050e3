//! Import templates, one builder for every import: a "Data" sheet with the header row the
//! importer reads and one example row, a "Petunjuk" sheet (steps in Indonesian and English,
//! each column explained) and a hidden "Pilihan" sheet whose ranges feed the drop-down
//! lists (data validation) for sex, desil, sector, aid type and region. Served by the import
//! pages and by `sinergi templat`.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, XlsxError,
};
use sinergi_activity::templates::TemplateRegions;
use sinergi_core::program::{AidType, Sector};
use sinergi_core::{Msg, Viewer};
use sinergi_i18n::{Lang, Messages};
use sinergi_intake::institutions::{LKKS_COLUMNS, LKS_COLUMNS, PARTNER_COLUMNS};
use sinergi_intake::programs::TEMPLATE_COLUMNS;
use sinergi_store::Store;

/// The imports a template exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Person/beneficiary lists (`/daftar/impor`, `sinergi daftar impor`).
    Daftar,
    /// The 4W program sheet.
    Program,
    Lks,
    Lkks,
    Mitra,
}

/// Where a column's drop-down comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Sex,
    Desil,
    Sector,
    AidType,
    KabKota,
    Desa,
}

struct Column {
    name: &'static str,
    note: String,
    choice: Option<Choice>,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Daftar,
        ImportKind::Program,
        ImportKind::Lks,
        ImportKind::Lkks,
        ImportKind::Mitra,
    ];

    /// The name in URLs, file names and `sinergi templat <jenis>`.
    pub fn key(self) -> &'static str {
        match self {
            ImportKind::Daftar => "daftar",
            ImportKind::Program => "program",
            ImportKind::Lks => "lks",
            ImportKind::Lkks => "lkks",
            ImportKind::Mitra => "mitra",
        }
    }

    pub fn from_key(key: &str) -> Option<ImportKind> {
        let key = key.trim().to_lowercase();
        let key = if key == "4w" { "program" } else { &key };
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The accepted keys, for messages.
    pub fn keys() -> String {
        Self::ALL.map(ImportKind::key).join(", ")
    }

    fn columns(self, t: &Messages) -> Vec<Column> {
        let choice_of = |name: &str| match name {
            "jenis_kelamin" if self == ImportKind::Daftar => Some(Choice::Sex),
            "desil" if self == ImportKind::Daftar => Some(Choice::Desil),
            "sektor" if self == ImportKind::Program => Some(Choice::Sector),
            "jenis_bantuan" => Some(Choice::AidType),
            "kabupaten_kota" => Some(Choice::KabKota),
            "kode_desa" => Some(Choice::Desa),
            "kode_wilayah" if matches!(self, ImportKind::Program | ImportKind::Lks) => {
                Some(Choice::Desa)
            }
            _ => None,
        };
        let from_catalogue = |names: &[&'static str], pattern: &str| -> Vec<Column> {
            names
                .iter()
                .map(|name| Column {
                    name,
                    note: t.get(&pattern.replace("{}", name)).to_string(),
                    choice: choice_of(name),
                })
                .collect()
        };
        match self {
            ImportKind::Daftar => from_catalogue(&PERSON_COLUMNS, "templates.col.daftar.{}"),
            // The 4W notes are the importer's own (Indonesian only, as the sheet's users are).
            ImportKind::Program => TEMPLATE_COLUMNS
                .iter()
                .map(|(name, note)| Column {
                    name,
                    note: note.to_string(),
                    choice: choice_of(name),
                })
                .collect(),
            ImportKind::Lks => from_catalogue(&LKS_COLUMNS, "lks.col.{}"),
            ImportKind::Lkks => from_catalogue(&LKKS_COLUMNS, "lkks.col.{}"),
            ImportKind::Mitra => from_catalogue(&PARTNER_COLUMNS, "partner.col.{}"),
        }
    }

    /// One row that the importer stores as it is, placed in the deployment's first desa
    /// (NTB's Danger, Masbagik when the template is built without regions).
    fn example(self, regions: &TemplateRegions) -> Vec<(&'static str, String)> {
        let desa = regions
            .desa
            .first()
            .map(|(code, _)| code.clone())
            .unwrap_or_else(|| "52.03.05.2006".to_string());
        let kab = desa[..5].to_string();
        let prefix: String = desa.chars().filter(char::is_ascii_digit).take(6).collect();
        let s = |v: &str| v.to_string();
        match self {
            ImportKind::Daftar => vec![
                // Female, born 12-05-1990: day 12 + 40 in the NIK.
                ("nik", format!("{prefix}5205900001")),
                ("no_kk", format!("{prefix}1508190042")),
                ("nama", s("Siti Contoh")),
                ("jenis_kelamin", s("P")),
                ("tanggal_lahir", s("1990-05-12")),
                ("kode_desa", desa),
                ("desil", s("2")),
            ],
            ImportKind::Program => vec![
                ("kode_program", s("CONTOH-01")),
                ("nama_program", s("Paket Sembako Lansia (contoh)")),
                ("sektor", s(Sector::PerlindunganSosial.key())),
                ("ppks", s("LUT")),
                ("jenis_bantuan", s(AidType::Barang.key())),
                ("sumber_dana", s("csr")),
                ("anggaran_rp", s("150000000")),
                ("mulai", s("2025-02-01")),
                ("selesai", s("2025-12-31")),
                ("status", s("berjalan")),
                ("desil", s("1-4")),
                ("usia", s("60+")),
                ("jenis_kelamin", s("semua")),
                ("kode_wilayah", desa),
                ("sasaran_lokasi", s("25")),
            ],
            ImportKind::Lks => vec![
                ("kode_lks", s("LKS-CONTOH-01")),
                ("nama", s("Panti Werdha Contoh")),
                ("kode_wilayah", desa),
                ("layanan_ppks", s("LUT")),
                ("kapasitas", s("30")),
                ("telepon", s("0370 111222")),
            ],
            ImportKind::Lkks => vec![
                ("kode_wilayah", kab),
                ("nama", s("LKKS Kabupaten Contoh")),
                ("status", s("aktif")),
                ("no_sk", s("1/Bup/2024")),
                ("tanggal_sk", s("2024-03-01")),
                ("ketua_umum", s("Ny. Contoh")),
            ],
            ImportKind::Mitra => vec![
                ("kode_mitra", s("M-CONTOH-01")),
                ("nama", s("PT Contoh Peduli")),
                ("kode_wilayah", kab),
                ("peran", s("dunia usaha")),
            ],
        }
    }
}

/// The columns today's person-list importer reads (`desil` is kept for the aid record).
const PERSON_COLUMNS: [&str; 7] = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "kode_desa",
    "desil",
];

/// The header row and the example row of a template, as text (for tests and CSV).
pub fn template_rows(kind: ImportKind, regions: &TemplateRegions) -> (Vec<String>, Vec<String>) {
    let t = Messages::new(Lang::Id);
    let columns = kind.columns(&t);
    let example = kind.example(regions);
    let header = columns.iter().map(|c| c.name.to_string()).collect();
    let row = columns
        .iter()
        .map(|c| {
            example
                .iter()
                .find(|(n, _)| *n == c.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    (header, row)
}

/// The template workbook for `kind`, its notes in `t`'s language.
pub fn template_xlsx(
    kind: ImportKind,
    t: &Messages,
    regions: &TemplateRegions,
) -> Result<Vec<u8>, XlsxError> {
    let columns = kind.columns(t);
    let (header, example) = template_rows(kind, regions);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");

    // The data sheet comes first: importers read the first sheet.
    let data = workbook.add_worksheet();
    data.set_name("Data")?;
    for (c, name) in header.iter().enumerate() {
        let c = c as u16;
        data.write_string_with_format(0, c, name, &bold)?;
        // The example is typed as an export types it: numbers and dates as such.
        crate::export::write_typed_cell(data, 1, c, name, &example[c as usize])?;
        // Text cells keep NIK, No. KK and codes whole (Excel would round 16 digits).
        if crate::export::is_code_column(name) {
            data.set_column_format(c, &text)?;
        }
        data.set_column_width(c, (name.chars().count() as f64 + 6.0).clamp(12.0, 36.0))?;
    }
    data.set_freeze_panes(1, 0)?;

    // The lists behind the drop-downs, one column each, on a hidden sheet.
    let lists: Vec<(Choice, Vec<String>)> = [
        (Choice::Sex, vec!["L".to_string(), "P".to_string()]),
        (Choice::Desil, (1..=10).map(|d| d.to_string()).collect()),
        (
            Choice::Sector,
            Sector::ALL.iter().map(|s| s.key().to_string()).collect(),
        ),
        (
            Choice::AidType,
            AidType::ALL.iter().map(|s| s.key().to_string()).collect(),
        ),
        (Choice::KabKota, regions.kabkota.clone()),
        (
            Choice::Desa,
            regions.desa.iter().map(|(c, _)| c.clone()).collect(),
        ),
    ]
    .into_iter()
    .filter(|(_, values)| !values.is_empty())
    .collect();
    for (c, col) in columns.iter().enumerate() {
        let Some(pos) = lists.iter().position(|(k, _)| Some(*k) == col.choice) else {
            continue;
        };
        let letter = column_letter(pos as u16);
        let range = format!("=Pilihan!${letter}$2:${letter}${}", lists[pos].1.len() + 1);
        // A warning, not a stop: aliases the importer also reads (Laki-laki, Lotim) stay allowed.
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_error_style(DataValidationErrorStyle::Warning);
        data.add_data_validation(1, c as u16, 10_000, c as u16, &validation)?;
    }

    let notes = workbook.add_worksheet();
    notes.set_name("Petunjuk")?;
    notes.set_column_width(0, 28.0)?;
    notes.set_column_width(1, 90.0)?;
    notes.set_column_width(2, 90.0)?;
    let id = Messages::new(Lang::Id);
    let en = Messages::new(Lang::En);
    notes.write_string_with_format(0, 0, t.get("templates.title"), &bold)?;
    notes.write_string_with_format(0, 1, id.get("templates.lang_id"), &bold)?;
    notes.write_string_with_format(0, 2, en.get("templates.lang_en"), &bold)?;
    let steps = [
        "templates.step_rows",
        "templates.step_text",
        "templates.step_lists",
    ];
    for (i, key) in steps.iter().enumerate() {
        let r = (i + 1) as u32;
        notes.write_string(r, 0, format!("{}", i + 1))?;
        notes.write_string(r, 1, id.get(key))?;
        notes.write_string(r, 2, en.get(key))?;
    }
    let top = (steps.len() + 2) as u32;
    notes.write_string_with_format(top, 0, t.get("templates.column"), &bold)?;
    notes.write_string_with_format(top, 1, t.get("templates.explanation"), &bold)?;
    for (i, col) in columns.iter().enumerate() {
        notes.write_string(top + 1 + i as u32, 0, col.name)?;
        notes.write_string(top + 1 + i as u32, 1, &col.note)?;
    }

    let choices = workbook.add_worksheet();
    choices.set_name("Pilihan")?;
    for (c, (kind, values)) in lists.iter().enumerate() {
        let c = c as u16;
        choices.write_string_with_format(0, c, choice_title(*kind), &bold)?;
        // Typed like an export: desil 1–10 as numbers, codes as text.
        for (r, v) in values.iter().enumerate() {
            crate::export::write_typed_cell(choices, (r + 1) as u32, c, choice_title(*kind), v)?;
        }
    }
    if lists.iter().any(|(k, _)| *k == Choice::Desa) {
        // The desa names next to their codes, for whoever unhides the sheet to look one up.
        let c = lists.len() as u16;
        choices.write_string_with_format(0, c, "nama_desa", &bold)?;
        for (r, (_, label)) in regions.desa.iter().enumerate() {
            choices.write_string((r + 1) as u32, c, label)?;
        }
    }
    choices.set_hidden(true);
    workbook.save_to_buffer()
}

fn choice_title(choice: Choice) -> &'static str {
    match choice {
        Choice::Sex => "jenis_kelamin",
        Choice::Desil => "desil",
        Choice::Sector => "sektor",
        Choice::AidType => "jenis_bantuan",
        Choice::KabKota => "kabupaten_kota",
        Choice::Desa => "kode_desa",
    }
}

fn column_letter(index: u16) -> String {
    let mut n = index as u32 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Why a template could not be made, as the faces show it.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("jenis templat tidak dikenal: {0}")]
    UnknownKind(String),
    #[error(transparent)]
    Activity(#[from] sinergi_activity::ActivityError),
    #[error("templat XLSX gagal dibuat: {0}")]
    Xlsx(#[from] XlsxError),
}

impl sinergi_core::Localized for TemplateError {
    fn msg(&self) -> Msg {
        match self {
            TemplateError::UnknownKind(kind) => Msg::new("templates.unknown_kind")
                .arg("kind", kind)
                .arg("choices", ImportKind::keys()),
            TemplateError::Activity(e) => e.msg(),
            TemplateError::Xlsx(e) => Msg::new("templates.xlsx_failed").arg("reason", e),
        }
    }
}

/// The template `kind` for `viewer`'s area (or `within`), ready to save: what the web page
/// and the CLI both serve.
pub async fn build_template(
    store: &Store,
    viewer: &Viewer,
    kind: &str,
    within: Option<sinergi_core::RegionCode>,
    t: &Messages,
) -> Result<(ImportKind, Vec<u8>), TemplateError> {
    let kind =
        ImportKind::from_key(kind).ok_or_else(|| TemplateError::UnknownKind(kind.to_string()))?;
    let regions = sinergi_activity::templates::template_regions(store, viewer, within).await?;
    Ok((kind, template_xlsx(kind, t, &regions)?))
}

/// `GET /{daftar,4w,lks,lkks,mitra}/templat.xlsx`: the template of that import for the
/// signed-in user's area.
pub(crate) async fn download(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ui: crate::Ui,
    crate::auth::Signed(user): crate::auth::Signed,
    kind: ImportKind,
) -> axum::response::Response {
    match build_template(&state.store, &user.viewer, kind.key(), None, &ui.t).await {
        Ok((kind, bytes)) => crate::export::file_download(
            &format!("templat_{}.xlsx", kind.key()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ),
        Err(TemplateError::Activity(e)) => crate::AppError::from(e).page(&ui),
        Err(e) => crate::AppError::internal(e).page(&ui),
    }
}

/// The template routes, one per import page.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    let route = |kind: ImportKind| {
        get(
            move |state: axum::extract::State<crate::AppState>,
                  ui: crate::Ui,
                  user: crate::auth::Signed| download(state, ui, user, kind),
        )
    };
    axum::Router::new()
        .route("/daftar/templat.xlsx", route(ImportKind::Daftar))
        .route("/4w/templat.xlsx", route(ImportKind::Program))
        .route("/lks/templat.xlsx", route(ImportKind::Lks))
        .route("/lkks/templat.xlsx", route(ImportKind::Lkks))
        .route("/mitra/templat.xlsx", route(ImportKind::Mitra))
}
