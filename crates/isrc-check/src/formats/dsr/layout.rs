//! The cells of a DSR's lines: record types, what the header rows (`#AS01\t...`) name, the
//! default cells of each record type, and the numbers of usage cells.

/// Column positions (0-based) in a record type, from a `#..` header row or the defaults.
#[derive(Clone, Copy)]
pub(super) struct UsageColumns {
    pub(super) usages: Option<usize>,
    pub(super) revenue: Option<usize>,
    /// `TransactedResource`: the `ResourceReference` of the block's resource it counts for.
    pub(super) resource: Option<usize>,
}

/// What the header rows (`#AS01\tBlockId\t...`) read so far say about the cells.
#[derive(Clone, Default)]
pub(crate) struct Layouts {
    /// Resource record fields (title, artist, duration: 0-based cells), per record type
    /// (a handful of record types: a list is quicker than a map).
    pub(super) resource_columns: Vec<(Vec<u8>, [usize; 3])>,
    pub(super) usage_columns: Vec<(Vec<u8>, UsageColumns)>,
    pub(super) named_usages: bool,
    pub(super) named_revenue: bool,
}

/// The value of `kind` in a short list of record types, and setting it.
pub(super) fn of_kind<'a, T>(list: &'a [(Vec<u8>, T)], kind: &[u8]) -> Option<&'a T> {
    list.iter().find(|(k, _)| k == kind).map(|(_, v)| v)
}

pub(super) fn set_kind<T>(list: &mut Vec<(Vec<u8>, T)>, kind: &[u8], value: T) {
    match list.iter_mut().find(|(k, _)| k == kind) {
        Some((_, v)) => *v = value,
        None => list.push((kind.to_vec(), value)),
    }
}

impl Layouts {
    /// A `#AS01\tBlockId\t...` row naming the cells of a record type.
    pub(super) fn header_row(&mut self, kind: &[u8], names: &[&[u8]]) {
        let kind = record_type(kind);
        let find = |wanted: &dyn Fn(&str) -> bool| {
            names
                .iter()
                .position(|n| wanted(&String::from_utf8_lossy(n).to_ascii_lowercase()))
                .map(|i| i + 1)
        };
        let single = is_single_record(kind);
        if is_resource(kind) || single {
            let [title, artist, duration] = default_cells(kind);
            let title = find(&|n| matches!(n, "title" | "resourcetitle")).unwrap_or(title);
            let artist = find(&|n| matches!(n, "displayartistname" | "resourcedisplayartistname"))
                .unwrap_or(artist);
            let duration = find(&|n| n == "duration").unwrap_or(duration);
            set_kind(&mut self.resource_columns, kind, [title, artist, duration]);
        }
        if kind.starts_with(b"SU") || single {
            let usages = find(&|n| {
                matches!(
                    n,
                    "numberofusages" | "usages" | "numberofstreams" | "usagecount"
                )
            });
            let revenue = find(&|n| n.contains("revenue"));
            let resource = find(&|n| n == "transactedresource");
            self.named_usages |= usages.is_some();
            self.named_revenue |= revenue.is_some();
            set_kind(
                &mut self.usage_columns,
                kind,
                UsageColumns {
                    usages,
                    revenue,
                    resource,
                },
            );
        }
    }
}

/// A record type without its version: `AS02.04` is an `AS02` record (DSR Part 8 writes the
/// versions of record types into the cell; older files have none).
pub(super) fn record_type(cell: &[u8]) -> &[u8] {
    match memchr::memchr(b'.', cell) {
        Some(p) if p > 0 && cell[p + 1..].iter().all(u8::is_ascii_digit) => &cell[..p],
        _ => cell,
    }
}

/// The `TransactedResource` cell (0-based) of a usage record type: the one a header row
/// names, else cell 6 of `SU01` and `SU02` (DSR Part 8, `SU02.02`).
pub(super) fn transacted_cell(layouts: &Layouts, kind: &[u8]) -> Option<usize> {
    match of_kind(&layouts.usage_columns, kind) {
        Some(columns) => columns.resource,
        None => matches!(kind, b"SU01" | b"SU02").then_some(5),
    }
}

/// The title, display artist and duration cells (0-based) of a record type, unless a
/// header row names them.
pub(super) fn default_cells(kind: &[u8]) -> [usize; 3] {
    if is_single_record(kind) {
        [4, 6, 8]
    } else {
        [5, 7, 9]
    }
}

/// The cells of a line (without its line ending), split at tabs.
pub(super) fn cells_of(line: &[u8]) -> Vec<&[u8]> {
    line.split(|b| *b == b'\t').collect()
}

/// A number of a usage cell (`2040`, `8.5970`): plain decimals of up to 15 digits are read
/// at once, as the digits over a power of ten (both exact in an `f64`, so the one division
/// rounds as `str::parse` does); anything else (signs, exponents, long values) by
/// `str::parse`.
pub(super) fn number_of(text: &str) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 16 {
        return text.parse().ok();
    }
    let (mut digits, mut scale, mut count) = (0u64, None, 0usize);
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                digits = digits * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < bytes.len() => scale = Some(i),
            _ => return text.parse().ok(),
        }
    }
    if count > 15 {
        return text.parse().ok();
    }
    let fraction = scale.map_or(0, |dot| bytes.len() - dot - 1);
    Some(digits as f64 / POWERS[fraction])
}

/// A line without its `\n` and `\r` endings.
pub(super) fn trim_ending(mut line: &[u8]) -> &[u8] {
    while let Some(rest) = line
        .strip_suffix(b"\n")
        .or_else(|| line.strip_suffix(b"\r"))
    {
        line = rest;
    }
    line
}

/// A cell's text, trimmed (empty when missing or not UTF-8).
pub(super) fn text_of<'a>(cells: &[&'a [u8]], i: usize) -> &'a str {
    let Some(cell) = cells.get(i) else {
        return "";
    };
    let text = std::str::from_utf8(cell).unwrap_or("");
    // Most cells start and end with a visible ASCII character: nothing to trim.
    match (cell.first(), cell.last()) {
        (Some(f), Some(l)) if (b'!'..=b'~').contains(f) && (b'!'..=b'~').contains(l) => text,
        _ => text.trim(),
    }
}

/// A resource record of a block, with its ISRC in cell 5.
pub(super) fn is_resource(kind: &[u8]) -> bool {
    matches!(kind, b"AS01" | b"AS02" | b"AS05" | b"AS06")
}

/// A record of the single-record-block variant: resource and usage in one line, its ISRC
/// in cell 4.
pub(super) fn is_single_record(kind: &[u8]) -> bool {
    matches!(kind, b"SR01" | b"SR02")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_at_once_equal_str_parse() {
        let mut texts: Vec<String> = [
            "0",
            "2040",
            "8.5970",
            "0.0001",
            "999999999999999",
            "9999999999999999",
            "1.5e3",
            "-2",
            "+2",
            ".5",
            "5.",
            "1.2.3",
            "",
            "12a",
            "0.1",
            "3.3333333333333",
            "123456.789012345",
            "00000000000000001",
            "inf",
            "NaN",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // A spread of values as a DSR writes them (usages, revenue with 4 decimals).
        let mut x: u64 = 17;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let whole = (x >> 33) % 1_000_000;
            let decimals = ((x >> 20) % 16) as usize;
            let fraction = (x >> 8) % 10u64.pow(decimals.min(12) as u32);
            texts.push(format!("{whole}.{fraction:0decimals$}"));
            texts.push(format!("{whole}"));
        }
        for t in &texts {
            let want = t.parse::<f64>().ok();
            let got = number_of(t);
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "{t:?}: {got:?} vs {want:?}"
            );
        }
    }
}
