//! Reports of the collaboration strategy: the strategy document and the quarterly M&E report.
//! Each is built once as a [`Document`] (blocks for print, sheets for spreadsheets); the PDF
//! typesetter is [`pdf::render`], and the web layer writes the sheets as XLSX through its one
//! export module. Labels come from the caller's message catalogue ([`Labels`]).

pub mod minutes;
pub mod pdf;

use std::collections::HashMap;

use sinergi_core::strategy::{RatingBands, Violation};
use sinergi_core::strategy::{Realisation, SourceType, StrategyTree};

pub use sinergi_insight::status::{Status, red_first, statuses};

/// The letterhead printed on the first page.
#[derive(Debug, Clone, Default)]
pub struct Letterhead {
    pub lines: Vec<String>,
    pub logo_jpeg: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    /// `#rrggbb` background (rating band colours).
    pub fill: Option<String>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            fill: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableBlock {
    /// Sheet name when written as XLSX.
    pub sheet: String,
    /// Relative column widths for print.
    pub widths: Vec<f32>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    /// Label–value pairs.
    Fields(Vec<(String, String)>),
    Table(TableBlock),
    PageBreak,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub letterhead: Letterhead,
    /// Printed at the foot of every page with the page number.
    pub footer: String,
    /// "Halaman" / "Page".
    pub page_label: String,
    pub blocks: Vec<Block>,
    /// What the XLSX holds: data-shaped tables (one row per value), not the print layout.
    pub sheets: Vec<TableBlock>,
}

/// The caller's catalogue and number format.
pub trait Labels {
    fn get(&self, key: &str) -> String;
    /// A figure in the language's notation (12,91 / 12.91).
    fn num(&self, v: f64) -> String;
    fn english(&self) -> bool;
}

fn cells(v: Vec<String>) -> Vec<Cell> {
    v.into_iter().map(Cell::plain).collect()
}

fn opt_num(l: &dyn Labels, v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| l.num(v))
}

fn source_type(l: &dyn Labels, t: SourceType) -> String {
    l.get(match t {
        SourceType::Survey => "strategy.source.survey",
        SourceType::Administrative => "strategy.source.administrative",
    })
}

fn direction(l: &dyn Labels, d: sinergi_core::strategy::Direction) -> String {
    l.get(match d {
        sinergi_core::strategy::Direction::Higher => "strategy.direction.higher",
        sinergi_core::strategy::Direction::Lower => "strategy.direction.lower",
    })
}

fn region_name(names: &HashMap<String, String>, code: &str) -> String {
    names
        .get(code)
        .map_or_else(|| code.to_string(), |n| format!("{n} ({code})"))
}

/// The strategy document: vision, missions, objectives, and every indicator with its
/// definition, baseline, targets per region and PIC.
pub fn strategy_document(
    tree: &StrategyTree,
    names: &HashMap<String, String>,
    l: &dyn Labels,
    letterhead: Letterhead,
) -> Document {
    let v = &tree.version;
    let status = l.get(&format!("strategy.status.{}", v.status.key()));
    let mut blocks = vec![
        Block::Heading(1, l.get("strategy.vision")),
        Block::Paragraph(v.vision.clone()),
    ];
    if !v.missions.is_empty() {
        blocks.push(Block::Heading(1, l.get("strategy.missions")));
        for (i, m) in v.missions.iter().enumerate() {
            blocks.push(Block::Paragraph(format!("{}. {m}", i + 1)));
        }
    }
    let years: Vec<i32> = (tree.strategy.year_from..=tree.strategy.year_to).collect();
    let mut indicator_rows = Vec::new();
    let mut target_rows = Vec::new();
    for o in &tree.objectives {
        blocks.push(Block::Heading(1, format!("{} — {}", o.code, o.name)));
        for ind in &o.indicators {
            let f = &ind.fields;
            blocks.push(Block::Heading(2, format!("{} {}", f.code, f.name)));
            // Rates read "12,91 %" as everywhere else in the report, not "12,91 persen".
            let unit = if f.is_rate() { "%" } else { f.unit.as_str() };
            let baseline = match (f.baseline_value, f.baseline_year) {
                (Some(b), Some(y)) => format!(
                    "{} {unit} ({y}; {})",
                    l.num(b),
                    f.baseline_source.clone().unwrap_or_default()
                ),
                (Some(b), None) => format!("{} {unit}", l.num(b)),
                _ => l.get("strategy.no_baseline"),
            };
            let disaggregations = if f.disaggregations.is_empty() {
                "–".to_string()
            } else {
                f.disaggregations
                    .iter()
                    .map(|d| l.get(&format!("strategy.dis.{d}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut fields = vec![(l.get("strategy.definition"), f.definition.clone())];
            // A formula that only repeats the definition is not printed a second time.
            if f.formula.trim().to_lowercase() != f.definition.trim().to_lowercase() {
                fields.push((l.get("strategy.formula"), f.formula.clone()));
            }
            fields.extend([
                (l.get("strategy.unit"), f.unit.clone()),
                (l.get("strategy.direction"), direction(l, f.direction)),
                (
                    l.get("strategy.reference_code"),
                    f.reference_code.clone().unwrap_or_else(|| "–".into()),
                ),
                (
                    l.get("strategy.data_source"),
                    format!("{} ({})", f.data_source, source_type(l, f.source_type)),
                ),
                (l.get("strategy.disaggregations"), disaggregations.clone()),
                (l.get("strategy.baseline"), baseline.clone()),
                (l.get("strategy.pic"), f.pic.clone()),
            ]);
            if let Some(c) = &f.computation {
                fields.push((l.get("strategy.computation"), c.clone()));
            }
            blocks.push(Block::Fields(fields));
            let mut regions: Vec<&str> = ind.targets.iter().map(|t| t.region.as_str()).collect();
            regions.sort();
            regions.dedup();
            if !regions.is_empty() {
                let mut header = vec![l.get("strategy.region")];
                header.extend(years.iter().map(|y| y.to_string()));
                let rows = regions
                    .iter()
                    .map(|r| {
                        let mut row = vec![Cell::plain(region_name(names, r))];
                        row.extend(years.iter().map(|y| {
                            Cell::plain(opt_num(
                                l,
                                ind.targets
                                    .iter()
                                    .find(|t| t.region.as_str() == *r && t.year == *y)
                                    .map(|t| t.value),
                            ))
                        }));
                        row
                    })
                    .collect();
                let mut widths = vec![3.0];
                widths.extend(years.iter().map(|_| 1.0));
                blocks.push(Block::Table(TableBlock {
                    sheet: l.get("strategy.targets"),
                    widths,
                    header,
                    rows,
                }));
            }
            indicator_rows.push(cells(vec![
                o.code.clone(),
                f.code.clone(),
                f.name.clone(),
                f.definition.clone(),
                f.formula.clone(),
                f.unit.clone(),
                direction(l, f.direction),
                f.reference_code.clone().unwrap_or_default(),
                f.data_source.clone(),
                source_type(l, f.source_type),
                disaggregations,
                baseline,
                f.pic.clone(),
            ]));
            for t in &ind.targets {
                target_rows.push(cells(vec![
                    f.code.clone(),
                    t.region.to_string(),
                    region_name(names, t.region.as_str()),
                    t.year.to_string(),
                    sheet_num(t.value),
                ]));
            }
        }
    }
    let key = |k: &str| l.get(k);
    Document {
        title: tree.strategy.title.clone(),
        subtitle: format!(
            "{} {} · {}{}",
            l.get("strategy.version"),
            v.number,
            status,
            v.published_at
                .as_deref()
                .map(|p| format!(
                    " · {} {}",
                    l.get("strategy.published_at"),
                    &p[..10.min(p.len())]
                ))
                .unwrap_or_default()
        ),
        letterhead,
        footer: tree.strategy.title.clone(),
        page_label: l.get("strategy.report.page"),
        blocks,
        sheets: vec![
            TableBlock {
                sheet: l.get("strategy.indicators"),
                widths: vec![],
                header: [
                    "strategy.objective",
                    "strategy.code",
                    "strategy.indicator",
                    "strategy.definition",
                    "strategy.formula",
                    "strategy.unit",
                    "strategy.direction",
                    "strategy.reference_code",
                    "strategy.data_source",
                    "strategy.source_type",
                    "strategy.disaggregations",
                    "strategy.baseline",
                    "strategy.pic",
                ]
                .iter()
                .map(|k| key(k))
                .collect(),
                rows: indicator_rows,
            },
            TableBlock {
                sheet: l.get("strategy.targets"),
                widths: vec![],
                header: [
                    "strategy.code",
                    "strategy.region_code",
                    "strategy.region",
                    "strategy.year",
                    "strategy.target",
                ]
                .iter()
                .map(|k| key(k))
                .collect(),
                rows: target_rows,
            },
        ],
    }
}

/// What the quarterly report covers.
pub struct QuarterInput<'a> {
    pub tree: &'a StrategyTree,
    pub period: sinergi_core::Period,
    pub period_label: String,
    /// Status of every indicator for every region in view (strategy region first).
    pub statuses: &'a [Status],
    pub values: &'a [Realisation],
    pub violations: &'a [Violation],
    pub bands: &'a RatingBands,
    pub names: &'a HashMap<String, String>,
    /// Forum actions due in the quarter, per forum and commission.
    pub actions: &'a [sinergi_core::forum::ActionTally],
    /// The area's figures by sex, age band and disability: title, note (period, source),
    /// cross-table.
    pub groups: &'a [(String, String, sinergi_core::groups::CrossTable)],
    /// Per region, the breakdown of each indicator asking for one (as disclosed to the
    /// reader), the strategy's area first.
    pub breakdowns: &'a [(
        sinergi_core::strategy::StrategyArea,
        sinergi_core::strategy::IndicatorFields,
        sinergi_core::strategy::Cross,
    )],
    /// The data-quality scorecard of the strategy's area for the year of the quarter.
    pub quality: Option<&'a QualitySection>,
}

fn dimension_key(d: &str) -> &'static str {
    match d {
        "jenis_kelamin" => "strategy.dis.jenis_kelamin",
        "kelompok_umur" => "strategy.dis.kelompok_umur",
        _ => "strategy.dis.disabilitas",
    }
}

/// A group's words ("perempuan · anak (0–17 tahun)").
fn group_words(l: &dyn Labels, groups: &[(&str, &str)]) -> String {
    groups
        .iter()
        .map(|(d, g)| l.get(sinergi_core::strategy::group_label_key(d, g)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An indicator's breakdown for print: the cross-table (one dimension across), the gap
/// between the highest and lowest cell, then each dimension's groups with the gap between
/// them, and the total.
fn cross_blocks(l: &dyn Labels, title: &str, c: &sinergi_core::strategy::Cross) -> Vec<Block> {
    let figure = |key: &str, v: Option<f64>| match v {
        Some(v) => l.num(v),
        None if c.is_suppressed(key) => l.get("profil.suppressed"),
        None => "–".to_string(),
    };
    let mut blocks = vec![Block::Heading(2, title.to_string())];
    if let Some(layout) = c.layout().filter(|_| c.has_cells()) {
        let mut header = vec![format!(
            "{} / {}",
            l.get("strategy.grid.group"),
            l.get(dimension_key(layout.column_dimension))
        )];
        header.extend(layout.columns.iter().map(|g| {
            l.get(sinergi_core::strategy::group_label_key(
                layout.column_dimension,
                g,
            ))
        }));
        let mut widths = vec![3.0];
        widths.extend(layout.columns.iter().map(|_| 1.2));
        blocks.push(Block::Table(TableBlock {
            sheet: title.to_string(),
            widths,
            header,
            rows: layout
                .rows
                .iter()
                .map(|(row, values)| {
                    let mut out = vec![Cell::plain(group_words(l, row))];
                    out.extend(layout.columns.iter().zip(values).map(|(col, v)| {
                        let mut groups = row.clone();
                        groups.push((layout.column_dimension, col));
                        groups.sort_by_key(|(d, _)| {
                            sinergi_core::strategy::DISAGGREGATIONS
                                .iter()
                                .position(|x| x == d)
                        });
                        Cell::plain(figure(&sinergi_core::strategy::cell_key(&groups), *v))
                    }));
                    out
                })
                .collect(),
        }));
        if let Some(g) = &c.cell_gap {
            let (hi, lo) = (&c.cells[g.highest], &c.cells[g.lowest]);
            blocks.push(Block::Paragraph(format!(
                "{}: {} ({}) − {} ({}) = {}",
                l.get("strategy.grid.cell_gap"),
                group_words(l, &hi.groups),
                l.num(hi.value.unwrap_or(0.0)),
                group_words(l, &lo.groups),
                l.num(lo.value.unwrap_or(0.0)),
                l.num(g.gap)
            )));
        }
    }
    let mut rows = Vec::new();
    for m in &c.margins {
        for (g, v) in &m.groups {
            rows.push(vec![
                Cell::plain(l.get(dimension_key(&m.dimension))),
                Cell::plain(l.get(sinergi_core::strategy::group_label_key(&m.dimension, g))),
                Cell::plain(figure(&format!("{}={g}", m.dimension), *v)),
            ]);
        }
        rows.push(vec![
            Cell::plain(String::new()),
            Cell::plain(l.get("strategy.grid.gap")),
            Cell::plain(opt_num(l, m.gap)),
        ]);
    }
    if c.total.is_some() || c.is_suppressed("") {
        rows.push(vec![
            Cell::plain(l.get(if c.additive {
                "strategy.grid.total"
            } else {
                "strategy.grid.overall"
            })),
            Cell::plain(String::new()),
            Cell::plain(figure("", c.total)),
        ]);
    }
    blocks.push(Block::Table(TableBlock {
        sheet: format!("{title} ({})", l.get("strategy.grid.gap")),
        widths: vec![2.0, 2.0, 1.2],
        header: vec![
            l.get("strategy.disaggregation"),
            l.get("strategy.grid.group"),
            l.get("strategy.actual"),
        ],
        rows,
    }));
    blocks
}

/// The data-quality scorecard as the quarterly report prints it (issue 22), labelled by the
/// caller: check names, and per region each check's grade (`pass`, `warn`, `fail`, `nodata`)
/// and share as text.
#[derive(Debug, Clone, Default)]
pub struct QualitySection {
    /// "2026" and when it was computed.
    pub note: String,
    /// The checks' labels, in order.
    pub checks: Vec<String>,
    pub rows: Vec<QualityRegion>,
    /// Per check: the share of regions failing it, as text.
    pub failing: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct QualityRegion {
    pub code: String,
    pub name: String,
    /// Per check: (grade key, share as text; machine form for the sheet).
    pub cells: Vec<(String, String, String)>,
}

fn grade_fill(grade: &str) -> Option<String> {
    match grade {
        "pass" => Some("#d4edda".into()),
        "warn" => Some("#fff3cd".into()),
        "fail" => Some("#f8d7da".into()),
        _ => None,
    }
}

/// Printed: per region its failing and needing-attention checks by name (a grid of eleven
/// checks does not fit a portrait page), then the share of regions failing each check.
fn quality_blocks(q: &QualitySection, l: &dyn Labels) -> Vec<Block> {
    let mut blocks = vec![
        Block::Heading(1, l.get("quality.report.title")),
        Block::Paragraph(q.note.clone()),
    ];
    if q.rows.is_empty() {
        blocks.push(Block::Paragraph(l.get("priority.quality.none")));
        return blocks;
    }
    let named = |r: &QualityRegion, grade: &str| {
        let names: Vec<String> = r
            .cells
            .iter()
            .zip(&q.checks)
            .filter(|((g, _, _), _)| g == grade)
            .map(|((_, text, _), name)| format!("{name} ({text})"))
            .collect();
        if names.is_empty() {
            "–".to_string()
        } else {
            names.join("; ")
        }
    };
    blocks.push(Block::Table(TableBlock {
        sheet: l.get("quality.report.title"),
        widths: vec![1.6, 2.6, 2.6],
        header: vec![
            l.get("priority.region"),
            l.get("priority.quality.grade.fail"),
            l.get("priority.quality.grade.warn"),
        ],
        rows: q
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::plain(r.name.clone()),
                    Cell {
                        text: named(r, "fail"),
                        fill: grade_fill("fail").filter(|_| named(r, "fail") != "–"),
                    },
                    Cell::plain(named(r, "warn")),
                ]
            })
            .collect(),
    }));
    blocks.push(Block::Table(TableBlock {
        sheet: l.get("priority.quality.failing"),
        widths: vec![3.0, 1.2],
        header: vec![
            l.get("priority.quality.check"),
            l.get("priority.quality.failing"),
        ],
        rows: q
            .checks
            .iter()
            .zip(&q.failing)
            .map(|(c, f)| cells(vec![c.clone(), f.clone()]))
            .collect(),
    }));
    blocks
}

/// Every figure by group in one sheet a spreadsheet can pivot: the indicators' breakdowns
/// per region (full cells, each dimension's groups, the total) and the area's figures by
/// group; a dimension a row does not split by reads "semua"; figures are number cells.
fn breakdown_sheet(q: &QuarterInput, l: &dyn Labels) -> TableBlock {
    use sinergi_core::strategy::{DISAGGREGATIONS, group_label_key};
    let all = l.get("strategy.grid.all");
    let words = |groups: &[(&str, &str)]| -> Vec<String> {
        DISAGGREGATIONS
            .iter()
            .map(|d| {
                groups
                    .iter()
                    .find(|(gd, _)| gd == d)
                    .map_or_else(|| all.clone(), |(_, g)| l.get(group_label_key(d, g)))
            })
            .collect()
    };
    let suppressed = l.get("profil.suppressed");
    let mut rows = Vec::new();
    let mut push =
        |subject: &str, name: &str, region: &str, groups: &[(&str, &str)], v: Option<String>| {
            let Some(v) = v else { return };
            let mut row = vec![
                subject.to_string(),
                name.to_string(),
                region.to_string(),
                region_name(q.names, region),
            ];
            row.extend(words(groups));
            row.push(v);
            rows.push(cells(row));
        };
    for (region, f, c) in q.breakdowns {
        let value = |key: &str, v: Option<f64>| match v {
            Some(v) => Some(sheet_num(v)),
            None if c.is_suppressed(key) => Some(suppressed.clone()),
            None => None,
        };
        let region = region.as_str();
        if c.dimensions.len() >= 2 {
            for cell in &c.cells {
                push(
                    &f.code,
                    &f.name,
                    region,
                    &cell.groups,
                    value(&cell.key(), cell.value),
                );
            }
        }
        for m in &c.margins {
            let dim = DISAGGREGATIONS
                .iter()
                .copied()
                .find(|d| *d == m.dimension)
                .unwrap_or("jenis_kelamin");
            for (g, v) in &m.groups {
                push(
                    &f.code,
                    &f.name,
                    region,
                    &[(dim, g)],
                    value(&format!("{dim}={g}"), *v),
                );
            }
        }
        push(&f.code, &f.name, region, &[], value("", c.total));
    }
    let top = q.tree.strategy.region.as_str();
    for (title, _, t) in q.groups {
        let count = |d: &sinergi_core::Disclosed| match d {
            sinergi_core::Disclosed::Count(n) => sheet_num(*n as f64),
            sinergi_core::Disclosed::Suppressed => suppressed.clone(),
        };
        for r in &t.rows {
            for (age, c) in sinergi_core::strategy::disaggregation_values("kelompok_umur")
                .iter()
                .zip(&r.cells)
            {
                let groups = [
                    ("jenis_kelamin", r.sex),
                    ("kelompok_umur", *age),
                    ("disabilitas", r.disability),
                ];
                push("", title, top, &groups, c.as_ref().map(count));
            }
        }
        for m in &t.margins {
            for (g, _, d) in &m.groups {
                push("", title, top, &[(m.dimension, g)], Some(count(d)));
            }
        }
        push("", title, top, &[], t.total.as_ref().map(count));
    }
    TableBlock {
        sheet: l.get("strategy.report.breakdown_sheet"),
        widths: vec![],
        header: [
            "strategy.code",
            "strategy.report.subject",
            "strategy.region_code",
            "strategy.region",
            "strategy.dis.jenis_kelamin",
            "strategy.dis.kelompok_umur",
            "strategy.dis.disabilitas",
            "strategy.actual",
        ]
        .iter()
        .map(|k| l.get(k))
        .collect(),
        rows,
    }
}

/// The gap between groups, one row per dimension (and one for the cells of a cross):
/// the highest group and its figure, the lowest and its figure, and the difference.
fn gap_sheet(q: &QuarterInput, l: &dyn Labels) -> TableBlock {
    use sinergi_core::strategy::group_label_key;
    let mut rows = Vec::new();
    let mut push = |subject: &str,
                    name: &str,
                    region: &str,
                    what: String,
                    hi: (String, f64),
                    lo: (String, f64)| {
        rows.push(cells(vec![
            subject.to_string(),
            name.to_string(),
            region.to_string(),
            region_name(q.names, region),
            what,
            hi.0,
            sheet_num(hi.1),
            lo.0,
            sheet_num(lo.1),
            sheet_num(hi.1 - lo.1),
        ]));
    };
    let extremes = |groups: Vec<(String, f64)>| -> Option<((String, f64), (String, f64))> {
        if groups.len() < 2 {
            return None;
        }
        let hi = groups
            .iter()
            .cloned()
            .fold(None::<(String, f64)>, |a, b| match a {
                Some(a) if a.1 >= b.1 => Some(a),
                _ => Some(b),
            })?;
        let lo = groups
            .iter()
            .cloned()
            .fold(None::<(String, f64)>, |a, b| match a {
                Some(a) if a.1 <= b.1 => Some(a),
                _ => Some(b),
            })?;
        Some((hi, lo))
    };
    for (region, f, c) in q.breakdowns {
        let region = region.as_str();
        for m in c.margins.iter().filter(|m| m.gap.is_some()) {
            let groups = m
                .groups
                .iter()
                .filter_map(|(g, v)| v.map(|v| (l.get(group_label_key(&m.dimension, g)), v)))
                .collect();
            if let Some((hi, lo)) = extremes(groups) {
                push(
                    &f.code,
                    &f.name,
                    region,
                    l.get(dimension_key(&m.dimension)),
                    hi,
                    lo,
                );
            }
        }
        if let (Some(g), true) = (&c.cell_gap, c.dimensions.len() >= 2) {
            let (h, w) = (&c.cells[g.highest], &c.cells[g.lowest]);
            push(
                &f.code,
                &f.name,
                region,
                l.get("strategy.grid.cell_gap"),
                (group_words(l, &h.groups), h.value.unwrap_or(0.0)),
                (group_words(l, &w.groups), w.value.unwrap_or(0.0)),
            );
        }
    }
    let top = q.tree.strategy.region.as_str();
    for (title, _, t) in q.groups {
        for m in t.margins.iter().filter(|m| m.gap.is_some()) {
            let groups = m
                .groups
                .iter()
                .filter_map(|(_, key, d)| match d {
                    sinergi_core::Disclosed::Count(n) => Some((l.get(key), *n as f64)),
                    sinergi_core::Disclosed::Suppressed => None,
                })
                .collect();
            if let Some((hi, lo)) = extremes(groups) {
                push("", title, top, l.get(dimension_key(m.dimension)), hi, lo);
            }
        }
    }
    TableBlock {
        sheet: l.get("strategy.report.gap_sheet"),
        widths: vec![],
        header: [
            "strategy.code",
            "strategy.report.subject",
            "strategy.region_code",
            "strategy.region",
            "strategy.disaggregation",
            "strategy.grid.highest",
            "strategy.actual",
            "strategy.grid.lowest",
            "strategy.actual",
            "strategy.grid.gap",
        ]
        .iter()
        .map(|k| l.get(k))
        .collect(),
        rows,
    }
}
/// The sheet: one row per region, each check's grade and share.
fn quality_sheet(q: &QualitySection, l: &dyn Labels) -> TableBlock {
    let mut header = vec![l.get("strategy.region_code"), l.get("strategy.region")];
    for c in &q.checks {
        header.push(c.clone());
        header.push(format!("{c} · {}", l.get("priority.quality.grade")));
    }
    TableBlock {
        sheet: l.get("quality.report.title"),
        widths: vec![],
        header,
        rows: q
            .rows
            .iter()
            .map(|r| {
                let mut row = cells(vec![r.code.clone(), r.name.clone()]);
                for (grade, _, machine) in &r.cells {
                    row.push(Cell {
                        text: machine.clone(),
                        fill: grade_fill(grade),
                    });
                    row.push(Cell::plain(
                        l.get(&format!("priority.quality.grade.{grade}")),
                    ));
                }
                row
            })
            .collect(),
    }
}

/// A count as the report prints it, suppressed below the publication threshold.
fn disclosed_text(l: &dyn Labels, d: &sinergi_core::Disclosed) -> String {
    match d {
        sinergi_core::Disclosed::Count(n) => l.num(*n as f64),
        sinergi_core::Disclosed::Suppressed => l.get("profil.suppressed"),
    }
}

/// One cross-table: the full cells (rows sex · disability, columns age band), then each
/// dimension's groups with the gap between them.
fn group_blocks(
    l: &dyn Labels,
    title: &str,
    note: &str,
    t: &sinergi_core::groups::CrossTable,
) -> Vec<Block> {
    use sinergi_core::strategy::{disaggregation_values, group_label_key};
    let mut blocks = vec![
        Block::Heading(2, title.to_string()),
        Block::Paragraph(note.to_string()),
    ];
    if !t.rows.is_empty() {
        let mut header = vec![l.get("groups.row")];
        header.extend(
            disaggregation_values("kelompok_umur")
                .iter()
                .map(|a| l.get(group_label_key("kelompok_umur", a))),
        );
        blocks.push(Block::Table(TableBlock {
            sheet: title.to_string(),
            widths: vec![3.0, 1.2, 1.2, 1.2],
            header,
            rows: t
                .rows
                .iter()
                .map(|r| {
                    let mut row = vec![Cell::plain(format!(
                        "{} · {}",
                        l.get(group_label_key("jenis_kelamin", r.sex)),
                        l.get(group_label_key("disabilitas", r.disability))
                    ))];
                    row.extend(r.cells.iter().map(|c| {
                        Cell::plain(c.as_ref().map_or("–".to_string(), |d| disclosed_text(l, d)))
                    }));
                    row
                })
                .collect(),
        }));
    }
    let mut rows = Vec::new();
    for m in &t.margins {
        for (_, key, d) in &m.groups {
            rows.push(vec![
                Cell::plain(l.get(match m.dimension {
                    "jenis_kelamin" => "strategy.dis.jenis_kelamin",
                    "kelompok_umur" => "strategy.dis.kelompok_umur",
                    _ => "strategy.dis.disabilitas",
                })),
                Cell::plain(l.get(key)),
                Cell::plain(disclosed_text(l, d)),
            ]);
        }
        rows.push(vec![
            Cell::plain(String::new()),
            Cell::plain(l.get("strategy.grid.gap")),
            Cell::plain(m.gap.map_or("–".to_string(), |g| l.num(g as f64))),
        ]);
    }
    if let Some(total) = &t.total {
        rows.push(vec![
            Cell::plain(l.get("groups.total")),
            Cell::plain(String::new()),
            Cell::plain(disclosed_text(l, total)),
        ]);
    }
    blocks.push(Block::Table(TableBlock {
        sheet: format!("{title} ({})", l.get("strategy.grid.gap")),
        widths: vec![2.0, 2.0, 1.2],
        header: vec![
            l.get("strategy.disaggregation"),
            l.get("strategy.grid.group"),
            l.get("profil.people"),
        ],
        rows,
    }));
    blocks
}

fn band_cell(l: &dyn Labels, bands: &RatingBands, s: &Status) -> Cell {
    match s.band {
        Some(i) => Cell {
            text: if l.english() {
                bands.bands[i].label_en.clone()
            } else {
                bands.bands[i].label_id.clone()
            },
            fill: Some(bands.bands[i].colour.clone()),
        },
        None => Cell::plain(l.get("strategy.no_data")),
    }
}

fn achievement_text(l: &dyn Labels, s: &Status) -> String {
    s.achievement.map_or_else(
        || "–".to_string(),
        |a| format!("{} %", l.num(sinergi_core::strategy::display_capped(a))),
    )
}

/// The quarterly M&E report: a summary by rating band, every indicator's status (worst
/// first), the kab/kota breakdown per indicator with drivers, obstacles and follow-up, and
/// the validation violations.
pub fn quarter_report(q: &QuarterInput, l: &dyn Labels, letterhead: Letterhead) -> Document {
    let top = &q.tree.strategy.region;
    let mut province: Vec<&Status> = q.statuses.iter().filter(|s| &s.region == top).collect();
    red_first(&mut province);
    let mut blocks = vec![Block::Heading(1, l.get("strategy.report.summary"))];
    let mut summary = Vec::new();
    for (i, b) in q.bands.bands.iter().enumerate() {
        let n = province.iter().filter(|s| s.band == Some(i)).count();
        summary.push(vec![
            Cell {
                text: if l.english() {
                    b.label_en.clone()
                } else {
                    b.label_id.clone()
                },
                fill: Some(b.colour.clone()),
            },
            Cell::plain(n.to_string()),
        ]);
    }
    summary.push(vec![
        Cell::plain(l.get("strategy.no_data")),
        Cell::plain(
            province
                .iter()
                .filter(|s| s.band.is_none())
                .count()
                .to_string(),
        ),
    ]);
    blocks.push(Block::Table(TableBlock {
        sheet: l.get("strategy.report.summary"),
        widths: vec![3.0, 1.0],
        header: vec![l.get("strategy.band"), l.get("strategy.report.indicators")],
        rows: summary,
    }));
    blocks.push(Block::Heading(
        1,
        format!(
            "{} — {}",
            l.get("strategy.report.status"),
            region_name(q.names, top.as_str())
        ),
    ));
    let header = vec![
        l.get("strategy.code"),
        l.get("strategy.indicator"),
        l.get("strategy.source_type"),
        l.get("strategy.target"),
        l.get("strategy.actual"),
        l.get("strategy.achievement"),
        l.get("strategy.band"),
    ];
    blocks.push(Block::Table(TableBlock {
        sheet: l.get("strategy.report.status"),
        widths: vec![1.0, 4.0, 1.4, 1.1, 1.1, 1.1, 1.5],
        header: header.clone(),
        rows: province
            .iter()
            .map(|s| {
                vec![
                    Cell::plain(&s.code),
                    Cell::plain(format!("{} ({})", s.name, s.unit)),
                    Cell::plain(source_type(l, s.source_type)),
                    Cell::plain(opt_num(l, s.target)),
                    Cell::plain(opt_num(l, s.actual)),
                    Cell::plain(achievement_text(l, s)),
                    band_cell(l, q.bands, s),
                ]
            })
            .collect(),
    }));
    for ind in q.tree.indicators() {
        let code = &ind.fields.code;
        let mut rows: Vec<&Status> = q
            .statuses
            .iter()
            .filter(|s| &s.code == code && &s.region != top)
            .collect();
        let narratives: Vec<&Realisation> = q
            .values
            .iter()
            .filter(|r| {
                &r.indicator_code == code
                    && r.period == q.period
                    && (!r.drivers.is_empty() || !r.obstacles.is_empty() || !r.follow_up.is_empty())
            })
            .collect();
        let breakdown = q
            .breakdowns
            .iter()
            .find(|(r, f, _)| r == top && &f.code == code);
        if rows.is_empty() && narratives.is_empty() && breakdown.is_none() {
            continue;
        }
        blocks.push(Block::Heading(2, format!("{code} {}", ind.fields.name)));
        if !rows.is_empty() {
            red_first(&mut rows);
            blocks.push(Block::Table(TableBlock {
                sheet: code.clone(),
                widths: vec![3.0, 1.1, 1.1, 1.1, 1.5],
                header: vec![
                    l.get("strategy.region"),
                    l.get("strategy.target"),
                    l.get("strategy.actual"),
                    l.get("strategy.achievement"),
                    l.get("strategy.band"),
                ],
                rows: rows
                    .iter()
                    .map(|s| {
                        vec![
                            Cell::plain(region_name(q.names, s.region.as_str())),
                            Cell::plain(opt_num(l, s.target)),
                            Cell::plain(opt_num(l, s.actual)),
                            Cell::plain(achievement_text(l, s)),
                            band_cell(l, q.bands, s),
                        ]
                    })
                    .collect(),
            }));
        }
        for r in narratives {
            let mut f = vec![(
                l.get("strategy.region"),
                region_name(q.names, r.region.as_str()),
            )];
            for (k, v) in [
                ("strategy.drivers", &r.drivers),
                ("strategy.obstacles", &r.obstacles),
                ("strategy.follow_up", &r.follow_up),
            ] {
                if !v.is_empty() {
                    f.push((l.get(k), v.clone()));
                }
            }
            blocks.push(Block::Fields(f));
        }
        if let Some((r, _, c)) = breakdown {
            let title = format!(
                "{code} · {} — {}",
                l.get("strategy.grid.breakdown"),
                region_name(q.names, r.as_str())
            );
            blocks.extend(cross_blocks(l, &title, c));
        }
    }
    blocks.push(Block::Heading(1, l.get("strategy.violations")));
    if q.violations.is_empty() {
        blocks.push(Block::Paragraph(l.get("strategy.violations.none")));
    } else {
        blocks.push(Block::Table(violation_table(q, l)));
    }
    blocks.push(Block::Heading(1, l.get("forum.report.actions")));
    if q.actions.is_empty() {
        blocks.push(Block::Paragraph(l.get("forum.report.no_actions")));
    } else {
        blocks.push(Block::Table(action_table(q, l, true)));
    }
    if let Some(quality) = q.quality {
        blocks.extend(quality_blocks(quality, l));
    }
    if !q.groups.is_empty() {
        blocks.push(Block::Heading(1, l.get("groups.profile_title")));
        for (title, note, table) in q.groups {
            blocks.extend(group_blocks(l, title, note, table));
        }
    }

    let status_rows = q
        .statuses
        .iter()
        .map(|s| {
            let band = band_cell(l, q.bands, s).text;
            cells(vec![
                s.code.clone(),
                s.name.clone(),
                s.region.to_string(),
                region_name(q.names, s.region.as_str()),
                source_type(l, s.source_type),
                s.target.map(sheet_num).unwrap_or_default(),
                s.actual.map(sheet_num).unwrap_or_default(),
                s.achievement.map(sheet_num).unwrap_or_default(),
                band,
                s.source.clone().unwrap_or_default(),
            ])
        })
        .collect();
    let value_rows = q
        .values
        .iter()
        .filter(|r| r.period == q.period)
        .map(|r| {
            cells(vec![
                r.indicator_code.clone(),
                r.disaggregation.clone(),
                r.region.to_string(),
                r.period.to_string(),
                r.source.clone(),
                sheet_num(r.value),
                r.drivers.clone(),
                r.obstacles.clone(),
                r.follow_up.clone(),
                l.get(&format!("strategy.method.{}", r.method.key())),
            ])
        })
        .collect();
    let k = |keys: &[&str]| keys.iter().map(|k| l.get(k)).collect::<Vec<_>>();
    Document {
        title: format!(
            "{} — {}",
            l.get("strategy.report.quarter_title"),
            q.period_label
        ),
        subtitle: format!(
            "{} · {} {}",
            q.tree.strategy.title,
            l.get("strategy.version"),
            q.tree.version.number
        ),
        letterhead,
        footer: format!("{} · {}", q.tree.strategy.title, q.period_label),
        page_label: l.get("strategy.report.page"),
        blocks,
        sheets: vec![
            TableBlock {
                sheet: l.get("strategy.achievement"),
                widths: vec![],
                header: k(&[
                    "strategy.code",
                    "strategy.indicator",
                    "strategy.region_code",
                    "strategy.region",
                    "strategy.source_type",
                    "strategy.target",
                    "strategy.actual",
                    "strategy.achievement_raw",
                    "strategy.band",
                    "strategy.source",
                ]),
                rows: status_rows,
            },
            TableBlock {
                sheet: l.get("strategy.realisation"),
                widths: vec![],
                header: k(&[
                    "strategy.code",
                    "strategy.disaggregation",
                    "strategy.region_code",
                    "strategy.period",
                    "strategy.source",
                    "strategy.actual",
                    "strategy.drivers",
                    "strategy.obstacles",
                    "strategy.follow_up",
                    "strategy.method",
                ]),
                rows: value_rows,
            },
            breakdown_sheet(q, l),
            gap_sheet(q, l),
            violation_table(q, l),
            action_table(q, l, false),
        ]
        .into_iter()
        .chain(q.quality.map(|quality| quality_sheet(quality, l)))
        .collect(),
    }
}

/// A figure in a spreadsheet sheet: the machine form ("12.4"), which the XLSX writer stores
/// as a number cell shown in the reader's own format; printed pages use `Labels::num`.
fn sheet_num(v: f64) -> String {
    format!("{v}")
}

/// Forum actions due in the quarter: per forum and commission, done on time or late, open
/// (overdue among them) and dropped. Figures in the language's notation for print, plain for
/// the sheet.
fn action_table(q: &QuarterInput, l: &dyn Labels, print: bool) -> TableBlock {
    TableBlock {
        sheet: l.get("forum.report.actions"),
        widths: vec![3.0, 1.6, 0.9, 1.0, 1.0, 0.9, 1.0, 1.0],
        header: [
            "forum.report.forum",
            "forum.report.commission",
            "forum.report.due",
            "forum.report.done_on_time",
            "forum.report.done_late",
            "forum.report.open",
            "forum.report.overdue",
            "forum.report.dropped",
        ]
        .iter()
        .map(|k| l.get(k))
        .collect(),
        rows: q
            .actions
            .iter()
            .map(|a| {
                let n = |v: u64| {
                    if print {
                        l.num(v as f64)
                    } else {
                        v.to_string()
                    }
                };
                let overdue = Cell {
                    text: n(a.overdue),
                    fill: (a.overdue > 0).then(|| "#f8d7da".to_string()),
                };
                let mut row = cells(vec![
                    a.forum.clone(),
                    if a.commission.is_empty() {
                        "–".to_string()
                    } else {
                        a.commission.clone()
                    },
                    n(a.due),
                    n(a.done_on_time),
                    n(a.done_late),
                    n(a.open),
                ]);
                row.push(overdue);
                row.push(Cell::plain(n(a.dropped)));
                row
            })
            .collect(),
    }
}

fn violation_table(q: &QuarterInput, l: &dyn Labels) -> TableBlock {
    TableBlock {
        sheet: l.get("strategy.violations"),
        widths: vec![2.0, 2.0, 2.5, 1.0, 1.0],
        header: vec![
            l.get("strategy.rule"),
            l.get("strategy.rule_expression"),
            l.get("strategy.region"),
            l.get("strategy.left_value"),
            l.get("strategy.right_value"),
        ],
        rows: q
            .violations
            .iter()
            .map(|v| {
                cells(vec![
                    v.rule.clone(),
                    v.expression.clone(),
                    region_name(q.names, v.region.as_str()),
                    l.num(v.left),
                    opt_num(l, v.right),
                ])
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::groups::{cross_table, grid_groups};

    struct Keys;
    impl Labels for Keys {
        fn get(&self, key: &str) -> String {
            key.to_string()
        }
        fn num(&self, v: f64) -> String {
            format!("{v}")
        }
        fn english(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_cross_table_prints_its_cells_margins_gap_and_total_with_small_counts_hidden() {
        let values: Vec<_> = grid_groups()
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g, if i == 0 { 3.0 } else { 20.0 }))
            .collect();
        let t = cross_table(&values, 10);
        let blocks = group_blocks(&Keys, "Penerima manfaat", "2025", &t);
        let tables: Vec<&TableBlock> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(tables.len(), 2);
        let cells = tables[0];
        assert_eq!(cells.rows.len(), 4);
        assert_eq!(cells.rows[0][1].text, "profil.suppressed");
        assert_eq!(cells.rows[0][2].text, "20");
        let margins = tables[1];
        let text: Vec<Vec<&str>> = margins
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        // Men 3 + 5 × 20 = 103, women 120: the gap is 17; the total 223.
        assert!(text.contains(&vec![
            "strategy.dis.jenis_kelamin",
            "strategy.group.laki_laki",
            "103"
        ]));
        assert!(text.contains(&vec!["", "strategy.grid.gap", "17"]));
        assert_eq!(text.last().unwrap(), &vec!["groups.total", "", "223"]);
    }
}
