//! A person-level list and its rows, as validated input, and the legal basis every such list
//! must carry (UU 27/2022 on personal data protection, article 20).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::desil::Desil;
use crate::kk::NoKk;
use crate::msg::Msg;
use crate::nik::{Nik, Sex};
use crate::region::RegionCode;

/// The lawful bases of UU 27/2022 art. 20(2) for processing personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Explicit consent of the data subject (a consent form or register).
    Persetujuan,
    /// A contract with the data subject.
    Kontrak,
    /// A legal obligation of the controller (e.g. a Dinas Sosial under a regulation).
    KewajibanHukum,
    /// The vital interest of the data subject.
    KepentinganVital,
    /// A public-service task or official authority (e.g. a data-sharing agreement with Dinsos).
    TugasPublik,
    /// Another legitimate interest, weighed against the subject's rights.
    KepentinganSah,
}

impl LegalBasis {
    pub const ALL: [LegalBasis; 6] = [
        LegalBasis::Persetujuan,
        LegalBasis::Kontrak,
        LegalBasis::KewajibanHukum,
        LegalBasis::KepentinganVital,
        LegalBasis::TugasPublik,
        LegalBasis::KepentinganSah,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LegalBasis::Persetujuan => "persetujuan",
            LegalBasis::Kontrak => "kontrak",
            LegalBasis::KewajibanHukum => "kewajiban_hukum",
            LegalBasis::KepentinganVital => "kepentingan_vital",
            LegalBasis::TugasPublik => "tugas_publik",
            LegalBasis::KepentinganSah => "kepentingan_sah",
        }
    }

    pub fn from_key(key: &str) -> Option<LegalBasis> {
        let key = key.trim().to_lowercase().replace([' ', '-'], "_");
        LegalBasis::ALL.into_iter().find(|b| b.key() == key)
    }
}

/// One validated row of a person-level list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    /// Line in the source file, for messages.
    pub line: u64,
    pub name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub nik: Option<Nik>,
    pub kk: Option<NoKk>,
    /// Domicile desa/kelurahan (or a higher region when the list has no desa).
    pub region: RegionCode,
    /// What else the row said about the person and the aid received.
    pub extra: PersonExtra,
}

/// The rest of a row that the platform keeps: details of the person, the aid the row records
/// (a distribution: who received what, when, from whom) and the warnings raised while reading
/// it (stored with the row and shown on the list page; they never change the values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonExtra {
    pub birthplace: Option<String>,
    pub address: Option<String>,
    pub desil: Option<Desil>,
    pub aid: Option<AidReceived>,
    pub warnings: Vec<Msg>,
}

/// One distribution a list row records. Every field is optional: a list may name only the
/// program, or only the amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AidReceived {
    /// The program or aid as the file names it.
    pub program: Option<String>,
    /// The kind of aid (e.g. "tunai", "sembako", "beasiswa") when the file says.
    pub aid_type: Option<String>,
    pub received_on: Option<NaiveDate>,
    /// Whole rupiah.
    pub amount_rupiah: Option<i64>,
}

impl AidReceived {
    pub fn is_empty(&self) -> bool {
        self.program.is_none()
            && self.aid_type.is_none()
            && self.received_on.is_none()
            && self.amount_rupiah.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_basis_keys_are_forgiving_about_spelling() {
        assert_eq!(
            LegalBasis::from_key("Tugas Publik"),
            Some(LegalBasis::TugasPublik)
        );
        assert_eq!(
            LegalBasis::from_key("kewajiban-hukum"),
            Some(LegalBasis::KewajibanHukum)
        );
        assert_eq!(LegalBasis::from_key(""), None);
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::from_key(b.key()), Some(b));
        }
    }
}
