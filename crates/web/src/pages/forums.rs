//! Forums (issue 21): the forums list, a forum's history, the meeting page (agenda,
//! attendance, decisions, actions, closing), the calendar of coming meetings, the actions
//! overview with overdue ones highlighted, attendance counts, and the XLSX exports. Each
//! handler parses its form, calls one use case in `activity::forums` and renders the result.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use sinergi_activity::forums as uc;
use sinergi_core::RegionCode;
use sinergi_core::forum::{
    ActionStatus, LinkKind, MeetingKind, MeetingStatus, Rsvp, action_status_key,
    meeting_status_key, rules,
};
use sinergi_core::institution::Helix;
use sinergi_store::{
    ActionFilter, ActionRow, AttendanceCounts, AuditEvent, Forum, MeetingRecord, MeetingSummary,
    MinutesFile, NewAction, NewDecision, NewForum, NewInvitee, NewMeeting, OwnInvitation, Page,
    Paged, RegistryOrganisation, RsvpCounts,
};

use crate::auth::Signed;
use crate::export::{Table, TableFormat, table_download};
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::pages::render;
use crate::{AppError, AppState, Ui};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forum", get(list).post(create_forum))
        .route("/forum/kalender", get(calendar))
        .route("/forum/kehadiran", get(attendance))
        .route("/forum/kapasitas", get(capacity))
        .route("/forum/tindak-lanjut", get(actions))
        .route("/forum/tindak-lanjut.xlsx", get(actions_xlsx))
        .route("/forum/tindak-lanjut/{id}", post(update_action))
        .route("/forum/undangan", get(own_invitations))
        .route("/forum/rapat/{id}", get(meeting))
        .route("/forum/rapat/{id}/notulen-berkas.pdf", get(minutes_file))
        .route("/forum/rapat/{id}/jawab", post(answer))
        .route("/forum/rapat/{id}/kehadiran.xlsx", get(attendance_xlsx))
        .route("/forum/rapat/{id}/daftar-hadir", post(upload_sheet))
        .route("/forum/rapat/{id}/notulen.pdf", get(minutes_pdf))
        .route("/forum/rapat/{id}/undang", post(invite))
        .route("/forum/rapat/{id}/hadir", post(check_in))
        .route("/forum/rapat/{id}/centang/{inv}", post(tick))
        .route("/forum/rapat/{id}/keputusan", post(add_decision))
        .route("/forum/rapat/{id}/tindak-lanjut", post(add_action))
        .route("/forum/rapat/{id}/terlaksana", post(mark_held))
        .route(
            "/forum/rapat/{id}/tutup",
            // Room above the PDF limit, so a file somewhat over it is read and refused with
            // its size rather than cut off.
            post(close).layer(axum::extract::DefaultBodyLimit::max(
                2 * sinergi_core::forum::MAX_MINUTES_PDF_BYTES as usize,
            )),
        )
        .route("/forum/{id}", get(history).post(plan_meeting))
}

pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn blank_none(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn parse_date_field(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    sinergi_core::parse_date(value.trim()).map_err(|_| {
        AppError::bad_request(
            "error.invalid",
            sinergi_core::Msg::new("forum.bad_date")
                .arg("field", field)
                .arg("value", value.trim()),
        )
    })
}

fn kind_of(value: &str) -> Result<MeetingKind, AppError> {
    MeetingKind::from_key(value).ok_or_else(|| {
        AppError::bad_request(
            "error.invalid",
            sinergi_core::Msg::new("forum.kind_unknown").arg("value", value.trim()),
        )
    })
}

fn link_of(kind: &Option<String>, reference: &Option<String>) -> Option<(LinkKind, String)> {
    let kind = LinkKind::from_key(blank_none(kind)?.as_str())?;
    Some((kind, blank_none(reference)?))
}

fn done(
    result: Result<impl Sized, sinergi_activity::ActivityError>,
    ui: &Ui,
    to: String,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&to).into_response(),
        Err(e) => AppError::from(e).page(ui),
    }
}

/// Labels of the keyed values the templates show.
struct Labels(Messages);

impl Labels {
    fn kind(&self, k: &MeetingKind) -> String {
        self.0.get(&format!("forum.kind.{}", k.key())).to_string()
    }

    fn status(&self, s: &MeetingStatus) -> &str {
        self.0.get(meeting_status_key(*s))
    }

    fn action(&self, s: &ActionStatus) -> &str {
        self.0.get(action_status_key(*s))
    }

    fn rsvp(&self, r: &Rsvp) -> String {
        self.0.get(&format!("forum.rsvp.{}", r.key())).to_string()
    }

    fn helix(&self, h: &str) -> String {
        if h.is_empty() {
            self.0.get("forum.helix_unknown").to_string()
        } else {
            self.0.get(&format!("partner.helix.{h}")).to_string()
        }
    }
}

#[derive(Template)]
#[template(path = "forum_list.html")]
struct ListPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    forums: Vec<Forum>,
    /// LKKS this viewer may open a forum for: (id, name).
    lkks: Vec<(i64, String)>,
    kinds: Vec<MeetingKind>,
}

pub async fn list(State(state): State<AppState>, ui: Ui, Signed(user): Signed) -> Response {
    let result = async {
        let forums = uc::forums(&state.store, &user.viewer).await?;
        let lkks = uc::lkks_for_new_forum(&state.store, &user.viewer).await?;
        Ok(ListPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            forums,
            lkks,
            kinds: MeetingKind::ALL.to_vec(),
        })
    }
    .await;
    render(&ui, result)
}

/// A new forum: the form's fields, and the JSON body of `POST /api/v1/forum`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"lkks": 1, "nama": "Rapat Koordinasi LKKS", "jenis": "koordinasi"}))]
pub struct ForumForm {
    /// Id of the LKKS that owns the forum.
    lkks: i64,
    nama: String,
    /// Meeting kind key, e.g. `koordinasi`.
    jenis: String,
    keterangan: Option<String>,
}

impl ForumForm {
    pub(crate) fn input(self) -> Result<NewForum, AppError> {
        Ok(NewForum {
            lkks_id: self.lkks,
            name: self.nama,
            kind: kind_of(&self.jenis)?,
            description: self.keterangan,
        })
    }
}

pub async fn create_forum(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(f): Form<ForumForm>,
) -> Response {
    let input = match f.input() {
        Ok(i) => i,
        Err(e) => return e.page(&ui),
    };
    match uc::create_forum(&state.store, &user.viewer, &input).await {
        Ok(id) => Redirect::to(&format!("/forum/{id}")).into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "forum_history.html")]
struct HistoryPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    forum: Forum,
    meetings: Paged<MeetingSummary>,
    pager: Option<Pager>,
    can_manage: bool,
    kinds: Vec<MeetingKind>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub(crate) hal: Option<u32>,
    /// Keyset cursors: the meetings older than / newer than this meeting.
    sebelum: Option<i64>,
    setelah: Option<i64>,
}

impl PageQuery {
    pub(crate) fn cursor(&self) -> Option<sinergi_store::HistoryCursor> {
        use sinergi_store::HistoryCursor;
        match (self.sebelum, self.setelah) {
            (Some(id), _) => Some(HistoryCursor::Before(id)),
            (None, Some(id)) => Some(HistoryCursor::After(id)),
            (None, None) => None,
        }
    }
}

pub async fn history(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    let result = async {
        let h = uc::forum_history(
            &state.store,
            &user.viewer,
            id,
            Page::new(q.hal, None, 50),
            q.cursor(),
        )
        .await?
        .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let base = format!("/forum/{id}");
        let pager = (h.meetings.pages() > 1).then(|| {
            Pager::keyset(
                &h.meetings,
                &base,
                h.meetings.items.first().map(|m| m.id),
                h.meetings.items.last().map(|m| m.id),
            )
        });
        let can_manage = RegionCode::parse(&h.forum.region)
            .is_ok_and(|c| rules::may_manage_forum(&user.viewer, &c));
        Ok(HistoryPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            forum: h.forum,
            meetings: h.meetings,
            pager,
            can_manage,
            kinds: MeetingKind::ALL.to_vec(),
        })
    }
    .await;
    render(&ui, result)
}

/// A meeting planned: the form's fields, and the JSON body of `POST /api/v1/forum/{id}/rapat`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"judul": "Rakor Juni", "jenis": "koordinasi", "tanggal": "2025-06-25", "jam": "09:30", "komisi": "Komisi A; Komisi B", "agenda": "Komisi A: Data PPKS\nRencana kerja"}))]
pub struct MeetingForm {
    judul: String,
    jenis: String,
    tanggal: String,
    jam: String,
    tempat: Option<String>,
    tautan: Option<String>,
    penyelenggara: Option<String>,
    /// One per line or separated by ";".
    komisi: Option<String>,
    topik: Option<String>,
    /// One agenda item per line; "Komisi A: judul" gives it to a commission.
    agenda: Option<String>,
}

fn items(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .unwrap_or("")
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl MeetingForm {
    pub(crate) fn input(&self, forum_id: i64) -> Result<NewMeeting, AppError> {
        let kind = kind_of(&self.jenis)?;
        let date = parse_date_field("tanggal", &self.tanggal)?;
        let time = NaiveTime::parse_from_str(self.jam.trim(), "%H:%M").map_err(|_| {
            AppError::bad_request(
                "error.invalid",
                sinergi_core::Msg::new("forum.bad_time").arg("value", self.jam.trim()),
            )
        })?;
        let commissions = items(&self.komisi);
        let agenda = self
            .agenda
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|line| match line.split_once(':') {
                Some((c, title)) if commissions.iter().any(|k| k == c.trim()) => {
                    (title.trim().to_string(), Some(c.trim().to_string()))
                }
                _ => (line.to_string(), None),
            })
            .collect();
        let input = NewMeeting {
            forum_id,
            title: self.judul.clone(),
            kind,
            date,
            time,
            place: self.tempat.clone(),
            online_link: self.tautan.clone(),
            organiser: self.penyelenggara.clone(),
            commissions,
            topics: items(&self.topik),
            agenda,
        };
        Ok(input)
    }
}

pub async fn plan_meeting(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<MeetingForm>,
) -> Response {
    let result = async {
        let input = f.input(id)?;
        Ok::<_, AppError>(uc::plan_meeting(&state.store, &user.viewer, &input).await?)
    }
    .await;
    match result {
        Ok(m) => Redirect::to(&format!("/forum/rapat/{m}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Template)]
#[template(path = "forum_meeting.html")]
struct MeetingPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    rec: MeetingRecord,
    rsvp: RsvpCounts,
    can_manage: bool,
    today: NaiveDate,
    helixes: Vec<Helix>,
    links: Vec<LinkKind>,
    statuses: Vec<ActionStatus>,
    answers: Vec<Rsvp>,
    /// The registry search in the invitation form: what was asked and what matched.
    org_query: String,
    org_found: Vec<RegistryOrganisation>,
}

impl MeetingPage {
    fn may_update(&self, a: &ActionRow) -> bool {
        RegionCode::parse(&a.region)
            .is_ok_and(|c| rules::may_update_action(self.ui.viewer(), &c, a.owner_org_id))
    }

    fn open(&self) -> bool {
        !self.rec.meeting.status.is_frozen()
    }

    fn planned(&self) -> bool {
        self.rec.meeting.status == MeetingStatus::Direncanakan
    }

    /// The registered organisations invited to this meeting, once each: who may own an
    /// action.
    fn invited_organisations(&self) -> Vec<(i64, String)> {
        let mut out: Vec<(i64, String)> = Vec::new();
        for i in &self.rec.invitations {
            if let (Some(id), Some(name)) = (i.organisation_id, &i.organisation_name)
                && !out.iter().any(|(o, _)| *o == id)
            {
                out.push((id, name.clone()));
            }
        }
        out
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MeetingQuery {
    /// A name to look for in the partner, LKS and LKKS registries (the invitation form).
    cari_organisasi: Option<String>,
}

pub async fn meeting(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<MeetingQuery>,
) -> Response {
    let result = async {
        let rec = uc::meeting(&state.store, &user.viewer, id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let can_manage = RegionCode::parse(&rec.meeting.region)
            .is_ok_and(|c| rules::may_manage_forum(&user.viewer, &c));
        let org_query = q.cari_organisasi.unwrap_or_default().trim().to_string();
        let org_found = if can_manage && !rec.meeting.status.is_frozen() {
            uc::invitable_organisations(&state.store, &user.viewer, id, &org_query).await?
        } else {
            Vec::new()
        };
        Ok(MeetingPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            rsvp: rec.rsvp_counts(),
            rec,
            can_manage,
            today: today(),
            helixes: Helix::ALL.to_vec(),
            links: LinkKind::ALL.to_vec(),
            statuses: ActionStatus::ALL.to_vec(),
            answers: Rsvp::ALL.to_vec(),
            org_query,
            org_found,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    /// An organisation picked from the registries.
    organisasi_id: Option<String>,
    /// A guest not in the registries: the body they come from, as text.
    organisasi: Option<String>,
    peran: Option<String>,
    nama: Option<String>,
    jenis_kelamin: Option<String>,
    disabilitas: Option<String>,
}

pub async fn invite(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> Response {
    let organisation_id = blank_none(&f.organisasi_id).and_then(|o| o.parse().ok());
    let input = NewInvitee {
        organisation_id,
        organisation_name: if organisation_id.is_some() {
            None
        } else {
            f.organisasi
        },
        helix: blank_none(&f.peran).and_then(|h| Helix::from_key(&h)),
        person_name: f.nama,
        sex: f.jenis_kelamin,
        disability: f.disabilitas.is_some(),
    };
    done(
        uc::invite(&state.store, &user.viewer, id, &input).await,
        &ui,
        format!("/forum/rapat/{id}#kehadiran"),
    )
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    kode: String,
    diwakili: Option<String>,
}

pub async fn check_in(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<CheckInForm>,
) -> Response {
    done(
        uc::check_in(&state.store, &user.viewer, id, &f.kode, f.diwakili).await,
        &ui,
        format!("/forum/rapat/{id}#kehadiran"),
    )
}

#[derive(Debug, Deserialize)]
pub struct TickForm {
    hadir: Option<String>,
    diwakili: Option<String>,
}

pub async fn tick(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path((id, inv)): Path<(i64, i64)>,
    Form(f): Form<TickForm>,
) -> Response {
    let present = f.hadir.as_deref() == Some("1");
    done(
        uc::mark_present(&state.store, &user.viewer, id, inv, present, f.diwakili).await,
        &ui,
        format!("/forum/rapat/{id}#kehadiran"),
    )
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// The invitation answered.
    undangan: i64,
    jawaban: String,
    diwakili: Option<String>,
    kembali: Option<String>,
}

/// An invitee's answer (attending, not attending, represented by), by the secretary on the
/// meeting page or by the invited organisation on its invitations page.
pub async fn answer(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Response {
    let inv = f.undangan;
    let Some(rsvp) = Rsvp::from_key(&f.jawaban) else {
        return AppError::bad_request(
            "error.invalid",
            sinergi_core::Msg::new("forum.rsvp_unknown").arg("value", f.jawaban.trim()),
        )
        .page(&ui);
    };
    let back = f
        .kembali
        .filter(|k| k.starts_with("/forum") && !k.starts_with("//"))
        .unwrap_or_else(|| format!("/forum/rapat/{id}#kehadiran"));
    match uc::answer_invitation(&state.store, &user.viewer, id, inv, rsvp, f.diwakili).await {
        Ok(true) => Redirect::to(&back).into_response(),
        Ok(false) => AppError::not_found("error.not_found").page(&ui),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "forum_invitations.html")]
struct InvitationsPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    rows: Vec<OwnInvitation>,
    answers: Vec<Rsvp>,
}

/// The invitations of the signed-in organisation, each with its answer form.
pub async fn own_invitations(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
) -> Response {
    let result = async {
        let rows = uc::own_invitations(&state.store, &user.viewer).await?;
        Ok::<_, AppError>(InvitationsPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            rows,
            answers: Rsvp::ALL.to_vec(),
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    agenda: Option<String>,
    teks: String,
    jenis: Option<String>,
    oleh: Option<String>,
    kaitan: Option<String>,
    rujukan: Option<String>,
}

pub async fn add_decision(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let input = NewDecision {
        agenda_item_id: blank_none(&f.agenda).and_then(|a| a.parse().ok()),
        text: f.teks,
        kind: f.jenis,
        decided_by: f.oleh,
        link: link_of(&f.kaitan, &f.rujukan),
    };
    done(
        uc::add_decision(&state.store, &user.viewer, id, &input).await,
        &ui,
        format!("/forum/rapat/{id}#keputusan"),
    )
}

/// A follow-up action: the form's fields, and the JSON body of
/// `POST /api/v1/forum/rapat/{id}/tindak-lanjut`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"judul": "Kirim data PPKS", "penanggung_jawab": "Sekretaris", "tenggat": "2025-07-31"}))]
pub struct ActionForm {
    keputusan: Option<String>,
    judul: String,
    penanggung_jawab: Option<String>,
    /// The owning organisation: the forum's LKKS or a registered organisation invited.
    organisasi_id: Option<String>,
    organisasi: Option<String>,
    tenggat: String,
    kaitan: Option<String>,
    rujukan: Option<String>,
}

impl ActionForm {
    pub(crate) fn input(self) -> Result<NewAction, AppError> {
        let deadline = parse_date_field("tenggat", &self.tenggat)?;
        let owner_org_id = blank_none(&self.organisasi_id).and_then(|o| o.parse().ok());
        Ok(NewAction {
            decision_id: blank_none(&self.keputusan).and_then(|d| d.parse().ok()),
            title: self.judul,
            owner_person: self.penanggung_jawab,
            owner_org_id,
            owner_org_name: if owner_org_id.is_some() {
                None
            } else {
                self.organisasi
            },
            deadline,
            link: link_of(&self.kaitan, &self.rujukan),
        })
    }
}

pub async fn add_action(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    let input = match f.input() {
        Ok(i) => i,
        Err(e) => return e.page(&ui),
    };
    done(
        uc::add_action(&state.store, &user.viewer, id, &input).await,
        &ui,
        format!("/forum/rapat/{id}#tindak-lanjut"),
    )
}

/// An action's new status: the form's fields, and the JSON body of
/// `POST /api/v1/forum/tindak-lanjut/{id}` (which ignores `kembali`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "berjalan"}))]
pub struct ActionStatusForm {
    /// `terbuka`, `berjalan`, `selesai` or `dibatalkan`.
    status: String,
    /// Evidence of completion (needed to close).
    bukti: Option<String>,
    kembali: Option<String>,
}

impl ActionStatusForm {
    pub(crate) fn status(&self) -> Result<ActionStatus, AppError> {
        ActionStatus::from_key(&self.status).ok_or_else(|| {
            AppError::bad_request(
                "error.invalid",
                sinergi_core::Msg::new("forum.status_unknown").arg("value", self.status.trim()),
            )
        })
    }

    pub(crate) fn evidence(&self) -> Option<String> {
        self.bukti.clone()
    }
}

pub async fn update_action(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ActionStatusForm>,
) -> Response {
    let to = match f.status() {
        Ok(to) => to,
        Err(e) => return e.page(&ui),
    };
    // Only a local path is followed back.
    let back = f
        .kembali
        .filter(|k| k.starts_with("/forum") && !k.starts_with("//"))
        .unwrap_or_else(|| "/forum/tindak-lanjut".into());
    done(
        uc::update_action(&state.store, &user.viewer, id, to, f.bukti, today()).await,
        &ui,
        back,
    )
}

pub async fn mark_held(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    done(
        uc::mark_held(&state.store, &user.viewer, id).await,
        &ui,
        format!("/forum/rapat/{id}"),
    )
}

/// Closing: the minutes text (`notulen`), the minutes as a PDF (`berkas`), the count kept
/// on paper (`jumlah_hadir`), sent as a multipart form.
pub async fn close(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let mut minutes = None;
    let mut file = None;
    let mut counted = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return upload_failed(&ui, e),
        };
        match field.name().unwrap_or("") {
            "berkas" => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) => {
                        file = Some(MinutesFile {
                            name,
                            bytes: b.to_vec(),
                        })
                    }
                    Err(e) => return upload_failed(&ui, e),
                }
            }
            name @ ("notulen" | "jumlah_hadir") => {
                let name = name.to_string();
                let text = match field.text().await {
                    Ok(t) => t,
                    Err(e) => return upload_failed(&ui, e),
                };
                if name == "notulen" {
                    minutes = Some(text);
                } else {
                    counted = blank_none(&Some(text)).and_then(|n| n.parse().ok());
                }
            }
            _ => {}
        }
    }
    done(
        uc::close_meeting(&state.store, &user.viewer, id, minutes, file, counted).await,
        &ui,
        format!("/forum/rapat/{id}"),
    )
}

fn upload_failed(ui: &Ui, e: axum::extract::multipart::MultipartError) -> Response {
    AppError::bad_request(
        "error.invalid",
        sinergi_core::Msg::new("forum.sheet.upload_failed").arg("reason", e.body_text()),
    )
    .page(ui)
}

/// The minutes PDF uploaded at closing, as it was kept (audited).
pub async fn minutes_file(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    match uc::minutes_file(&state.store, &user.viewer, id).await {
        Ok(Some(f)) => crate::export::file_download(&f.name, "application/pdf", f.bytes),
        Ok(None) => AppError::not_found("error.not_found").page(&ui),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "forum_actions.html")]
struct ActionsPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    rows: Paged<ActionRow>,
    pager: Option<Pager>,
    today: NaiveDate,
    overdue_only: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionsQuery {
    pub(crate) terlambat: Option<String>,
    status: Option<String>,
    pub(crate) forum: Option<i64>,
    pub(crate) hal: Option<u32>,
}

impl ActionsQuery {
    pub(crate) fn filter(&self) -> ActionFilter {
        ActionFilter {
            forum: self.forum,
            status: self.status.as_deref().and_then(ActionStatus::from_key),
            overdue_on: self.overdue().then(today),
            ..ActionFilter::default()
        }
    }

    fn overdue(&self) -> bool {
        self.terlambat.as_deref() == Some("1")
    }
}

pub async fn actions(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ActionsQuery>,
) -> Response {
    let result = async {
        let rows = uc::actions_overview(
            &state.store,
            &user.viewer,
            &q.filter(),
            Page::new(q.hal, None, 50),
        )
        .await?;
        let forum = q.forum.map(|f| f.to_string());
        let keep: Vec<(&str, &str)> = [
            ("terlambat", &q.terlambat),
            ("status", &q.status),
            ("forum", &forum),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect();
        let pager = (rows.pages() > 1).then(|| Pager::new(&rows, "/forum/tindak-lanjut", &keep));
        Ok::<_, AppError>(ActionsPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            rows,
            pager,
            today: today(),
            overdue_only: q.overdue(),
        })
    }
    .await;
    render(&ui, result)
}

fn action_table(t: Messages, rows: &[ActionRow], today: NaiveDate) -> Table {
    let l = Labels(t);
    Table::new(
        "tindak_lanjut",
        &[
            "forum",
            "rapat",
            "tindak_lanjut",
            "penanggung_jawab",
            "organisasi",
            "tenggat",
            "status",
            "terlambat",
            "bukti",
            "tanggal_selesai",
            "kaitan",
        ],
        rows.iter()
            .map(|a| {
                vec![
                    a.forum_name.clone(),
                    a.meeting_title.clone(),
                    a.title.clone(),
                    a.owner_person.clone().unwrap_or_default(),
                    a.owner_org_name.clone().unwrap_or_default(),
                    a.deadline.format("%Y-%m-%d").to_string(),
                    l.action(&a.status).to_string(),
                    if a.is_overdue(today) { "ya" } else { "" }.to_string(),
                    a.evidence.clone().unwrap_or_default(),
                    a.closed_on
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    match (&a.link_kind, &a.link_ref) {
                        (Some(k), Some(r)) => format!("{}:{r}", k.key()),
                        _ => String::new(),
                    },
                ]
            })
            .collect(),
    )
}

pub async fn actions_xlsx(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<ActionsQuery>,
) -> Response {
    let result = async {
        let rows = uc::actions_overview(
            &state.store,
            &user.viewer,
            &q.filter(),
            Page::new(None, Some(Page::MAX_SIZE), Page::MAX_SIZE),
        )
        .await?;
        table_download(
            TableFormat::Xlsx,
            "tindak-lanjut",
            action_table(ui.t, &rows.items, today()),
        )
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

pub async fn attendance_xlsx(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let rec = uc::meeting(&state.store, &user.viewer, id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        // Names of people leave the system: the export is audited like any by-name export.
        state
            .store
            .record(
                &AuditEvent::new(&user.viewer, "meeting.export", "meeting")
                    .id(id)
                    .region(&rec.meeting.region)
                    .after(serde_json::json!({ "baris": rec.invitations.len() })),
            )
            .await?;
        let l = Labels(ui.t);
        let rows = rec
            .invitations
            .iter()
            .map(|i| {
                vec![
                    i.organisation_name.clone().unwrap_or_default(),
                    i.helix.map(|h| l.helix(h.key())).unwrap_or_default(),
                    i.person_name.clone().unwrap_or_default(),
                    i.sex.clone().unwrap_or_default(),
                    if i.disability { "ya" } else { "" }.to_string(),
                    l.rsvp(&i.rsvp),
                    if i.present { "hadir" } else { "" }.to_string(),
                    i.represented_by.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let table = Table::new(
            "kehadiran",
            &[
                "organisasi",
                "peran",
                "nama",
                "jenis_kelamin",
                "disabilitas",
                "rsvp",
                "hadir",
                "diwakili",
            ],
            rows,
        );
        table_download(TableFormat::Xlsx, &format!("kehadiran-rapat-{id}"), table)
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

#[derive(Template)]
#[template(path = "forum_calendar.html")]
struct CalendarPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    meetings: Vec<MeetingSummary>,
}

pub async fn calendar(State(state): State<AppState>, ui: Ui, Signed(user): Signed) -> Response {
    let result = async {
        let meetings =
            uc::calendar(&state.store, &user.viewer, chrono::Utc::now().naive_utc()).await?;
        Ok::<_, AppError>(CalendarPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            meetings,
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "forum_attendance.html")]
struct AttendancePage {
    ui: Ui,
    t: Messages,
    l: Labels,
    counts: AttendanceCounts,
    year: Option<i32>,
    kind: Option<MeetingKind>,
    kinds: Vec<MeetingKind>,
}

#[derive(Debug, Deserialize)]
pub struct AttendanceQuery {
    tahun: Option<String>,
    jenis: Option<String>,
}

pub async fn attendance(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<AttendanceQuery>,
) -> Response {
    let result = async {
        let year = blank_none(&q.tahun).and_then(|y| y.parse().ok());
        let kind = blank_none(&q.jenis).and_then(|k| MeetingKind::from_key(&k));
        let counts = uc::attendance(&state.store, &user.viewer, kind, year).await?;
        Ok::<_, AppError>(AttendancePage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            counts,
            year,
            kind,
            kinds: MeetingKind::ALL.to_vec(),
        })
    }
    .await;
    render(&ui, result)
}

#[derive(Template)]
#[template(path = "forum_sheet.html")]
struct SheetPage {
    ui: Ui,
    t: Messages,
    meeting_id: i64,
    outcome: Option<sinergi_store::SheetOutcome>,
    rejected: Vec<sinergi_intake::RowError>,
}

/// The attendance sheet of a meeting, uploaded as the multipart field `berkas` (CSV/XLSX):
/// recorded through one use case, or refused with every row's reason.
pub async fn upload_sheet(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut unreadable = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("berkas") => {
                let name = field.file_name().unwrap_or("daftar-hadir.csv").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        unreadable = Some(e.to_string());
                        break;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                unreadable = Some(e.to_string());
                break;
            }
        }
    }
    if let Some(reason) = unreadable {
        return AppError::bad_request(
            "error.invalid",
            sinergi_core::Msg::new("forum.sheet.upload_failed").arg("reason", reason),
        )
        .page(&ui);
    }
    let (name, bytes) = file.unwrap_or_default();
    let result = uc::import_attendance_sheet(&state.store, &user.viewer, id, &name, &bytes).await;
    let page = match result {
        Ok(uc::SheetImport::Stored { outcome, .. }) => SheetPage {
            t: ui.t,
            ui: ui.clone(),
            meeting_id: id,
            outcome: Some(outcome),
            rejected: Vec::new(),
        },
        Ok(uc::SheetImport::Refused(rejected)) => SheetPage {
            t: ui.t,
            ui: ui.clone(),
            meeting_id: id,
            outcome: None,
            rejected,
        },
        Err(e) => return AppError::from(e).page(&ui),
    };
    let refused = page.outcome.is_none();
    let mut resp = render(&ui, Ok::<_, AppError>(page));
    if refused {
        *resp.status_mut() = StatusCode::BAD_REQUEST;
    }
    resp
}

/// The minutes as a PDF with the deployment's letterhead (audited: they name participants).
pub async fn minutes_pdf(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let (rec, kop) = uc::minutes(&state.store, &user.viewer, id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let l = Labels(ui.t);
        let m = &rec.meeting;
        let input = sinergi_report::minutes::MinutesInput {
            title: m.title.clone(),
            forum: m.forum_name.clone(),
            kind: l.kind(&m.kind),
            when: format!("{} {}", m.starts.format("%Y-%m-%d %H:%M"), m.zone),
            place: m.place.clone().or_else(|| m.online_link.clone()),
            organiser: m.organiser.clone(),
            status: l.status(&m.status).to_string(),
            commissions: m.commissions.clone(),
            agenda: rec
                .agenda
                .iter()
                .map(|a| match &a.commission {
                    Some(c) => format!("{} ({c})", a.title),
                    None => a.title.clone(),
                })
                .collect(),
            invited: rec.invitations.len(),
            present: rec.present(),
            attendance_count: m.attendance_count,
            participants: rec
                .invitations
                .iter()
                .filter(|i| i.present)
                .map(|i| {
                    [
                        match (&i.person_name, &i.represented_by) {
                            (Some(n), Some(r)) => {
                                format!("{r} ({} {n})", ui.t.get("forum.represented_by"))
                            }
                            (Some(n), None) => n.clone(),
                            (None, Some(r)) => r.clone(),
                            (None, None) => String::new(),
                        },
                        i.organisation_name.clone().unwrap_or_default(),
                        i.helix.map(|h| l.helix(h.key())).unwrap_or_default(),
                    ]
                })
                .collect(),
            decisions: rec
                .decisions
                .iter()
                .map(|d| match &d.decided_by {
                    Some(b) => format!("{} — {b}", d.text),
                    None => d.text.clone(),
                })
                .collect(),
            actions: rec
                .actions
                .iter()
                .map(|a| {
                    [
                        a.title.clone(),
                        [a.owner_person.clone(), a.owner_org_name.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", "),
                        a.deadline.format("%Y-%m-%d").to_string(),
                        l.action(&a.status).to_string(),
                    ]
                })
                .collect(),
            minutes: m.minutes.clone(),
            minutes_file: m.minutes_file.clone(),
            minutes_hash: m.minutes_hash.clone(),
        };
        let letterhead = sinergi_report::Letterhead {
            lines: kop.lines,
            logo_jpeg: kop.logo_jpeg_base64.and_then(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(b).ok()
            }),
        };
        let doc = sinergi_report::minutes::minutes_document(
            &input,
            &super::strategy::CatalogueLabels(ui.t),
            letterhead,
        );
        let bytes = tokio::task::spawn_blocking(move || sinergi_report::pdf::render(&doc, &|_| {}))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok::<_, AppError>(crate::export::file_download(
            &format!("notulen-rapat-{id}.pdf"),
            "application/pdf",
            bytes,
        ))
    }
    .await;
    result.unwrap_or_else(|e| e.page(&ui))
}

#[derive(Template)]
#[template(path = "forum_capacity.html")]
struct CapacityPage {
    ui: Ui,
    t: Messages,
    l: Labels,
    year: i32,
    rows: Vec<sinergi_store::LkksCapacity>,
}

impl CapacityPage {
    /// "Pemerintah 12 · Akademisi 3".
    fn helix_text(&self, r: &sinergi_store::LkksCapacity) -> String {
        r.by_helix
            .iter()
            .map(|(h, n)| format!("{} {}", self.l.helix(h), self.t.num(n)))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[derive(Debug, Deserialize)]
pub struct CapacityQuery {
    tahun: Option<String>,
}

/// The yearly capacity-building summary per kab/kota LKKS.
pub async fn capacity(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<CapacityQuery>,
) -> Response {
    use chrono::Datelike;
    let result = async {
        let year = match blank_none(&q.tahun) {
            None => today().year(),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| {
                    AppError::bad_request(
                        "error.invalid",
                        sinergi_core::Msg::new("forum.bad_year").arg("value", y),
                    )
                })?,
        };
        let rows = uc::capacity_summary(&state.store, &user.viewer, year).await?;
        Ok::<_, AppError>(CapacityPage {
            t: ui.t,
            l: Labels(ui.t),
            ui: ui.clone(),
            year,
            rows,
        })
    }
    .await;
    render(&ui, result)
}
