//! Person-level data (beneficiaries): list, search, detail, reveal, move, export. Every read
//! goes through the store's scoped queries; these handlers never filter rows themselves.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::RegionCode;
use sinergi_store::{Identifier, PersonCursor, PersonFilter, PersonKey, PersonRow};

use super::render;
use crate::auth::Signed;
use crate::export::{RowSource, TableFormat, streamed_download};
use crate::i18n::Messages;
use crate::pager::KeysetPager;
use crate::{AppError, AppState, Ui};

pub const PERSONS_PAGE_SIZE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub wilayah: Option<String>,
    pub daftar: Option<i64>,
    /// Keyset paging: the rows after this key (`52.03.05.2003_1234`) …
    pub setelah: Option<String>,
    /// … or the rows before it.
    pub sebelum: Option<String>,
    pub ukuran: Option<u32>,
}

impl PersonQuery {
    pub fn filter(&self) -> Result<PersonFilter, AppError> {
        let region = super::optional_region(self.wilayah.as_deref())?;
        Ok(PersonFilter {
            query: self.q.clone(),
            region,
            list_id: self.daftar,
        })
    }

    /// The keyset page asked for; an unreadable key is refused naming the field.
    pub fn cursor(&self) -> Result<PersonCursor, AppError> {
        let key = |field: &str, v: &str| {
            v.parse::<PersonKey>().map_err(|m| {
                AppError::bad_request(
                    "error.invalid",
                    sinergi_core::Msg::new("error.field")
                        .arg("field", field)
                        .arg_msg("reason", m),
                )
            })
        };
        let nonblank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(match (nonblank(&self.setelah), nonblank(&self.sebelum)) {
            (Some(v), _) => PersonCursor::After(key("setelah", &v)?),
            (None, Some(v)) => PersonCursor::Before(key("sebelum", &v)?),
            (None, None) => PersonCursor::First,
        })
    }
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    ui: Ui,
    t: Messages,
    region_picker: crate::picker::RegionPicker,
    rows: Vec<PersonRow>,
    total: u64,
    /// The count stopped at the cap: shown as "more than" it.
    more_than: Option<u64>,
    pager: KeysetPager,
    query: String,
    export_query: String,
    can_upload: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<PersonQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let cursor = q.cursor()?;
        let size = q.ukuran.unwrap_or(PERSONS_PAGE_SIZE);
        let paged = state
            .store
            .scoped(&user.viewer)
            .person_page(&filter, &cursor, size)
            .await?;
        let query = q.q.clone().unwrap_or_default();
        let region = q.wilayah.clone().unwrap_or_default();
        let list = q.daftar.map(|d| d.to_string()).unwrap_or_default();
        let size_param = q.ukuran.map(|u| u.to_string()).unwrap_or_default();
        let params = [
            ("q", query.as_str()),
            ("wilayah", region.as_str()),
            ("daftar", list.as_str()),
            ("ukuran", size_param.as_str()),
        ];
        let pager = KeysetPager::new(
            "/penerima",
            &params,
            paged.before.as_ref().map(PersonKey::to_string),
            paged.after.as_ref().map(PersonKey::to_string),
            cursor == PersonCursor::First,
        );
        let export_query = format!(
            "?q={}&wilayah={}",
            crate::ui::encode_component(&query),
            crate::ui::encode_component(&region)
        );
        Ok(PersonsPage {
            t: ui.t,
            ui: ui.clone(),
            region_picker: crate::picker::RegionPicker::load(&state, &ui, filter.region.as_ref())
                .await?,
            total: paged.total,
            more_than: (paged.total > sinergi_store::PERSON_COUNT_CAP)
                .then_some(sinergi_store::PERSON_COUNT_CAP),
            rows: paged.items,
            pager,
            query,
            export_query,
            can_upload: user.principal.can_write(),
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    ui: Ui,
    t: Messages,
    person: PersonRow,
    can_reveal: bool,
    can_write: bool,
    revealed_nik: Option<String>,
    revealed_kk: Option<String>,
    /// Where the person may be moved: from `?ke=` (cascading by reload), else the person's
    /// own kecamatan with its desa.
    move_picker: crate::picker::RegionPicker,
}

async fn person_page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
    reveal: Option<Identifier>,
    move_to: Option<RegionCode>,
) -> Result<PersonPage, AppError> {
    let person = state
        .store
        .scoped(&user.viewer)
        .person(id)
        .await?
        .ok_or_else(|| AppError::not_found("error.person_not_found"))?;
    let mut revealed_nik = None;
    let mut revealed_kk = None;
    match reveal {
        Some(Identifier::Nik) => {
            revealed_nik = state
                .store
                .scoped(&user.viewer)
                .reveal(id, Identifier::Nik)
                .await?
        }
        Some(Identifier::Kk) => {
            revealed_kk = state
                .store
                .scoped(&user.viewer)
                .reveal(id, Identifier::Kk)
                .await?
        }
        None => {}
    }
    let can_write = user.principal.can_write();
    let move_picker = if can_write {
        let around = move_to.or_else(|| {
            RegionCode::parse(&person.region)
                .ok()
                .and_then(|d| d.parent())
        });
        crate::picker::RegionPicker::load(state, ui, around.as_ref()).await?
    } else {
        crate::picker::RegionPicker::default()
    };
    Ok(PersonPage {
        t: ui.t,
        ui: ui.clone(),
        person,
        can_reveal: user.principal.can_reveal(),
        can_write,
        revealed_nik,
        revealed_kk,
        move_picker,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<MoveQuery>,
) -> Response {
    let move_to =
        q.ke.as_deref()
            .and_then(|c| RegionCode::parse(c.trim()).ok());
    let page = person_page(&state, &ui, &user, id, None, move_to).await;
    render(&ui, page)
}

#[derive(Deserialize)]
pub struct MoveQuery {
    /// The region the move picker shows (its regions one level below).
    ke: Option<String>,
}

#[derive(Deserialize)]
pub struct RevealForm {
    kolom: String,
}

/// Reveals a full identifier: a POST (it is recorded), answered with the page itself.
pub async fn reveal(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(form): Form<RevealForm>,
) -> Response {
    let which = match form.kolom.as_str() {
        "nik" => Identifier::Nik,
        "kk" => Identifier::Kk,
        other => {
            return AppError::bad_request(
                "error.invalid",
                sinergi_core::Msg::new("error.value_unknown")
                    .arg("value", other)
                    .arg("choices", "nik, kk"),
            )
            .page(&ui);
        }
    };
    let page = person_page(&state, &ui, &user, id, Some(which), None).await;
    render(&ui, page)
}

#[derive(Deserialize)]
pub struct MoveForm {
    wilayah: String,
}

pub async fn move_to(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Response {
    let result = async {
        let to = RegionCode::parse(form.wilayah.trim()).map_err(|e| {
            AppError::bad_request("error.bad_code", crate::error::bad_code(&form.wilayah, &e))
        })?;
        if state.store.region(&to).await?.is_none() {
            return Err(AppError::bad_request(
                "error.bad_code",
                sinergi_core::Msg::new("error.region_unknown").arg("code", &to),
            ));
        }
        if !state
            .store
            .scoped(&user.viewer)
            .move_person(id, &to)
            .await?
        {
            return Err(AppError::not_found("error.person_not_found"));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/penerima/{id}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

pub const EXPORT_HEADERS: [&str; 9] = [
    "id",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "nik_tersamar",
    "no_kk_tersamar",
    "kode_wilayah",
    "wilayah",
    "organisasi",
];

pub async fn export_csv(
    state: State<AppState>,
    ui: Ui,
    user: Signed,
    q: Query<PersonQuery>,
) -> Response {
    export(state, ui, user, q, TableFormat::Csv).await
}

pub async fn export_xlsx(
    state: State<AppState>,
    ui: Ui,
    user: Signed,
    q: Query<PersonQuery>,
) -> Response {
    export(state, ui, user, q, TableFormat::Xlsx).await
}

async fn export(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<PersonQuery>,
    format: TableFormat,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let export = state
            .store
            .scoped(&user.viewer)
            .start_person_export(&filter)
            .await?;
        streamed_download(&state.exports, format, "penerima", &EXPORT_HEADERS, export).await
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

/// A by-name export read chunk by chunk, each row as the download's cells.
impl RowSource for sinergi_store::PersonExport {
    async fn next_rows(&mut self) -> Result<Vec<Vec<String>>, sinergi_store::StoreError> {
        let rows = self.next_chunk(crate::export::EXPORT_CHUNK_ROWS).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.name,
                    r.sex.unwrap_or_default(),
                    r.birth_date.unwrap_or_default(),
                    r.nik_masked.unwrap_or_default(),
                    r.kk_masked.unwrap_or_default(),
                    r.region,
                    r.region_name.unwrap_or_default(),
                    r.organisation_name,
                ]
            })
            .collect())
    }
}
