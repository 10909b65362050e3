//! Region names as partners write them in spreadsheets ("Kab. Bima", "kec masbagik",
//! "Desa Kembang Kerang") matched to Kemendagri codes. A name that fits one region is
//! accepted; one that fits several is refused with the candidates listed (the same desa name
//! recurs across kecamatan, and "Bima" is both a kabupaten and a kota); an unknown one is
//! refused with the closest names as suggestions.

use std::collections::HashMap;
use std::fmt;

use crate::msg::{Localized, Msg};
use crate::region::{Level, RegionCode, RegionKind};
use crate::text::fold_text;

/// One current region the index knows.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRegion {
    pub code: RegionCode,
    pub name: String,
    pub kind: RegionKind,
}

/// The names a row gives, any of them blank.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaceNames<'a> {
    pub kabkota: &'a str,
    pub kecamatan: &'a str,
    pub desa: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    Empty,
    Unknown {
        column: &'static str,
        name: String,
        suggestions: Vec<String>,
    },
    Ambiguous {
        column: &'static str,
        name: String,
        candidates: Vec<String>,
    },
}

impl MatchError {
    /// The template column the problem is in.
    pub fn column(&self) -> &'static str {
        match self {
            MatchError::Empty => "desa",
            MatchError::Unknown { column, .. } | MatchError::Ambiguous { column, .. } => column,
        }
    }
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::Empty => write!(
                f,
                "lokasi kosong: isi kode_wilayah, atau nama kabupaten_kota/kecamatan/desa"
            ),
            MatchError::Unknown {
                column,
                name,
                suggestions,
            } => {
                write!(f, "{column} \"{name}\" tidak ditemukan")?;
                if suggestions.is_empty() {
                    write!(f, " di wilayah Anda")
                } else {
                    write!(f, "; mungkin maksudnya: {}", suggestions.join("; "))
                }
            }
            MatchError::Ambiguous {
                column,
                name,
                candidates,
            } => write!(
                f,
                "{column} \"{name}\" cocok dengan {} wilayah: {}. Isi kolom {} (atau kode_wilayah) untuk memilih",
                candidates.len(),
                candidates.join("; "),
                match *column {
                    "desa" => "kecamatan dan kabupaten_kota",
                    "kecamatan" => "kabupaten_kota",
                    _ => "kabupaten_kota dengan awalan \"Kabupaten\" atau \"Kota\"",
                }
            ),
        }
    }
}

impl Localized for MatchError {
    fn msg(&self) -> Msg {
        match self {
            MatchError::Empty => Msg::new("region_match.empty"),
            MatchError::Unknown {
                column,
                name,
                suggestions,
            } if suggestions.is_empty() => Msg::new("region_match.unknown")
                .arg("column", column)
                .arg("name", name),
            MatchError::Unknown {
                column,
                name,
                suggestions,
            } => Msg::new("region_match.unknown_suggest")
                .arg("column", column)
                .arg("name", name)
                .arg("suggestions", suggestions.join("; ")),
            MatchError::Ambiguous {
                column,
                name,
                candidates,
            } => Msg::new("region_match.ambiguous")
                .arg("column", column)
                .arg("name", name)
                .arg("n", candidates.len())
                .arg("candidates", candidates.join("; "))
                .arg_msg(
                    "hint",
                    Msg::new(match *column {
                        "desa" => "region_match.hint_desa",
                        "kecamatan" => "region_match.hint_kecamatan",
                        _ => "region_match.hint_kabkota",
                    }),
                ),
        }
    }
}

/// Lowercased, punctuation folded, administrative prefixes dropped; and the kab/kota kind a
/// prefix asked for.
fn key(name: &str) -> (String, Option<RegionKind>) {
    let folded = fold_text(name);
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut kind = None;
    while words.len() > 1 {
        let k = match words[0] {
            "kabupaten" | "kab" => Some(RegionKind::Kabupaten),
            "kota" | "kotamadya" | "kodya" => Some(RegionKind::Kota),
            "kecamatan" | "kec" | "desa" | "kelurahan" | "kel" | "adm" | "administrasi" => None,
            _ => break,
        };
        kind = kind.or(k);
        words.remove(0);
    }
    (words.join(" "), kind)
}

/// The current regions of an area, indexed by level and folded name.
pub struct RegionNameIndex {
    regions: Vec<NamedRegion>,
    by_name: HashMap<(Level, String), Vec<usize>>,
}

impl RegionNameIndex {
    pub fn new(regions: Vec<NamedRegion>) -> RegionNameIndex {
        let mut by_name: HashMap<(Level, String), Vec<usize>> = HashMap::new();
        for (i, r) in regions.iter().enumerate() {
            by_name
                .entry((r.code.level(), key(&r.name).0))
                .or_default()
                .push(i);
        }
        RegionNameIndex { regions, by_name }
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    pub fn get(&self, code: &RegionCode) -> Option<&NamedRegion> {
        self.regions.iter().find(|r| &r.code == code)
    }

    fn label(&self, i: usize) -> String {
        let r = &self.regions[i];
        let parents: Vec<String> = r
            .code
            .ancestors()
            .into_iter()
            .filter(|a| a.level() != Level::Provinsi)
            .rev()
            .filter_map(|a| {
                self.regions
                    .iter()
                    .find(|x| x.code == a)
                    .map(|x| x.name.clone())
            })
            .collect();
        let prefix = match r.kind {
            RegionKind::Kecamatan => "Kec. ",
            RegionKind::Kelurahan => "Kel. ",
            RegionKind::Desa | RegionKind::DesaAdat => "Desa ",
            _ => "",
        };
        if parents.is_empty() {
            format!("{prefix}{} ({})", r.name, r.code)
        } else {
            format!("{prefix}{}, {} ({})", r.name, parents.join(", "), r.code)
        }
    }

    /// One level's match for `name` under `parent` (anywhere in the index when None).
    fn one(
        &self,
        level: Level,
        column: &'static str,
        name: &str,
        parent: Option<&RegionCode>,
    ) -> Result<usize, MatchError> {
        let (k, kind) = key(name);
        let under = |i: &usize| parent.is_none_or(|p| p.contains(&self.regions[*i].code));
        let found: Vec<usize> = self
            .by_name
            .get(&(level, k.clone()))
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(under)
                    .filter(|i| {
                        level != Level::KabKota || kind.is_none_or(|k| self.regions[*i].kind == k)
                    })
                    .collect()
            })
            .unwrap_or_default();
        match found.len() {
            1 => Ok(found[0]),
            0 => {
                let mut scored: Vec<(f64, usize)> = self
                    .regions
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| r.code.level() == level && under(i))
                    .map(|(i, r)| (strsim::jaro_winkler(&k, &key(&r.name).0), i))
                    .filter(|(s, _)| *s >= 0.85)
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                Err(MatchError::Unknown {
                    column,
                    name: name.trim().to_string(),
                    suggestions: scored.iter().take(3).map(|(_, i)| self.label(*i)).collect(),
                })
            }
            _ => Err(MatchError::Ambiguous {
                column,
                name: name.trim().to_string(),
                candidates: found.iter().take(10).map(|i| self.label(*i)).collect(),
            }),
        }
    }

    /// The deepest region the names point at, each name looked up under the one above it.
    pub fn resolve(&self, names: PlaceNames<'_>) -> Result<RegionCode, MatchError> {
        let blank = |s: &str| fold_text(s).is_empty();
        let mut parent: Option<RegionCode> = None;
        for (level, column, name) in [
            (Level::KabKota, "kabupaten_kota", names.kabkota),
            (Level::Kecamatan, "kecamatan", names.kecamatan),
            (Level::Desa, "desa", names.desa),
        ] {
            if blank(name) {
                continue;
            }
            let i = self.one(level, column, name, parent.as_ref())?;
            parent = Some(self.regions[i].code.clone());
        }
        parent.ok_or(MatchError::Empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> RegionNameIndex {
        let rows = [
            ("52.06", "Kabupaten Bima"),
            ("52.06.01", "Monta"),
            ("52.06.01.2001", "Sumi"),
            ("52.72", "Kota Bima"),
            ("52.72.01", "Rasanae Barat"),
            ("52.72.01.1001", "Paruga"),
            ("52.03", "Kabupaten Lombok Timur"),
            ("52.03.05", "Masbagik"),
            ("52.03.05.2003", "Masbagik Selatan"),
            ("52.03.05.2010", "Danger"),
            ("52.03.06", "Sukamulia"),
            ("52.03.06.2001", "Danger"),
        ];
        RegionNameIndex::new(
            rows.iter()
                .map(|(c, n)| {
                    let code = RegionCode::parse(c).unwrap();
                    NamedRegion {
                        kind: RegionKind::infer(&code, n),
                        code,
                        name: n.to_string(),
                    }
                })
                .collect(),
        )
    }

    fn names<'a>(k: &'a str, c: &'a str, d: &'a str) -> PlaceNames<'a> {
        PlaceNames {
            kabkota: k,
            kecamatan: c,
            desa: d,
        }
    }

    #[test]
    fn kota_bima_is_not_kabupaten_bima() {
        let ix = index();
        assert_eq!(
            ix.resolve(names("Kota Bima", "", "")).unwrap().as_str(),
            "52.72"
        );
        assert_eq!(
            ix.resolve(names("KAB. BIMA", "", "")).unwrap().as_str(),
            "52.06"
        );
        let e = ix.resolve(names("Bima", "", "")).unwrap_err();
        let MatchError::Ambiguous { candidates, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(candidates.len(), 2);
        assert!(e.to_string().contains("Kota Bima (52.72)"), "{e}");
    }

    #[test]
    fn duplicate_desa_names_need_their_kecamatan() {
        let ix = index();
        let e = ix.resolve(names("Lombok Timur", "", "Danger")).unwrap_err();
        assert!(matches!(e, MatchError::Ambiguous { column: "desa", .. }));
        assert!(
            e.to_string()
                .contains("Desa Danger, Masbagik, Kabupaten Lombok Timur (52.03.05.2010)"),
            "{e}"
        );
        assert_eq!(
            ix.resolve(names("Lombok Timur", "Kec. Sukamulia", "Desa Danger"))
                .unwrap()
                .as_str(),
            "52.03.06.2001"
        );
        // A kelurahan resolves under its kota.
        assert_eq!(
            ix.resolve(names("Kota Bima", "", "paruga"))
                .unwrap()
                .as_str(),
            "52.72.01.1001"
        );
    }

    #[test]
    fn unknown_names_come_with_suggestions() {
        let ix = index();
        let e = ix
            .resolve(names("Lombok Timur", "Masbagk", ""))
            .unwrap_err();
        assert_eq!(e.column(), "kecamatan");
        assert!(
            e.to_string().contains("mungkin maksudnya: Kec. Masbagik"),
            "{e}"
        );
        let e = ix.resolve(names("Atlantis", "", "")).unwrap_err();
        assert!(e.to_string().contains("tidak ditemukan"), "{e}");
        assert_eq!(ix.resolve(names(" ", "", "")), Err(MatchError::Empty));
    }
}
