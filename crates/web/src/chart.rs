//! SVG charts drawn on the server, in one place: horizontal bars (budget by sector or source,
//! counts by category) and lines over periods (baseline → targets against realisation).
//! No script: every mark carries a `<title>`, so hovering shows its figure, and pages keep the
//! same numbers in a table for readers who can't see the chart.

use std::fmt::Write;

use crate::i18n::{Lang, Messages};

/// Colours for series and categories, distinguishable for the common colour-vision deficiencies.
pub const PALETTE: [&str; 8] = [
    "#1f6f8b", "#e07a1f", "#3a8d3a", "#b23a48", "#6a4c93", "#8c6d1f", "#2d7dd2", "#666666",
];

/// How figures on a chart are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// Plain figures: 233.849 / 12,91.
    Number,
    /// Percentages: 12,91 %.
    Percent,
    /// Rupiah, compact: Rp 1,2 M (miliar) / Rp 1.2 bn.
    Rupiah,
}

impl ValueFormat {
    pub fn format(self, t: &Messages, v: f64) -> String {
        match self {
            ValueFormat::Number => t.decimal(&v),
            ValueFormat::Percent => format!("{} %", t.decimal(&v)),
            ValueFormat::Rupiah => rupiah_compact(t, v),
        }
    }
}

/// Rupiah in the units budgets are read in: ribu, juta, miliar, triliun.
pub fn rupiah_compact(t: &Messages, v: f64) -> String {
    let units: [(f64, &str, &str); 4] = [
        (1e12, "T", "tn"),
        (1e9, "M", "bn"),
        (1e6, "jt", "m"),
        (1e3, "rb", "k"),
    ];
    for (scale, id, en) in units {
        if v.abs() >= scale {
            let unit = if t.lang == Lang::Id { id } else { en };
            let rounded = (v / scale * 10.0).round() / 10.0;
            return format!("Rp {} {unit}", t.decimal(&rounded));
        }
    }
    format!("Rp {}", t.decimal(&v.round()))
}

/// Escapes text for SVG/HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts a label to `max` characters with an ellipsis (the full text stays in the `<title>`).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// One bar: a category and its figure.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Defaults to the first palette colour.
    pub colour: Option<String>,
    /// Where a click on the bar leads (e.g. the list filtered to that category).
    pub href: Option<String>,
}

/// Horizontal bars, largest figure = full width. Long category names fit because the names
/// sit in their own column.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Read by screen readers (`aria-label`); the page shows its own heading.
    pub title: String,
    pub bars: Vec<Bar>,
    pub format: ValueFormat,
}

const WIDTH: f64 = 640.0;

impl BarChart {
    pub fn render(&self, t: &Messages) -> String {
        const ROW: f64 = 22.0;
        const LABEL_W: f64 = 200.0;
        const VALUE_W: f64 = 96.0;
        let height = (self.bars.len() as f64 * ROW + 8.0).max(ROW);
        let max = self
            .bars
            .iter()
            .map(|b| b.value)
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE);
        let span = WIDTH - LABEL_W - VALUE_W;
        let mut svg = open_svg(WIDTH, height, &self.title);
        for (i, bar) in self.bars.iter().enumerate() {
            let y = 4.0 + i as f64 * ROW;
            let w = (bar.value.max(0.0) / max * span).max(if bar.value > 0.0 { 1.0 } else { 0.0 });
            let colour = bar.colour.as_deref().unwrap_or(PALETTE[0]);
            let figure = self.format.format(t, bar.value);
            if let Some(href) = &bar.href {
                let _ = write!(svg, r#"<a href="{}">"#, escape(href));
            }
            let _ = write!(
                svg,
                r#"<g><title>{label}: {figure}</title><text x="{lx}" y="{ty}" text-anchor="end">{short}</text><rect x="{bx}" y="{ry}" width="{w:.1}" height="{h}" fill="{colour}"/><text x="{vx:.1}" y="{ty}">{figure}</text></g>"#,
                label = escape(&bar.label),
                short = escape(&clip(&bar.label, 30)),
                lx = LABEL_W - 6.0,
                ty = y + 14.0,
                bx = LABEL_W,
                ry = y + 3.0,
                h = ROW - 6.0,
                vx = LABEL_W + w + 4.0,
                figure = escape(&figure),
            );
            if bar.href.is_some() {
                svg.push_str("</a>");
            }
        }
        svg.push_str("</svg>");
        svg
    }
}

/// One line: a value per x position; `None` leaves a gap.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub colour: String,
    /// Dashed for what is planned (targets), solid for what happened (realisation).
    pub dashed: bool,
}

/// Lines over ordered periods with a legend under the plot.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub format: ValueFormat,
    /// Start the value axis at zero (counts, percentages) rather than at the data's minimum.
    pub from_zero: bool,
}

impl LineChart {
    pub fn render(&self, t: &Messages) -> String {
        const PLOT_H: f64 = 220.0;
        const LEFT: f64 = 64.0;
        const RIGHT: f64 = 16.0;
        const TOP: f64 = 10.0;
        const LEGEND_ROW: f64 = 18.0;
        let values: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .filter(|v| v.is_finite())
            .collect();
        let (mut lo, mut hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        if values.is_empty() {
            (lo, hi) = (0.0, 1.0);
        }
        if self.from_zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        let ticks = nice_ticks(lo, hi, 5);
        let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
        let plot_bottom = TOP + PLOT_H;
        let height = plot_bottom + 24.0 + LEGEND_ROW * self.series.len() as f64 + 4.0;
        let n = self.x_labels.len().max(1);
        let step = (WIDTH - LEFT - RIGHT) / n as f64;
        let x_at = |i: usize| LEFT + step * (i as f64 + 0.5);
        let y_at = |v: f64| plot_bottom - (v - lo) / (hi - lo) * PLOT_H;
        let mut svg = open_svg(WIDTH, height, &self.title);
        // Grid and value axis.
        for tick in &ticks {
            let y = y_at(*tick);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"##,
                x2 = WIDTH - RIGHT,
                tx = LEFT - 4.0,
                ty = y + 4.0,
                label = escape(&self.format.format(t, *tick)),
            );
        }
        // Period axis: every label when they fit, otherwise every k-th.
        let every = (n as f64 * 7.0 * 6.5 / (WIDTH - LEFT - RIGHT))
            .ceil()
            .max(1.0) as usize;
        for (i, label) in self.x_labels.iter().enumerate() {
            if i % every == 0 {
                let _ = write!(
                    svg,
                    r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{label}</text>"#,
                    x = x_at(i),
                    y = plot_bottom + 16.0,
                    label = escape(label),
                );
            }
        }
        for s in &self.series {
            let dash = if s.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            // A gap (None) starts a new segment.
            let mut d = String::new();
            let mut pen_down = false;
            for (i, v) in s.values.iter().enumerate() {
                match v.filter(|v| v.is_finite()) {
                    Some(v) => {
                        let _ = write!(
                            d,
                            "{}{:.1} {:.1}",
                            if pen_down { "L" } else { "M" },
                            x_at(i),
                            y_at(v)
                        );
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            if !d.is_empty() {
                let _ = write!(
                    svg,
                    r#"<path d="{d}" fill="none" stroke="{c}" stroke-width="2"{dash}/>"#,
                    c = s.colour
                );
            }
            for (i, v) in s.values.iter().enumerate() {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    let _ = write!(
                        svg,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{c}"><title>{name}, {period}: {figure}</title></circle>"#,
                        x = x_at(i),
                        y = y_at(v),
                        c = s.colour,
                        name = escape(&s.name),
                        period = escape(self.x_labels.get(i).map_or("", String::as_str)),
                        figure = escape(&self.format.format(t, v)),
                    );
                }
            }
        }
        for (k, s) in self.series.iter().enumerate() {
            let y = plot_bottom + 28.0 + LEGEND_ROW * k as f64;
            let dash = if s.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let _ = write!(
                svg,
                r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="{c}" stroke-width="2"{dash}/><text x="{tx}" y="{ty:.1}">{name}</text>"#,
                x2 = LEFT + 24.0,
                c = s.colour,
                tx = LEFT + 30.0,
                ty = y + 4.0,
                name = escape(&s.name),
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// The opening tag every chart and map shares: scalable, labelled for screen readers, in the
/// page's font. Inline in HTML, so no `xmlns` (pages refer to no other host).
pub(crate) fn open_svg(width: f64, height: f64, title: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {width:.0} {height:.0}" class="chart" role="img" aria-label="{t}" font-size="12">"#,
        t = escape(title)
    )
}

/// Round axis ticks (steps of 1, 2 or 5 × 10ⁿ) covering `lo..=hi`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi - lo < 1e-12 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    // Snap away floating-point dust (0.6000000000000001) at the step's decimals.
    let decimals = (-step.log10().floor()).max(0.0) as i32;
    let unit = 10f64.powi(decimals);
    let snap = |v: f64| (v * unit).round() / unit;
    let first = (lo / step).floor() as i64;
    let last = ((hi / step).ceil() as i64).max(first + 1);
    (first..=last.min(first + 50))
        .map(|k| snap(k as f64 * step))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Messages {
        Messages::new(Lang::Id)
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 14.96, 5), vec![0.0, 5.0, 10.0, 15.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(233_849.0, 233_849.0, 5);
        assert!(t.first().unwrap() <= &233_849.0 && t.last().unwrap() >= &233_849.0);
    }

    #[test]
    fn rupiah_reads_in_budget_units() {
        assert_eq!(rupiah_compact(&id(), 1_250_000_000.0), "Rp 1,3 M");
        assert_eq!(rupiah_compact(&id(), 750_000.0), "Rp 750 rb");
        assert_eq!(
            rupiah_compact(&Messages::new(Lang::En), 2_000_000.0),
            "Rp 2 m"
        );
    }

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let chart = BarChart {
            title: "Anggaran <per> sektor".into(),
            bars: vec![
                Bar {
                    label: "Pendidikan & beasiswa".into(),
                    value: 200.0,
                    colour: None,
                    href: Some("/program?sektor=pendidikan".into()),
                },
                Bar {
                    label: "Kesehatan".into(),
                    value: 100.0,
                    colour: None,
                    href: None,
                },
            ],
            format: ValueFormat::Number,
        };
        let svg = chart.render(&id());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Anggaran &lt;per&gt; sektor"));
        assert!(svg.contains("Pendidikan &amp; beasiswa"));
        assert!(svg.contains(r#"<a href="/program?sektor=pendidikan">"#));
        // 640 − 200 − 96 = 344 px for the largest bar, half of it for the other.
        assert!(svg.contains(r#"width="344.0""#) && svg.contains(r#"width="172.0""#));
    }

    #[test]
    fn lines_break_at_gaps_and_dash_targets() {
        let chart = LineChart {
            title: "Perkawinan anak".into(),
            x_labels: ["2024", "2025", "2026", "2027"].map(String::from).to_vec(),
            series: vec![
                Series {
                    name: "Target".into(),
                    values: vec![Some(14.96), Some(14.5), Some(14.0), Some(13.5)],
                    colour: PALETTE[1].into(),
                    dashed: true,
                },
                Series {
                    name: "Realisasi".into(),
                    values: vec![Some(14.96), None, Some(14.2), None],
                    colour: PALETTE[0].into(),
                    dashed: false,
                },
            ],
            format: ValueFormat::Percent,
            from_zero: true,
        };
        let svg = chart.render(&id());
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "line + legend");
        // The realisation has two separate pieces: two moves, no line between them.
        let real = svg
            .split("<path d=\"")
            .nth(2)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(real.matches('M').count(), 2, "{real}");
        assert!(!real.contains('L'));
        assert!(svg.contains("Realisasi, 2026: 14,2 %"));
        assert_eq!(svg.matches("<circle").count(), 6);
    }
}
