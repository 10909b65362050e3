//! A region at a glance, as the public sees it: the published figures with their source,
//! period and kind (survey, administrative, synthetic kept apart), a trend wherever a figure
//! has more than one period, PPKS counts, the LKS registry and the LKKS network. Whoever
//! asks, the profile is the public's: small counts stay suppressed.

use std::collections::BTreeMap;

use sinergi_core::institution::{FormationStatus, Grade};
use sinergi_core::{Level, RegionCode, Viewer};
use sinergi_store::{
    AggregateSum, AggregateValue, GradeFilter, LKS_SORTS, LksFilter, NationalValue, Page, Sort,
    SourceType, Store,
};

use crate::ActivityError;

/// Which kind of source a figure comes from. Figures of different kinds measure differently
/// and are never set side by side as the same measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FigureKind {
    Survey,
    Administrative,
    /// Made by Sinergi's synthetic world for the demo.
    Synthetic,
}

impl FigureKind {
    pub fn of(v: &AggregateValue) -> FigureKind {
        if v.is_synthetic() {
            FigureKind::Synthetic
        } else if v.source_type == SourceType::Survey {
            FigureKind::Survey
        } else {
            FigureKind::Administrative
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            FigureKind::Survey => "survey",
            FigureKind::Administrative => "administrative",
            FigureKind::Synthetic => "synthetic",
        }
    }
}

/// One figure over its periods (oldest first), of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub element: String,
    pub kind: FigureKind,
    pub unit: String,
    /// (period, value, source); the first source held for a period.
    pub points: Vec<(String, f64, String)>,
}

/// The LKS registered at or below the region (the public directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LksSummary {
    pub total: u64,
    /// Per grade A, B, C, then not (yet) accredited.
    pub by_grade: Vec<(Option<Grade>, u64)>,
}

/// The LKKS network of the kab/kota at or below the region, against the province's target.
#[derive(Debug, Clone, PartialEq)]
pub struct LkksNetwork {
    pub target_name: String,
    pub target_status: FormationStatus,
    pub kabkota: usize,
    pub reached: usize,
    /// Per status in the order of [`FormationStatus::ALL`], then without an LKKS.
    pub by_status: Vec<(Option<FormationStatus>, usize)>,
}

/// What the profile of a region shows.
#[derive(Debug, Clone)]
pub struct RegionProfile {
    /// Desil I families below the region (latest DTSEN period).
    pub desil1: Option<AggregateSum>,
    /// The region's own figures, every period (none for a desa: its counts are summed above).
    pub figures: Vec<AggregateValue>,
    /// Figures with two periods or more, per element and kind.
    pub trends: Vec<Trend>,
    /// People per PPKS category (`ppks_<slug>` held per kab/kota), latest period.
    pub ppks: Vec<(sinergi_core::Ppks, AggregateSum)>,
    /// PPKS people counted per desa (`jumlah_ppks`), summed.
    pub ppks_desa: Option<AggregateSum>,
    /// Extreme-poverty target desa below the region.
    pub extreme_desa: Option<AggregateSum>,
    pub lks: Option<LksSummary>,
    pub lkks: Option<LkksNetwork>,
    /// Figures for Indonesia as a whole of the elements the region holds (child marriage
    /// beside the national figure), every period.
    pub national: Vec<NationalValue>,
    /// Beneficiaries, program reach and LKS clients by sex, age band and disability.
    pub group_tables: Vec<crate::aggregates::GroupTable>,
}

impl RegionProfile {
    pub fn is_empty(&self) -> bool {
        self.desil1.is_none()
            && self.figures.is_empty()
            && self.ppks.is_empty()
            && self.ppks_desa.is_none()
            && self.extreme_desa.is_none()
            && self.lks.is_none()
            && self.lkks.is_none()
            && self.group_tables.is_empty()
    }

    /// The national figure to set beside `f`: same element, unit, kind and period.
    pub fn national_for(&self, f: &AggregateValue) -> Option<&NationalValue> {
        self.national.iter().find(|n| {
            n.element == f.element
                && n.unit == f.unit
                && n.period == f.period
                && n.source_type == f.source_type
        })
    }
}

/// The profile of `code` as the public sees it.
pub async fn region_profile(
    store: &Store,
    code: &RegionCode,
) -> Result<RegionProfile, ActivityError> {
    let public = store.scoped(Viewer::public());
    let desil1 = public
        .latest_sum_below(Some(code), "keluarga_desil_1", Level::Desa)
        .await?;
    // PPKS counts have their own section; a desa's counts are summed above.
    let figures: Vec<AggregateValue> = if code.level() == Level::Desa {
        Vec::new()
    } else {
        store
            .region_figures(code)
            .await?
            .into_iter()
            .filter(|f| !f.element.starts_with(sinergi_store::PPKS_NEED_PREFIX))
            .collect()
    };
    let trends = trends(&figures);
    let ppks = if code.level() <= Level::KabKota {
        public
            .latest_sums_by_prefix(Some(code), sinergi_store::PPKS_NEED_PREFIX, Level::KabKota)
            .await?
            .into_iter()
            .filter_map(|(element, sum)| {
                let slug = element.strip_prefix(sinergi_store::PPKS_NEED_PREFIX)?;
                Some((sinergi_core::Ppks::from_slug(slug)?, sum))
            })
            .collect()
    } else {
        Vec::new()
    };
    let ppks_desa = public
        .latest_sum_below(Some(code), "jumlah_ppks", Level::Desa)
        .await?;
    let extreme_desa = public
        .latest_sum_below(Some(code), "desa_sasaran_kemiskinan_ekstrem", Level::Desa)
        .await?;
    Ok(RegionProfile {
        desil1,
        trends,
        ppks,
        ppks_desa,
        extreme_desa,
        lks: lks_summary(store, code).await?,
        lkks: lkks_network(store, code).await?,
        national: store
            .national_figures()
            .await?
            .into_iter()
            .filter(|n| figures.iter().any(|f| f.element == n.element))
            .collect(),
        group_tables: crate::aggregates::group_tables(store, Viewer::public(), code).await?,
        figures,
    })
}

/// Series of two periods or more, per element and kind; periods in order.
fn trends(figures: &[AggregateValue]) -> Vec<Trend> {
    let mut series: BTreeMap<(String, FigureKind), Trend> = BTreeMap::new();
    for f in figures {
        let kind = FigureKind::of(f);
        let t = series
            .entry((f.element.clone(), kind))
            .or_insert_with(|| Trend {
                element: f.element.clone(),
                kind,
                unit: f.unit.clone(),
                points: Vec::new(),
            });
        if f.unit == t.unit && !t.points.iter().any(|p| p.0 == f.period) {
            t.points.push((f.period.clone(), f.value, f.source.clone()));
        }
    }
    series
        .into_values()
        .filter(|t| t.points.len() >= 2)
        .map(|mut t| {
            t.points.sort_by(|a, b| a.0.cmp(&b.0));
            t
        })
        .collect()
}

async fn lks_summary(
    store: &Store,
    code: &RegionCode,
) -> Result<Option<LksSummary>, ActivityError> {
    let public = store.scoped(Viewer::public());
    let count = |grade: Option<GradeFilter>| {
        let filter = LksFilter {
            region: Some(code.clone()),
            grade,
            ..LksFilter::default()
        };
        let public = &public;
        async move {
            Ok::<u64, ActivityError>(
                public
                    .lks_list(
                        &filter,
                        Sort::parse(None, &LKS_SORTS),
                        Page::new(None, Some(1), 1),
                    )
                    .await?
                    .total,
            )
        }
    };
    let total = count(None).await?;
    if total == 0 {
        return Ok(None);
    }
    let mut by_grade = Vec::new();
    for g in [Grade::A, Grade::B, Grade::C] {
        by_grade.push((Some(g), count(Some(GradeFilter::Grade(g))).await?));
    }
    by_grade.push((None, count(Some(GradeFilter::None)).await?));
    Ok(Some(LksSummary { total, by_grade }))
}

async fn lkks_network(
    store: &Store,
    code: &RegionCode,
) -> Result<Option<LkksNetwork>, ActivityError> {
    if code.level() > Level::KabKota {
        return Ok(None);
    }
    let public = store.scoped(Viewer::public());
    let targets = public.formation_targets().await?;
    let Some(target) = targets
        .iter()
        .find(|t| RegionCode::parse(&t.province).is_ok_and(|p| &p == code || p.contains(code)))
    else {
        return Ok(None);
    };
    let Some(progress) = public.formation_progress(target.id).await? else {
        return Ok(None);
    };
    let entries: Vec<_> = progress
        .entries
        .iter()
        .filter(|e| &e.region == code || code.contains(&e.region))
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let mut by_status: Vec<(Option<FormationStatus>, usize)> = FormationStatus::ALL
        .iter()
        .map(|s| {
            (
                Some(*s),
                entries.iter().filter(|e| e.status == Some(*s)).count(),
            )
        })
        .collect();
    by_status.push((None, entries.iter().filter(|e| e.status.is_none()).count()));
    Ok(Some(LkksNetwork {
        target_name: target.name.clone(),
        target_status: target.target_status,
        kabkota: entries.len(),
        reached: entries.iter().filter(|e| e.reached).count(),
        by_status,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(
        element: &str,
        period: &str,
        value: f64,
        source: &str,
        st: SourceType,
    ) -> AggregateValue {
        AggregateValue {
            region: RegionCode::parse("52").unwrap(),
            element: element.into(),
            period: period.into(),
            value,
            unit: "persen".into(),
            source: source.into(),
            source_type: st,
            estimated: false,
            note: None,
        }
    }

    #[test]
    fn trends_keep_kinds_apart_and_need_two_periods() {
        let figures = vec![
            figure("stunting", "2023", 24.6, "SKI 2023", SourceType::Survey),
            figure("stunting", "2022", 32.7, "SSGI 2022", SourceType::Survey),
            figure(
                "stunting",
                "2022",
                16.8,
                "e-PPGBM",
                SourceType::Administrative,
            ),
            figure(
                "perkawinan_anak",
                "2025",
                9.1,
                "register sintetis",
                SourceType::Administrative,
            ),
            figure(
                "perkawinan_anak",
                "2024",
                14.96,
                "Susenas 2024",
                SourceType::Survey,
            ),
            figure(
                "perkawinan_anak",
                "2023",
                17.32,
                "Susenas 2023",
                SourceType::Survey,
            ),
        ];
        let t = trends(&figures);
        let shape: Vec<(&str, FigureKind, Vec<&str>)> = t
            .iter()
            .map(|t| {
                (
                    t.element.as_str(),
                    t.kind,
                    t.points.iter().map(|p| p.0.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("perkawinan_anak", FigureKind::Survey, vec!["2023", "2024"]),
                ("stunting", FigureKind::Survey, vec!["2022", "2023"]),
            ]
        );
        assert_eq!(t[1].points[0].1, 32.7);
    }
}
