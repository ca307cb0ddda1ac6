//! Reader for the prefix table's CSV format.
//!
//! This file is compiled twice: into the crate (for tables loaded at run time) and into
//! `build.rs` (to embed the shipped table), so one parser decides what a valid table is.
//! It must therefore use only `core` and `alloc`, and nothing else from this crate.

use alloc::string::String;
use alloc::vec::Vec;

/// One data row of a prefix table file, before it becomes a `PrefixEntry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The two letters, uppercase.
    pub code: [u8; 2],
    /// Country or `Worldwide`.
    pub territory: String,
    /// National agency, or the International ISRC Registration Authority.
    pub agency: String,
    /// `false` for `active`, `true` for `retired`.
    pub retired: bool,
    /// Year and month of introduction, where documented.
    pub introduced: Option<(u16, u8)>,
}

impl Row {
    /// The first year of reference from which a code under this prefix needs no remark
    /// because of the prefix: the year it was introduced (0 when undated), or `u16::MAX`
    /// when it is retired. Lets the checker's common case test the prefix with one compare.
    pub fn quiet_from(&self) -> u16 {
        match (self.retired, self.introduced) {
            (true, _) => u16::MAX,
            (false, Some((year, _))) => year,
            (false, None) => 0,
        }
    }
}

/// A whole table file: its date (from a `# ... as of YYYY-MM-DD` comment) and rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// The `YYYY-MM-DD` found in a leading comment line, if any.
    pub date: Option<String>,
    /// Data rows in file order.
    pub rows: Vec<Row>,
}

/// What is wrong with a table file, and where (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong, for a person.
    pub message: String,
}

const HEADER: [&str; 5] = ["prefix", "territory", "agency", "status", "introduced"];

/// Parses a prefix table: a header `prefix,territory,agency,status,introduced`, then one row a
/// prefix. Lines starting with `#` are comments; quoted fields may hold commas and `""`.
pub fn parse(text: &str) -> Result<Parsed, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let mut seen_header = false;
    let mut seen = [false; 26 * 26];
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if parsed.date.is_none() {
                parsed.date = find_date(comment).map(String::from);
            }
            continue;
        }
        let fields = split_fields(line, line_no)?;
        if !seen_header {
            check_header(&fields, line_no)?;
            seen_header = true;
            continue;
        }
        let row = parse_row(&fields, line, line_no)?;
        let slot = usize::from(row.code[0] - b'A') * 26 + usize::from(row.code[1] - b'A');
        if seen[slot] {
            return Err(error_at(
                line_no,
                1,
                alloc::format!("prefix {} is listed twice", as_text(&row.code)),
            ));
        }
        seen[slot] = true;
        parsed.rows.push(row);
    }
    if !seen_header {
        return Err(error_at(
            1,
            1,
            String::from("no header line `prefix,territory,agency,status,introduced` found"),
        ));
    }
    if parsed.rows.is_empty() {
        return Err(error_at(1, 1, String::from("the table lists no prefixes")));
    }
    Ok(parsed)
}

fn as_text(code: &[u8; 2]) -> &str {
    core::str::from_utf8(code).unwrap_or("??")
}

fn error_at(line: usize, column: usize, message: String) -> CsvError {
    CsvError {
        line,
        column,
        message,
    }
}

/// A field and the 1-based character column where it starts.
struct Field {
    text: String,
    column: usize,
}

fn split_fields(line: &str, line_no: usize) -> Result<Vec<Field>, CsvError> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    let mut column = 1;
    loop {
        let start = column;
        let mut text = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            column += 1;
            loop {
                match chars.next() {
                    None => {
                        return Err(error_at(
                            line_no,
                            start,
                            String::from("quoted field is not closed on this line"),
                        ));
                    }
                    Some('"') => {
                        column += 1;
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            column += 1;
                            text.push('"');
                        } else {
                            break;
                        }
                    }
                    Some(c) => {
                        column += 1;
                        text.push(c);
                    }
                }
            }
            match chars.peek() {
                None | Some(',') => {}
                Some(_) => {
                    return Err(error_at(
                        line_no,
                        column,
                        String::from("text after a closing quote; expected a comma"),
                    ));
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                chars.next();
                column += 1;
                text.push(c);
            }
        }
        fields.push(Field {
            text,
            column: start,
        });
        if chars.next().is_none() {
            return Ok(fields);
        }
        column += 1;
    }
}

fn check_header(fields: &[Field], line_no: usize) -> Result<(), CsvError> {
    for (i, expected) in HEADER.iter().enumerate() {
        match fields.get(i) {
            Some(field) if field.text.trim().eq_ignore_ascii_case(expected) => {}
            Some(field) => {
                return Err(error_at(
                    line_no,
                    field.column,
                    alloc::format!(
                        "header column {} is `{}`; expected `{}` (header: {})",
                        i + 1,
                        field.text,
                        expected,
                        HEADER.join(",")
                    ),
                ));
            }
            None => {
                return Err(error_at(
                    line_no,
                    1,
                    alloc::format!(
                        "header has {} columns; expected {}",
                        fields.len(),
                        HEADER.join(",")
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn parse_row(fields: &[Field], line: &str, line_no: usize) -> Result<Row, CsvError> {
    if fields.len() != HEADER.len() {
        let column = fields
            .get(HEADER.len())
            .map_or(line.chars().count() + 1, |f| f.column);
        return Err(error_at(
            line_no,
            column,
            alloc::format!("row has {} fields; expected 5", fields.len()),
        ));
    }
    let code_field = &fields[0];
    let code_text = code_field.text.trim();
    let bytes = code_text.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return Err(error_at(
            line_no,
            code_field.column,
            alloc::format!("prefix `{code_text}` is not two letters A-Z"),
        ));
    }
    let code = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
    let retired = match fields[3].text.trim() {
        s if s.eq_ignore_ascii_case("active") => false,
        s if s.eq_ignore_ascii_case("retired") => true,
        other => {
            return Err(error_at(
                line_no,
                fields[3].column,
                alloc::format!("status `{other}` is neither `active` nor `retired`"),
            ));
        }
    };
    let introduced_text = fields[4].text.trim();
    let introduced = if introduced_text.is_empty() {
        None
    } else {
        Some(parse_year_month(introduced_text).ok_or_else(|| {
            error_at(
                line_no,
                fields[4].column,
                alloc::format!("introduced `{introduced_text}` is not a year-month like 2021-06"),
            )
        })?)
    };
    Ok(Row {
        code,
        territory: String::from(fields[1].text.trim()),
        agency: String::from(fields[2].text.trim()),
        retired,
        introduced,
    })
}

fn parse_year_month(text: &str) -> Option<(u16, u8)> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

/// Finds the first `YYYY-MM-DD` in a comment.
fn find_date(comment: &str) -> Option<&str> {
    let bytes = comment.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let window = &bytes[i..i + 10];
        let shape_ok = window.iter().enumerate().all(|(j, b)| match j {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        let bounded = i + 10 == bytes.len() || !bytes[i + 10].is_ascii_digit();
        (shape_ok && bounded && (i == 0 || !bytes[i - 1].is_ascii_digit()))
            .then(|| &comment[i..i + 10])
    })
}
