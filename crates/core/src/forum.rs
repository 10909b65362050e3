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
    fn checkin_codes_are_six_unambiguous_characters_and_typing_is_forgiving() {
        let c = checkin_code([0, 1, 30, 31, 200, 255]);
        assert_eq!(c.len(), 6);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(&c[..4], "23Z2", "bytes wrap round the alphabet");
        assert_eq!(normalise_code(" ab-3 k9 "), "AB3K9");
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
