//! The fuzz targets' bodies, shared by `cargo fuzz` (fuzz/fuzz_targets/*.rs) and the property
//! tests that run them on every `cargo test` (crates/cli/tests/it/fuzz.rs). Each takes any
//! bytes; a panic, or a property that does not hold, is a finding.

use sinergi_core::region_match::{NamedRegion, PlaceNames, RegionNameIndex};
use sinergi_core::{Nik, NoKk, RegionCode, RegionKind};

/// A target's body: any bytes in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// The targets by name, as `cargo fuzz run <name>` knows them.
pub const TARGETS: [(&str, Target); 7] = [
    ("nik_kk", nik_kk),
    ("table", table),
    ("person_list", person_list),
    ("headers", headers),
    ("region_names", region_names),
    ("link_settings", link_settings),
    ("geojson", geojson),
];

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// NIK and No. KK parsing: never panics, and the quick validity check agrees with parsing.
pub fn nik_kk(data: &[u8]) {
    let s = text(data);
    let nik = Nik::parse(s.as_ref(), None);
    assert_eq!(
        Nik::is_valid(s.as_ref()),
        nik.is_ok(),
        "is_valid and parse disagree on {s:?}"
    );
    if let Ok(parsed) = nik {
        assert_eq!(parsed.nik.as_str().len(), 16);
        assert!(parsed.nik.as_str().bytes().all(|b| b.is_ascii_digit()));
    }
    let kk = NoKk::parse(s.as_ref(), None);
    assert_eq!(
        NoKk::is_valid(s.as_ref()),
        kk.is_ok(),
        "is_valid and parse disagree on {s:?}"
    );
    if let Ok(parsed) = kk {
        assert!(parsed.no_kk.as_str().bytes().all(|b| b.is_ascii_digit()));
    }
}

/// CSV and XLSX decoding through intake's public entry point: a table or a reason, and a
/// table's columns all have the same length.
pub fn table(data: &[u8]) {
    for name in ["data.csv", "data.xlsx"] {
        if let Ok(t) = sinergi_intake::read_table_bytes(name, data) {
            let rows = t.rows();
            for (i, _) in t.header.iter().enumerate() {
                assert_eq!(t.columns[i].len(), rows, "{name}: ragged column {i}");
            }
        }
    }
}

/// A person list: every row is stored or rejected with its line; none vanishes.
pub fn person_list(data: &[u8]) {
    let _ = sinergi_intake::read_person_list(data, &any_region());
}

/// A reading context that knows every region code and no prefixes or names.
fn any_region() -> sinergi_intake::PersonContext<'static> {
    sinergi_intake::PersonContext {
        region_exists: &|_: &RegionCode| true,
        prefixes: None,
        region_names: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date"),
        limits: sinergi_intake::Limits::default(),
    }
}

/// Header matching: any header line over one data row.
pub fn headers(data: &[u8]) {
    let line: String = text(data).replace(['\n', '\r'], " ");
    let file = format!("{line}\nSiti Aminah,52.03.05.2003,P\n");
    let _ = sinergi_intake::read_person_list(file.as_bytes(), &any_region());
    let _ = sinergi_intake::read_table_bytes("h.csv", file.as_bytes());
}

/// Region-name resolution: three names separated by `|` against a small area; a resolved
/// code is one of the area's villages.
pub fn region_names(data: &[u8]) {
    let s = text(data);
    let mut parts = s.splitn(3, '|');
    let (kabkota, kecamatan, desa) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let index = RegionNameIndex::new(
        [
            ("52.03", "Lombok Timur", RegionKind::Kabupaten),
            ("52.71", "Mataram", RegionKind::Kota),
            ("52.03.05", "Masbagik", RegionKind::Kecamatan),
            ("52.71.01", "Ampenan", RegionKind::Kecamatan),
            ("52.03.05.2003", "Masbagik Utara", RegionKind::Desa),
            ("52.03.05.2004", "Masbagik Selatan", RegionKind::Desa),
            ("52.71.01.1001", "Ampenan Utara", RegionKind::Kelurahan),
        ]
        .into_iter()
        .map(|(code, name, kind)| NamedRegion {
            code: RegionCode::parse(code).expect("a fixed code"),
            name: name.into(),
            kind,
        })
        .collect(),
    );
    if let Ok(code) = index.resolve(PlaceNames {
        kabkota,
        kecamatan,
        desa,
    }) {
        assert!(index.get(&code).is_some(), "{code} is not in the area");
    }
}

/// The linkage settings file.
pub fn link_settings(data: &[u8]) {
    let _ = sinergi_link::Settings::from_toml(&text(data));
}

/// GeoJSON/TopoJSON boundary import.
pub fn geojson(data: &[u8]) {
    let _ = sinergi_intake::geo::read_boundaries(data);
}
