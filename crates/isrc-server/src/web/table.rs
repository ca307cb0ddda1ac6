//! Sortable, paged tables of the pages, over the store's cursor pages
//! ([`isrc_registry::PageRequest`]): a column header is a link that sorts by it (a second
//! click reverses the order), and a link leads to the next page. The links keep the page's
//! other query values (a search, a filter), so paging and sorting never lose them.

use isrc_registry::{Dir, PageRequest};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

/// The sort, direction, cursor and page size of a table, as its page's query string gives
/// them (`?sort=title&dir=desc&after=...&limit=50`). Text, so that a bad value gets the
/// store's message rather than a bare deserialisation error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TableQuery {
    /// A sort column of the list.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// The cursor of the page to show (the previous page's next link).
    pub after: Option<String>,
    /// Rows per page.
    pub limit: Option<String>,
}

impl TableQuery {
    /// The store's page request; `default_limit` when the query gives none.
    pub fn request(&self, default_limit: u32) -> ApiResult<PageRequest> {
        fn filled(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let dir = match filled(&self.dir) {
            Some(text) => Some(text.parse::<Dir>()?),
            None => None,
        };
        let limit = match filled(&self.limit) {
            Some(text) => Some(text.parse::<u32>().map_err(|_| {
                ApiError::bad_request(
                    "invalid",
                    format!("limit: {text:?} is not a number of rows"),
                )
            })?),
            None => Some(default_limit),
        };
        Ok(PageRequest {
            sort: filled(&self.sort).map(str::to_string),
            dir,
            after: filled(&self.after).map(str::to_string),
            limit,
        })
    }
}

/// One column header: its label, the link that sorts by it (empty when the column does not
/// sort), and the order the table is in when it is the column sorted by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// What the header says.
    pub label: &'static str,
    /// The link that sorts by this column, or empty.
    pub href: String,
    /// The table's order when it is sorted by this column.
    pub sorted: Option<Dir>,
}

impl Header {
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub fn aria_sort(&self) -> &'static str {
        match self.sorted {
            None => "none",
            Some(Dir::Asc) => "ascending",
            Some(Dir::Desc) => "descending",
        }
    }

    /// ` ▲` or ` ▼` after the label of the column sorted by, else empty.
    pub fn mark(&self) -> &'static str {
        match self.sorted {
            None => "",
            Some(Dir::Asc) => " ▲",
            Some(Dir::Desc) => " ▼",
        }
    }
}

/// A table's headers and its paging links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The column headers, in order.
    pub headers: Vec<Header>,
    /// The next page's link, or empty on the last page.
    pub next: String,
    /// The first page's link (same sort), or empty when this is the first page.
    pub first: String,
}

/// The headers and paging links of a table at `path`.
///
/// `keep` holds the page's other query values (kept in every link); `columns` pairs each
/// header's label with its sort column (`None`: not sortable); `default_sort` is the column
/// the list sorts by when none is asked; `next` is the store page's cursor.
pub fn table(
    path: &str,
    keep: &[(&str, &str)],
    columns: &[(&'static str, Option<&'static str>)],
    default_sort: &str,
    request: &PageRequest,
    next: Option<&str>,
) -> Table {
    let sorted_by = request.sort.as_deref().unwrap_or(default_sort);
    let dir = request.dir.unwrap_or_default();
    let href = |extra: &[(&str, &str)]| {
        let query: Vec<String> = keep
            .iter()
            .chain(extra)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect();
        if query.is_empty() {
            return path.to_string();
        }
        format!("{path}?{}", query.join("&"))
    };
    let headers = columns
        .iter()
        .map(|&(label, column)| match column {
            None => Header {
                label,
                href: String::new(),
                sorted: None,
            },
            Some(column) => {
                let current = column.eq_ignore_ascii_case(sorted_by);
                let click = if current { dir.flip() } else { Dir::Asc };
                Header {
                    label,
                    href: href(&[("sort", column), ("dir", click.as_str())]),
                    sorted: current.then_some(dir),
                }
            }
        })
        .collect();
    let limit = request.limit.map(|l| l.to_string()).unwrap_or_default();
    let order = [
        ("sort", sorted_by),
        ("dir", dir.as_str()),
        ("limit", &limit),
    ];
    let next = next.map_or_else(String::new, |cursor| {
        let mut extra = order.to_vec();
        extra.push(("after", cursor));
        href(&extra)
    });
    let first = if request.after.is_some() {
        href(&order)
    } else {
        String::new()
    };
    Table {
        headers,
        next,
        first,
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
///
/// ```text
/// "Sigur Rós & co" -> "Sigur%20R%C3%B3s%20%26%20co"
/// ```
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[(&str, Option<&str>)] = &[
        ("ISRC", Some("isrc")),
        ("Title", Some("title")),
        ("Public", None),
    ];

    #[test]
    fn headers_sort_by_their_column_and_a_second_click_reverses() {
        let request = PageRequest {
            sort: Some("title".into()),
            dir: Some(Dir::Asc),
            limit: Some(50),
            ..Default::default()
        };
        let t = table(
            "/portal",
            &[("q", "Sigur Rós")],
            COLUMNS,
            "isrc",
            &request,
            Some("abc"),
        );
        assert_eq!(
            t.headers[0].href,
            "/portal?q=Sigur%20R%C3%B3s&sort=isrc&dir=asc"
        );
        assert_eq!(t.headers[0].aria_sort(), "none");
        assert_eq!(
            t.headers[1].href,
            "/portal?q=Sigur%20R%C3%B3s&sort=title&dir=desc"
        );
        assert_eq!(
            (t.headers[1].aria_sort(), t.headers[1].mark()),
            ("ascending", " ▲")
        );
        assert_eq!(t.headers[2].href, "");
        assert_eq!(
            t.next,
            "/portal?q=Sigur%20R%C3%B3s&sort=title&dir=asc&limit=50&after=abc"
        );
        assert_eq!(t.first, "");
    }

    #[test]
    fn a_later_page_links_back_to_the_first_and_the_last_has_no_next() {
        let request = PageRequest {
            after: Some("abc".into()),
            dir: Some(Dir::Desc),
            limit: Some(100),
            ..Default::default()
        };
        let t = table("/agency/registrants", &[], COLUMNS, "isrc", &request, None);
        assert_eq!(t.next, "");
        assert_eq!(t.first, "/agency/registrants?sort=isrc&dir=desc&limit=100");
        assert_eq!(t.headers[0].href, "/agency/registrants?sort=isrc&dir=asc");
        assert_eq!(t.headers[0].mark(), " ▼");
    }

    #[test]
    fn bad_query_values_are_caller_errors() {
        let bad_dir = TableQuery {
            dir: Some("up".into()),
            ..Default::default()
        };
        assert!(bad_dir.request(100).is_err());
        let bad_limit = TableQuery {
            limit: Some("many".into()),
            ..Default::default()
        };
        assert!(bad_limit.request(100).is_err());
        let empty = TableQuery {
            sort: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(empty.request(25).unwrap().limit, Some(25));
        assert_eq!(empty.request(25).unwrap().sort, None);
    }
}
