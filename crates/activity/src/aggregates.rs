//! Loading published figures per region (PPKS counts per desa, extreme-poverty target desa,
//! poverty, stunting, child marriage) from a CSV or XLSX file: read by intake, checked
//! against the region register, stored in one transaction. This is the import the pages name
//! where a figure is missing. Administrators and the system only: the figures are public.

use sinergi_core::{Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_intake::aggregates::read_aggregates;
use sinergi_store::{
    Actor, AggregateValue, FigureLoad, GroupValue, NationalValue, SourceType, Store,
};

use crate::ActivityError;

/// The command that loads figures, as pages name it.
pub const IMPORT_COMMAND: &str = "sinergi agregat impor";

/// How an import ended. Refusals are outcomes: the face lists them.
#[derive(Debug)]
pub enum AggregateOutcome {
    /// Figures stored (a figure with the same region, element, period and source replaced);
    /// refused rows in line order.
    Stored {
        stored: u64,
        rejected: Vec<RowError>,
        /// The upload as the uploads page lists it (`/tugas/{id}`), for a signed-in user.
        upload: Option<i64>,
    },
    /// The file as a whole was refused (unreadable, required columns missing); nothing stored.
    Refused {
        errors: Vec<RowError>,
        upload: Option<i64>,
    },
}

/// Reads `bytes` (a file named `file_name`, for the uploads page) and stores every figure that
/// reads well and names a known region, Indonesia as a whole (`ID`), or one group of a
/// cross-table; the upload is kept with its report.
pub async fn import_aggregates(
    store: &Store,
    viewer: &Viewer,
    file_name: &str,
    bytes: &[u8],
) -> Result<AggregateOutcome, ActivityError> {
    if !viewer.is_admin() {
        return Err(ActivityError::Forbidden);
    }
    let outcome = read_and_store(store, viewer, bytes).await?;
    let report = match &outcome {
        AggregateOutcome::Stored {
            stored, rejected, ..
        } => crate::lists::ImportReport::of_rows(false, *stored, rejected),
        AggregateOutcome::Refused { errors, .. } => {
            crate::lists::ImportReport::of_rows(true, 0, errors)
        }
    };
    let id = crate::lists::record_upload(
        store,
        viewer,
        crate::lists::AGGREGATE_UPLOAD,
        file_name,
        &report,
    )
    .await?;
    Ok(match outcome {
        AggregateOutcome::Stored {
            stored, rejected, ..
        } => AggregateOutcome::Stored {
            stored,
            rejected,
            upload: id,
        },
        AggregateOutcome::Refused { errors, .. } => {
            AggregateOutcome::Refused { errors, upload: id }
        }
    })
}

async fn read_and_store(
    store: &Store,
    viewer: &Viewer,
    bytes: &[u8],
) -> Result<AggregateOutcome, ActivityError> {
    let refused = |errors| AggregateOutcome::Refused {
        errors,
        upload: None,
    };
    let table = match sinergi_intake::read_table_bytes("", bytes) {
        Ok(t) => t,
        Err(sinergi_intake::TableError::Rows { errors, .. }) => {
            return Ok(refused(errors.0));
        }
        Err(e) => {
            return Ok(refused(vec![RowError::file(
                Msg::new("institution.file_unreadable").arg("reason", e),
            )]));
        }
    };
    let (rows, mut rejected) = read_aggregates(&table);
    if rows.is_empty() && rejected.iter().any(|e| e.line <= 1) {
        return Ok(refused(rejected));
    }
    let known = store.region_code_set().await?;
    let mut values = Vec::with_capacity(rows.len());
    let mut national = Vec::new();
    let mut groups = Vec::new();
    for r in rows {
        let source_type = if r.survey {
            SourceType::Survey
        } else {
            SourceType::Administrative
        };
        let Some(region) = r.region else {
            // Indonesia as a whole: a published figure any administrator may load.
            if r.group.is_total() {
                national.push(NationalValue {
                    element: r.element,
                    period: r.period,
                    value: r.value,
                    unit: r.unit,
                    source: r.source,
                    source_type,
                    estimated: r.estimated,
                    note: r.note,
                });
            } else {
                rejected.push(RowError {
                    line: r.line,
                    column: Some("kode_wilayah".into()),
                    reason: Msg::new("aggregate.national_groups"),
                });
            }
            continue;
        };
        if !viewer.may_load_figures_for(&region) {
            rejected.push(RowError {
                line: r.line,
                column: Some("kode_wilayah".into()),
                reason: Msg::new("aggregate.region_outside").arg("value", &region),
            });
            continue;
        }
        if !known.contains(region.as_str()) {
            rejected.push(RowError {
                line: r.line,
                column: Some("kode_wilayah".into()),
                reason: Msg::new("aggregate.region_unknown").arg("value", &region),
            });
            continue;
        }
        if !r.group.is_total() {
            groups.push(GroupValue {
                region,
                element: r.element,
                period: r.period,
                group: r.group,
                value: r.value,
                unit: r.unit,
                source: r.source,
                source_type,
                estimated: r.estimated,
                note: r.note,
            });
            continue;
        }
        values.push(AggregateValue {
            region,
            element: r.element,
            period: r.period,
            value: r.value,
            unit: r.unit,
            source: r.source,
            source_type,
            estimated: r.estimated,
            note: r.note,
        });
    }
    rejected.sort_by_key(|e| e.line);
    let actor = Actor::from(viewer);
    let stored = if values.is_empty() && national.is_empty() && groups.is_empty() {
        0
    } else {
        store
            .load_figures(
                actor,
                FigureLoad {
                    regional: &values,
                    national: &national,
                    groups: &groups,
                },
            )
            .await?
    };
    Ok(AggregateOutcome::Stored {
        stored,
        rejected,
        upload: None,
    })
}

// ---------------------------------------------------------------------------------------
// Figures by group: sex × age band × disability

/// One element's cross-table for a region, as the profile, the dashboard and the M&E report
/// show it: the latest period held at or below the region, summed over the regions of the
/// highest level that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTable {
    pub element: String,
    /// Catalogue key naming the element.
    pub label_key: &'static str,
    pub period: String,
    pub source: String,
    pub survey: bool,
    /// How many regions the figures were summed over (1: held for the region itself).
    pub regions: usize,
    pub table: sinergi_core::groups::CrossTable,
}

/// The cross-tables of every element held by group at or below `within`, for `viewer`
/// (small counts suppressed for those who get suppressed counts; the public always).
pub async fn group_tables(
    store: &Store,
    viewer: &Viewer,
    within: &sinergi_core::RegionCode,
) -> Result<Vec<GroupTable>, ActivityError> {
    use sinergi_core::groups::{GROUP_ELEMENTS, cross_table};
    let threshold = if viewer.gets_suppressed_counts() {
        store.disclosure_threshold()
    } else {
        0
    };
    let elements: Vec<&str> = GROUP_ELEMENTS.iter().map(|(e, _)| *e).collect();
    let held = store.group_figures(within, &elements).await?;
    let mut out = Vec::new();
    for (element, label_key) in GROUP_ELEMENTS {
        let rows: Vec<&GroupValue> = held.iter().filter(|v| v.element == element).collect();
        let Some(period) = rows.iter().map(|v| v.period.clone()).max() else {
            continue;
        };
        let rows: Vec<&GroupValue> = rows.into_iter().filter(|v| v.period == period).collect();
        let Some(depth) = rows.iter().map(|v| v.region.as_str().len()).min() else {
            continue;
        };
        let rows: Vec<&GroupValue> = rows
            .into_iter()
            .filter(|v| v.region.as_str().len() == depth)
            .collect();
        let mut regions: Vec<&str> = rows.iter().map(|v| v.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        let mut sums: Vec<(sinergi_core::groups::Group, f64)> = Vec::new();
        for v in &rows {
            match sums.iter_mut().find(|(g, _)| *g == v.group) {
                Some((_, s)) => *s += v.value,
                None => sums.push((v.group.clone(), v.value)),
            }
        }
        out.push(GroupTable {
            element: element.to_string(),
            label_key,
            period,
            source: rows.first().map(|v| v.source.clone()).unwrap_or_default(),
            survey: rows
                .first()
                .is_some_and(|v| v.source_type == SourceType::Survey),
            regions: regions.len(),
            table: cross_table(&sums, threshold),
        });
    }
    Ok(out)
}

/// What the entry grid of `region`, `element` and `period` shows: the figures held for
/// exactly them by full group (in its boxes), and the cross-tables held at and below the
/// region (beneath it). Administrators only.
#[derive(Debug, Clone)]
pub struct GroupGrid {
    pub held: Vec<GroupValue>,
    pub tables: Vec<GroupTable>,
}

pub async fn group_grid(
    store: &Store,
    viewer: &Viewer,
    region: &sinergi_core::RegionCode,
    element: &str,
    period: &str,
) -> Result<GroupGrid, ActivityError> {
    if !viewer.is_admin() {
        return Err(ActivityError::Forbidden);
    }
    let held = store
        .group_figures(region, &[element])
        .await?
        .into_iter()
        .filter(|v| &v.region == region && v.period == period && v.group.is_full())
        .collect();
    Ok(GroupGrid {
        held,
        tables: group_tables(store, viewer, region).await?,
    })
}

/// The entry grid as typed: one box per full group (`perempuan.0_17.ya`).
#[derive(Debug, Clone)]
pub struct GroupEntry {
    pub region: String,
    pub element: String,
    pub period: String,
    pub source: String,
    pub survey: bool,
    pub cells: Vec<(String, String)>,
}

/// How saving the grid ended.
#[derive(Debug)]
pub enum GroupEntryOutcome {
    Stored(u64),
    /// Nothing stored: each field or box with its reason (box keys as sent).
    Refused(Vec<(String, Msg)>),
}

/// Stores the filled boxes of the grid, all or nothing (an administrator, within its scope);
/// a box that is not a count is named by its groups.
pub async fn enter_group_figures(
    store: &Store,
    viewer: &Viewer,
    entry: GroupEntry,
) -> Result<GroupEntryOutcome, ActivityError> {
    use sinergi_core::groups::{GROUP_ELEMENTS, Group};
    if !viewer.is_admin() {
        return Err(ActivityError::Forbidden);
    }
    let mut refused: Vec<(String, Msg)> = Vec::new();
    let region = match sinergi_core::RegionCode::parse(&entry.region) {
        Ok(r) if !viewer.may_load_figures_for(&r) => {
            refused.push((
                "kode_wilayah".into(),
                Msg::new("aggregate.region_outside").arg("value", &r),
            ));
            None
        }
        Ok(r) if !store.region_code_set().await?.contains(r.as_str()) => {
            refused.push((
                "kode_wilayah".into(),
                Msg::new("aggregate.region_unknown").arg("value", &r),
            ));
            None
        }
        Ok(r) => Some(r),
        Err(_) => {
            refused.push((
                "kode_wilayah".into(),
                Msg::new("aggregate.region_bad").arg("value", entry.region.trim()),
            ));
            None
        }
    };
    if !GROUP_ELEMENTS.iter().any(|(e, _)| *e == entry.element) {
        refused.push((
            "unsur".into(),
            Msg::new("aggregate.element_bad").arg("value", &entry.element),
        ));
    }
    let period = match sinergi_core::Period::parse(&entry.period) {
        Ok(p) => Some(p.to_string()),
        Err(_) => {
            refused.push((
                "periode".into(),
                Msg::new("aggregate.period_bad").arg("value", entry.period.trim()),
            ));
            None
        }
    };
    if entry.source.trim().is_empty() {
        refused.push(("sumber".into(), Msg::new("aggregate.required")));
    }
    let mut cells = Vec::new();
    for (key, typed) in entry.cells.iter().filter(|(_, v)| !v.trim().is_empty()) {
        let Some(group) = Group::from_key(key).filter(Group::is_full) else {
            refused.push((key.clone(), Msg::new("groups.cell_unknown").arg("key", key)));
            continue;
        };
        match sinergi_intake::realisation::parse_figure(typed) {
            Some(v) if v >= 0.0 && v.fract() == 0.0 => cells.push((group, v)),
            _ => {
                let mut m = Msg::new("groups.cell_bad").arg("value", typed.trim());
                for (i, g) in group.labels().into_iter().enumerate() {
                    m = m.arg_msg(["sex", "age", "disability"][i], g);
                }
                refused.push((key.clone(), m));
            }
        }
    }
    if cells.is_empty() && refused.is_empty() {
        refused.push(("sel".into(), Msg::new("groups.none_filled")));
    }
    let (Some(region), Some(period), true) = (region, period, refused.is_empty()) else {
        return Ok(GroupEntryOutcome::Refused(refused));
    };
    let source_type = if entry.survey {
        SourceType::Survey
    } else {
        SourceType::Administrative
    };
    let values: Vec<GroupValue> = cells
        .into_iter()
        .map(|(group, value)| GroupValue {
            region: region.clone(),
            element: entry.element.clone(),
            period: period.clone(),
            group,
            value,
            unit: "orang".into(),
            source: entry.source.trim().to_string(),
            source_type,
            estimated: false,
            note: None,
        })
        .collect();
    let n = store
        .load_figures(
            Actor::from(viewer),
            FigureLoad {
                groups: &values,
                ..FigureLoad::default()
            },
        )
        .await?;
    Ok(GroupEntryOutcome::Stored(n))
}
