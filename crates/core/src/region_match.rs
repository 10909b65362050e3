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

/// The names a row gives, the provinsi included, any of them blank.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowPlace<'a> {
    pub provinsi: &'a str,
    pub kabkota: &'a str,
    pub kecamatan: &'a str,
    pub desa: &'a str,
}

impl<'a> From<PlaceNames<'a>> for RowPlace<'a> {
    fn from(p: PlaceNames<'a>) -> RowPlace<'a> {
        RowPlace {
            provinsi: "",
            kabkota: p.kabkota,
            kecamatan: p.kecamatan,
            desa: p.desa,
        }
    }
}

/// What a row's names point at.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// Exactly one region; `warnings` says what was read generously (a misspelling).
    Resolved {
        code: RegionCode,
        warnings: Vec<Msg>,
    },
    /// Several regions fit equally: refused, never guessed.
    Ambiguous {
        column: &'static str,
        name: String,
        candidates: Vec<String>,
    },
    /// Nothing fits (`name` is empty when the row gave no names at all).
    Unknown {
        column: &'static str,
        name: String,
        suggestions: Vec<String>,
    },
}

impl Resolution {
    /// The code and its warnings, or the refusal as a [`MatchError`] (which renders as a `Msg`).
    pub fn into_result(self) -> Result<(RegionCode, Vec<Msg>), MatchError> {
        match self {
            Resolution::Resolved { code, warnings } => Ok((code, warnings)),
            Resolution::Ambiguous {
                column,
                name,
                candidates,
            } => Err(MatchError::Ambiguous {
                column,
                name,
                candidates,
            }),
            Resolution::Unknown { name, .. } if name.is_empty() => Err(MatchError::Empty),
            Resolution::Unknown {
                column,
                name,
                suggestions,
            } => Err(MatchError::Unknown {
                column,
                name,
                suggestions,
            }),
        }
    }
}

/// Words in front of a name that only say what kind of region it is.
fn prefixes(level: Level) -> &'static [&'static str] {
    match level {
        Level::Provinsi => &["provinsi", "propinsi", "prov", "prop"],
        Level::KabKota => &[
            "kabupaten",
            "kab",
            "kota",
            "kotamadya",
            "kodya",
            "adm",
            "administrasi",
        ],
        Level::Kecamatan => &["kecamatan", "kec", "distrik"],
        Level::Desa => &["desa", "ds", "kelurahan", "kel"],
    }
}

/// Short names people write instead of the official one, mapped to the official name's key.
/// NTB: the names used by the Pemda themselves (Lotim, Loteng, Lobar, KLU, KSB). Kalimantan
/// Selatan: HSU/HST/HSS, Batola, Tala and Tanbu, as the kabupaten call themselves. Provinces:
/// the usual abbreviations (NTB, Jateng, Kalsel, …).
const ALIASES: &[(Level, &str, &str, Option<RegionKind>)] = {
    use Level::{KabKota as K, Provinsi as P};
    const KAB: Option<RegionKind> = Some(RegionKind::Kabupaten);
    &[
        (K, "lotim", "lomboktimur", KAB),
        (K, "loteng", "lomboktengah", KAB),
        (K, "lobar", "lombokbarat", KAB),
        (K, "klu", "lombokutara", KAB),
        (K, "ksb", "sumbawabarat", KAB),
        (K, "hsu", "hulusungaiutara", KAB),
        (K, "hst", "hulusungaitengah", KAB),
        (K, "hss", "hulusungaiselatan", KAB),
        (K, "batola", "baritokuala", KAB),
        (K, "tala", "tanahlaut", KAB),
        (K, "tanbu", "tanahbumbu", KAB),
        (P, "ntb", "nusatenggarabarat", None),
        (P, "ntt", "nusatenggaratimur", None),
        (P, "jateng", "jawatengah", None),
        (P, "jabar", "jawabarat", None),
        (P, "jatim", "jawatimur", None),
        (P, "diy", "daerahistimewayogyakarta", None),
        (P, "yogyakarta", "daerahistimewayogyakarta", None),
        (P, "dki", "daerahkhususibukotajakarta", None),
        (P, "dkijakarta", "daerahkhususibukotajakarta", None),
        (P, "jakarta", "daerahkhususibukotajakarta", None),
        (P, "kalsel", "kalimantanselatan", None),
        (P, "kalbar", "kalimantanbarat", None),
        (P, "kalteng", "kalimantantengah", None),
        (P, "kaltim", "kalimantantimur", None),
        (P, "kaltara", "kalimantanutara", None),
        (P, "sulsel", "sulawesiselatan", None),
        (P, "sulbar", "sulawesibarat", None),
        (P, "sulteng", "sulawesitengah", None),
        (P, "sultra", "sulawesitenggara", None),
        (P, "sulut", "sulawesiutara", None),
        (P, "sumut", "sumaterautara", None),
        (P, "sumbar", "sumaterabarat", None),
        (P, "sumsel", "sumateraselatan", None),
        (P, "babel", "kepulauanbangkabelitung", None),
        (P, "kepri", "kepulauanriau", None),
        (P, "malut", "malukuutara", None),
    ]
};

/// A name as looked up: every spelling to try, the least stripped first ("Kota Baru" is the
/// kabupaten Kotabaru before it is a kota named "Baru"), each with the kab/kota kind its
/// stripped prefix asked for.
fn variants(level: Level, name: &str) -> Vec<(String, Option<RegionKind>)> {
    let folded = fold_text(name);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    let mut kind = None;
    let mut start = 0;
    loop {
        out.push((words[start..].concat(), kind));
        if start + 1 >= words.len() || !prefixes(level).contains(&words[start]) {
            break;
        }
        kind = kind.or(match words[start] {
            "kabupaten" | "kab" => Some(RegionKind::Kabupaten),
            "kota" | "kotamadya" | "kodya" => Some(RegionKind::Kota),
            _ => None,
        });
        start += 1;
    }
    out
}

/// The most stripped key of an official name: what a misspelling is measured against.
fn stripped_key(level: Level, name: &str) -> String {
    variants(level, name).pop().map(|v| v.0).unwrap_or_default()
}

/// How far a spelling may be from the official name and still be read as it: one letter in
/// short names, two in longer ones, none below four letters (too many near neighbours).
fn spelling_budget(key: &str) -> usize {
    match key.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

/// One level's lookup result.
enum Found {
    One(usize, Option<Msg>),
    Many(Vec<usize>),
    None(Vec<String>),
}

/// The regions of an area, indexed by level and folded name.
pub struct RegionNameIndex {
    regions: Vec<NamedRegion>,
    /// Each region's most stripped key, for spelling distance and suggestions.
    keys: Vec<String>,
    by_code: HashMap<String, usize>,
    by_key: HashMap<(Level, String), Vec<usize>>,
    by_level: [Vec<usize>; 4],
}

fn level_slot(level: Level) -> usize {
    match level {
        Level::Provinsi => 0,
        Level::KabKota => 1,
        Level::Kecamatan => 2,
        Level::Desa => 3,
    }
}

impl RegionNameIndex {
    pub fn new(regions: Vec<NamedRegion>) -> RegionNameIndex {
        let mut by_key: HashMap<(Level, String), Vec<usize>> = HashMap::new();
        let mut by_level: [Vec<usize>; 4] = Default::default();
        let mut keys = Vec::with_capacity(regions.len());
        let mut by_code = HashMap::with_capacity(regions.len());
        for (i, r) in regions.iter().enumerate() {
            let level = r.code.level();
            for (key, _) in variants(level, &r.name) {
                let list = by_key.entry((level, key)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            keys.push(stripped_key(level, &r.name));
            by_level[level_slot(level)].push(i);
            by_code.insert(r.code.as_str().to_string(), i);
        }
        RegionNameIndex {
            regions,
            keys,
            by_code,
            by_key,
            by_level,
        }
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Every region of the index, in the order given.
    pub fn regions(&self) -> &[NamedRegion] {
        &self.regions
    }

    pub fn get(&self, code: &RegionCode) -> Option<&NamedRegion> {
        self.by_code.get(code.as_str()).map(|&i| &self.regions[i])
    }

    fn label(&self, i: usize) -> String {
        let r = &self.regions[i];
        let parents: Vec<String> = r
            .code
            .ancestors()
            .into_iter()
            .filter(|a| a.level() != Level::Provinsi)
            .rev()
            .filter_map(|a| self.get(&a).map(|x| x.name.clone()))
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
        spelling: bool,
    ) -> Found {
        let under = |i: &usize| parent.is_none_or(|p| p.contains(&self.regions[*i].code));
        let fits_kind = |i: &usize, kind: Option<RegionKind>| {
            level != Level::KabKota || kind.is_none_or(|k| self.regions[*i].kind == k)
        };
        let lookup = |key: &str, kind: Option<RegionKind>| -> Vec<usize> {
            self.by_key
                .get(&(level, key.to_string()))
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(under)
                        .filter(|i| fits_kind(i, kind))
                        .collect()
                })
                .unwrap_or_default()
        };
        let tries = variants(level, name);
        let alias = |key: &str| {
            ALIASES
                .iter()
                .find(|(l, short, _, _)| *l == level && *short == key)
                .map(|(_, _, official, kind)| (*official, *kind))
        };
        let exact = tries.iter().map(|(k, kind)| lookup(k, *kind)).chain(
            tries
                .iter()
                .filter_map(|(k, kind)| alias(k).map(|(o, ak)| lookup(o, kind.or(ak)))),
        );
        for found in exact {
            match found.len() {
                0 => continue,
                1 => return Found::One(found[0], None),
                _ => return Found::Many(found),
            }
        }

        let (key, kind) = tries.last().cloned().unwrap_or_default();
        let budget = spelling_budget(&key);
        let near: Vec<usize> = self.by_level[level_slot(level)]
            .iter()
            .copied()
            .filter(under)
            .filter(|i| fits_kind(i, kind))
            .filter(|&i| {
                let k = &self.keys[i];
                k.len().abs_diff(key.len()) <= budget && strsim::osa_distance(k, &key) <= budget
            })
            .collect();
        if spelling && near.len() == 1 {
            let warning = Msg::new("region_match.spelling")
                .arg("column", column)
                .arg("name", name.trim())
                .arg("region", self.label(near[0]));
            return Found::One(near[0], Some(warning));
        }
        let mut scored: Vec<(f64, usize)> = self.by_level[level_slot(level)]
            .iter()
            .copied()
            .filter(under)
            .map(|i| (strsim::jaro_winkler(&key, &self.keys[i]), i))
            .filter(|(s, i)| *s >= 0.85 || near.contains(i))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut picked: Vec<usize> = near.iter().copied().take(5).collect();
        for (_, i) in scored {
            if picked.len() >= 3.max(near.len().min(5)) {
                break;
            }
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        Found::None(picked.into_iter().map(|i| self.label(i)).collect())
    }

    /// Walks the given names from the top; a name shared by several regions ("Bima") is
    /// settled by the names below it when exactly one of the candidates holds them.
    fn descend(
        &self,
        steps: &[(Level, &'static str, &str)],
        parent: Option<usize>,
        spelling: bool,
    ) -> Resolution {
        let Some((&(level, column, name), rest)) = steps.split_first() else {
            return match parent {
                Some(i) => Resolution::Resolved {
                    code: self.regions[i].code.clone(),
                    warnings: Vec::new(),
                },
                None => Resolution::Unknown {
                    column: "desa",
                    name: String::new(),
                    suggestions: Vec::new(),
                },
            };
        };
        let parent_code = parent.map(|i| &self.regions[i].code);
        match self.one(level, column, name, parent_code, spelling) {
            Found::One(i, warning) => {
                let mut below = self.descend(rest, Some(i), spelling);
                if let (Resolution::Resolved { warnings, .. }, Some(w)) = (&mut below, warning) {
                    warnings.insert(0, w);
                }
                below
            }
            Found::Many(list) => {
                if !rest.is_empty() {
                    let mut fits = list
                        .iter()
                        .map(|&i| self.descend(rest, Some(i), false))
                        .filter(|r| matches!(r, Resolution::Resolved { .. }));
                    if let (Some(only), None) = (fits.next(), fits.next()) {
                        return only;
                    }
                }
                Resolution::Ambiguous {
                    column,
                    name: name.trim().to_string(),
                    candidates: list.iter().take(10).map(|&i| self.label(i)).collect(),
                }
            }
            Found::None(suggestions) => Resolution::Unknown {
                column,
                name: name.trim().to_string(),
                suggestions,
            },
        }
    }

    fn resolve_with(&self, place: RowPlace<'_>, spelling: bool) -> Resolution {
        let has_provinces = !self.by_level[0].is_empty();
        let steps: Vec<(Level, &'static str, &str)> = [
            (Level::Provinsi, "provinsi", place.provinsi),
            (Level::KabKota, "kabupaten_kota", place.kabkota),
            (Level::Kecamatan, "kecamatan", place.kecamatan),
            (Level::Desa, "desa", place.desa),
        ]
        .into_iter()
        .filter(|(level, _, name)| {
            !fold_text(name).is_empty() && (*level != Level::Provinsi || has_provinces)
        })
        .collect();
        self.descend(&steps, None, spelling)
    }

    /// The one region a row's names point at, reading a misspelling of one or two letters
    /// when only one region is that close (with a warning the caller keeps).
    pub fn resolve_place(&self, place: RowPlace<'_>) -> Resolution {
        self.resolve_with(place, true)
    }

    /// The deepest region the names point at, each name looked up under the one above it.
    /// Strict: a misspelling is refused with suggestions (use [`Self::resolve_place`] to
    /// read it with a warning).
    pub fn resolve(&self, names: PlaceNames<'_>) -> Result<RegionCode, MatchError> {
        self.resolve_with(names.into(), false)
            .into_result()
            .map(|(code, _)| code)
    }

    /// A resolver that remembers each distinct name tuple (a million-row file names a few
    /// thousand places).
    pub fn cached(&self) -> CachedResolver<'_> {
        CachedResolver {
            index: self,
            cache: HashMap::new(),
        }
    }
}

/// Most distinct tuples kept; beyond this the memo starts again, so memory stays bounded.
const CACHE_LIMIT: usize = 100_000;

/// [`RegionNameIndex::resolve_place`] with a memo per distinct (provinsi, kab/kota,
/// kecamatan, desa).
pub struct CachedResolver<'a> {
    index: &'a RegionNameIndex,
    cache: HashMap<[String; 4], Resolution>,
}

impl CachedResolver<'_> {
    /// Whether the index holds provinces (a `provinsi` name can be checked).
    pub fn knows_provinces(&self) -> bool {
        !self.index.by_level[0].is_empty()
    }

    pub fn resolve(&mut self, place: RowPlace<'_>) -> Resolution {
        let key = [place.provinsi, place.kabkota, place.kecamatan, place.desa].map(str::to_string);
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let out = self.index.resolve_place(place);
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(key, out.clone());
        out
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
