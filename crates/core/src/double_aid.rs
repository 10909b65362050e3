//! The double-aid check (bantuan ganda): who may open and join a check round, and what each
//! party may see of its results. Pure rules; the store and the faces apply them.
//!
//! A round compares the lists of several partners for one region and period. No party ever
//! sees another partner's rows: a partner sees its own rows flagged, with the other
//! organisation's name and contact; the LKKS admin and board see counts; the public sees
//! province totals above the suppression threshold.

use serde::{Deserialize, Serialize};

use crate::access::{Disclosed, Role, Viewer, disclose};
use crate::region::{Level, RegionCode};

/// Whether a round still takes members and runs, or is closed with its results frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Open,
    Closed,
}

impl RoundStatus {
    pub fn key(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
        }
    }

    pub fn from_key(key: &str) -> Option<RoundStatus> {
        match key {
            "open" => Some(RoundStatus::Open),
            "closed" => Some(RoundStatus::Closed),
            _ => None,
        }
    }
}

/// How a partner takes part: with a list already held in the store, or an encoded file made
/// on its own machine with a secret the server never receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinMode {
    Held,
    Encoded,
}

/// Opening (and closing, and running) a round is the LKKS admin's work, for a region inside
/// the admin's scope; the system (CLI) may open any.
pub fn may_open_round(viewer: &Viewer, region: &RegionCode) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => p.role == Role::AdminProvinsi && p.scope.covers(region),
    }
}

/// Joining a round with a list of `organisation`: the partner itself (a `mitra` or LKS
/// operator bound to it), or the admin on its behalf. Only open rounds take members.
pub fn may_join_round(viewer: &Viewer, status: RoundStatus, organisation: i64) -> bool {
    if status != RoundStatus::Open {
        return false;
    }
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => match p.role {
            Role::Mitra | Role::OperatorLks => p.scope.organisation == Some(organisation),
            Role::AdminProvinsi => true,
            Role::OperatorKabKota | Role::Pimpinan => false,
        },
    }
}

/// What a viewer may see of a round's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultsView {
    /// The partner's own rows flagged, with the other organisations' names and contacts;
    /// never the other partner's rows.
    OwnRows { organisation: i64 },
    /// Counts per kab/kota/kecamatan × partner pair × aid type, and the partners to
    /// introduce. `suppress_below` hides small counts (the board); `None` shows all (admin).
    Counts { suppress_below: Option<u64> },
    /// Province-level totals only, small ones hidden.
    ProvinceTotals { suppress_below: u64 },
    /// Nothing (a round outside the viewer's scope, or a role without a part in it).
    Nothing,
}

/// Decides what `viewer` sees of a round held in `region`. `threshold` is the deployment's
/// small-count threshold.
pub fn results_view(viewer: &Viewer, region: &RegionCode, threshold: u64) -> ResultsView {
    match viewer {
        Viewer::Public => ResultsView::ProvinceTotals {
            suppress_below: threshold,
        },
        Viewer::System(_) => ResultsView::Counts {
            suppress_below: None,
        },
        Viewer::User(p) => match p.role {
            Role::Mitra | Role::OperatorLks => match p.scope.organisation {
                Some(organisation) => ResultsView::OwnRows { organisation },
                None => ResultsView::Nothing,
            },
            Role::AdminProvinsi if p.scope.covers(region) => ResultsView::Counts {
                suppress_below: None,
            },
            Role::Pimpinan | Role::OperatorKabKota if covers_or_within(p, region) => {
                ResultsView::Counts {
                    suppress_below: Some(threshold),
                }
            }
            _ => ResultsView::Nothing,
        },
    }
}

/// A board member scoped to a kab/kota may look at a provincial round (their part of it).
fn covers_or_within(p: &crate::access::Principal, region: &RegionCode) -> bool {
    p.scope.covers(region) || p.scope.regions.iter().any(|r| region.contains(r))
}

/// Applies a results view to one count cell.
pub fn disclose_count(view: &ResultsView, count: u64) -> Disclosed {
    match view {
        ResultsView::Counts {
            suppress_below: Some(t),
        }
        | ResultsView::ProvinceTotals { suppress_below: t } => disclose(count, *t),
        _ => Disclosed::Count(count),
    }
}

/// The region level a count cell of this view is broken down to: kecamatan for the admin
/// and board, the province for the public.
pub fn breakdown_level(view: &ResultsView) -> Option<Level> {
    match view {
        ResultsView::Counts { .. } => Some(Level::Kecamatan),
        ResultsView::ProvinceTotals { .. } => Some(Level::Provinsi),
        _ => None,
    }
}

/// Whether a member (`organisation`) sees another member's name and contact: only when the
/// two share at least one flagged person, so they can coordinate.
pub fn may_see_counterpart(view: &ResultsView, shared_flags: u64) -> bool {
    match view {
        ResultsView::OwnRows { .. } => shared_flags > 0,
        ResultsView::Counts { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Principal, Scope};

    fn code(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    fn user(role: Role, regions: &[&str], organisation: Option<i64>) -> Viewer {
        Viewer::User(Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: regions.iter().map(|r| code(r)).collect(),
                organisation,
            },
        })
    }

    #[test]
    fn only_the_admin_of_the_region_opens_a_round() {
        let ntb = code("52");
        assert!(may_open_round(
            &user(Role::AdminProvinsi, &["52"], None),
            &ntb
        ));
        assert!(may_open_round(
            &user(Role::AdminProvinsi, &["52"], None),
            &code("52.01")
        ));
        assert!(!may_open_round(
            &user(Role::AdminProvinsi, &["63"], None),
            &ntb
        ));
        assert!(!may_open_round(&user(Role::Pimpinan, &["52"], None), &ntb));
        assert!(!may_open_round(&user(Role::Mitra, &[], Some(7)), &ntb));
        assert!(!may_open_round(Viewer::public(), &ntb));
        assert!(may_open_round(&Viewer::System("cli"), &ntb));
    }

    #[test]
    fn a_partner_joins_only_for_itself_and_only_open_rounds() {
        let mitra = user(Role::Mitra, &[], Some(7));
        assert!(may_join_round(&mitra, RoundStatus::Open, 7));
        assert!(!may_join_round(&mitra, RoundStatus::Open, 8));
        assert!(!may_join_round(&mitra, RoundStatus::Closed, 7));
        let admin = user(Role::AdminProvinsi, &["52"], None);
        assert!(may_join_round(&admin, RoundStatus::Open, 8));
        assert!(!may_join_round(
            &user(Role::Pimpinan, &["52"], None),
            RoundStatus::Open,
            7
        ));
        assert!(!may_join_round(Viewer::public(), RoundStatus::Open, 7));
    }

    #[test]
    fn each_party_sees_its_own_view() {
        let ntb = code("52");
        assert_eq!(
            results_view(&user(Role::Mitra, &[], Some(7)), &ntb, 10),
            ResultsView::OwnRows { organisation: 7 }
        );
        assert_eq!(
            results_view(&user(Role::AdminProvinsi, &["52"], None), &ntb, 10),
            ResultsView::Counts {
                suppress_below: None
            }
        );
        assert_eq!(
            results_view(&user(Role::Pimpinan, &["52"], None), &ntb, 10),
            ResultsView::Counts {
                suppress_below: Some(10)
            }
        );
        // A board member of one kab/kota sees (suppressed) counts of a provincial round.
        assert_eq!(
            results_view(&user(Role::Pimpinan, &["52.01"], None), &ntb, 10),
            ResultsView::Counts {
                suppress_below: Some(10)
            }
        );
        assert_eq!(
            results_view(&user(Role::AdminProvinsi, &["63"], None), &ntb, 10),
            ResultsView::Nothing
        );
        assert_eq!(
            results_view(Viewer::public(), &ntb, 10),
            ResultsView::ProvinceTotals { suppress_below: 10 }
        );
    }

    #[test]
    fn small_counts_are_hidden_from_board_and_public_but_not_admin() {
        let admin = ResultsView::Counts {
            suppress_below: None,
        };
        let board = ResultsView::Counts {
            suppress_below: Some(10),
        };
        let public = ResultsView::ProvinceTotals { suppress_below: 10 };
        assert_eq!(disclose_count(&admin, 3), Disclosed::Count(3));
        assert_eq!(disclose_count(&board, 3), Disclosed::Suppressed);
        assert_eq!(disclose_count(&board, 12), Disclosed::Count(12));
        assert_eq!(disclose_count(&public, 9), Disclosed::Suppressed);
        assert_eq!(disclose_count(&public, 0), Disclosed::Count(0));
        assert_eq!(breakdown_level(&public), Some(Level::Provinsi));
        assert_eq!(breakdown_level(&board), Some(Level::Kecamatan));
    }

    #[test]
    fn partners_learn_each_other_only_through_a_shared_flag() {
        let own = ResultsView::OwnRows { organisation: 7 };
        assert!(may_see_counterpart(&own, 1));
        assert!(!may_see_counterpart(&own, 0));
        assert!(!may_see_counterpart(
            &ResultsView::ProvinceTotals { suppress_below: 10 },
            5
        ));
    }

    #[test]
    fn status_keys_round_trip() {
        for s in [RoundStatus::Open, RoundStatus::Closed] {
            assert_eq!(RoundStatus::from_key(s.key()), Some(s));
        }
        assert_eq!(RoundStatus::from_key("x"), None);
    }
}
