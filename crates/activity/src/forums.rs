//! Forums, meetings and their follow-up (issue 21), written once for the pages, the CLI and
//! the API to come: each use case takes the viewer who asks and goes through the scoped
//! store, which applies the row filter and core's forum rules and audits every change.

use chrono::{NaiveDate, NaiveDateTime};
use sinergi_core::forum::{ActionStatus, MeetingKind, Rsvp, rules};
use sinergi_core::{RegionCode, Viewer};
use sinergi_intake::RowError;
use sinergi_store::{
    ActionFilter, ActionRow, AttendanceCounts, Forum, HistoryCursor, LkksFilter, MeetingRecord,
    MeetingSummary, MinutesFile, NewAction, NewDecision, NewForum, NewInvitee, NewMeeting,
    OwnInvitation, Page, Paged, RegistryOrganisation, SheetOutcome, Sort, Store, StoredMinutesFile,
};

use crate::ActivityError;

/// Meetings a calendar shows ahead.
pub const CALENDAR_SHOWN: i64 = 100;

/// A forum with one page of its meetings, newest first.
#[derive(Debug, Clone)]
pub struct ForumHistory {
    pub forum: Forum,
    pub meetings: Paged<MeetingSummary>,
}

pub async fn forums(store: &Store, viewer: &Viewer) -> Result<Vec<Forum>, ActivityError> {
    Ok(store.scoped(viewer).forums().await?)
}

/// The LKKS in the viewer's scope it may open a forum for, as (id, name), by name.
pub async fn lkks_for_new_forum(
    store: &Store,
    viewer: &Viewer,
) -> Result<Vec<(i64, String)>, ActivityError> {
    let rows = store
        .scoped(viewer)
        .lkks_list(
            &LkksFilter::default(),
            Sort::parse(None, &sinergi_store::LKKS_SORTS),
            Page::new(None, Some(500), 500),
        )
        .await?;
    Ok(rows
        .items
        .into_iter()
        .filter(|r| RegionCode::parse(&r.region).is_ok_and(|c| rules::may_manage_forum(viewer, &c)))
        .map(|r| (r.id, r.name))
        .collect())
}

/// The forum and one page of its history (after `cursor`, when given: keyset paging);
/// `None` when the viewer does not see it.
pub async fn forum_history(
    store: &Store,
    viewer: &Viewer,
    forum_id: i64,
    page: Page,
    cursor: Option<HistoryCursor>,
) -> Result<Option<ForumHistory>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(forum) = scoped.forum(forum_id).await? else {
        return Ok(None);
    };
    let meetings = scoped.forum_history(forum_id, page, cursor).await?;
    Ok(Some(ForumHistory { forum, meetings }))
}

pub async fn meeting(
    store: &Store,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<MeetingRecord>, ActivityError> {
    Ok(store.scoped(viewer).meeting(id).await?)
}

/// The actions overview: the viewer's actions (overdue ones only when asked), soonest
/// deadline first.
pub async fn actions_overview(
    store: &Store,
    viewer: &Viewer,
    filter: &ActionFilter,
    page: Page,
) -> Result<Paged<ActionRow>, ActivityError> {
    Ok(store.scoped(viewer).actions(filter, page).await?)
}

/// How many of the viewer's actions are overdue on `today` (for the home page).
pub async fn overdue_count(
    store: &Store,
    viewer: &Viewer,
    today: NaiveDate,
) -> Result<u64, ActivityError> {
    let filter = ActionFilter {
        overdue_on: Some(today),
        ..ActionFilter::default()
    };
    Ok(store
        .scoped(viewer)
        .actions(&filter, Page::new(None, Some(1), 1))
        .await?
        .total)
}

/// The coming meetings from `now` (UTC) on.
pub async fn calendar(
    store: &Store,
    viewer: &Viewer,
    now: NaiveDateTime,
) -> Result<Vec<MeetingSummary>, ActivityError> {
    Ok(store
        .scoped(viewer)
        .upcoming_meetings(now, CALENDAR_SHOWN)
        .await?)
}

/// Attendance counted by penta-helix role, sex and disability.
pub async fn attendance(
    store: &Store,
    viewer: &Viewer,
    kind: Option<MeetingKind>,
    year: Option<i32>,
) -> Result<AttendanceCounts, ActivityError> {
    Ok(store.scoped(viewer).attendance_counts(kind, year).await?)
}

pub async fn create_forum(
    store: &Store,
    viewer: &Viewer,
    input: &NewForum,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).create_forum(input).await?)
}

pub async fn plan_meeting(
    store: &Store,
    viewer: &Viewer,
    input: &NewMeeting,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).create_meeting(input).await?)
}

pub async fn invite(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    input: &NewInvitee,
) -> Result<(i64, String), ActivityError> {
    Ok(store.scoped(viewer).invite(meeting_id, input).await?)
}

/// An invitee's answer, given by the secretary for them or by the invited organisation's
/// own account; `false` when the invitation is not this meeting's.
pub async fn answer_invitation(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    invitation_id: i64,
    rsvp: Rsvp,
    represented_by: Option<String>,
) -> Result<bool, ActivityError> {
    Ok(store
        .scoped(viewer)
        .answer_invitation(meeting_id, invitation_id, rsvp, represented_by)
        .await?)
}

/// The invitations of the viewer's organisation to meetings not yet closed (its account's
/// "invitations" page); empty for an account not bound to an organisation.
pub async fn own_invitations(
    store: &Store,
    viewer: &Viewer,
) -> Result<Vec<OwnInvitation>, ActivityError> {
    Ok(store.scoped(viewer).own_invitations().await?)
}

/// The registered partners, LKS and LKKS a meeting may invite whose name holds `query`
/// (nothing asked, nothing listed).
pub async fn invitable_organisations(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    query: &str,
) -> Result<Vec<RegistryOrganisation>, ActivityError> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(store
        .scoped(viewer)
        .invitable_organisations(meeting_id, query)
        .await?)
}

/// Check-in at the door by code; `Refused` for a code that is not this meeting's.
pub async fn check_in(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    code: &str,
    represented_by: Option<String>,
) -> Result<i64, ActivityError> {
    store
        .scoped(viewer)
        .check_in(meeting_id, code, represented_by)
        .await?
        .ok_or_else(|| {
            ActivityError::Refused(
                sinergi_core::Msg::new("forum.code_unknown").arg("code", code.trim()),
            )
        })
}

pub async fn mark_present(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    invitation_id: i64,
    present: bool,
    represented_by: Option<String>,
) -> Result<bool, ActivityError> {
    Ok(store
        .scoped(viewer)
        .mark_present(meeting_id, invitation_id, present, represented_by)
        .await?)
}

pub async fn add_decision(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    input: &NewDecision,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).add_decision(meeting_id, input).await?)
}

pub async fn add_action(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    input: &NewAction,
) -> Result<i64, ActivityError> {
    Ok(store.scoped(viewer).add_action(meeting_id, input).await?)
}

pub async fn update_action(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    to: ActionStatus,
    evidence: Option<String>,
    today: NaiveDate,
) -> Result<(), ActivityError> {
    Ok(store
        .scoped(viewer)
        .update_action(id, to, evidence, today)
        .await?)
}

pub async fn mark_held(store: &Store, viewer: &Viewer, id: i64) -> Result<(), ActivityError> {
    Ok(store.scoped(viewer).mark_held(id).await?)
}

/// Closes a held meeting with minutes as text and/or an uploaded PDF (kept in the store);
/// returns the closing hash as recorded in the audit chain.
pub async fn close_meeting(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    minutes: Option<String>,
    minutes_file: Option<MinutesFile>,
    counted: Option<u32>,
) -> Result<String, ActivityError> {
    Ok(store
        .scoped(viewer)
        .close_meeting(id, minutes, minutes_file, counted)
        .await?)
}

/// How an attendance sheet went: recorded, or refused row by row (nothing written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetImport {
    Stored {
        meeting_id: i64,
        outcome: SheetOutcome,
    },
    Refused(Vec<RowError>),
}

/// Reads an attendance sheet (CSV/XLSX through the intake path) and records it on a meeting
/// the viewer manages: presence of the invitees it names (by check-in code or name), walk-ins
/// as new invitations. Any refused row refuses the sheet, with every row's reason.
pub async fn import_attendance_sheet(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<SheetImport, ActivityError> {
    let scoped = store.scoped(viewer);
    let m = scoped
        .meeting(meeting_id)
        .await?
        .ok_or(ActivityError::Forbidden)?
        .meeting;
    if !RegionCode::parse(&m.region).is_ok_and(|c| rules::may_manage_forum(viewer, &c)) {
        return Err(ActivityError::Forbidden);
    }
    let rows = match read_sheet(file_name, bytes) {
        Ok(rows) => rows,
        Err(refused) => return Ok(SheetImport::Refused(refused)),
    };
    Ok(
        match scoped
            .record_attendance_sheet(meeting_id, file_name, &rows)
            .await?
        {
            Ok(outcome) => SheetImport::Stored {
                meeting_id,
                outcome,
            },
            Err(refused) => SheetImport::Refused(row_errors(refused)),
        },
    )
}

/// A past meeting kept on paper, entered afterwards: planned with its date, its attendance
/// sheet recorded and marked held (closing, with its minutes, stays a separate step). The
/// sheet is read and checked before anything is written.
pub async fn import_past_meeting(
    store: &Store,
    viewer: &Viewer,
    input: &NewMeeting,
    file_name: &str,
    bytes: &[u8],
) -> Result<SheetImport, ActivityError> {
    let rows = match read_sheet(file_name, bytes) {
        Ok(rows) => rows,
        Err(refused) => return Ok(SheetImport::Refused(refused)),
    };
    // A new meeting has no invitations: codes cannot match, repeats are refused.
    if let Err(refused) = sinergi_core::forum::match_sheet(&[], &rows) {
        return Ok(SheetImport::Refused(row_errors(refused)));
    }
    let scoped = store.scoped(viewer);
    let meeting_id = scoped.create_meeting(input).await?;
    let outcome = match scoped
        .record_attendance_sheet(meeting_id, file_name, &rows)
        .await?
    {
        Ok(outcome) => outcome,
        Err(refused) => return Ok(SheetImport::Refused(row_errors(refused))),
    };
    scoped.mark_held(meeting_id).await?;
    Ok(SheetImport::Stored {
        meeting_id,
        outcome,
    })
}

fn read_sheet(
    file_name: &str,
    bytes: &[u8],
) -> Result<Vec<sinergi_core::forum::SheetRow>, Vec<RowError>> {
    use sinergi_core::Localized;
    if bytes.is_empty() {
        return Err(vec![RowError::file(sinergi_core::Msg::new(
            "forum.sheet.empty",
        ))]);
    }
    let table = sinergi_intake::read_table_bytes(file_name, bytes)
        .map_err(|e| vec![RowError::file(e.msg())])?;
    let (rows, errors) = sinergi_intake::attendance::read_attendance_sheet(&table);
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(vec![RowError::file(sinergi_core::Msg::new(
            "forum.sheet.empty",
        ))]);
    }
    Ok(rows)
}

fn row_errors(refused: Vec<(u64, sinergi_core::Msg)>) -> Vec<RowError> {
    refused
        .into_iter()
        .map(|(line, reason)| RowError {
            line,
            column: None,
            reason,
        })
        .collect()
}

/// A meeting and the deployment's letterhead, for its minutes as a PDF. The minutes name the
/// participants present, so handing them out is audited (`meeting.minutes_pdf`).
pub async fn minutes(
    store: &Store,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<(MeetingRecord, sinergi_store::Letterhead)>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(rec) = scoped.meeting(id).await? else {
        return Ok(None);
    };
    store
        .record(
            &sinergi_store::AuditEvent::new(viewer, "meeting.minutes_pdf", "meeting")
                .id(id)
                .region(&rec.meeting.region)
                .after(serde_json::json!({ "peserta_hadir": rec.present() })),
        )
        .await?;
    let letterhead = scoped.letterhead().await?;
    Ok(Some((rec, letterhead)))
}

/// The minutes PDF uploaded at closing, for a viewer who sees the meeting; each hand-out is
/// audited (`meeting.minutes_file`): the minutes name the people present.
pub async fn minutes_file(
    store: &Store,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<StoredMinutesFile>, ActivityError> {
    let Some(file) = store.scoped(viewer).minutes_file(id).await? else {
        return Ok(None);
    };
    store
        .record(
            &sinergi_store::AuditEvent::new(viewer, "meeting.minutes_file", "meeting")
                .id(id)
                .region(&file.region)
                .after(serde_json::json!({ "berkas": file.name, "sha256": file.sha256 })),
        )
        .await?;
    Ok(Some(file))
}

/// The yearly capacity-building summary per LKKS the viewer sees.
pub async fn capacity_summary(
    store: &Store,
    viewer: &Viewer,
    year: i32,
) -> Result<Vec<sinergi_store::LkksCapacity>, ActivityError> {
    Ok(store.scoped(viewer).capacity_summary(year).await?)
}
