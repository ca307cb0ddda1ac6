//! Finding out what an input is: its format, delimiter, header and columns.

use std::str::FromStr;

use crate::report::CheckError;
use isrc::recording::DurationUnit;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One code per line.
    Lines,
    /// Comma-separated values (the delimiter is still detected: `;` and `|` work too).
    Csv,
    /// Tab-separated values.
    Tsv,
    /// JSON Lines: one object per line; the code is at `--field PATH`.
    Jsonl,
    /// An Excel workbook (`.xlsx`): the first sheet, or the one named.
    Xlsx,
    /// Apache Parquet: the columns chosen by the schema's field names, read row group by
    /// row group; a record's line is its row number.
    Parquet,
    /// A DDEX ERN message (3.4 to 4.3), told by its namespace ([`crate::formats::ern`]).
    Ern,
    /// A DDEX DSR sales and usage report, told by its `HEAD` record ([`crate::formats::dsr`]).
    Dsr,
}

impl FromStr for InputFormat {
    type Err = String;

    /// `lines`, `csv`, `tsv`, `jsonl`, `xlsx`, `parquet`, `ern` or `dsr`.
    ///
    /// ```
    /// assert_eq!("tsv".parse(), Ok(isrc_check::InputFormat::Tsv));
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "lines" | "txt" => Ok(InputFormat::Lines),
            "csv" => Ok(InputFormat::Csv),
            "tsv" => Ok(InputFormat::Tsv),
            "jsonl" | "ndjson" => Ok(InputFormat::Jsonl),
            "xlsx" => Ok(InputFormat::Xlsx),
            "parquet" => Ok(InputFormat::Parquet),
            "ern" | "ddex" => Ok(InputFormat::Ern),
            "dsr" => Ok(InputFormat::Dsr),
            _ => Err(format!(
                "unknown input format {s:?}; expected lines, csv, tsv, jsonl, xlsx, parquet, ern or dsr"
            )),
        }
    }
}

impl InputFormat {
    /// The format a file name suggests (`.csv`, `.tsv`, `.jsonl`, `.xlsx`, `.txt`, also under
    /// `.gz` or `.zst`).
    ///
    /// ```
    /// use isrc_check::InputFormat;
    /// assert_eq!(InputFormat::from_name("catalogue.tsv.gz"), Some(InputFormat::Tsv));
    /// assert_eq!(InputFormat::from_name("-"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<InputFormat> {
        let lower = name.to_ascii_lowercase();
        let lower = lower
            .strip_suffix(".gz")
            .or_else(|| lower.strip_suffix(".zst"))
            .unwrap_or(&lower);
        let ext = lower.rsplit_once('.')?.1;
        match ext {
            "csv" => Some(InputFormat::Csv),
            "tsv" | "tab" => Some(InputFormat::Tsv),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            "xlsx" | "xlsm" => Some(InputFormat::Xlsx),
            "parquet" | "parq" | "pq" => Some(InputFormat::Parquet),
            "txt" | "lst" => Some(InputFormat::Lines),
            _ => None,
        }
    }
}

/// A column chosen on the command line: a header name, or a 1-based number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnSpec {
    /// Matched against the header, ignoring case, spaces and punctuation.
    Name(String),
    /// 1-based.
    Number(usize),
}

impl FromStr for ColumnSpec {
    type Err = String;

    /// A number is a column number (from 1), anything else a header name.
    ///
    /// ```
    /// use isrc_check::ColumnSpec;
    /// assert_eq!("3".parse(), Ok(ColumnSpec::Number(3)));
    /// assert_eq!("ISRC code".parse(), Ok(ColumnSpec::Name("ISRC code".into())));
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        match s.parse::<usize>() {
            Ok(0) => Err("column numbers start at 1".into()),
            Ok(n) => Ok(ColumnSpec::Number(n)),
            Err(_) if s.trim().is_empty() => Err("empty column name".into()),
            Err(_) => Ok(ColumnSpec::Name(s.to_owned())),
        }
    }
}

/// The columns a table has, 0-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// The ISRC column.
    pub isrc: usize,
    /// Track title.
    pub title: Option<usize>,
    /// Main artist.
    pub artist: Option<usize>,
    /// Version title (remix, live, radio edit...).
    pub version: Option<usize>,
    /// Duration, and how it is written.
    pub duration: Option<(usize, DurationUnit)>,
}

impl Columns {
    pub(crate) fn has_meta(&self) -> bool {
        self.title.is_some()
            || self.artist.is_some()
            || self.version.is_some()
            || self.duration.is_some()
    }
}

/// Header names recognised for each column (compared after [`header_key`] folding).
const ISRC_NAMES: &[&str] = &[
    "isrc",
    "isrccode",
    "isrcs",
    "isrcnumber",
    "isrcid",
    "isrcno",
    "recordingisrc",
    "trackisrc",
    "soundrecordingisrc",
    "code",
];
const TITLE_NAMES: &[&str] = &[
    "title",
    "tracktitle",
    "songtitle",
    "recordingtitle",
    "trackname",
    "songname",
    "name",
    "track",
    "song",
    // French, German, Spanish, Italian, Portuguese, Dutch, Japanese.
    "titre",
    "titredumorceau",
    "morceau",
    "titel",
    "songtitel",
    "tracktitel",
    "titulo",
    "nombredelapista",
    "cancion",
    "titolo",
    "titolobrano",
    "brano",
    "faixa",
    "nomedafaixa",
    "musica",
    "tracknaam",
    "タイトル",
    "曲名",
    "楽曲名",
    "トラック名",
];
const ARTIST_NAMES: &[&str] = &[
    "artist",
    "mainartist",
    "artistname",
    "primaryartist",
    "displayartist",
    "trackartist",
    "performer",
    "artists",
    "artiste",
    "artisteprincipal",
    "interprete",
    "interpret",
    "hauptinterpret",
    "kunstler",
    "artista",
    "artistaprincipal",
    "artiest",
    "uitvoerder",
    "アーティスト",
    "アーティスト名",
    "歌手",
    "歌手名",
];
const VERSION_NAMES: &[&str] = &[
    "version",
    "versiontitle",
    "mix",
    "mixname",
    "subtitle",
    "versionname",
    "fassung",
    "versione",
    "versao",
    "versie",
    "バージョン",
];
const DURATION_NAMES: &[&str] = &[
    "duration",
    "length",
    "durationms",
    "durationseconds",
    "durationsecs",
    "durationsec",
    "lengthms",
    "runtime",
    "time",
    "playtime",
    "duree",
    "dauer",
    "lange",
    "laenge",
    "spieldauer",
    "duracion",
    "durata",
    "duracao",
    "duur",
    "lengte",
    "speelduur",
    "再生時間",
    "長さ",
    "時間",
];

/// Which named column `header` holds, by the lists above; `isrc` also matches any header
/// containing "isrc".
fn find(header: &[String], names: &[&str]) -> Option<usize> {
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    names.iter().find_map(|n| keys.iter().position(|k| k == n))
}

fn duration_unit(name: &str) -> DurationUnit {
    let key = header_key(name);
    if key.ends_with("ms") || key.contains("milli") {
        DurationUnit::Milliseconds
    } else {
        DurationUnit::Seconds
    }
}

/// Column overrides given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ColumnOverrides {
    /// `--column`.
    pub isrc: Option<ColumnSpec>,
    /// `--title-column`.
    pub title: Option<ColumnSpec>,
    /// `--artist-column`.
    pub artist: Option<ColumnSpec>,
    /// `--version-column`.
    pub version: Option<ColumnSpec>,
    /// `--duration-column`.
    pub duration: Option<ColumnSpec>,
}

fn resolve(
    file: &str,
    spec: &ColumnSpec,
    header: Option<&[String]>,
    width: usize,
    what: &str,
) -> Result<usize, CheckError> {
    match spec {
        ColumnSpec::Number(n) if *n <= width.max(1) => Ok(n - 1),
        ColumnSpec::Number(n) => Err(CheckError::new(
            file,
            1,
            1,
            format!(
                "the {what} column is number {n}, but the first rows have only {width} columns"
            ),
        )),
        ColumnSpec::Name(name) => {
            let Some(header) = header else {
                return Err(CheckError::new(
                    file,
                    1,
                    1,
                    format!(
                        "the {what} column is named {name:?}, but the input has no header row; give its number instead"
                    ),
                ));
            };
            let key = header_key(name);
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
                .or_else(|| header.iter().position(|h| header_key(h) == key))
                .ok_or_else(|| {
                    CheckError::new(
                        file,
                        1,
                        1,
                        format!(
                            "missing column: no {what} column named {name:?}; the header has {}",
                            header
                                .iter()
                                .map(|h| format!("{h:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        }
    }
}

/// Whether `row` looks like a header: it names a known column, or none of its fields is an
/// ISRC while later rows have one.
pub(crate) fn looks_like_header(row: &[String], later: &[Vec<String>]) -> bool {
    if find(row, ISRC_NAMES).is_some()
        || row.iter().any(|h| header_key(h).contains("isrc"))
        || find(row, TITLE_NAMES).is_some()
        || find(row, ARTIST_NAMES).is_some()
    {
        return true;
    }
    let has_code = |r: &[String]| r.iter().any(|f| looks_like_code(f));
    !has_code(row) && later.iter().any(|r| has_code(r))
}

fn looks_like_code(field: &str) -> bool {
    field.len() <= 64 && field.parse::<isrc::Isrc>().is_ok()
}

/// Chooses the columns of a table from its header (if any), sample rows and overrides.
pub(crate) fn choose_columns(
    file: &str,
    header: Option<&[String]>,
    sample: &[Vec<String>],
    overrides: &ColumnOverrides,
) -> Result<Columns, CheckError> {
    let width = header
        .map(<[String]>::len)
        .into_iter()
        .chain(sample.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    let isrc = match &overrides.isrc {
        Some(spec) => resolve(file, spec, header, width, "ISRC")?,
        None => {
            let by_name = header.and_then(|h| {
                find(h, ISRC_NAMES)
                    .or_else(|| h.iter().position(|n| header_key(n).contains("isrc")))
            });
            match by_name {
                Some(i) => i,
                None => {
                    // By content: the column where most values are well-formed ISRCs.
                    let mut best = (0usize, 0usize);
                    for col in 0..width {
                        let hits = sample
                            .iter()
                            .filter(|r| r.get(col).is_some_and(|f| looks_like_code(f)))
                            .count();
                        if hits > best.1 {
                            best = (col, hits);
                        }
                    }
                    if best.1 == 0 && width > 1 {
                        return Err(CheckError::new(
                            file,
                            1,
                            1,
                            "missing column: no column is named like an ISRC column (isrc, ISRC code, isrc_code...) and none holds ISRCs in the first rows; choose one with --column NAME|NUMBER",
                        ));
                    }
                    best.0
                }
            }
        }
    };
    let pick = |spec: &Option<ColumnSpec>,
                names: &[&str],
                what: &str|
     -> Result<Option<usize>, CheckError> {
        match spec {
            Some(spec) => resolve(file, spec, header, width, what).map(Some),
            None => Ok(header.and_then(|h| find(h, names)).filter(|i| *i != isrc)),
        }
    };
    let title = pick(&overrides.title, TITLE_NAMES, "title")?;
    let artist = pick(&overrides.artist, ARTIST_NAMES, "artist")?;
    let version = pick(&overrides.version, VERSION_NAMES, "version")?;
    let duration = pick(&overrides.duration, DURATION_NAMES, "duration")?.map(|i| {
        let unit = header
            .and_then(|h| h.get(i))
            .map_or(DurationUnit::Seconds, |n| duration_unit(n));
        (i, unit)
    });
    Ok(Columns {
        isrc,
        title,
        artist,
        version,
        duration,
    })
}

/// The records of a delimited text as `delimiter` would cut them: a line break inside a
/// quoted field (a header cell "Track\nTitle") does not end one. A quoted field still open
/// at the end of `head` is a stray quote: its record ends with the quote's line.
fn records_of(head: &[u8], delimiter: u8) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut field_start = true;
    // Inside a quoted field: where its quote is.
    let mut quote: Option<usize> = None;
    while i < head.len() {
        let b = head[i];
        match quote {
            Some(_) if b == b'"' => {
                if head.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None if b == b'"' && field_start => quote = Some(i),
            None if b == b'\n' => {
                records.push(&head[start..i]);
                start = i + 1;
            }
            None => {}
        }
        field_start = quote.is_none() && (b == delimiter || b == b'\n');
        i += 1;
        if i == head.len()
            && let Some(q) = quote.take()
        {
            let end = memchr::memchr(b'\n', &head[q..]).map_or(head.len(), |p| q + p);
            records.push(&head[start..end]);
            start = (end + 1).min(head.len());
            i = start;
            field_start = true;
        }
    }
    if start < head.len() {
        records.push(&head[start..]);
    }
    records
}

/// The delimiter of a delimited text, by consistency of counts over the sample records
/// (a line break in a quoted field does not end a record: a header over several lines
/// would otherwise outvote the rows).
pub(crate) fn detect_delimiter(head: &[u8], prefer: Option<u8>) -> Option<u8> {
    let sample = |d: u8| -> Vec<&[u8]> {
        records_of(head, d)
            .into_iter()
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .take(50)
            .collect()
    };
    let lines = sample(b',');
    if lines.is_empty() {
        return None;
    }
    let mut best: Option<(u8, usize, usize)> = None;
    for &d in b",\t;|" {
        let lines = sample(d);
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| crate::quoting::delimiters_outside_quotes(l, d))
            .collect();
        let mut mode = (0usize, 0usize);
        for &c in &counts {
            if c == 0 {
                continue;
            }
            let n = counts.iter().filter(|x| **x == c).count();
            if n > mode.1 {
                mode = (c, n);
            }
        }
        if mode.0 == 0 {
            continue;
        }
        let mut score = mode.1 * 2;
        if prefer == Some(d) {
            score += 1;
        }
        if best.is_none_or(|(_, s, _)| score > s) {
            best = Some((d, score, lines.len()));
        }
    }
    let (d, score, records) = best?;
    // At least 60% of records agree (header and ragged rows allowed).
    (score / 2 * 10 >= records * 6 || prefer == Some(d)).then_some(d)
}

/// Where a JSON Lines record keeps each value: dot-separated key paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonFields {
    /// The ISRC.
    pub isrc: Vec<String>,
    /// Track title.
    pub title: Option<Vec<String>>,
    /// Main artist.
    pub artist: Option<Vec<String>>,
    /// Version title.
    pub version: Option<Vec<String>>,
    /// Duration and its unit.
    pub duration: Option<(Vec<String>, DurationUnit)>,
}

/// Chooses JSON fields from `--field` or the first object's keys.
pub(crate) fn choose_json_fields(
    file: &str,
    first: Option<&str>,
    field: Option<&str>,
) -> Result<JsonFields, CheckError> {
    let keys: Vec<String> = first
        .and_then(|line| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line).ok()
        })
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let path = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
    let isrc = match field {
        Some(f) => path(f),
        None => match find(&keys, ISRC_NAMES)
            .or_else(|| keys.iter().position(|k| header_key(k).contains("isrc")))
        {
            Some(i) => vec![keys[i].clone()],
            None => {
                return Err(CheckError::new(
                    file,
                    1,
                    1,
                    format!(
                        "missing column: the first object has no ISRC key (keys: {}); name it with --field PATH",
                        keys.join(", ")
                    ),
                ));
            }
        },
    };
    let key = |names: &[&str]| find(&keys, names).map(|i| vec![keys[i].clone()]);
    Ok(JsonFields {
        title: key(TITLE_NAMES).filter(|p| *p != isrc),
        artist: key(ARTIST_NAMES),
        version: key(VERSION_NAMES),
        duration: find(&keys, DURATION_NAMES)
            .map(|i| (vec![keys[i].clone()], duration_unit(&keys[i]))),
        isrc,
    })
}

/// A header name folded for matching: letters and digits only, lowercased, with the accents
/// of Latin letters dropped (`Título` and `titulo` agree); other scripts (`タイトル`) are
/// kept as they are.
pub(crate) fn header_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().filter(|c| c.is_alphanumeric()) {
        for l in c.to_lowercase() {
            key.push(unaccent(l));
        }
    }
    key
}

/// A lowercase Latin letter without its accent (the letters of the languages whose header
/// names are recognised).
fn unaccent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn delimiters() {
        assert_eq!(
            detect_delimiter(b"isrc,title\nUSRC17607839,\"a, b\"\n", None),
            Some(b',')
        );
        assert_eq!(detect_delimiter(b"isrc\ttitle\nX\tY\n", None), Some(b'\t'));
        assert_eq!(detect_delimiter(b"a;b;c\n1;2;3\n", None), Some(b';'));
        // A header cell over two lines is one record, not two lines of one delimiter each.
        assert_eq!(
            detect_delimiter(b"isrc;\"Track\nTitle\";x\nA;1;x\nB;2;y\n", None),
            Some(b';')
        );
        // A stray quote ends its record with its line.
        assert_eq!(
            detect_delimiter(b"isrc;title;x\n\"A;1;x\nB;2;y\nC;3;z\n", None),
            Some(b';')
        );
        assert_eq!(
            detect_delimiter(b"USRC17607839\nUSRC17607840\n", None),
            None
        );
    }

    #[test]
    fn columns_by_header_and_content() {
        let header = row(&["Title", "ISRC Code", "Main Artist", "Duration (ms)"]);
        let cols = choose_columns("f", Some(&header), &[], &ColumnOverrides::default()).unwrap();
        assert_eq!(cols.isrc, 1);
        assert_eq!(cols.title, Some(0));
        assert_eq!(cols.artist, Some(2));
        assert_eq!(cols.duration, Some((3, DurationUnit::Milliseconds)));

        let sample = vec![row(&["x", "USRC17607839"]), row(&["y", "GBAYE0601498"])];
        let cols = choose_columns("f", None, &sample, &ColumnOverrides::default()).unwrap();
        assert_eq!(cols.isrc, 1);
        assert!(
            choose_columns("f", None, &[row(&["a", "b"])], &ColumnOverrides::default()).is_err()
        );
    }

    #[test]
    fn headers_in_other_languages() {
        for (header, title, artist, duration) in [
            (["ISRC", "Titre", "Artiste", "Durée"], 1, 2, 3),
            (["ISRC", "Titel", "Interpret", "Dauer"], 1, 2, 3),
            (["ISRC", "Título", "Artista", "Duración"], 1, 2, 3),
            (["ISRC", "Titolo", "Artista", "Durata"], 1, 2, 3),
            (["ISRC", "Nome da faixa", "Artista", "Duração"], 1, 2, 3),
            (["ISRC", "Titel", "Artiest", "Duur"], 1, 2, 3),
            (["ISRC", "曲名", "アーティスト", "再生時間"], 1, 2, 3),
            (["ISRC", "Track Name", "Artist Name", "Length"], 1, 2, 3),
        ] {
            let header = row(&header);
            let cols =
                choose_columns("f", Some(&header), &[], &ColumnOverrides::default()).unwrap();
            assert_eq!(cols.title, Some(title), "{header:?}");
            assert_eq!(cols.artist, Some(artist), "{header:?}");
            assert_eq!(cols.duration.map(|d| d.0), Some(duration), "{header:?}");
        }
    }

    #[test]
    fn header_detection() {
        assert!(looks_like_header(&row(&["isrc"]), &[]));
        assert!(looks_like_header(
            &row(&["a", "b"]),
            &[row(&["x", "USRC17607839"])]
        ));
        assert!(!looks_like_header(&row(&["x", "USRC17607839"]), &[]));
    }
}
