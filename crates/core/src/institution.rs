//! Institutions: the LKKS network, the LKS registry, monthly LKS reports and the partner
//! directory. The rules only: formation status and its moves, accreditation grades and their
//! validity, the report workflow and who may move it, penta-helix roles.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use thiserror::Error;

use crate::access::{Principal, Role, RowAccess, Viewer};
use crate::msg::{Localized, Msg};
use crate::region::RegionCode;

macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                let key = key.trim();
                $name::ALL.iter().copied().find(|v| v.key().eq_ignore_ascii_case(key))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

keyed_enum!(
    /// Where an LKKS stands (DOMAIN: not formed, forming, confirmed by decree, active, inactive).
    FormationStatus {
        BelumDibentuk => "belum_dibentuk",
        DalamPembentukan => "dalam_pembentukan",
        Dikukuhkan => "dikukuhkan",
        Aktif => "aktif",
        TidakAktif => "tidak_aktif",
    }
);

keyed_enum!(
    /// The local name of the body: LKKS in most provinces, BKKKS, BK3S (Jawa Tengah) or K3S.
    LkksBody {
        Lkks => "LKKS",
        Bkkks => "BKKKS",
        Bk3s => "BK3S",
        K3s => "K3S",
    }
);

keyed_enum!(
    /// Seats of an LKKS board; divisions (*bidang*) may repeat.
    BoardPosition {
        KetuaUmum => "ketua_umum",
        KetuaHarian => "ketua_harian",
        Sekretaris => "sekretaris",
        Bendahara => "bendahara",
        Bidang => "bidang",
    }
);

keyed_enum!(
    /// LKS accreditation grade.
    Grade {
        A => "A",
        B => "B",
        C => "C",
    }
);

keyed_enum!(
    /// A monthly LKS report in review.
    ReportState {
        Draft => "draf",
        Submitted => "diajukan",
        RevisionRequested => "perlu_perbaikan",
        Approved => "disetujui",
    }
);

keyed_enum!(
    ReportAction {
        Submit => "ajukan",
        RequestRevision => "minta_perbaikan",
        Approve => "setujui",
    }
);

keyed_enum!(
    /// The penta-helix (government, business/CSR, academia, community/NGO, media) plus
    /// zakat and philanthropy, which Indonesian coordination counts separately.
    Helix {
        Pemerintah => "pemerintah",
        DuniaUsaha => "dunia_usaha",
        Akademisi => "akademisi",
        Masyarakat => "masyarakat",
        Media => "media",
        Filantropi => "filantropi",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstitutionError {
    #[error("status tidak bisa berpindah dari {from} ke {to}")]
    BadMove {
        from: FormationStatus,
        to: FormationStatus,
    },
    #[error("status {0} membutuhkan nomor dan tanggal SK pengukuhan")]
    DecreeRequired(FormationStatus),
    #[error("laporan berstatus {state} tidak bisa di-{action}")]
    BadReportMove {
        state: ReportState,
        action: ReportAction,
    },
    #[error("Anda tidak berwenang untuk {0} laporan ini")]
    NotYourStep(ReportAction),
    #[error("permintaan perbaikan wajib disertai catatan")]
    CommentRequired,
    #[error("laporan berstatus {0} tidak bisa diubah lagi")]
    Locked(ReportState),
    #[error("periode \"{0}\" tidak dikenali; tulis TTTT-BB, mis. 2025-10")]
    BadPeriod(String),
    #[error(
        "jumlah menurut jenis kelamin ({by_sex}) tidak sama dengan jumlah menurut kelompok umur ({by_age})"
    )]
    SexAgeMismatch { by_sex: u32, by_age: u32 },
    #[error("penyandang disabilitas ({disability}) lebih banyak dari jumlah seluruhnya ({total})")]
    DisabilityAboveTotal { disability: u32, total: u32 },
}

impl Localized for InstitutionError {
    fn msg(&self) -> Msg {
        use InstitutionError as E;
        match self {
            E::BadMove { from, to } => Msg::new("institution.bad_move")
                .arg("from", from)
                .arg("to", to),
            E::DecreeRequired(s) => Msg::new("institution.decree_required").arg("status", s),
            E::BadReportMove { state, action } => Msg::new("institution.bad_report_move")
                .arg("state", state)
                .arg("action", action),
            E::NotYourStep(a) => Msg::new("institution.not_your_step").arg("action", a),
            E::CommentRequired => Msg::new("institution.comment_required"),
            E::Locked(s) => Msg::new("institution.report_locked").arg("state", s),
            E::BadPeriod(v) => Msg::new("institution.bad_period").arg("value", v),
            E::SexAgeMismatch { by_sex, by_age } => Msg::new("institution.sex_age_mismatch")
                .arg("by_sex", by_sex)
                .arg("by_age", by_age),
            E::DisabilityAboveTotal { disability, total } => {
                Msg::new("institution.disability_above_total")
                    .arg("disability", disability)
                    .arg("total", total)
            }
        }
    }
}

impl FormationStatus {
    /// How far along formation is; inactive ranks below forming (it needs reviving).
    fn rank(self) -> u8 {
        match self {
            FormationStatus::BelumDibentuk => 0,
            FormationStatus::TidakAktif => 1,
            FormationStatus::DalamPembentukan => 2,
            FormationStatus::Dikukuhkan => 3,
            FormationStatus::Aktif => 4,
        }
    }

    /// The moves the domain allows. Formation goes forward; an active body can lapse and be
    /// revived; a formation that stalls can be dropped. Setting the same status is no move.
    pub fn may_move_to(self, to: FormationStatus) -> bool {
        use FormationStatus::*;
        matches!(
            (self, to),
            (BelumDibentuk, DalamPembentukan)
                | (BelumDibentuk, Dikukuhkan)
                | (DalamPembentukan, Dikukuhkan)
                | (DalamPembentukan, BelumDibentuk)
                | (Dikukuhkan, Aktif)
                | (Dikukuhkan, TidakAktif)
                | (Aktif, TidakAktif)
                | (TidakAktif, Aktif)
                | (TidakAktif, DalamPembentukan)
        )
    }

    /// Confirmed and active bodies stand on a decree (SK pengukuhan).
    pub fn needs_decree(self) -> bool {
        matches!(self, FormationStatus::Dikukuhkan | FormationStatus::Aktif)
    }

    /// Checks a change of status; `has_decree` says whether SK number and date are known.
    pub fn check_move(self, to: FormationStatus, has_decree: bool) -> Result<(), InstitutionError> {
        if self != to && !self.may_move_to(to) {
            return Err(InstitutionError::BadMove { from: self, to });
        }
        if to.needs_decree() && !has_decree {
            return Err(InstitutionError::DecreeRequired(to));
        }
        Ok(())
    }

    /// Whether this status counts toward a formation target of `target` (an active body
    /// meets a "confirmed" target; an inactive one meets none but "not formed").
    pub fn reaches(self, target: FormationStatus) -> bool {
        if self == FormationStatus::TidakAktif {
            return target == FormationStatus::BelumDibentuk || target == self;
        }
        self.rank() >= target.rank()
    }
}

impl LkksBody {
    /// The usual name in a province (Jawa Tengah: BK3S).
    pub fn for_province(code: &str) -> LkksBody {
        match code {
            "33" => LkksBody::Bk3s,
            _ => LkksBody::Lkks,
        }
    }
}

impl Grade {
    /// A, B and C are valid 5, 3 and 2 years.
    pub fn validity_years(self) -> i32 {
        match self {
            Grade::A => 5,
            Grade::B => 3,
            Grade::C => 2,
        }
    }

    /// The last day of validity of an accreditation given on `on`.
    pub fn valid_until(self, on: NaiveDate) -> NaiveDate {
        add_years(on, self.validity_years())
    }
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        // 29 February into a common year.
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28))
        .expect("a valid date")
}

/// Reminders of accreditation, registration and permit expiries look this far ahead.
pub const EXPIRY_WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Valid,
    /// Ends within [`EXPIRY_WINDOW_DAYS`]; days left.
    Expiring(i64),
    Expired,
}

impl Validity {
    pub fn of(valid_until: NaiveDate, today: NaiveDate) -> Validity {
        let left = (valid_until - today).num_days();
        if left < 0 {
            Validity::Expired
        } else if left <= EXPIRY_WINDOW_DAYS {
            Validity::Expiring(left)
        } else {
            Validity::Valid
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Expiring(_) => "expiring",
            Validity::Expired => "expired",
        }
    }
}

/// A report month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReportPeriod {
    pub year: i32,
    pub month: u32,
}

/// Reports for a month are due by this day of the following month: LKS close their books in
/// the first week; ten days leaves time to collect attendance and receipts.
pub const REPORT_DUE_DAY: u32 = 10;

impl ReportPeriod {
    pub fn parse(s: &str) -> Result<ReportPeriod, InstitutionError> {
        let bad = || InstitutionError::BadPeriod(s.trim().to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) || m.len() != 2 {
            return Err(bad());
        }
        Ok(ReportPeriod { year, month })
    }

    pub fn of(d: NaiveDate) -> ReportPeriod {
        ReportPeriod {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn next(self) -> ReportPeriod {
        if self.month == 12 {
            ReportPeriod {
                year: self.year + 1,
                month: 1,
            }
        } else {
            ReportPeriod {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> ReportPeriod {
        if self.month == 1 {
            ReportPeriod {
                year: self.year - 1,
                month: 12,
            }
        } else {
            ReportPeriod {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The last day a report for this month counts as on time.
    pub fn due(self) -> NaiveDate {
        let n = self.next();
        NaiveDate::from_ymd_opt(n.year, n.month, REPORT_DUE_DAY).expect("a valid date")
    }

    /// The latest month whose report is overdue on `today` (its due date has passed).
    pub fn latest_overdue(today: NaiveDate) -> ReportPeriod {
        let mut p = ReportPeriod::of(today).previous();
        while p.due() >= today {
            p = p.previous();
        }
        p
    }
}

impl std::fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Who someone is to a report: the LKS that writes it, or the LKKS that reviews it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRole {
    Reporter,
    Reviewer,
    Reader,
}

impl ReportRole {
    /// An LKS operator reports for their own LKS; LKKS staff (admins, kab/kota operators)
    /// review within their regions; the board reads. Partners have no part in LKS reports.
    pub fn of(p: &Principal) -> ReportRole {
        match p.role {
            Role::OperatorLks => ReportRole::Reporter,
            Role::AdminProvinsi | Role::OperatorKabKota => ReportRole::Reviewer,
            Role::Pimpinan | Role::Mitra => ReportRole::Reader,
        }
    }
}

impl ReportState {
    /// Contents may change while the LKS holds the report.
    pub fn editable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::RevisionRequested)
    }

    /// The workflow: the reporter submits (again, after a revision request); the reviewer
    /// approves or sends back with a comment.
    pub fn apply(
        self,
        action: ReportAction,
        role: ReportRole,
        comment: &str,
    ) -> Result<ReportState, InstitutionError> {
        let (from_ok, who, to) = match action {
            ReportAction::Submit => (
                self.editable(),
                ReportRole::Reporter,
                ReportState::Submitted,
            ),
            ReportAction::RequestRevision => (
                self == ReportState::Submitted,
                ReportRole::Reviewer,
                ReportState::RevisionRequested,
            ),
            ReportAction::Approve => (
                self == ReportState::Submitted,
                ReportRole::Reviewer,
                ReportState::Approved,
            ),
        };
        if role != who {
            return Err(InstitutionError::NotYourStep(action));
        }
        if !from_ok {
            return Err(InstitutionError::BadReportMove {
                state: self,
                action,
            });
        }
        if action == ReportAction::RequestRevision && comment.trim().is_empty() {
            return Err(InstitutionError::CommentRequired);
        }
        Ok(to)
    }

    /// Counts as received (on time or late) for the overdue list.
    pub fn received(self) -> bool {
        matches!(self, ReportState::Submitted | ReportState::Approved)
    }
}

/// People counted by sex, age group and disability (LKS clients, report beneficiaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Disaggregation {
    pub male: u32,
    pub female: u32,
    /// Under 18.
    pub child: u32,
    /// 18 to 59.
    pub adult: u32,
    /// 60 and over.
    pub elderly: u32,
    pub disability: u32,
}

impl Disaggregation {
    pub fn total(&self) -> u32 {
        self.male + self.female
    }

    /// The two splits of the same people must agree; people with a disability are among them.
    pub fn check(&self) -> Result<(), InstitutionError> {
        let by_age = self.child + self.adult + self.elderly;
        if by_age != self.total() {
            return Err(InstitutionError::SexAgeMismatch {
                by_sex: self.total(),
                by_age,
            });
        }
        if self.disability > self.total() {
            return Err(InstitutionError::DisabilityAboveTotal {
                disability: self.disability,
                total: self.total(),
            });
        }
        Ok(())
    }
}

/// Splits `total` over `n` parts as evenly as possible, the remainder to the first parts (an
/// LKS's capacity over the PPKS categories it serves, so the parts add up to the whole).
pub fn split_evenly(total: u32, n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let n32 = n as u32;
    (0..n32)
        .map(|i| total / n32 + u32::from(i < total % n32))
        .collect()
}

/// A problem with one field of an input: the field's column name and why, as a message.
pub type FieldProblem = (&'static str, Msg);

fn required() -> Msg {
    Msg::new("institution.required")
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn check_contact(phone: &Option<String>, email: &Option<String>, out: &mut Vec<FieldProblem>) {
    if let Some(p) = phone.as_deref().filter(|p| !blank(p)) {
        let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
        if digits < 6
            || p.chars()
                .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
        {
            out.push((
                "telepon",
                Msg::new("institution.phone_malformed").arg("value", p),
            ));
        }
    }
    if let Some(e) = email.as_deref().filter(|e| !blank(e)) {
        let ok = e.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.')
        }) && !e.contains(char::is_whitespace);
        if !ok {
            out.push((
                "surel",
                Msg::new("institution.email_malformed").arg("value", e),
            ));
        }
    }
}

fn check_key(key: &str, column: &'static str, out: &mut Vec<FieldProblem>) {
    if blank(key) {
        out.push((column, required()));
    } else if key.chars().count() > 40 || key.contains(char::is_whitespace) {
        out.push((
            column,
            Msg::new("institution.key_malformed").arg("value", key),
        ));
    }
}

/// Indonesia lies within these bounds (with a margin for outer islands).
pub const LATITUDE_RANGE: (f64, f64) = (-11.5, 6.5);
pub const LONGITUDE_RANGE: (f64, f64) = (94.0, 141.5);

/// An LKS as a form or an import row gives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LksInput {
    /// The registry's number for the LKS (the import key).
    pub key: String,
    pub name: String,
    /// Seat: a desa code ideally, a kecamatan or kab/kota when that is all that is known.
    pub region: Option<crate::RegionCode>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub deed_number: Option<String>,
    pub deed_date: Option<NaiveDate>,
    pub kemenkumham_decree: Option<String>,
    pub npwp: Option<String>,
    pub registration_number: Option<String>,
    pub registration_until: Option<NaiveDate>,
    pub permit_number: Option<String>,
    pub permit_until: Option<NaiveDate>,
    pub accreditation: Option<(Grade, NaiveDate)>,
    pub services: Vec<crate::Ppks>,
    pub capacity: u32,
    pub clients: Disaggregation,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl LksInput {
    /// Every problem, named by import column.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        check_key(&self.key, "kode_lks", &mut out);
        if blank(&self.name) {
            out.push(("nama", required()));
        }
        match &self.region {
            None => out.push(("kode_wilayah", Msg::new("institution.lks_region_required"))),
            Some(r) if r.level() == crate::Level::Provinsi => out.push((
                "kode_wilayah",
                Msg::new("institution.lks_region_province").arg("code", r),
            )),
            Some(_) => {}
        }
        match (self.latitude, self.longitude) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                if !(LATITUDE_RANGE.0..=LATITUDE_RANGE.1).contains(&lat) {
                    out.push((
                        "lintang",
                        Msg::new("institution.latitude_outside").arg("value", lat),
                    ));
                }
                if !(LONGITUDE_RANGE.0..=LONGITUDE_RANGE.1).contains(&lon) {
                    out.push((
                        "bujur",
                        Msg::new("institution.longitude_outside").arg("value", lon),
                    ));
                }
            }
            _ => out.push(("lintang", Msg::new("institution.coordinates_pair"))),
        }
        if let Some(n) = self.npwp.as_deref().filter(|n| !blank(n)) {
            let digits: String = n.chars().filter(|c| c.is_ascii_digit()).collect();
            if !(digits.len() == 15 || digits.len() == 16)
                || n.chars()
                    .any(|c| !(c.is_ascii_digit() || ".- ".contains(c)))
            {
                out.push((
                    "npwp",
                    Msg::new("institution.npwp_malformed").arg("value", n),
                ));
            }
        }
        if self.registration_until.is_some()
            && self.registration_number.as_deref().is_none_or(blank)
        {
            out.push((
                "tanda_daftar",
                Msg::new("institution.registration_without_number"),
            ));
        }
        if self.permit_until.is_some() && self.permit_number.as_deref().is_none_or(blank) {
            out.push((
                "izin_operasional",
                Msg::new("institution.permit_without_number"),
            ));
        }
        if let Err(e) = self.clients.check() {
            out.push(("klien", e.msg()));
        }
        check_contact(&self.phone, &self.email, &mut out);
        out
    }
}

/// An LKKS board seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMember {
    pub position: BoardPosition,
    pub title: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// An LKKS as a form or an import row gives it; the region is its key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LkksInput {
    pub region: Option<crate::RegionCode>,
    pub name: String,
    pub body: Option<LkksBody>,
    pub status: Option<FormationStatus>,
    pub decree_number: Option<String>,
    pub decree_date: Option<NaiveDate>,
    pub decree_signed_by: Option<String>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The main seats; `None` leaves the board as it is.
    pub board: Option<Vec<BoardMember>>,
}

impl LkksInput {
    pub fn has_decree(&self) -> bool {
        self.decree_number.as_deref().is_some_and(|n| !blank(n)) && self.decree_date.is_some()
    }

    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        match &self.region {
            None => out.push(("kode_wilayah", Msg::new("institution.lkks_region_required"))),
            Some(r) if !matches!(r.level(), crate::Level::Provinsi | crate::Level::KabKota) => out
                .push((
                    "kode_wilayah",
                    Msg::new("institution.lkks_region_level").arg("code", r),
                )),
            Some(_) => {}
        }
        if blank(&self.name) {
            out.push(("nama", required()));
        }
        match self.status {
            None => out.push(("status", Msg::new("institution.status_required"))),
            Some(s) if s.needs_decree() && !self.has_decree() => {
                out.push(("no_sk", InstitutionError::DecreeRequired(s).msg()))
            }
            Some(_) => {}
        }
        if let (Some(a), Some(b)) = (self.term_start, self.term_end)
            && b <= a
        {
            out.push(("periode_selesai", Msg::new("institution.term_order")));
        }
        check_contact(&self.phone, &self.email, &mut out);
        for m in self.board.iter().flatten() {
            if blank(&m.name) {
                out.push((
                    "pengurus",
                    Msg::new("institution.board_nameless").arg("position", m.position.key()),
                ));
            }
            check_contact(&m.phone, &m.email, &mut out);
        }
        out
    }
}

/// A partner as a form or an import row gives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartnerInput {
    pub key: String,
    pub name: String,
    /// Seat of the partner (a province for a provincial body).
    pub region: Option<crate::RegionCode>,
    pub helix: Option<Helix>,
    pub kind: Option<String>,
    pub sectors: Vec<String>,
    pub areas: Vec<crate::RegionCode>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl PartnerInput {
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        check_key(&self.key, "kode_mitra", &mut out);
        if blank(&self.name) {
            out.push(("nama", required()));
        }
        if self.region.is_none() {
            out.push((
                "kode_wilayah",
                Msg::new("institution.partner_region_required"),
            ));
        }
        if self.helix.is_none() {
            out.push(("peran", Msg::new("institution.helix_required")));
        }
        check_contact(&self.phone, &self.email, &mut out);
        out
    }
}

/// A cooperation agreement (MoU, PKS) of a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementInput {
    pub number: String,
    pub signed_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub scope: String,
}

impl AgreementInput {
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if blank(&self.number) {
            out.push(("nomor", required()));
        }
        if blank(&self.scope) {
            out.push(("ruang_lingkup", required()));
        }
        if let (Some(a), Some(b)) = (self.signed_on, self.valid_until)
            && b < a
        {
            out.push(("berlaku_sampai", Msg::new("institution.agreement_order")));
        }
        out
    }
}

/// The content of a monthly LKS report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportInput {
    pub activities: String,
    pub obstacles: String,
    pub beneficiaries: Disaggregation,
}

impl ReportInput {
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if blank(&self.activities) {
            out.push(("kegiatan", required()));
        }
        if let Err(e) = self.beneficiaries.check() {
            out.push(("penerima", e.msg()));
        }
        out
    }
}

/// One problem as a message: the field (its import column) named, then why ("kolom: alasan").
pub fn field_msg(field: &str, reason: Msg) -> Msg {
    Msg::new("institution.field_problem")
        .arg("field", field)
        .arg_msg("reason", reason)
}

/// Problems as one message: every field with its reason, joined ("kolom: alasan; …").
pub fn describe(problems: &[FieldProblem]) -> Msg {
    Msg::new("institution.problems").arg_list(
        "problems",
        problems
            .iter()
            .map(|(f, r)| field_msg(f, r.clone()))
            .collect(),
    )
}

/// Who may see and change the institution registries: the rules the store applies to every
/// registry read and write, written once as pure functions of the [`Viewer`].
pub mod rules {
    use super::*;

    /// How a viewer reads the LKS registry.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LksListing {
        /// The public directory: registered LKS only (an LKS with a Tanda Daftar number),
        /// never their contacts or detail.
        Directory,
        /// The viewer's rows (every row for the system).
        Rows,
    }

    pub fn lks_listing(viewer: &Viewer) -> LksListing {
        if viewer.is_public() {
            LksListing::Directory
        } else {
            LksListing::Rows
        }
    }

    /// Who may write a registry row (LKKS, LKS, partner). `existing` is the row's current
    /// seat and organisation when it exists. Creating needs a regional writer covering the
    /// seat (an LKS or partner account edits only its own record, it does not add others);
    /// changing needs the row in view and the new seat in view too. The system writes all.
    pub fn may_write_registry_row(
        viewer: &Viewer,
        existing: Option<(&RegionCode, i64)>,
        seat: &RegionCode,
    ) -> bool {
        let p = match viewer {
            Viewer::Public => return false,
            Viewer::System(_) => return true,
            Viewer::User(p) => p,
        };
        if !p.can_write() {
            return false;
        }
        match existing {
            Some((region, id)) => p.may_see(region, id) && p.may_see(seat, id),
            None => !p.role.is_organisation_bound() && p.scope.covers(seat),
        }
    }

    /// Whether the viewer may add registry rows at all (the "new" form and imports).
    pub fn may_add_registry_rows(viewer: &Viewer) -> bool {
        match viewer {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.can_write() && !p.role.is_organisation_bound(),
        }
    }

    /// Whether the viewer may open other organisations' registry records (an LKKS from an
    /// LKS's page): an LKS or partner account sees only its own record, so a link there
    /// would lead nowhere.
    pub fn may_open_other_registry_rows(viewer: &Viewer) -> bool {
        match viewer {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => !p.role.is_organisation_bound(),
        }
    }

    /// Seats above a regional viewer's regions whose partners it also sees (a provincial
    /// partner works in every kab/kota of the province).
    pub fn partner_seats_above(viewer: &Viewer) -> Vec<RegionCode> {
        let Some(p) = viewer.principal() else {
            return Vec::new();
        };
        match p.row_access() {
            RowAccess::Regions(regions) => {
                let mut above: Vec<RegionCode> = regions
                    .iter()
                    .flat_map(|r| r.ancestors())
                    .filter(|a| !regions.contains(a))
                    .collect();
                above.sort();
                above.dedup();
                above
            }
            RowAccess::Organisation { .. } => Vec::new(),
        }
    }

    /// Whether the need figures (published aggregates) of `region` go beside the LKS
    /// capacity this viewer sees: within the aggregate regions of a user, all for the system.
    pub fn sees_need_of(viewer: &Viewer, region: &RegionCode) -> bool {
        match viewer {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.aggregate_regions().is_some_and(|rs| {
                rs.iter()
                    .any(|r| r == region || r.contains(region) || region.contains(r))
            }),
        }
    }

    /// Whether a province's formation target is shown: to the public and the system every
    /// one, to a user those of the provinces overlapping its regions.
    pub fn sees_formation_target(viewer: &Viewer, province: &RegionCode) -> bool {
        match viewer {
            Viewer::Public | Viewer::System(_) => true,
            Viewer::User(p) => p
                .scope
                .regions
                .iter()
                .any(|r| r == province || r.contains(province) || province.contains(r)),
        }
    }

    /// Whether the viewer may set a province's formation target: its admins, or the system.
    pub fn may_set_formation_target(viewer: &Viewer, province: &RegionCode) -> bool {
        match viewer {
            Viewer::Public => false,
            Viewer::System(_) => true,
            Viewer::User(p) => p.is_admin() && p.scope.covers(province),
        }
    }

    /// The viewer's part in monthly LKS reports (the public and the system only read).
    pub fn report_role(viewer: &Viewer) -> ReportRole {
        viewer
            .principal()
            .map_or(ReportRole::Reader, ReportRole::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Scope;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formation_moves_follow_the_domain() {
        use FormationStatus::*;
        assert!(BelumDibentuk.check_move(DalamPembentukan, false).is_ok());
        assert_eq!(
            DalamPembentukan.check_move(Dikukuhkan, false),
            Err(InstitutionError::DecreeRequired(Dikukuhkan))
        );
        assert!(DalamPembentukan.check_move(Dikukuhkan, true).is_ok());
        assert!(matches!(
            BelumDibentuk.check_move(Aktif, true),
            Err(InstitutionError::BadMove { .. })
        ));
        assert!(Aktif.check_move(TidakAktif, true).is_ok());
        assert!(TidakAktif.check_move(Aktif, true).is_ok());
        assert!(Aktif.check_move(Aktif, true).is_ok(), "no move");
        for s in FormationStatus::ALL {
            assert_eq!(FormationStatus::from_key(s.key()), Some(*s));
        }
    }

    #[test]
    fn targets_count_what_reached_them() {
        use FormationStatus::*;
        assert!(Aktif.reaches(Aktif));
        assert!(Aktif.reaches(Dikukuhkan));
        assert!(!Dikukuhkan.reaches(Aktif));
        assert!(!TidakAktif.reaches(Dikukuhkan));
        assert!(!DalamPembentukan.reaches(Aktif));
    }

    #[test]
    fn accreditation_validity_is_five_three_two_years() {
        assert_eq!(Grade::A.valid_until(d(2021, 3, 1)), d(2026, 3, 1));
        assert_eq!(Grade::B.valid_until(d(2024, 2, 29)), d(2027, 2, 28));
        assert_eq!(Grade::C.valid_until(d(2025, 1, 15)), d(2027, 1, 15));
        assert_eq!(Grade::from_key("b"), Some(Grade::B));
        let today = d(2026, 11, 22);
        assert_eq!(Validity::of(d(2026, 11, 21), today), Validity::Expired);
        assert_eq!(Validity::of(today, today), Validity::Expiring(0));
        assert_eq!(Validity::of(d(2027, 2, 20), today), Validity::Expiring(90));
        assert_eq!(Validity::of(d(2027, 2, 21), today), Validity::Valid);
    }

    #[test]
    fn report_periods_and_due_dates() {
        let p = ReportPeriod::parse("2026-10").unwrap();
        assert_eq!(p.due(), d(2026, 11, 10));
        assert_eq!(
            ReportPeriod::parse("2026-12").unwrap().due(),
            d(2027, 1, 10)
        );
        assert!(ReportPeriod::parse("2026-13").is_err());
        assert!(ReportPeriod::parse("2026-1").is_err());
        assert!(ReportPeriod::parse("Oktober").is_err());
        assert_eq!(ReportPeriod::latest_overdue(d(2026, 11, 22)), p);
        // On the due day itself October is not yet late: September is the latest overdue.
        assert_eq!(
            ReportPeriod::latest_overdue(d(2026, 11, 10)).to_string(),
            "2026-09"
        );
        assert_eq!(
            ReportPeriod::latest_overdue(d(2026, 1, 5)).to_string(),
            "2025-11"
        );
    }

    fn who(role: Role) -> ReportRole {
        ReportRole::of(&Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: Scope::default(),
        })
    }

    #[test]
    fn report_workflow_and_who_moves_it() {
        use ReportAction::*;
        use ReportState::*;
        let lks = who(Role::OperatorLks);
        let lkks = who(Role::OperatorKabKota);
        assert_eq!(Draft.apply(Submit, lks, ""), Ok(Submitted));
        assert_eq!(
            Draft.apply(Submit, lkks, ""),
            Err(InstitutionError::NotYourStep(Submit))
        );
        assert_eq!(
            Submitted.apply(RequestRevision, lkks, " "),
            Err(InstitutionError::CommentRequired)
        );
        assert_eq!(
            Submitted.apply(RequestRevision, lkks, "lengkapi"),
            Ok(RevisionRequested)
        );
        assert_eq!(RevisionRequested.apply(Submit, lks, ""), Ok(Submitted));
        assert_eq!(Submitted.apply(Approve, lkks, ""), Ok(Approved));
        assert!(Approved.apply(Submit, lks, "").is_err());
        assert_eq!(
            Submitted.apply(Approve, lks, ""),
            Err(InstitutionError::NotYourStep(Approve))
        );
        assert_eq!(
            Draft.apply(Approve, lkks, ""),
            Err(InstitutionError::BadReportMove {
                state: Draft,
                action: Approve
            })
        );
        assert_eq!(
            Submitted.apply(Approve, who(Role::Pimpinan), ""),
            Err(InstitutionError::NotYourStep(Approve))
        );
        assert!(!Submitted.editable() && RevisionRequested.editable());
    }

    #[test]
    fn disaggregation_must_add_up() {
        let mut x = Disaggregation {
            male: 10,
            female: 12,
            child: 15,
            adult: 5,
            elderly: 2,
            disability: 3,
        };
        assert!(x.check().is_ok());
        x.elderly = 3;
        assert_eq!(
            x.check(),
            Err(InstitutionError::SexAgeMismatch {
                by_sex: 22,
                by_age: 23
            })
        );
        x.elderly = 2;
        x.disability = 23;
        assert!(x.check().is_err());
    }

    #[test]
    fn inputs_name_their_problems_by_column() {
        let mut lks = LksInput {
            key: "LKS 1".into(),
            region: Some(crate::RegionCode::parse("52").unwrap()),
            latitude: Some(-8.6),
            npwp: Some("12.345".into()),
            email: Some("bukan-surel".into()),
            ..LksInput::default()
        };
        let columns: Vec<&str> = lks.problems().iter().map(|p| p.0).collect();
        assert_eq!(
            columns,
            [
                "kode_lks",
                "nama",
                "kode_wilayah",
                "lintang",
                "npwp",
                "surel"
            ]
        );
        lks.key = "LKS-52-0001".into();
        lks.name = "LKSA Harapan".into();
        lks.region = Some(crate::RegionCode::parse("52.03.05.2003").unwrap());
        lks.longitude = Some(116.5);
        lks.npwp = Some("01.234.567.8-901.000".into());
        lks.email = Some("lksa@contoh.id".into());
        lks.phone = Some("+62 370 123456".into());
        assert_eq!(lks.problems(), vec![]);
        let lkks = LkksInput {
            region: Some(crate::RegionCode::parse("52.03").unwrap()),
            name: "LKKS Lombok Timur".into(),
            status: Some(FormationStatus::Aktif),
            ..LkksInput::default()
        };
        assert_eq!(lkks.problems()[0].0, "no_sk");
        assert_eq!(
            lkks.problems()[0].1,
            Msg::new("institution.decree_required").arg("status", "aktif")
        );
        assert_eq!(describe(&lkks.problems()).key, "institution.problems");
    }

    #[test]
    fn even_split_adds_up() {
        assert_eq!(split_evenly(10, 3), vec![4, 3, 3]);
        assert_eq!(split_evenly(2, 3), vec![1, 1, 0]);
        assert!(split_evenly(5, 0).is_empty());
        assert_eq!(Helix::from_key("dunia_usaha"), Some(Helix::DuniaUsaha));
        assert_eq!(LkksBody::for_province("33"), LkksBody::Bk3s);
    }

    #[test]
    fn registry_rules_by_viewer() {
        use crate::access::{Scope, Viewer};
        let code = |s: &str| crate::RegionCode::parse(s).unwrap();
        let user = |role, regions: &[&str], org| {
            Viewer::User(Principal {
                user_id: 1,
                username: "u".into(),
                role,
                scope: Scope {
                    regions: regions.iter().map(|r| code(r)).collect(),
                    organisation: org,
                },
            })
        };
        let op = user(Role::OperatorKabKota, &["52.03"], None);
        let lks = user(Role::OperatorLks, &[], Some(7));
        let seat = code("52.03.05.2003");
        assert!(rules::may_write_registry_row(&op, None, &seat));
        assert!(!rules::may_write_registry_row(&op, None, &code("52.04")));
        assert!(
            !rules::may_write_registry_row(&lks, None, &seat),
            "LKS adds none"
        );
        assert!(rules::may_write_registry_row(&lks, Some((&seat, 7)), &seat));
        assert!(rules::may_open_other_registry_rows(&op));
        assert!(
            !rules::may_open_other_registry_rows(&lks),
            "own record only"
        );
        assert!(!rules::may_open_other_registry_rows(&Viewer::Public));
        assert!(!rules::may_write_registry_row(
            &lks,
            Some((&seat, 8)),
            &seat
        ));
        assert!(!rules::may_write_registry_row(
            Viewer::public(),
            None,
            &seat
        ));
        assert!(rules::may_write_registry_row(
            &Viewer::System("t"),
            None,
            &seat
        ));
        assert_eq!(
            rules::lks_listing(Viewer::public()),
            rules::LksListing::Directory
        );
        assert_eq!(rules::lks_listing(&op), rules::LksListing::Rows);
        assert_eq!(rules::partner_seats_above(&op), vec![code("52")]);
        assert!(rules::partner_seats_above(&lks).is_empty());
        assert!(rules::sees_formation_target(Viewer::public(), &code("33")));
        assert!(!rules::sees_formation_target(&op, &code("33")));
        assert!(rules::sees_formation_target(&op, &code("52")));
        let admin = user(Role::AdminProvinsi, &["52"], None);
        assert!(rules::may_set_formation_target(&admin, &code("52")));
        assert!(!rules::may_set_formation_target(&op, &code("52")));
        assert!(!rules::may_set_formation_target(
            Viewer::public(),
            &code("52")
        ));
        assert_eq!(rules::report_role(&lks), ReportRole::Reporter);
        assert_eq!(rules::report_role(Viewer::public()), ReportRole::Reader);
    }
}
