//! Who may do what: roles, scopes and the rules that turn them into row visibility.
//!
//! The rules live here, pure; the store turns a [`RowAccess`] into the one SQL filter every
//! query passes through, so no handler re-implements them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::region::{Level, RegionCode};

/// A signed-in user's role. The public (no login) is the absence of a [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in the province(s) of the scope, including user management.
    AdminProvinsi,
    /// Read and write within the kab/kota of the scope.
    OperatorKabKota,
    /// Only the records of their own institution (LKS).
    OperatorLks,
    /// A partner (CSR, Baznas, NGO…): its own programs and beneficiaries, plus aggregates.
    Mitra,
    /// Board member: read-only within the scope.
    Pimpinan,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::AdminProvinsi,
        Role::OperatorKabKota,
        Role::OperatorLks,
        Role::Mitra,
        Role::Pimpinan,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::AdminProvinsi => "admin_provinsi",
            Role::OperatorKabKota => "operator_kabkota",
            Role::OperatorLks => "operator_lks",
            Role::Mitra => "mitra",
            Role::Pimpinan => "pimpinan",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Roles bound to one organisation see only that organisation's rows.
    pub fn is_organisation_bound(self) -> bool {
        matches!(self, Role::OperatorLks | Role::Mitra)
    }

    /// The region level a scope region of this role must have.
    fn scope_level(self) -> Option<Level> {
        match self {
            Role::AdminProvinsi => Some(Level::Provinsi),
            Role::OperatorKabKota => Some(Level::KabKota),
            Role::Pimpinan | Role::OperatorLks | Role::Mitra => None,
        }
    }
}

/// Where a user may look: regions (any level, descendants included) and, for
/// organisation-bound roles, their organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scope {
    pub regions: Vec<RegionCode>,
    pub organisation: Option<i64>,
}

impl Scope {
    /// Whether `code` lies in one of the scope's regions (the region itself or below it).
    pub fn covers(&self, code: &RegionCode) -> bool {
        self.regions.iter().any(|r| r == code || r.contains(code))
    }

    /// Whether every region of `other` lies inside this scope.
    pub fn includes_regions_of(&self, other: &Scope) -> bool {
        !other.regions.is_empty() && other.regions.iter().all(|r| self.covers(r))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScopeError {
    #[error("peran {role} membutuhkan paling sedikit satu wilayah")]
    RegionRequired { role: &'static str },
    #[error("peran {role} hanya boleh berwilayah {level}; {code} tidak sesuai")]
    WrongLevel {
        role: &'static str,
        level: &'static str,
        code: String,
    },
    #[error("peran {role} membutuhkan organisasi")]
    OrganisationRequired { role: &'static str },
    #[error("peran {role} tidak terikat organisasi; hapus organisasinya")]
    OrganisationNotAllowed { role: &'static str },
}

impl ScopeError {
    pub fn code(&self) -> &'static str {
        match self {
            ScopeError::RegionRequired { .. } => "scope.region_required",
            ScopeError::WrongLevel { .. } => "scope.wrong_level",
            ScopeError::OrganisationRequired { .. } => "scope.organisation_required",
            ScopeError::OrganisationNotAllowed { .. } => "scope.organisation_not_allowed",
        }
    }
}

/// Checks that a scope fits a role: regional roles need regions at their level,
/// organisation-bound roles need an organisation (their regions are optional and narrow it).
pub fn validate_scope(role: Role, scope: &Scope) -> Result<(), ScopeError> {
    let key = role.key();
    if role.is_organisation_bound() {
        if scope.organisation.is_none() {
            return Err(ScopeError::OrganisationRequired { role: key });
        }
    } else {
        if scope.organisation.is_some() {
            return Err(ScopeError::OrganisationNotAllowed { role: key });
        }
        if scope.regions.is_empty() {
            return Err(ScopeError::RegionRequired { role: key });
        }
    }
    if let Some(level) = role.scope_level()
        && let Some(bad) = scope.regions.iter().find(|r| r.level() != level)
    {
        return Err(ScopeError::WrongLevel {
            role: key,
            level: level.key(),
            code: bad.to_string(),
        });
    }
    Ok(())
}

/// A signed-in user as the rest of the system sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
}

/// Who is asking, said explicitly by every caller of scoped data: an anonymous visitor, a
/// signed-in user, or the system itself (the CLI, start-up, background jobs) under a name
/// that the audit log records. There is no `Option` whose `None` means different things.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone, without an account: published aggregates only, small counts suppressed.
    Public,
    /// A signed-in user: rows and aggregates within the role's scope.
    User(Principal),
    /// The operator of this installation acting from the shell or a job (e.g. `"cli"`,
    /// `"demo"`): every row, writes included. Never reachable from a web request.
    System(&'static str),
}

static PUBLIC: Viewer = Viewer::Public;

impl Viewer {
    /// The public viewer, for handlers that serve anyone.
    pub fn public() -> &'static Viewer {
        &PUBLIC
    }

    /// The signed-in user, if this is one.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Viewer::User(p) => Some(p),
            _ => None,
        }
    }

    pub fn is_public(&self) -> bool {
        matches!(self, Viewer::Public)
    }

    pub fn is_system(&self) -> bool {
        matches!(self, Viewer::System(_))
    }

    /// Which rows this viewer may see: none for the public, all for the system.
    pub fn row_access(&self) -> ViewerAccess {
        match self {
            Viewer::Public => ViewerAccess::Nothing,
            Viewer::System(_) => ViewerAccess::Everything,
            Viewer::User(p) => ViewerAccess::Rows(p.row_access()),
        }
    }

    /// Whether a row in `region` owned by `organisation` is visible to this viewer.
    pub fn may_see(&self, region: &RegionCode, organisation: i64) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.may_see(region, organisation),
        }
    }

    /// Create, change or remove rows within what the viewer sees.
    pub fn can_write(&self) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.can_write(),
        }
    }

    /// See a NIK or No. KK in full.
    pub fn can_reveal(&self) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.can_reveal(),
        }
    }

    /// Export by-name rows in bulk (a CSV or XLSX of persons). For roles with an operational
    /// need; the board (`pimpinan`) reads aggregates and single records, never bulk lists.
    pub fn may_export_by_name(&self) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.may_export_by_name(),
        }
    }

    /// Administer accounts, settings and the audit log.
    pub fn is_admin(&self) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.is_admin(),
        }
    }

    /// Whether this viewer may act for (file a list, run a program as) an organisation seated
    /// in `seat`: its own when bound to one; otherwise one seated in its regions or above
    /// them (a provincial partner works in every kab/kota).
    pub fn may_act_for(&self, organisation: i64, seat: &RegionCode) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => match p.scope.organisation {
                Some(own) if p.role.is_organisation_bound() => own == organisation,
                _ => p.scope.covers(seat) || p.scope.regions.iter().any(|r| seat.contains(r)),
            },
        }
    }

    /// Whether this viewer may create or change an account with `scope`: an admin for
    /// regions inside their own and an organisation seated inside them (`seat`); the system
    /// for any.
    pub fn may_manage_account(&self, scope: &Scope, seat: Option<&RegionCode>) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.may_manage(scope) && seat.is_none_or(|seat| p.scope.covers(seat)),
        }
    }

    /// Whether this viewer may issue, list or revoke an API token whose service account has
    /// `role` and `scope` (`seat`: where its organisation sits): an admin, for scopes they may
    /// manage. Never a token with the admin role: a machine reads and writes data, it does not
    /// manage accounts, and a leaked token must not be able to make more of them.
    pub fn may_issue_token(&self, role: Role, scope: &Scope, seat: Option<&RegionCode>) -> bool {
        role != Role::AdminProvinsi && self.is_admin() && self.may_manage_account(scope, seat)
    }

    /// Whether this viewer may register an organisation seated in `seat`.
    pub fn may_register_organisation(&self, seat: &RegionCode) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.is_admin() && p.scope.covers(seat),
        }
    }

    /// Whether aggregates given to this viewer are published ones (small counts suppressed).
    pub fn gets_suppressed_counts(&self) -> bool {
        self.is_public()
    }

    /// Whether this viewer may load published figures (aggregates) for `region`: the system,
    /// or an administrator for regions in its scope.
    pub fn may_load_figures_for(&self, region: &RegionCode) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.is_admin() && p.scope.covers(region),
        }
    }

    /// Where a region picker starts for this viewer: the regions of its scope (a kab/kota
    /// operator picks within its kab/kota), or `None` for every province (the public, the
    /// system, and accounts bound to an organisation rather than regions).
    pub fn picker_roots(&self) -> Option<&[RegionCode]> {
        match self {
            Viewer::User(p) if !p.scope.regions.is_empty() => Some(&p.scope.regions),
            _ => None,
        }
    }
}

impl From<Principal> for Viewer {
    fn from(p: Principal) -> Viewer {
        Viewer::User(p)
    }
}

/// The longest an API token may live, in days: a machine's credential is renewed at least
/// once a year, so a forgotten one stops working on its own.
pub const API_TOKEN_MAX_DAYS: i64 = 366;

/// Whether a token may be issued for `days` days (at least one, at most a year).
pub fn token_lifetime_ok(days: i64) -> bool {
    (1..=API_TOKEN_MAX_DAYS).contains(&days)
}

/// Which rows a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewerAccess {
    Nothing,
    Everything,
    Rows(RowAccess),
}

/// Which by-name rows a principal may see. Rows carry a region code and an owning
/// organisation; the store renders this as one SQL condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAccess {
    /// Rows in any of these regions (descendants included).
    Regions(Vec<RegionCode>),
    /// Rows of this organisation, within these regions when any are given.
    Organisation {
        organisation: i64,
        regions: Vec<RegionCode>,
    },
}

impl Principal {
    pub fn row_access(&self) -> RowAccess {
        match (self.role.is_organisation_bound(), self.scope.organisation) {
            (true, Some(organisation)) => RowAccess::Organisation {
                organisation,
                regions: self.scope.regions.clone(),
            },
            // A bound role without an organisation is refused by validate_scope; should one
            // slip through, it sees nothing rather than everything.
            (true, None) => RowAccess::Regions(Vec::new()),
            (false, _) => RowAccess::Regions(self.scope.regions.clone()),
        }
    }

    /// Whether a row in `region` owned by `organisation` is visible: the same rule as the SQL.
    pub fn may_see(&self, region: &RegionCode, organisation: i64) -> bool {
        match self.row_access() {
            RowAccess::Regions(regions) => {
                regions.iter().any(|r| r == region || r.contains(region))
            }
            RowAccess::Organisation {
                organisation: own,
                regions,
            } => {
                own == organisation
                    && (regions.is_empty()
                        || regions.iter().any(|r| r == region || r.contains(region)))
            }
        }
    }

    /// Create, change or remove rows (always within what `row_access` shows).
    pub fn can_write(&self) -> bool {
        !matches!(self.role, Role::Pimpinan)
    }

    /// See a NIK or No. KK in full (each reveal is audited).
    pub fn can_reveal(&self) -> bool {
        !matches!(self.role, Role::Pimpinan)
    }

    /// Export by-name rows in bulk: every role with an operational need, not the board.
    pub fn may_export_by_name(&self) -> bool {
        !matches!(self.role, Role::Pimpinan)
    }

    /// Manage accounts and read the audit log.
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::AdminProvinsi)
    }

    /// Aggregates (counts) across organisations within the scope's regions.
    pub fn aggregate_regions(&self) -> Option<&[RegionCode]> {
        match self.role {
            Role::OperatorLks => None,
            _ => Some(&self.scope.regions),
        }
    }

    /// Whether this admin may create or change an account with `scope`.
    pub fn may_manage(&self, scope: &Scope) -> bool {
        self.is_admin()
            && if scope.regions.is_empty() {
                // Organisation-bound accounts without regions: allowed when the
                // organisation sits inside the admin's scope (checked by the store).
                true
            } else {
                self.scope.includes_regions_of(scope)
            }
    }
}

/// Small-count suppression for published aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Disclosed {
    Count(u64),
    /// Fewer than the threshold (but more than zero): not shown.
    Suppressed,
}

/// Counts from 1 to `threshold - 1` are hidden; zero is shown (an empty cell reveals nobody).
pub fn disclose(count: u64, threshold: u64) -> Disclosed {
    if count > 0 && count < threshold {
        Disclosed::Suppressed
    } else {
        Disclosed::Count(count)
    }
}

/// The default threshold for published counts (configurable per deployment).
pub const DEFAULT_SUPPRESSION_THRESHOLD: u64 = 10;

impl crate::msg::Localized for ScopeError {
    fn msg(&self) -> crate::msg::Msg {
        use crate::msg::Msg;
        let role_msg = |key: &str| {
            Msg::new(match Role::from_key(key) {
                Some(Role::AdminProvinsi) => "role.admin_provinsi",
                Some(Role::OperatorKabKota) => "role.operator_kabkota",
                Some(Role::OperatorLks) => "role.operator_lks",
                Some(Role::Mitra) => "role.mitra",
                Some(Role::Pimpinan) => "role.pimpinan",
                None => "role.unknown",
            })
            .arg("text", key)
        };
        let m = Msg::new(self.code());
        match self {
            ScopeError::RegionRequired { role }
            | ScopeError::OrganisationRequired { role }
            | ScopeError::OrganisationNotAllowed { role } => m.arg_msg("role", role_msg(role)),
            ScopeError::WrongLevel { role, level, code } => m
                .arg_msg("role", role_msg(role))
                .arg_msg(
                    "level",
                    Msg::new(match *level {
                        "provinsi" => "level.provinsi",
                        "kabkota" => "level.kabkota",
                        "kecamatan" => "level.kecamatan",
                        _ => "level.desa",
                    }),
                )
                .arg("code", code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn principal(role: Role, regions: &[&str], org: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: regions.iter().map(|r| code(r)).collect(),
                organisation: org,
            },
        }
    }

    #[test]
    fn only_admins_issue_tokens_never_admin_tokens_and_only_within_their_scope() {
        let scope = |r: &[&str]| Scope {
            regions: r.iter().map(|c| code(c)).collect(),
            organisation: None,
        };
        let admin = Viewer::User(principal(Role::AdminProvinsi, &["52"], None));
        assert!(admin.may_issue_token(Role::OperatorKabKota, &scope(&["52.03"]), None));
        assert!(admin.may_issue_token(Role::Pimpinan, &scope(&["52"]), None));
        assert!(
            !admin.may_issue_token(Role::AdminProvinsi, &scope(&["52"]), None),
            "a machine never administers"
        );
        assert!(
            !admin.may_issue_token(Role::OperatorKabKota, &scope(&["33.01"]), None),
            "outside the admin's province"
        );
        let bound = Scope {
            regions: vec![],
            organisation: Some(7),
        };
        assert!(admin.may_issue_token(Role::Mitra, &bound, Some(&code("52.03"))));
        assert!(!admin.may_issue_token(Role::Mitra, &bound, Some(&code("33.01"))));
        let op = Viewer::User(principal(Role::OperatorKabKota, &["52.03"], None));
        assert!(!op.may_issue_token(Role::Pimpinan, &scope(&["52.03"]), None));
        assert!(!Viewer::public().may_issue_token(Role::Pimpinan, &scope(&["52"]), None));
        assert!(Viewer::System("cli").may_issue_token(Role::Mitra, &bound, None));
        assert!(token_lifetime_ok(1) && token_lifetime_ok(API_TOKEN_MAX_DAYS));
        assert!(!token_lifetime_ok(0) && !token_lifetime_ok(API_TOKEN_MAX_DAYS + 1));
    }

    #[test]
    fn regional_roles_see_their_region_and_below_only() {
        let op = principal(Role::OperatorKabKota, &["52.03"], None);
        assert!(op.may_see(&code("52.03"), 9));
        assert!(op.may_see(&code("52.03.10.2001"), 9));
        assert!(!op.may_see(&code("52.02.01.2001"), 9), "neighbouring kab");
        assert!(!op.may_see(&code("52"), 9), "the province above");
    }

    #[test]
    fn partners_see_only_their_own_organisation() {
        let m = principal(Role::Mitra, &[], Some(7));
        assert!(m.may_see(&code("33.01.01.2001"), 7));
        assert!(!m.may_see(&code("52.03.10.2001"), 8), "another partner");
        let narrowed = principal(Role::OperatorLks, &["52.03"], Some(7));
        assert!(!narrowed.may_see(&code("52.02.01.2001"), 7));
    }

    #[test]
    fn bound_role_without_organisation_sees_nothing() {
        let m = principal(Role::Mitra, &["52"], None);
        assert_eq!(m.row_access(), RowAccess::Regions(vec![]));
        assert!(!m.may_see(&code("52.01"), 1));
    }

    #[test]
    fn scopes_are_validated_per_role() {
        let s = |r: &[&str], o| Scope {
            regions: r.iter().map(|c| code(c)).collect(),
            organisation: o,
        };
        assert!(validate_scope(Role::AdminProvinsi, &s(&["52"], None)).is_ok());
        assert_eq!(
            validate_scope(Role::AdminProvinsi, &s(&["52.03"], None))
                .unwrap_err()
                .code(),
            "scope.wrong_level"
        );
        assert_eq!(
            validate_scope(Role::OperatorKabKota, &s(&[], None))
                .unwrap_err()
                .code(),
            "scope.region_required"
        );
        assert_eq!(
            validate_scope(Role::Mitra, &s(&["52"], None))
                .unwrap_err()
                .code(),
            "scope.organisation_required"
        );
        assert_eq!(
            validate_scope(Role::Pimpinan, &s(&["52"], Some(3)))
                .unwrap_err()
                .code(),
            "scope.organisation_not_allowed"
        );
        assert!(validate_scope(Role::Pimpinan, &s(&["52.03", "52.71"], None)).is_ok());
    }

    #[test]
    fn admins_manage_only_inside_their_province() {
        let admin = principal(Role::AdminProvinsi, &["52"], None);
        let inside = Scope {
            regions: vec![code("52.03")],
            organisation: None,
        };
        let outside = Scope {
            regions: vec![code("33.01")],
            organisation: None,
        };
        assert!(admin.may_manage(&inside));
        assert!(!admin.may_manage(&outside));
        assert!(!principal(Role::OperatorKabKota, &["52.03"], None).may_manage(&inside));
    }

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert_eq!(disclose(0, 10), Disclosed::Count(0));
        assert_eq!(disclose(1, 10), Disclosed::Suppressed);
        assert_eq!(disclose(9, 10), Disclosed::Suppressed);
        assert_eq!(disclose(10, 10), Disclosed::Count(10));
    }

    #[test]
    fn role_keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
        }
        assert_eq!(Role::from_key("root"), None);
    }
}
