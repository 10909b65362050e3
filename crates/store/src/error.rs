use sinergi_core::{Localized, Msg, RegionCode};
use thiserror::Error;

/// A code an applied region list refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCode {
    pub code: RegionCode,
    pub reason: Msg,
}

/// Everything the store can report. Messages are for the user, in Bahasa Indonesia, and
/// never contain a password.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("alamat basis data tidak dikenali: \"{input}\" — {reason}")]
    BadUrl { input: String, reason: String },
    #[error(
        "tidak dapat terhubung ke PostgreSQL di {target}: {detail}. Periksa apakah server berjalan dan alamatnya benar."
    )]
    Unreachable { target: String, detail: String },
    #[error("PostgreSQL di {target} menolak nama pengguna atau kata sandi: {detail}")]
    AuthFailed { target: String, detail: String },
    #[error(
        "basis data yang diminta tidak ada di server PostgreSQL {target}: {detail}. Buat dulu dengan createdb."
    )]
    DatabaseMissing { target: String, detail: String },
    #[error(
        "berkas {path} bukan basis data SQLite yang utuh (rusak, atau bukan berkas SQLite). Pulihkan dari cadangan, atau pakai berkas lain dengan --database."
    )]
    SqliteCorrupt { path: String },
    #[error(
        "berkas basis data {path} tidak bisa ditulis (hanya-baca). Periksa izin berkas itu dan foldernya."
    )]
    SqliteReadOnly { path: String },
    #[error(
        "berkas basis data {path} tidak bisa dibuka atau dibuat: foldernya tidak ada atau tidak ada izin."
    )]
    SqliteCannotOpen { path: String },
    #[error("basis data {target} dibuat oleh versi Sinergi yang lebih baru atau berbeda: {detail}")]
    Migration { target: String, detail: String },
    #[error("daftar wilayah ditolak, tidak ada yang disimpan:\n{}", .0.iter().map(|r| format!("  kode {}: {}", r.code, r.reason)).collect::<Vec<_>>().join("\n"))]
    RegionListRejected(Vec<RejectedCode>),
    #[error("Anda tidak berwenang melakukan ini")]
    Forbidden,
    /// A stored value that cannot be read back (a fault, not the user's to fix).
    #[error("data tersimpan tidak terbaca: {0}")]
    Corrupt(String),
    /// Input the user can correct, as a catalogue message.
    #[error("{0}")]
    Refused(Msg),
    #[error("nama pengguna \"{0}\" sudah dipakai")]
    UsernameTaken(String),
    #[error(transparent)]
    Key(#[from] crate::pii::KeyError),
    #[error(
        "kunci data pribadi belum dipasang: atur SINERGI_KUNCI atau SINERGI_KUNCI_BERKAS (lihat README)"
    )]
    KeyMissing,
    #[error("kesalahan basis data: {0}")]
    Query(#[from] sqlx::Error),
}

impl Localized for StoreError {
    fn msg(&self) -> Msg {
        use StoreError as E;
        match self {
            E::BadUrl { input, reason } => Msg::new("store.bad_url")
                .arg("input", input)
                .arg("reason", reason),
            E::Unreachable { target, detail } => Msg::new("store.unreachable")
                .arg("target", target)
                .arg("detail", detail),
            E::AuthFailed { target, detail } => Msg::new("store.auth_failed")
                .arg("target", target)
                .arg("detail", detail),
            E::DatabaseMissing { target, detail } => Msg::new("store.database_missing")
                .arg("target", target)
                .arg("detail", detail),
            E::SqliteCorrupt { path } => Msg::new("store.sqlite_corrupt").arg("path", path),
            E::SqliteReadOnly { path } => Msg::new("store.sqlite_read_only").arg("path", path),
            E::SqliteCannotOpen { path } => Msg::new("store.sqlite_cannot_open").arg("path", path),
            E::Migration { target, detail } => Msg::new("store.migration")
                .arg("target", target)
                .arg("detail", detail),
            E::RegionListRejected(codes) => Msg::new("store.region_list_rejected").arg_list(
                "codes",
                codes
                    .iter()
                    .map(|r| {
                        Msg::new("store.region_code_reason")
                            .arg("code", &r.code)
                            .arg_msg("reason", r.reason.clone())
                    })
                    .collect(),
            ),
            E::Forbidden => Msg::new("error.store_forbidden"),
            E::Refused(m) => m.clone(),
            E::UsernameTaken(u) => Msg::new("error.username_taken").arg("username", u),
            E::Key(k) => k.msg(),
            E::KeyMissing => Msg::new("store.key_missing"),
            E::Query(_) | E::Corrupt(_) => Msg::new("error.internal"),
        }
    }
}

impl StoreError {
    /// Whether the user can correct this (a refused input) rather than it being a fault.
    pub fn is_users_to_fix(&self) -> bool {
        matches!(self, StoreError::Refused(_) | StoreError::UsernameTaken(_))
    }
}
