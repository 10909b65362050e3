//! The deterministic synthetic world of Sinergi: people and families for every desa of a
//! province (NTB, Jawa Tengah, Kalimantan Selatan), desil, aggregates, organisations, programs,
//! beneficiary lists with real-world recording errors, and record-linkage test lists.
//!
//! Same seed → identical output, whatever the thread count: every unit of work (a desa, a
//! kecamatan, a program) draws from its own stream derived from (seed, region, purpose).
//!
//! Library use without files: [`World::plan`] then [`World::for_each_batch`] (or
//! [`World::generate_kecamatan`]) streams families with their members, one kecamatan at a time.

pub mod facts;
pub mod institutions;
pub mod linkage;
pub mod names;
pub mod output;
pub mod partners;
pub mod people;
pub mod rng;
pub mod world;
mod xlsx;

use std::path::PathBuf;

use thiserror::Error;

pub use output::{Indicator, PPKS_PROXIES, Summary, Tally, desil_source, write_world};
pub use people::{Batch, Family, Marital, Person, Relationship, School, reference_date};
pub use world::{Config, World};

#[derive(Debug, Error)]
pub enum SynthError {
    #[error(
        "provinsi \"{0}\" belum didukung: pilih 52 (Nusa Tenggara Barat), 33 (Jawa Tengah) atau 63 (Kalimantan Selatan)"
    )]
    UnknownProvince(String),
    #[error(
        "skala {0} tidak sah: harus lebih dari 0 dan paling besar 2 (1,0 = jumlah penduduk sebenarnya)"
    )]
    BadScale(f64),
    #[error("data wilayah bawaan tidak bisa dipakai: {0}")]
    Refdata(String),
    #[error("berkas {path} tidak bisa ditulis: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("berkas Excel {path} tidak bisa dibuat: {reason}")]
    Xlsx { path: PathBuf, reason: String },
    #[error(
        "--linkage {wanted} terlalu besar: provinsi ini pada skala 2 hanya cukup untuk {max} rekaman"
    )]
    LinkageTooLarge { wanted: u64, max: u64 },
}
