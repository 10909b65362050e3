//! Delimited text tables as users produce them: UTF-8 with or without BOM, comma or
//! semicolon (Excel in an Indonesian locale writes semicolons), headers matched by alias.

use std::fmt;

use sinergi_core::{Localized, Msg};
use thiserror::Error;

/// One refused row (or the header, line 1): where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub reason: Msg,
}

impl RowError {
    /// A refusal of the file as a whole (line 0: no row is to blame).
    pub fn file(reason: Msg) -> RowError {
        RowError {
            line: 0,
            column: None,
            reason,
        }
    }
}

/// For logs: the key of the reason (users see it rendered through the catalogue).
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            None if self.line == 0 => write!(f, "{}", self.reason),
            Some(col) => write!(f, "baris {}, kolom {}: {}", self.line, col, self.reason),
            None => write!(f, "baris {}: {}", self.line, self.reason),
        }
    }
}

impl Localized for RowError {
    /// "baris 5, kolom nik: …" in the user's language.
    fn msg(&self) -> Msg {
        match &self.column {
            None if self.line == 0 => self.reason.clone(),
            Some(col) => Msg::new("error.row_column")
                .arg("line", self.line)
                .arg("column", col)
                .arg_msg("reason", self.reason.clone()),
            None => Msg::new("error.row")
                .arg("line", self.line)
                .arg_msg("reason", self.reason.clone()),
        }
    }
}

/// All refusals of a file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{} baris ditolak:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct RowErrors(pub Vec<RowError>);

impl Localized for RowErrors {
    /// "2 baris ditolak: baris 3, kolom nik: …; baris 5: …".
    fn msg(&self) -> Msg {
        Msg::new("intake.rows_refused")
            .arg("n", self.0.len())
            .arg_list("rows", self.0.iter().map(RowError::msg).collect())
    }
}

/// A header row resolved against the columns a reader expects.
pub struct Header {
    names: Vec<String>,
}

impl Header {
    /// The folded column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of the first column whose folded name is one of `aliases`.
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        self.names
            .iter()
            .position(|n| aliases.contains(&n.as_str()))
    }
}

pub(crate) fn fold_header(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

/// Turns byte offsets (met in increasing order) into 1-based line numbers.
pub(crate) struct LineCounter<'a>(crate::source::Lines<'a>);

impl LineCounter<'_> {
    pub(crate) fn new(bytes: &[u8]) -> LineCounter<'_> {
        LineCounter(crate::source::Lines::new(bytes))
    }

    pub(crate) fn at(&mut self, byte: u64) -> u64 {
        self.0.at(usize::try_from(byte).unwrap_or(usize::MAX))
    }
}

/// The delimiter among `,` `;` and TAB (see [`crate::source`]).
pub(crate) fn detect_delimiter(bytes: &[u8]) -> u8 {
    crate::source::sniff_delimiter(bytes)
}

/// A reader over `bytes` without their BOM, with the delimiter detected, every line kept
/// (no header handling, ragged rows allowed so that they can be named); also the bytes read.
pub(crate) fn csv_reader(bytes: &[u8]) -> (&[u8], csv::Reader<&[u8]>) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(bytes))
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    (bytes, reader)
}

/// Data rows of a table: each row's fields with the line it started on.
pub type Rows = Vec<(u64, Vec<String>)>;

/// Reads a small table whole (region lists, review files) through the one intake path: any
/// format and encoding [`crate::decode`] knows, the first non-blank row as the header.
pub fn read_rows(bytes: &[u8]) -> Result<(Header, Rows), RowErrors> {
    use crate::decode::{FileRefusal, Limits, decode};
    let refuse = |f: FileRefusal| RowErrors(vec![RowError::file(f.msg())]);
    let limits = Limits::default();
    let decoded = decode(bytes, &limits).map_err(refuse)?;
    let mut header = None;
    let mut rows = Vec::new();
    let mut on_header = |info: &crate::source::TableInfo| {
        header = Some(Header {
            names: info.header.iter().map(|f| fold_header(f)).collect(),
        });
        Ok(())
    };
    let mut on_row = |row: crate::source::RawRow| {
        rows.push((row.line, row.cells.into_iter().map(|c| c.text).collect()));
    };
    let any = |cells: &[crate::source::Cell]| cells.iter().any(|c| !c.text.trim().is_empty());
    match crate::source::read_table(&decoded, &limits, &any, &mut on_header, &mut on_row) {
        Ok(_) => {}
        Err(FileRefusal::NoHeader { .. } | FileRefusal::NoHeaderInSheets { .. }) => {
            return Err(refuse(FileRefusal::Empty));
        }
        Err(e) => return Err(refuse(e)),
    }
    let header = header.ok_or_else(|| refuse(FileRefusal::Empty))?;
    Ok((header, rows))
}
