//! Program cycles (issue 20), shaped after OpenSPP: a cycle moves draft → to_approve →
//! approved → distributed → ended, and may be cancelled only before approval. Approving
//! freezes the beneficiary list and amounts; an entitlement is approved only with (or after)
//! its cycle. Pure rules here; the store keeps the states, `activity` applies these checks.

use serde::{Deserialize, Serialize};

use crate::access::{Role, Viewer};
use crate::msg::Msg;

/// The state of one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    Draft,
    ToApprove,
    Approved,
    Distributed,
    Ended,
    Cancelled,
}

/// What a user does to a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleAction {
    /// Draft → to_approve: the list is ready for the approver.
    Submit,
    /// To_approve → draft: the approver sends it back.
    Reject,
    /// To_approve → approved: freezes list and amounts (after the eligibility re-check).
    Approve,
    /// Approved → distributed: the payment batch went to the bank.
    Distribute,
    /// Distributed → ended.
    End,
    /// Draft or to_approve → cancelled.
    Cancel,
}

impl CycleState {
    pub const ALL: [CycleState; 6] = [
        CycleState::Draft,
        CycleState::ToApprove,
        CycleState::Approved,
        CycleState::Distributed,
        CycleState::Ended,
        CycleState::Cancelled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CycleState::Draft => "draft",
            CycleState::ToApprove => "to_approve",
            CycleState::Approved => "approved",
            CycleState::Distributed => "distributed",
            CycleState::Ended => "ended",
            CycleState::Cancelled => "cancelled",
        }
    }

    pub fn from_key(key: &str) -> Option<CycleState> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The catalogue key of the state's name.
    pub fn label(self) -> Msg {
        Msg::new(match self {
            CycleState::Draft => "cycles.state.draft",
            CycleState::ToApprove => "cycles.state.to_approve",
            CycleState::Approved => "cycles.state.approved",
            CycleState::Distributed => "cycles.state.distributed",
            CycleState::Ended => "cycles.state.ended",
            CycleState::Cancelled => "cycles.state.cancelled",
        })
    }

    /// The beneficiary list and amounts may change only while the cycle is a draft: the
    /// approver approves exactly what they saw, and registry edits never reach an approved
    /// cycle (an OpenSPP complaint).
    pub fn list_open(self) -> bool {
        self == CycleState::Draft
    }

    /// Entitlements may be approved (and paid) only once their cycle is approved.
    pub fn entitlements_payable(self) -> bool {
        matches!(self, CycleState::Approved | CycleState::Distributed)
    }

    /// The state `action` leads to, or why it may not be taken here.
    pub fn apply(self, action: CycleAction) -> Result<CycleState, Msg> {
        use CycleAction as A;
        use CycleState as S;
        let next = match (self, action) {
            (S::Draft, A::Submit) => S::ToApprove,
            (S::ToApprove, A::Reject) => S::Draft,
            (S::ToApprove, A::Approve) => S::Approved,
            (S::Approved, A::Distribute) => S::Distributed,
            (S::Distributed, A::End) => S::Ended,
            (S::Draft | S::ToApprove, A::Cancel) => S::Cancelled,
            _ => {
                return Err(Msg::new("cycles.transition_refused")
                    .arg_msg("state", self.label())
                    .arg("action", action.key()));
            }
        };
        Ok(next)
    }
}

impl CycleAction {
    pub const ALL: [CycleAction; 6] = [
        CycleAction::Submit,
        CycleAction::Reject,
        CycleAction::Approve,
        CycleAction::Distribute,
        CycleAction::End,
        CycleAction::Cancel,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CycleAction::Submit => "ajukan",
            CycleAction::Reject => "kembalikan",
            CycleAction::Approve => "setujui",
            CycleAction::Distribute => "salurkan",
            CycleAction::End => "tutup",
            CycleAction::Cancel => "batalkan",
        }
    }

    pub fn from_key(key: &str) -> Option<CycleAction> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// The state of one entitlement (one beneficiary, one tranche).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementState {
    /// Frozen with its cycle's approval, not yet paid.
    Approved,
    Paid,
    Failed,
}

impl EntitlementState {
    /// The state's name in the user's language.
    pub fn label(self) -> Msg {
        Msg::new(match self {
            EntitlementState::Approved => "cycles.entitlement.approved",
            EntitlementState::Paid => "cycles.entitlement.paid",
            EntitlementState::Failed => "cycles.entitlement.failed",
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            EntitlementState::Approved => "approved",
            EntitlementState::Paid => "paid",
            EntitlementState::Failed => "failed",
        }
    }

    pub fn from_key(key: &str) -> Option<EntitlementState> {
        [
            EntitlementState::Approved,
            EntitlementState::Paid,
            EntitlementState::Failed,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// School level, for amounts by level and the donor report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SchoolLevel {
    Sd,
    Smp,
    Sma,
}

impl SchoolLevel {
    pub const ALL: [SchoolLevel; 3] = [SchoolLevel::Sd, SchoolLevel::Smp, SchoolLevel::Sma];

    pub fn key(self) -> &'static str {
        match self {
            SchoolLevel::Sd => "SD",
            SchoolLevel::Smp => "SMP",
            SchoolLevel::Sma => "SMA",
        }
    }

    /// SD/MI, SMP/MTs, SMA/SMK/MA as schools write them.
    pub fn lookup(input: &str) -> Option<SchoolLevel> {
        let up = input.trim().to_uppercase();
        match up.as_str() {
            "SD" | "MI" | "SD/MI" => Some(SchoolLevel::Sd),
            "SMP" | "MTS" | "SMP/MTS" => Some(SchoolLevel::Smp),
            "SMA" | "SMK" | "MA" | "SMA/SMK" | "SMA/MA" => Some(SchoolLevel::Sma),
            _ => None,
        }
    }
}

/// How much one beneficiary gets per tranche.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmountRule {
    Flat { rupiah: i64 },
    ByLevel { sd: i64, smp: i64, sma: i64 },
}

impl AmountRule {
    /// The amount per tranche for a beneficiary at `level`; by level without a known level
    /// is refused (the approver must not approve a guessed amount).
    pub fn per_tranche(&self, level: Option<SchoolLevel>) -> Result<i64, Msg> {
        match (self, level) {
            (AmountRule::Flat { rupiah }, _) => Ok(*rupiah),
            (AmountRule::ByLevel { sd, .. }, Some(SchoolLevel::Sd)) => Ok(*sd),
            (AmountRule::ByLevel { smp, .. }, Some(SchoolLevel::Smp)) => Ok(*smp),
            (AmountRule::ByLevel { sma, .. }, Some(SchoolLevel::Sma)) => Ok(*sma),
            (AmountRule::ByLevel { .. }, None) => Err(Msg::new("cycles.level_missing")),
        }
    }

    /// `flat:300000` or `jenjang:SD=300000,SMP=450000,SMA=600000`.
    pub fn parse(input: &str) -> Result<AmountRule, Msg> {
        let bad = || Msg::new("cycles.amount_invalid").arg("value", input);
        let money = |s: &str| crate::parse_rupiah(s.trim()).map_err(|_| bad());
        let (kind, rest) = input.trim().split_once(':').ok_or_else(bad)?;
        match kind.trim().to_lowercase().as_str() {
            "flat" | "tetap" => Ok(AmountRule::Flat {
                rupiah: money(rest)?,
            }),
            "jenjang" | "level" => {
                let (mut sd, mut smp, mut sma) = (None, None, None);
                for part in rest.split(',') {
                    let (level, amount) = part.split_once('=').ok_or_else(bad)?;
                    let amount = Some(money(amount)?);
                    match SchoolLevel::lookup(level).ok_or_else(bad)? {
                        SchoolLevel::Sd => sd = amount,
                        SchoolLevel::Smp => smp = amount,
                        SchoolLevel::Sma => sma = amount,
                    }
                }
                Ok(AmountRule::ByLevel {
                    sd: sd.ok_or_else(bad)?,
                    smp: smp.ok_or_else(bad)?,
                    sma: sma.ok_or_else(bad)?,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The form [`AmountRule::parse`] reads.
    pub fn text(&self) -> String {
        match self {
            AmountRule::Flat { rupiah } => format!("flat:{rupiah}"),
            AmountRule::ByLevel { sd, smp, sma } => {
                format!("jenjang:SD={sd},SMP={smp},SMA={sma}")
            }
        }
    }
}

/// Where a beneficiary came from; a manual addition carries its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrolSource {
    Registry,
    List(i64),
    Manual { reason: String },
}

impl EnrolSource {
    /// A manual addition without a reason is refused.
    pub fn check(&self) -> Result<(), Msg> {
        match self {
            EnrolSource::Manual { reason } if reason.trim().chars().count() < 5 => {
                Err(Msg::new("cycles.manual_reason_required"))
            }
            _ => Ok(()),
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            EnrolSource::Registry => "registri",
            EnrolSource::List(_) => "daftar",
            EnrolSource::Manual { .. } => "manual",
        }
    }
}

/// Who may run a program's cycles (write rules, create cycles, enrol, verify, record
/// payments, notes and exits): a viewer who may write and sees every location of the
/// program as a row of its organisation (the partner itself, the LKKS of all its regions).
pub fn may_run_cycles(viewer: &Viewer, program: &crate::program::Program) -> bool {
    viewer.can_write()
        && program
            .input
            .locations
            .iter()
            .all(|l| viewer.may_see(&l.region, program.input.organisation_id))
}

/// Who may see beneficiaries of cycles by name: everyone with row access except the board,
/// which sees the cycle's aggregates only.
pub fn may_see_beneficiary_names(viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::System(_) => true,
        Viewer::User(p) => p.role != Role::Pimpinan,
    }
}

/// A payment result as the bank reports it for one entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentResult {
    Paid { reference: String },
    Failed { reason: String },
}

impl PaymentResult {
    /// `paid`/`berhasil` or `failed`/`gagal` with a reason (a failure must say why).
    pub fn parse(status: &str, detail: &str) -> Result<PaymentResult, Msg> {
        let detail = detail.trim().to_string();
        match status.trim().to_lowercase().as_str() {
            "paid" | "berhasil" | "sukses" | "dibayar" => {
                Ok(PaymentResult::Paid { reference: detail })
            }
            "failed" | "gagal" => {
                if detail.is_empty() {
                    Err(Msg::new("cycles.failure_reason_required"))
                } else {
                    Ok(PaymentResult::Failed { reason: detail })
                }
            }
            _ => Err(Msg::new("cycles.payment_status_unknown").arg("value", status)),
        }
    }
}

/// A verification step a program asks of every beneficiary before approval (issue 20):
/// documents checked, a home visit, the school's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VerificationStep {
    Documents,
    HomeVisit,
    SchoolConfirmation,
}

impl VerificationStep {
    pub const ALL: [VerificationStep; 3] = [
        VerificationStep::Documents,
        VerificationStep::HomeVisit,
        VerificationStep::SchoolConfirmation,
    ];

    pub fn key(self) -> &'static str {
        match self {
            VerificationStep::Documents => "dokumen",
            VerificationStep::HomeVisit => "kunjungan_rumah",
            VerificationStep::SchoolConfirmation => "konfirmasi_sekolah",
        }
    }

    pub fn from_key(key: &str) -> Option<VerificationStep> {
        Self::ALL.into_iter().find(|s| s.key() == key.trim())
    }

    /// The step's name in the user's language.
    pub fn label(self) -> Msg {
        Msg::new(match self {
            VerificationStep::Documents => "cycles.step.dokumen",
            VerificationStep::HomeVisit => "cycles.step.kunjungan_rumah",
            VerificationStep::SchoolConfirmation => "cycles.step.konfirmasi_sekolah",
        })
    }

    /// A cycle's steps as stored: keys joined by commas, in a fixed order.
    pub fn join(steps: &[VerificationStep]) -> String {
        let mut s = steps.to_vec();
        s.sort();
        s.dedup();
        s.iter().map(|s| s.key()).collect::<Vec<_>>().join(",")
    }

    /// The stored form back; an unknown key is refused, naming it.
    pub fn split(text: &str) -> Result<Vec<VerificationStep>, Msg> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let step = VerificationStep::from_key(part)
                .ok_or_else(|| Msg::new("cycles.step_unknown").arg("value", part))?;
            if !out.contains(&step) {
                out.push(step);
            }
        }
        out.sort();
        Ok(out)
    }
}

/// The steps of `required` a beneficiary has not passed, given its verification records in
/// the order they were made (step, passed): the latest record of a step counts, so a step
/// failed and later done again passes. Empty: the beneficiary may be approved.
pub fn steps_not_passed(
    required: &[VerificationStep],
    records: &[(VerificationStep, bool)],
) -> Vec<VerificationStep> {
    required
        .iter()
        .copied()
        .filter(|step| {
            records
                .iter()
                .rev()
                .find(|(s, _)| s == step)
                .is_none_or(|(_, passed)| !passed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_through_every_state() {
        let mut s = CycleState::Draft;
        for a in [
            CycleAction::Submit,
            CycleAction::Approve,
            CycleAction::Distribute,
            CycleAction::End,
        ] {
            s = s.apply(a).unwrap();
        }
        assert_eq!(s, CycleState::Ended);
    }

    #[test]
    fn cancel_only_before_approval() {
        assert_eq!(
            CycleState::Draft.apply(CycleAction::Cancel),
            Ok(CycleState::Cancelled)
        );
        assert_eq!(
            CycleState::ToApprove.apply(CycleAction::Cancel),
            Ok(CycleState::Cancelled)
        );
        for s in [
            CycleState::Approved,
            CycleState::Distributed,
            CycleState::Ended,
            CycleState::Cancelled,
        ] {
            let err = s.apply(CycleAction::Cancel).unwrap_err();
            assert_eq!(err.key, "cycles.transition_refused");
        }
    }

    #[test]
    fn approval_only_from_to_approve() {
        assert!(CycleState::Draft.apply(CycleAction::Approve).is_err());
        assert!(CycleState::Approved.apply(CycleAction::Approve).is_err());
        assert_eq!(
            CycleState::ToApprove.apply(CycleAction::Reject),
            Ok(CycleState::Draft)
        );
    }

    #[test]
    fn the_list_is_frozen_after_submission_and_entitlements_wait_for_approval() {
        assert!(CycleState::Draft.list_open());
        for s in &CycleState::ALL[1..] {
            assert!(!s.list_open(), "{s:?}");
        }
        assert!(!CycleState::ToApprove.entitlements_payable());
        assert!(CycleState::Approved.entitlements_payable());
        assert!(CycleState::Distributed.entitlements_payable());
        assert!(!CycleState::Ended.entitlements_payable());
    }

    #[test]
    fn keys_round_trip() {
        for s in CycleState::ALL {
            assert_eq!(CycleState::from_key(s.key()), Some(s));
        }
        for a in CycleAction::ALL {
            assert_eq!(CycleAction::from_key(a.key()), Some(a));
        }
    }

    #[test]
    fn amounts_flat_and_by_level() {
        let flat = AmountRule::parse("flat:300.000").unwrap();
        assert_eq!(flat.per_tranche(None), Ok(300_000));
        let by = AmountRule::parse("jenjang:SD=300000,SMP=450000,SMA=600000").unwrap();
        assert_eq!(by.per_tranche(Some(SchoolLevel::Smp)), Ok(450_000));
        assert_eq!(
            by.per_tranche(None).unwrap_err().key,
            "cycles.level_missing"
        );
        assert_eq!(AmountRule::parse(&by.text()).unwrap(), by);
        assert!(AmountRule::parse("jenjang:SD=1,SMP=2").is_err());
        assert!(AmountRule::parse("300000").is_err());
    }

    #[test]
    fn manual_additions_need_a_reason_and_failures_a_cause() {
        assert!(EnrolSource::Manual { reason: " ".into() }.check().is_err());
        assert!(
            EnrolSource::Manual {
                reason: "rujukan kepala sekolah".into()
            }
            .check()
            .is_ok()
        );
        assert!(PaymentResult::parse("gagal", "").is_err());
        assert_eq!(
            PaymentResult::parse("GAGAL", "rekening tidak aktif"),
            Ok(PaymentResult::Failed {
                reason: "rekening tidak aktif".into()
            })
        );
        assert!(PaymentResult::parse("mungkin", "").is_err());
    }

    #[test]
    fn a_beneficiary_passes_when_the_latest_record_of_every_step_passed() {
        use VerificationStep as V;
        let required = [V::Documents, V::SchoolConfirmation];
        assert_eq!(steps_not_passed(&required, &[]), required.to_vec());
        assert_eq!(
            steps_not_passed(&required, &[(V::Documents, true), (V::HomeVisit, true)]),
            vec![V::SchoolConfirmation]
        );
        // Failed, then done again: passes; passed, then failed: does not.
        let records = [
            (V::Documents, false),
            (V::SchoolConfirmation, true),
            (V::Documents, true),
        ];
        assert!(steps_not_passed(&required, &records).is_empty());
        assert_eq!(
            steps_not_passed(
                &required,
                &[
                    (V::Documents, true),
                    (V::Documents, false),
                    (V::SchoolConfirmation, true)
                ]
            ),
            vec![V::Documents]
        );
        assert!(steps_not_passed(&[], &[]).is_empty());
    }

    #[test]
    fn steps_round_trip_and_unknown_ones_are_named() {
        use VerificationStep as V;
        let text = VerificationStep::join(&[V::SchoolConfirmation, V::Documents, V::Documents]);
        assert_eq!(text, "dokumen,konfirmasi_sekolah");
        assert_eq!(
            VerificationStep::split(&text).unwrap(),
            vec![V::Documents, V::SchoolConfirmation]
        );
        assert_eq!(VerificationStep::split("").unwrap(), Vec::new());
        let err = VerificationStep::split("dokumen,foto").unwrap_err();
        assert_eq!(err.key, "cycles.step_unknown");
    }
}
