//! An indicator's realisation by group, as the boards are trained to read it: the full cross
//! of the disaggregations the indicator asks for (sex × age group × disability), the groups
//! of each dimension with the gap between them, and the gap between the highest and lowest
//! cell. A full cell is stored under the key `jenis_kelamin=perempuan;kelompok_umur=0_17;
//! disabilitas=ya` (dimensions in [`DISAGGREGATIONS`] order); a key naming one dimension is
//! that group's figure (a margin), the empty key the total.

use super::{DISAGGREGATIONS, IndicatorFields, Realisation, StrategyArea, disaggregation_values};

/// One disaggregation of an indicator for one region and quarter: each group's value and the
/// gap between the highest and lowest group that have one.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub dimension: String,
    pub groups: Vec<(&'static str, Option<f64>)>,
    /// Highest minus lowest group value; `None` with fewer than two groups filled.
    pub gap: Option<f64>,
}

/// One full cell: a value of every dimension asked, in [`DISAGGREGATIONS`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCell {
    /// (dimension, group) pairs.
    pub groups: Vec<(&'static str, &'static str)>,
    pub value: Option<f64>,
}

impl CrossCell {
    /// The disaggregation key the cell is stored under.
    pub fn key(&self) -> String {
        cell_key(&self.groups)
    }
}

/// The key of a cell or a margin: `dim=value` pairs joined by `;`.
pub fn cell_key(groups: &[(&str, &str)]) -> String {
    groups
        .iter()
        .map(|(d, v)| format!("{d}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The highest and the lowest cell held (indexes into [`Cross::cells`]) and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct CellGap {
    pub highest: usize,
    pub lowest: usize,
    pub gap: f64,
}

/// The cross-table of one indicator for one region and quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Cross {
    /// The dimensions asked, in [`DISAGGREGATIONS`] order.
    pub dimensions: Vec<&'static str>,
    /// Every combination of the dimensions' groups, the last dimension varying fastest.
    pub cells: Vec<CrossCell>,
    /// Per dimension: each group's figure (held, or summed from its cells when the
    /// indicator counts and all of them are held) and the gap between the groups.
    pub margins: Vec<Breakdown>,
    /// The total: held, or summed from the cells when the indicator counts.
    pub total: Option<f64>,
    /// The gap between the highest and the lowest cell, with two or more cells held.
    pub cell_gap: Option<CellGap>,
    /// Whether groups add up to the whole (a count, not a rate or an index).
    pub additive: bool,
    /// Keys of the cells, groups (`dim=value`) and total (`""`) hidden as small counts.
    pub suppressed: Vec<String>,
}

/// A cell's or a row's groups: (dimension, group) pairs.
pub type Groups = Vec<(&'static str, &'static str)>;

/// The cross laid out for a table: one dimension across (age group when asked, else the
/// last one), the combinations of the others down.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossLayout {
    pub column_dimension: &'static str,
    pub columns: Vec<&'static str>,
    /// The row's (dimension, group) pairs, then one value per column.
    pub rows: Vec<(Groups, Vec<Option<f64>>)>,
}

impl Cross {
    /// The cross as a viewer who gets suppressed counts sees it: a count from 1 to
    /// `threshold - 1` is hidden (cell, group or total, each on its own, as
    /// [`crate::access::disclose`] does), and a gap is only given between shown figures.
    /// Rates and indices are not counts and stay as they are.
    pub fn disclosed(mut self, threshold: u64) -> Cross {
        if !self.additive || threshold <= 1 {
            return self;
        }
        let small = |v: Option<f64>| {
            v.is_some_and(|v| {
                matches!(
                    crate::access::disclose(v.round().max(0.0) as u64, threshold),
                    crate::access::Disclosed::Suppressed
                )
            })
        };
        for c in &mut self.cells {
            if small(c.value) {
                self.suppressed.push(c.key());
                c.value = None;
            }
        }
        for m in &mut self.margins {
            let mut hid = false;
            for (g, v) in &mut m.groups {
                if small(*v) {
                    self.suppressed.push(format!("{}={g}", m.dimension));
                    *v = None;
                    hid = true;
                }
            }
            m.gap = if hid {
                None
            } else {
                spread(m.groups.iter().filter_map(|(_, v)| *v))
            };
        }
        if small(self.total) {
            self.suppressed.push(String::new());
            self.total = None;
        }
        let cell_hidden = self
            .cells
            .iter()
            .any(|c| self.suppressed.contains(&c.key()));
        if cell_hidden {
            self.cell_gap = None;
        }
        self
    }

    /// Whether the figure under `key` was hidden as a small count.
    pub fn is_suppressed(&self, key: &str) -> bool {
        self.suppressed.iter().any(|k| k == key)
    }

    /// Nothing held: no cell, no group and no total.
    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.value.is_none())
            && self
                .margins
                .iter()
                .all(|m| m.groups.iter().all(|(_, v)| v.is_none()))
            && self.total.is_none()
    }

    /// Whether any full cell is held (a cross-table worth drawing).
    pub fn has_cells(&self) -> bool {
        self.dimensions.len() >= 2 && self.cells.iter().any(|c| c.value.is_some())
    }

    /// The table layout of the cells; `None` with fewer than two dimensions (the groups of
    /// the one dimension are the whole story).
    pub fn layout(&self) -> Option<CrossLayout> {
        if self.dimensions.len() < 2 {
            return None;
        }
        let column_dimension = if self.dimensions.contains(&"kelompok_umur") {
            "kelompok_umur"
        } else {
            *self.dimensions.last()?
        };
        let columns = disaggregation_values(column_dimension).to_vec();
        let mut rows: Vec<(Groups, Vec<Option<f64>>)> = Vec::new();
        for cell in &self.cells {
            let row: Vec<(&'static str, &'static str)> = cell
                .groups
                .iter()
                .filter(|(d, _)| *d != column_dimension)
                .copied()
                .collect();
            let col = cell
                .groups
                .iter()
                .find(|(d, _)| *d == column_dimension)
                .and_then(|(_, g)| columns.iter().position(|c| c == g))?;
            let i = match rows.iter().position(|(r, _)| *r == row) {
                Some(i) => i,
                None => {
                    rows.push((row, vec![None; columns.len()]));
                    rows.len() - 1
                }
            };
            rows[i].1[col] = cell.value;
        }
        Some(CrossLayout {
            column_dimension,
            columns,
            rows,
        })
    }
}

impl IndicatorFields {
    /// Whether the indicator's groups add up to its total: a count (orang, keluarga, desa),
    /// not a rate, a ratio or an index.
    pub fn is_additive(&self) -> bool {
        let unit = self.unit.trim().to_lowercase();
        !self.is_rate()
            && ![
                "persen", "%", "indeks", "index", "rasio", "ratio", "rata", "per ",
            ]
            .iter()
            .any(|w| unit.contains(w))
    }
}

/// The cross of `fields` held for `region` (in `period`, or any quarter when `None`), the
/// latest entry winning when a key repeats; the one selection the entry grid, the indicator
/// page, the dashboard and the M&E report share.
pub fn indicator_cross(
    fields: &IndicatorFields,
    values: &[Realisation],
    region: &StrategyArea,
    period: Option<crate::period::Period>,
) -> Cross {
    let mut own: Vec<&Realisation> = values
        .iter()
        .filter(|v| v.indicator_code == fields.code && &v.region == region)
        .filter(|v| period.is_none_or(|p| v.period == p))
        .collect();
    own.sort_by(|a, b| a.entered_at.cmp(&b.entered_at));
    cross(
        &fields.disaggregations,
        fields.is_additive(),
        own.iter().map(|v| (v.disaggregation.as_str(), v.value)),
    )
}

/// The cross an indicator asks for, from `(disaggregation key, value)` pairs of one region
/// and quarter; the latest pair wins when a key repeats.
pub fn cross<'a>(
    asked: &[String],
    additive: bool,
    values: impl IntoIterator<Item = (&'a str, f64)>,
) -> Cross {
    let values: Vec<(&str, f64)> = values.into_iter().collect();
    let held = |key: &str| {
        values
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    };
    let dimensions: Vec<&'static str> = DISAGGREGATIONS
        .iter()
        .copied()
        .filter(|d| asked.iter().any(|a| a == d))
        .collect();
    let mut combos: Vec<Vec<(&'static str, &'static str)>> = vec![Vec::new()];
    for dim in &dimensions {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                disaggregation_values(dim).iter().map(move |g| {
                    let mut c = c.clone();
                    c.push((*dim, *g));
                    c
                })
            })
            .collect();
    }
    let cells: Vec<CrossCell> = if dimensions.is_empty() {
        Vec::new()
    } else {
        combos
            .into_iter()
            .map(|groups| CrossCell {
                value: held(&cell_key(&groups)),
                groups,
            })
            .collect()
    };
    let sum_of = |pick: &dyn Fn(&CrossCell) -> bool| -> Option<f64> {
        if !additive || dimensions.len() < 2 {
            return None;
        }
        let mine: Vec<Option<f64>> = cells.iter().filter(|c| pick(c)).map(|c| c.value).collect();
        (!mine.is_empty() && mine.iter().all(Option::is_some)).then(|| mine.iter().flatten().sum())
    };
    let margins: Vec<Breakdown> = dimensions
        .iter()
        .map(|dim| {
            let groups: Vec<(&'static str, Option<f64>)> = disaggregation_values(dim)
                .iter()
                .map(|g| {
                    let v = held(&format!("{dim}={g}"))
                        .or_else(|| sum_of(&|c: &CrossCell| c.groups.contains(&(*dim, *g))));
                    (*g, v)
                })
                .collect();
            Breakdown {
                dimension: dim.to_string(),
                gap: spread(groups.iter().filter_map(|(_, v)| *v)),
                groups,
            }
        })
        .collect();
    let total = held("").or_else(|| sum_of(&|_| true));
    let filled: Vec<(usize, f64)> = cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.value.map(|v| (i, v)))
        .collect();
    let cell_gap = (filled.len() >= 2).then(|| {
        let (hi, hv) = filled
            .iter()
            .copied()
            .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let (lo, lv) = filled
            .iter()
            .copied()
            .fold((0, f64::MAX), |a, b| if b.1 < a.1 { b } else { a });
        CellGap {
            highest: hi,
            lowest: lo,
            gap: hv - lv,
        }
    });
    Cross {
        dimensions,
        cells,
        margins,
        total,
        cell_gap,
        additive,
        suppressed: Vec::new(),
    }
}

/// Highest minus lowest; `None` with fewer than two values.
fn spread(values: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.collect();
    (v.len() >= 2).then(|| {
        let max = v.iter().cloned().fold(f64::MIN, f64::max);
        let min = v.iter().cloned().fold(f64::MAX, f64::min);
        max - min
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    fn asked(d: &[&str]) -> Vec<String> {
        d.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_full_cross_is_every_combination_and_counts_add_up() {
        let all = asked(&["disabilitas", "jenis_kelamin", "kelompok_umur"]);
        let mut values = Vec::new();
        let mut keys = Vec::new();
        for (i, sex) in ["laki_laki", "perempuan"].iter().enumerate() {
            for (j, age) in ["0_17", "18_59", "60_plus"].iter().enumerate() {
                for (k, dis) in ["ya", "tidak"].iter().enumerate() {
                    keys.push(format!(
                        "jenis_kelamin={sex};kelompok_umur={age};disabilitas={dis}"
                    ));
                    values.push((100 * (i + 1) + 10 * (j + 1) + k) as f64);
                }
            }
        }
        let c = cross(
            &all,
            true,
            keys.iter().map(String::as_str).zip(values.iter().copied()),
        );
        assert_eq!(
            c.dimensions,
            vec!["jenis_kelamin", "kelompok_umur", "disabilitas"]
        );
        assert_eq!(c.cells.len(), 12);
        assert_eq!(
            c.cells[0].key(),
            "jenis_kelamin=laki_laki;kelompok_umur=0_17;disabilitas=ya"
        );
        // Men: 110+111+120+121+130+131 = 723; women: 210+…+231 = 1.323.
        assert_eq!(
            c.margins[0].groups,
            vec![("laki_laki", Some(723.0)), ("perempuan", Some(1323.0))]
        );
        assert!(close(c.margins[0].gap, 600.0));
        assert!(close(c.total, 2046.0));
        let g = c.cell_gap.clone().unwrap();
        assert_eq!(c.cells[g.highest].value, Some(231.0));
        assert_eq!(c.cells[g.lowest].value, Some(110.0));
        assert!((g.gap - 121.0).abs() < 1e-9);
        // Laid out with the age groups across, sex · disability down.
        let l = c.layout().unwrap();
        assert_eq!(l.column_dimension, "kelompok_umur");
        assert_eq!(l.rows.len(), 4);
        assert_eq!(
            l.rows[1].0,
            vec![("jenis_kelamin", "laki_laki"), ("disabilitas", "tidak")]
        );
        assert_eq!(l.rows[1].1, vec![Some(111.0), Some(121.0), Some(131.0)]);
    }

    #[test]
    fn a_rate_is_not_summed_and_a_missing_cell_leaves_the_margin_open() {
        let two = asked(&["jenis_kelamin", "disabilitas"]);
        let values = [
            ("jenis_kelamin=perempuan;disabilitas=ya", 20.0),
            ("jenis_kelamin=perempuan;disabilitas=tidak", 10.0),
            ("jenis_kelamin=laki_laki;disabilitas=ya", 8.0),
        ];
        let rate = cross(&two, false, values);
        assert_eq!(
            rate.margins[0].groups,
            vec![("laki_laki", None), ("perempuan", None)]
        );
        assert_eq!(rate.total, None);
        assert!(close(rate.cell_gap.as_ref().map(|g| g.gap), 12.0));
        let count = cross(&two, true, values);
        // Women's two cells are held (30); men's are not all held.
        assert_eq!(
            count.margins[0].groups,
            vec![("laki_laki", None), ("perempuan", Some(30.0))]
        );
        assert_eq!(count.margins[0].gap, None);
        assert_eq!(count.total, None);
        // A group's own figure is used as typed, and the latest entry wins.
        let held = cross(
            &two,
            false,
            [
                ("jenis_kelamin=laki_laki", 5.0),
                ("jenis_kelamin=perempuan", 9.0),
                ("jenis_kelamin=laki_laki", 7.0),
            ],
        );
        assert_eq!(
            held.margins[0].groups,
            vec![("laki_laki", Some(7.0)), ("perempuan", Some(9.0))]
        );
        assert!(close(held.margins[0].gap, 2.0));
        assert!(!held.has_cells());
        assert!(!held.is_empty());
        // One dimension: its groups are the cells, with no table to lay out.
        let one = cross(&asked(&["disabilitas"]), true, [("disabilitas=ya", 3.0)]);
        assert_eq!(one.cells.len(), 2);
        assert_eq!(
            one.margins[0].groups,
            vec![("ya", Some(3.0)), ("tidak", None)]
        );
        assert!(one.layout().is_none());
        assert!(cross(&[], true, [("", 1.0)]).cells.is_empty());
    }

    #[test]
    fn small_counts_are_hidden_for_the_public_but_rates_are_not() {
        let two = asked(&["jenis_kelamin", "disabilitas"]);
        let values = [
            ("jenis_kelamin=perempuan;disabilitas=ya", 3.0),
            ("jenis_kelamin=perempuan;disabilitas=tidak", 40.0),
            ("jenis_kelamin=laki_laki;disabilitas=ya", 12.0),
            ("jenis_kelamin=laki_laki;disabilitas=tidak", 30.0),
        ];
        let c = cross(&two, true, values).disclosed(5);
        assert!(c.is_suppressed("jenis_kelamin=perempuan;disabilitas=ya"));
        assert_eq!(c.cells[2].value, None);
        assert_eq!(c.cell_gap, None, "no gap against a hidden cell");
        // The groups are large enough to show: women 43, men 42.
        assert_eq!(
            c.margins[0].groups,
            vec![("laki_laki", Some(42.0)), ("perempuan", Some(43.0))]
        );
        assert!(close(c.margins[0].gap, 1.0));
        assert!(close(c.total, 85.0));
        let rate = cross(&two, false, values).disclosed(5);
        assert!(rate.suppressed.is_empty());
        assert_eq!(rate.cells[2].value, Some(3.0));
    }
}
