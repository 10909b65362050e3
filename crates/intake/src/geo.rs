//! Boundary files: GeoJSON (FeatureCollection of Polygon/MultiPolygon) or TopoJSON
//! (quantised or not), keyed by the Kemendagri code in a feature property (`kode`,
//! `kode_wilayah`, `kode_nodot`, `code`, `id`) or the feature's `id`. TopoJSON arcs are decoded
//! here (a few dozen lines), which avoids a geometry crate in the build.

use serde_json::Value;
use sinergi_core::geo::{Boundary, Polygon, Ring};
use sinergi_core::{Localized, Msg, RegionCode};
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum GeoError {
    #[error("berkas batas wilayah bukan JSON yang sah: {0}")]
    Json(String),
    #[error(
        "berkas bukan GeoJSON (FeatureCollection) atau TopoJSON (Topology): \"type\" berisi {0}"
    )]
    UnknownType(String),
    #[error("{} fitur ditolak:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Features(Vec<Msg>),
    #[error("berkas tidak berisi satu pun poligon wilayah")]
    Empty,
}

impl Localized for GeoError {
    fn msg(&self) -> Msg {
        match self {
            GeoError::Json(detail) => Msg::new("intake.geo_json").arg("detail", detail),
            GeoError::UnknownType(value) => Msg::new("intake.geo_unknown_type").arg("value", value),
            GeoError::Features(features) => Msg::new("intake.geo_features")
                .arg("n", features.len())
                .arg_list("features", features.clone()),
            GeoError::Empty => Msg::new("intake.geo_empty"),
        }
    }
}

const CODE_KEYS: [&str; 6] = [
    "kode",
    "kode_wilayah",
    "kode_nodot",
    "code",
    "kd_wilayah",
    "id",
];

fn code_of(feature: &Value) -> Result<RegionCode, Msg> {
    let props = feature.get("properties");
    let raw = CODE_KEYS
        .iter()
        .find_map(|k| props.and_then(|p| p.get(*k)))
        .or_else(|| feature.get("id"))
        .ok_or_else(|| Msg::new("intake.geo_no_code").arg("keys", CODE_KEYS.join(", ")))?;
    let text = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(Msg::new("intake.geo_code_not_text").arg("value", other)),
    };
    RegionCode::parse(&text).map_err(|e| {
        Msg::new("intake.geo_code_invalid")
            .arg("code", &text)
            .arg_msg("reason", e.msg())
    })
}

fn point(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
}

fn ring(v: &Value) -> Option<Ring> {
    v.as_array()?.iter().map(point).collect()
}

fn polygon(v: &Value) -> Option<Polygon> {
    v.as_array()?.iter().map(ring).collect()
}

/// Reads a GeoJSON or TopoJSON document. A feature without a usable code or geometry is
/// named (by its position) and refuses the file: nothing is stored half.
pub fn read_boundaries(bytes: &[u8]) -> Result<Vec<Boundary>, GeoError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| GeoError::Json(e.to_string()))?;
    let out = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => geojson(&doc)?,
        Some("Feature") => geojson(&serde_json::json!({ "features": [doc] }))?,
        Some("Topology") => topojson(&doc)?,
        other => return Err(GeoError::UnknownType(format!("{other:?}"))),
    };
    if out.is_empty() {
        return Err(GeoError::Empty);
    }
    Ok(out)
}

fn geojson(doc: &Value) -> Result<Vec<Boundary>, GeoError> {
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::with_capacity(features.len());
    let mut errors = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let geometry = f.get("geometry");
        let polygons = match (
            geometry.and_then(|g| g.get("type")).and_then(Value::as_str),
            geometry.and_then(|g| g.get("coordinates")),
        ) {
            (Some("Polygon"), Some(c)) => polygon(c).map(|p| vec![p]),
            (Some("MultiPolygon"), Some(c)) => c
                .as_array()
                .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>()),
            _ => None,
        };
        push_feature(i, code_of(f), polygons, &mut out, &mut errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(GeoError::Features(errors))
    }
}

fn push_feature(
    i: usize,
    code: Result<RegionCode, Msg>,
    polygons: Option<Vec<Polygon>>,
    out: &mut Vec<Boundary>,
    errors: &mut Vec<Msg>,
) {
    match (code, polygons) {
        (Ok(code), Some(polygons)) if !polygons.is_empty() => out.push(Boundary { code, polygons }),
        (Ok(code), _) => errors.push(
            Msg::new("intake.geo_feature_code")
                .arg("n", i + 1)
                .arg("code", code)
                .arg_msg("reason", Msg::new("intake.geo_bad_geometry")),
        ),
        (Err(e), _) => errors.push(
            Msg::new("intake.geo_feature")
                .arg("n", i + 1)
                .arg_msg("reason", e),
        ),
    }
}

fn topojson(doc: &Value) -> Result<Vec<Boundary>, GeoError> {
    let (scale, translate) = match doc.get("transform") {
        Some(t) => (
            point(t.get("scale").unwrap_or(&Value::Null)).unwrap_or([1.0, 1.0]),
            point(t.get("translate").unwrap_or(&Value::Null)).unwrap_or([0.0, 0.0]),
        ),
        None => ([1.0, 1.0], [0.0, 0.0]),
    };
    let quantised = doc.get("transform").is_some();
    // Decode every arc once: quantised arcs are delta-encoded.
    let arcs: Vec<Ring> = doc
        .get("arcs")
        .and_then(Value::as_array)
        .map(|arcs| {
            arcs.iter()
                .map(|arc| {
                    let mut x = 0.0;
                    let mut y = 0.0;
                    arc.as_array()
                        .map(|pts| {
                            pts.iter()
                                .filter_map(point)
                                .map(|p| {
                                    if quantised {
                                        x += p[0];
                                        y += p[1];
                                        [x * scale[0] + translate[0], y * scale[1] + translate[1]]
                                    } else {
                                        p
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let ring_of = |indexes: &Value| -> Option<Ring> {
        let mut out: Ring = Vec::new();
        for idx in indexes.as_array()? {
            let i = idx.as_i64()?;
            let (arc, reversed) = if i < 0 {
                (arcs.get((!i) as usize)?, true)
            } else {
                (arcs.get(i as usize)?, false)
            };
            let mut pts: Vec<[f64; 2]> = arc.clone();
            if reversed {
                pts.reverse();
            }
            // Consecutive arcs share their joining point.
            let skip = usize::from(!out.is_empty());
            out.extend(pts.into_iter().skip(skip));
        }
        Some(out)
    };
    let polygon_of =
        |rings: &Value| -> Option<Polygon> { rings.as_array()?.iter().map(ring_of).collect() };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let objects = doc
        .get("objects")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut i = 0;
    for object in objects.values() {
        let geometries = match object.get("type").and_then(Value::as_str) {
            Some("GeometryCollection") => object
                .get("geometries")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            _ => vec![object.clone()],
        };
        for g in &geometries {
            let polygons = match (g.get("type").and_then(Value::as_str), g.get("arcs")) {
                (Some("Polygon"), Some(a)) => polygon_of(a).map(|p| vec![p]),
                (Some("MultiPolygon"), Some(a)) => a
                    .as_array()
                    .and_then(|ps| ps.iter().map(polygon_of).collect::<Option<Vec<_>>>()),
                _ => None,
            };
            push_feature(i, code_of(g), polygons, &mut out, &mut errors);
            i += 1;
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(GeoError::Features(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_geojson_polygons_and_multipolygons() {
        let doc = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"kode":"52.01"},"geometry":{"type":"Polygon","coordinates":[[[116,-8],[117,-8],[116,-9],[116,-8]]]}},
          {"type":"Feature","properties":{"kode_nodot":"5272"},"geometry":{"type":"MultiPolygon","coordinates":[[[[118,-8],[119,-8],[118,-9],[118,-8]]],[[[120,-8],[121,-8],[120,-9],[120,-8]]]]}}
        ]}"#;
        let b = read_boundaries(doc).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].code.as_str(), "52.72");
        assert_eq!(b[1].polygons.len(), 2);
        assert_eq!(b[0].polygons[0][0][1], [117.0, -8.0]);
    }

    #[test]
    fn decodes_quantised_topojson_arcs_including_reversed_ones() {
        // Two squares sharing the edge x = 1; the second walks it backwards (~0 = -1).
        let doc = br#"{"type":"Topology","transform":{"scale":[0.5,0.5],"translate":[100,-10]},
          "arcs":[[[2,0],[0,2]],[[2,2],[-2,0],[0,-2],[2,0]],[[2,0],[2,0],[0,2],[-2,0]]],
          "objects":{"x":{"type":"GeometryCollection","geometries":[
            {"type":"Polygon","arcs":[[0,1]],"properties":{"kode":"52.01"}},
            {"type":"Polygon","arcs":[[2,-1]],"id":"52.02"}]}}}"#;
        let b = read_boundaries(doc).unwrap();
        assert_eq!(b.len(), 2);
        let first = &b[0].polygons[0][0];
        assert_eq!(first[0], [101.0, -10.0]);
        assert_eq!(first[1], [101.0, -9.0]);
        assert_eq!(first.first(), first.last(), "ring closes: {first:?}");
        let second = &b[1].polygons[0][0];
        assert_eq!(b[1].code.as_str(), "52.02");
        assert_eq!(second.first(), second.last(), "ring closes: {second:?}");
        assert!(second.contains(&[102.0, -9.0]));
    }

    #[test]
    fn names_bad_features_and_refuses_the_file() {
        let doc = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"nama":"x"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,2],[1,1]]]}},
          {"type":"Feature","properties":{"kode":"52.01"},"geometry":{"type":"Point","coordinates":[1,1]}}
        ]}"#;
        let e = read_boundaries(doc).unwrap_err().msg();
        let e = sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&e);
        assert!(
            e.contains("fitur ke-1") && e.contains("tidak ada kode wilayah"),
            "{e}"
        );
        assert!(e.contains("fitur ke-2 (52.01)"), "{e}");
        assert!(matches!(read_boundaries(b"[1"), Err(GeoError::Json(_))));
        assert!(matches!(
            read_boundaries(br#"{"type":"Point"}"#),
            Err(GeoError::UnknownType(_))
        ));
    }

    #[test]
    fn reads_the_shared_ntb_kecamatan_topojson_when_present() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/geo/simplified/kecamatan_52.topojson");
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "!!! SKIPPED: {} not present (shared reference data) !!!",
                path.display()
            );
            return;
        };
        let b = read_boundaries(&bytes).unwrap();
        assert_eq!(b.len(), 117);
        let gerung = b.iter().find(|x| x.code.as_str() == "52.01.01").unwrap();
        let bbox = gerung.bbox().unwrap();
        // Gerung lies in Lombok Barat, around 116.1 E, 8.7 S.
        assert!(bbox[0] > 115.8 && bbox[2] < 116.5, "{bbox:?}");
        assert!(bbox[1] > -9.0 && bbox[3] < -8.4, "{bbox:?}");
    }
}
