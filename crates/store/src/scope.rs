//! The access scope as SQL: the one place that turns a principal into a row filter.
//! Every by-name query of the store goes through [`row_filter`]; handlers never add their own.

use sinergi_core::{Principal, RegionCode, RowAccess, Viewer, ViewerAccess};

/// A value bound to a `$N` placeholder of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

/// A SQL condition with its binds, numbered from the placeholder it was built at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// Numbers `$N` placeholders across the pieces of one statement.
#[derive(Debug)]
pub(crate) struct Placeholders(usize);

impl Placeholders {
    pub fn starting_at(first: usize) -> Placeholders {
        Placeholders(first)
    }

    /// The number the next placeholder will get.
    pub fn upcoming(&self) -> usize {
        self.0
    }

    pub fn next(&mut self) -> String {
        let p = format!("${}", self.0);
        self.0 += 1;
        p
    }
}

/// The condition for rows with `region_col` (a region code) and `org_col` (the owning
/// organisation) that `viewer` may see: none for the public, all for the system.
pub(crate) fn viewer_filter(
    viewer: &Viewer,
    region_col: &str,
    org_col: &str,
    ph: &mut Placeholders,
) -> Filter {
    match viewer.row_access() {
        ViewerAccess::Nothing => Filter {
            sql: "1 = 0".into(),
            binds: vec![],
        },
        ViewerAccess::Everything => Filter {
            sql: "1 = 1".into(),
            binds: vec![],
        },
        ViewerAccess::Rows(_) => row_filter(
            viewer.principal().expect("rows are a user's"),
            region_col,
            org_col,
            ph,
        ),
    }
}

/// The condition for rows with `region_col` (a region code) and `org_col` (the owning
/// organisation) that `principal` may see.
pub(crate) fn row_filter(
    principal: &Principal,
    region_col: &str,
    org_col: &str,
    ph: &mut Placeholders,
) -> Filter {
    match principal.row_access() {
        RowAccess::Regions(regions) => {
            within_regions(&regions, region_col, ph).unwrap_or_else(|| Filter {
                sql: "1 = 0".into(),
                binds: vec![],
            })
        }
        RowAccess::Organisation {
            organisation,
            regions,
        } => {
            let mut f = Filter {
                sql: format!("{org_col} = {}", ph.next()),
                binds: vec![Bind::Int(organisation)],
            };
            if let Some(r) = within_regions(&regions, region_col, ph) {
                f.sql = format!("{} AND {}", f.sql, r.sql);
                f.binds.extend(r.binds);
            }
            f
        }
    }
}

/// `col` in one of `regions` or below them, as index ranges (codes use the C collation:
/// "52.03" <= code < "52.03/" is the region and its subtree). None when `regions` is empty.
pub(crate) fn within_regions(
    regions: &[RegionCode],
    col: &str,
    ph: &mut Placeholders,
) -> Option<Filter> {
    if regions.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(regions.len());
    let mut binds = Vec::with_capacity(regions.len() * 2);
    for r in regions {
        parts.push(format!(
            "({col} >= {} AND {col} < {})",
            ph.next(),
            ph.next()
        ));
        binds.push(Bind::Text(r.to_string()));
        binds.push(Bind::Text(format!("{r}/")));
    }
    Some(Filter {
        sql: format!("({})", parts.join(" OR ")),
        binds,
    })
}

/// Strategy figures are aggregates (no person in them), so their scope is wider than rows':
/// everyone, the public included, sees the strategy's own level (the province); the system
/// sees every value;
/// regional roles also see the regions of their scope; a partner also sees every region of
/// the indicators it is PIC for. Columns: `r.region_code`, `r.indicator_code`.
pub(crate) fn realisation_filter(
    viewer: &Viewer,
    strategy_region: &str,
    strategy_id: i64,
    ph: &mut Placeholders,
) -> Filter {
    let mut f = Filter {
        sql: format!("r.region_code = {}", ph.next()),
        binds: vec![Bind::Text(strategy_region.to_string())],
    };
    let principal = match viewer {
        Viewer::Public => return f,
        Viewer::System(_) => {
            return Filter {
                sql: "1 = 1".into(),
                binds: Vec::new(),
            };
        }
        Viewer::User(p) => p,
    };
    match principal.row_access() {
        RowAccess::Regions(regions) => {
            if let Some(r) = within_regions(&regions, "r.region_code", ph) {
                f.sql = format!("{} OR {}", f.sql, r.sql);
                f.binds.extend(r.binds);
            }
        }
        RowAccess::Organisation { organisation, .. }
            if principal.role == sinergi_core::Role::Mitra =>
        {
            f.sql = format!(
                "{} OR r.indicator_code IN (SELECT i.code FROM strategy_indicator i \
                 JOIN strategy_version v ON v.id = i.version_id \
                 WHERE v.strategy_id = {} AND i.pic_organisation_id = {})",
                f.sql,
                ph.next(),
                ph.next()
            );
            f.binds.push(Bind::Int(strategy_id));
            f.binds.push(Bind::Int(organisation));
        }
        _ => {}
    }
    f
}

/// Audit entries `viewer` may read: for an admin, those about the admin's regions (or the
/// one asked for, if inside them) plus those made by users whose scope lies in them; for the
/// system, all (within `region` when given). None when nothing is visible.
pub(crate) fn audit_filter(
    viewer: &Viewer,
    region: Option<&RegionCode>,
    ph: &mut Placeholders,
) -> Option<Filter> {
    let regions: Vec<RegionCode> = match (viewer, region) {
        (Viewer::System(_), None) => {
            return Some(Filter {
                sql: "1 = 1".into(),
                binds: vec![],
            });
        }
        (Viewer::System(_), Some(r)) => vec![r.clone()],
        (Viewer::User(p), _) if p.is_admin() => match region {
            Some(r) if p.scope.covers(r) => vec![r.clone()],
            Some(_) => return None,
            None => p.scope.regions.clone(),
        },
        _ => return None,
    };
    let by_region = within_regions(&regions, "region_code", ph)?;
    let by_actor = within_regions(&regions, "ur.region_code", ph)?;
    let mut binds = by_region.binds;
    binds.extend(by_actor.binds);
    Some(Filter {
        sql: format!(
            "({} OR (region_code IS NULL AND actor_id IN (SELECT ur.user_id FROM user_region ur WHERE {})))",
            by_region.sql, by_actor.sql
        ),
        binds,
    })
}

/// Binds a filter's values, in order, onto a sqlx query of either backend.
macro_rules! bind_filter {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds.iter() {
            q = match b {
                $crate::scope::Bind::Text(s) => q.bind(s.clone()),
                $crate::scope::Bind::Int(i) => q.bind(*i),
                $crate::scope::Bind::Bytes(b) => q.bind(b.clone()),
            };
        }
        q
    }};
}
pub(crate) use bind_filter;

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::{Role, Scope};

    fn p(role: Role, regions: &[&str], org: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope {
                regions: regions
                    .iter()
                    .map(|r| RegionCode::parse(r).unwrap())
                    .collect(),
                organisation: org,
            },
        }
    }

    #[test]
    fn regional_filter_is_an_index_range_per_region() {
        let mut ph = Placeholders::starting_at(3);
        let f = row_filter(
            &p(Role::Pimpinan, &["52.03", "52.71"], None),
            "r.region_code",
            "r.organisation_id",
            &mut ph,
        );
        assert_eq!(
            f.sql,
            "((r.region_code >= $3 AND r.region_code < $4) OR (r.region_code >= $5 AND r.region_code < $6))"
        );
        assert_eq!(f.binds[1], Bind::Text("52.03/".into()));
        assert_eq!(ph.next(), "$7");
    }

    #[test]
    fn organisation_filter_narrows_by_region_when_given() {
        let mut ph = Placeholders::starting_at(1);
        let f = row_filter(&p(Role::Mitra, &[], Some(4)), "region", "org", &mut ph);
        assert_eq!(f.sql, "org = $1");
        let mut ph = Placeholders::starting_at(1);
        let f = row_filter(
            &p(Role::OperatorLks, &["52.03"], Some(4)),
            "region",
            "org",
            &mut ph,
        );
        assert_eq!(f.sql, "org = $1 AND ((region >= $2 AND region < $3))");
    }

    #[test]
    fn no_scope_means_no_rows() {
        let mut ph = Placeholders::starting_at(1);
        let f = row_filter(&p(Role::Mitra, &["52"], None), "r", "o", &mut ph);
        assert_eq!(f.sql, "1 = 0");
    }
}
