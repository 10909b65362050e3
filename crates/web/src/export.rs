//! Downloads, in one place: a table becomes a CSV file (with a UTF-8 BOM so Excel reads the
//! Indonesian text right) or an XLSX workbook, with a download name. Import templates are the
//! same tables with no rows and a sheet of instructions.
//!
//! Large downloads (by-name lists of hundreds of thousands of rows) are streamed instead:
//! [`streamed_download`] reads the rows chunk by chunk on a blocking thread, never on the
//! request threads, writes CSV straight to the response and XLSX through rust_xlsxwriter's
//! constant-memory mode into an unnamed temporary file, and lets only
//! [`HEAVY_EXPORTS_AT_ONCE`] run together; beyond that the user is asked to try again.

use std::future::Future;
use std::io::{Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sinergi_store::StoreError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// How many large exports may be written at once. Each holds one database connection and a
/// blocking thread while it runs; two keep a 2-core server answering everyone else.
pub const HEAVY_EXPORTS_AT_ONCE: usize = 2;

/// Rows read from the database per chunk of a streamed export (about 1 MB of CSV).
pub const EXPORT_CHUNK_ROWS: u32 = 5_000;

/// Response chunks buffered ahead of a slow client: bounds a streamed export's memory.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The two tabular formats partners work in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// One sheet of a download: a header row and text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Sheet name in XLSX (cut to Excel's 31 characters).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Instructions, one `(column, explanation)` per line, written as a second sheet
    /// "Petunjuk" in XLSX; CSV has no room for them.
    pub notes: Vec<(String, String)>,
}

impl Table {
    pub fn new(name: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Table {
        Table {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
            notes: Vec::new(),
        }
    }

    /// An import template's notes: each column explained by the catalogue entry named by
    /// `key_pattern` with `{}` replaced by the column (e.g. `"lks.col.{}"`), in the user's
    /// language.
    pub fn with_column_notes(mut self, t: &crate::i18n::Messages, key_pattern: &str) -> Table {
        self.notes = self
            .headers
            .iter()
            .map(|c| (c.clone(), t.get(&key_pattern.replace("{}", c)).to_string()))
            .collect();
        self
    }
}

/// A cell as it may reach a spreadsheet: text that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return — OWASP's CSV injection rule)
/// gets a leading apostrophe, so it is shown as the text it is. Every cell of every download,
/// CSV and XLSX, headers included, passes through here.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// CSV bytes with a BOM; every value is quoted where needed by the csv writer and
/// [`neutralise`]d.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + table.rows.len() * 96);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = w.write_record(table.headers.iter().map(|h| neutralise(h).into_owned()));
        for row in &table.rows {
            let _ = w.write_record(row.iter().map(|v| neutralise(v).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// What a column holds in XLSX: numbers and dates are typed so a spreadsheet can sum and
/// sort them; everything else (NIK, No. KK, region codes, names) stays text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Text,
    Integer,
    Decimal,
    Date,
    DateTime,
}

/// Headers of columns that hold codes: text even when every value is digits (a province
/// code "52", an id, a phone number), so no digit or leading zero is lost.
pub(crate) fn is_code_column(header: &str) -> bool {
    let h = header.to_lowercase();
    [
        "kode", "code", "nik", "kk", "telepon", "phone", "hp", "npwp", "id",
    ]
    .iter()
    .any(|k| h.split(|c: char| !c.is_alphanumeric()).any(|w| w == *k))
        || h.starts_with("kode")
        || h.starts_with("no_")
}

fn kind_of(value: &str) -> CellKind {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if all_digits(digits) && digits.len() <= 15 && (digits == "0" || !digits.starts_with('0')) {
        return CellKind::Integer;
    }
    if let Some((whole, fraction)) = digits.split_once('.')
        && all_digits(whole)
        && all_digits(fraction)
        && whole.len() <= 15
    {
        return CellKind::Decimal;
    }
    if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
        return CellKind::Date;
    }
    if datetime(value).is_some() {
        return CellKind::DateTime;
    }
    CellKind::Text
}

fn datetime(value: &str) -> Option<chrono::NaiveDateTime> {
    let v = value.trim_end_matches('Z');
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
}

fn excel_date(value: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let d = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

fn excel_datetime(d: &chrono::NaiveDateTime) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()?
    .and_hms(d.hour() as u16, d.minute() as u8, d.second())
    .ok()
}

/// A column is a number or date column when it is not a code column and every filled cell
/// reads as one (integers and decimals together make a decimal column).
fn column_kinds(table: &Table) -> Vec<CellKind> {
    (0..table.headers.len())
        .map(|c| {
            if is_code_column(&table.headers[c]) {
                return CellKind::Text;
            }
            let mut kind = None;
            for v in table.rows.iter().filter_map(|r| r.get(c)) {
                if v.is_empty() {
                    continue;
                }
                let k = match (kind, kind_of(v)) {
                    (Some(CellKind::Integer), CellKind::Decimal)
                    | (Some(CellKind::Decimal), CellKind::Integer) => CellKind::Decimal,
                    (Some(a), b) if a != b => return CellKind::Text,
                    (_, b) => b,
                };
                if k == CellKind::Text {
                    return CellKind::Text;
                }
                kind = Some(k);
            }
            kind.unwrap_or(CellKind::Text)
        })
        .collect()
}

/// One cell typed on its own (a template's example row): a code column stays text, otherwise
/// the value's own kind.
pub(crate) fn write_typed_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    header: &str,
    value: &str,
) -> Result<(), XlsxError> {
    let kind = if is_code_column(header) {
        CellKind::Text
    } else {
        kind_of(value)
    };
    write_cell(sheet, row, col, kind, value)
}

/// `[$-421]` is Excel's Indonesian locale, so dates show as "7 Des 2026" and numbers with
/// the reader's separators.
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    kind: CellKind,
    value: &str,
) -> Result<(), XlsxError> {
    let number = |format: &str| Format::new().set_num_format(format);
    match kind {
        _ if value.is_empty() => {}
        CellKind::Integer | CellKind::Decimal => match value.parse::<f64>() {
            Ok(n) if kind == CellKind::Integer => {
                sheet.write_number_with_format(row, col, n, &number("#,##0"))?;
            }
            Ok(n) => {
                sheet.write_number_with_format(row, col, n, &number("#,##0.0##"))?;
            }
            Err(_) => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::Date => match excel_date(value) {
            Some(d) => {
                sheet.write_datetime_with_format(row, col, &d, &number("[$-421]d mmm yyyy"))?;
            }
            None => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::DateTime => match datetime(value).and_then(|d| excel_datetime(&d)) {
            Some(d) => {
                sheet.write_datetime_with_format(
                    row,
                    col,
                    &d,
                    &number("[$-421]d mmm yyyy hh:mm"),
                )?;
            }
            None => {
                sheet.write_string(row, col, &*neutralise(value))?;
            }
        },
        CellKind::Text => {
            sheet.write_string(row, col, &*neutralise(value))?;
        }
    }
    Ok(())
}

/// An XLSX workbook with one sheet per table (plus "Petunjuk" where a table has notes).
/// Numbers and dates are typed cells (see [`column_kinds`]); codes such as NIK, No. KK and
/// region codes stay text, so they keep their digits and dots.
pub fn xlsx_bytes(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.name))?;
        for (c, h) in table.headers.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(0, c, &*neutralise(h), &bold)?;
            sheet.set_column_format(c, &text)?;
            sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).clamp(10.0, 40.0))?;
        }
        let kinds = column_kinds(table);
        for (c, kind) in kinds.iter().enumerate() {
            if *kind != CellKind::Text {
                sheet.set_column_format(c as u16, &Format::new())?;
            }
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let kind = kinds.get(c).copied().unwrap_or(CellKind::Text);
                write_cell(sheet, (r + 1) as u32, c as u16, kind, v)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if !table.notes.is_empty() {
            let notes = workbook.add_worksheet();
            notes.set_name(sheet_name(&format!("Petunjuk {}", table.name)))?;
            notes.write_string_with_format(0, 0, "Kolom", &bold)?;
            notes.write_string_with_format(0, 1, "Keterangan", &bold)?;
            notes.set_column_width(0, 28.0)?;
            notes.set_column_width(1, 90.0)?;
            for (i, (column, note)) in table.notes.iter().enumerate() {
                notes.write_string((i + 1) as u32, 0, &*neutralise(column))?;
                notes.write_string((i + 1) as u32, 1, &*neutralise(note))?;
            }
        }
    }
    workbook.save_to_buffer()
}

fn sheet_name(name: &str) -> String {
    // Excel forbids these characters in sheet names and caps them at 31 characters.
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "data".into()
    } else {
        cleaned
    }
}

/// The slots for large exports, shared by every request of a server.
#[derive(Clone)]
pub struct ExportSlots(Arc<Semaphore>);

impl ExportSlots {
    pub fn new(at_once: usize) -> ExportSlots {
        ExportSlots(Arc::new(Semaphore::new(at_once.max(1))))
    }

    /// A slot, or 503 "try again" when all are taken: queueing would only hold the
    /// request's connection open while the ones ahead run for tens of seconds.
    fn take(&self) -> Result<OwnedSemaphorePermit, crate::AppError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| crate::AppError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                key: "security.export_busy",
                detail: Some(
                    sinergi_core::Msg::new("security.export_busy_detail")
                        .arg("max", HEAVY_EXPORTS_AT_ONCE as u64),
                ),
            })
    }
}

impl Default for ExportSlots {
    fn default() -> Self {
        ExportSlots::new(HEAVY_EXPORTS_AT_ONCE)
    }
}

/// Rows of a large export, chunk by chunk; an empty chunk ends it.
pub trait RowSource: Send + 'static {
    fn next_rows(&mut self) -> impl Future<Output = Result<Vec<Vec<String>>, StoreError>> + Send;
}

/// A large table as a download named `<stem>.csv` or `<stem>.xlsx`, written from `source`
/// off the request threads with bounded memory (see the module comment). The audit entry
/// is the caller's, written before the rows are read.
pub async fn streamed_download(
    slots: &ExportSlots,
    format: TableFormat,
    stem: &str,
    headers: &[&str],
    source: impl RowSource,
) -> Result<Response, crate::AppError> {
    let permit = slots.take()?;
    let filename = format!("{stem}.{}", format.extension());
    let headers: Vec<String> = headers.iter().map(|h| neutralise(h).into_owned()).collect();
    let runtime = tokio::runtime::Handle::current();
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let length = match format {
        TableFormat::Csv => {
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                if let Err(e) = stream_csv(&runtime, source, &headers, &tx) {
                    tracing::error!(error = %e, "csv export stopped");
                    // The client sees a broken transfer, not a short file that looks whole.
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                }
            });
            None
        }
        TableFormat::Xlsx => {
            let written = tokio::task::spawn_blocking(move || {
                let file = write_xlsx(&runtime, source, &headers)?;
                Ok::<_, ExportError>((file, permit))
            })
            .await
            .map_err(crate::AppError::internal)?
            .map_err(crate::AppError::internal)?;
            let (mut file, permit) = written;
            let length = file
                .seek(SeekFrom::End(0))
                .and_then(|n| file.seek(SeekFrom::Start(0)).map(|_| n))
                .map_err(crate::AppError::internal)?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                send_file(file, &tx)
            });
            Some(length)
        }
    };
    let mut resp = Body::new(ChannelBody(rx)).into_response();
    set_download_headers(&mut resp, &filename, format.content_type());
    if let Some(n) = length {
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    Ok(resp)
}

/// Why a streamed export stopped: the database, the workbook writer or the disk.
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("reading rows: {0}")]
    Store(#[from] StoreError),
    #[error("writing xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
    #[error("the client went away")]
    Gone,
}

type Chunk = Result<Bytes, std::io::Error>;

fn stream_csv(
    runtime: &tokio::runtime::Handle,
    mut source: impl RowSource,
    headers: &[String],
    tx: &mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut first = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut first);
        w.write_record(headers).map_err(std::io::Error::from)?;
        w.flush()?;
    }
    tx.blocking_send(Ok(first.into()))
        .map_err(|_| ExportError::Gone)?;
    loop {
        let rows = runtime.block_on(source.next_rows())?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 128));
        for row in &rows {
            w.write_record(row.iter().map(|v| neutralise(v)).map(|v| v.into_owned()))
                .map_err(std::io::Error::from)?;
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        tx.blocking_send(Ok(bytes.into()))
            .map_err(|_| ExportError::Gone)?;
    }
}

/// The rows as a one-sheet workbook in an unnamed temporary file (gone when closed, even if
/// the server is killed); rust_xlsxwriter's constant-memory mode writes each row to disk as
/// it goes instead of holding the sheet.
fn write_xlsx(
    runtime: &tokio::runtime::Handle,
    mut source: impl RowSource,
    headers: &[String],
) -> Result<std::fs::File, ExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("data")?;
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        if is_code_column(h) {
            sheet.set_column_format(c, &text)?;
        }
        sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).clamp(10.0, 40.0))?;
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut r: u32 = 1;
    loop {
        let rows = runtime.block_on(source.next_rows())?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            // Rows stream past once, so each cell is typed on its own (dates as dates).
            for (c, v) in row.iter().enumerate() {
                let header = headers.get(c).map_or("", String::as_str);
                write_typed_cell(sheet, r, c as u16, header, v)?;
            }
            r += 1;
        }
    }
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.flush()?;
    Ok(file)
}

fn send_file(mut file: std::fs::File, tx: &mpsc::Sender<Chunk>) {
    loop {
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                if tx.blocking_send(Ok(buf.into())).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
}

/// A response body fed by a bounded channel: the writer waits when the client is slow.
struct ChannelBody(mpsc::Receiver<Chunk>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|r| r.map(http_body::Frame::data)))
    }
}

fn set_download_headers(resp: &mut Response, filename: &str, content_type: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
}

/// A file download with the right type and name.
pub fn file_download(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    set_download_headers(&mut resp, filename, content_type);
    resp
}

/// A table as a download named `<stem>.csv` or `<stem>.xlsx`.
pub fn table_download(
    format: TableFormat,
    stem: &str,
    table: Table,
) -> Result<Response, crate::AppError> {
    let filename = format!("{stem}.{}", format.extension());
    let bytes = match format {
        TableFormat::Csv => csv_bytes(&table),
        TableFormat::Xlsx => xlsx_bytes(std::slice::from_ref(&table))
            .map_err(|e| crate::AppError::internal(format!("xlsx: {e}")))?,
    };
    Ok(file_download(&filename, format.content_type(), bytes))
}

/// A CSV download (the shape the older pages use).
pub fn csv_download(filename: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Response {
    let table = Table::new(filename.trim_end_matches(".csv"), headers, rows);
    file_download(filename, TableFormat::Csv.content_type(), csv_bytes(&table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_round_trips_text_cells_through_calamine_reader() {
        let table = Table {
            notes: vec![("kode".into(), "Kode Kemendagri".into())],
            ..Table::new(
                "lks",
                &["kode", "nik"],
                vec![vec!["52.03.05.2003".into(), "5203054107950001".into()]],
            )
        };
        let bytes = xlsx_bytes(&[table]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let read = sinergi_intake::columns::read_table_file(&path).unwrap();
        assert_eq!(read.header, vec!["kode", "nik"]);
        assert_eq!(read.column("nik").unwrap().get(0), "5203054107950001");
        assert_eq!(read.column("kode").unwrap().get(0), "52.03.05.2003");
    }

    #[test]
    fn xlsx_types_numbers_and_dates_and_keeps_codes_text() {
        use calamine::{Data, Reader};
        let table = Table::new(
            "ringkas",
            &["kode_wilayah", "nama", "jumlah", "persen", "tanggal", "nik"],
            vec![
                vec![
                    "52".into(),
                    "NTB".into(),
                    "1166".into(),
                    "12.5".into(),
                    "2026-12-07".into(),
                    "5203054107950001".into(),
                ],
                vec![
                    "52.01".into(),
                    "Lombok Barat".into(),
                    "-3".into(),
                    "7".into(),
                    String::new(),
                    "52030541**950001".into(),
                ],
            ],
        );
        let bytes = xlsx_bytes(&[table]).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("ringkas").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap();
        assert_eq!(cell(1, 0), Data::String("52".into()), "a code stays text");
        assert_eq!(cell(1, 2), Data::Float(1166.0));
        assert_eq!(
            cell(2, 2),
            Data::Float(-3.0),
            "a negative number is a number"
        );
        assert_eq!(cell(1, 3), Data::Float(12.5));
        assert_eq!(cell(2, 3), Data::Float(7.0));
        assert!(matches!(cell(1, 4), Data::DateTime(_)), "{:?}", cell(1, 4));
        assert_eq!(cell(1, 5), Data::String("5203054107950001".into()));
    }

    #[test]
    fn csv_starts_with_bom_and_quotes() {
        let t = Table::new("x", &["a"], vec![vec!["b,c".into()]]);
        assert_eq!(csv_bytes(&t), "\u{feff}a\n\"b,c\"\n".as_bytes());
    }

    #[test]
    fn formulas_are_neutralised_in_csv_and_xlsx() {
        let evil = [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ];
        let rows: Vec<Vec<String>> = evil
            .iter()
            .map(|e| vec![e.to_string(), "Siti - Aminah".into()])
            .collect();
        let t = Table::new("x", &["nama", "=kolom"], rows);
        let csv = String::from_utf8(csv_bytes(&t)).unwrap();
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(reader.headers().unwrap().get(1), Some("'=kolom"));
        let read: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(read.len(), evil.len());
        for (rec, e) in read.iter().zip(evil) {
            assert_eq!(rec.get(0).unwrap(), format!("'{e}"));
            // A dash inside a value is harmless and stays as it is.
            assert_eq!(rec.get(1).unwrap(), "Siti - Aminah");
        }
        let bytes = xlsx_bytes(&[t]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let table = sinergi_intake::columns::read_table_file(&path).unwrap();
        let col = table.column("nama").unwrap();
        for (i, e) in evil.iter().enumerate() {
            assert!(
                col.get(i).starts_with('\''),
                "{e:?} became {:?}",
                col.get(i)
            );
        }
        assert_eq!(col.get(2), "'-2+3");
        assert_eq!(neutralise("Siti"), "Siti");
        assert_eq!(neutralise(""), "");
    }

    /// Rows in chunks; the first chunk waits for `gate` when one is given, so a test can
    /// hold an export open.
    struct Numbers {
        chunks: std::collections::VecDeque<Vec<Vec<String>>>,
        gate: Option<tokio::sync::oneshot::Receiver<()>>,
    }

    impl Numbers {
        fn new(chunks: usize, per_chunk: usize) -> Numbers {
            Numbers {
                chunks: (0..chunks)
                    .map(|c| {
                        (0..per_chunk)
                            .map(|i| vec![(c * per_chunk + i).to_string(), "=1+1".into()])
                            .collect()
                    })
                    .collect(),
                gate: None,
            }
        }
    }

    impl RowSource for Numbers {
        async fn next_rows(&mut self) -> Result<Vec<Vec<String>>, StoreError> {
            if let Some(gate) = self.gate.take() {
                let _ = gate.await;
            }
            Ok(self.chunks.pop_front().unwrap_or_default())
        }
    }

    async fn body(resp: Response) -> Vec<u8> {
        axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn streamed_csv_and_xlsx_hold_every_row_in_order_neutralised() {
        let slots = ExportSlots::default();
        let resp = streamed_download(
            &slots,
            TableFormat::Csv,
            "x",
            &["n", "f"],
            Numbers::new(7, 1000),
        )
        .await
        .unwrap();
        assert_eq!(
            resp.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"x.csv\""
        );
        let csv = String::from_utf8(body(resp).await).unwrap();
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 7000);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.get(0).unwrap(), i.to_string());
            assert_eq!(r.get(1).unwrap(), "'=1+1");
        }
        let resp = streamed_download(
            &slots,
            TableFormat::Xlsx,
            "x",
            &["n", "f"],
            Numbers::new(3, 1000),
        )
        .await
        .unwrap();
        let length: usize = resp.headers()[header::CONTENT_LENGTH]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let bytes = body(resp).await;
        assert_eq!(bytes.len(), length);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let table = sinergi_intake::columns::read_table_file(&path).unwrap();
        assert_eq!(table.header, vec!["n", "f"]);
        let n = table.column("n").unwrap();
        assert_eq!(n.get(0), "0");
        assert_eq!(n.get(2999), "2999");
        assert_eq!(table.column("f").unwrap().get(5), "'=1+1");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_slots_an_export_is_refused_with_503_until_one_ends() {
        let slots = ExportSlots::new(1);
        let (open, gate) = tokio::sync::oneshot::channel();
        let held = Numbers {
            gate: Some(gate),
            ..Numbers::new(2, 10)
        };
        let first = streamed_download(&slots, TableFormat::Csv, "a", &["n"], held)
            .await
            .unwrap();
        let refused = streamed_download(&slots, TableFormat::Csv, "b", &["n"], Numbers::new(1, 1))
            .await
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.key, "security.export_busy");
        let _ = open.send(());
        let first = String::from_utf8(body(first).await).unwrap();
        assert_eq!(first.lines().count(), 21);
        // The slot comes back once the first export has been written out.
        let mut again = None;
        for _ in 0..100 {
            match streamed_download(&slots, TableFormat::Csv, "c", &["n"], Numbers::new(1, 1)).await
            {
                Ok(r) => {
                    again = Some(r);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
        assert_eq!(
            String::from_utf8(body(again.unwrap()).await)
                .unwrap()
                .lines()
                .count(),
            2
        );
    }

    #[test]
    fn sheet_names_are_cleaned() {
        assert_eq!(sheet_name("a/b"), "a b");
        assert_eq!(sheet_name(""), "data");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
