//! The second step: a decoded file cut into rows of cells, one row at a time (memory stays
//! bounded whatever the file's size), with the header row found after title rows and, in a
//! workbook, the sheet that holds it (hidden sheets and instruction sheets passed over).

use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, DataRef, Reader, SheetType, SheetVisible};

use crate::decode::{BookKind, Decoded, FileRefusal, Limits};

/// One cell as read. `numeric` says the spreadsheet stored a number (a NIK typed as a number
/// has lost digits; only the cell type can tell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: false,
        }
    }
}

/// A row with the line (text) or sheet row (workbook) it came from, 1-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<Cell>,
}

impl RawRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// Where the table was found and how it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableInfo {
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    /// "CSV UTF-8 (;)", "XLSX"…: for the report.
    pub format: String,
    pub header_line: u64,
    /// The header cells as written.
    pub header: Vec<String>,
}

/// Rows examined for a header before a sheet (or text file) is given up on.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Reads the table in `decoded`: the first row for which `is_header` holds (within the first
/// [`HEADER_SEARCH_ROWS`] non-blank rows of a visible sheet) is the header; `on_header` may
/// refuse it; every later non-blank row goes to `on_row`.
pub fn read_table(
    decoded: &Decoded<'_>,
    limits: &Limits,
    is_header: &dyn Fn(&[Cell]) -> bool,
    on_header: &mut dyn FnMut(&TableInfo) -> Result<(), FileRefusal>,
    on_row: &mut dyn FnMut(RawRow),
) -> Result<TableInfo, FileRefusal> {
    match decoded {
        Decoded::Text { text, encoding } => {
            let delimiter = sniff_delimiter(text.as_bytes());
            let format = format!(
                "{} {encoding} ({})",
                if delimiter == b'\t' { "TSV" } else { "CSV" },
                match delimiter {
                    b'\t' => "TAB".to_string(),
                    d => char::from(d).to_string(),
                }
            );
            let mut finder = Finder::new(is_header, None, format);
            let mut failed = None;
            let mut first = None;
            text_rows(text, delimiter, limits, &mut |row| {
                if first.is_none() {
                    first = Some(row.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>());
                }
                finder.feed(row, on_header, on_row, &mut failed)
            })?;
            if let Some(f) = failed {
                return Err(f);
            }
            finder.info.ok_or_else(|| FileRefusal::NoHeader {
                first: first.unwrap_or_default().join(" | "),
            })
        }
        Decoded::Book {
            kind: BookKind::Xlsx,
            bytes,
        } => {
            let mut book = calamine::Xlsx::new(Cursor::new(bytes.as_ref())).map_err(book_error)?;
            let sheets = book.sheets_metadata().to_vec();
            for sheet in sheets.iter().filter(|s| readable(s)) {
                let mut finder = Finder::new(is_header, Some(&sheet.name), "XLSX".into());
                let mut failed = None;
                xlsx_rows(&mut book, &sheet.name, limits, &mut |row| {
                    finder.feed(row, on_header, on_row, &mut failed)
                })?;
                if let Some(f) = failed {
                    return Err(f);
                }
                if let Some(info) = finder.info {
                    return Ok(info);
                }
            }
            Err(no_header_in(&sheets))
        }
        Decoded::Book { kind, bytes } => {
            let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.as_ref()))
                .map_err(book_error)?;
            let sheets = book.sheets_metadata().to_vec();
            let format = if *kind == BookKind::Ods { "ODS" } else { "XLS" };
            for sheet in sheets.iter().filter(|s| readable(s)) {
                let range = book.worksheet_range(&sheet.name).map_err(book_error)?;
                let (height, width) = range.get_size();
                if width as u64 > u64::from(limits.max_columns) {
                    return Err(FileRefusal::SheetTooWide {
                        sheet: sheet.name.clone(),
                        column: width as u32,
                    });
                }
                if (height as u64).saturating_mul(width as u64) > limits.max_cells {
                    return Err(FileRefusal::TooManyCells {
                        limit: limits.max_cells,
                    });
                }
                let top = range.start().map_or(0, |(r, _)| u64::from(r));
                let left = range.start().map_or(0, |(_, c)| c as usize);
                let mut finder = Finder::new(is_header, Some(&sheet.name), format.into());
                let mut failed = None;
                for (i, cells) in range.rows().enumerate() {
                    let mut row = RawRow {
                        line: top + i as u64 + 1,
                        cells: vec![Cell::default(); left],
                    };
                    row.cells.extend(cells.iter().map(cell_of_data));
                    trim_trailing_empty(&mut row.cells);
                    if row.is_blank() {
                        continue;
                    }
                    if finder.feed(row, on_header, on_row, &mut failed).is_break() {
                        break;
                    }
                }
                if let Some(f) = failed {
                    return Err(f);
                }
                if let Some(info) = finder.info {
                    return Ok(info);
                }
            }
            Err(no_header_in(&sheets))
        }
    }
}

fn readable(s: &calamine::Sheet) -> bool {
    s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet
}

fn no_header_in(sheets: &[calamine::Sheet]) -> FileRefusal {
    let names: Vec<String> = sheets
        .iter()
        .map(|s| {
            if readable(s) {
                format!("\"{}\"", s.name)
            } else {
                format!("\"{}\" (tersembunyi/hidden)", s.name)
            }
        })
        .collect();
    FileRefusal::NoHeaderInSheets {
        sheets: names.join(", "),
    }
}

fn book_error(e: impl std::fmt::Display) -> FileRefusal {
    FileRefusal::Workbook {
        detail: e.to_string(),
    }
}

/// Finds the header among the first rows, then hands on the rest.
struct Finder<'f> {
    is_header: &'f dyn Fn(&[Cell]) -> bool,
    sheet: Option<String>,
    format: String,
    looked: usize,
    info: Option<TableInfo>,
}

impl<'f> Finder<'f> {
    fn new(is_header: &'f dyn Fn(&[Cell]) -> bool, sheet: Option<&str>, format: String) -> Self {
        Finder {
            is_header,
            sheet: sheet.map(str::to_string),
            format,
            looked: 0,
            info: None,
        }
    }

    fn feed(
        &mut self,
        row: RawRow,
        on_header: &mut dyn FnMut(&TableInfo) -> Result<(), FileRefusal>,
        on_row: &mut dyn FnMut(RawRow),
        failed: &mut Option<FileRefusal>,
    ) -> ControlFlow<()> {
        if self.info.is_some() {
            on_row(row);
            return ControlFlow::Continue(());
        }
        if (self.is_header)(&row.cells) {
            let mut header: Vec<String> = row.cells.into_iter().map(|c| c.text).collect();
            while header.last().is_some_and(|h| h.trim().is_empty()) {
                header.pop();
            }
            let info = TableInfo {
                sheet: self.sheet.clone(),
                format: self.format.clone(),
                header_line: row.line,
                header,
            };
            if let Err(e) = on_header(&info) {
                *failed = Some(e);
                return ControlFlow::Break(());
            }
            self.info = Some(info);
            return ControlFlow::Continue(());
        }
        self.looked += 1;
        if self.looked >= HEADER_SEARCH_ROWS {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// The delimiter among `,` `;` and TAB that splits the first lines most consistently (title
/// rows and a ragged line do not outvote the table), comma when nothing splits.
pub(crate) fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let sample = &bytes[..bytes.len().min(64 << 10)];
    let lines: Vec<&[u8]> = sample
        .split(|b| *b == b'\n' || *b == b'\r')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        // The most frequent non-zero count, and on how many lines it holds.
        let mut modal = (0usize, 0usize);
        for &c in counts.iter().filter(|c| **c > 0) {
            let n = counts.iter().filter(|x| **x == c).count();
            if (n, c) > (modal.1, modal.0) {
                modal = (c, n);
            }
        }
        if (modal.1, modal.0) > (best.2, best.1) {
            best = (d, modal.0, modal.1);
        }
    }
    best.0
}

fn count_outside_quotes(line: &[u8], d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if *b == d && !quoted {
            n += 1;
        }
    }
    n
}

/// Every non-blank record of delimited text. An unterminated quote (which would swallow every
/// record after it) refuses the file.
fn text_rows(
    text: &str,
    delimiter: u8,
    limits: &Limits,
    f: &mut dyn FnMut(RawRow) -> ControlFlow<()>,
) -> Result<(), FileRefusal> {
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines::new(bytes);
    let mut record = csv::StringRecord::new();
    let mut last_start = None;
    let mut cells_read = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Cannot happen for text already decoded; named if it does.
            Err(e) => {
                return Err(FileRefusal::Workbook {
                    detail: e.to_string(),
                });
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        last_start = Some(start);
        let line = lines.at(start);
        cells_read += record.len() as u64;
        if cells_read > limits.max_cells {
            return Err(FileRefusal::TooManyCells {
                limit: limits.max_cells,
            });
        }
        let row = RawRow {
            line,
            cells: record.iter().map(Cell::text).collect(),
        };
        if row.is_blank() {
            continue;
        }
        if f(row).is_break() {
            return Ok(());
        }
    }
    if let Some(start) = last_start
        && unterminated(&bytes[start..], delimiter)
    {
        return Err(FileRefusal::UnterminatedQuote {
            line: lines.at(start),
        });
    }
    Ok(())
}

/// Whether the last record of a file (from its start to the end) leaves a quote open.
fn unterminated(record: &[u8], delimiter: u8) -> bool {
    let mut at_field_start = true;
    let mut quoted = false;
    let mut i = 0;
    while i < record.len() {
        let b = record[i];
        if quoted {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && at_field_start {
            quoted = true;
        } else if b == b'\n' || b == b'\r' {
            // A record ends outside quotes: the file's last record is complete.
            return false;
        }
        at_field_start = !quoted && (b == delimiter);
        i += 1;
    }
    quoted
}

/// Line numbers of byte offsets met in increasing order; `\n`, `\r\n` and a lone `\r` each
/// end a line (old Mac Excel writes CR only).
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    pub(crate) fn at(&mut self, byte: usize) -> u64 {
        let mut target = byte.min(self.bytes.len());
        // A record's position can sit on the blank lines skipped before it.
        while target < self.bytes.len() && matches!(self.bytes[target], b'\n' | b'\r') {
            target += 1;
        }
        if target > self.offset {
            let span = &self.bytes[self.offset..target];
            for at in memchr::memchr2_iter(b'\n', b'\r', span) {
                let lone_cr =
                    span[at] == b'\r' && self.bytes.get(self.offset + at + 1) != Some(&b'\n');
                if span[at] == b'\n' || lone_cr {
                    self.line += 1;
                }
            }
            self.offset = target;
        }
        self.line
    }
}

/// Streams the cells of one sheet, row by row, checking its declared range first and the
/// cells actually read as it goes.
fn xlsx_rows(
    book: &mut calamine::Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    limits: &Limits,
    f: &mut dyn FnMut(RawRow) -> ControlFlow<()>,
) -> Result<(), FileRefusal> {
    let mut cells = book.worksheet_cells_reader(sheet).map_err(book_error)?;
    let dims = cells.dimensions();
    if dims.len() > limits.max_cells || dims.end.1 >= limits.max_columns {
        return Err(FileRefusal::SheetTooLarge {
            sheet: sheet.to_string(),
            range: format!(
                "{}{}:{}{}",
                column_name(dims.start.1),
                dims.start.0 + 1,
                column_name(dims.end.1),
                dims.end.0 + 1
            ),
            limit: limits.max_cells,
        });
    }
    let mut row = RawRow::default();
    let mut current: Option<u32> = None;
    let mut read = 0u64;
    let flush = |row: &mut RawRow, f: &mut dyn FnMut(RawRow) -> ControlFlow<()>| {
        let done = std::mem::take(row);
        if done.is_blank() {
            ControlFlow::Continue(())
        } else {
            f(done)
        }
    };
    while let Some(cell) = cells.next_cell().map_err(book_error)? {
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        if c >= limits.max_columns {
            return Err(FileRefusal::SheetTooWide {
                sheet: sheet.to_string(),
                column: c + 1,
            });
        }
        read += 1;
        if read > limits.max_cells {
            return Err(FileRefusal::TooManyCells {
                limit: limits.max_cells,
            });
        }
        if current != Some(r) {
            if current.is_some() && flush(&mut row, f).is_break() {
                return Ok(());
            }
            current = Some(r);
            row.line = u64::from(r) + 1;
        }
        let c = c as usize;
        if row.cells.len() <= c {
            row.cells.resize(c + 1, Cell::default());
        }
        row.cells[c] = cell_of_ref(value);
    }
    if current.is_some() {
        let _ = flush(&mut row, f);
    }
    Ok(())
}

fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

fn cell_of_ref(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::default(),
        DataRef::String(s) => Cell::text(s.as_str()),
        DataRef::SharedString(s) => Cell::text(*s),
        DataRef::Float(f) => number_cell(*f),
        DataRef::Int(n) => Cell {
            text: n.to_string(),
            numeric: true,
        },
        DataRef::Bool(b) => Cell::text(b.to_string()),
        DataRef::DateTime(d) if d.is_datetime() => Cell::text(excel_date_text(d.as_f64())),
        DataRef::DateTime(d) => number_cell(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::text(s.as_str()),
        DataRef::Error(e) => Cell::text(format!("#{e:?}")),
    }
}

fn cell_of_data(value: &Data) -> Cell {
    match value {
        Data::Empty => Cell::default(),
        Data::String(s) => Cell::text(s.as_str()),
        Data::Float(f) => number_cell(*f),
        Data::Int(n) => Cell {
            text: n.to_string(),
            numeric: true,
        },
        Data::Bool(b) => Cell::text(b.to_string()),
        Data::DateTime(d) if d.is_datetime() => Cell::text(excel_date_text(d.as_f64())),
        Data::DateTime(d) => number_cell(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s.as_str()),
        Data::Error(e) => Cell::text(format!("#{e:?}")),
    }
}

fn trim_trailing_empty(cells: &mut Vec<Cell>) {
    while cells.last().is_some_and(|c| c.text.is_empty()) {
        cells.pop();
    }
}

fn number_cell(f: f64) -> Cell {
    Cell {
        text: number_text(f),
        numeric: true,
    }
}

/// A number as plain decimal text (a NIK typed as a number stays recognisable as damage).
pub(crate) fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Excel serial day (1900 system) to YYYY-MM-DD.
pub(crate) fn excel_date_text(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map_or_else(|| serial.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_past_title_rows() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            sniff_delimiter(b"DAFTAR PENERIMA, 2024\nnama;nik;alamat\nA;1;Jl. X, 3\nB;2;Y\n"),
            b';'
        );
        assert_eq!(sniff_delimiter(b"nama\tnik\r\nA\t1\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"nama\n"), b',');
    }

    #[test]
    fn lines_count_every_kind_of_line_end() {
        let bytes = b"a\rb\r\nc\nd";
        let mut l = Lines::new(bytes);
        assert_eq!(l.at(0), 1);
        assert_eq!(l.at(2), 2);
        assert_eq!(l.at(5), 3);
        assert_eq!(l.at(7), 4);
    }

    #[test]
    fn open_quotes_are_found_only_when_they_run_to_the_end() {
        assert!(unterminated(b"1,\"Jl. Merdeka\n2,Ani\n", b','));
        assert!(!unterminated(b"1,\"Jl. \"\"Merdeka\"\"\",x\n", b','));
        assert!(!unterminated(b"1,5'2\" tall,x\n", b','));
        assert!(!unterminated(b"1,\"two\nlines\",x", b','));
    }

    #[test]
    fn column_names_are_excel_letters() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16383), "XFD");
    }
}
