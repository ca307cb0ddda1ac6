//! XLSX exports, for people who open exports in a spreadsheet: the same columns and values as
//! the CSV export, one sheet, with the numeric columns as numbers and text as text (a value
//! that looks like a formula stays text, so no `'` is needed as in CSV).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::export::NUMERIC_COLUMNS;

/// The most data rows one sheet holds (Excel's 1,048,576 rows, less the header).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

fn failed(e: XlsxError) -> Error {
    Error::Service {
        what: "the XLSX export".into(),
        message: e.to_string(),
    }
}

/// An XLSX workbook of `rows` under a header row of `columns` (bold, frozen, with filters):
/// `duration_seconds` and `recording_year` are numbers (empty cells when unknown), the rest
/// text, as [`json_row`](crate::json_row) types them.
///
/// ```
/// let bytes = isrc_registry::xlsx_workbook(
///     &["isrc", "title", "duration_seconds"],
///     vec![vec!["CBXYZ2600001".into(), "=1+1".into(), "205".into()]],
/// )?;
/// assert_eq!(&bytes[..2], b"PK"); // a ZIP package, as every XLSX file
/// # Ok::<(), isrc_registry::Error>(())
/// ```
pub fn xlsx_workbook(
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("ISRC").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (c, name) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .map_err(failed)?;
    }
    let numeric: Vec<bool> = columns
        .iter()
        .map(|c| NUMERIC_COLUMNS.contains(c))
        .collect();
    let mut count = 0usize;
    for row in rows {
        count += 1;
        if count > XLSX_MAX_ROWS {
            return Err(Error::invalid(
                "format",
                format!(
                    "more than {XLSX_MAX_ROWS} rows do not fit in one XLSX sheet; export CSV, or one year at a time"
                ),
            ));
        }
        let r = count as u32;
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = c as u16;
            match value.parse::<u64>() {
                Ok(n) if numeric.get(c).copied().unwrap_or(false) => {
                    sheet.write_number(r, col, n as f64).map_err(failed)?;
                }
                _ => {
                    sheet.write_string(r, col, value).map_err(failed)?;
                }
            };
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    if !columns.is_empty() {
        sheet
            .autofilter(0, 0, count as u32, columns.len() as u16 - 1)
            .map_err(failed)?;
    }
    sheet.autofit();
    workbook.save_to_buffer().map_err(failed)
}
