//! XLSX copies of the files partners open in a spreadsheet. Every cell is text, so NIK and
//! No. KK keep all 16 digits; the document date is fixed so the bytes depend on the data only
//! (rust_xlsxwriter already writes fixed zip timestamps).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::SynthError;
use crate::output::Files;

/// Writes `<name>.xlsx` beside the finished CSV `csv_name` (read back from its temporary file).
pub(crate) fn copy_csv(files: &mut Files, csv_name: &str) -> Result<(), SynthError> {
    let xlsx_name = format!("{}.xlsx", csv_name.trim_end_matches(".csv"));
    let tmp = files
        .tmp_of(csv_name)
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let fail = |reason: String| SynthError::Xlsx {
        path: xlsx_name.clone().into(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&tmp)
        .map_err(|e| fail(e.to_string()))?;
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 9, 30).map_err(|e| fail(e.to_string()))?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("Sinergi (data sintetis)"),
    );
    let sheet = workbook.add_worksheet();
    let sheet_name: String = csv_name
        .rsplit('/')
        .next()
        .unwrap_or("data")
        .trim_end_matches(".csv")
        .chars()
        .take(31)
        .collect();
    sheet
        .set_name(sheet_name)
        .map_err(|e| fail(e.to_string()))?;
    let bold = Format::new().set_bold();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| fail(e.to_string()))?;
        for (c, value) in record.iter().enumerate() {
            let result = if r == 0 {
                sheet.write_string_with_format(r as u32, c as u16, value, &bold)
            } else {
                sheet.write_string(r as u32, c as u16, value)
            };
            result.map_err(|e| fail(e.to_string()))?;
        }
    }
    let mut out = files.create(&xlsx_name)?;
    let bytes = workbook.save_to_buffer().map_err(|e| fail(e.to_string()))?;
    out.write(&bytes)?;
    out.finish()
}
