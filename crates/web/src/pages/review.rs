//! The clerical review queue for record linkage: upload the uncertain band a `sinergi link`
//! run wrote (tinjauan.csv), accept or reject pairs, and download the verdicts for the next
//! run (`sinergi link … --keputusan keputusan.csv`). Scope and audit are the store's.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::review::Decision;
use sinergi_store::{Organisation, Page, PendingReview, ReviewQueue, ReviewedPair};

use super::render;
use crate::auth::Signed;
use crate::export::csv_download;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::{AppError, AppState, Ui};

const PAIRS_PAGE_SIZE: u32 = 20;

#[derive(Template)]
#[template(path = "review_queues.html")]
struct QueuesPage {
    ui: Ui,
    t: Messages,
    queues: Vec<ReviewQueue>,
    organisations: Vec<Organisation>,
    /// Double-aid rounds with uncertain pairs waiting (reviewed on the round's page).
    double_aid: Vec<PendingReview>,
    can_write: bool,
    error: Option<String>,
    region_picker: crate::picker::RegionPicker,
}

impl QueuesPage {
    fn undecided(&self, n: &i64) -> String {
        self.t
            .render(&sinergi_core::Msg::new("double_aid.pending_undecided").arg("n", *n))
    }
}

async fn queues_page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    error: Option<String>,
) -> Result<QueuesPage, AppError> {
    let overview = sinergi_activity::review::review_overview(&state.store, &user.viewer).await?;
    Ok(QueuesPage {
        t: ui.t,
        ui: ui.clone(),
        queues: overview.queues,
        organisations: overview.organisations,
        double_aid: overview.double_aid,
        can_write: user.principal.can_write(),
        error,
        region_picker: crate::picker::RegionPicker::load(state, ui, None).await?,
    })
}

pub async fn queues(State(state): State<AppState>, ui: Ui, Signed(user): Signed) -> Response {
    let page = queues_page(&state, &ui, &user, None).await;
    render(&ui, page)
}

pub async fn upload(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    mut multipart: Multipart,
) -> Response {
    // The role before the body: a read-only account never gets a file parsed.
    if !user.viewer.can_write() {
        return AppError::forbidden().page(&ui);
    }
    let mut file = None;
    let mut organisation = None;
    let mut region = String::new();
    let mut name = String::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().unwrap_or("") {
            "berkas" => {
                let filename = field.file_name().unwrap_or("tinjauan.csv").to_string();
                file = field.bytes().await.ok().map(|b| (filename, b.to_vec()));
            }
            "organisasi" => {
                organisation = field
                    .text()
                    .await
                    .ok()
                    .and_then(|t| t.trim().parse::<i64>().ok())
            }
            "wilayah" => region = field.text().await.unwrap_or_default(),
            "nama" => name = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let outcome = async {
        let (filename, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| ui.t.get("lists.no_file").to_string())?;
        let organisation =
            organisation.ok_or_else(|| ui.t.get("lists.no_organisation").to_string())?;
        let region = super::optional_region(Some(&region))
            .map_err(|e| e.detail_text(ui.t).unwrap_or_default())?
            .ok_or_else(|| ui.t.get("review.region_required").to_string())?;
        sinergi_activity::review::open_review_queue(
            &state.store,
            &user.viewer,
            sinergi_activity::review::ReviewUpload {
                bytes: &bytes,
                name,
                file_name: filename,
                organisation_id: organisation,
                region,
            },
        )
        .await
        .map_err(|e| match AppError::from(e) {
            AppError {
                detail: Some(d), ..
            } => ui.t.render(&d),
            other => ui.t.get(other.key).to_string(),
        })
    }
    .await;
    match outcome {
        Ok(id) => Redirect::to(&format!("/tautan/{id}")).into_response(),
        Err(message) => {
            let page = queues_page(&state, &ui, &user, Some(message)).await;
            let mut resp = render(&ui, page);
            *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            resp
        }
    }
}

#[derive(Template)]
#[template(path = "review_pairs.html")]
struct PairsPage {
    ui: Ui,
    t: Messages,
    queue: ReviewQueue,
    pairs: Vec<ReviewedPair>,
    total: u64,
    open_only: bool,
    can_write: bool,
    can_reveal: bool,
    /// A value revealed on request: (pair, field, right side, full value).
    revealed: Option<(i64, usize, bool, String)>,
    pager: Option<Pager>,
}

impl PairsPage {
    fn percent(&self, p: &f64) -> String {
        format!("{:.1}", p * 100.0)
    }

    fn weight(&self, w: &f64) -> String {
        format!("{w:+.2}")
    }

    /// A compared value as shown: masked for NIK/No. KK unless just revealed.
    fn cell(&self, p: &ReviewedPair, i: &usize, right: bool) -> String {
        if let Some((no, f, side, value)) = &self.revealed
            && *no == p.pair_no
            && f == i
            && *side == right
        {
            return value.clone();
        }
        p.pair
            .fields
            .get(*i)
            .map(|f| if right { f.1.clone() } else { f.0.clone() })
            .unwrap_or_default()
    }

    /// Whether a reveal button belongs beside this value.
    fn revealable(&self, p: &ReviewedPair, i: &usize, right: bool) -> bool {
        self.can_reveal
            && p.identifiers.get(*i).is_some_and(|s| s[usize::from(right)])
            && !matches!(&self.revealed, Some((no, f, side, _)) if *no == p.pair_no && f == i && *side == right)
    }

    fn verdict_key(&self, d: &Option<Decision>) -> &'static str {
        match d {
            Some(Decision::Accept) => "review.accepted",
            Some(Decision::Reject) => "review.rejected",
            None => "review.open",
        }
    }
}

#[derive(Deserialize)]
pub struct PairsQuery {
    hal: Option<u32>,
    semua: Option<u8>,
}

pub async fn pairs(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PairsQuery>,
) -> Response {
    let result = pairs_page(&state, &ui, &user, id, &q, None).await;
    render(&ui, result)
}

#[derive(Deserialize)]
pub struct RevealForm {
    kolom: usize,
    sisi: String,
    hal: Option<u32>,
    semua: Option<u8>,
}

/// `POST /tautan/{id}/{pair}/buka`: one NIK or No. KK of a pair in full, for roles allowed to
/// reveal (the store refuses the others and audits each reveal); the page is shown again with
/// that value open.
pub async fn reveal(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, pair_no)): Path<(i64, i64)>,
    Form(form): Form<RevealForm>,
) -> Response {
    let result = async {
        let right = match form.sisi.as_str() {
            "kiri" => false,
            "kanan" => true,
            _ => {
                return Err(AppError::bad_request(
                    "error.invalid",
                    sinergi_core::Msg::new("security.review_side"),
                ));
            }
        };
        let value = state
            .store
            .scoped(&user.viewer)
            .reveal_review_value(id, pair_no, form.kolom, right)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let q = PairsQuery {
            hal: form.hal,
            semua: form.semua,
        };
        pairs_page(
            &state,
            &ui,
            &user,
            id,
            &q,
            Some((pair_no, form.kolom, right, value)),
        )
        .await
    }
    .await;
    render(&ui, result)
}

async fn pairs_page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    id: i64,
    q: &PairsQuery,
    revealed: Option<(i64, usize, bool, String)>,
) -> Result<PairsPage, AppError> {
    {
        let open_only = q.semua.is_none();
        let queue = state
            .store
            .scoped(&user.viewer)
            .review_queue(id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let page = Page::new(q.hal, None, PAIRS_PAGE_SIZE);
        let paged = state
            .store
            .scoped(&user.viewer)
            .review_pairs(id, open_only, page)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let base = format!("/tautan/{id}");
        let params: Vec<(&str, &str)> = if open_only {
            vec![]
        } else {
            vec![("semua", "1")]
        };
        Ok(PairsPage {
            t: ui.t,
            ui: ui.clone(),
            queue,
            total: paged.total,
            pager: (paged.pages() > 1).then(|| Pager::new(&paged, &base, &params)),
            pairs: paged.items,
            open_only,
            can_write: user.principal.can_write(),
            can_reveal: user.viewer.can_reveal(),
            revealed,
        })
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    keputusan: String,
    kembali: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, pair_no)): Path<(i64, i64)>,
    Form(form): Form<DecideForm>,
) -> Response {
    let result = async {
        let decision = Decision::parse(&form.keputusan)
            .map_err(|e| AppError::bad_request("error.invalid", sinergi_core::Localized::msg(&e)))?
            .ok_or_else(|| {
                AppError::bad_request(
                    "error.invalid",
                    sinergi_core::Msg::new("error.field_required").arg("field", "keputusan"),
                )
            })?;
        if !state
            .store
            .scoped(&user.viewer)
            .decide_review_pair(id, pair_no, decision)
            .await?
        {
            return Err(AppError::not_found("error.not_found"));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            Redirect::to(&crate::auth::safe_return_path(form.kembali.as_deref())).into_response()
        }
        Err(e) => e.page(&ui),
    }
}

/// The verdicts in the shape `sinergi link --keputusan` reads.
pub async fn decisions(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    match state.store.scoped(&user.viewer).review_decisions(id).await {
        Ok(Some(rows)) => csv_download(
            &format!("keputusan-{id}.csv"),
            &["id_kiri", "id_kanan", "keputusan"],
            rows.into_iter()
                .map(|(l, r, d)| vec![l, r, d.label().to_string()])
                .collect(),
        ),
        Ok(None) => AppError::not_found("error.not_found").page(&ui),
        Err(e) => AppError::from(e).page(&ui),
    }
}
