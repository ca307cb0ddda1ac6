//! The quoting of one delimited record, read the way the `csv` crate reads it (quoting on,
//! doubled quotes, no escape character): the one scanner behind a field's byte range for
//! `--fix`, the place of a broken quote in a row, and the delimiter counts of detection.
//! (`table::QuoteScan` follows the same rules over a stream, to cut blocks on record
//! boundaries; it keeps only what cutting needs.)
//!
//! A quote opens a quoted field only at the start of a field; elsewhere it is an ordinary
//! byte (a stray quote). In a quoted field two quotes stand for one and a single quote
//! closes it; bytes after the closing quote, up to the delimiter, still belong to the field.
//! Outside quotes `\n`, `\r` and `\r\n` end a record: the next field starts after them.

use std::ops::Range;

/// One field of a record, as byte ranges of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    /// From its first byte to its last, quotes included, delimiter and line ending excluded.
    pub(crate) span: Range<usize>,
    /// Its value's bytes as written: inside the quotes for a quoted field closed right at
    /// its end (doubled quotes still doubled), else the whole span.
    pub(crate) value: Range<usize>,
    /// It starts with a quote.
    pub(crate) quoted: bool,
    /// A quoted field whose closing quote never came (the record ends inside it).
    pub(crate) unclosed: bool,
    /// The first quote that is an ordinary byte: in an unquoted field, or after the closing
    /// quote of a quoted one.
    pub(crate) stray_quote: Option<usize>,
}

/// The fields of `record`. A UTF-8 byte order mark and line endings at its start are not
/// part of the first field: the csv crate drops the mark and skips empty lines, and a
/// record's bytes start where its position does, before them.
pub(crate) fn fields(record: &[u8], delimiter: u8) -> Fields<'_> {
    let mut at = if record.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    while matches!(record.get(at), Some(b'\n' | b'\r')) {
        at += 1;
    }
    Fields {
        record,
        delimiter,
        at,
        done: false,
    }
}

/// The iterator of [`fields`].
pub(crate) struct Fields<'a> {
    record: &'a [u8],
    delimiter: u8,
    at: usize,
    done: bool,
}

impl Iterator for Fields<'_> {
    type Item = Field;

    fn next(&mut self) -> Option<Field> {
        if self.done {
            return None;
        }
        let record = self.record;
        let start = self.at;
        let mut i = start;
        let quoted = record.get(i) == Some(&b'"');
        let mut unclosed = false;
        let mut closed_at = None;
        if quoted {
            i += 1;
            loop {
                match memchr::memchr(b'"', &record[i..]) {
                    None => {
                        i = record.len();
                        unclosed = true;
                        break;
                    }
                    Some(q) if record.get(i + q + 1) == Some(&b'"') => i += q + 2,
                    Some(q) => {
                        i += q + 1;
                        closed_at = Some(i);
                        break;
                    }
                }
            }
        }
        let mut stray_quote = None;
        while let Some(&b) = record.get(i) {
            if b == self.delimiter || b == b'\n' || b == b'\r' {
                break;
            }
            if b == b'"' && stray_quote.is_none() {
                stray_quote = Some(i);
            }
            i += 1;
        }
        let end = i;
        match record.get(i) {
            None => self.done = true,
            Some(b'\r') if record.get(i + 1) == Some(&b'\n') => self.at = i + 2,
            Some(_) => self.at = i + 1,
        }
        // A record's line ending ends it: no empty field after it.
        if self.at >= record.len() && matches!(record.get(i), Some(b'\n' | b'\r')) {
            self.done = true;
        }
        let value = match closed_at {
            Some(close) if close == end => start + 1..end - 1,
            _ => start..end,
        };
        Some(Field {
            span: start..end,
            value,
            quoted,
            unclosed,
            stray_quote,
        })
    }
}

/// The byte range of field `k` of a record (inside the quotes of a quoted field), for
/// replacing its value in place.
pub(crate) fn field_range(record: &[u8], delimiter: u8, k: usize) -> Option<Range<usize>> {
    fields(record, delimiter).nth(k).map(|f| f.value)
}

/// What is wrong with the quoting of a record, and where: the first stray quote, else the
/// quote that opened a field never closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrokenQuote {
    /// A quote inside an unquoted field (or after a quoted field's closing quote).
    Stray(usize),
    /// The opening quote of a quoted field that is never closed.
    Unclosed(usize),
}

/// The broken quote of a record, if any (see [`BrokenQuote`]).
pub(crate) fn broken_quote(record: &[u8], delimiter: u8) -> Option<BrokenQuote> {
    let mut unclosed = None;
    for field in fields(record, delimiter) {
        if let Some(at) = field.stray_quote {
            return Some(BrokenQuote::Stray(at));
        }
        if field.unclosed {
            unclosed = Some(BrokenQuote::Unclosed(field.span.start));
        }
    }
    unclosed
}

/// How many delimiters a line holds outside quotes.
pub(crate) fn delimiters_outside_quotes(line: &[u8], delimiter: u8) -> usize {
    fields(line, delimiter).count().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (record, delimiter, each field's value as written, the broken quote).
    #[allow(clippy::type_complexity)]
    const TABLE: &[(&[u8], u8, &[&[u8]], Option<BrokenQuote>)] = &[
        (b"a,b,c", b',', &[b"a", b"b", b"c"], None),
        (b"a,b,c\n", b',', &[b"a", b"b", b"c"], None),
        (b"a,b,c\r\n", b',', &[b"a", b"b", b"c"], None),
        (b"a,,\n", b',', &[b"a", b"", b""], None),
        (b"", b',', &[b""], None),
        (b"\"a,b\",c", b',', &[b"a,b", b"c"], None),
        (b"\"a\"\"b\",c", b',', &[b"a\"\"b", b"c"], None),
        (b"\"a\nb\";c\r\n", b';', &[b"a\nb", b"c"], None),
        (b"\"\",x", b',', &[b"", b"x"], None),
        (b"\"x\"y,z", b',', &[b"\"x\"y", b"z"], None),
        (
            b"\"x\"y\",z",
            b',',
            &[b"\"x\"y\"", b"z"],
            Some(BrokenQuote::Stray(4)),
        ),
        (
            b"a \"q\" b,c",
            b',',
            &[b"a \"q\" b", b"c"],
            Some(BrokenQuote::Stray(2)),
        ),
        (
            b"a,\"open,b\n",
            b',',
            &[b"a", b"\"open,b\n"],
            Some(BrokenQuote::Unclosed(2)),
        ),
        (
            b"\"ok\",\"open",
            b',',
            &[b"ok", b"\"open"],
            Some(BrokenQuote::Unclosed(5)),
        ),
        (b"\xEF\xBB\xBF\"a\",b", b',', &[b"a", b"b"], None),
        (
            b"\xEF\xBB\xBF\n\r\nUSRC17607839,b",
            b',',
            &[b"USRC17607839", b"b"],
            None,
        ),
        (
            b"a\tb\"\t\"c\"",
            b'\t',
            &[b"a", b"b\"", b"c"],
            Some(BrokenQuote::Stray(3)),
        ),
    ];

    #[test]
    fn a_table_of_records() {
        for (record, delimiter, values, broken) in TABLE {
            let got: Vec<&[u8]> = fields(record, *delimiter)
                .map(|f| &record[f.value])
                .collect();
            assert_eq!(got, *values, "{:?}", String::from_utf8_lossy(record));
            assert_eq!(
                broken_quote(record, *delimiter),
                *broken,
                "{:?}",
                String::from_utf8_lossy(record)
            );
            assert_eq!(
                delimiters_outside_quotes(record, *delimiter),
                values.len() - 1
            );
        }
    }

    /// The csv crate's reading of `record` (its first record), fields unescaped.
    fn csv_reads(record: &[u8], delimiter: u8) -> Option<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(record);
        let mut row = csv::ByteRecord::new();
        match reader.read_byte_record(&mut row) {
            Ok(true) => Some(row.iter().map(<[u8]>::to_vec).collect()),
            _ => None,
        }
    }

    /// Ours, unescaped as the csv crate does: a quoted field's doubled quotes made one,
    /// the bytes after its closing quote appended.
    fn ours(record: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
        let body = record.strip_suffix(b"\n").unwrap_or(record);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        fields(body, delimiter)
            .map(|f| {
                if !f.quoted {
                    return record[f.span].to_vec();
                }
                let mut out = Vec::new();
                let mut i = f.span.start + 1;
                let mut inside = true;
                while i < f.span.end {
                    match (record[i], inside) {
                        (b'"', true) if record.get(i + 1) == Some(&b'"') && i + 1 < f.span.end => {
                            out.push(b'"');
                            i += 1;
                        }
                        (b'"', true) => inside = false,
                        (b, _) => out.push(b),
                    }
                    i += 1;
                }
                out
            })
            .collect()
    }

    proptest::proptest! {
        /// Any record of quotes, delimiters, line breaks inside quotes and text: the fields
        /// are the csv crate's, byte for byte, and a record the csv writer wrote has no
        /// broken quote.
        #[test]
        fn fields_are_the_csv_crates(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b"USRC17607839", b",", b";", b"\"", b"\"\"", b" ", b"\xe9",
                ]),
                0..12,
            ),
            delimiter in proptest::sample::select(vec![b',', b';']),
            crlf in proptest::bool::ANY,
        ) {
            let mut record = pieces.concat();
            record.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            // A record the csv crate reads whole (an unclosed quote runs to the end: it
            // keeps the line ending in the field, as ours does not have one to stop at).
            let has_unclosed = fields(&record, delimiter).any(|f| f.unclosed);
            if let (Some(theirs), false) = (csv_reads(&record, delimiter), has_unclosed) {
                proptest::prop_assert_eq!(ours(&record, delimiter), theirs);
            }
        }

        #[test]
        fn written_records_are_read_back(
            values in proptest::collection::vec("[a-z0-9 ,;\"\n\r-]{0,8}", 1..6),
            always in proptest::bool::ANY,
        ) {
            let mut writer = csv::WriterBuilder::new()
                .quote_style(if always { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary })
                .from_writer(Vec::new());
            writer.write_record(&values).unwrap();
            let record = writer.into_inner().unwrap();
            proptest::prop_assert_eq!(broken_quote(&record, b','), None);
            let read: Vec<String> = ours(&record, b',')
                .into_iter()
                .map(|v| String::from_utf8(v).unwrap())
                .collect();
            proptest::prop_assert_eq!(read, values.clone());
            for (k, value) in values.iter().enumerate() {
                let range = field_range(&record, b',', k).unwrap();
                let quoted = range.start > 0 && record[range.start - 1] == b'"';
                let text = String::from_utf8(record[range].to_vec()).unwrap();
                let text = if quoted { text.replace("\"\"", "\"") } else { text };
                proptest::prop_assert_eq!(&text, value);
            }
        }
    }
}
