//! Who may use the Indeks Prioritas and the data-quality scorecard (issue 22). Both are tools of
//! the LKKS boards and their operators: LKS operators and partners report data, they don't
//! judge regions against each other.

use chrono::NaiveDate;

use crate::access::{Role, Viewer};
use crate::region::RegionCode;

/// Realisation for a quarter is due by this day of the month after the quarter ends (the
/// scorecard's timeliness): LKS monthly reports are due on the 10th, and kab/kota gather those
/// before they report the quarter.
pub const REALISATION_DUE_DAY: u32 = 15;

/// The last day realisation for quarter `quarter` (1–4) of `year` counts as on time.
pub fn realisation_due(year: i32, quarter: u8) -> Option<NaiveDate> {
    if !(1..=4).contains(&quarter) {
        return None;
    }
    let month = u32::from(quarter) * 3 + 1;
    let (y, m) = if month > 12 {
        (year + 1, month - 12)
    } else {
        (year, month)
    };
    NaiveDate::from_ymd_opt(y, m, REALISATION_DUE_DAY)
}

/// Whether quarter `quarter` of `year` has ended before `today` (only then is it expected).
pub fn quarter_ended(year: i32, quarter: u8, today: NaiveDate) -> bool {
    let next = if quarter >= 4 {
        (year + 1, 1)
    } else {
        (year, u32::from(quarter) * 3 + 1)
    };
    NaiveDate::from_ymd_opt(next.0, next.1, 1).is_some_and(|start| start <= today)
}

fn lkks_role(role: Role) -> bool {
    matches!(
        role,
        Role::AdminProvinsi | Role::OperatorKabKota | Role::Pimpinan
    )
}

/// See the ranking, the scorecard and the follow-up marks.
pub fn may_view(viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => lkks_role(p.role),
    }
}

/// Save a new version of the method (indicators, weights, treatment): the province admin.
pub fn may_define_method(viewer: &Viewer) -> bool {
    viewer.is_admin()
}

/// Publish a ranking below `within` (one of the viewer's regions or inside them).
pub fn may_publish(viewer: &Viewer, within: &RegionCode) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => lkks_role(p.role) && p.can_write() && p.scope.covers(within),
    }
}

/// Mark a scorecard cell of `region` for follow-up, or move its status.
pub fn may_follow_up(viewer: &Viewer, region: &RegionCode) -> bool {
    may_publish(viewer, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Principal, Scope};

    fn user(role: Role, region: &str, organisation: Option<i64>) -> Viewer {
        Viewer::User(Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: vec![RegionCode::parse(region).unwrap()],
                organisation,
            },
        })
    }

    #[test]
    fn realisation_is_due_on_the_fifteenth_after_the_quarter() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(realisation_due(2025, 1), Some(d(2025, 4, 15)));
        assert_eq!(realisation_due(2025, 4), Some(d(2026, 1, 15)));
        assert_eq!(realisation_due(2025, 5), None);
        assert!(!quarter_ended(2025, 1, d(2025, 3, 31)));
        assert!(quarter_ended(2025, 1, d(2025, 4, 1)));
        assert!(!quarter_ended(2025, 4, d(2025, 12, 31)));
        assert!(quarter_ended(2025, 4, d(2026, 1, 1)));
    }

    #[test]
    fn lkks_roles_use_it_and_only_writers_inside_their_scope_act() {
        let lotim = RegionCode::parse("52.03").unwrap();
        let ksb = RegionCode::parse("52.07").unwrap();
        let admin = user(Role::AdminProvinsi, "52", None);
        let operator = user(Role::OperatorKabKota, "52.03", None);
        let board = user(Role::Pimpinan, "52", None);
        let lks = user(Role::OperatorLks, "52.03", Some(4));
        let partner = user(Role::Mitra, "52", Some(9));
        for v in [&admin, &operator, &board] {
            assert!(may_view(v));
        }
        for v in [&lks, &partner, &Viewer::Public] {
            assert!(!may_view(v));
            assert!(!may_follow_up(v, &lotim));
        }
        assert!(may_define_method(&admin));
        assert!(!may_define_method(&operator));
        assert!(may_follow_up(&operator, &lotim));
        assert!(!may_follow_up(&operator, &ksb));
        // The board reads; it does not act.
        assert!(!may_publish(&board, &lotim));
        assert!(may_publish(&Viewer::System("cli"), &ksb));
    }
}
