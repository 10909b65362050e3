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

/// Reads a whole delimited file into a header and rows of fields with their line numbers.
/// Bytes that are not UTF-8 are refused per line rather than guessed.
/// Data rows of a table: each row's fields with the line it started on.
pub type Rows = Vec<(u64, Vec<String>)>;

pub fn read_rows(bytes: &[u8]) -> Result<(Header, Rows), RowErrors> {
    let (bytes, mut reader) = csv_reader(bytes);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut header = None;
    let mut lines = LineCounter::new(bytes);
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                errors.push(RowError {
                    line,
                    column: None,
                    reason: Msg::new("intake.csv_unreadable").arg("detail", e),
                });
                continue;
            }
        };
        // The csv crate skips blank lines without counting them; count from the bytes.
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        let mut fields = Vec::with_capacity(record.len());
        let mut bad = false;
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    bad = true;
                    break;
                }
            }
        }
        if bad {
            errors.push(RowError {
                line,
                column: None,
                reason: Msg::new("intake.not_utf8"),
            });
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if header.is_none() {
            header = Some(Header {
                names: fields.iter().map(|f| fold_header(f)).collect(),
            });
        } else {
            rows.push((line, fields));
        }
    }
    match header {
        None => errors.insert(
            0,
            RowError {
                line: 1,
                column: None,
                reason: Msg::new("intake.empty_file"),
            },
        ),
        Some(_) if !errors.is_empty() => {}
        Some(h) => return Ok((h, rows)),
    }
    Err(RowErrors(errors))
}
