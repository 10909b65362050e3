//! The domain language of Sinergi. Pure: no I/O, no async, no database.

pub mod access;
pub mod amount;
pub mod audit;
pub mod column;
pub mod cycle;
pub mod date;
pub mod desil;
pub mod double_aid;
pub mod eligibility;
pub mod forum;
pub mod geo;
pub mod groups;
pub mod idnum;
pub mod institution;
pub mod kk;
pub mod msg;
pub mod nik;
pub mod period;
pub mod person;
pub mod ppks;
pub mod priority;
pub mod program;
pub mod region;
pub mod region_match;
pub mod review;
pub mod strategy;
pub mod succession;
mod text;

pub use access::{
    API_TOKEN_MAX_DAYS, Disclosed, Principal, Role, RowAccess, Scope, ScopeError, Viewer,
    ViewerAccess, disclose, token_lifetime_ok, validate_scope,
};
pub use amount::{AmountError, parse_rupiah};
pub use column::{ColumnFull, Table, TextColumn};
pub use date::{DateError, parse_date};
pub use desil::{Desil, DesilError, DesilRange, DesilReading};
pub use idnum::{ExcelDamage, IdInput, is_id_placeholder};
pub use kk::{KkError, KkParsed, KkWarning, NoKk};
pub use msg::{Localized, Msg, MsgArg, render_stored_with};
pub use nik::{Nik, NikError, NikParsed, NikWarning, PrefixStatus, RegionPrefixes, Sex};
pub use period::{Period, PeriodError, Quarter};
pub use person::{AidReceived, LegalBasis, PersonExtra, PersonInput};
pub use ppks::{Ppks, PpksError, PpksGroup};
pub use region::{Level, Region, RegionCode, RegionCodeError, RegionEntry, RegionKind};
pub use text::{
    MAX_SEARCH_CHARS, RegionQuery, bounded_search, fold_text, like_contains, like_escape,
    normalize_region_name,
};
