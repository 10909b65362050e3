use sinergi_core::RegionCode;
use thiserror::Error;

/// A code an applied region list refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCode {
    pub code: RegionCode,
    pub reason: String,
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
    #[error("{0}")]
    Invalid(String),
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
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
