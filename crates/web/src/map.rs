//! SVG maps drawn on the server, in one place. Regions appear as areas (a choropleth) when a
//! boundary file has been imported, and otherwise as points at their coordinates; either can
//! sit over light background outlines. No script and no tiles from other hosts: every shape
//! carries a `<title>` and, where given, a link.
//!
//! Coordinates are projected equirectangularly with the x axis shrunk by cos(latitude), which
//! is accurate enough across a province or the archipelago, then rounded to whole pixels and
//! thinned so a kecamatan map stays a few tens of kilobytes.

use std::fmt::Write;

use crate::chart::{escape, open_svg};

/// Light → dark, for figures where more means more (need, reach, counts).
pub const SEQUENTIAL: [&str; 5] = ["#fde8c8", "#f9bf7f", "#f08f4a", "#d35d2a", "#9e3412"];
/// For regions without a figure.
pub const NO_DATA: &str = "#e4e4e4";
const OUTLINE: &str = "#ffffff";
const BACKGROUND_FILL: &str = "#f3f3f3";
const BACKGROUND_LINE: &str = "#bbbbbb";

/// Polygons → rings → `[longitude, latitude]`, as in GeoJSON's MultiPolygon.
pub type MultiPolygon = Vec<Vec<Vec<[f64; 2]>>>;

#[derive(Debug, Clone)]
pub enum Geometry {
    Point { lon: f64, lat: f64 },
    Area(MultiPolygon),
}

/// One region (or program location) on the map.
#[derive(Debug, Clone)]
pub struct MapItem {
    pub code: String,
    pub label: String,
    pub geometry: Geometry,
    /// Index into the legend's classes; `None` draws it as "no data".
    pub class: Option<usize>,
    /// For points: the circle's area grows with this figure.
    pub size: Option<f64>,
    /// Extra text for the hover title (the figure, in the user's language).
    pub detail: String,
    pub href: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LegendClass {
    pub label: String,
    pub colour: String,
}

#[derive(Debug, Clone)]
pub struct Map {
    /// Read by screen readers; the page shows its own heading.
    pub title: String,
    pub items: Vec<MapItem>,
    /// Outlines drawn under the items without interaction (e.g. kab/kota under desa points).
    pub background: Vec<MultiPolygon>,
    pub classes: Vec<LegendClass>,
    /// The legend's label for regions without a figure; no entry when empty.
    pub no_data_label: String,
}

const WIDTH: f64 = 640.0;
// Room for the largest point (radius 12) at the edge.
const PAD: f64 = 14.0;
const LEGEND_ROW: f64 = 18.0;

/// Equirectangular projection fitted into the map's box.
struct Projection {
    min_lon: f64,
    max_lat: f64,
    kx: f64,
    scale: f64,
}

impl Projection {
    fn fit(bounds: Bounds, width: f64) -> (Projection, f64) {
        let mid_lat = (bounds.min_lat + bounds.max_lat) / 2.0;
        let kx = mid_lat.to_radians().cos();
        let w = ((bounds.max_lon - bounds.min_lon) * kx).max(1e-6);
        let h = (bounds.max_lat - bounds.min_lat).max(1e-6);
        // Fit the width; keep tall regions from growing past a square-ish box.
        let inner = width - 2.0 * PAD;
        let scale = (inner / w).min(inner * 0.9 / h);
        let height = h * scale + 2.0 * PAD;
        (
            Projection {
                min_lon: bounds.min_lon,
                max_lat: bounds.max_lat,
                kx,
                scale,
            },
            height,
        )
    }

    fn xy_f(&self, [lon, lat]: [f64; 2]) -> (f64, f64) {
        let x = PAD + (lon - self.min_lon) * self.kx * self.scale;
        let y = PAD + (self.max_lat - lat) * self.scale;
        (x, y)
    }

    fn xy(&self, p: [f64; 2]) -> (i32, i32) {
        let (x, y) = self.xy_f(p);
        (x.round() as i32, y.round() as i32)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bounds {
    min_lon: f64,
    max_lon: f64,
    min_lat: f64,
    max_lat: f64,
}

impl Bounds {
    fn empty() -> Bounds {
        Bounds {
            min_lon: f64::INFINITY,
            max_lon: f64::NEG_INFINITY,
            min_lat: f64::INFINITY,
            max_lat: f64::NEG_INFINITY,
        }
    }

    fn add(&mut self, [lon, lat]: [f64; 2]) {
        if lon.is_finite() && lat.is_finite() {
            self.min_lon = self.min_lon.min(lon);
            self.max_lon = self.max_lon.max(lon);
            self.min_lat = self.min_lat.min(lat);
            self.max_lat = self.max_lat.max(lat);
        }
    }

    fn is_empty(&self) -> bool {
        !self.min_lon.is_finite()
    }

    /// A lone point or a line gets some room around it.
    fn padded(mut self) -> Bounds {
        let margin = 0.05;
        if self.max_lon - self.min_lon < margin {
            self.min_lon -= margin;
            self.max_lon += margin;
        }
        if self.max_lat - self.min_lat < margin {
            self.min_lat -= margin;
            self.max_lat += margin;
        }
        self
    }
}

/// How far (in pixels) a simplified outline may stray from the boundary: below what the eye
/// sees at this size, and it keeps a province of kab/kota or a kab/kota of kecamatan light.
const TOLERANCE_PX: f64 = 0.7;

/// Douglas–Peucker on projected points (an open line; both ends kept).
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let ((ax, ay), (bx, by)) = (points[a], points[b]);
        let (dx, dy) = (bx - ax, by - ay);
        let norm = dx.hypot(dy);
        let mut farthest = (0.0, 0);
        for (i, &(px, py)) in points.iter().enumerate().take(b).skip(a + 1) {
            let d = if norm > 0.0 {
                (dy * (px - ax) - dx * (py - ay)).abs() / norm
            } else {
                (px - ax).hypot(py - ay)
            };
            if d > farthest.0 {
                farthest = (d, i);
            }
        }
        if farthest.1 > 0 && farthest.0 > tolerance {
            keep[farthest.1] = true;
            stack.push((a, farthest.1));
            stack.push((farthest.1, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// An SVG path for polygons at this view's scale: outlines simplified to within a pixel,
/// whole pixels, relative moves; rings smaller than two pixels across (specks of islands)
/// and rings that shrink below a triangle are left out.
fn path(projection: &Projection, polygons: &MultiPolygon) -> String {
    let mut d = String::new();
    for ring in polygons.iter().flatten() {
        let projected: Vec<(f64, f64)> = ring.iter().map(|p| projection.xy_f(*p)).collect();
        let (mut min, mut max) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for &(x, y) in &projected {
            min = (min.0.min(x), min.1.min(y));
            max = (max.0.max(x), max.1.max(y));
        }
        if max.0 - min.0 < 2.0 && max.1 - min.1 < 2.0 {
            continue;
        }
        let mut points: Vec<(i32, i32)> = Vec::with_capacity(projected.len() / 4);
        for (x, y) in simplify(&projected, TOLERANCE_PX) {
            let xy = (x.round() as i32, y.round() as i32);
            if points.last() != Some(&xy) {
                points.push(xy);
            }
        }
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        if points.len() < 3 {
            continue;
        }
        let (mut x, mut y) = points[0];
        let _ = write!(d, "M{x} {y}");
        for &(px, py) in &points[1..] {
            let _ = write!(d, "l{} {}", px - x, py - y);
            (x, y) = (px, py);
        }
        d.push('z');
    }
    d
}

/// A region's area when its boundary is held, else its point when it has coordinates.
pub fn geometry(
    areas: &std::collections::HashMap<String, MultiPolygon>,
    code: &str,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Option<Geometry> {
    match areas.get(code) {
        Some(a) => Some(Geometry::Area(a.clone())),
        None => Some(Geometry::Point {
            lon: longitude?,
            lat: latitude?,
        }),
    }
}

/// The boundaries held for these regions (any level), fetched a province and level at a time.
pub async fn areas_of(
    store: &sinergi_store::Store,
    codes: &[sinergi_core::RegionCode],
) -> Result<std::collections::HashMap<String, MultiPolygon>, sinergi_store::StoreError> {
    let mut groups: Vec<(sinergi_core::RegionCode, sinergi_core::Level)> =
        codes.iter().map(|c| (c.province(), c.level())).collect();
    groups.sort();
    groups.dedup();
    let wanted: std::collections::HashSet<&str> = codes.iter().map(|c| c.as_str()).collect();
    let mut out = std::collections::HashMap::new();
    for (province, level) in groups {
        for (code, polygons) in areas(store, Some(&province), level).await? {
            if wanted.contains(code.as_str()) {
                out.insert(code, polygons);
            }
        }
    }
    Ok(out)
}

/// The boundaries held for the regions at `level` in `within`, by dotted code, for drawing
/// areas instead of points (embedded on first start; `sinergi geo import` replaces them).
pub async fn areas(
    store: &sinergi_store::Store,
    within: Option<&sinergi_core::RegionCode>,
    level: sinergi_core::Level,
) -> Result<std::collections::HashMap<String, MultiPolygon>, sinergi_store::StoreError> {
    Ok(store
        .boundaries(within, level)
        .await?
        .into_iter()
        .map(|b| (b.code.to_string(), b.polygons))
        .collect())
}

impl Map {
    pub fn render(&self) -> String {
        let mut bounds = Bounds::empty();
        for item in &self.items {
            match &item.geometry {
                Geometry::Point { lon, lat } => bounds.add([*lon, *lat]),
                Geometry::Area(polygons) => polygons
                    .iter()
                    .flatten()
                    .flatten()
                    .for_each(|p| bounds.add(*p)),
            }
        }
        // The background (the outline the points sit in) is part of the view.
        for polygons in &self.background {
            polygons
                .iter()
                .flatten()
                .flatten()
                .for_each(|p| bounds.add(*p));
        }
        if bounds.is_empty() {
            bounds = Bounds {
                min_lon: 0.0,
                max_lon: 1.0,
                min_lat: 0.0,
                max_lat: 1.0,
            };
        }
        let (projection, map_height) = Projection::fit(bounds.padded(), WIDTH);
        // A class without a label (one class for everything) needs no legend row.
        let legend_rows = self.classes.iter().filter(|c| !c.label.is_empty()).count()
            + usize::from(!self.no_data_label.is_empty());
        let height = map_height + LEGEND_ROW * legend_rows as f64 + 6.0;
        let mut svg = open_svg(WIDTH, height, &self.title);
        let _ = write!(
            svg,
            r#"<defs><clipPath id="mapclip"><rect width="{WIDTH}" height="{map_height:.0}"/></clipPath></defs><g clip-path="url(#mapclip)">"#
        );
        for polygons in &self.background {
            let d = path(&projection, polygons);
            if !d.is_empty() {
                let _ = write!(
                    svg,
                    r#"<path d="{d}" fill="{BACKGROUND_FILL}" stroke="{BACKGROUND_LINE}" stroke-width="0.6"/>"#
                );
            }
        }
        let max_size = self
            .items
            .iter()
            .filter_map(|i| i.size)
            .fold(0.0_f64, f64::max);
        // Areas first, then points on top of them.
        let mut ordered: Vec<&MapItem> = self.items.iter().collect();
        ordered.sort_by_key(|i| matches!(i.geometry, Geometry::Point { .. }));
        let mut in_points = false;
        for item in ordered {
            // Points share their outline in one group, which keeps big maps small.
            if matches!(item.geometry, Geometry::Point { .. }) && !in_points {
                svg.push_str(r##"<g stroke="#333" stroke-width="0.5" fill-opacity="0.85">"##);
                in_points = true;
            }
            let fill = item
                .class
                .and_then(|c| self.classes.get(c))
                .map_or(NO_DATA, |c| c.colour.as_str());
            let title = if item.detail.is_empty() {
                escape(&item.label)
            } else {
                format!("{}: {}", escape(&item.label), escape(&item.detail))
            };
            if let Some(href) = &item.href {
                let _ = write!(svg, r#"<a href="{}">"#, escape(href));
            }
            match &item.geometry {
                Geometry::Area(polygons) => {
                    let d = path(&projection, polygons);
                    if d.is_empty() {
                        // Too small to draw at this scale: a dot keeps it visible and hoverable.
                        let first = polygons.iter().flatten().flatten().next();
                        if let Some(p) = first {
                            let (x, y) = projection.xy(*p);
                            let _ = write!(
                                svg,
                                r#"<circle cx="{x}" cy="{y}" r="2" fill="{fill}"><title>{title}</title></circle>"#
                            );
                        }
                    } else {
                        let _ = write!(
                            svg,
                            r#"<path d="{d}" fill="{fill}" stroke="{OUTLINE}" stroke-width="0.8"><title>{title}</title></path>"#
                        );
                    }
                }
                Geometry::Point { lon, lat } => {
                    let (x, y) = projection.xy([*lon, *lat]);
                    let r = match item.size {
                        Some(s) if max_size > 0.0 => 2.5 + 9.5 * (s.max(0.0) / max_size).sqrt(),
                        _ => 3.5,
                    };
                    let _ = write!(
                        svg,
                        r#"<circle cx="{x}" cy="{y}" r="{r:.1}" fill="{fill}"><title>{title}</title></circle>"#
                    );
                }
            }
            if item.href.is_some() {
                svg.push_str("</a>");
            }
        }
        if in_points {
            svg.push_str("</g>");
        }
        svg.push_str("</g>");
        let mut legend: Vec<(&str, &str)> = self
            .classes
            .iter()
            .filter(|c| !c.label.is_empty())
            .map(|c| (c.label.as_str(), c.colour.as_str()))
            .collect();
        if !self.no_data_label.is_empty() {
            legend.push((self.no_data_label.as_str(), NO_DATA));
        }
        for (k, (label, colour)) in legend.iter().enumerate() {
            let y = map_height + 4.0 + LEGEND_ROW * k as f64;
            let _ = write!(
                svg,
                r##"<rect x="{PAD}" y="{y:.0}" width="14" height="12" fill="{colour}" stroke="#999" stroke-width="0.5"/><text x="{tx}" y="{ty:.0}">{label}</text>"##,
                tx = PAD + 20.0,
                ty = y + 10.0,
                label = escape(label),
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// Class limits that put about the same number of regions in each class (quantiles), for a
/// legend of `classes` entries. Returns the `classes − 1` inner limits, ascending, without
/// repeats (few distinct values give fewer classes).
pub fn quantile_breaks(values: &[f64], classes: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() || classes < 2 {
        return Vec::new();
    }
    sorted.sort_by(f64::total_cmp);
    let mut breaks: Vec<f64> = (1..classes)
        .map(|k| sorted[(k * sorted.len() / classes).min(sorted.len() - 1)])
        .collect();
    breaks.dedup();
    // A limit equal to the minimum would leave the first class empty.
    breaks.retain(|b| *b > sorted[0]);
    breaks
}

/// The class of `value` given ascending inner limits: values below the first limit are class
/// 0, values at or above the last are class `breaks.len()`.
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|b| value >= **b).count()
}

/// Legend entries for limits: "< a", "a – b", …, "≥ z", coloured from `palette` (spread over
/// it when there are fewer classes than colours).
pub fn legend_for_breaks(
    breaks: &[f64],
    palette: &[&str],
    format: impl Fn(f64) -> String,
) -> Vec<LegendClass> {
    let classes = breaks.len() + 1;
    let colour = |k: usize| {
        let idx = if classes <= 1 {
            palette.len() - 1
        } else {
            k * (palette.len() - 1) / (classes - 1)
        };
        palette[idx].to_string()
    };
    if breaks.is_empty() {
        return vec![LegendClass {
            label: String::new(),
            colour: colour(0),
        }];
    }
    (0..classes)
        .map(|k| {
            let label = if k == 0 {
                format!("< {}", format(breaks[0]))
            } else if k == breaks.len() {
                format!("≥ {}", format(breaks[k - 1]))
            } else {
                format!("{} – < {}", format(breaks[k - 1]), format(breaks[k]))
            };
            LegendClass {
                label,
                colour: colour(k),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, size: f64) -> MultiPolygon {
        vec![vec![vec![
            [lon, lat],
            [lon + size, lat],
            [lon + size, lat + size],
            [lon, lat + size],
            [lon, lat],
        ]]]
    }

    fn item(code: &str, geometry: Geometry, class: Option<usize>) -> MapItem {
        MapItem {
            code: code.into(),
            label: format!("Wilayah {code}"),
            geometry,
            class,
            size: None,
            detail: String::new(),
            href: Some(format!("/wilayah/{code}")),
        }
    }

    #[test]
    fn areas_fill_by_class_and_link() {
        let map = Map {
            title: "Keluarga Desil I".into(),
            items: vec![
                item("52.01", Geometry::Area(square(116.0, -8.8, 0.2)), Some(0)),
                item("52.02", Geometry::Area(square(116.2, -8.8, 0.2)), Some(1)),
                item("52.03", Geometry::Area(square(116.4, -8.8, 0.2)), None),
            ],
            background: vec![],
            classes: vec![
                LegendClass {
                    label: "< 10".into(),
                    colour: SEQUENTIAL[0].into(),
                },
                LegendClass {
                    label: "≥ 10".into(),
                    colour: SEQUENTIAL[4].into(),
                },
            ],
            no_data_label: "Tidak ada data".into(),
        };
        let svg = map.render();
        assert_eq!(svg.matches("<path").count(), 3);
        assert!(svg.contains(&format!(r#"fill="{}""#, SEQUENTIAL[4])));
        assert!(svg.contains(&format!(r#"fill="{NO_DATA}""#)));
        assert!(svg.contains(r#"<a href="/wilayah/52.02">"#));
        assert!(svg.contains("Tidak ada data"));
        // Three squares side by side fill the width: the last one ends at the right pad.
        assert!(svg.contains("M14 "), "{svg}");
        // The legend sits below the clipped map area, never over it.
        let clip_height: f64 = svg
            .split(r#"<clipPath id="mapclip"><rect width="640" height=""#)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        let legend_ys: Vec<f64> = svg
            .split(r#"<rect x="14" y=""#)
            .skip(1)
            .map(|r| r.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(legend_ys.len(), 3, "two classes and no data");
        assert!(legend_ys.iter().all(|y| *y >= clip_height), "{svg}");
    }

    #[test]
    fn points_scale_by_size_and_sit_over_the_background() {
        let mut small = item(
            "a",
            Geometry::Point {
                lon: 116.1,
                lat: -8.6,
            },
            Some(0),
        );
        small.size = Some(0.0);
        let mut big = item(
            "b",
            Geometry::Point {
                lon: 116.3,
                lat: -8.7,
            },
            Some(0),
        );
        big.size = Some(100.0);
        big.detail = "3 program & 2 mitra".into();
        let map = Map {
            title: "Program".into(),
            items: vec![small, big],
            background: vec![square(116.0, -8.9, 0.5)],
            classes: vec![LegendClass {
                label: "Program".into(),
                colour: SEQUENTIAL[2].into(),
            }],
            no_data_label: String::new(),
        };
        let svg = map.render();
        assert!(
            svg.contains(r#"r="12.0""#),
            "largest point gets the full radius"
        );
        assert!(
            svg.contains(r#"r="2.5""#),
            "the smallest keeps a visible radius"
        );
        assert!(svg.contains("3 program &amp; 2 mitra"));
        assert!(svg.find(BACKGROUND_FILL) < svg.find("<circle"));
    }

    #[test]
    fn paths_are_thinned_to_whole_pixels() {
        // 1,000 points along one 10-pixel edge collapse to its two ends.
        let mut ring: Vec<[f64; 2]> = (0..1000).map(|i| [i as f64 * 1e-5, 0.0]).collect();
        ring.extend([[0.01, 0.01], [0.0, 0.01], [0.0, 0.0]]);
        let projection = Projection {
            min_lon: 0.0,
            max_lat: 0.01,
            kx: 1.0,
            scale: 1000.0,
        };
        let d = path(&projection, &vec![vec![ring]]);
        assert!(d.len() < 40, "{d}");
        assert!(d.starts_with("M14 24") && d.ends_with('z'), "{d}");
    }

    #[test]
    fn outlines_are_simplified_to_the_view_and_specks_dropped() {
        // A wiggly coast (10,000 points within a pixel of a straight line) and a speck of
        // an island: the coast keeps its corners only, the speck goes.
        let mut coast: Vec<[f64; 2]> = (0..10_000)
            .map(|i| [i as f64 * 1e-4, if i % 2 == 0 { 0.0 } else { 1e-4 }])
            .collect();
        coast.extend([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]);
        let speck = vec![[0.5, 0.5], [0.5001, 0.5], [0.5001, 0.5001], [0.5, 0.5]];
        let projection = Projection {
            min_lon: 0.0,
            max_lat: 1.0,
            kx: 1.0,
            scale: 600.0,
        };
        let d = path(&projection, &vec![vec![coast], vec![speck]]);
        assert_eq!(d.matches('M').count(), 1, "the speck is dropped: {d}");
        assert!(d.matches('l').count() <= 4, "{d}");
    }

    #[test]
    fn quantile_classes() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let breaks = quantile_breaks(&values, 4);
        assert_eq!(breaks, vec![26.0, 51.0, 76.0]);
        assert_eq!(class_of(1.0, &breaks), 0);
        assert_eq!(class_of(26.0, &breaks), 1);
        assert_eq!(class_of(100.0, &breaks), 3);
        assert_eq!(quantile_breaks(&[5.0, 5.0, 5.0], 4), Vec::<f64>::new());
        let legend = legend_for_breaks(&breaks, &SEQUENTIAL, |v| format!("{v}"));
        assert_eq!(legend.len(), 4);
        assert_eq!(legend[0].label, "< 26");
        assert_eq!(legend[3].label, "≥ 76");
        assert_eq!(legend[0].colour, SEQUENTIAL[0]);
        assert_eq!(legend[3].colour, SEQUENTIAL[4]);
    }
}
