//! Public statistics the synthetic world is calibrated to, written into the project as facts.
//!
//! Sources (see each table): population per kab/kota from Dukcapil Kemendagri, *Data
//! Kependudukan Semester II 2024* (as published with Kepmendagri 300.2.2-2430/2025, via
//! cahyadsn/wilayah `db/wilayah_penduduk.sql`, MIT); poverty P0 March 2024 from BPS (Susenas
//! Maret 2024, via databoks.katadata.co.id and regional news citing BPS); stunting from SSGI 2022
//! and SKI 2023 (Kemenkes); child marriage from BPS Susenas 2024; Desil I from DTSEN 2025.
//! Secondary sources: check against the primary BPS/Kemenkes tables before production use.

/// One kab/kota: Dukcapil Semester II 2024 population and BPS P0 March 2024.
#[derive(Debug, Clone, Copy)]
pub struct KabKotaFacts {
    /// Kemendagri code, dotted (`52.01`).
    pub code: &'static str,
    pub name: &'static str,
    pub male: u32,
    pub female: u32,
    /// Percentage of people below the poverty line (P0), March 2024.
    pub poverty_pct: f64,
    /// True when no exact kab/kota value was found and `poverty_pct` is an estimate (the
    /// provincial value, or a whole-number lower bound + 0.5).
    pub poverty_estimated: bool,
}

impl KabKotaFacts {
    pub fn population(&self) -> u32 {
        self.male + self.female
    }
}

/// Facts for one province the generator supports.
#[derive(Debug, Clone, Copy)]
pub struct ProvinceFacts {
    pub code: &'static str,
    pub name: &'static str,
    pub kabkota: &'static [KabKotaFacts],
    /// P0 March 2024, percent.
    pub poverty_pct: f64,
    pub poverty_estimated: bool,
    /// Desil I families at scale 1.0: DTSEN 2025 where published, else an estimate from poverty.
    pub desil1_families: Option<u32>,
    /// Women 20–24 married before 18, percent (BPS Susenas 2024 where published).
    pub child_marriage_pct: f64,
    pub child_marriage_estimated: bool,
}

impl ProvinceFacts {
    pub fn population(&self) -> u64 {
        self.kabkota.iter().map(|k| u64::from(k.population())).sum()
    }
}

/// National P0 March 2024 (BPS): 9.03 %. Used to estimate Desil I where DTSEN is not public.
pub const NATIONAL_POVERTY_PCT: f64 = 9.03;
/// Women 20–24 married before 18, Indonesia 2024 (BPS Susenas, via data.goodstats.id).
pub const NATIONAL_CHILD_MARRIAGE_PCT: f64 = 5.90;
/// NTB Desil I families, DTSEN 2025.
pub const NTB_DESIL1_FAMILIES: u32 = 233_849;

const fn kk(
    code: &'static str,
    name: &'static str,
    male: u32,
    female: u32,
    poverty_pct: f64,
    poverty_estimated: bool,
) -> KabKotaFacts {
    KabKotaFacts {
        code,
        name,
        male,
        female,
        poverty_pct,
        poverty_estimated,
    }
}

/// Nusa Tenggara Barat. P0 for Sumbawa Barat from diskominfotik/insidelombok citing BPS.
pub const NTB: ProvinceFacts = ProvinceFacts {
    code: "52",
    name: "Nusa Tenggara Barat",
    kabkota: &[
        kk(
            "52.01",
            "Kabupaten Lombok Barat",
            380_974,
            381_783,
            12.65,
            false,
        ),
        kk(
            "52.02",
            "Kabupaten Lombok Tengah",
            560_768,
            567_948,
            12.07,
            false,
        ),
        kk(
            "52.03",
            "Kabupaten Lombok Timur",
            726_950,
            730_641,
            14.51,
            false,
        ),
        kk("52.04", "Kabupaten Sumbawa", 263_993, 263_722, 12.87, false),
        kk("52.05", "Kabupaten Dompu", 139_345, 138_492, 11.59, false),
        kk("52.06", "Kabupaten Bima", 272_459, 271_123, 13.88, false),
        kk(
            "52.07",
            "Kabupaten Sumbawa Barat",
            78_434,
            77_625,
            12.23,
            false,
        ),
        kk(
            "52.08",
            "Kabupaten Lombok Utara",
            135_503,
            134_486,
            23.96,
            false,
        ),
        kk("52.71", "Kota Mataram", 230_016, 231_920, 8.00, false),
        kk("52.72", "Kota Bima", 82_338, 82_775, 8.12, false),
    ],
    poverty_pct: 12.91,
    poverty_estimated: false,
    desil1_families: Some(NTB_DESIL1_FAMILIES),
    child_marriage_pct: 14.96,
    child_marriage_estimated: false,
};

/// Jawa Tengah. Missing kab/kota P0 → provincial 10.47 (estimate); whole-number lower bounds
/// from databoks' truncated list → bound + 0.5 (estimate).
pub const JATENG: ProvinceFacts = ProvinceFacts {
    code: "33",
    name: "Jawa Tengah",
    kabkota: &[
        kk(
            "33.01",
            "Kabupaten Cilacap",
            1_043_157,
            1_016_591,
            10.68,
            false,
        ),
        kk(
            "33.02",
            "Kabupaten Banyumas",
            942_169,
            926_277,
            11.95,
            false,
        ),
        kk(
            "33.03",
            "Kabupaten Purbalingga",
            536_866,
            520_884,
            14.18,
            false,
        ),
        kk(
            "33.04",
            "Kabupaten Banjarnegara",
            545_513,
            526_464,
            14.71,
            false,
        ),
        kk("33.05", "Kabupaten Kebumen", 734_040, 712_793, 15.71, false),
        kk("33.06", "Kabupaten Purworejo", 406_024, 403_627, 10.5, true),
        kk(
            "33.07",
            "Kabupaten Wonosobo",
            482_688,
            463_267,
            15.28,
            false,
        ),
        kk("33.08", "Kabupaten Magelang", 677_734, 667_928, 10.5, true),
        kk("33.09", "Kabupaten Boyolali", 557_020, 557_050, 9.63, false),
        kk("33.10", "Kabupaten Klaten", 647_853, 654_795, 12.04, false),
        kk("33.11", "Kabupaten Sukoharjo", 458_337, 458_135, 7.5, true),
        kk("33.12", "Kabupaten Wonogiri", 528_932, 528_563, 10.5, true),
        kk(
            "33.13",
            "Kabupaten Karanganyar",
            475_381,
            478_315,
            9.59,
            false,
        ),
        kk("33.14", "Kabupaten Sragen", 510_418, 513_120, 12.41, false),
        kk(
            "33.15",
            "Kabupaten Grobogan",
            765_275,
            755_699,
            11.43,
            false,
        ),
        kk("33.16", "Kabupaten Blora", 464_464, 463_497, 11.42, false),
        kk("33.17", "Kabupaten Rembang", 334_294, 331_207, 14.02, false),
        kk("33.18", "Kabupaten Pati", 687_717, 698_187, 9.5, true),
        kk("33.19", "Kabupaten Kudus", 438_626, 439_195, 10.47, true),
        kk("33.20", "Kabupaten Jepara", 645_757, 637_930, 6.09, false),
        kk("33.21", "Kabupaten Demak", 634_249, 619_955, 11.5, true),
        kk("33.22", "Kabupaten Semarang", 543_176, 545_553, 10.47, true),
        kk("33.23", "Kabupaten Temanggung", 414_995, 407_885, 8.5, true),
        kk("33.24", "Kabupaten Kendal", 551_157, 543_057, 9.5, true),
        kk("33.25", "Kabupaten Batang", 431_380, 424_498, 8.5, true),
        kk("33.26", "Kabupaten Pekalongan", 525_912, 508_329, 8.5, true),
        kk(
            "33.27",
            "Kabupaten Pemalang",
            814_263,
            786_744,
            14.92,
            false,
        ),
        kk("33.28", "Kabupaten Tegal", 888_045, 857_233, 6.81, false),
        kk(
            "33.29",
            "Kabupaten Brebes",
            1_049_539,
            1_016_887,
            15.6,
            false,
        ),
        kk("33.71", "Kota Magelang", 63_612, 65_097, 10.47, true),
        kk("33.72", "Kota Surakarta", 290_512, 298_730, 8.5, true),
        kk("33.73", "Kota Salatiga", 98_571, 100_400, 4.57, false),
        kk("33.74", "Kota Semarang", 842_737, 859_642, 4.03, false),
        kk("33.75", "Kota Pekalongan", 161_308, 156_913, 6.71, false),
        kk("33.76", "Kota Tegal", 148_668, 145_809, 7.5, true),
    ],
    poverty_pct: 10.47,
    poverty_estimated: false,
    desil1_families: None,
    // Women 20–24 married before 18 is not published per province here; the national 5.90 %
    // stands in (estimate).
    child_marriage_pct: NATIONAL_CHILD_MARRIAGE_PCT,
    child_marriage_estimated: true,
};

/// Kalimantan Selatan. The provincial P0 is not published in our sources, only the count
/// (183.31 thousand); 183,310 / 4,305,281 (Dukcapil) = 4.26 % (estimate). Missing kab/kota → that.
pub const KALSEL: ProvinceFacts = ProvinceFacts {
    code: "63",
    name: "Kalimantan Selatan",
    kabkota: &[
        kk(
            "63.01",
            "Kabupaten Tanah Laut",
            187_908,
            181_910,
            3.74,
            false,
        ),
        kk("63.02", "Kabupaten Kotabaru", 171_691, 161_096, 4.26, true),
        kk("63.03", "Kabupaten Banjar", 298_174, 292_219, 2.36, false),
        kk(
            "63.04",
            "Kabupaten Barito Kuala",
            167_086,
            162_713,
            4.36,
            false,
        ),
        kk("63.05", "Kabupaten Tapin", 101_669, 100_392, 4.26, true),
        kk(
            "63.06",
            "Kabupaten Hulu Sungai Selatan",
            120_554,
            118_917,
            4.26,
            true,
        ),
        kk(
            "63.07",
            "Kabupaten Hulu Sungai Tengah",
            136_840,
            134_665,
            5.81,
            false,
        ),
        kk(
            "63.08",
            "Kabupaten Hulu Sungai Utara",
            119_428,
            118_822,
            5.75,
            false,
        ),
        kk("63.09", "Kabupaten Tabalong", 135_361, 132_426, 4.26, true),
        kk(
            "63.10",
            "Kabupaten Tanah Bumbu",
            183_226,
            173_995,
            3.41,
            false,
        ),
        kk("63.11", "Kabupaten Balangan", 70_475, 68_475, 4.87, false),
        kk("63.71", "Kota Banjarmasin", 341_066, 340_627, 4.58, false),
        kk("63.72", "Kota Banjarbaru", 143_255, 142_291, 3.79, false),
    ],
    poverty_pct: 4.26,
    poverty_estimated: true,
    desil1_families: None,
    // Only the 2019 value (21.2 %) is published for this indicator; a different 2024 indicator
    // (first marriage at ≤ 16 among ever-married women) is 20.61 %. We use 2019 (estimate).
    child_marriage_pct: 21.2,
    child_marriage_estimated: true,
};

pub const PROVINCES: [&ProvinceFacts; 3] = [&NTB, &JATENG, &KALSEL];

/// The facts for a province code (`52`, `33`, `63`), or `None` if the generator has none.
pub fn province(code: &str) -> Option<&'static ProvinceFacts> {
    PROVINCES.iter().copied().find(|p| p.code == code)
}

/// A published figure with its source, as an LKKS would hold it.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    pub region: &'static str,
    pub indicator: &'static str,
    pub period: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub source: &'static str,
    /// `survei` or `administratif`.
    pub kind: &'static str,
    pub note: &'static str,
}

const fn fig(
    region: &'static str,
    indicator: &'static str,
    period: &'static str,
    value: f64,
    source: &'static str,
    kind: &'static str,
    note: &'static str,
) -> Figure {
    Figure {
        region,
        indicator,
        period,
        value,
        unit: "persen",
        source,
        kind,
        note,
    }
}

/// Stunting and child-marriage figures from public sources (SSGI, SKI, Susenas, e-PPGBM).
pub const FIGURES: &[Figure] = &[
    fig(
        "52",
        "stunting",
        "2022",
        32.7,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "52",
        "stunting",
        "2023",
        24.6,
        "SKI 2023 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "52",
        "stunting",
        "2022",
        16.84,
        "e-PPGBM 2022 (penimbangan desa)",
        "administratif",
        "ukuran berbeda dari survei; jangan dicampur",
    ),
    fig(
        "33",
        "stunting",
        "2022",
        20.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "63",
        "stunting",
        "2022",
        24.6,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "63",
        "stunting",
        "2023",
        24.7,
        "SKI 2023 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "52.03",
        "stunting",
        "2021",
        37.6,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "52.04",
        "stunting",
        "2021",
        29.7,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "52.07",
        "stunting",
        "2021",
        23.6,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "63.03",
        "stunting",
        "2021",
        40.2,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "63.06",
        "stunting",
        "2021",
        29.1,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "63.07",
        "stunting",
        "2021",
        29.6,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "63.10",
        "stunting",
        "2021",
        18.7,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "63.71",
        "stunting",
        "2021",
        27.8,
        "SSGI 2021 (Kemenkes, dikutip BKKBN)",
        "survei",
        "",
    ),
    fig(
        "33.03",
        "stunting",
        "2022",
        26.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.04",
        "stunting",
        "2022",
        22.2,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.05",
        "stunting",
        "2022",
        22.1,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.06",
        "stunting",
        "2022",
        21.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.07",
        "stunting",
        "2022",
        22.7,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.08",
        "stunting",
        "2022",
        28.2,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.09",
        "stunting",
        "2022",
        20.0,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.11",
        "stunting",
        "2022",
        19.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.13",
        "stunting",
        "2022",
        22.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.14",
        "stunting",
        "2022",
        24.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.15",
        "stunting",
        "2022",
        19.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.16",
        "stunting",
        "2022",
        25.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.17",
        "stunting",
        "2022",
        24.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.18",
        "stunting",
        "2022",
        23.0,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.19",
        "stunting",
        "2022",
        19.0,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.20",
        "stunting",
        "2022",
        18.2,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.21",
        "stunting",
        "2022",
        16.2,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.22",
        "stunting",
        "2022",
        18.7,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.23",
        "stunting",
        "2022",
        28.9,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.25",
        "stunting",
        "2022",
        23.5,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.26",
        "stunting",
        "2022",
        23.5,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.27",
        "stunting",
        "2022",
        19.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.28",
        "stunting",
        "2022",
        22.3,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.29",
        "stunting",
        "2022",
        29.1,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.71",
        "stunting",
        "2022",
        13.9,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.73",
        "stunting",
        "2022",
        14.2,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.74",
        "stunting",
        "2022",
        10.4,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.75",
        "stunting",
        "2022",
        23.1,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "33.76",
        "stunting",
        "2022",
        16.8,
        "SSGI 2022 (Kemenkes)",
        "survei",
        "",
    ),
    fig(
        "ID",
        "perkawinan_anak",
        "2024",
        5.90,
        "BPS Susenas 2024",
        "survei",
        "perempuan 20–24 tahun yang kawin sebelum 18 tahun",
    ),
    fig(
        "52",
        "perkawinan_anak",
        "2023",
        17.32,
        "BPS Susenas 2023",
        "survei",
        "perempuan 20–24 tahun yang kawin sebelum 18 tahun",
    ),
    fig(
        "52",
        "perkawinan_anak",
        "2024",
        14.96,
        "BPS Susenas 2024",
        "survei",
        "perempuan 20–24 tahun yang kawin sebelum 18 tahun",
    ),
    fig(
        "63",
        "perkawinan_anak",
        "2019",
        21.2,
        "BPS Susenas 2019 (dikutip KemenPPPA)",
        "survei",
        "perempuan 20–24 tahun yang kawin sebelum 18 tahun; data lama",
    ),
    fig(
        "52",
        "kawin_pertama_usia_16_atau_kurang",
        "2024",
        14.65,
        "BPS Susenas 2024",
        "survei",
        "indikator lain: perempuan pernah kawin yang kawin pertama pada usia ≤ 16",
    ),
    fig(
        "33",
        "kawin_pertama_usia_16_atau_kurang",
        "2024",
        15.66,
        "BPS Susenas 2024",
        "survei",
        "indikator lain: perempuan pernah kawin yang kawin pertama pada usia ≤ 16",
    ),
    fig(
        "63",
        "kawin_pertama_usia_16_atau_kurang",
        "2024",
        20.61,
        "BPS Susenas 2024",
        "survei",
        "indikator lain: perempuan pernah kawin yang kawin pertama pada usia ≤ 16",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provincial_totals_match_dukcapil() {
        // Provincial totals of Dukcapil Semester II 2024: the kab/kota rows add up exactly.
        assert_eq!(NTB.population(), 5_751_295);
        assert_eq!(JATENG.population(), 38_430_645);
        assert_eq!(KALSEL.population(), 4_305_281);
        assert_eq!(NTB.kabkota.len(), 10);
        assert_eq!(JATENG.kabkota.len(), 35);
        assert_eq!(KALSEL.kabkota.len(), 13);
    }
}
