//! Programs and the 4W matrix: the list and detail of partners' programs, the matrix (who ×
//! what × where × when) with its map and budget charts, import and export in the 4W template,
//! overlap and gap analysis, and the JSON API partners' systems push programs through.
//! Rows come from the store, which applies the access scope; what is done with them (import,
//! save, the matrix, the analysis) is a use case in `sinergi_activity::programs`. Each file
//! here is one job: parse the request, call the use case, render.

mod analysis;
pub(crate) mod api;
pub(crate) mod detail;
mod export;
mod form;
pub(crate) mod fourw;
pub(crate) mod import;
pub(crate) mod list;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sinergi_activity::programs::MatrixColumns;
use sinergi_core::Level;
use sinergi_core::Msg;
use sinergi_core::program::{
    AidType, FundingSource, Program, ProgramFilter, ProgramStatus, Sector, SexTarget, parse_date,
};

pub(crate) use super::{optional_region, render};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

pub use api::{LocationJson, ProgramJson, ReachedJson};

pub const PAGE_SIZE: u32 = 50;
/// Matrix rows per page: a page of a 9-sector matrix stays well inside the page budget.
pub const MATRIX_PAGE: u32 = 40;
/// 4W spreadsheets hold thousands of rows, not millions.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program", get(list::list))
        .route("/program/baru", get(form::new_form).post(form::create))
        .route("/program/{id}", get(detail::detail))
        .route(
            "/program/{id}/ubah",
            get(form::edit_form).post(form::update),
        )
        .route("/4w", get(fourw::matrix_page))
        .route("/4w/ekspor.xlsx", get(export::export_xlsx))
        .route("/4w/ekspor.csv", get(export::export_csv))
        .route(
            "/4w/impor",
            get(import::import_form)
                .post(import::import)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/4w/analisis", get(analysis::analysis_page))
        .route("/api/v1/program", get(list::api_list).post(api::api_save))
        .route(
            "/api/v1/program/{id}",
            get(detail::api_detail).post(api::api_update),
        )
        .route(
            "/api/v1/program/impor",
            axum::routing::post(import::api_import)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/4w", get(fourw::api_matrix))
}

/// Query parameters shared by the list, the matrix, the exports and the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterQuery {
    pub q: Option<String>,
    pub sektor: Option<String>,
    pub mitra: Option<String>,
    pub wilayah: Option<String>,
    pub dari: Option<String>,
    pub sampai: Option<String>,
    pub urut: Option<String>,
    pub hal: Option<u32>,
    pub per: Option<u32>,
    pub tingkat: Option<String>,
    pub kolom: Option<String>,
    pub nilai: Option<String>,
}

pub(crate) fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FilterQuery {
    pub fn filter(&self) -> Result<ProgramFilter, AppError> {
        let date = |v: &Option<String>, field: &str| -> Result<Option<NaiveDate>, AppError> {
            match blank(v) {
                None => Ok(None),
                Some(s) => parse_date(s).map(Some).ok_or_else(|| {
                    AppError::bad_request(
                        "error.invalid",
                        Msg::new("programs.date_invalid")
                            .arg("field", field)
                            .arg("value", s),
                    )
                }),
            }
        };
        Ok(ProgramFilter {
            within: optional_region(self.wilayah.as_deref())?,
            sector: match blank(&self.sektor) {
                None => None,
                Some(s) => Some(Sector::lookup(s).ok_or_else(|| {
                    AppError::bad_request(
                        "error.invalid",
                        Msg::new("programs.sector_unknown")
                            .arg("value", s)
                            .arg("choices", Sector::keys()),
                    )
                })?),
            },
            organisation: match blank(&self.mitra) {
                None => None,
                Some(s) => Some(s.parse().map_err(|_| {
                    AppError::bad_request(
                        "error.invalid",
                        Msg::new("programs.partner_not_number").arg("value", s),
                    )
                })?),
            },
            from: date(&self.dari, "dari")?,
            to: date(&self.sampai, "sampai")?,
            query: blank(&self.q).map(str::to_string),
        })
    }

    /// The filter as query parameters, for links that keep it.
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("sektor", &self.sektor),
            ("mitra", &self.mitra),
            ("wilayah", &self.wilayah),
            ("dari", &self.dari),
            ("sampai", &self.sampai),
            ("tingkat", &self.tingkat),
            ("kolom", &self.kolom),
            ("nilai", &self.nilai),
        ]
        .into_iter()
        .filter_map(|(k, v)| blank(v).map(|v| (k, v.to_string())))
        .collect()
    }

    pub(crate) fn query_string(&self) -> String {
        let p = self.params();
        if p.is_empty() {
            String::new()
        } else {
            format!(
                "?{}",
                p.iter()
                    .map(|(k, v)| format!("{k}={}", crate::ui::encode_component(v)))
                    .collect::<Vec<_>>()
                    .join("&")
            )
        }
    }

    pub(crate) fn level(&self) -> Level {
        match blank(&self.tingkat) {
            Some("kecamatan") => Level::Kecamatan,
            Some("desa") => Level::Desa,
            _ => Level::KabKota,
        }
    }

    pub(crate) fn columns(&self) -> MatrixColumns {
        if blank(&self.kolom) == Some("mitra") {
            MatrixColumns::Partner
        } else {
            MatrixColumns::Sector
        }
    }
}

/// Options of a `<select>`: (value, label key or text, selected).
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn sector_choices(t: &Messages, selected: Option<&str>) -> Vec<Choice> {
    Sector::ALL
        .iter()
        .map(|s| Choice {
            value: s.key().to_string(),
            label: t.get(sector_key(*s)).to_string(),
            selected: selected == Some(s.key()),
        })
        .collect()
}

pub fn sector_key(s: Sector) -> &'static str {
    match s {
        Sector::PerlindunganSosial => "program.sector.perlindungan_sosial",
        Sector::RehabilitasiSosial => "program.sector.rehabilitasi_sosial",
        Sector::PemberdayaanEkonomi => "program.sector.pemberdayaan_ekonomi",
        Sector::Pendidikan => "program.sector.pendidikan",
        Sector::Kesehatan => "program.sector.kesehatan",
        Sector::Perumahan => "program.sector.perumahan",
        Sector::PerlindunganAnak => "program.sector.perlindungan_anak",
        Sector::PenanggulanganBencana => "program.sector.penanggulangan_bencana",
        Sector::Lainnya => "program.sector.lainnya",
    }
}

pub(crate) fn funding_key(f: FundingSource) -> &'static str {
    match f {
        FundingSource::Apbn => "program.funding.apbn",
        FundingSource::Apbd => "program.funding.apbd",
        FundingSource::Apbdes => "program.funding.apbdes",
        FundingSource::Csr => "program.funding.csr",
        FundingSource::Zakat => "program.funding.zakat_infak_sedekah",
        FundingSource::Filantropi => "program.funding.filantropi",
        FundingSource::Hibah => "program.funding.hibah",
        FundingSource::Swadaya => "program.funding.swadaya",
        FundingSource::Lainnya => "program.funding.lainnya",
    }
}

pub(crate) fn aid_key(a: AidType) -> &'static str {
    match a {
        AidType::Tunai => "program.aid.tunai",
        AidType::Barang => "program.aid.barang",
        AidType::Layanan => "program.aid.layanan",
        AidType::Beasiswa => "program.aid.beasiswa",
        AidType::Perumahan => "program.aid.perumahan",
        AidType::Pelatihan => "program.aid.pelatihan",
        AidType::Pendampingan => "program.aid.pendampingan",
    }
}

pub(crate) fn status_key(s: ProgramStatus) -> &'static str {
    match s {
        ProgramStatus::Rencana => "program.status.rencana",
        ProgramStatus::Berjalan => "program.status.berjalan",
        ProgramStatus::Selesai => "program.status.selesai",
        ProgramStatus::Dihentikan => "program.status.dihentikan",
    }
}

pub(crate) fn sex_key(s: SexTarget) -> &'static str {
    match s {
        SexTarget::Semua => "program.sex.semua",
        SexTarget::LakiLaki => "program.sex.laki_laki",
        SexTarget::Perempuan => "program.sex.perempuan",
    }
}

/// A program as a list row shows it.
pub struct ProgramView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub organisation: String,
    pub sector: &'static str,
    pub period: String,
    pub budget: String,
    pub places: usize,
    pub planned: u64,
    pub reached: u64,
    pub status: &'static str,
}

pub(crate) fn view(t: &Messages, p: &Program) -> ProgramView {
    ProgramView {
        id: p.id,
        code: p.input.code.clone(),
        name: p.input.name.clone(),
        organisation: p.organisation_name.clone(),
        sector: sector_key(p.input.sector),
        period: format!("{} – {}", t.date(&p.input.start), t.date(&p.input.end)),
        budget: crate::chart::rupiah_compact(t, p.input.budget_rp as f64),
        places: p.input.locations.len(),
        planned: p.input.planned,
        reached: p.input.reached.total,
        status: status_key(p.input.status),
    }
}

pub(crate) fn partner_choices(orgs: Vec<(i64, String)>, selected: Option<&str>) -> Vec<Choice> {
    orgs.into_iter()
        .map(|(id, name)| Choice {
            selected: selected == Some(id.to_string().as_str()),
            value: id.to_string(),
            label: name,
        })
        .collect()
}

pub(crate) fn choices(t: &Messages, items: &[(&str, &str)], selected: &str) -> Vec<Choice> {
    items
        .iter()
        .map(|(v, key)| Choice {
            value: v.to_string(),
            label: t.get(key).to_string(),
            selected: *v == selected,
        })
        .collect()
}

pub(crate) fn level_key(level: Level) -> &'static str {
    match level {
        Level::Provinsi | Level::KabKota => "program.level_kabkota",
        Level::Kecamatan => "program.level_kecamatan",
        Level::Desa => "program.level_desa",
    }
}

pub(crate) fn respond<T: Serialize>(ui: &Ui, result: Result<T, AppError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.json(ui.t),
    }
}
