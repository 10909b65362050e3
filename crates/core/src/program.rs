//! Programs of partners (the "what", "for whom", "when" and "with what" of the 4W matrix):
//! the vocabularies they are described in and the rules a program must satisfy before it is
//! stored, whichever way it arrives (form, API, 4W spreadsheet).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::Viewer;
use crate::msg::Msg;
use crate::ppks::Ppks;
use crate::region::{Level, RegionCode};
use crate::text::fold_text;

/// A vocabulary of stable keys (stored, in URLs, in the 4W template) with accepted aliases.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $key:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }

            /// The key, or an alias as partners write it (case, spaces and dashes ignored).
            pub fn lookup(input: &str) -> Option<$name> {
                let folded = fold_text(input).replace(' ', "_");
                if folded.is_empty() {
                    return None;
                }
                $(
                    if folded == $key $(|| folded == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted keys, for messages.
            pub fn keys() -> String {
                Self::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", ")
            }

            /// Why `value` is refused: not one of the keys, which are listed.
            pub fn unknown(value: &str) -> Msg {
                Msg::new("programs.value_unknown")
                    .arg("value", value)
                    .arg("choices", Self::keys())
            }
        }
    };
}

vocabulary! {
    /// The field a program works in.
    Sector {
        PerlindunganSosial => "perlindungan_sosial" | "linjamsos" | "jaminan_sosial" | "social_protection",
        RehabilitasiSosial => "rehabilitasi_sosial" | "rehsos" | "rehabilitasi",
        PemberdayaanEkonomi => "pemberdayaan_ekonomi" | "pemberdayaan" | "ekonomi" | "economic_empowerment",
        Pendidikan => "pendidikan" | "education",
        Kesehatan => "kesehatan" | "gizi" | "health",
        Perumahan => "perumahan" | "rumah" | "housing",
        PerlindunganAnak => "perlindungan_anak" | "anak" | "child_protection",
        PenanggulanganBencana => "penanggulangan_bencana" | "bencana" | "disaster",
        Lainnya => "lainnya" | "other",
    }
}

vocabulary! {
    /// What a beneficiary receives.
    AidType {
        Tunai => "tunai" | "uang" | "cash" | "bantuan_tunai",
        Barang => "barang" | "natura" | "sembako" | "makanan" | "in_kind" | "paket",
        Layanan => "layanan" | "jasa" | "service",
        Beasiswa => "beasiswa" | "scholarship",
        Perumahan => "perumahan" | "rehab_rumah" | "bedah_rumah" | "housing",
        Pelatihan => "pelatihan" | "training",
        Pendampingan => "pendampingan" | "mentoring",
    }
}

vocabulary! {
    /// Where the money comes from.
    FundingSource {
        Apbn => "apbn",
        Apbd => "apbd",
        Apbdes => "apbdes" | "dana_desa",
        Csr => "csr" | "tjsl",
        Zakat => "zakat_infak_sedekah" | "zakat" | "zis" | "ziswaf",
        Filantropi => "filantropi" | "donasi" | "philanthropy",
        Hibah => "hibah" | "grant",
        Swadaya => "swadaya",
        Lainnya => "lainnya" | "other",
    }
}

vocabulary! {
    ProgramStatus {
        Rencana => "rencana" | "direncanakan" | "planned",
        Berjalan => "berjalan" | "aktif" | "running",
        Selesai => "selesai" | "done" | "finished",
        Dihentikan => "dihentikan" | "batal" | "stopped",
    }
}

vocabulary! {
    /// Which sex a program serves.
    SexTarget {
        Semua => "semua" | "l_p" | "all",
        LakiLaki => "laki_laki" | "l" | "pria" | "male",
        Perempuan => "perempuan" | "p" | "wanita" | "female",
    }
}

/// Who a program serves: desil band, age band, sex, and whether only people with a disability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub desil_from: u8,
    pub desil_to: u8,
    pub age_min: u8,
    pub age_max: u8,
    pub sex: SexTarget,
    pub disability_only: bool,
}

impl Default for TargetGroup {
    fn default() -> TargetGroup {
        TargetGroup {
            desil_from: 1,
            desil_to: 10,
            age_min: 0,
            age_max: AGE_MAX,
            sex: SexTarget::Semua,
            disability_only: false,
        }
    }
}

/// Oldest age a band may name.
pub const AGE_MAX: u8 = 120;

impl TargetGroup {
    /// How much two groups share, 0..=1: the shared part of the narrower desil and age bands;
    /// 0 when they cannot reach the same person (disjoint bands, opposite sexes).
    pub fn overlap(&self, other: &TargetGroup) -> f64 {
        let sexes_meet = matches!(
            (self.sex, other.sex),
            (SexTarget::Semua, _) | (_, SexTarget::Semua)
        ) || self.sex == other.sex;
        if !sexes_meet {
            return 0.0;
        }
        let band = |a: (u8, u8), b: (u8, u8)| {
            let lo = a.0.max(b.0);
            let hi = a.1.min(b.1);
            if lo > hi {
                return 0.0;
            }
            let shared = f64::from(hi - lo) + 1.0;
            let narrower = f64::from((a.1 - a.0).min(b.1 - b.0)) + 1.0;
            shared / narrower
        };
        band(
            (self.desil_from, self.desil_to),
            (other.desil_from, other.desil_to),
        ) * band((self.age_min, self.age_max), (other.age_min, other.age_max))
    }

    /// Reads an age band as partners write it: `6-18`, `60+`, `≥ 60`, `0 - 5`, blank = all.
    pub fn parse_ages(input: &str) -> Result<(u8, u8), Msg> {
        let s = input
            .trim()
            .replace(['≥', '>', '='], "")
            .replace("tahun", "");
        let s = s.trim();
        if s.is_empty() || fold_text(s) == "semua" {
            return Ok((0, AGE_MAX));
        }
        let num = |t: &str| {
            t.trim()
                .parse::<u8>()
                .map_err(|_| Msg::new("programs.ages_unknown").arg("value", input))
        };
        if let Some(lo) = s.strip_suffix('+') {
            return Ok((num(lo)?, AGE_MAX));
        }
        if let Some((a, b)) = s.split_once(['-', '–']) {
            return Ok((num(a)?, num(b)?));
        }
        let one = num(s)?;
        Ok((one, one))
    }

    /// `6-18`, `60+`, or empty for everyone.
    pub fn ages_text(&self) -> String {
        match (self.age_min, self.age_max) {
            (0, AGE_MAX) => String::new(),
            (lo, AGE_MAX) => format!("{lo}+"),
            (lo, hi) => format!("{lo}-{hi}"),
        }
    }
}

/// Beneficiaries reached, disaggregated (Satu Data Gender dan Anak).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub total: u64,
    pub male: u64,
    pub female: u64,
    pub children: u64,
    pub disability: u64,
}

/// One place a program runs, with its planned and reached beneficiaries there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramLocation {
    pub region: RegionCode,
    pub planned: u64,
    pub reached: u64,
}

/// A program as entered, before it has an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramInput {
    pub organisation_id: i64,
    /// The partner's own code for the program: the key a re-import updates by.
    pub code: String,
    pub name: String,
    pub sector: Sector,
    pub ppks: Vec<Ppks>,
    pub aid_type: AidType,
    pub funding: FundingSource,
    pub budget_rp: u64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: ProgramStatus,
    pub target: TargetGroup,
    pub planned: u64,
    pub reached: Reached,
    pub locations: Vec<ProgramLocation>,
}

/// One reason a program is refused, naming the field (as the 4W template and the API call it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: Msg,
}

impl FieldError {
    pub fn new(field: &'static str, reason: Msg) -> FieldError {
        FieldError { field, reason }
    }

    /// "field: reason", as one message.
    pub fn msg(&self) -> Msg {
        Msg::new("programs.field_reason")
            .arg("field", self.field)
            .arg_msg("reason", self.reason.clone())
    }
}

/// For logs: the field and the key of the reason (users see it rendered).
impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason.key)
    }
}

impl crate::msg::Localized for FieldError {
    fn msg(&self) -> Msg {
        FieldError::msg(self)
    }
}

fn err(field: &'static str, reason: Msg) -> FieldError {
    FieldError { field, reason }
}

/// Whether `viewer` may change the programs of `organisation` (within the places it sees):
/// a partner or LKS only its own; regional roles any organisation's; the system everything.
pub fn may_edit_program(viewer: &Viewer, organisation: i64) -> bool {
    viewer.can_write()
        && match viewer.principal() {
            Some(p) if p.role.is_organisation_bound() => p.scope.organisation == Some(organisation),
            _ => true,
        }
}

/// The organisation whose programs alone `viewer` works with (partners and LKS), if any.
pub fn own_organisation(viewer: &Viewer) -> Option<i64> {
    viewer
        .principal()
        .filter(|p| p.role.is_organisation_bound())
        .and_then(|p| p.scope.organisation)
}

/// The organisation a program entered by `viewer` belongs to, given the one it names: a
/// partner or LKS enters its own organisation's programs only (the one named, or none named);
/// anyone else must name one.
pub fn program_organisation(viewer: &Viewer, named: Option<i64>) -> Result<i64, Msg> {
    let bound = viewer
        .principal()
        .filter(|p| p.role.is_organisation_bound());
    match (bound.map(|p| p.scope.organisation), named) {
        (Some(Some(own)), None) => Ok(own),
        (Some(Some(own)), Some(o)) if o == own => Ok(own),
        (Some(_), Some(o)) => Err(Msg::new("programs.organisation_not_own_id").arg("id", o)),
        (_, Some(o)) => Ok(o),
        (_, None) => Err(Msg::new("programs.organisation_id_required")),
    }
}

/// The regions whose desa need figures (the gap analysis) `viewer` is given: `None` for all
/// (the system), the scope's regions for a user (none for the public).
pub fn need_regions(viewer: &Viewer) -> Option<Vec<RegionCode>> {
    match viewer {
        Viewer::System(_) => None,
        Viewer::Public => Some(Vec::new()),
        Viewer::User(p) => Some(p.scope.regions.clone()),
    }
}

impl ProgramInput {
    /// Every problem at once, so a partner fixes a row in one go.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        let code = self.code.trim();
        if code.is_empty() {
            e.push(err("kode_program", Msg::new("programs.required")));
        } else if code.chars().count() > 64 {
            e.push(err(
                "kode_program",
                Msg::new("programs.too_long").arg("max", 64),
            ));
        }
        if self.name.trim().is_empty() {
            e.push(err("nama_program", Msg::new("programs.required")));
        } else if self.name.chars().count() > 200 {
            e.push(err(
                "nama_program",
                Msg::new("programs.too_long").arg("max", 200),
            ));
        }
        if self.end < self.start {
            e.push(err(
                "selesai",
                Msg::new("programs.end_before_start")
                    .arg("end", self.end)
                    .arg("start", self.start),
            ));
        }
        let t = &self.target;
        if !(1..=10).contains(&t.desil_from) || !(1..=10).contains(&t.desil_to) {
            e.push(err("desil", Msg::new("programs.desil_range")));
        } else if t.desil_from > t.desil_to {
            e.push(err(
                "desil",
                Msg::new("programs.desil_reversed")
                    .arg("from", t.desil_from)
                    .arg("to", t.desil_to),
            ));
        }
        if t.age_min > t.age_max || t.age_max > AGE_MAX {
            e.push(err(
                "usia",
                Msg::new("programs.ages_invalid")
                    .arg("min", t.age_min)
                    .arg("max", t.age_max),
            ));
        }
        if self.budget_rp > 1_000_000_000_000_000 {
            e.push(err("anggaran_rp", Msg::new("programs.budget_too_large")));
        }
        let r = &self.reached;
        if r.male + r.female > r.total && r.total > 0 {
            e.push(err(
                "tercapai",
                Msg::new("programs.reached_sexes_exceed")
                    .arg("male", r.male)
                    .arg("female", r.female)
                    .arg("total", r.total),
            ));
        }
        if r.children > r.total || r.disability > r.total {
            e.push(err("tercapai", Msg::new("programs.reached_groups_exceed")));
        }
        if self.locations.is_empty() {
            e.push(err("lokasi", Msg::new("programs.location_required")));
        }
        let mut seen = std::collections::HashSet::new();
        for l in &self.locations {
            if l.region.level() == Level::Provinsi {
                e.push(err(
                    "lokasi",
                    Msg::new("programs.location_province").arg("code", &l.region),
                ));
            }
            if !seen.insert(l.region.as_str()) {
                e.push(err(
                    "lokasi",
                    Msg::new("programs.location_twice").arg("code", &l.region),
                ));
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// Planned beneficiaries: the program's own figure, or the sum over its locations.
    pub fn planned_total(&self) -> u64 {
        if self.planned > 0 {
            self.planned
        } else {
            self.locations.iter().map(|l| l.planned).sum()
        }
    }

    /// The narrowest region holding every location (for the audit trail and display).
    pub fn home_region(&self) -> Option<RegionCode> {
        let mut iter = self.locations.iter().map(|l| &l.region);
        let first = iter.next()?.clone();
        Some(iter.fold(first, |acc, r| common_ancestor(&acc, r).unwrap_or(acc)))
    }
}

/// A stored program with its places, as every face reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Program {
    pub id: i64,
    pub organisation_name: String,
    #[serde(flatten)]
    pub input: ProgramInput,
    /// Region names of the locations, by code.
    pub region_names: std::collections::HashMap<String, String>,
    /// The narrowest region holding every location.
    pub region: Option<RegionCode>,
    pub created_at: String,
    pub updated_at: String,
}

impl Program {
    /// The day of the last change.
    pub fn updated_on(&self) -> Option<NaiveDate> {
        self.updated_at
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }

    /// The name of one of its locations, if known.
    pub fn region_name(&self, code: &RegionCode) -> Option<&str> {
        self.region_names.get(code.as_str()).map(String::as_str)
    }
}

/// Filters shared by the program list, the 4W matrix, its export and the API; all optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgramFilter {
    /// Programs with a location in or below this region.
    pub within: Option<RegionCode>,
    pub sector: Option<Sector>,
    pub organisation: Option<i64>,
    /// Programs running at some time between these dates.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Part of the name or code.
    pub query: Option<String>,
}

/// Another organisation's program as a partner sees it beside its own (the overlap peers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerProgram {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub sector: Sector,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub target: TargetGroup,
    /// The desa it shares with the partner's own programs.
    pub desa: Vec<RegionCode>,
}

/// Whether a save created a program or updated one found by organisation and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub id: i64,
    pub created: bool,
}

/// One desa's need figures (latest period of each), for the gap analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesaNeed {
    pub code: RegionCode,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub families: Option<f64>,
    pub desil1: Option<f64>,
    pub extreme_target: bool,
    pub ppks: Option<f64>,
}

/// The deepest region containing both (None when they are in different provinces).
pub fn common_ancestor(a: &RegionCode, b: &RegionCode) -> Option<RegionCode> {
    let mut chain_a = a.ancestors();
    chain_a.push(a.clone());
    chain_a.into_iter().rev().find(|x| x == b || x.contains(b))
}

/// Reads a date in any form [`crate::date::parse_date`] knows (`2025-01-31`, `31/01/2025`, …).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    crate::date::parse_date(input).ok()
}

/// Days two date ranges share (inclusive), 0 when they do not meet.
pub fn shared_days(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> i64 {
    let lo = a.0.max(b.0);
    let hi = a.1.min(b.1);
    if lo > hi { 0 } else { (hi - lo).num_days() + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn input() -> ProgramInput {
        ProgramInput {
            organisation_id: 1,
            code: "P-1".into(),
            name: "Bantuan Pangan".into(),
            sector: Sector::PerlindunganSosial,
            ppks: vec![Ppks::FakirMiskin],
            aid_type: AidType::Barang,
            funding: FundingSource::Csr,
            budget_rp: 10_000_000,
            start: d("2025-01-01"),
            end: d("2025-12-31"),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: 0,
            reached: Reached::default(),
            locations: vec![ProgramLocation {
                region: RegionCode::parse("52.03.05.2003").unwrap(),
                planned: 40,
                reached: 0,
            }],
        }
    }

    #[test]
    fn vocabularies_take_keys_and_aliases() {
        assert_eq!(AidType::lookup("Sembako"), Some(AidType::Barang));
        assert_eq!(AidType::lookup("uang"), Some(AidType::Tunai));
        assert_eq!(FundingSource::lookup("Zakat"), Some(FundingSource::Zakat));
        assert_eq!(
            Sector::lookup("Perlindungan Sosial"),
            Some(Sector::PerlindunganSosial)
        );
        assert_eq!(SexTarget::lookup("P"), Some(SexTarget::Perempuan));
        assert_eq!(Sector::lookup("astronomi"), None);
        assert_eq!(Sector::from_key("kesehatan"), Some(Sector::Kesehatan));
        assert!(Sector::keys().contains("perlindungan_anak"));
    }

    #[test]
    fn validation_names_every_field() {
        assert_eq!(input().validate(), Ok(()));
        let mut bad = input();
        bad.code = " ".into();
        bad.end = d("2024-01-01");
        bad.target.desil_from = 5;
        bad.target.desil_to = 2;
        bad.locations.push(bad.locations[0].clone());
        bad.locations.push(ProgramLocation {
            region: RegionCode::parse("52").unwrap(),
            planned: 0,
            reached: 0,
        });
        let fields: Vec<&str> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["kode_program", "selesai", "desil", "lokasi", "lokasi"]
        );
        let mut none = input();
        none.locations.clear();
        assert_eq!(none.validate().unwrap_err()[0].field, "lokasi");
    }

    #[test]
    fn target_groups_overlap_by_their_narrower_band() {
        let all = TargetGroup::default();
        let poorest = TargetGroup {
            desil_from: 1,
            desil_to: 2,
            ..all
        };
        let d1_4 = TargetGroup {
            desil_from: 1,
            desil_to: 4,
            ..all
        };
        assert_eq!(poorest.overlap(&d1_4), 1.0);
        let d2_5 = TargetGroup {
            desil_from: 2,
            desil_to: 5,
            ..all
        };
        assert_eq!(poorest.overlap(&d2_5), 0.5);
        let d5 = TargetGroup {
            desil_from: 5,
            desil_to: 6,
            ..all
        };
        assert_eq!(poorest.overlap(&d5), 0.0);
        let women = TargetGroup {
            sex: SexTarget::Perempuan,
            ..all
        };
        let men = TargetGroup {
            sex: SexTarget::LakiLaki,
            ..all
        };
        assert_eq!(women.overlap(&men), 0.0);
        assert_eq!(women.overlap(&all), 1.0);
        let children = TargetGroup {
            age_min: 6,
            age_max: 18,
            ..all
        };
        let elderly = TargetGroup { age_min: 60, ..all };
        assert_eq!(children.overlap(&elderly), 0.0);
    }

    #[test]
    fn ages_dates_and_regions() {
        assert_eq!(TargetGroup::parse_ages("6-18"), Ok((6, 18)));
        assert_eq!(TargetGroup::parse_ages("60+"), Ok((60, AGE_MAX)));
        assert_eq!(TargetGroup::parse_ages(""), Ok((0, AGE_MAX)));
        assert!(TargetGroup::parse_ages("anak").is_err());
        assert_eq!(d("31/01/2025"), d("2025-01-31"));
        assert_eq!(
            shared_days(
                (d("2025-01-01"), d("2025-01-10")),
                (d("2025-01-10"), d("2025-02-01"))
            ),
            1
        );
        assert_eq!(
            shared_days(
                (d("2025-01-01"), d("2025-01-10")),
                (d("2025-01-11"), d("2025-02-01"))
            ),
            0
        );
        let mut p = input();
        p.locations.push(ProgramLocation {
            region: RegionCode::parse("52.03.01.2001").unwrap(),
            planned: 1,
            reached: 0,
        });
        assert_eq!(p.home_region().unwrap().as_str(), "52.03");
        assert_eq!(p.planned_total(), 41);
    }

    #[test]
    fn partners_enter_and_edit_only_their_own_programs() {
        use crate::access::{Principal, Role, Scope, Viewer};
        let user = |role, regions: &[&str], organisation| {
            Viewer::User(Principal {
                user_id: 1,
                username: "u".into(),
                role,
                scope: Scope {
                    regions: regions
                        .iter()
                        .map(|r| RegionCode::parse(r).unwrap())
                        .collect(),
                    organisation,
                },
            })
        };
        let partner = user(Role::Mitra, &[], Some(7));
        let operator = user(Role::OperatorKabKota, &["52.03"], None);
        let board = user(Role::Pimpinan, &["52"], None);
        assert_eq!(program_organisation(&partner, None), Ok(7));
        assert_eq!(program_organisation(&partner, Some(7)), Ok(7));
        assert_eq!(
            program_organisation(&partner, Some(8)).unwrap_err().key,
            "programs.organisation_not_own_id"
        );
        assert_eq!(program_organisation(&operator, Some(8)), Ok(8));
        assert_eq!(
            program_organisation(&operator, None).unwrap_err().key,
            "programs.organisation_id_required"
        );
        assert!(may_edit_program(&partner, 7) && !may_edit_program(&partner, 8));
        assert!(may_edit_program(&operator, 8));
        assert!(!may_edit_program(&board, 8) && !may_edit_program(&Viewer::Public, 8));
        assert!(may_edit_program(&Viewer::System("uji"), 8));
        assert_eq!(own_organisation(&partner), Some(7));
        assert_eq!(own_organisation(&operator), None);
        assert_eq!(need_regions(&Viewer::System("uji")), None);
        assert_eq!(need_regions(&Viewer::Public), Some(Vec::new()));
        assert_eq!(
            need_regions(&operator),
            Some(vec![RegionCode::parse("52.03").unwrap()])
        );
    }
}
