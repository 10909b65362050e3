//! The overlap and gap analysis page. What it shows is assembled by the `analyse_fourw` use
//! case (a partner's own view included); this file only formats it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use sinergi_activity::programs::{FourWAnalysis, SHOWN, analyse_fourw};
use sinergi_core::Level;
use sinergi_core::program::DesaNeed;

use super::{FilterQuery, render, sector_key};
use crate::auth::Signed;
use crate::i18n::Messages;
use crate::map::{Geometry, Map, MapItem, SEQUENTIAL};
use crate::{AppState, Ui};

pub struct OverlapView {
    pub code: String,
    pub name: String,
    pub score: String,
    pub partners: Vec<String>,
    pub programs: Vec<(i64, String)>,
}

pub struct IntroView {
    pub a: String,
    pub b: String,
    pub sector: &'static str,
    pub desa: u32,
    pub score: String,
}

pub struct GapView {
    pub code: String,
    pub name: String,
    pub desil1: u64,
    pub share: String,
    pub extreme: bool,
    pub ppks: u64,
}

pub struct KabView {
    pub code: String,
    pub name: String,
    pub desil1: u64,
    pub planned: u64,
    pub ratio: String,
    pub need: u32,
    pub reached: u32,
}

#[derive(Template)]
#[template(path = "fourw_analysis.html")]
struct AnalysisPage {
    ui: Ui,
    t: Messages,
    region: String,
    overlaps: Vec<OverlapView>,
    overlap_total: usize,
    intros: Vec<IntroView>,
    gaps: Vec<GapView>,
    gap_total: usize,
    kabkota: Vec<KabView>,
    desa_in_need: u32,
    desa_reached: u32,
    desa_total: usize,
    share_threshold: String,
    gaps_map: Option<String>,
    /// LKS capacity against the vulnerable population per region, lowest coverage first
    /// (from the LKS registry's `lks_capacity_by_region`).
    lks_capacity: Vec<CapacityView>,
    /// A partner's own view: overlaps of its programs only, no gaps.
    partner_view: bool,
    /// Which import fills the need columns no desa holds.
    fill_notes: Vec<String>,
}

/// One region's LKS capacity beside the vulnerable population it could serve.
struct CapacityView {
    code: String,
    name: String,
    capacity: u64,
    need: String,
    coverage: String,
}

pub(super) async fn analysis_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<FilterQuery>,
) -> Response {
    let result = async {
        let filter = q.filter()?;
        let a = analyse_fourw(&state.store, &user.viewer, &filter).await?;
        // The desa points sit inside the kab/kota outlines of the region analysed.
        let outlines = match &a.within {
            Some(w) if !a.partner_view => crate::map::areas(&state.store, Some(w), Level::KabKota)
                .await?
                .into_values()
                .collect(),
            _ => Vec::new(),
        };
        Ok(page(&ui, &a, outlines))
    }
    .await;
    render(&ui, result)
}

fn page(ui: &Ui, a: &FourWAnalysis, outlines: Vec<crate::map::MultiPolygon>) -> AnalysisPage {
    let t = &ui.t;
    let x = &a.analysis;
    let overlaps = x
        .overlaps
        .iter()
        .take(SHOWN)
        .map(|o| OverlapView {
            code: o.code.clone(),
            name: a.places.label(&o.code),
            score: t.decimal(&o.score),
            partners: o.partners.iter().map(|p| a.organisation(p)).collect(),
            programs: a.named_programs(o),
        })
        .collect();
    let intros = x
        .introductions
        .iter()
        .take(SHOWN)
        .map(|i| IntroView {
            a: a.organisation(&i.a),
            b: a.organisation(&i.b),
            sector: sector_key(i.sector),
            desa: i.desa,
            score: t.decimal(&i.score),
        })
        .collect();
    let gaps = x
        .gaps
        .iter()
        .take(SHOWN)
        .map(|g| GapView {
            code: g.code.clone(),
            name: a.places.label(&g.code),
            desil1: g.desil1.round() as u64,
            share: format!("{} %", t.decimal(&(f64::from(g.share) * 100.0))),
            extreme: g.extreme_target,
            ppks: g.ppks.round() as u64,
        })
        .collect();
    let kabkota = x
        .kabkota
        .iter()
        .map(|k| KabView {
            code: k.code.clone(),
            name: a.places.name(&k.code),
            desil1: k.desil1.round() as u64,
            planned: k.planned,
            ratio: k.need_per_reach.map_or_else(
                || t.get("program.nothing_planned").to_string(),
                |r| t.decimal(&r),
            ),
            need: k.desa_in_need,
            reached: k.desa_in_need_reached,
        })
        .collect();
    AnalysisPage {
        region: a.within.as_ref().map(|w| w.to_string()).unwrap_or_default(),
        overlap_total: x.overlaps.len(),
        overlaps,
        intros,
        gap_total: x.gaps.len(),
        gaps,
        kabkota,
        desa_in_need: x.desa_in_need,
        desa_reached: x.desa_reached,
        desa_total: a.desa_total,
        share_threshold: if a.partner_view {
            String::new()
        } else {
            format!(
                "{} %",
                t.decimal(&(f64::from(a.rules.desil1_share) * 100.0))
            )
        },
        gaps_map: if a.partner_view {
            None
        } else {
            gaps_map(t, a, &x.gaps, outlines)
        },
        lks_capacity: a
            .capacity
            .iter()
            .map(|c| CapacityView {
                code: c.code.clone(),
                name: c.name.clone(),
                capacity: c.capacity,
                need: c.need.map(|n| t.decimal(&n)).unwrap_or_default(),
                coverage: c.coverage.map(|c| t.decimal(&c)).unwrap_or_default(),
            })
            .collect(),
        partner_view: a.partner_view,
        fill_notes: a
            .missing_need
            .iter()
            .map(|e| {
                let column = match *e {
                    "jumlah_ppks" => t.get("program.ppks_count"),
                    _ => t.get("program.gap_extreme"),
                };
                crate::pages::fill_note(t, column, e, "level.desa")
            })
            .collect(),
        t: ui.t,
        ui: ui.clone(),
    }
}

/// Unreached desa in need as points (extreme-poverty targets darkest), over nothing else.
fn gaps_map(
    t: &Messages,
    a: &FourWAnalysis,
    gaps: &[sinergi_insight::DesaGap],
    outlines: Vec<crate::map::MultiPolygon>,
) -> Option<String> {
    let at: HashMap<&str, &DesaNeed> = a.need.iter().map(|d| (d.code.as_str(), d)).collect();
    let items: Vec<MapItem> = gaps
        .iter()
        .take(500)
        .filter_map(|g| {
            let d = at.get(g.code.as_str())?;
            Some(MapItem {
                code: g.code.clone(),
                label: a.places.label(&g.code),
                geometry: Geometry::Point {
                    lon: d.longitude?,
                    lat: d.latitude?,
                },
                class: Some(usize::from(g.extreme_target)),
                size: Some(f64::from(g.desil1.max(1.0))),
                detail: format!(
                    "{} {}",
                    t.num(&(g.desil1.round() as u64)),
                    t.get("program.desil1_families")
                ),
                href: None,
            })
        })
        .collect();
    if items.len() < 2 {
        return None;
    }
    Some(
        Map {
            title: t.get("program.gaps_map").to_string(),
            items,
            background: outlines,
            classes: vec![
                crate::map::LegendClass {
                    label: t.get("program.gap_need").to_string(),
                    colour: SEQUENTIAL[2].to_string(),
                },
                crate::map::LegendClass {
                    label: t.get("program.gap_extreme").to_string(),
                    colour: SEQUENTIAL[4].to_string(),
                },
            ],
            no_data_label: String::new(),
        }
        .render(),
    )
}
