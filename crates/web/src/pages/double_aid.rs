//! The double-aid check (issue 19): `/bantuan-ganda` lists the rounds the viewer has a part
//! in (the public: closed rounds' province totals) with the form the admin opens a round
//! with; `/bantuan-ganda/{id}` a round: its state, how a partner joins (a held list, or an
//! encoded file made by `sinergi sandi`), the run and close buttons for the admin, and the
//! results as this viewer may see them, with a download through the export module. The use
//! cases are `sinergi_activity::double_aid`; nothing here filters rows.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sinergi_activity::double_aid::{self as uc, Join, RoundPage};
use sinergi_core::double_aid::{JoinMode, RoundStatus};
use sinergi_core::{Disclosed, Msg, Period, RegionCode};
use sinergi_store::{NewRound, RoundRecord, RoundResults};

use super::render;
use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

/// Rows a results table shows on the page; the download has them all.
pub(crate) const SHOWN: usize = 100;

/// An encoded file of 170,000 rows is about 55 MB.
pub const MAX_UPLOAD_BYTES: usize = uc::MAX_ENCODED_BYTES + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bantuan-ganda", get(list).post(open))
        .route("/bantuan-ganda/{id}", get(round))
        .route(
            "/bantuan-ganda/{id}/gabung",
            post(join).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/bantuan-ganda/{id}/undang", post(invite))
        .route("/bantuan-ganda/{id}/jalankan", post(run))
        .route("/bantuan-ganda/{id}/tutup", post(close))
        .route("/bantuan-ganda/{id}/tinjau/{pair}", post(decide))
        .route("/bantuan-ganda/{id}/hasil.csv", get(results_csv))
        .route("/bantuan-ganda/{id}/hasil.xlsx", get(results_xlsx))
}

/// Labels of the keyed values the templates show.
struct Labels(Messages);

impl Labels {
    fn status(&self, s: &RoundStatus) -> &str {
        self.0.get(match s {
            RoundStatus::Open => "double_aid.status.open",
            RoundStatus::Closed => "double_aid.status.closed",
        })
    }

    fn mode(&self, m: &Option<JoinMode>) -> &str {
        self.0.get(match m {
            None => "double_aid.mode.invited",
            Some(JoinMode::Held) => "double_aid.mode.held",
            Some(JoinMode::Encoded) => "double_aid.mode.encoded",
        })
    }

    /// How a pair was found: both sides joined the same way.
    fn method(&self, m: &Option<JoinMode>) -> &str {
        self.0.get(match m {
            None => "double_aid.method.none",
            Some(JoinMode::Held) => "double_aid.method.held",
            Some(JoinMode::Encoded) => "double_aid.method.encoded",
        })
    }

    fn aid_types(&self, types: &[String]) -> String {
        if types.is_empty() {
            self.0.get("double_aid.every_type").to_string()
        } else {
            types.join(", ")
        }
    }

    fn period(&self, p: &str) -> String {
        self.0.period_text(p)
    }

    fn count(&self, n: &i64) -> String {
        self.0.num(&n.unsigned_abs())
    }

    fn pct(&self, v: &f64) -> String {
        self.0.percent(v)
    }

    fn dec(&self, v: &f64) -> String {
        self.0.decimal(v)
    }

    fn disclosed(&self, d: &Disclosed) -> String {
        match d {
            Disclosed::Count(n) => self.0.num(n),
            Disclosed::Suppressed => self.0.get("double_aid.suppressed").to_string(),
        }
    }

    fn decision(&self, d: &Option<String>) -> &str {
        self.0.get(match d.as_deref() {
            Some("accept") => "double_aid.decision.accept",
            Some("reject") => "double_aid.decision.reject",
            _ => "double_aid.decision.none",
        })
    }
}

#[derive(Template)]
#[template(path = "double_aid_list.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    rounds: Vec<RoundRecord>,
    /// Organisations the admin may invite (empty: no open form).
    invitable: Vec<(i64, String)>,
}

pub async fn list(State(state): State<AppState>, ui: Ui) -> Response {
    let result = async {
        let viewer = ui.viewer().clone();
        Ok(ListPage {
            rounds: uc::rounds(&state.store, &viewer).await?,
            invitable: uc::invitable(&state.store, &viewer).await?,
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
        })
    }
    .await;
    render(&ui, result)
}

fn bad(key: &'static str, field: &str, value: &str) -> AppError {
    AppError::bad_request(
        "error.invalid",
        Msg::new(key).arg("field", field).arg("value", value.trim()),
    )
}

/// The open form: `wilayah`, `periode`, `jenis` (comma-separated), a `mitra` checkbox per
/// organisation and `mitra_lain` (more organisation ids, comma-separated).
pub(crate) fn parse_open(fields: &[(String, String)]) -> Result<NewRound, AppError> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let region = RegionCode::parse(value("wilayah").trim())
        .map_err(|_| bad("double_aid.bad_field", "wilayah", value("wilayah")))?;
    let period = Period::parse(value("periode").trim())
        .map_err(|_| bad("double_aid.bad_field", "periode", value("periode")))?;
    let mut invite = Vec::new();
    for (k, v) in fields {
        if k == "mitra" {
            invite.push(
                v.trim()
                    .parse()
                    .map_err(|_| bad("double_aid.bad_field", "mitra", v))?,
            );
        }
    }
    for part in value("mitra_lain")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let id: i64 = part
            .parse()
            .map_err(|_| bad("double_aid.bad_field", "mitra_lain", part))?;
        if !invite.contains(&id) {
            invite.push(id);
        }
    }
    Ok(NewRound {
        region,
        period,
        aid_types: vec![value("jenis").to_string()],
        invite: invite.into_iter().map(|id| (id, None)).collect(),
    })
}

pub async fn open(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let input = match parse_open(&fields) {
        Ok(i) => i,
        Err(e) => return e.page(&ui),
    };
    match uc::open_round(&state.store, &user.viewer, &input).await {
        Ok(id) => Redirect::to(&format!("/bantuan-ganda/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "double_aid_round.html")]
struct RoundView {
    ui: Ui,
    t: Messages,
    l: Labels,
    page: RoundPage,
    /// Members not joined yet that this viewer may join for: (id, name).
    join_for: Vec<(i64, String)>,
}

pub async fn round(State(state): State<AppState>, ui: Ui, Path(id): Path<i64>) -> Response {
    let result = async {
        let viewer = ui.viewer().clone();
        let page = uc::round_page(&state.store, &viewer, id)
            .await?
            .ok_or(AppError::not_found("double_aid.not_found"))?;
        let join_for = if page.round.status == RoundStatus::Open {
            page.round
                .members
                .iter()
                .filter(|m| {
                    page.may_run
                        || viewer
                            .principal()
                            .is_some_and(|p| p.scope.organisation == Some(m.organisation_id))
                })
                .map(|m| (m.organisation_id, m.name.clone()))
                .collect()
        } else {
            Vec::new()
        };
        Ok(RoundView {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            page,
            join_for,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Default)]
struct JoinFields {
    organisation: Option<i64>,
    list: Option<i64>,
    file: Option<Vec<u8>>,
}

async fn read_join(mut multipart: Multipart) -> Result<JoinFields, String> {
    let mut f = JoinFields::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "berkas" {
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            if !bytes.is_empty() {
                f.file = Some(bytes.to_vec());
            }
            continue;
        }
        let text = field.text().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "organisasi" => f.organisation = text.trim().parse().ok(),
            "daftar" => f.list = text.trim().parse().ok(),
            _ => {}
        }
    }
    Ok(f)
}

/// Joining: the organisation, then a held list (`daftar`) or an encoded file (`berkas`).
pub async fn join(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let fields = match read_join(multipart).await {
        Ok(f) => f,
        Err(e) => {
            return AppError::bad_request(
                "error.invalid",
                Msg::new("double_aid.bad_upload").arg("reason", e),
            )
            .page(&ui);
        }
    };
    let Some(organisation) = fields.organisation else {
        return bad("double_aid.bad_field", "organisasi", "").page(&ui);
    };
    let input = match (fields.file, fields.list) {
        (Some(bytes), _) => Join::Encoded { bytes },
        (None, Some(list_id)) => Join::Held { list_id },
        (None, None) => {
            return AppError::bad_request("error.invalid", Msg::new("double_aid.join_what"))
                .page(&ui);
        }
    };
    match uc::join(&state.store, &user.viewer, id, organisation, input).await {
        Ok(_) => Redirect::to(&format!("/bantuan-ganda/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

/// One more partner invited: the form's fields, and the JSON body of
/// `POST /api/v1/bantuan-ganda/{id}/undang`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"organisasi": "12", "kontak": "data@mitra.example.id"}))]
pub struct InviteForm {
    /// The organisation's id.
    organisasi: String,
    kontak: Option<String>,
}

impl InviteForm {
    pub(crate) fn organisation(&self) -> Result<i64, AppError> {
        self.organisasi
            .trim()
            .parse::<i64>()
            .map_err(|_| bad("double_aid.bad_field", "organisasi", &self.organisasi))
    }

    pub(crate) fn contact(&self) -> Option<&str> {
        self.kontak.as_deref()
    }
}

pub async fn invite(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> Response {
    let org = match f.organisation() {
        Ok(o) => o,
        Err(e) => return e.page(&ui),
    };
    match uc::invite(&state.store, &user.viewer, id, org, f.contact()).await {
        Ok(()) => Redirect::to(&format!("/bantuan-ganda/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

async fn run_or_close(
    state: AppState,
    ui: Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
    close: bool,
) -> Response {
    match uc::run_round(&state.store, &user.viewer, id, close).await {
        Ok(_) => Redirect::to(&format!("/bantuan-ganda/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

pub async fn run(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    run_or_close(state, ui, &user, id, false).await
}

pub async fn close(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    run_or_close(state, ui, &user, id, true).await
}

#[derive(Debug, serde::Deserialize)]
pub struct DecideForm {
    keputusan: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, pair)): Path<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> Response {
    let accept = match sinergi_core::review::Decision::parse(&f.keputusan) {
        Ok(Some(sinergi_core::review::Decision::Accept)) => true,
        Ok(Some(sinergi_core::review::Decision::Reject)) => false,
        _ => return bad("double_aid.bad_field", "keputusan", &f.keputusan).page(&ui),
    };
    match uc::decide(&state.store, &user.viewer, id, pair, accept).await {
        Ok(()) => Redirect::to(&format!("/bantuan-ganda/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

/// The viewer's results as a table: a partner's flagged lines, the admin's and board's
/// counts, the public's total.
fn results_table(t: &Messages, results: &RoundResults) -> Table {
    let l = Labels(*t);
    let shown = |d: &sinergi_core::Disclosed| match d {
        sinergi_core::Disclosed::Count(n) => n.to_string(),
        sinergi_core::Disclosed::Suppressed => t.get("double_aid.suppressed").to_string(),
    };
    match results {
        RoundResults::OwnRows { flags, .. } => Table::new(
            "bantuan_ganda",
            &[
                "baris",
                "jenis_bantuan",
                "juga_dari",
                "kontak",
                "cara_pencocokan",
            ],
            flags
                .iter()
                .map(|f| {
                    vec![
                        f.line.to_string(),
                        f.aid_type.clone(),
                        f.other.clone(),
                        f.other_contact.clone(),
                        l.method(&f.method).to_string(),
                    ]
                })
                .collect(),
        ),
        RoundResults::Counts { cells, .. } => Table::new(
            "bantuan_ganda",
            &[
                // A code, kept as text: "kode_" tells the spreadsheet reader so.
                "kode_kecamatan",
                "mitra_1",
                "mitra_2",
                "jenis_bantuan",
                "jumlah",
                "cara_pencocokan",
            ],
            cells
                .iter()
                .map(|c| {
                    vec![
                        c.kecamatan.clone(),
                        c.partners.0.clone(),
                        c.partners.1.clone(),
                        c.aid_type.clone(),
                        shown(&c.count),
                        l.method(&c.method).to_string(),
                    ]
                })
                .collect(),
        ),
        RoundResults::ProvinceTotal(n) => {
            Table::new("bantuan_ganda", &["jumlah"], vec![vec![shown(n)]])
        }
        RoundResults::Nothing => Table::new("bantuan_ganda", &["jumlah"], Vec::new()),
    }
}

async fn download(state: AppState, ui: Ui, id: i64, format: TableFormat) -> Response {
    let result = async {
        let viewer = ui.viewer().clone();
        let page = uc::round_page(&state.store, &viewer, id)
            .await?
            .ok_or(AppError::not_found("double_aid.not_found"))?;
        table_download(
            format,
            &format!("bantuan-ganda-{id}"),
            results_table(&ui.t, &page.results),
        )
    }
    .await;
    result.unwrap_or_else(|e: AppError| e.page(&ui))
}

pub async fn results_csv(State(state): State<AppState>, ui: Ui, Path(id): Path<i64>) -> Response {
    download(state, ui, id, TableFormat::Csv).await
}

pub async fn results_xlsx(State(state): State<AppState>, ui: Ui, Path(id): Path<i64>) -> Response {
    download(state, ui, id, TableFormat::Xlsx).await
}
