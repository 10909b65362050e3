//! Downloads, in one place: a table becomes a CSV file with a UTF-8 BOM (so Excel reads the
//! Indonesian text right) and a download name.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A CSV download; every value is quoted where needed by the csv writer.
pub fn csv_download(filename: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut out = Vec::with_capacity(64 + rows.len() * 96);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = w.write_record(headers);
        for row in &rows {
            let _ = w.write_record(row);
        }
        let _ = w.flush();
    }
    let mut resp = out.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
