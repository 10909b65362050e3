//! The settings file (TOML): which column is the record id, how each column is compared, and
//! which blocking rules choose the pairs worth comparing. Keys are in Bahasa Indonesia, like
//! the rest of the user's side; `docs/linkage.md` documents them with examples.

use serde::{Deserialize, Serialize};

use crate::LinkError;
use sinergi_core::Msg;

/// The Indonesian person preset, used when no settings file is given.
pub const PERSON_PRESET: &str = include_str!("preset_orang.toml");

/// Gamma vectors pack 4 bits per comparison into a u64.
pub const MAX_COMPARISONS: usize = 16;
/// Level 0 is "missing"; levels 1..=15 fit in 4 bits.
pub const MAX_LEVELS: usize = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal or not (after folding case and spaces); optional shared-prefix levels.
    Persis,
    /// Free text: exact, Levenshtein and Jaro–Winkler levels.
    Teks,
    /// A person's name with the Indonesian name rules.
    Nama,
    /// NIK: exact, one transposition, first 15 digits (Excel), one digit off.
    Nik,
    /// No. KK: the same levels as NIK.
    Kk,
    /// Dates: exact, day/month swapped, one digit off, same year.
    Tanggal,
    /// Numbers: exact, then within each `selisih`.
    Angka,
    /// L/P, Laki-laki/Perempuan…
    JenisKelamin,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Persis => "persis",
            Kind::Teks => "teks",
            Kind::Nama => "nama",
            Kind::Nik => "nik",
            Kind::Kk => "kk",
            Kind::Tanggal => "tanggal",
            Kind::Angka => "angka",
            Kind::JenisKelamin => "jenis_kelamin",
        }
    }
}

/// How one column is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonSpec {
    #[serde(rename = "kolom")]
    pub column: String,
    #[serde(rename = "jenis")]
    pub kind: Kind,
    #[serde(
        rename = "jaro_winkler",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub jaro_winkler: Option<Vec<f64>>,
    #[serde(
        rename = "levenshtein",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub levenshtein: Option<Vec<u32>>,
    /// Shared-prefix levels, e.g. `[6]` on a desa code = same kecamatan.
    #[serde(rename = "awalan", default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<usize>,
    /// Absolute difference levels for numbers.
    #[serde(rename = "selisih", default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<f64>,
    /// Term-frequency adjustment of the exact level: agreeing on a common value counts less.
    #[serde(rename = "frekuensi", default)]
    pub term_frequency: bool,
    /// Values that mean "missing" besides the empty cell.
    #[serde(rename = "nilai_kosong", default = "default_nulls")]
    pub null_values: Vec<String>,
    /// Identifies a person: two different valid values never end up in one cluster.
    #[serde(rename = "kunci_orang", default)]
    pub person_key: bool,
    #[serde(rename = "tukar_hari_bulan", default = "yes")]
    pub day_month_swap: bool,
    #[serde(rename = "satu_digit", default = "yes")]
    pub one_digit: bool,
    #[serde(rename = "tahun", default = "yes")]
    pub same_year: bool,
    /// Levels of their own when either date is a year alone (written so, or from an age):
    /// the same year, and one year apart (an age counted against another day). A full date
    /// that agrees only on the year is weak evidence; a year alone that agrees is all the
    /// evidence there is.
    #[serde(rename = "hanya_tahun", default = "yes")]
    pub year_only: bool,
    /// Other headers the column goes by in partners' files ("Nama Mustahik", "NO. KK");
    /// compared with case, spaces and punctuation folded.
    #[serde(rename = "nama_lain", default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_nulls() -> Vec<String> {
    ["-", "null", "na", "n/a", "tidak ada", "tidak diketahui"]
        .map(String::from)
        .to_vec()
}

/// Pairs that share every key part are compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockRule {
    /// `kolom` or `kolom:fungsi` (e.g. `nik:awal15`, `nama:token`, `tanggal_lahir:tahun`).
    #[serde(rename = "kunci")]
    pub keys: Vec<String>,
    /// Whether m probabilities are estimated (EM) on this rule's pairs.
    #[serde(rename = "latih", default = "yes")]
    pub train: bool,
}

/// How a compared column is made from other columns when a file lacks it by name and alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// "Selong, 12-05-1980" → the date after the place.
    TempatTanggal,
    /// An age in years → the year-long span of birth dates it allows, against `tanggal_acuan`.
    Umur,
    /// Kabupaten, kecamatan and desa names → the deepest region code they resolve to.
    Wilayah,
}

impl Transform {
    pub fn key(self) -> &'static str {
        match self {
            Transform::TempatTanggal => "tempat_tanggal",
            Transform::Umur => "umur",
            Transform::Wilayah => "wilayah",
        }
    }
}

/// One way to fill compared column `kolom` from a file's other columns, tried in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSpec {
    #[serde(rename = "kolom")]
    pub column: String,
    #[serde(rename = "ubah")]
    pub transform: Transform,
    /// Headers of the source column (for `wilayah`: the desa name).
    #[serde(rename = "nama", default)]
    pub names: Vec<String>,
    /// `wilayah` only: headers of the kecamatan and kabupaten/kota names.
    #[serde(rename = "kecamatan", default, skip_serializing_if = "Vec::is_empty")]
    pub kecamatan: Vec<String>,
    #[serde(rename = "kabupaten", default, skip_serializing_if = "Vec::is_empty")]
    pub kabupaten: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The record id column; a file without it numbers its records by line.
    #[serde(rename = "kolom_id", default = "default_id")]
    pub id_column: String,
    /// Date ages are counted to (`umur` → birth year), YYYY-MM-DD; the caller's today if
    /// absent.
    #[serde(
        rename = "tanggal_acuan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reference_date: Option<String>,
    /// Pairs at or above this probability are matches and form clusters.
    #[serde(rename = "ambang", default = "default_threshold")]
    pub threshold: f64,
    /// Pairs from here up to `ambang` go to the clerical review file.
    #[serde(rename = "tinjauan_bawah", default = "default_review_floor")]
    pub review_floor: f64,
    #[serde(rename = "klaster_maks", default = "default_max_cluster")]
    pub max_cluster_size: usize,
    /// Blocks with more records than this are skipped (and counted in the summary).
    #[serde(rename = "blok_maks", default = "default_max_block")]
    pub max_block_size: usize,
    /// Random pairs drawn to estimate u probabilities, at most (20 per record, at least 100,000);
    /// 400,000 pin the rarest agreements (an exact NIK: about one in a million) well enough.
    #[serde(rename = "sampel_u", default = "default_u_sample")]
    pub u_sample: usize,
    #[serde(rename = "benih", default = "default_seed")]
    pub seed: u64,
    /// Strict: any two different valid NIKs keep clusters apart. Tolerant (default): NIKs one
    /// transposition, one digit or the last digit apart may be the same person's typo.
    #[serde(rename = "nik_ketat", default)]
    pub strict_person_key: bool,
    #[serde(rename = "perbandingan")]
    pub comparisons: Vec<ComparisonSpec>,
    #[serde(rename = "blok")]
    pub blocking: Vec<BlockRule>,
    #[serde(rename = "sumber", default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceSpec>,
}

fn default_id() -> String {
    "id".into()
}

fn default_threshold() -> f64 {
    0.9
}
fn default_review_floor() -> f64 {
    0.5
}
fn default_max_cluster() -> usize {
    20
}
fn default_max_block() -> usize {
    400
}
fn default_u_sample() -> usize {
    400_000
}
fn default_seed() -> u64 {
    52
}

const TOP_KEYS: &[&str] = &[
    "kolom_id",
    "ambang",
    "tinjauan_bawah",
    "klaster_maks",
    "blok_maks",
    "sampel_u",
    "benih",
    "nik_ketat",
    "tanggal_acuan",
    "perbandingan",
    "blok",
    "sumber",
];
const COMPARISON_KEYS: &[&str] = &[
    "kolom",
    "jenis",
    "jaro_winkler",
    "levenshtein",
    "awalan",
    "selisih",
    "frekuensi",
    "nilai_kosong",
    "kunci_orang",
    "tukar_hari_bulan",
    "satu_digit",
    "tahun",
    "hanya_tahun",
    "nama_lain",
];
const SOURCE_KEYS: &[&str] = &["kolom", "ubah", "nama", "kecamatan", "kabupaten"];
const BLOCK_KEYS: &[&str] = &["kunci", "latih"];
const KINDS: &[&str] = &[
    "persis",
    "teks",
    "nama",
    "nik",
    "kk",
    "tanggal",
    "angka",
    "jenis_kelamin",
];

/// `place` is where the keys stand: `None` at the top level, else the list and the item's
/// number (`[[perbandingan]]`, 1).
fn unknown_keys(
    table: &toml::Table,
    allowed: &[&str],
    place: Option<(&str, usize)>,
    out: &mut Vec<Msg>,
) {
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            let m = match place {
                None => Msg::new("linkage.unknown_key_top"),
                Some((list, n)) => Msg::new("linkage.unknown_key_in")
                    .arg("list", list)
                    .arg("n", n),
            };
            out.push(m.arg("key", key).arg("known", allowed.join(", ")));
        }
    }
}

/// A problem of the `n`th item (1-based) of `[[list]]` about column `column`.
fn at(list: &str, n: usize, column: &str, problem: Msg) -> Msg {
    Msg::new("linkage.settings_at")
        .arg("list", list)
        .arg("n", n)
        .arg("column", column)
        .arg_msg("problem", problem)
}

impl Settings {
    pub fn person_preset() -> Settings {
        Settings::from_toml(PERSON_PRESET).expect("the preset is valid")
    }

    /// Parses and checks a settings file. Every problem is named, in Bahasa Indonesia.
    pub fn from_toml(text: &str) -> Result<Settings, LinkError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            LinkError::Settings(vec![
                Msg::new("linkage.not_toml").arg("detail", e.message()),
            ])
        })?;
        let mut problems = Vec::new();
        unknown_keys(&table, TOP_KEYS, None, &mut problems);
        for (list, keys, label) in [
            ("perbandingan", COMPARISON_KEYS, "[[perbandingan]]"),
            ("blok", BLOCK_KEYS, "[[blok]]"),
            ("sumber", SOURCE_KEYS, "[[sumber]]"),
        ] {
            if let Some(items) = table.get(list).and_then(|v| v.as_array()) {
                for (i, item) in items.iter().enumerate() {
                    if let Some(t) = item.as_table() {
                        unknown_keys(t, keys, Some((label, i + 1)), &mut problems);
                        if let Some(kind) = t.get("jenis").and_then(|k| k.as_str())
                            && !KINDS.contains(&kind)
                        {
                            problems.push(
                                Msg::new("linkage.unknown_kind")
                                    .arg("kind", kind)
                                    .arg("list", label)
                                    .arg("n", i + 1)
                                    .arg("choices", KINDS.join(", ")),
                            );
                        }
                    }
                }
            }
        }
        for required in ["perbandingan", "blok"] {
            if !table.contains_key(required) {
                problems.push(Msg::new("linkage.required_key").arg("key", required));
            }
        }
        if !problems.is_empty() {
            return Err(LinkError::Settings(problems));
        }
        let settings: Settings = table.try_into().map_err(|e: toml::de::Error| {
            LinkError::Settings(vec![
                Msg::new("linkage.settings_content").arg("detail", e.message()),
            ])
        })?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), LinkError> {
        let mut problems = Vec::new();
        if self.id_column.trim().is_empty() {
            problems.push(Msg::new("linkage.id_column_empty"));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            problems.push(Msg::new("linkage.threshold_range").arg("value", self.threshold));
        }
        if !(self.review_floor > 0.0 && self.review_floor <= self.threshold) {
            problems.push(
                Msg::new("linkage.review_floor_range")
                    .arg("value", self.review_floor)
                    .arg("threshold", self.threshold),
            );
        }
        if self.max_cluster_size < 2 {
            problems.push(Msg::new("linkage.at_least_two").arg("key", "klaster_maks"));
        }
        if self.max_block_size < 2 {
            problems.push(Msg::new("linkage.at_least_two").arg("key", "blok_maks"));
        }
        if self.comparisons.is_empty() || self.comparisons.len() > MAX_COMPARISONS {
            problems.push(
                Msg::new("linkage.comparison_count")
                    .arg("max", MAX_COMPARISONS)
                    .arg("n", self.comparisons.len()),
            );
        }
        if self.blocking.is_empty() || self.blocking.len() > 8 {
            problems.push(
                Msg::new("linkage.rule_count")
                    .arg("max", 8)
                    .arg("n", self.blocking.len()),
            );
        }
        for (i, c) in self.comparisons.iter().enumerate() {
            let mut problem = |m: Msg| problems.push(at("[[perbandingan]]", i + 1, &c.column, m));
            if self.comparisons[..i].iter().any(|o| o.column == c.column) {
                problem(Msg::new("linkage.column_repeated"));
            }
            if let Some(t) = c.jaro_winkler.as_deref()
                && t.iter().any(|v| !(0.0..=1.0).contains(v))
            {
                problem(Msg::new("linkage.jaro_winkler_range"));
            }
            if c.levels().len() > MAX_LEVELS {
                problem(Msg::new("linkage.too_many_levels").arg("max", MAX_LEVELS));
            }
            if c.person_key && !matches!(c.kind, Kind::Nik | Kind::Kk | Kind::Persis) {
                problem(Msg::new("linkage.person_key_kind"));
            }
        }
        for (i, source) in self.sources.iter().enumerate() {
            let here = |m: Msg| at("[[sumber]]", i + 1, &source.column, m);
            let target = self.comparisons.iter().find(|c| c.column == source.column);
            let fits = match (source.transform, target.map(|c| c.kind)) {
                (_, None) => {
                    problems.push(here(Msg::new("linkage.source_not_compared")));
                    continue;
                }
                (Transform::TempatTanggal | Transform::Umur, Some(k)) => k == Kind::Tanggal,
                (Transform::Wilayah, Some(k)) => matches!(k, Kind::Persis | Kind::Teks),
            };
            if !fits {
                problems.push(here(
                    Msg::new("linkage.source_kind")
                        .arg("transform", source.transform.key())
                        .arg("kind", target.map_or("", |c| c.kind.key())),
                ));
            }
            if source.names.is_empty() {
                problems.push(here(Msg::new("linkage.source_names_empty")));
            }
        }
        if let Some(d) = &self.reference_date
            && crate::mapping::reference_year(d).is_none()
        {
            problems.push(Msg::new("linkage.reference_date").arg("value", d));
        }
        if self.comparisons.iter().filter(|c| c.person_key).count() > 1 {
            problems.push(Msg::new("linkage.one_person_key"));
        }
        for (i, rule) in self.blocking.iter().enumerate() {
            let rule_problem = |m: Msg| {
                Msg::new("linkage.rule_at")
                    .arg("n", i + 1)
                    .arg_msg("problem", m)
            };
            if rule.keys.is_empty() {
                problems.push(rule_problem(Msg::new("linkage.rule_empty")));
            }
            for key in &rule.keys {
                if let Err(e) = self.block_key(key) {
                    problems.push(rule_problem(e));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LinkError::Settings(problems))
        }
    }

    /// Resolves `kolom:fungsi` to the comparison it uses and the key function.
    pub fn block_key(&self, key: &str) -> Result<(usize, KeyFn), Msg> {
        let (column, function) = key.split_once(':').unwrap_or((key, ""));
        let Some(index) = self.comparisons.iter().position(|c| c.column == column) else {
            return Err(Msg::new("linkage.key_column")
                .arg("key", key)
                .arg("column", column));
        };
        let kind = self.comparisons[index].kind;
        let f = KeyFn::parse(kind, function).ok_or_else(|| {
            Msg::new("linkage.key_function")
                .arg("key", key)
                .arg("function", function)
                .arg("kind", kind.key())
                .arg("choices", KeyFn::choices(kind))
        })?;
        Ok((index, f))
    }
}

/// How a blocking key is taken from a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFn {
    /// The whole prepared value.
    Value,
    /// The first N characters or digits.
    Prefix(usize),
    /// Name tokens sorted (order-insensitive).
    NameSorted,
    NameFirst,
    NameLast,
    /// One key per name token: records sharing any token meet.
    NameToken,
    Year,
    /// Year plus day and month in either order (tolerates a swap).
    DateSwapTolerant,
}

impl KeyFn {
    fn parse(kind: Kind, f: &str) -> Option<KeyFn> {
        if f.is_empty() {
            return Some(KeyFn::Value);
        }
        if let Some(n) = f.strip_prefix("awal")
            && matches!(
                kind,
                Kind::Persis | Kind::Teks | Kind::Nama | Kind::Nik | Kind::Kk
            )
        {
            return n.parse().ok().filter(|n| *n > 0).map(KeyFn::Prefix);
        }
        match (kind, f) {
            (Kind::Nama, "kunci") => Some(KeyFn::NameSorted),
            (Kind::Nama, "depan") => Some(KeyFn::NameFirst),
            (Kind::Nama, "belakang") => Some(KeyFn::NameLast),
            (Kind::Nama, "token") => Some(KeyFn::NameToken),
            (Kind::Tanggal, "tahun") => Some(KeyFn::Year),
            (Kind::Tanggal, "tukar") => Some(KeyFn::DateSwapTolerant),
            _ => None,
        }
    }

    fn choices(kind: Kind) -> &'static str {
        match kind {
            Kind::Nama => "(kosong), awalN, kunci, depan, belakang, token",
            Kind::Persis | Kind::Teks | Kind::Nik | Kind::Kk => "(kosong), awalN",
            Kind::Tanggal => "(kosong), tahun, tukar",
            Kind::Angka | Kind::JenisKelamin => "(kosong)",
        }
    }
}

impl ComparisonSpec {
    pub fn jw_thresholds(&self) -> Vec<f64> {
        match (&self.jaro_winkler, self.kind) {
            (Some(t), _) => t.clone(),
            (None, Kind::Nama) => vec![0.92, 0.84],
            (None, Kind::Teks) => vec![0.9],
            _ => Vec::new(),
        }
    }

    pub fn lev_thresholds(&self) -> Vec<u32> {
        match (&self.levenshtein, self.kind) {
            (Some(t), _) => t.clone(),
            (None, Kind::Teks) => vec![1, 2],
            _ => Vec::new(),
        }
    }

    /// Labels of levels 1.. (level 0 is "missing"), best first, in Bahasa Indonesia.
    pub fn levels(&self) -> Vec<String> {
        let mut l = vec!["sama persis".to_string()];
        match self.kind {
            Kind::Persis => {
                for p in &self.prefixes {
                    l.push(format!("{p} karakter awal sama"));
                }
            }
            Kind::Teks => {
                for k in self.lev_thresholds() {
                    l.push(format!("levenshtein ≤ {k}"));
                }
                for t in self.jw_thresholds() {
                    l.push(format!("jaro-winkler ≥ {t}"));
                }
                for p in &self.prefixes {
                    l.push(format!("{p} karakter awal sama"));
                }
            }
            Kind::Nama => {
                l.push("urutan kata tertukar".into());
                let jw = self.jw_thresholds();
                for (i, t) in jw.iter().enumerate() {
                    l.push(format!("jaro-winkler ≥ {t}"));
                    if i == 0 {
                        l.push("satu nama memuat yang lain (gelar/inisial/nama tunggal)".into());
                    }
                }
                if jw.is_empty() {
                    l.push("satu nama memuat yang lain (gelar/inisial/nama tunggal)".into());
                }
            }
            Kind::Nik => {
                // The order of features::nik_levels.
                l.push("dua digit bersebelahan tertukar (di luar bagian tanggal)".into());
                l.push("15 digit pertama sama (terpotong Excel)".into());
                l.push("satu digit kode wilayah berbeda".into());
                l.push("wilayah dan tanggal sama, nomor urut berbeda".into());
                l.push("bagian tanggal beda satu digit atau tertukar".into());
            }
            Kind::Kk => {
                l.push("dua digit bersebelahan tertukar".into());
                l.push("15 digit pertama sama (terpotong Excel)".into());
            }
            Kind::Tanggal => {
                if self.day_month_swap {
                    l.push("hari dan bulan tertukar".into());
                }
                if self.one_digit {
                    l.push("satu digit berbeda".into());
                }
                if self.same_year {
                    l.push("tahun sama".into());
                }
                if self.year_only {
                    l.push("hanya tahun: sama".into());
                    l.push("hanya tahun: selisih satu".into());
                }
            }
            Kind::Angka => {
                for d in &self.differences {
                    l.push(format!("selisih ≤ {d}"));
                }
            }
            Kind::JenisKelamin => {}
        }
        l.push("berbeda".into());
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(e: &LinkError) -> String {
        sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&sinergi_core::Localized::msg(e))
    }

    #[test]
    fn preset_is_valid_and_complete() {
        let s = Settings::person_preset();
        assert_eq!(s.id_column, "id");
        assert_eq!(s.comparisons.len(), 6);
        assert!(s.blocking.iter().any(|b| b.train));
        assert_eq!(
            s.comparisons[0].levels(),
            [
                "sama persis",
                "dua digit bersebelahan tertukar (di luar bagian tanggal)",
                "15 digit pertama sama (terpotong Excel)",
                "satu digit kode wilayah berbeda",
                "wilayah dan tanggal sama, nomor urut berbeda",
                "bagian tanggal beda satu digit atau tertukar",
                "berbeda"
            ]
        );
    }

    #[test]
    fn unknown_keys_kinds_and_columns_are_named() {
        let base = "kolom_id = \"id\"\n[[perbandingan]]\nkolom = \"nama\"\njenis = \"nama\"\n[[blok]]\nkunci = [\"nama\"]\n";
        assert!(Settings::from_toml(base).is_ok());
        let e = Settings::from_toml(&format!("ambangg = 0.8\n{base}"))
            .map_err(|e| shown(&e))
            .unwrap_err();
        assert!(
            e.contains("\"ambangg\"") && e.contains("tidak dikenal"),
            "{e}"
        );
        let e =
            Settings::from_toml(&base.replace("jenis = \"nama\"", "jenis = \"nama\"\nwarna = 1"))
                .map_err(|e| shown(&e))
                .unwrap_err();
        assert!(
            e.contains("\"warna\"") && e.contains("[[perbandingan]] ke-1"),
            "{e}"
        );
        let e = Settings::from_toml(&base.replace("jenis = \"nama\"", "jenis = \"huruf\""))
            .map_err(|e| shown(&e))
            .unwrap_err();
        assert!(e.contains("jenis \"huruf\""), "{e}");
        let e = Settings::from_toml(&base.replace("kunci = [\"nama\"]", "kunci = [\"nik\"]"))
            .map_err(|e| shown(&e))
            .unwrap_err();
        assert!(e.contains("kolom \"nik\" tidak ada"), "{e}");
        let e =
            Settings::from_toml(&base.replace("kunci = [\"nama\"]", "kunci = [\"nama:tahun\"]"))
                .map_err(|e| shown(&e))
                .unwrap_err();
        assert!(e.contains("fungsi \"tahun\""), "{e}");
        let e = Settings::from_toml("kolom_id = ")
            .map_err(|e| shown(&e))
            .unwrap_err();
        assert!(e.contains("bukan TOML"), "{e}");
    }
}
