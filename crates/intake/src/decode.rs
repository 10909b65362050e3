//! The first step of every import: what kind of file is this, and can it be read safely?
//! Sniffed by content, not by name: XLSX/XLSM and ODS (zip), XLS (OLE2), gzip (unpacked and
//! sniffed again), and text in UTF-8 (± BOM), UTF-16 with a BOM, or else Windows-1252 for the
//! whole file. Whatever cannot be read is refused once, naming the cause, before any row is
//! looked at; sizes are checked from the file's own metadata before anything is inflated.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use sinergi_core::{Localized, Msg};
use thiserror::Error;

/// How much a file may hold. The defaults take a million-row list comfortably and refuse the
/// known bombs (a sheet claiming A1:XFD1048576, gigabytes of XML in a small zip) at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the file as uploaded.
    pub max_file_bytes: u64,
    /// Bytes after unpacking (gzip, or all zip entries together).
    pub max_inflated_bytes: u64,
    /// Cells of one sheet, by its declared range and by the cells actually read.
    pub max_cells: u64,
    /// Columns of a table (a sheet's declared range included).
    pub max_columns: u32,
    /// Characters of one field.
    pub max_field_chars: usize,
    /// XLS and ODS are read whole by their reader, so they get a smaller budget.
    pub max_whole_book_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 512 << 20,
            max_inflated_bytes: 1 << 30,
            max_cells: 40_000_000,
            max_columns: 1_000,
            max_field_chars: 1_000,
            max_whole_book_bytes: 32 << 20,
        }
    }
}

/// A workbook format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKind {
    Xlsx,
    Xls,
    Ods,
}

/// A file ready to be cut into rows.
#[derive(Debug)]
pub enum Decoded<'a> {
    /// Delimited text, decoded; `encoding` names what it was read as.
    Text {
        text: Cow<'a, str>,
        encoding: &'static str,
    },
    Book {
        kind: BookKind,
        bytes: Cow<'a, [u8]>,
    },
}

/// Why a file as a whole cannot be read. One of these replaces any number of row errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileRefusal {
    #[error("file too large: {bytes} bytes, limit {limit}")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("unpacked size over the limit {limit}")]
    InflatedTooLarge { limit: u64 },
    #[error("zip entry {entry} claims {declared} bytes, limit {limit}")]
    ZipEntryTooLarge {
        entry: String,
        declared: u64,
        limit: u64,
    },
    #[error("zip entry {entry} holds more than it declares")]
    ZipEntryLies { entry: String },
    #[error("damaged zip: {detail}")]
    ZipDamaged { detail: String },
    #[error("zip but not a workbook: {entries}")]
    ZipNotWorkbook { entries: String },
    #[error("unsupported format: {format}")]
    Unsupported { format: &'static str },
    #[error("gzip inside gzip")]
    NestedGzip,
    #[error("damaged gzip: {detail}")]
    GzipDamaged { detail: String },
    #[error("binary, or UTF-16 without BOM")]
    NotText,
    #[error("UTF-16 text with invalid sequences")]
    Utf16Damaged,
    #[error("mixed encodings")]
    MixedEncoding,
    #[error("empty file")]
    Empty,
    #[error("workbook unreadable: {detail}")]
    Workbook { detail: String },
    #[error("sheet {sheet} declares {range}")]
    SheetTooLarge {
        sheet: String,
        range: String,
        limit: u64,
    },
    #[error("sheet {sheet} has a cell in column {column}")]
    SheetTooWide { sheet: String, column: u32 },
    #[error("too many cells")]
    TooManyCells { limit: u64 },
    #[error("no header row found; sheets: {sheets}")]
    NoHeaderInSheets { sheets: String },
    #[error("no header row found; first row: {first}")]
    NoHeader { first: String },
    #[error("unterminated quote from line {line}")]
    UnterminatedQuote { line: u64 },
    #[error("duplicate column {name}")]
    DuplicateColumn {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("columns {first} and {second} both mean {field}")]
    CollidingColumns {
        field: &'static str,
        first: String,
        second: String,
    },
    #[error("missing columns {missing}; found {found}")]
    MissingColumns { missing: String, found: String },
    #[error("header only")]
    HeaderOnly { found: String },
}

impl Localized for FileRefusal {
    fn msg(&self) -> Msg {
        use FileRefusal as F;
        let m = |k: &'static str| Msg::new(k);
        match self {
            F::TooLarge { bytes, limit } => m("intake.file.too_large")
                .arg("mb", bytes.div_ceil(1 << 20))
                .arg("limit", limit >> 20),
            F::InflatedTooLarge { limit } => {
                m("intake.file.inflated_too_large").arg("limit", limit >> 20)
            }
            F::ZipEntryTooLarge {
                entry,
                declared,
                limit,
            } => m("intake.file.zip_entry_too_large")
                .arg("entry", entry)
                .arg("mb", declared >> 20)
                .arg("limit", limit >> 20),
            F::ZipEntryLies { entry } => m("intake.file.zip_entry_lies").arg("entry", entry),
            F::ZipDamaged { detail } => m("intake.file.zip_damaged").arg("detail", detail),
            F::ZipNotWorkbook { entries } => {
                m("intake.file.zip_not_workbook").arg("entries", entries)
            }
            F::Unsupported { format } => m("intake.file.unsupported").arg("format", format),
            F::NestedGzip => m("intake.file.nested_gzip"),
            F::GzipDamaged { detail } => m("intake.file.gzip_damaged").arg("detail", detail),
            F::NotText => m("intake.file.not_text"),
            F::Utf16Damaged => m("intake.file.utf16_damaged"),
            F::MixedEncoding => m("intake.file.mixed_encoding"),
            F::Empty => m("intake.empty_file"),
            F::Workbook { detail } => m("intake.excel").arg("detail", detail),
            F::SheetTooLarge {
                sheet,
                range,
                limit,
            } => m("intake.file.sheet_too_large")
                .arg("sheet", sheet)
                .arg("range", range)
                .arg("limit", limit),
            F::SheetTooWide { sheet, column } => m("intake.file.sheet_too_wide")
                .arg("sheet", sheet)
                .arg("column", column),
            F::TooManyCells { limit } => m("intake.file.too_many_cells").arg("limit", limit),
            F::NoHeaderInSheets { sheets } => {
                m("intake.file.no_header_in_sheets").arg("sheets", sheets)
            }
            F::NoHeader { first } => m("intake.file.no_header").arg("first", first),
            F::UnterminatedQuote { line } => m("intake.file.unterminated_quote").arg("line", line),
            F::DuplicateColumn {
                name,
                first,
                second,
            } => m("intake.file.duplicate_column")
                .arg("name", name)
                .arg("first", first)
                .arg("second", second),
            F::CollidingColumns {
                field,
                first,
                second,
            } => m("intake.file.colliding_columns")
                .arg("field", field)
                .arg("first", first)
                .arg("second", second),
            F::MissingColumns { missing, found } => m("intake.file.missing_columns")
                .arg("missing", missing)
                .arg("found", found),
            F::HeaderOnly { found } => m("intake.file.header_only").arg("found", found),
        }
    }
}

/// Sniffs `bytes` and decodes them (see the module documentation).
pub fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Decoded<'a>, FileRefusal> {
    decode_inner(Cow::Borrowed(bytes), limits, false)
}

fn decode_inner<'a>(
    bytes: Cow<'a, [u8]>,
    limits: &Limits,
    unpacked: bool,
) -> Result<Decoded<'a>, FileRefusal> {
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes && !unpacked {
        return Err(FileRefusal::TooLarge {
            bytes: len,
            limit: limits.max_file_bytes,
        });
    }
    let head = &bytes[..bytes.len().min(8)];
    if head.starts_with(b"\x1f\x8b") {
        if unpacked {
            return Err(FileRefusal::NestedGzip);
        }
        let inner = gunzip(&bytes, limits.max_inflated_bytes)?;
        return decode_inner(Cow::Owned(inner), limits, true);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        let kind = check_zip(&bytes, limits)?;
        if kind == BookKind::Ods && len > limits.max_whole_book_bytes {
            return Err(FileRefusal::TooLarge {
                bytes: len,
                limit: limits.max_whole_book_bytes,
            });
        }
        return Ok(Decoded::Book { kind, bytes });
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        if len > limits.max_whole_book_bytes {
            return Err(FileRefusal::TooLarge {
                bytes: len,
                limit: limits.max_whole_book_bytes,
            });
        }
        return Ok(Decoded::Book {
            kind: BookKind::Xls,
            bytes,
        });
    }
    for (magic, format) in [
        (&b"%PDF"[..], "PDF"),
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"Rar!", "RAR"),
        (b"7z\xbc\xaf", "7-Zip"),
    ] {
        if head.starts_with(magic) {
            return Err(FileRefusal::Unsupported { format });
        }
    }
    let text = decode_text(bytes)?;
    let start = text
        .0
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    // The first 200 characters (not bytes: a cut inside a character would panic).
    let start: String = start.chars().take(200).collect::<String>().to_lowercase();
    if start.starts_with("<html")
        || start.starts_with("<!doctype html")
        || start.starts_with("<table")
    {
        // Many web applications hand out HTML tables named .xls.
        return Err(FileRefusal::Unsupported { format: "HTML" });
    }
    if start.starts_with("<?xml") {
        return Err(FileRefusal::Unsupported {
            format: "XML (Excel 2003)",
        });
    }
    if text.0.trim().is_empty() {
        return Err(FileRefusal::Empty);
    }
    Ok(Decoded::Text {
        text: text.0,
        encoding: text.1,
    })
}

fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, FileRefusal> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| FileRefusal::GzipDamaged {
            detail: e.to_string(),
        })?;
    if out.len() as u64 > limit {
        return Err(FileRefusal::InflatedTooLarge { limit });
    }
    Ok(out)
}

/// Checks every entry of a zip: declared sizes from the central directory first (so a bomb is
/// refused before a byte is inflated), then the real sizes, inflated into nothing with a cap
/// (so an entry that lies about its size is caught before a reader trusts it).
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<BookKind, FileRefusal> {
    let damaged = |e: zip::result::ZipError| FileRefusal::ZipDamaged {
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let mut total = 0u64;
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(damaged)?;
        let declared = entry.size();
        total = total.saturating_add(declared);
        if declared > limits.max_inflated_bytes {
            return Err(FileRefusal::ZipEntryTooLarge {
                entry: entry.name().to_string(),
                declared,
                limit: limits.max_inflated_bytes,
            });
        }
        names.push(entry.name().to_string());
    }
    if total > limits.max_inflated_bytes {
        return Err(FileRefusal::InflatedTooLarge {
            limit: limits.max_inflated_bytes,
        });
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let kind = if has("xl/workbook.xml") {
        BookKind::Xlsx
    } else if has("content.xml") && has("mimetype") {
        BookKind::Ods
    } else if has("xl/workbook.bin") {
        return Err(FileRefusal::Unsupported { format: "XLSB" });
    } else if has("word/document.xml") {
        return Err(FileRefusal::Unsupported { format: "Word" });
    } else {
        let mut shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        if names.len() > 5 {
            shown.push("…");
        }
        return Err(FileRefusal::ZipNotWorkbook {
            entries: shown.join(", "),
        });
    };
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(damaged)?;
        let declared = entry.size();
        let name = entry.name().to_string();
        let read = std::io::copy(&mut (&mut entry).take(declared + 1), &mut std::io::sink())
            .map_err(|e| FileRefusal::ZipDamaged {
                detail: format!("{name}: {e}"),
            })?;
        if read > declared {
            return Err(FileRefusal::ZipEntryLies { entry: name });
        }
    }
    if kind == BookKind::Ods {
        let index = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("content.xml"))
            .expect("an ODS file has content.xml");
        let entry = zip.by_index(index).map_err(damaged)?;
        check_ods_cells(std::io::BufReader::new(entry), limits)?;
    }
    Ok(kind)
}

/// An ODS sheet says `table:number-columns-repeated="16384"` or
/// `table:number-rows-repeated="1048576"` instead of writing cells out, and its reader expands
/// those repeats in memory: a few hundred bytes can stand for billions of cells. This reads
/// `content.xml` as a stream, before the reader sees it, and counts the cells the reader
/// would make, as it makes them: repeated empty cells and rows after a sheet's last value are
/// not expanded (every real ODS file ends its sheets that way), repeats between values are.
/// A sheet wider than the column limit, or whose rows from its first to its last value
/// times its widest row exceed the cell limit, is refused before anything is expanded.
fn check_ods_cells(content: impl std::io::BufRead, limits: &Limits) -> Result<(), FileRefusal> {
    use quick_xml::events::{BytesStart, Event};
    let repeats = |e: &BytesStart<'_>, attr: &[u8]| -> u64 {
        match e.try_get_attribute(attr) {
            Ok(Some(a)) => std::str::from_utf8(&a.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1),
            _ => 1,
        }
    };
    let has_value = |e: &BytesStart<'_>| {
        e.attributes().flatten().any(|a| {
            matches!(
                a.key.as_ref(),
                b"office:value-type" | b"office:value" | b"office:string-value"
            )
        })
    };
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::with_capacity(4096);
    // The sheet being read, its rows so far, the rows holding values and its widest row.
    let mut sheet = String::new();
    let mut rows = 0u64;
    let mut first_value_row: Option<u64> = None;
    let mut widest = 0u64;
    // The row being read: its repeat, its columns so far, its columns up to its last value.
    let mut in_row = false;
    let mut row_repeat = 1u64;
    let mut column = 0u64;
    let mut width = 0u64;
    // Depth inside a cell (its text, nested elements): nothing there is a cell of the row.
    let mut cell_depth = 0u32;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            // Damaged XML is the reader's to report; nothing was expanded here.
            Err(_) => return Ok(()),
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.name();
            let name = name.as_ref();
            if cell_depth > 0 {
                if !empty {
                    cell_depth += 1;
                }
            } else if name == b"table:table" {
                sheet = e
                    .try_get_attribute(b"table:name")
                    .ok()
                    .flatten()
                    .and_then(|a| String::from_utf8(a.value.into_owned()).ok())
                    .unwrap_or_default();
                rows = 0;
                first_value_row = None;
                widest = 0;
            } else if name == b"table:table-row" {
                in_row = !empty;
                row_repeat = repeats(e, b"table:number-rows-repeated");
                column = 0;
                width = 0;
                if empty {
                    rows = rows.saturating_add(row_repeat);
                }
            } else if in_row && (name == b"table:table-cell" || name == b"table:covered-table-cell")
            {
                let repeat = repeats(e, b"table:number-columns-repeated");
                column = column.saturating_add(repeat);
                // A cell with content or a value is expanded, and so is every empty cell
                // before it.
                if !empty || has_value(e) {
                    width = column;
                    if width > u64::from(limits.max_columns) {
                        return Err(FileRefusal::SheetTooWide {
                            sheet,
                            column: u32::try_from(width).unwrap_or(u32::MAX),
                        });
                    }
                }
                if !empty {
                    cell_depth = 1;
                }
            }
        }
        match event {
            Event::End(_) if cell_depth > 0 => cell_depth -= 1,
            Event::End(e) if in_row && e.name().as_ref() == b"table:table-row" => {
                in_row = false;
                if width > 0 {
                    let first = *first_value_row.get_or_insert(rows);
                    widest = widest.max(width);
                    let span = rows.saturating_add(row_repeat) - first;
                    if span.saturating_mul(widest) > limits.max_cells {
                        return Err(FileRefusal::TooManyCells {
                            limit: limits.max_cells,
                        });
                    }
                }
                rows = rows.saturating_add(row_repeat);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Text in the encoding its bytes show: a BOM decides; otherwise UTF-8 when the whole file is
/// UTF-8, else Windows-1252 for the whole file (what Excel's "CSV" writes on Windows). A file
/// mixing real UTF-8 with other bytes is refused: no single reading of it is right.
fn decode_text(bytes: Cow<'_, [u8]>) -> Result<(Cow<'_, str>, &'static str), FileRefusal> {
    use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return UTF_16LE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|t| (Cow::Owned(t.into_owned()), "UTF-16LE"))
            .ok_or(FileRefusal::Utf16Damaged);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return UTF_16BE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|t| (Cow::Owned(t.into_owned()), "UTF-16BE"))
            .ok_or(FileRefusal::Utf16Damaged);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.iter().filter(|b| **b == 0).count() * 8 > sample.len() {
        return Err(FileRefusal::NotText);
    }
    let utf8 = |b: &[u8]| std::str::from_utf8(b).is_ok();
    if utf8(&bytes) {
        return Ok(match bytes {
            Cow::Borrowed(b) => {
                let s = std::str::from_utf8(b).expect("checked");
                (
                    Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
                    "UTF-8",
                )
            }
            Cow::Owned(b) => {
                let mut s = String::from_utf8(b).expect("checked");
                if s.starts_with('\u{feff}') {
                    s.drain(..3);
                }
                (Cow::Owned(s), "UTF-8")
            }
        });
    }
    let mixed =
        bytes.starts_with(b"\xef\xbb\xbf") || bytes.utf8_chunks().any(|c| !c.valid().is_ascii());
    if mixed {
        return Err(FileRefusal::MixedEncoding);
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
    Ok((Cow::Owned(text.into_owned()), "Windows-1252"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, &'static str) {
        match decode(bytes, &Limits::default()).unwrap() {
            Decoded::Text { text, encoding } => (text.into_owned(), encoding),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn text_encodings_are_told_apart() {
        assert_eq!(
            text(b"\xef\xbb\xbfnama\nJos\xc3\xa9\n"),
            ("nama\nJosé\n".into(), "UTF-8")
        );
        assert_eq!(
            text(b"nama\nJos\xe9 \x92an\x92\n"),
            ("nama\nJosé ’an’\n".into(), "Windows-1252")
        );
        let utf16: Vec<u8> = b"\xff\xfe"
            .iter()
            .copied()
            .chain(
                "nik\tnama\r\n1\tAni"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(text(&utf16), ("nik\tnama\r\n1\tAni".into(), "UTF-16LE"));
        let be: Vec<u8> = b"\xfe\xff"
            .iter()
            .copied()
            .chain("nama\nÄ".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text(&be).0, "nama\nÄ");
    }

    #[test]
    fn unreadable_text_is_refused_once() {
        let refuse = |b: &[u8]| decode(b, &Limits::default()).unwrap_err();
        assert_eq!(
            refuse(b"nama\nJos\xc3\xa9\nJos\xe9\n"),
            FileRefusal::MixedEncoding
        );
        let no_bom: Vec<u8> = "nama,nik\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(refuse(&no_bom), FileRefusal::NotText);
        assert_eq!(
            refuse(b"%PDF-1.4 ..."),
            FileRefusal::Unsupported { format: "PDF" }
        );
        assert_eq!(
            refuse(b"<html><table><tr><td>nama</td></tr></table></html>"),
            FileRefusal::Unsupported { format: "HTML" }
        );
        assert_eq!(refuse(b" \r\n\r\n"), FileRefusal::Empty);
        let small = Limits {
            max_file_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            decode(b"nama\n", &small),
            Err(FileRefusal::TooLarge { .. })
        ));
    }
}
