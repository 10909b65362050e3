//! Figures by group, as the boards are trained to read them: sex × age band × disability
//! (beneficiaries, program reach, LKS clients per region and period). A cell names one value
//! of each dimension, or "all" (`""`) for a margin or the total. The groups are the ones
//! strategy indicators are disaggregated by ([`crate::strategy::DISAGGREGATIONS`]).

use serde::Serialize;

use crate::access::{Disclosed, disclose};
use crate::msg::Msg;
use crate::strategy::{disaggregation_values, group_label_key};

/// The counts held by group, with the catalogue key naming each.
pub const GROUP_ELEMENTS: [(&str, &str); 3] = [
    ("penerima_manfaat", "groups.element.penerima_manfaat"),
    ("jangkauan_program", "groups.element.jangkauan_program"),
    ("klien_lks", "groups.element.klien_lks"),
];

/// The catalogue key naming an element held by group (the key itself when unknown).
pub fn element_label_key(element: &str) -> Option<&'static str> {
    GROUP_ELEMENTS
        .iter()
        .find(|(e, _)| *e == element)
        .map(|(_, k)| *k)
}

/// One cell's groups; `""` in a dimension is "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Group {
    /// `laki_laki`, `perempuan` or `""`.
    pub sex: String,
    /// `0_17`, `18_59`, `60_plus` or `""`.
    pub age_band: String,
    /// `ya`, `tidak` or `""`.
    pub disability: String,
}

/// The file columns naming the dimensions, in [`Group`] order.
pub const GROUP_COLUMNS: [&str; 3] = ["jenis_kelamin", "kelompok_umur", "disabilitas"];

impl Group {
    /// Reads the three cells as written in a file or a form (`perempuan`, `0-17`, `ya`;
    /// blank is "all"); the error names the column and the values it takes.
    pub fn parse(sex: &str, age_band: &str, disability: &str) -> Result<Group, (usize, Msg)> {
        let mut out = [String::new(), String::new(), String::new()];
        for (i, typed) in [sex, age_band, disability].into_iter().enumerate() {
            let v = typed
                .trim()
                .to_lowercase()
                .replace(['-', ' '], "_")
                .replace('+', "_plus");
            let v = match v.as_str() {
                "" | "semua" | "all" => String::new(),
                "l" | "laki" | "laki_laki" | "male" => "laki_laki".into(),
                "p" | "perempuan" | "female" => "perempuan".into(),
                "60_plus" | "60" | "60_ke_atas" => "60_plus".into(),
                "tidak" | "bukan" | "no" => "tidak".into(),
                "ya" | "yes" | "disabilitas" => "ya".into(),
                other => other.to_string(),
            };
            let allowed = disaggregation_values(GROUP_COLUMNS[i]);
            if !v.is_empty() && !allowed.contains(&v.as_str()) {
                return Err((
                    i,
                    Msg::new("groups.value_bad")
                        .arg("value", typed.trim())
                        .arg("values", allowed.join(", ")),
                ));
            }
            out[i] = v;
        }
        let [sex, age_band, disability] = out;
        Ok(Group {
            sex,
            age_band,
            disability,
        })
    }

    /// The total: every dimension "all".
    pub fn is_total(&self) -> bool {
        self.sex.is_empty() && self.age_band.is_empty() && self.disability.is_empty()
    }

    /// A full cell: every dimension named.
    pub fn is_full(&self) -> bool {
        !self.sex.is_empty() && !self.age_band.is_empty() && !self.disability.is_empty()
    }

    /// The key a grid box is sent under: `perempuan.0_17.ya`.
    pub fn key(&self) -> String {
        format!("{}.{}.{}", self.sex, self.age_band, self.disability)
    }

    pub fn from_key(key: &str) -> Option<Group> {
        let mut parts = key.split('.');
        let g = Group::parse(parts.next()?, parts.next()?, parts.next()?).ok()?;
        parts.next().is_none().then_some(g)
    }

    fn value_of(&self, dim: usize) -> &str {
        match dim {
            0 => &self.sex,
            1 => &self.age_band,
            _ => &self.disability,
        }
    }

    /// The group's words, dimension by dimension ("perempuan · 0–17 tahun · disabilitas");
    /// empty for the total.
    pub fn labels(&self) -> Vec<Msg> {
        (0..3)
            .filter(|d| !self.value_of(*d).is_empty())
            .map(|d| Msg::new(group_label_key(GROUP_COLUMNS[d], self.value_of(d))))
            .collect()
    }
}

/// Every full cell of the entry grid, rows by sex and disability, columns by age band.
pub fn grid_groups() -> Vec<Group> {
    let mut out = Vec::with_capacity(12);
    for sex in disaggregation_values("jenis_kelamin") {
        for disability in disaggregation_values("disabilitas") {
            for age in disaggregation_values("kelompok_umur") {
                out.push(Group {
                    sex: sex.to_string(),
                    age_band: age.to_string(),
                    disability: disability.to_string(),
                });
            }
        }
    }
    out
}

/// A dimension's groups with their counts and the gap between the largest and smallest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Margin {
    /// `jenis_kelamin`, `kelompok_umur` or `disabilitas`.
    pub dimension: &'static str,
    /// (value, catalogue key naming it, count).
    pub groups: Vec<(&'static str, &'static str, Disclosed)>,
    /// Largest minus smallest, when every group is shown and two or more hold a count.
    pub gap: Option<u64>,
}

/// A cross-table ready to show: full cells (rows sex × disability, columns age band), the
/// margins of each dimension and the total, small counts suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    pub rows: Vec<CrossRow>,
    pub margins: Vec<Margin>,
    pub total: Option<Disclosed>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossRow {
    pub sex: &'static str,
    pub disability: &'static str,
    /// Per age band in [`disaggregation_values`] order; `None` when not held.
    pub cells: Vec<Option<Disclosed>>,
}

/// Builds the cross-table from the values held (full cells and/or margins). A margin or the
/// total not held is summed from the full cells when they are all held for it; counts from
/// 1 to `threshold - 1` are suppressed (`threshold` 0 or 1 shows everything).
pub fn cross_table(values: &[(Group, f64)], threshold: u64) -> CrossTable {
    let count = |v: f64| v.round().max(0.0) as u64;
    let show = |v: u64| disclose(v, threshold);
    let held = |g: &Group| values.iter().find(|(h, _)| h == g).map(|(_, v)| count(*v));
    let full: Vec<(Group, u64)> = grid_groups()
        .into_iter()
        .filter_map(|g| held(&g).map(|v| (g, v)))
        .collect();
    let all_full = full.len() == 12;
    // A margin: held, or the sum of its full cells when all of them are held.
    let margin_value = |dim: usize, value: &str| -> Option<u64> {
        let mut g = Group::default();
        match dim {
            0 => g.sex = value.into(),
            1 => g.age_band = value.into(),
            _ => g.disability = value.into(),
        }
        held(&g).or_else(|| {
            let cells: Vec<u64> = full
                .iter()
                .filter(|(f, _)| f.value_of(dim) == value)
                .map(|(_, v)| *v)
                .collect();
            (cells.len() == 12 / disaggregation_values(GROUP_COLUMNS[dim]).len())
                .then(|| cells.iter().sum())
        })
    };
    let rows = disaggregation_values("jenis_kelamin")
        .iter()
        .flat_map(|sex| {
            disaggregation_values("disabilitas")
                .iter()
                .map(move |dis| (*sex, *dis))
        })
        .map(|(sex, disability)| CrossRow {
            sex,
            disability,
            cells: disaggregation_values("kelompok_umur")
                .iter()
                .map(|age| {
                    held(&Group {
                        sex: sex.into(),
                        age_band: (*age).into(),
                        disability: disability.into(),
                    })
                    .map(show)
                })
                .collect(),
        })
        .filter(|r| r.cells.iter().any(Option::is_some))
        .collect();
    let margins = (0..3)
        .filter_map(|dim| {
            let name = GROUP_COLUMNS[dim];
            let raw: Vec<(&'static str, Option<u64>)> = disaggregation_values(name)
                .iter()
                .map(|v| (*v, margin_value(dim, v)))
                .collect();
            if raw.iter().all(|(_, v)| v.is_none()) {
                return None;
            }
            let shown: Vec<(&'static str, &'static str, Disclosed)> = raw
                .iter()
                .filter_map(|(v, c)| c.map(|c| (*v, group_label_key(name, v), show(c))))
                .collect();
            let counts: Vec<u64> = shown
                .iter()
                .filter_map(|(_, _, d)| match d {
                    Disclosed::Count(c) => Some(*c),
                    Disclosed::Suppressed => None,
                })
                .collect();
            let gap = (counts.len() == raw.len() && counts.len() >= 2).then(|| {
                counts.iter().max().copied().unwrap_or(0)
                    - counts.iter().min().copied().unwrap_or(0)
            });
            Some(Margin {
                dimension: name,
                groups: shown,
                gap,
            })
        })
        .collect();
    let total = held(&Group::default())
        .or_else(|| all_full.then(|| full.iter().map(|(_, v)| v).sum()))
        .map(show);
    CrossTable {
        rows,
        margins,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(sex: &str, age: &str, dis: &str) -> Group {
        Group::parse(sex, age, dis).unwrap()
    }

    #[test]
    fn reads_the_ways_people_write_groups_and_names_a_bad_one() {
        assert_eq!(g("P", "0-17", "Ya"), g("perempuan", "0_17", "ya"));
        assert_eq!(g("laki-laki", "60+", "tidak").age_band, "60_plus");
        assert!(g("", "", "").is_total());
        let (col, msg) = Group::parse("perempuan", "remaja", "").unwrap_err();
        assert_eq!(col, 1);
        assert_eq!(msg.key, "groups.value_bad");
        assert_eq!(
            Group::from_key("perempuan.0_17.ya"),
            Some(g("p", "0_17", "ya"))
        );
        assert_eq!(Group::from_key("perempuan.0_17"), None);
    }

    #[test]
    fn sums_margins_from_full_cells_suppresses_small_ones_and_shows_the_gap() {
        let mut values: Vec<(Group, f64)> = grid_groups()
            .into_iter()
            .map(|c| {
                let v = match (c.sex.as_str(), c.disability.as_str()) {
                    ("perempuan", "ya") => 12.0,
                    ("perempuan", _) => 100.0,
                    (_, "ya") => 3.0,
                    _ => 80.0,
                };
                (c, v)
            })
            .collect();
        let t = cross_table(&values, 10);
        assert_eq!(t.rows.len(), 4);
        // Male with disability: 3 per cell, suppressed.
        let male_dis = t
            .rows
            .iter()
            .find(|r| r.sex == "laki_laki" && r.disability == "ya")
            .unwrap();
        assert!(
            male_dis
                .cells
                .iter()
                .all(|c| *c == Some(Disclosed::Suppressed))
        );
        let sex = &t.margins[0];
        assert_eq!(sex.dimension, "jenis_kelamin");
        assert_eq!(sex.groups[0].2, Disclosed::Count(3 * 83));
        assert_eq!(sex.groups[1].2, Disclosed::Count(3 * 112));
        assert_eq!(sex.gap, Some(3 * 112 - 3 * 83));
        assert_eq!(t.total, Some(Disclosed::Count(3 * 83 + 3 * 112)));
        // A held margin wins over the sum; a missing cell leaves the total unknown.
        values.retain(|(c, _)| {
            !(c.sex == "perempuan" && c.age_band == "0_17" && c.disability == "ya")
        });
        values.push((g("", "", "ya"), 500.0));
        let t = cross_table(&values, 10);
        assert_eq!(t.total, None);
        let dis = t
            .margins
            .iter()
            .find(|m| m.dimension == "disabilitas")
            .unwrap();
        assert_eq!(dis.groups[0].2, Disclosed::Count(500));
        assert_eq!(dis.groups[1].2, Disclosed::Count(3 * 180));
    }
}
