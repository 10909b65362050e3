//! Forums (issue 21): forums owned by an LKKS, their meetings with agenda, invitations and
//! attendance, decisions per agenda item and follow-up actions. Reads go through the row
//! filter on the forum's region and LKKS (copied onto meetings and actions so no join is
//! needed); writes are checked against core's forum rules and audited. Closing a meeting
//! freezes its minutes and records their hash in the audit chain.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;
use sinergi_core::forum::{
    ActionDue, ActionStatus, ForumError, LinkKind, MeetingKind, MeetingStatus, Rsvp, SheetInvitee,
    SheetRow, SheetStep, check_action_move, check_meeting_move, check_minutes_pdf, checkin_code,
    closing_hash, file_hash, local_to_utc, match_sheet, normalise_code, registry_helix, rules,
    utc_to_local,
};
use sinergi_core::institution::Helix;
use sinergi_core::{Localized, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::institutions::{date_text, fetch_page, parse_date, text};
use crate::scope::{Bind, Placeholders, bind_filter};
use crate::{Page, Paged, Scoped, StoreError, on_pool};

const STORED_TIME: &str = "%Y-%m-%d %H:%M:%S";

fn stored_time(t: NaiveDateTime) -> String {
    t.format(STORED_TIME).to_string()
}

fn parse_time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, STORED_TIME).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(";")
}

fn split(s: &str) -> Vec<String> {
    s.split(';')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn refused(e: ForumError) -> StoreError {
    StoreError::Refused(e.msg())
}

#[derive(Debug, Clone)]
pub struct NewForum {
    pub lkks_id: i64,
    pub name: String,
    pub kind: MeetingKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Forum {
    pub id: i64,
    pub lkks_id: i64,
    pub lkks_name: String,
    pub region: String,
    pub name: String,
    pub kind: MeetingKind,
    pub description: Option<String>,
    pub meetings: i64,
    pub open_actions: i64,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub forum_id: i64,
    pub title: String,
    pub kind: MeetingKind,
    /// Date and time on the clock of the forum's region.
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub organiser: Option<String>,
    pub commissions: Vec<String>,
    pub topics: Vec<String>,
    /// Agenda items: title and the commission that takes it, if any.
    pub agenda: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub forum_id: i64,
    pub forum_name: String,
    pub lkks_id: i64,
    pub region: String,
    pub title: String,
    pub kind: MeetingKind,
    /// On the region's clock.
    pub starts: NaiveDateTime,
    pub zone: &'static str,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub organiser: Option<String>,
    pub status: MeetingStatus,
    pub commissions: Vec<String>,
    pub topics: Vec<String>,
    pub minutes: Option<String>,
    pub minutes_file: Option<String>,
    pub minutes_hash: Option<String>,
    pub attendance_count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AgendaItem {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub commission: Option<String>,
    pub carried_action_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewInvitee {
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub helix: Option<Helix>,
    pub person_name: Option<String>,
    /// "L" or "P".
    pub sex: Option<String>,
    pub disability: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub helix: Option<Helix>,
    pub person_name: Option<String>,
    pub sex: Option<String>,
    pub disability: bool,
    pub rsvp: Rsvp,
    pub checkin_code: String,
    pub represented_by: Option<String>,
    pub present: bool,
}

#[derive(Debug, Clone)]
pub struct NewDecision {
    pub agenda_item_id: Option<i64>,
    pub text: String,
    pub kind: Option<String>,
    pub decided_by: Option<String>,
    pub link: Option<(LinkKind, String)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub agenda_item_id: Option<i64>,
    pub text: String,
    pub kind: Option<String>,
    pub decided_by: Option<String>,
    pub link_kind: Option<LinkKind>,
    pub link_ref: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAction {
    pub decision_id: Option<i64>,
    pub title: String,
    pub owner_person: Option<String>,
    pub owner_org_id: Option<i64>,
    pub owner_org_name: Option<String>,
    pub deadline: NaiveDate,
    pub link: Option<(LinkKind, String)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ActionRow {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub forum_id: i64,
    pub forum_name: String,
    pub region: String,
    pub title: String,
    pub owner_person: Option<String>,
    pub owner_org_id: Option<i64>,
    pub owner_org_name: Option<String>,
    pub deadline: NaiveDate,
    pub status: ActionStatus,
    pub evidence: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub link_kind: Option<LinkKind>,
    pub link_ref: Option<String>,
}

impl ActionRow {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        sinergi_core::forum::is_overdue(self.status, self.deadline, today)
    }
}

/// One meeting as a forum's history lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MeetingSummary {
    pub id: i64,
    pub title: String,
    pub kind: MeetingKind,
    pub starts: NaiveDateTime,
    pub zone: &'static str,
    pub status: MeetingStatus,
    pub decisions: i64,
    pub actions: i64,
    pub open_actions: i64,
    pub present: i64,
}

/// Where a keyset page of a forum's history starts: the meetings older than (`Before`) or
/// newer than (`After`) the meeting with this id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryCursor {
    Before(i64),
    After(i64),
}

impl HistoryCursor {
    pub fn id(self) -> i64 {
        match self {
            HistoryCursor::Before(id) | HistoryCursor::After(id) => id,
        }
    }
}

/// A meeting with everything its page shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub invitations: Vec<Invitation>,
    pub decisions: Vec<Decision>,
    pub actions: Vec<ActionRow>,
}

impl MeetingRecord {
    pub fn present(&self) -> usize {
        self.invitations.iter().filter(|i| i.present).count()
    }

    /// The invitees' answers, counted.
    pub fn rsvp_counts(&self) -> RsvpCounts {
        let mut c = RsvpCounts::default();
        for i in &self.invitations {
            match i.rsvp {
                Rsvp::Hadir => c.attending += 1,
                Rsvp::Diwakili => c.represented += 1,
                Rsvp::Tidak => c.not_attending += 1,
                Rsvp::Belum => c.unanswered += 1,
            }
        }
        c
    }
}

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub forum: Option<i64>,
    pub status: Option<ActionStatus>,
    /// Open and past their deadline on this day.
    pub overdue_on: Option<NaiveDate>,
    pub owner_org: Option<i64>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
}

/// Minutes uploaded as a file at closing: checked to be a PDF, kept in the store.
#[derive(Debug, Clone)]
pub struct MinutesFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A kept minutes file, as it is handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMinutesFile {
    pub meeting_id: i64,
    pub region: String,
    pub name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// An organisation of the registries (partner, LKS, LKKS) a meeting may invite.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegistryOrganisation {
    pub id: i64,
    /// `mitra`, `lks` or `lkks`.
    pub kind: String,
    pub name: String,
    pub region: String,
    /// Its penta-helix role as the registry gives it.
    pub helix: Option<Helix>,
}

/// An invitation as the invited organisation's account sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OwnInvitation {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub forum_name: String,
    pub starts: NaiveDateTime,
    pub zone: &'static str,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub status: MeetingStatus,
    pub person_name: Option<String>,
    pub rsvp: Rsvp,
    pub represented_by: Option<String>,
}

/// Answers given to a meeting's invitations.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RsvpCounts {
    pub attending: usize,
    pub represented: usize,
    pub not_attending: usize,
    pub unanswered: usize,
}

/// What an uploaded attendance sheet did.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct SheetOutcome {
    /// Rows matched to an invitation.
    pub matched: u64,
    /// Walk-ins added as new invitations.
    pub added: u64,
    /// Rows recorded present.
    pub present: u64,
}

/// One LKKS's capacity building over a year: its training sessions, who came, and how its
/// forums' actions due that year ended.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LkksCapacity {
    pub lkks_id: i64,
    pub lkks_name: String,
    pub region: String,
    /// Training sessions of the year (any status), and those held or closed.
    pub sessions: u64,
    pub sessions_held: u64,
    pub present: u64,
    /// Present, by penta-helix role key ("" for unknown).
    pub by_helix: Vec<(String, u64)>,
    pub male: u64,
    pub female: u64,
    pub disability: u64,
    /// Actions of the LKKS's forums due in the year, and those done by their deadline.
    pub actions_due: u64,
    pub actions_on_time: u64,
}

/// Attendance counted for capacity-building reporting.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AttendanceCounts {
    pub invited: u64,
    pub present: u64,
    /// Present, by penta-helix role (key, count); "" for unknown.
    pub by_helix: Vec<(String, u64)>,
    pub male: u64,
    pub female: u64,
    pub sex_unknown: u64,
    pub disability: u64,
}

type MeetingDbRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    (Option<String>, Option<String>, Option<String>, Option<i64>),
);

type ActionDbRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const ACTION_COLUMNS: &str = "a.id, a.meeting_id, m.title, a.forum_id, f.name, a.region_code, \
     a.title, a.owner_person, a.owner_org_id, a.owner_org_name, a.deadline, a.status, \
     a.evidence, a.closed_on, a.link_kind, a.link_ref";
const ACTION_FROM: &str = "FROM action_item a JOIN meeting m ON m.id = a.meeting_id \
     JOIN forum f ON f.id = a.forum_id";

fn to_action(r: ActionDbRow) -> ActionRow {
    ActionRow {
        id: r.0,
        meeting_id: r.1,
        meeting_title: r.2,
        forum_id: r.3,
        forum_name: r.4,
        region: r.5,
        title: r.6,
        owner_person: r.7,
        owner_org_id: r.8,
        owner_org_name: r.9,
        deadline: parse_date(Some(r.10)).unwrap_or_default(),
        status: ActionStatus::from_key(&r.11).unwrap_or(ActionStatus::Terbuka),
        evidence: r.12,
        closed_on: parse_date(r.13),
        link_kind: r.14.as_deref().and_then(LinkKind::from_key),
        link_ref: r.15,
    }
}

fn region_of(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap_or_else(|_| RegionCode::parse("11").expect("a province"))
}

fn local_start(region: &str, stored: &str) -> (NaiveDateTime, &'static str) {
    utc_to_local(&region_of(region), parse_time(stored))
}

impl Scoped<'_> {
    fn require_manage(&self, region: &str) -> Result<(), StoreError> {
        if rules::may_manage_forum(self.viewer(), &region_of(region)) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// Creates a forum owned by an LKKS (in its region).
    pub async fn create_forum(&self, input: &NewForum) -> Result<i64, StoreError> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(StoreError::Refused(sinergi_core::Msg::new(
                "forum.name_required",
            )));
        }
        let seat: Option<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT l.region_code, o.name FROM lkks l JOIN organisation o ON o.id = l.organisation_id \
             WHERE l.organisation_id = $1"
        )
        .bind(input.lkks_id)
        .fetch_optional(pool)
        .await
        })?;
        let (region, lkks_name) = seat.ok_or(StoreError::Forbidden)?;
        self.require_manage(&region)?;
        let actor = self.actor();
        let now = now_text();
        let description = text(&input.description);
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO forum (lkks_id, region_code, name, kind, description, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(input.lkks_id)
            .bind(&region)
            .bind(name)
            .bind(input.kind.key())
            .bind(&description)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "forum.create", "forum")
                .id(id)
                .region(&region)
                .after(serde_json::json!({ "nama": name, "lkks": lkks_name, "jenis": input.kind.key() }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The forums this viewer sees, with their meeting and open-action counts.
    pub async fn forums(&self) -> Result<Vec<Forum>, StoreError> {
        self.forums_where(None).await
    }

    pub async fn forum(&self, id: i64) -> Result<Option<Forum>, StoreError> {
        Ok(self.forums_where(Some(id)).await?.into_iter().next())
    }

    async fn forums_where(&self, id: Option<i64>) -> Result<Vec<Forum>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("f.region_code", "f.lkks_id", &mut ph);
        let mut binds = f.binds;
        let mut sql = format!(
            "SELECT f.id, f.lkks_id, o.name, f.region_code, f.name, f.kind, f.description, \
             (SELECT COUNT(*) FROM meeting m WHERE m.forum_id = f.id), \
             (SELECT COUNT(*) FROM action_item a WHERE a.forum_id = f.id \
              AND a.status IN ('terbuka', 'berjalan')) \
             FROM forum f JOIN organisation o ON o.id = f.lkks_id WHERE {}",
            f.sql
        );
        if let Some(id) = id {
            sql.push_str(&format!(" AND f.id = {}", ph.next()));
            binds.push(Bind::Int(id));
        }
        sql.push_str(" ORDER BY f.region_code, f.name, f.id");
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Forum {
                id: r.0,
                lkks_id: r.1,
                lkks_name: r.2,
                region: r.3,
                name: r.4,
                kind: MeetingKind::from_key(&r.5).unwrap_or(MeetingKind::Forum),
                description: r.6,
                meetings: r.7,
                open_actions: r.8,
            })
            .collect())
    }

    /// A forum's meetings, newest first, one page at a time. With a cursor (a meeting of the
    /// page before or after) the page is read from the `(forum_id, starts_at, id)` index after
    /// that meeting (keyset paging: page 100 costs what page 1 does); without one, by offset.
    pub async fn forum_history(
        &self,
        forum_id: i64,
        page: Page,
        cursor: Option<HistoryCursor>,
    ) -> Result<Paged<MeetingSummary>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("m.region_code", "m.lkks_id", &mut ph);
        let mut binds = f.binds;
        let where_sql = format!("WHERE {} AND m.forum_id = {}", f.sql, ph.next());
        binds.push(Bind::Int(forum_id));
        let count_sql = format!("SELECT COUNT(*) FROM meeting m {where_sql}");
        // The cursor meeting's start, read back and written again from its parsed value, so
        // only a timestamp and an integer reach the SQL text (the binds serve both queries).
        let key = match cursor {
            None => None,
            Some(c) => {
                let start: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
                    "SELECT starts_at FROM meeting WHERE id = $1 AND forum_id = $2"
                )
                .bind(c.id())
                .bind(forum_id)
                .fetch_optional(pool)
                .await)?;
                start
                    .and_then(|s| NaiveDateTime::parse_from_str(&s, STORED_TIME).ok())
                    .map(|t| (c, stored_time(t)))
            }
        };
        let (keyset, order, cut) = match &key {
            None => (
                String::new(),
                "DESC",
                format!("LIMIT {} OFFSET {}", page.limit(), page.offset()),
            ),
            Some((HistoryCursor::Before(id), start)) => (
                format!(" AND (m.starts_at, m.id) < ('{start}', {id})"),
                "DESC",
                format!("LIMIT {}", page.limit()),
            ),
            Some((HistoryCursor::After(id), start)) => (
                format!(" AND (m.starts_at, m.id) > ('{start}', {id})"),
                "ASC",
                format!("LIMIT {}", page.limit()),
            ),
        };
        let page_sql = format!(
            "SELECT m.id, m.title, m.kind, m.region_code, m.starts_at, m.status, \
             (SELECT COUNT(*) FROM decision d WHERE d.meeting_id = m.id), \
             (SELECT COUNT(*) FROM action_item a WHERE a.meeting_id = m.id), \
             (SELECT COUNT(*) FROM action_item a WHERE a.meeting_id = m.id \
              AND a.status IN ('terbuka', 'berjalan')), \
             (SELECT COUNT(*) FROM invitation i WHERE i.meeting_id = m.id AND i.present) \
             FROM meeting m {where_sql}{keyset} ORDER BY m.starts_at {order}, m.id {order} {cut}"
        );
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            i64,
            i64,
            i64,
        );
        let (total, mut rows): (u64, Vec<Row>) =
            fetch_page(self, count_sql, page_sql, &binds).await?;
        if matches!(key, Some((HistoryCursor::After(_), _))) {
            rows.reverse();
        }
        Ok(Paged {
            items: rows
                .into_iter()
                .map(|r| {
                    let (starts, zone) = local_start(&r.3, &r.4);
                    MeetingSummary {
                        id: r.0,
                        title: r.1,
                        kind: MeetingKind::from_key(&r.2).unwrap_or(MeetingKind::Forum),
                        starts,
                        zone,
                        status: MeetingStatus::from_key(&r.5)
                            .unwrap_or(MeetingStatus::Direncanakan),
                        decisions: r.6,
                        actions: r.7,
                        open_actions: r.8,
                        present: r.9,
                    }
                })
                .collect(),
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// Plans a meeting of a forum. The forum's open actions roll onto its agenda, after the
    /// items given.
    pub async fn create_meeting(&self, input: &NewMeeting) -> Result<i64, StoreError> {
        let forum = self
            .forum(input.forum_id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        self.require_manage(&forum.region)?;
        let title = input.title.trim();
        if title.is_empty() {
            return Err(StoreError::Refused(sinergi_core::Msg::new(
                "forum.title_required",
            )));
        }
        let starts = local_to_utc(&region_of(&forum.region), input.date, input.time);
        let actor = self.actor();
        let now = now_text();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meeting (forum_id, lkks_id, region_code, title, kind, starts_at, \
                 place, online_link, organiser, status, commissions, topics, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'direncanakan', $10, $11, $12) \
                 RETURNING id",
            )
            .bind(forum.id)
            .bind(forum.lkks_id)
            .bind(&forum.region)
            .bind(title)
            .bind(input.kind.key())
            .bind(stored_time(starts))
            .bind(text(&input.place))
            .bind(text(&input.online_link))
            .bind(text(&input.organiser))
            .bind(list(&input.commissions))
            .bind(list(&input.topics))
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let mut position = 0i64;
            for (item, commission) in &input.agenda {
                if item.trim().is_empty() {
                    continue;
                }
                position += 1;
                sqlx::query(
                    "INSERT INTO agenda_item (meeting_id, position, title, commission) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position)
                .bind(item.trim())
                .bind(text(commission))
                .execute(&mut *tx)
                .await?;
            }
            let open: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, title FROM action_item WHERE forum_id = $1 \
                 AND status IN ('terbuka', 'berjalan') ORDER BY deadline, id",
            )
            .bind(forum.id)
            .fetch_all(&mut *tx)
            .await?;
            for (action, action_title) in &open {
                position += 1;
                sqlx::query(
                    "INSERT INTO agenda_item (meeting_id, position, title, carried_action_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position)
                .bind(format!("Tindak lanjut: {action_title}"))
                .bind(*action)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "meeting.create", "meeting")
                .id(id)
                .region(&forum.region)
                .after(serde_json::json!({
                    "forum": forum.id, "judul": title, "mulai_utc": stored_time(starts),
                    "tindak_lanjut_dibawa": open.len()
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    async fn meeting_row(&self, id: i64) -> Result<Option<Meeting>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("m.region_code", "m.lkks_id", &mut ph);
        let mut binds = f.binds;
        let sql = format!(
            "SELECT m.id, m.forum_id, f.name, m.lkks_id, m.region_code, m.title, m.kind, \
             m.starts_at, m.place, m.online_link, m.organiser, m.status, m.commissions, m.topics, \
             m.minutes, m.minutes_file \
             FROM meeting m JOIN forum f ON f.id = m.forum_id WHERE {} AND m.id = {}",
            f.sql,
            ph.next()
        );
        binds.push(Bind::Int(id));
        type Flat = (
            i64,
            i64,
            String,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        // Sixteen columns is the tuple limit: the last two come in a second read.
        let row: Option<Flat> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_optional(pool)
        .await)?;
        let Some(r) = row else { return Ok(None) };
        let tail: (Option<String>, Option<i64>) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT minutes_hash, attendance_count FROM meeting WHERE id = $1"
        )
        .bind(id)
        .fetch_one(pool)
        .await)?;
        let full: MeetingDbRow = (
            r.0,
            r.1,
            r.2,
            r.3,
            r.4,
            r.5,
            r.6,
            r.7,
            r.8,
            r.9,
            r.10,
            r.11,
            r.12,
            r.13,
            (r.14, r.15, tail.0, tail.1),
        );
        Ok(Some(to_meeting(full)))
    }

    /// A meeting with its agenda, invitations, decisions and actions.
    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingRecord>, StoreError> {
        let Some(meeting) = self.meeting_row(id).await? else {
            return Ok(None);
        };
        type InvRow = (
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            bool,
            String,
            String,
            Option<String>,
            bool,
        );
        type AgendaRow = (i64, i64, String, Option<String>, Option<i64>);
        type DecisionRow = (
            i64,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        type Parts = (
            Vec<AgendaRow>,
            Vec<InvRow>,
            Vec<DecisionRow>,
            Vec<ActionDbRow>,
        );
        let (agenda, invitations, decisions, actions): Parts = on_pool!(self, |pool| {
            let agenda = sqlx::query_as(
                "SELECT id, position, title, commission, carried_action_id FROM agenda_item \
                 WHERE meeting_id = $1 ORDER BY position, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let invitations = sqlx::query_as(
                "SELECT id, organisation_id, organisation_name, helix, person_name, sex, \
                 disability, rsvp, checkin_code, represented_by, present FROM invitation \
                 WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let decisions = sqlx::query_as(
                "SELECT id, agenda_item_id, text, kind, decided_by, link_kind, link_ref \
                 FROM decision WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let actions = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {ACTION_COLUMNS} {ACTION_FROM} WHERE a.meeting_id = $1 ORDER BY a.id"
            )))
            .bind(id)
            .fetch_all(pool)
            .await?;
            (agenda, invitations, decisions, actions)
        });
        Ok(Some(MeetingRecord {
            meeting,
            agenda: agenda
                .into_iter()
                .map(|r| AgendaItem {
                    id: r.0,
                    position: r.1,
                    title: r.2,
                    commission: r.3,
                    carried_action_id: r.4,
                })
                .collect(),
            invitations: invitations
                .into_iter()
                .map(|r| Invitation {
                    id: r.0,
                    organisation_id: r.1,
                    organisation_name: r.2,
                    helix: r.3.as_deref().and_then(Helix::from_key),
                    person_name: r.4,
                    sex: r.5,
                    disability: r.6,
                    rsvp: Rsvp::from_key(&r.7).unwrap_or(Rsvp::Belum),
                    checkin_code: r.8,
                    represented_by: r.9,
                    present: r.10,
                })
                .collect(),
            decisions: decisions
                .into_iter()
                .map(|r| Decision {
                    id: r.0,
                    agenda_item_id: r.1,
                    text: r.2,
                    kind: r.3,
                    decided_by: r.4,
                    link_kind: r.5.as_deref().and_then(LinkKind::from_key),
                    link_ref: r.6,
                })
                .collect(),
            actions: actions.into_iter().map(to_action).collect(),
        }))
    }

    /// The meeting as this viewer may change its attendance, decisions and actions: seen,
    /// managed, and not closed.
    async fn open_meeting_for_change(&self, id: i64) -> Result<Meeting, StoreError> {
        let m = self.meeting_row(id).await?.ok_or(StoreError::Forbidden)?;
        self.require_manage(&m.region)?;
        if m.status.is_frozen() {
            return Err(refused(ForumError::Frozen));
        }
        Ok(m)
    }

    /// Invites an organisation or a person; returns the invitation and its check-in code.
    pub async fn invite(
        &self,
        meeting_id: i64,
        input: &NewInvitee,
    ) -> Result<(i64, String), StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        // An organisation from the registries: its registered name and penta-helix role.
        let mut input = input.clone();
        if let Some(org) = input.organisation_id {
            let found = self
                .registry_organisations_near(&m.region, None, Some(org))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    StoreError::Refused(
                        sinergi_core::Msg::new("forum.organisation_unknown").arg("id", org),
                    )
                })?;
            input.organisation_name = Some(found.name);
            input.helix = found.helix.or(input.helix);
        }
        let input = &input;
        if text(&input.person_name).is_none() && text(&input.organisation_name).is_none() {
            return Err(StoreError::Refused(sinergi_core::Msg::new(
                "forum.invitee_required",
            )));
        }
        let sex = match text(&input.sex).map(|s| s.to_ascii_uppercase()) {
            None => None,
            Some(s) if s == "L" || s == "P" => Some(s),
            Some(s) => {
                return Err(StoreError::Refused(
                    sinergi_core::Msg::new("forum.sex_unknown").arg("value", s),
                ));
            }
        };
        let actor = self.actor();
        let out = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // A clash of two codes in one meeting is rare (31^6); draw again when it happens.
            let (id, code) = loop {
                let mut bytes = [0u8; 6];
                getrandom::fill(&mut bytes).expect("the operating system's random source");
                let code = checkin_code(bytes);
                let taken: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM invitation WHERE meeting_id = $1 AND checkin_code = $2",
                )
                .bind(meeting_id)
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_some() {
                    continue;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO invitation (meeting_id, organisation_id, organisation_name, \
                     helix, person_name, sex, disability, checkin_code) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(meeting_id)
                .bind(input.organisation_id)
                .bind(text(&input.organisation_name))
                .bind(input.helix.map(|h| h.key()))
                .bind(text(&input.person_name))
                .bind(&sex)
                .bind(input.disability)
                .bind(&code)
                .fetch_one(&mut *tx)
                .await?;
                break (id, code);
            };
            let event = AuditEvent::new(actor.clone(), "meeting.invite", "meeting")
                .id(meeting_id)
                .region(&m.region)
                .after(serde_json::json!({
                    "undangan": id, "organisasi": text(&input.organisation_name),
                    "nama": text(&input.person_name)
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            (id, code)
        });
        Ok(out)
    }

    /// Records an invitee's answer (attending, not attending, represented by someone), by
    /// the forum's managers or the invited organisation's own account, until the meeting is
    /// closed. `false` when the invitation is not this meeting's.
    pub async fn answer_invitation(
        &self,
        meeting_id: i64,
        invitation_id: i64,
        rsvp: Rsvp,
        represented_by: Option<String>,
    ) -> Result<bool, StoreError> {
        // Read without the row filter: an invited partner does not see the LKKS's meetings,
        // only its own invitations; the rule below decides.
        let found: Option<(Option<i64>, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT i.organisation_id, m.region_code, m.status FROM invitation i \
                 JOIN meeting m ON m.id = i.meeting_id WHERE i.meeting_id = $1 AND i.id = $2",
            )
            .bind(meeting_id)
            .bind(invitation_id)
            .fetch_optional(pool)
            .await
        })?;
        let Some((org, region, status)) = found else {
            return Ok(false);
        };
        if !rules::may_answer_invitation(self.viewer(), &region_of(&region), org) {
            return Err(StoreError::Forbidden);
        }
        if MeetingStatus::from_key(&status).is_some_and(|s| s.is_frozen()) {
            return Err(refused(ForumError::Frozen));
        }
        let rep = match rsvp {
            Rsvp::Diwakili => Some(
                text(&represented_by).ok_or_else(|| refused(ForumError::RepresentativeRequired))?,
            ),
            _ => None,
        };
        let actor = self.actor();
        let changed = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Who came at the door stays as recorded there.
            let n = sqlx::query(
                "UPDATE invitation SET rsvp = $1, \
                 represented_by = CASE WHEN present THEN represented_by ELSE $2 END \
                 WHERE meeting_id = $3 AND id = $4",
            )
            .bind(rsvp.key())
            .bind(&rep)
            .bind(meeting_id)
            .bind(invitation_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                let event = AuditEvent::new(actor.clone(), "meeting.rsvp", "meeting")
                    .id(meeting_id)
                    .region(&region)
                    .after(serde_json::json!({
                        "undangan": invitation_id, "rsvp": rsvp.key(), "diwakili": rep
                    }));
                append_audit!(tx, &event);
            }
            tx.commit().await?;
            n > 0
        });
        Ok(changed)
    }

    /// The invitations of the viewer's own organisation (an organisation-bound account) to
    /// meetings not yet closed, soonest first: what it is asked to answer.
    pub async fn own_invitations(&self) -> Result<Vec<OwnInvitation>, StoreError> {
        let Some(org) = self
            .viewer()
            .principal()
            .filter(|p| p.role.is_organisation_bound())
            .and_then(|p| p.scope.organisation)
        else {
            return Ok(Vec::new());
        };
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            String,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT i.id, m.id, m.title, f.name, m.region_code, m.starts_at, m.place, \
             m.online_link, m.status, i.person_name, i.rsvp, i.represented_by \
             FROM invitation i JOIN meeting m ON m.id = i.meeting_id \
             JOIN forum f ON f.id = m.forum_id \
             WHERE i.organisation_id = $1 AND m.status <> 'ditutup' \
             ORDER BY m.starts_at, m.id, i.id LIMIT 200"
        )
        .bind(org)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (starts, zone) = local_start(&r.4, &r.5);
                OwnInvitation {
                    id: r.0,
                    meeting_id: r.1,
                    meeting_title: r.2,
                    forum_name: r.3,
                    starts,
                    zone,
                    place: r.6,
                    online_link: r.7,
                    status: MeetingStatus::from_key(&r.8).unwrap_or(MeetingStatus::Direncanakan),
                    person_name: r.9,
                    rsvp: Rsvp::from_key(&r.10).unwrap_or(Rsvp::Belum),
                    represented_by: r.11,
                }
            })
            .collect())
    }

    /// The registered partners, LKS and LKKS a meeting the viewer manages may invite, whose
    /// name holds `query`: those seated in the meeting's province (or serving it, for a
    /// partner whose areas name it), by name, at most 30.
    pub async fn invitable_organisations(
        &self,
        meeting_id: i64,
        query: &str,
    ) -> Result<Vec<RegistryOrganisation>, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        self.registry_organisations_near(&m.region, Some(query), None)
            .await
    }

    async fn registry_organisations_near(
        &self,
        region: &str,
        query: Option<&str>,
        id: Option<i64>,
    ) -> Result<Vec<RegistryOrganisation>, StoreError> {
        let province: String = region.chars().take(2).collect();
        let mut sql = String::from(
            "SELECT o.id, o.kind, o.name, o.region_code, p.helix FROM organisation o \
             LEFT JOIN partner p ON p.organisation_id = o.id \
             WHERE o.kind IN ('mitra', 'lks', 'lkks') \
             AND (o.region_code = $1 OR o.region_code LIKE $2 \
                  OR (';' || COALESCE(p.areas, '') || ';') LIKE $3)",
        );
        let mut binds = vec![
            Bind::Text(province.clone()),
            Bind::Text(format!("{province}.%")),
            Bind::Text(format!("%;{province}%")),
        ];
        if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
            sql.push_str(" AND LOWER(o.name) LIKE $4");
            binds.push(Bind::Text(format!("%{}%", q.to_lowercase())));
        }
        if let Some(id) = id {
            sql.push_str(&format!(" AND o.id = ${}", binds.len() + 1));
            binds.push(Bind::Int(id));
        }
        sql.push_str(" ORDER BY o.name, o.id LIMIT 30");
        let rows: Vec<(i64, String, String, String, Option<String>)> =
            on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                binds
            )
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|r| RegistryOrganisation {
                helix: registry_helix(&r.1, r.4.as_deref().and_then(Helix::from_key)),
                id: r.0,
                kind: r.1,
                name: r.2,
                region: r.3,
            })
            .collect())
    }

    /// The secretary's tick: present (or not), optionally represented by someone.
    pub async fn mark_present(
        &self,
        meeting_id: i64,
        invitation_id: i64,
        present: bool,
        represented_by: Option<String>,
    ) -> Result<bool, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        let actor = self.actor();
        let rep = text(&represented_by);
        let now = now_text();
        let changed = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                // A representative named in the answer stays unless the door names another.
                "UPDATE invitation SET present = $1, \
                 represented_by = COALESCE($2, represented_by), checked_in_at = $3 \
                 WHERE meeting_id = $4 AND id = $5",
            )
            .bind(present)
            .bind(&rep)
            .bind(present.then_some(&now))
            .bind(meeting_id)
            .bind(invitation_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                let event = AuditEvent::new(actor.clone(), "meeting.attendance", "meeting")
                    .id(meeting_id)
                    .region(&m.region)
                    .after(serde_json::json!({
                        "undangan": invitation_id, "hadir": present, "diwakili": rep
                    }));
                append_audit!(tx, &event);
            }
            tx.commit().await?;
            n > 0
        });
        Ok(changed)
    }

    /// Check-in at the door by an invitee's code: the invitation found, or `None` for a code
    /// that is not this meeting's.
    pub async fn check_in(
        &self,
        meeting_id: i64,
        typed_code: &str,
        represented_by: Option<String>,
    ) -> Result<Option<i64>, StoreError> {
        let code = normalise_code(typed_code);
        let found: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM invitation WHERE meeting_id = $1 AND checkin_code = $2"
        )
        .bind(meeting_id)
        .bind(&code)
        .fetch_optional(pool)
        .await)?;
        let Some(id) = found else {
            // Still refuse what the viewer may not do, so a wrong code reveals nothing.
            self.open_meeting_for_change(meeting_id).await?;
            return Ok(None);
        };
        self.mark_present(meeting_id, id, true, represented_by)
            .await?;
        Ok(Some(id))
    }

    /// Records an uploaded attendance sheet in one transaction: rows matched to invitations
    /// (core's [`match_sheet`]) set their presence and fill what the invitation lacked (role,
    /// sex, disability); walk-ins become new invitations with their own code. `Ok(Err(rows))`
    /// when a row does not match (an unknown code, a repeat): nothing is written.
    pub async fn record_attendance_sheet(
        &self,
        meeting_id: i64,
        file_name: &str,
        rows: &[SheetRow],
    ) -> Result<Result<SheetOutcome, Vec<(u64, sinergi_core::Msg)>>, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        let actor = self.actor();
        let now = now_text();
        let outcome = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let invitees: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT id, checkin_code, person_name, organisation_name FROM invitation \
                 WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(meeting_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut codes: std::collections::HashSet<String> =
                invitees.iter().map(|i| i.1.clone()).collect();
            let invitees: Vec<SheetInvitee> = invitees
                .into_iter()
                .map(|(id, code, person_name, organisation_name)| SheetInvitee {
                    id,
                    code,
                    person_name,
                    organisation_name,
                })
                .collect();
            let steps = match match_sheet(&invitees, rows) {
                Ok(steps) => steps,
                Err(refused) => return Ok(Err(refused)),
            };
            let mut out = SheetOutcome::default();
            for step in &steps {
                match step {
                    SheetStep::Update { invitation_id, row } => {
                        sqlx::query(
                            "UPDATE invitation SET present = $1, represented_by = $2, \
                             checked_in_at = $3, helix = COALESCE(helix, $4), \
                             sex = COALESCE(sex, $5), disability = (disability OR $6) \
                             WHERE meeting_id = $7 AND id = $8",
                        )
                        .bind(row.present)
                        .bind(&row.represented_by)
                        .bind(row.present.then_some(&now))
                        .bind(row.helix.map(|h| h.key()))
                        .bind(&row.sex)
                        .bind(row.disability)
                        .bind(meeting_id)
                        .bind(*invitation_id)
                        .execute(&mut *tx)
                        .await?;
                        out.matched += 1;
                    }
                    SheetStep::Add(row) => {
                        let code = loop {
                            let mut bytes = [0u8; 6];
                            getrandom::fill(&mut bytes)
                                .expect("the operating system's random source");
                            let code = checkin_code(bytes);
                            if codes.insert(code.clone()) {
                                break code;
                            }
                        };
                        sqlx::query(
                            "INSERT INTO invitation (meeting_id, organisation_name, helix, \
                             person_name, sex, disability, checkin_code, present, represented_by, \
                             checked_in_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        )
                        .bind(meeting_id)
                        .bind(&row.organisation_name)
                        .bind(row.helix.map(|h| h.key()))
                        .bind(&row.person_name)
                        .bind(&row.sex)
                        .bind(row.disability)
                        .bind(&code)
                        .bind(row.present)
                        .bind(&row.represented_by)
                        .bind(row.present.then_some(&now))
                        .execute(&mut *tx)
                        .await?;
                        out.added += 1;
                    }
                }
                let present = match step {
                    SheetStep::Update { row, .. } | SheetStep::Add(row) => row.present,
                };
                if present {
                    out.present += 1;
                }
            }
            let event = AuditEvent::new(actor.clone(), "meeting.attendance_sheet", "meeting")
                .id(meeting_id)
                .region(&m.region)
                .after(serde_json::json!({
                    "berkas": file_name, "baris": steps.len(), "cocok": out.matched,
                    "baru": out.added, "hadir": out.present
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            out
        });
        Ok(Ok(outcome))
    }

    /// Records a decision on a meeting (optionally under an agenda item of it).
    pub async fn add_decision(
        &self,
        meeting_id: i64,
        input: &NewDecision,
    ) -> Result<i64, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        let body = input.text.trim();
        if body.is_empty() {
            return Err(StoreError::Refused(sinergi_core::Msg::new(
                "forum.decision_required",
            )));
        }
        let actor = self.actor();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(item) = input.agenda_item_id {
                let ok: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM agenda_item WHERE id = $1 AND meeting_id = $2",
                )
                .bind(item)
                .bind(meeting_id)
                .fetch_optional(&mut *tx)
                .await?;
                if ok.is_none() {
                    return Err(StoreError::Refused(sinergi_core::Msg::new(
                        "forum.bad_reference",
                    )));
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO decision (meeting_id, agenda_item_id, text, kind, decided_by, \
                 link_kind, link_ref) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(meeting_id)
            .bind(input.agenda_item_id)
            .bind(body)
            .bind(text(&input.kind))
            .bind(text(&input.decided_by))
            .bind(input.link.as_ref().map(|(k, _)| k.key()))
            .bind(input.link.as_ref().map(|(_, r)| r.trim().to_string()))
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "meeting.decision", "meeting")
                .id(meeting_id)
                .region(&m.region)
                .after(serde_json::json!({ "keputusan": id, "teks": body }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Adds a follow-up action to a meeting (optionally from one of its decisions).
    pub async fn add_action(&self, meeting_id: i64, input: &NewAction) -> Result<i64, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        let title = input.title.trim();
        if title.is_empty() {
            return Err(StoreError::Refused(sinergi_core::Msg::new(
                "forum.action_title_required",
            )));
        }
        // An owning organisation from the registries: its registered name (an account of
        // that organisation then sees the action, and its overdue ones on its home page).
        let mut input = input.clone();
        if let Some(org) = input.owner_org_id {
            let found = self
                .registry_organisations_near(&m.region, None, Some(org))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    StoreError::Refused(
                        sinergi_core::Msg::new("forum.organisation_unknown").arg("id", org),
                    )
                })?;
            input.owner_org_name = Some(found.name);
        }
        let input = &input;
        let actor = self.actor();
        let now = now_text();
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(d) = input.decision_id {
                let ok: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM decision WHERE id = $1 AND meeting_id = $2")
                        .bind(d)
                        .bind(meeting_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if ok.is_none() {
                    return Err(StoreError::Refused(sinergi_core::Msg::new(
                        "forum.bad_reference",
                    )));
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO action_item (meeting_id, decision_id, forum_id, lkks_id, region_code, \
                 title, owner_person, owner_org_id, owner_org_name, deadline, status, link_kind, \
                 link_ref, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'terbuka', $11, $12, $13) \
                 RETURNING id",
            )
            .bind(meeting_id)
            .bind(input.decision_id)
            .bind(m.forum_id)
            .bind(m.lkks_id)
            .bind(&m.region)
            .bind(title)
            .bind(text(&input.owner_person))
            .bind(input.owner_org_id)
            .bind(text(&input.owner_org_name))
            .bind(date_text(Some(input.deadline)))
            .bind(input.link.as_ref().map(|(k, _)| k.key()))
            .bind(input.link.as_ref().map(|(_, r)| r.trim().to_string()))
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "action.create", "action")
                .id(id)
                .region(&m.region)
                .after(serde_json::json!({
                    "rapat": meeting_id, "judul": title,
                    "tenggat": date_text(Some(input.deadline))
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Moves an action's status (with evidence when done); the closing date is `today` when
    /// it ends.
    pub async fn update_action(
        &self,
        id: i64,
        to: ActionStatus,
        evidence: Option<String>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("a.region_code", "a.lkks_id", &mut ph);
        // The owning organisation's account sees its own actions too (it reports on them).
        let own = self
            .viewer()
            .principal()
            .and_then(|p| p.scope.organisation)
            .unwrap_or(-1);
        let sql = format!(
            "SELECT a.region_code, a.status, a.owner_org_id, a.evidence FROM action_item a \
             WHERE ({} OR a.owner_org_id = {}) AND a.id = {}",
            f.sql,
            ph.next(),
            ph.next()
        );
        let mut binds = f.binds;
        binds.push(Bind::Int(own));
        binds.push(Bind::Int(id));
        let row: Option<(String, String, Option<i64>, Option<String>)> =
            on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                binds
            )
            .fetch_optional(pool)
            .await)?;
        let (region, from, owner, old_evidence) = row.ok_or(StoreError::Forbidden)?;
        if !rules::may_update_action(self.viewer(), &region_of(&region), owner) {
            return Err(StoreError::Forbidden);
        }
        let from = ActionStatus::from_key(&from).unwrap_or(ActionStatus::Terbuka);
        let evidence = text(&evidence).or(old_evidence);
        check_action_move(from, to, evidence.as_deref()).map_err(refused)?;
        let closed_on = (!to.is_open()).then(|| date_text(Some(today))).flatten();
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE action_item SET status = $1, evidence = $2, closed_on = $3, \
                 updated_at = $4 WHERE id = $5",
            )
            .bind(to.key())
            .bind(&evidence)
            .bind(&closed_on)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(actor.clone(), "action.status", "action")
                .id(id)
                .region(&region)
                .before(serde_json::json!({ "status": from.key() }))
                .after(serde_json::json!({
                    "status": to.key(), "bukti": evidence, "tanggal_selesai": closed_on
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Marks a planned meeting held.
    pub async fn mark_held(&self, meeting_id: i64) -> Result<(), StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        check_meeting_move(m.status, MeetingStatus::Terlaksana, false, 0).map_err(refused)?;
        let actor = self.actor();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE meeting SET status = 'terlaksana' WHERE id = $1")
                .bind(meeting_id)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(actor.clone(), "meeting.held", "meeting")
                .id(meeting_id)
                .region(&m.region);
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Closes a held meeting: its minutes (text, an uploaded PDF, or both) and its attendance
    /// count (the ticked invitees, or the count given when attendance was kept on paper) are
    /// frozen; an uploaded PDF is checked (its first bytes, its size) and kept in the store;
    /// the closing hash (of the text and the file's SHA-256) goes into the audit chain.
    /// Returns the hash.
    pub async fn close_meeting(
        &self,
        meeting_id: i64,
        minutes: Option<String>,
        file: Option<MinutesFile>,
        counted: Option<u32>,
    ) -> Result<String, StoreError> {
        let m = self.open_meeting_for_change(meeting_id).await?;
        let minutes = text(&minutes);
        let file = file.filter(|f| !f.bytes.is_empty());
        if let Some(f) = &file {
            check_minutes_pdf(&f.bytes).map_err(refused)?;
        }
        let file_sha = file.as_ref().map(|f| file_hash(&f.bytes));
        let file_name = file.as_ref().map(|f| {
            let name = f
                .name
                .trim()
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("")
                .trim();
            if name.is_empty() {
                format!("notulen-rapat-{meeting_id}.pdf")
            } else {
                name.chars().take(200).collect()
            }
        });
        let ticked: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitation WHERE meeting_id = $1 AND present"
        )
        .bind(meeting_id)
        .fetch_one(pool)
        .await)?;
        let attendance = if ticked > 0 {
            ticked as u32
        } else {
            counted.unwrap_or(0)
        };
        check_meeting_move(
            m.status,
            MeetingStatus::Ditutup,
            minutes.is_some() || file.is_some(),
            attendance,
        )
        .map_err(refused)?;
        let hash = closing_hash(minutes.as_deref(), file_sha.as_deref());
        let actor = self.actor();
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE meeting SET status = 'ditutup', minutes = $1, minutes_file = $2, \
                 minutes_hash = $3, attendance_count = $4, closed_at = $5 WHERE id = $6",
            )
            .bind(&minutes)
            .bind(&file_name)
            .bind(&hash)
            .bind(i64::from(attendance))
            .bind(&now)
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
            if let (Some(f), Some(name), Some(sha)) = (&file, &file_name, &file_sha) {
                sqlx::query(
                    "INSERT INTO meeting_minutes_file \
                     (meeting_id, file_name, size_bytes, sha256, content, stored_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(meeting_id)
                .bind(name)
                .bind(f.bytes.len() as i64)
                .bind(sha)
                .bind(&f.bytes)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(actor.clone(), "meeting.close", "meeting")
                .id(meeting_id)
                .region(&m.region)
                .after(serde_json::json!({
                    "hash_notulen": hash, "jumlah_hadir": attendance,
                    "berkas_notulen": file_name, "sha256_berkas": file_sha,
                    "ukuran_berkas": file.as_ref().map(|f| f.bytes.len()),
                }));
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(hash)
    }

    /// The minutes PDF kept for a meeting this viewer sees (`None` when it does not see the
    /// meeting or no file was kept). Handing it out is audited by the use case.
    pub async fn minutes_file(
        &self,
        meeting_id: i64,
    ) -> Result<Option<StoredMinutesFile>, StoreError> {
        let Some(m) = self.meeting_row(meeting_id).await? else {
            return Ok(None);
        };
        let row: Option<(String, String, Vec<u8>)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT file_name, sha256, content FROM meeting_minutes_file WHERE meeting_id = $1"
        )
        .bind(meeting_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(name, sha256, bytes)| StoredMinutesFile {
            meeting_id,
            region: m.region,
            name,
            sha256,
            bytes,
        }))
    }

    /// Actions as this viewer sees them (the forum's rows, plus an organisation's own
    /// actions for its account), soonest deadline first.
    pub async fn actions(
        &self,
        filter: &ActionFilter,
        page: Page,
    ) -> Result<Paged<ActionRow>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        // The scope is tested on `region_code || ''` so that no index on the region drives
        // the plan: read in (deadline, id) order, the index on those columns yields a page
        // after a few rows, where a region range would join and sort the whole scope first
        // (100,000 actions: ~120 ms against ~0.1 ms in SQLite).
        let f = self.rows("(a.region_code || '')", "a.lkks_id", &mut ph);
        let mut binds = f.binds;
        let mut parts = vec![
            match self.viewer().principal().and_then(|p| p.scope.organisation) {
                Some(own) => {
                    let p = ph.next();
                    binds.push(Bind::Int(own));
                    format!("({} OR a.owner_org_id = {p})", f.sql)
                }
                None => f.sql,
            },
        ];
        if let Some(forum) = filter.forum {
            parts.push(format!("a.forum_id = {}", ph.next()));
            binds.push(Bind::Int(forum));
        }
        if let Some(s) = filter.status {
            parts.push(format!("a.status = {}", ph.next()));
            binds.push(Bind::Text(s.key().into()));
        }
        if let Some(day) = filter.overdue_on {
            parts.push(format!(
                "a.status IN ('terbuka', 'berjalan') AND a.deadline < {}",
                ph.next()
            ));
            binds.push(Bind::Text(day.format("%Y-%m-%d").to_string()));
        }
        if let Some(org) = filter.owner_org {
            parts.push(format!("a.owner_org_id = {}", ph.next()));
            binds.push(Bind::Int(org));
        }
        if let Some(d) = filter.due_from {
            parts.push(format!("a.deadline >= {}", ph.next()));
            binds.push(Bind::Text(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = filter.due_to {
            parts.push(format!("a.deadline <= {}", ph.next()));
            binds.push(Bind::Text(d.format("%Y-%m-%d").to_string()));
        }
        let where_sql = format!("WHERE {}", parts.join(" AND "));
        let count_sql = format!("SELECT COUNT(*) FROM action_item a {where_sql}");
        let page_sql = format!(
            "SELECT {ACTION_COLUMNS} {ACTION_FROM} {where_sql} ORDER BY a.deadline, a.id \
             LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        let (total, rows): (u64, Vec<ActionDbRow>) =
            fetch_page(self, count_sql, page_sql, &binds).await?;
        Ok(Paged {
            items: rows.into_iter().map(to_action).collect(),
            total,
            page: page.number,
            size: page.size,
        })
    }

    /// Actions whose deadline falls in `from..=to`, within `within` (a region and those
    /// below it; all the viewer sees when `None`), with their forum and the commission their
    /// decision was taken under: what the quarterly M&E report counts.
    pub async fn actions_due(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        within: Option<&RegionCode>,
    ) -> Result<Vec<ActionDue>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("a.region_code", "a.lkks_id", &mut ph);
        let mut binds = f.binds;
        let mut sql = format!(
            "SELECT f.name, ai.commission, a.status, a.deadline, a.closed_on \
             FROM action_item a JOIN forum f ON f.id = a.forum_id \
             LEFT JOIN decision d ON d.id = a.decision_id \
             LEFT JOIN agenda_item ai ON ai.id = d.agenda_item_id \
             WHERE {} AND a.deadline >= {} AND a.deadline <= {}",
            f.sql,
            ph.next(),
            ph.next()
        );
        binds.push(Bind::Text(from.format("%Y-%m-%d").to_string()));
        binds.push(Bind::Text(to.format("%Y-%m-%d").to_string()));
        if let Some(region) = within {
            sql.push_str(&format!(
                " AND (a.region_code = {} OR a.region_code LIKE {})",
                ph.next(),
                ph.next()
            ));
            binds.push(Bind::Text(region.as_str().to_string()));
            binds.push(Bind::Text(format!("{}.%", region.as_str())));
        }
        type DueRow = (String, Option<String>, String, String, Option<String>);
        let rows: Vec<DueRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| ActionDue {
                forum: r.0,
                commission: r.1.unwrap_or_default(),
                status: ActionStatus::from_key(&r.2).unwrap_or(ActionStatus::Terbuka),
                deadline: parse_date(Some(r.3)).unwrap_or_default(),
                closed_on: parse_date(r.4),
            })
            .collect())
    }

    /// Meetings from `from` (UTC) on, soonest first: the calendar.
    pub async fn upcoming_meetings(
        &self,
        from: NaiveDateTime,
        limit: i64,
    ) -> Result<Vec<MeetingSummary>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("m.region_code", "m.lkks_id", &mut ph);
        let mut binds = f.binds;
        let sql = format!(
            "SELECT m.id, m.title, m.kind, m.region_code, m.starts_at, m.status, f.name \
             FROM meeting m JOIN forum f ON f.id = m.forum_id \
             WHERE {} AND m.starts_at >= {} ORDER BY m.starts_at, m.id LIMIT {limit}",
            f.sql,
            ph.next()
        );
        binds.push(Bind::Text(stored_time(from)));
        let rows: Vec<(i64, String, String, String, String, String, String)> = on_pool!(
            self,
            |pool| bind_filter!(sqlx::query_as(AssertSqlSafe(sql.clone())), binds)
                .fetch_all(pool)
                .await
        )?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (starts, zone) = local_start(&r.3, &r.4);
                MeetingSummary {
                    id: r.0,
                    title: format!("{} · {}", r.1, r.6),
                    kind: MeetingKind::from_key(&r.2).unwrap_or(MeetingKind::Forum),
                    starts,
                    zone,
                    status: MeetingStatus::from_key(&r.5).unwrap_or(MeetingStatus::Direncanakan),
                    decisions: 0,
                    actions: 0,
                    open_actions: 0,
                    present: 0,
                }
            })
            .collect())
    }

    /// The yearly capacity-building summary per LKKS (the viewer's rows): training sessions
    /// held, attendance by penta-helix role, sex and disability, and the LKKS's actions due
    /// in the year that were done on time. Years are local years (UTC starts within a day).
    pub async fn capacity_summary(&self, year: i32) -> Result<Vec<LkksCapacity>, StoreError> {
        use std::collections::BTreeMap;
        let from = format!("{:04}-12-31 15:00:00", year - 1);
        let to = format!("{year:04}-12-31 15:00:00");
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("m.region_code", "m.lkks_id", &mut ph);
        let mut binds = f.binds;
        let within = format!(
            "{} AND m.kind = 'pelatihan' AND m.starts_at >= {} AND m.starts_at < {}",
            f.sql,
            ph.next(),
            ph.next()
        );
        binds.push(Bind::Text(from));
        binds.push(Bind::Text(to));
        let sessions_sql = format!(
            "SELECT m.lkks_id, o.name, m.region_code, m.status, COUNT(*) FROM meeting m \
             JOIN organisation o ON o.id = m.lkks_id WHERE {within} \
             GROUP BY m.lkks_id, o.name, m.region_code, m.status"
        );
        let people_sql = format!(
            "SELECT m.lkks_id, i.helix, i.sex, i.disability, COUNT(*) FROM invitation i \
             JOIN meeting m ON m.id = i.meeting_id WHERE {within} AND i.present \
             GROUP BY m.lkks_id, i.helix, i.sex, i.disability"
        );
        type SessionRow = (i64, String, String, String, i64);
        type PeopleRow = (i64, Option<String>, Option<String>, bool, i64);
        let (sessions, people): (Vec<SessionRow>, Vec<PeopleRow>) = on_pool!(self, |pool| {
            let sessions = bind_filter!(sqlx::query_as(AssertSqlSafe(sessions_sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            let people = bind_filter!(sqlx::query_as(AssertSqlSafe(people_sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            (sessions, people)
        });
        let mut rows: BTreeMap<i64, LkksCapacity> = BTreeMap::new();
        let mut helix: BTreeMap<i64, BTreeMap<String, u64>> = BTreeMap::new();
        for (lkks, name, region, status, n) in sessions {
            let r = rows.entry(lkks).or_insert_with(|| LkksCapacity {
                lkks_id: lkks,
                lkks_name: name,
                region,
                ..LkksCapacity::default()
            });
            let n = n.max(0) as u64;
            r.sessions += n;
            if status != MeetingStatus::Direncanakan.key() {
                r.sessions_held += n;
            }
        }
        for (lkks, h, sex, disability, n) in people {
            let Some(r) = rows.get_mut(&lkks) else {
                continue;
            };
            let n = n.max(0) as u64;
            r.present += n;
            *helix
                .entry(lkks)
                .or_default()
                .entry(h.unwrap_or_default())
                .or_default() += n;
            match sex.as_deref() {
                Some("L") => r.male += n,
                Some("P") => r.female += n,
                _ => {}
            }
            if disability {
                r.disability += n;
            }
        }
        // Actions of these LKKS due in the year (calendar dates), from every forum they own.
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("a.region_code", "a.lkks_id", &mut ph);
        let mut binds = f.binds;
        let actions_sql = format!(
            "SELECT a.lkks_id, a.status, a.deadline, a.closed_on FROM action_item a \
             WHERE {} AND a.deadline >= {} AND a.deadline <= {}",
            f.sql,
            ph.next(),
            ph.next()
        );
        binds.push(Bind::Text(format!("{year:04}-01-01")));
        binds.push(Bind::Text(format!("{year:04}-12-31")));
        let actions: Vec<(i64, String, String, Option<String>)> =
            on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(actions_sql.clone())),
                binds
            )
            .fetch_all(pool)
            .await)?;
        for (lkks, status, deadline, closed_on) in actions {
            let Some(r) = rows.get_mut(&lkks) else {
                continue;
            };
            r.actions_due += 1;
            let done = status == ActionStatus::Selesai.key();
            let deadline = parse_date(Some(deadline));
            if done
                && parse_date(closed_on)
                    .zip(deadline)
                    .is_some_and(|(c, d)| c <= d)
            {
                r.actions_on_time += 1;
            }
        }
        let mut out: Vec<LkksCapacity> = rows
            .into_values()
            .map(|mut r| {
                r.by_helix = helix
                    .remove(&r.lkks_id)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                r
            })
            .collect();
        out.sort_by(|a, b| a.region.cmp(&b.region).then(a.lkks_name.cmp(&b.lkks_name)));
        Ok(out)
    }

    /// Attendance counted over the meetings this viewer sees, optionally of one kind and
    /// within one year (local dates): for capacity-building reporting.
    pub async fn attendance_counts(
        &self,
        kind: Option<MeetingKind>,
        year: Option<i32>,
    ) -> Result<AttendanceCounts, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let f = self.rows("m.region_code", "m.lkks_id", &mut ph);
        let mut binds = f.binds;
        let mut parts = vec![f.sql];
        if let Some(k) = kind {
            parts.push(format!("m.kind = {}", ph.next()));
            binds.push(Bind::Text(k.key().into()));
        }
        if let Some(y) = year {
            // UTC starts: a year's local dates lie within a day of its UTC bounds.
            parts.push(format!(
                "m.starts_at >= {} AND m.starts_at < {}",
                ph.next(),
                ph.next()
            ));
            binds.push(Bind::Text(format!("{:04}-01-01", y - 1) + " 15:00:00"));
            binds.push(Bind::Text(format!("{y:04}-12-31 15:00:00")));
        }
        let sql = format!(
            "SELECT i.present, i.helix, i.sex, i.disability FROM invitation i \
             JOIN meeting m ON m.id = i.meeting_id WHERE {}",
            parts.join(" AND ")
        );
        let rows: Vec<(bool, Option<String>, Option<String>, bool)> =
            on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                binds
            )
            .fetch_all(pool)
            .await)?;
        let mut out = AttendanceCounts::default();
        let mut helix: std::collections::BTreeMap<String, u64> = Default::default();
        for (present, h, sex, disability) in rows {
            out.invited += 1;
            if !present {
                continue;
            }
            out.present += 1;
            *helix.entry(h.unwrap_or_default()).or_default() += 1;
            match sex.as_deref() {
                Some("L") => out.male += 1,
                Some("P") => out.female += 1,
                _ => out.sex_unknown += 1,
            }
            if disability {
                out.disability += 1;
            }
        }
        out.by_helix = helix.into_iter().collect();
        Ok(out)
    }
}

fn to_meeting(r: MeetingDbRow) -> Meeting {
    let (starts, zone) = local_start(&r.4, &r.7);
    Meeting {
        id: r.0,
        forum_id: r.1,
        forum_name: r.2,
        lkks_id: r.3,
        region: r.4,
        title: r.5,
        kind: MeetingKind::from_key(&r.6).unwrap_or(MeetingKind::Forum),
        starts,
        zone,
        place: r.8,
        online_link: r.9,
        organiser: r.10,
        status: MeetingStatus::from_key(&r.11).unwrap_or(MeetingStatus::Direncanakan),
        commissions: split(&r.12),
        topics: split(&r.13),
        minutes: r.14.0,
        minutes_file: r.14.1,
        minutes_hash: r.14.2,
        attendance_count: r.14.3,
    }
}
