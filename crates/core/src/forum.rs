//! Forums and their follow-up (issue 21): a forum is a standing body or series owned by an
//! LKKS; its meetings move planned → held → closed; decisions per agenda item give actions
//! that move open → in progress → done / dropped. The rules only: moves, what closing needs,
//! who may change what, overdue, check-in codes and the clock of the region.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::access::Viewer;
use crate::msg::{Localized, Msg};
use crate::region::{RegionCode, TimeZone};

/// Declares an enum with the stable key it is stored and typed as.
macro_rules! keyed {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                let key = key.trim();
                $name::ALL.iter().copied().find(|v| v.key().eq_ignore_ascii_case(key))
            }
        }
    };
}

keyed!(
    /// What a meeting is for.
    MeetingKind {
        Koordinasi => "koordinasi",
        Forum => "forum",
        Pelatihan => "pelatihan",
        Komisi => "komisi",
    }
);

keyed!(
    /// Where a meeting stands.
    MeetingStatus {
        Direncanakan => "direncanakan",
        Terlaksana => "terlaksana",
        Ditutup => "ditutup",
    }
);

keyed!(
    /// Where a follow-up action stands; done and dropped are final.
    ActionStatus {
        Terbuka => "terbuka",
        Berjalan => "berjalan",
        Selesai => "selesai",
        Dibatalkan => "dibatalkan",
    }
);

keyed!(
    /// An invitee's answer.
    Rsvp {
        Belum => "belum",
        Hadir => "hadir",
        Tidak => "tidak",
        Diwakili => "diwakili",
    }
);

keyed!(
    /// What a decision or action concerns, when it concerns something tracked elsewhere.
    LinkKind {
        Indikator => "indikator",
        Program => "program",
        TargetPembentukan => "target_pembentukan",
        Lks => "lks",
    }
);

impl MeetingStatus {
    /// Planned → held → closed; a closed meeting is frozen.
    pub fn may_move_to(self, to: MeetingStatus) -> bool {
        matches!(
            (self, to),
            (MeetingStatus::Direncanakan, MeetingStatus::Terlaksana)
                | (MeetingStatus::Terlaksana, MeetingStatus::Ditutup)
        )
    }

    pub fn is_frozen(self) -> bool {
        self == MeetingStatus::Ditutup
    }
}

impl ActionStatus {
    /// Open → in progress → done / dropped (an open action may also end directly).
    pub fn may_move_to(self, to: ActionStatus) -> bool {
        use ActionStatus::*;
        matches!(
            (self, to),
            (Terbuka, Berjalan | Selesai | Dibatalkan) | (Berjalan, Selesai | Dibatalkan)
        )
    }

    /// Still to be done: it rolls onto the next meeting and can be overdue.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Terbuka | ActionStatus::Berjalan)
    }
}

/// An open action past its deadline.
pub fn is_overdue(status: ActionStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    status.is_open() && deadline < today
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ForumError {
    #[error("status rapat tidak bisa berpindah dari {from:?} ke {to:?}")]
    MeetingMove {
        from: MeetingStatus,
        to: MeetingStatus,
    },
    #[error("rapat tidak bisa ditutup tanpa notulen")]
    MinutesRequired,
    #[error("rapat tidak bisa ditutup tanpa jumlah hadir")]
    AttendanceRequired,
    #[error("rapat sudah ditutup; notulen tidak bisa diubah")]
    Frozen,
    #[error("status tindak lanjut tidak bisa berpindah dari {from:?} ke {to:?}")]
    ActionMove {
        from: ActionStatus,
        to: ActionStatus,
    },
    #[error("tindak lanjut selesai membutuhkan bukti")]
    EvidenceRequired,
    #[error("berkas notulen bukan PDF")]
    MinutesNotPdf,
    #[error("berkas notulen {bytes} bita melebihi batas {limit} bita")]
    MinutesTooLarge { bytes: u64, limit: u64 },
    #[error("jawaban diwakili membutuhkan nama wakilnya")]
    RepresentativeRequired,
}

impl ForumError {
    pub fn code(&self) -> &'static str {
        match self {
            ForumError::MeetingMove { .. } => "forum.meeting_move",
            ForumError::MinutesRequired => "forum.minutes_required",
            ForumError::AttendanceRequired => "forum.attendance_required",
            ForumError::Frozen => "forum.frozen",
            ForumError::ActionMove { .. } => "forum.action_move",
            ForumError::EvidenceRequired => "forum.evidence_required",
            ForumError::MinutesNotPdf => "forum.minutes_not_pdf",
            ForumError::MinutesTooLarge { .. } => "forum.minutes_too_large",
            ForumError::RepresentativeRequired => "forum.representative_required",
        }
    }
}

impl Localized for ForumError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            ForumError::MeetingMove { from, to } => m
                .arg_msg("from", Msg::new(meeting_status_key(*from)))
                .arg_msg("to", Msg::new(meeting_status_key(*to))),
            ForumError::ActionMove { from, to } => m
                .arg_msg("from", Msg::new(action_status_key(*from)))
                .arg_msg("to", Msg::new(action_status_key(*to))),
            ForumError::MinutesTooLarge { bytes, limit } => m
                .arg("size", format!("{:.1}", *bytes as f64 / 1_048_576.0))
                .arg("limit", limit / 1_048_576),
            _ => m,
        }
    }
}

/// The catalogue key naming a meeting status.
pub fn meeting_status_key(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Direncanakan => "forum.status.direncanakan",
        MeetingStatus::Terlaksana => "forum.status.terlaksana",
        MeetingStatus::Ditutup => "forum.status.ditutup",
    }
}

/// The catalogue key naming an action status.
pub fn action_status_key(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Terbuka => "forum.action.terbuka",
        ActionStatus::Berjalan => "forum.action.berjalan",
        ActionStatus::Selesai => "forum.action.selesai",
        ActionStatus::Dibatalkan => "forum.action.dibatalkan",
    }
}

/// Checks a status move of a meeting. Closing needs minutes (text or an uploaded file) and
/// an attendance count above zero.
pub fn check_meeting_move(
    from: MeetingStatus,
    to: MeetingStatus,
    has_minutes: bool,
    attendance: u32,
) -> Result<(), ForumError> {
    if !from.may_move_to(to) {
        return Err(ForumError::MeetingMove { from, to });
    }
    if to == MeetingStatus::Ditutup {
        if !has_minutes {
            return Err(ForumError::MinutesRequired);
        }
        if attendance == 0 {
            return Err(ForumError::AttendanceRequired);
        }
    }
    Ok(())
}

/// Checks a status move of an action; done needs evidence (a text, a link, a file name).
pub fn check_action_move(
    from: ActionStatus,
    to: ActionStatus,
    evidence: Option<&str>,
) -> Result<(), ForumError> {
    if !from.may_move_to(to) {
        return Err(ForumError::ActionMove { from, to });
    }
    if to == ActionStatus::Selesai && evidence.is_none_or(|e| e.trim().is_empty()) {
        return Err(ForumError::EvidenceRequired);
    }
    Ok(())
}

/// The hash of closed minutes, as the audit chain records it (SHA-256, hex).
pub fn minutes_hash(minutes: &str) -> String {
    let digest = Sha256::digest(minutes.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The largest minutes PDF kept: a scanned, signed notulen of a few pages fits well within.
pub const MAX_MINUTES_PDF_BYTES: u64 = 10 * 1024 * 1024;

/// Checks an uploaded minutes file before it is kept: a PDF by its first bytes (`%PDF-`,
/// whatever its name says) and no larger than [`MAX_MINUTES_PDF_BYTES`].
pub fn check_minutes_pdf(bytes: &[u8]) -> Result<(), ForumError> {
    let size = bytes.len() as u64;
    if size > MAX_MINUTES_PDF_BYTES {
        return Err(ForumError::MinutesTooLarge {
            bytes: size,
            limit: MAX_MINUTES_PDF_BYTES,
        });
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(ForumError::MinutesNotPdf);
    }
    Ok(())
}

/// The SHA-256 of a kept file, hex (what `sha256sum` prints for the downloaded file).
pub fn file_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hash closing records in the audit chain: of the minutes text and, when the minutes
/// were uploaded as a file, of that file's SHA-256 (so the bytes themselves are bound).
pub fn closing_hash(minutes: Option<&str>, file_sha256: Option<&str>) -> String {
    minutes_hash(&format!(
        "{}\n{}",
        minutes.unwrap_or(""),
        file_sha256.unwrap_or("")
    ))
}

/// The penta-helix role an invited organisation has in the registries: a partner's own role;
/// an LKS or an LKKS is civil society (masyarakat). `None` for anything else.
pub fn registry_helix(
    organisation_kind: &str,
    partner_helix: Option<crate::institution::Helix>,
) -> Option<crate::institution::Helix> {
    use crate::institution::Helix;
    match organisation_kind {
        "mitra" => partner_helix,
        "lks" | "lkks" => Some(Helix::Masyarakat),
        _ => None,
    }
}

/// Letters and digits that are not confused when read aloud or from paper (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A short check-in code from random bytes: six characters, read at the door.
pub fn checkin_code(random: [u8; 6]) -> String {
    random
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// A typed code as stored (upper case, no spaces or dashes).
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A local date and time in the zone of `region`, as UTC (how starts are stored).
pub fn local_to_utc(region: &RegionCode, date: NaiveDate, time: NaiveTime) -> NaiveDateTime {
    date.and_time(time) - TimeDelta::hours(TimeZone::of(region).offset_hours().into())
}

/// A stored UTC start in the zone of `region`, with the zone's name.
pub fn utc_to_local(region: &RegionCode, utc: NaiveDateTime) -> (NaiveDateTime, &'static str) {
    let zone = TimeZone::of(region);
    (
        utc + TimeDelta::hours(zone.offset_hours().into()),
        zone.name(),
    )
}

/// Rows an attendance sheet may hold: a meeting's sheet is a few hundred names; more is not
/// an attendance sheet (and would hold one transaction too long).
pub const MAX_SHEET_ROWS: usize = 5_000;

/// One row of an uploaded attendance sheet, as intake read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// The line in the file (for the reject report).
    pub line: u64,
    /// The invitee's check-in code, when the sheet carries it.
    pub code: Option<String>,
    pub person_name: Option<String>,
    pub organisation_name: Option<String>,
    pub helix: Option<crate::institution::Helix>,
    /// "L" or "P".
    pub sex: Option<String>,
    pub disability: bool,
    pub present: bool,
    pub represented_by: Option<String>,
}

/// An invitation as the sheet is matched against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInvitee {
    pub id: i64,
    pub code: String,
    pub person_name: Option<String>,
    pub organisation_name: Option<String>,
}

/// What one sheet row does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetStep {
    /// An existing invitation: its presence (and blanks filled from the row).
    Update { invitation_id: i64, row: SheetRow },
    /// Someone not invited (a walk-in): a new invitation.
    Add(SheetRow),
}

/// A name folded for matching: letters and digits, lower case, single spaces.
fn fold_name(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn folded(s: &Option<String>) -> Option<String> {
    s.as_deref().map(fold_name).filter(|s| !s.is_empty())
}

/// Matches an attendance sheet to a meeting's invitations: by check-in code when the row has
/// one (a code that is not this meeting's refuses the row), otherwise by person name (and
/// organisation, when both sides name one), or by organisation alone for a row that names no
/// person. A row matching nobody is a walk-in. The same invitee twice refuses the later row.
/// Either every row has its step, or the refused rows are returned (line, reason) and
/// nothing is to be written.
pub fn match_sheet(
    invitees: &[SheetInvitee],
    rows: &[SheetRow],
) -> Result<Vec<SheetStep>, Vec<(u64, Msg)>> {
    let mut steps = Vec::with_capacity(rows.len());
    let mut refused = Vec::new();
    // Invitation id → the line that took it.
    let mut taken: std::collections::HashMap<i64, u64> = Default::default();
    // Walk-ins by folded (person, organisation) → line.
    let mut walk_ins: std::collections::HashMap<(Option<String>, Option<String>), u64> =
        Default::default();
    for row in rows {
        let person = folded(&row.person_name);
        let org = folded(&row.organisation_name);
        let found = if let Some(code) = row
            .code
            .as_deref()
            .map(normalise_code)
            .filter(|c| !c.is_empty())
        {
            match invitees.iter().find(|i| i.code == code) {
                Some(i) => Some(i.id),
                None => {
                    refused.push((
                        row.line,
                        Msg::new("forum.sheet.code_unknown").arg("code", code),
                    ));
                    continue;
                }
            }
        } else {
            let candidates = invitees.iter().filter(|i| match &person {
                Some(p) => {
                    folded(&i.person_name).as_ref() == Some(p)
                        && (org.is_none()
                            || folded(&i.organisation_name).is_none()
                            || folded(&i.organisation_name) == org)
                }
                None => {
                    folded(&i.person_name).is_none()
                        && org.is_some()
                        && folded(&i.organisation_name) == org
                }
            });
            // The first such invitee no earlier row took; else the first (a repeat, refused below).
            let all: Vec<&SheetInvitee> = candidates.collect();
            all.iter()
                .find(|i| !taken.contains_key(&i.id))
                .or(all.first())
                .map(|i| i.id)
        };
        match found {
            Some(id) => {
                if let Some(first) = taken.get(&id) {
                    refused.push((
                        row.line,
                        Msg::new("forum.sheet.repeated").arg("first", *first),
                    ));
                    continue;
                }
                taken.insert(id, row.line);
                steps.push(SheetStep::Update {
                    invitation_id: id,
                    row: row.clone(),
                });
            }
            None => {
                if person.is_none() && org.is_none() {
                    refused.push((row.line, Msg::new("forum.sheet.who_required")));
                    continue;
                }
                let key = (person, org);
                if let Some(first) = walk_ins.get(&key) {
                    refused.push((
                        row.line,
                        Msg::new("forum.sheet.repeated").arg("first", *first),
                    ));
                    continue;
                }
                walk_ins.insert(key, row.line);
                steps.push(SheetStep::Add(row.clone()));
            }
        }
    }
    if refused.is_empty() {
        Ok(steps)
    } else {
        Err(refused)
    }
}

/// An action due in a reporting period, as the M&E report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDue {
    pub forum: String,
    /// The commission of the agenda item its decision was taken under ("" for none).
    pub commission: String,
    pub status: ActionStatus,
    pub deadline: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// Actions due in a period, per forum and commission: done on time or late, still open (and
/// of those, overdue on `today`), dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionTally {
    pub forum: String,
    pub commission: String,
    pub due: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub open: u64,
    pub overdue: u64,
    pub dropped: u64,
}

/// Counts actions per forum and commission (sorted by both); done on time means closed on or
/// before the deadline.
pub fn tally_actions(actions: &[ActionDue], today: NaiveDate) -> Vec<ActionTally> {
    let mut by: std::collections::BTreeMap<(String, String), ActionTally> = Default::default();
    for a in actions {
        let t = by
            .entry((a.forum.clone(), a.commission.clone()))
            .or_insert_with(|| ActionTally {
                forum: a.forum.clone(),
                commission: a.commission.clone(),
                ..ActionTally::default()
            });
        t.due += 1;
        match a.status {
            ActionStatus::Selesai => {
                if a.closed_on.is_some_and(|c| c <= a.deadline) {
                    t.done_on_time += 1;
                } else {
                    t.done_late += 1;
                }
            }
            ActionStatus::Dibatalkan => t.dropped += 1,
            ActionStatus::Terbuka | ActionStatus::Berjalan => {
                t.open += 1;
                if is_overdue(a.status, a.deadline, today) {
                    t.overdue += 1;
                }
            }
        }
    }
    by.into_values().collect()
}

/// Who may see and change forums. A forum belongs to an LKKS and is read by everyone whose
/// regions hold the forum's region (the store's row filter); these are the writes.
pub mod rules {
    use super::*;

    /// Create forums and meetings, record attendance, decisions and actions, close a
    /// meeting: a regional writer whose scope covers the forum's region, or the system.
    pub fn may_manage_forum(viewer: &Viewer, region: &RegionCode) -> bool {
        match viewer {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => {
                p.can_write() && !p.role.is_organisation_bound() && p.scope.covers(region)
            }
        }
    }

    /// Answer an invitation (attending, not attending, represented by): the forum's
    /// managers for any invitee, and the invited organisation's own account for its own.
    pub fn may_answer_invitation(
        viewer: &Viewer,
        region: &RegionCode,
        invited_organisation: Option<i64>,
    ) -> bool {
        if may_manage_forum(viewer, region) {
            return true;
        }
        match viewer.principal() {
            Some(p) => {
                p.can_write()
                    && p.role.is_organisation_bound()
                    && p.scope.organisation.is_some()
                    && p.scope.organisation == invited_organisation
            }
            None => false,
        }
    }

    /// Move an action's status and give its evidence: the forum's managers, and the owning
    /// organisation's own account (a partner reports on what it took on).
    pub fn may_update_action(
        viewer: &Viewer,
        region: &RegionCode,
        owner_organisation: Option<i64>,
    ) -> bool {
        if may_manage_forum(viewer, region) {
            return true;
        }
        match viewer.principal() {
            Some(p) => {
                p.can_write()
                    && p.role.is_organisation_bound()
                    && p.scope.organisation.is_some()
                    && p.scope.organisation == owner_organisation
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Principal, Role, Scope};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn user(role: Role, regions: &[&str], org: Option<i64>) -> Viewer {
        Viewer::User(Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: regions.iter().map(|r| code(r)).collect(),
                organisation: org,
            },
        })
    }

    #[test]
    fn meetings_move_forward_only_and_closing_needs_minutes_and_attendance() {
        use MeetingStatus::*;
        assert!(check_meeting_move(Direncanakan, Terlaksana, false, 0).is_ok());
        assert_eq!(
            check_meeting_move(Direncanakan, Ditutup, true, 5),
            Err(ForumError::MeetingMove {
                from: Direncanakan,
                to: Ditutup
            })
        );
        assert_eq!(
            check_meeting_move(Terlaksana, Ditutup, false, 5),
            Err(ForumError::MinutesRequired)
        );
        assert_eq!(
            check_meeting_move(Terlaksana, Ditutup, true, 0),
            Err(ForumError::AttendanceRequired)
        );
        assert!(check_meeting_move(Terlaksana, Ditutup, true, 1).is_ok());
        for to in MeetingStatus::ALL {
            assert!(!Ditutup.may_move_to(*to), "closed is frozen");
        }
        assert!(Ditutup.is_frozen() && !Terlaksana.is_frozen());
    }

    #[test]
    fn actions_end_once_and_done_needs_evidence() {
        use ActionStatus::*;
        assert!(check_action_move(Terbuka, Berjalan, None).is_ok());
        assert!(check_action_move(Berjalan, Dibatalkan, None).is_ok());
        assert_eq!(
            check_action_move(Berjalan, Selesai, Some("  ")),
            Err(ForumError::EvidenceRequired)
        );
        assert!(check_action_move(Berjalan, Selesai, Some("SK Bupati 12/2025")).is_ok());
        assert!(check_action_move(Selesai, Berjalan, None).is_err());
        assert!(check_action_move(Dibatalkan, Terbuka, None).is_err());
        assert!(check_action_move(Berjalan, Terbuka, None).is_err());
    }

    #[test]
    fn only_open_actions_past_their_deadline_are_overdue() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let today = d(7, 1);
        assert!(is_overdue(ActionStatus::Berjalan, d(6, 30), today));
        assert!(
            !is_overdue(ActionStatus::Terbuka, d(7, 1), today),
            "due today"
        );
        assert!(!is_overdue(ActionStatus::Selesai, d(1, 1), today));
        assert!(!is_overdue(ActionStatus::Dibatalkan, d(1, 1), today));
    }

    #[test]
    fn minutes_hash_is_sha256_hex() {
        assert_eq!(
            minutes_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(minutes_hash("a"), minutes_hash("b"));
    }

    #[test]
    fn minutes_files_must_be_pdfs_within_the_limit() {
        assert!(check_minutes_pdf(b"%PDF-1.7\n...").is_ok());
        assert_eq!(
            check_minutes_pdf(b"PK\x03\x04 a docx"),
            Err(ForumError::MinutesNotPdf)
        );
        assert_eq!(check_minutes_pdf(b""), Err(ForumError::MinutesNotPdf));
        let big = vec![b'%'; MAX_MINUTES_PDF_BYTES as usize + 1];
        assert!(matches!(
            check_minutes_pdf(&big),
            Err(ForumError::MinutesTooLarge { .. })
        ));
        assert_eq!(closing_hash(Some("a"), None), minutes_hash("a\n"));
        assert_ne!(
            closing_hash(None, Some(&file_hash(b"%PDF-1"))),
            closing_hash(None, Some(&file_hash(b"%PDF-2")))
        );
    }

    #[test]
    fn invitations_are_answered_by_managers_or_the_invited_organisation() {
        let region = code("52.03");
        let partner = user(Role::Mitra, &[], Some(7));
        assert!(rules::may_answer_invitation(&partner, &region, Some(7)));
        assert!(!rules::may_answer_invitation(&partner, &region, Some(8)));
        assert!(!rules::may_answer_invitation(&partner, &region, None));
        let op = user(Role::OperatorKabKota, &["52.03"], None);
        assert!(rules::may_answer_invitation(&op, &region, None));
        assert!(!rules::may_answer_invitation(
            &user(Role::Pimpinan, &["52"], None),
            &region,
            None
        ));
        use crate::institution::Helix;
        assert_eq!(registry_helix("lks", None), Some(Helix::Masyarakat));
        assert_eq!(
            registry_helix("mitra", Some(Helix::Akademisi)),
            Some(Helix::Akademisi)
        );
    }

    #[test]
    fn checkin_codes_are_six_unambiguous_characters_and_typing_is_forgiving() {
        let c = checkin_code([0, 1, 30, 31, 200, 255]);
        assert_eq!(c.len(), 6);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(&c[..4], "23Z2", "bytes wrap round the alphabet");
        assert_eq!(normalise_code(" ab-3 k9 "), "AB3K9");
    }

    fn sheet_row(
        line: u64,
        code: Option<&str>,
        person: Option<&str>,
        org: Option<&str>,
    ) -> SheetRow {
        SheetRow {
            line,
            code: code.map(str::to_string),
            person_name: person.map(str::to_string),
            organisation_name: org.map(str::to_string),
            helix: None,
            sex: None,
            disability: false,
            present: true,
            represented_by: None,
        }
    }

    #[test]
    fn a_sheet_matches_by_code_then_name_and_adds_walk_ins() {
        let inv = |id, code: &str, person: Option<&str>, org: Option<&str>| SheetInvitee {
            id,
            code: code.into(),
            person_name: person.map(str::to_string),
            organisation_name: org.map(str::to_string),
        };
        let invitees = [
            inv(1, "ABC234", Some("Siti Aminah"), Some("Baznas NTB")),
            inv(2, "XYZ789", Some("Lalu Ahmad"), None),
            inv(3, "KMN456", None, Some("Universitas Mataram")),
        ];
        let rows = [
            sheet_row(2, Some("abc-234"), None, None),
            sheet_row(3, None, Some("LALU  ahmad"), Some("Dinas Sosial")),
            sheet_row(4, None, None, Some("universitas mataram")),
            sheet_row(5, None, Some("Baiq Nurul"), Some("OMS Lombok")),
        ];
        let steps = match_sheet(&invitees, &rows).unwrap();
        let ids: Vec<Option<i64>> = steps
            .iter()
            .map(|s| match s {
                SheetStep::Update { invitation_id, .. } => Some(*invitation_id),
                SheetStep::Add(_) => None,
            })
            .collect();
        assert_eq!(ids, vec![Some(1), Some(2), Some(3), None]);

        // An unknown code, a repeat of an invitee, a repeated walk-in and a row naming nobody
        // are each refused by line; nothing is to be written.
        let bad = [
            sheet_row(2, Some("QQQQQQ"), None, None),
            sheet_row(3, Some("ABC234"), None, None),
            sheet_row(4, None, Some("Siti Aminah"), None),
            sheet_row(5, None, Some("Baiq Nurul"), None),
            sheet_row(6, None, Some("baiq nurul"), None),
            sheet_row(7, None, Some(" "), None),
        ];
        let refused = match_sheet(&invitees, &bad).unwrap_err();
        let got: Vec<(u64, &str)> = refused.iter().map(|(l, m)| (*l, m.key)).collect();
        assert_eq!(
            got,
            vec![
                (2, "forum.sheet.code_unknown"),
                (4, "forum.sheet.repeated"),
                (6, "forum.sheet.repeated"),
                (7, "forum.sheet.who_required"),
            ]
        );
    }

    #[test]
    fn actions_are_tallied_per_forum_and_commission() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let a = |forum: &str, commission: &str, status, deadline, closed_on| ActionDue {
            forum: forum.into(),
            commission: commission.into(),
            status,
            deadline,
            closed_on,
        };
        use ActionStatus::*;
        let rows = [
            a("Rakor", "Komisi A", Selesai, d(8, 1), Some(d(7, 30))),
            a("Rakor", "Komisi A", Selesai, d(8, 1), Some(d(8, 2))),
            a("Rakor", "Komisi A", Berjalan, d(8, 15), None),
            a("Rakor", "Komisi A", Terbuka, d(9, 30), None),
            a("Rakor", "", Dibatalkan, d(9, 1), Some(d(8, 1))),
            a("Forum NTB", "", Terbuka, d(7, 1), None),
        ];
        let t = tally_actions(&rows, d(9, 1));
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[0].forum.as_str(), t[0].due, t[0].overdue),
            ("Forum NTB", 1, 1)
        );
        assert_eq!((t[1].commission.as_str(), t[1].dropped), ("", 1));
        let k = &t[2];
        assert_eq!(k.commission, "Komisi A");
        assert_eq!(
            (k.due, k.done_on_time, k.done_late, k.open, k.overdue),
            (4, 1, 1, 2, 1),
            "due 15 Aug and still running is overdue on 1 Sep; due 30 Sep is not"
        );
    }

    #[test]
    fn meeting_times_are_the_region_clock() {
        let date = NaiveDate::from_ymd_opt(2025, 11, 18).unwrap();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let ntb = code("52");
        let utc = local_to_utc(&ntb, date, nine);
        assert_eq!(utc.to_string(), "2025-11-18 01:00:00", "WITA is UTC+8");
        assert_eq!(utc_to_local(&ntb, utc), (date.and_time(nine), "WITA"));
        let jateng = code("33");
        assert_eq!(
            local_to_utc(&jateng, date, nine).to_string(),
            "2025-11-18 02:00:00"
        );
    }

    #[test]
    fn forums_are_managed_by_regional_writers_and_actions_also_by_their_owner() {
        let region = code("52.03");
        assert!(rules::may_manage_forum(
            &user(Role::AdminProvinsi, &["52"], None),
            &region
        ));
        assert!(rules::may_manage_forum(
            &user(Role::OperatorKabKota, &["52.03"], None),
            &region
        ));
        assert!(!rules::may_manage_forum(
            &user(Role::OperatorKabKota, &["52.02"], None),
            &region
        ));
        assert!(!rules::may_manage_forum(
            &user(Role::Pimpinan, &["52"], None),
            &region
        ));
        assert!(!rules::may_manage_forum(Viewer::public(), &region));
        assert!(rules::may_manage_forum(&Viewer::System("cli"), &region));
        let partner = user(Role::Mitra, &[], Some(7));
        assert!(!rules::may_manage_forum(&partner, &region));
        assert!(rules::may_update_action(&partner, &region, Some(7)));
        assert!(!rules::may_update_action(&partner, &region, Some(8)));
        assert!(!rules::may_update_action(&partner, &region, None));
    }
}
