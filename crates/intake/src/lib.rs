//! Reading the files users bring. Every row is either accepted or named in a rejection
//! with its line and reason, in Bahasa Indonesia.

pub mod persons;
pub mod table;
pub mod wilayah;

pub use persons::{PersonList, read_person_list};
pub use table::{RowError, RowErrors};
