//! Region boundaries as plain data: polygons of rings of `[longitude, latitude]`, keyed by
//! Kemendagri code. Read by intake (GeoJSON, TopoJSON), kept by the store, drawn by the web.

use serde::{Deserialize, Serialize};

use crate::region::RegionCode;

/// A closed ring of `[lng, lat]` points.
pub type Ring = Vec<[f64; 2]>;
/// An outer ring followed by its holes.
pub type Polygon = Vec<Ring>;

/// The outline of one region (one or more polygons: islands).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub code: RegionCode,
    pub polygons: Vec<Polygon>,
}

impl Boundary {
    /// `[min_lng, min_lat, max_lng, max_lat]`, or None without points.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let mut points = self.polygons.iter().flatten().flatten();
        let first = points.next()?;
        Some(
            points.fold([first[0], first[1], first[0], first[1]], |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            }),
        )
    }

    pub fn point_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_spans_every_polygon() {
        let b = Boundary {
            code: RegionCode::parse("52.01").unwrap(),
            polygons: vec![
                vec![vec![
                    [116.0, -8.0],
                    [116.5, -8.0],
                    [116.0, -8.5],
                    [116.0, -8.0],
                ]],
                vec![vec![
                    [117.0, -9.0],
                    [117.1, -9.0],
                    [117.0, -9.1],
                    [117.0, -9.0],
                ]],
            ],
        };
        assert_eq!(b.bbox(), Some([116.0, -9.1, 117.1, -8.0]));
        assert_eq!(b.point_count(), 8);
    }
}
