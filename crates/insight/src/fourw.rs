//! The 4W matrix: where (rows, regions at a chosen level) × what or who (columns, sectors or
//! partners), each cell counting programs, partners, places, planned beneficiaries and the
//! budget. A program's budget is spread over its locations by their planned beneficiaries
//! (evenly when none are planned), so a row's budget sums to what was spent there and the
//! grand total equals the programs' budgets.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// One program location as the matrix sees it.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    pub program: i64,
    pub organisation: i64,
    /// The row key: the location's region at the matrix level (e.g. `52.03`).
    pub row: &'a str,
    /// The column key: a sector key or a partner name.
    pub column: &'a str,
    pub planned: u64,
    pub reached: u64,
    /// This location's share of the program budget.
    pub budget: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cell {
    pub programs: u32,
    pub partners: u32,
    pub places: u32,
    pub planned: u64,
    pub reached: u64,
    pub budget: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub key: String,
    pub cells: Vec<Cell>,
    pub total: Cell,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Matrix {
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
    pub totals: Vec<Cell>,
    pub total: Cell,
}

#[derive(Default)]
struct Acc {
    programs: BTreeSet<i64>,
    partners: BTreeSet<i64>,
    places: u32,
    planned: u64,
    reached: u64,
    budget: f64,
}

impl Acc {
    fn add(&mut self, p: &Placement<'_>) {
        self.programs.insert(p.program);
        self.partners.insert(p.organisation);
        self.places += 1;
        self.planned += p.planned;
        self.reached += p.reached;
        self.budget += p.budget;
    }

    fn cell(&self) -> Cell {
        Cell {
            programs: self.programs.len() as u32,
            partners: self.partners.len() as u32,
            places: self.places,
            planned: self.planned,
            reached: self.reached,
            budget: self.budget,
        }
    }
}

/// Spreads `budget` over locations by their planned beneficiaries (evenly without any).
pub fn spread_budget(budget: u64, planned: &[u64]) -> Vec<f64> {
    let total: u64 = planned.iter().sum();
    let n = planned.len().max(1) as f64;
    planned
        .iter()
        .map(|&p| {
            if total == 0 {
                budget as f64 / n
            } else {
                budget as f64 * p as f64 / total as f64
            }
        })
        .collect()
}

/// Builds the matrix; rows and columns sorted by key.
pub fn pivot<'a>(placements: impl IntoIterator<Item = Placement<'a>>) -> Matrix {
    let mut cells: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
    let mut rows: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut cols: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut all = Acc::default();
    for p in placements {
        cells.entry((p.row, p.column)).or_default().add(&p);
        rows.entry(p.row).or_default().add(&p);
        cols.entry(p.column).or_default().add(&p);
        all.add(&p);
    }
    let columns: Vec<&str> = cols.keys().copied().collect();
    Matrix {
        rows: rows
            .iter()
            .map(|(row, acc)| MatrixRow {
                key: row.to_string(),
                cells: columns
                    .iter()
                    .map(|c| cells.get(&(*row, *c)).map(Acc::cell).unwrap_or_default())
                    .collect(),
                total: acc.cell(),
            })
            .collect(),
        totals: cols.values().map(Acc::cell).collect(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        total: all.cell(),
    }
}

/// One region's LKS capacity summed over the PPKS categories, beside the vulnerable
/// population it could serve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityCoverage {
    pub code: String,
    pub name: String,
    pub capacity: u64,
    /// People in the served categories, when any figure is held.
    pub need: Option<f64>,
    /// Capacity as a percentage of the need (none without a positive need).
    pub coverage: Option<f64>,
}

/// Sums LKS capacity and need per region over the rows `(region, name, capacity, need)` (one
/// per region and PPKS category) and orders the regions by how little of their need the
/// capacity covers: lowest coverage first, regions without a need figure last (by code).
pub fn capacity_coverage(
    rows: impl IntoIterator<Item = (String, String, u64, Option<f64>)>,
) -> Vec<CapacityCoverage> {
    let mut by_region: Vec<CapacityCoverage> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = Default::default();
    for (code, name, capacity, need) in rows {
        let i = *at.entry(code.clone()).or_insert_with(|| {
            by_region.push(CapacityCoverage {
                code,
                name,
                capacity: 0,
                need: None,
                coverage: None,
            });
            by_region.len() - 1
        });
        let entry = &mut by_region[i];
        entry.capacity += capacity;
        if let Some(n) = need {
            entry.need = Some(entry.need.unwrap_or(0.0) + n);
        }
    }
    for r in &mut by_region {
        r.coverage = r
            .need
            .filter(|n| *n > 0.0)
            .map(|n| r.capacity as f64 / n * 100.0);
    }
    by_region.sort_by(|a, b| match (a.coverage, b.coverage) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    by_region
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p<'a>(
        program: i64,
        org: i64,
        row: &'a str,
        column: &'a str,
        planned: u64,
        budget: f64,
    ) -> Placement<'a> {
        Placement {
            program,
            organisation: org,
            row,
            column,
            planned,
            reached: planned / 2,
            budget,
        }
    }

    #[test]
    fn cells_count_distinct_programs_and_partners() {
        let m = pivot([
            p(1, 10, "52.03", "pendidikan", 20, 100.0),
            p(1, 10, "52.03", "pendidikan", 30, 150.0),
            p(2, 11, "52.03", "pendidikan", 5, 10.0),
            p(3, 10, "52.01", "kesehatan", 8, 40.0),
        ]);
        assert_eq!(m.columns, ["kesehatan", "pendidikan"]);
        assert_eq!(
            m.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["52.01", "52.03"]
        );
        let c = &m.rows[1].cells[1];
        assert_eq!((c.programs, c.partners, c.places, c.planned), (2, 2, 3, 55));
        assert_eq!(c.budget, 260.0);
        assert_eq!(m.rows[1].cells[0], Cell::default());
        assert_eq!(m.rows[0].total.programs, 1);
        assert_eq!(m.totals[1].programs, 2);
        assert_eq!(
            (m.total.programs, m.total.partners, m.total.budget),
            (3, 2, 300.0)
        );
    }

    #[test]
    fn budgets_spread_by_planned_beneficiaries() {
        assert_eq!(spread_budget(100, &[1, 3]), [25.0, 75.0]);
        assert_eq!(spread_budget(100, &[0, 0]), [50.0, 50.0]);
        let total: f64 = spread_budget(1_000_001, &[7, 11, 13]).iter().sum();
        assert!((total - 1_000_001.0).abs() < 1e-6);
    }

    #[test]
    fn capacity_coverage_sums_categories_and_puts_the_least_covered_first() {
        let rows = vec![
            ("52.01".to_string(), "A".to_string(), 10, Some(100.0)),
            ("52.01".to_string(), "A".to_string(), 30, Some(100.0)),
            ("52.02".to_string(), "B".to_string(), 5, None),
            ("52.03".to_string(), "C".to_string(), 50, Some(100.0)),
            ("52.04".to_string(), "D".to_string(), 1, Some(0.0)),
        ];
        let got = capacity_coverage(rows);
        let codes: Vec<&str> = got.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["52.01", "52.03", "52.02", "52.04"]);
        assert_eq!(got[0].capacity, 40);
        assert_eq!(got[0].need, Some(200.0));
        assert_eq!(got[0].coverage, Some(20.0));
        assert_eq!(got[1].coverage, Some(50.0));
        assert_eq!(got[2].need, None);
        assert_eq!(got[3].coverage, None);
    }
}
