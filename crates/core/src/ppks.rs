//! The 26 categories of people needing social-welfare services.
//!
//! Permensos 8/2012 calls them PMKS (*Penyandang Masalah Kesejahteraan Sosial*); Permensos
//! 5/2019 calls them PPKS (*Pemerlu Pelayanan Kesejahteraan Sosial*). It is the same list in
//! the same order, so the number is stable across both names. Abbreviations are only those seen
//! in use; the grouping is informal, for dashboards, not part of the regulation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::msg::{Localized, Msg};

pub const LEGAL_BASIS: &str =
    "Permensos 8/2012 (sebagai PMKS); Permensos 5/2019 (sebagai PPKS, 26 kategori yang sama)";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PpksError {
    #[error("kategori PPKS kosong")]
    Empty,
    #[error("nomor PPKS {number} tidak ada; nomor PPKS hanya 1 sampai 26")]
    NumberOutOfRange { number: u32 },
    #[error(
        "kategori PPKS \"{value}\" tidak dikenali; tulis nomor 1–26, singkatan (mis. LUT, ADK) \
         atau nama resminya (mis. Lanjut Usia Terlantar)"
    )]
    Unknown { value: String },
}

impl PpksError {
    pub fn code(&self) -> &'static str {
        match self {
            PpksError::Empty => "ppks.empty",
            PpksError::NumberOutOfRange { .. } => "ppks.number_out_of_range",
            PpksError::Unknown { .. } => "ppks.unknown",
        }
    }
}

impl Localized for PpksError {
    fn msg(&self) -> Msg {
        let m = Msg::new(self.code());
        match self {
            PpksError::Empty => m,
            PpksError::NumberOutOfRange { number } => m.arg("number", number),
            PpksError::Unknown { value } => m.arg("value", value),
        }
    }
}

/// Informal grouping of the 26 categories (not official).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PpksGroup {
    Anak,
    Lansia,
    Disabilitas,
    TunaSosial,
    Korban,
    Bencana,
    Kemiskinan,
    Keluarga,
    Komunitas,
}

impl PpksGroup {
    pub const ALL: [PpksGroup; 9] = [
        PpksGroup::Anak,
        PpksGroup::Lansia,
        PpksGroup::Disabilitas,
        PpksGroup::TunaSosial,
        PpksGroup::Korban,
        PpksGroup::Bencana,
        PpksGroup::Kemiskinan,
        PpksGroup::Keluarga,
        PpksGroup::Komunitas,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PpksGroup::Anak => "anak",
            PpksGroup::Lansia => "lansia",
            PpksGroup::Disabilitas => "disabilitas",
            PpksGroup::TunaSosial => "tuna_sosial",
            PpksGroup::Korban => "korban",
            PpksGroup::Bencana => "bencana",
            PpksGroup::Kemiskinan => "kemiskinan",
            PpksGroup::Keluarga => "keluarga",
            PpksGroup::Komunitas => "komunitas",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            PpksGroup::Anak => "Anak",
            PpksGroup::Lansia => "Lanjut usia",
            PpksGroup::Disabilitas => "Disabilitas",
            PpksGroup::TunaSosial => "Tuna sosial",
            PpksGroup::Korban => "Korban",
            PpksGroup::Bencana => "Bencana",
            PpksGroup::Kemiskinan => "Kemiskinan",
            PpksGroup::Keluarga => "Keluarga",
            PpksGroup::Komunitas => "Komunitas",
        }
    }

    pub fn members(self) -> impl Iterator<Item = Ppks> {
        Ppks::ALL.into_iter().filter(move |p| p.group() == self)
    }
}

/// One of the 26 PPKS categories; the discriminant is the official number.
/// Serialised as its slug (e.g. `"lanjut_usia_terlantar"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Ppks {
    AnakBalitaTerlantar = 1,
    AnakTerlantar = 2,
    AnakBerhadapanDenganHukum = 3,
    AnakJalanan = 4,
    AnakDenganKedisabilitasan = 5,
    AnakKorbanKekerasan = 6,
    AnakPerlindunganKhusus = 7,
    LanjutUsiaTerlantar = 8,
    PenyandangDisabilitas = 9,
    TunaSusila = 10,
    Gelandangan = 11,
    Pengemis = 12,
    Pemulung = 13,
    KelompokMinoritas = 14,
    BekasWargaBinaanLapas = 15,
    OrangDenganHivAids = 16,
    KorbanNapza = 17,
    KorbanTrafficking = 18,
    KorbanTindakKekerasan = 19,
    PekerjaMigranBermasalahSosial = 20,
    KorbanBencanaAlam = 21,
    KorbanBencanaSosial = 22,
    PerempuanRawanSosialEkonomi = 23,
    FakirMiskin = 24,
    KeluargaBermasalahSosialPsikologis = 25,
    KomunitasAdatTerpencil = 26,
}

use Ppks::*;
use PpksGroup as G;

/// (category, official name, common abbreviation, informal group, slug), in official order.
const TABLE: [(Ppks, &str, Option<&str>, PpksGroup, &str); 26] = [
    (
        AnakBalitaTerlantar,
        "Anak Balita Terlantar",
        Some("ABT"),
        G::Anak,
        "anak_balita_terlantar",
    ),
    (
        AnakTerlantar,
        "Anak Terlantar",
        Some("AT"),
        G::Anak,
        "anak_terlantar",
    ),
    (
        AnakBerhadapanDenganHukum,
        "Anak yang Berhadapan dengan Hukum",
        Some("ABH"),
        G::Anak,
        "anak_berhadapan_dengan_hukum",
    ),
    (
        AnakJalanan,
        "Anak Jalanan",
        Some("ANJAL"),
        G::Anak,
        "anak_jalanan",
    ),
    (
        AnakDenganKedisabilitasan,
        "Anak dengan Kedisabilitasan",
        Some("ADK"),
        G::Anak,
        "anak_dengan_kedisabilitasan",
    ),
    (
        AnakKorbanKekerasan,
        "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah",
        None,
        G::Anak,
        "anak_korban_tindak_kekerasan",
    ),
    (
        AnakPerlindunganKhusus,
        "Anak yang Memerlukan Perlindungan Khusus",
        Some("AMPK"),
        G::Anak,
        "anak_memerlukan_perlindungan_khusus",
    ),
    (
        LanjutUsiaTerlantar,
        "Lanjut Usia Terlantar",
        Some("LUT"),
        G::Lansia,
        "lanjut_usia_terlantar",
    ),
    (
        PenyandangDisabilitas,
        "Penyandang Disabilitas",
        Some("PD"),
        G::Disabilitas,
        "penyandang_disabilitas",
    ),
    (
        TunaSusila,
        "Tuna Susila",
        None,
        G::TunaSosial,
        "tuna_susila",
    ),
    (
        Gelandangan,
        "Gelandangan",
        None,
        G::TunaSosial,
        "gelandangan",
    ),
    (Pengemis, "Pengemis", None, G::TunaSosial, "pengemis"),
    (Pemulung, "Pemulung", None, G::TunaSosial, "pemulung"),
    (
        KelompokMinoritas,
        "Kelompok Minoritas",
        None,
        G::TunaSosial,
        "kelompok_minoritas",
    ),
    (
        BekasWargaBinaanLapas,
        "Bekas Warga Binaan Lembaga Pemasyarakatan",
        Some("BWBLP"),
        G::TunaSosial,
        "bekas_warga_binaan_lembaga_pemasyarakatan",
    ),
    (
        OrangDenganHivAids,
        "Orang dengan HIV/AIDS",
        Some("ODHA"),
        G::Korban,
        "orang_dengan_hiv_aids",
    ),
    (
        KorbanNapza,
        "Korban Penyalahgunaan NAPZA",
        None,
        G::Korban,
        "korban_penyalahgunaan_napza",
    ),
    (
        KorbanTrafficking,
        "Korban Trafficking",
        None,
        G::Korban,
        "korban_trafficking",
    ),
    (
        KorbanTindakKekerasan,
        "Korban Tindak Kekerasan",
        None,
        G::Korban,
        "korban_tindak_kekerasan",
    ),
    (
        PekerjaMigranBermasalahSosial,
        "Pekerja Migran Bermasalah Sosial",
        Some("PMBS"),
        G::Korban,
        "pekerja_migran_bermasalah_sosial",
    ),
    (
        KorbanBencanaAlam,
        "Korban Bencana Alam",
        Some("KBA"),
        G::Bencana,
        "korban_bencana_alam",
    ),
    (
        KorbanBencanaSosial,
        "Korban Bencana Sosial",
        Some("KBS"),
        G::Bencana,
        "korban_bencana_sosial",
    ),
    (
        PerempuanRawanSosialEkonomi,
        "Perempuan Rawan Sosial Ekonomi",
        None,
        G::Kemiskinan,
        "perempuan_rawan_sosial_ekonomi",
    ),
    (
        FakirMiskin,
        "Fakir Miskin",
        None,
        G::Kemiskinan,
        "fakir_miskin",
    ),
    (
        KeluargaBermasalahSosialPsikologis,
        "Keluarga Bermasalah Sosial Psikologis",
        Some("KBSP"),
        G::Keluarga,
        "keluarga_bermasalah_sosial_psikologis",
    ),
    (
        KomunitasAdatTerpencil,
        "Komunitas Adat Terpencil",
        Some("KAT"),
        G::Komunitas,
        "komunitas_adat_terpencil",
    ),
];

/// Lowercase words of letters and digits only, so "Orang dengan HIV/AIDS (ODHA)",
/// "orang_dengan_hiv_aids" and "ORANG DENGAN HIV AIDS" compare equal.
fn fold(s: &str) -> String {
    let no_paren = match s.find('(') {
        Some(i) if s.trim_end().ends_with(')') && i > 0 => &s[..i],
        _ => s,
    };
    let spaced: String = no_paren
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Ppks {
    pub const ALL: [Ppks; 26] = {
        let mut out = [AnakBalitaTerlantar; 26];
        let mut i = 0;
        while i < 26 {
            out[i] = TABLE[i].0;
            i += 1;
        }
        out
    };

    fn row(
        self,
    ) -> &'static (
        Ppks,
        &'static str,
        Option<&'static str>,
        PpksGroup,
        &'static str,
    ) {
        &TABLE[usize::from(self.number() - 1)]
    }

    /// Official number 1..=26.
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Ppks> {
        Ppks::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// Official name as in Permensos 8/2012 and 5/2019.
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// Abbreviation seen in use, where there is one.
    pub fn abbreviation(self) -> Option<&'static str> {
        self.row().2
    }

    pub fn group(self) -> PpksGroup {
        self.row().3
    }

    /// Stable key for storage and URLs.
    pub fn slug(self) -> &'static str {
        self.row().4
    }

    pub fn from_slug(slug: &str) -> Option<Ppks> {
        Ppks::ALL.into_iter().find(|p| p.slug() == slug)
    }

    pub fn from_abbreviation(abbr: &str) -> Option<Ppks> {
        let abbr = abbr.trim();
        Ppks::ALL.into_iter().find(|p| {
            p.abbreviation()
                .is_some_and(|a| a.eq_ignore_ascii_case(abbr))
        })
    }

    /// Official name, ignoring case, punctuation and a trailing "(ABBR)".
    pub fn from_name(name: &str) -> Option<Ppks> {
        let want = fold(name);
        Ppks::ALL.into_iter().find(|p| fold(p.name()) == want)
    }

    /// Accepts a number (`8`, `08`, `PPKS-08`, `PMKS 8`), an abbreviation, a name or a slug.
    pub fn lookup(input: &str) -> Result<Ppks, PpksError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(PpksError::Empty);
        }
        let upper = value.to_uppercase();
        let numeric = ["PPKS", "PMKS"]
            .iter()
            .find_map(|pre| upper.strip_prefix(pre))
            .map(|r| r.trim_start_matches([' ', '-', '.', '_', '#']))
            .unwrap_or(&upper);
        if !numeric.is_empty() && numeric.bytes().all(|b| b.is_ascii_digit()) {
            let number: u32 = numeric.parse().unwrap_or(u32::MAX);
            return u8::try_from(number)
                .ok()
                .and_then(Ppks::from_number)
                .ok_or(PpksError::NumberOutOfRange { number });
        }
        Ppks::from_abbreviation(value)
            .or_else(|| Ppks::from_name(value))
            .or_else(|| {
                Ppks::ALL
                    .into_iter()
                    .find(|p| fold(p.slug()) == fold(value))
            })
            .ok_or_else(|| PpksError::Unknown {
                value: value.to_string(),
            })
    }
}

impl fmt::Display for Ppks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Ppks {
    type Err = PpksError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ppks::lookup(s)
    }
}

impl TryFrom<String> for Ppks {
    type Error = PpksError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Ppks::from_slug(&s).ok_or(PpksError::Unknown { value: s })
    }
}

impl From<Ppks> for &'static str {
    fn from(p: Ppks) -> &'static str {
        p.slug()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_complete_and_in_order() {
        assert_eq!(Ppks::ALL.len(), 26);
        for (i, p) in Ppks::ALL.iter().enumerate() {
            assert_eq!(usize::from(p.number()), i + 1, "{p:?}");
            assert_eq!(TABLE[i].0, *p);
            assert_eq!(Ppks::from_number(p.number()), Some(*p));
        }
        assert_eq!(Ppks::from_number(0), None);
        assert_eq!(Ppks::from_number(27), None);
        let slugs: HashSet<_> = Ppks::ALL.iter().map(|p| p.slug()).collect();
        let names: HashSet<_> = Ppks::ALL.iter().map(|p| fold(p.name())).collect();
        assert_eq!((slugs.len(), names.len()), (26, 26));
        for p in Ppks::ALL {
            let s = p.slug();
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
        }
    }

    #[test]
    fn official_names_and_abbreviations() {
        assert_eq!(
            Ppks::from_number(1).unwrap().name(),
            "Anak Balita Terlantar"
        );
        assert_eq!(
            Ppks::from_number(6).unwrap().name(),
            "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah"
        );
        assert_eq!(
            Ppks::from_number(15).unwrap().name(),
            "Bekas Warga Binaan Lembaga Pemasyarakatan"
        );
        assert_eq!(Ppks::from_number(24).unwrap(), FakirMiskin);
        assert_eq!(
            Ppks::from_number(26).unwrap().name(),
            "Komunitas Adat Terpencil"
        );
        let abbrs: Vec<&str> = Ppks::ALL.iter().filter_map(|p| p.abbreviation()).collect();
        assert_eq!(
            abbrs,
            [
                "ABT", "AT", "ABH", "ANJAL", "ADK", "AMPK", "LUT", "PD", "BWBLP", "ODHA", "PMBS",
                "KBA", "KBS", "KBSP", "KAT"
            ]
        );
        assert_eq!(FakirMiskin.abbreviation(), None);
        assert_eq!(LanjutUsiaTerlantar.to_string(), "Lanjut Usia Terlantar");
    }

    #[test]
    fn lookups() {
        assert_eq!(Ppks::from_abbreviation("lut"), Some(LanjutUsiaTerlantar));
        assert_eq!(Ppks::from_abbreviation("Anjal"), Some(AnakJalanan));
        assert_eq!(Ppks::from_abbreviation("XYZ"), None);
        assert_eq!(Ppks::from_name("fakir miskin"), Some(FakirMiskin));
        assert_eq!(
            Ppks::from_name("  ORANG DENGAN HIV/AIDS "),
            Some(OrangDenganHivAids)
        );
        assert_eq!(
            Ppks::from_name("Orang dengan HIV/AIDS (ODHA)"),
            Some(OrangDenganHivAids)
        );
        assert_eq!(
            Ppks::from_name("Anak dengan Kedisabilitasan (ADK)"),
            Some(AnakDenganKedisabilitasan)
        );
        assert_eq!(Ppks::from_name("Anak"), None);
        assert_eq!(
            Ppks::from_slug("komunitas_adat_terpencil"),
            Some(KomunitasAdatTerpencil)
        );
        assert_eq!(Ppks::from_slug("Komunitas Adat Terpencil"), None);
        for s in [
            "8",
            "08",
            "PPKS-08",
            "pmks 8",
            "LUT",
            "lanjut usia terlantar",
            "lanjut_usia_terlantar",
        ] {
            assert_eq!(Ppks::lookup(s), Ok(LanjutUsiaTerlantar), "{s}");
        }
        assert_eq!(
            "Korban Penyalahgunaan NAPZA".parse::<Ppks>(),
            Ok(KorbanNapza)
        );
        assert_eq!(
            Ppks::lookup("27").unwrap_err().code(),
            "ppks.number_out_of_range"
        );
        assert_eq!(
            Ppks::lookup("0").unwrap_err().code(),
            "ppks.number_out_of_range"
        );
        assert_eq!(
            Ppks::lookup("99999999999999").unwrap_err().code(),
            "ppks.number_out_of_range"
        );
        assert_eq!(Ppks::lookup(" ").unwrap_err().code(), "ppks.empty");
        let e = Ppks::lookup("Anak Nakal").unwrap_err();
        assert_eq!(e.code(), "ppks.unknown");
        assert!(e.to_string().contains("\"Anak Nakal\""));
        assert_eq!(
            Ppks::lookup("27").unwrap_err().to_string(),
            "nomor PPKS 27 tidak ada; nomor PPKS hanya 1 sampai 26"
        );
    }

    #[test]
    fn groups() {
        let anak: Vec<u8> = PpksGroup::Anak.members().map(Ppks::number).collect();
        assert_eq!(anak, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(PpksGroup::TunaSosial.members().count(), 6);
        assert_eq!(
            PpksGroup::ALL
                .iter()
                .map(|g| g.members().count())
                .sum::<usize>(),
            26
        );
        assert_eq!(KomunitasAdatTerpencil.group(), PpksGroup::Komunitas);
        assert_eq!(PpksGroup::TunaSosial.key(), "tuna_sosial");
    }

    #[test]
    fn serde_uses_slug() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};
        let de: StrDeserializer<DeError> = "fakir_miskin".into_deserializer();
        assert_eq!(Ppks::deserialize(de).unwrap(), FakirMiskin);
        let de: StrDeserializer<DeError> = "Fakir Miskin".into_deserializer();
        assert!(Ppks::deserialize(de).is_err());
        assert_eq!(<&'static str>::from(FakirMiskin), "fakir_miskin");
    }
}
