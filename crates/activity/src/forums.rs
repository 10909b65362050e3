//! Forums, meetings and their follow-up (issue 21), written once for the pages, the CLI and
//! the API to come: each use case takes the viewer who asks and goes through the scoped
//! store, which applies the row filter and core's forum rules and audits every change.

use chrono::{NaiveDate, NaiveDateTime};
use sinergi_core::forum::{ActionStatus, MeetingKind, Rsvp, rules};
use sinergi_core::{RegionCode, Viewer};
use sinergi_store::{
    ActionFilter, ActionRow, AttendanceCounts, Forum, LkksFilter, MeetingRecord, MeetingSummary,
    NewAction, NewDecision, NewForum, NewInvitee, NewMeeting, Page, Paged, Sort, Store,
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

/// The forum and one page of its history; `None` when the viewer does not see it.
pub async fn forum_history(
    store: &Store,
    viewer: &Viewer,
    forum_id: i64,
    page: Page,
) -> Result<Option<ForumHistory>, ActivityError> {
    let scoped = store.scoped(viewer);
    let Some(forum) = scoped.forum(forum_id).await? else {
        return Ok(None);
    };
    let meetings = scoped.forum_history(forum_id, page).await?;
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

pub async fn set_rsvp(
    store: &Store,
    viewer: &Viewer,
    meeting_id: i64,
    invitation_id: i64,
    rsvp: Rsvp,
) -> Result<bool, ActivityError> {
    Ok(store
        .scoped(viewer)
        .set_rsvp(meeting_id, invitation_id, rsvp)
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

/// Closes a held meeting; returns the minutes' hash as recorded in the audit chain.
pub async fn close_meeting(
    store: &Store,
    viewer: &Viewer,
    id: i64,
    minutes: Option<String>,
    minutes_file: Option<String>,
    counted: Option<u32>,
) -> Result<String, ActivityError> {
    Ok(store
        .scoped(viewer)
        .close_meeting(id, minutes, minutes_file, counted)
        .await?)
}
