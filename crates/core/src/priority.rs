//! Who may use the Indeks Prioritas and the data-quality scorecard (issue 22). Both are tools of
//! the LKKS boards and their operators: LKS operators and partners report data, they don't
//! judge regions against each other.

use crate::access::{Role, Viewer};
use crate::region::RegionCode;

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
