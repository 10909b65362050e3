//! Analysis over in-memory columns (DESIGN §3): the 4W matrix, program overlap (*tumpang
//! tindih*) and gaps down to the desa. The store loads the columns; everything here is pure
//! and runs in parallel where the work is per desa.

pub mod alkire_foster;
pub mod fourw;
pub mod overlap;
pub mod priority;
pub mod quality;
pub mod status;

pub use fourw::{
    CapacityCoverage, Cell, Matrix, MatrixRow, Placement, capacity_coverage, pivot, spread_budget,
};
pub use overlap::{
    Analysis, Columns, DesaColumns, DesaGap, DesaOverlap, GapRules, KabKotaGap, OverlapPair,
    PartnerIntroduction, ProgramFacts, analyse,
};
pub use status::{Status, red_first, statuses};
