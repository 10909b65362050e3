//! Reading the files users bring. Every row is either accepted or named in a rejection
//! with its line and reason, in Bahasa Indonesia.

pub mod aggregates;
pub mod attendance;
pub mod columns;
pub mod decode;
pub mod geo;
pub mod header;
pub mod institutions;
pub mod persons;
pub mod programs;
pub mod realisation;
pub mod review;
pub mod source;
pub mod table;
pub mod wilayah;

pub use columns::{TableError, read_csv_table, read_table_bytes, read_table_file};
pub use decode::{FileRefusal, Limits};
pub use persons::{
    IntakeReport, PersonContext, PersonList, PersonRow, read_person_list, read_person_rows,
};
pub use review::{ReviewFile, ReviewPair, read_review_file};
pub use table::{RowError, RowErrors};
