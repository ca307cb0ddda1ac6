//! Cursor pages, shared by every list of the ledger (recordings, registrants, releases, the
//! audit log, decided applications): a sort column, a direction, at most [`MAX_PAGE_LIMIT`]
//! rows, and an opaque cursor holding the last row's sort key and id.
//!
//! Keyset pages rather than offsets: a row inserted between two pages moves no other row from
//! one page to the next, so a walk through the pages shows every row that was there when it
//! began exactly once (and a row added meanwhile at most once, when it sorts after the cursor).
//! The id breaks ties between equal sort keys. Text is compared byte by byte on both databases
//! (PostgreSQL `COLLATE "C"`, SQLite's default), so both give the same pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value as Json, json};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::error::{Error, Result};
use crate::store::Backend;

/// The most rows one page holds.
pub const MAX_PAGE_LIMIT: u32 = 1000;
/// The rows of a page when the request does not say.
pub const DEFAULT_PAGE_LIMIT: u32 = 100;

/// The order of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl Dir {
    /// `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Asc => "asc",
            Dir::Desc => "desc",
        }
    }

    /// The other direction.
    pub fn flip(self) -> Dir {
        match self {
            Dir::Asc => Dir::Desc,
            Dir::Desc => Dir::Asc,
        }
    }
}

impl std::str::FromStr for Dir {
    type Err = Error;

    fn from_str(text: &str) -> Result<Dir> {
        match text.trim().to_ascii_lowercase().as_str() {
            "asc" => Ok(Dir::Asc),
            "desc" => Ok(Dir::Desc),
            _ => Err(Error::invalid("dir", format!("{text:?}: use asc or desc"))),
        }
    }
}

/// Which page of a list: the sort column (default: the list's first), the direction, the
/// cursor (the previous page's [`Page::next`]) and the number of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// A sort column of the list (`title`, `artist`...); `None`: the list's default, or the
    /// cursor's.
    pub sort: Option<String>,
    /// The direction; `None`: ascending, or the cursor's.
    pub dir: Option<Dir>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Rows per page, 1 to [`MAX_PAGE_LIMIT`] (default [`DEFAULT_PAGE_LIMIT`]).
    pub limit: Option<u32>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The rows, in the page's order.
    pub items: Vec<T>,
    /// Give this as the cursor (`after`) to get the next page; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each row turned into another shape.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// The kind of a sort key, as it is bound and kept in a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
}

/// A column a list can be sorted by.
#[derive(Debug)]
pub(crate) struct SortColumn {
    /// Its name in `sort=` and in cursors.
    pub name: &'static str,
    /// The SQL expression sorted on (never NULL: both databases would place NULLs apart).
    pub expr: &'static str,
    pub kind: Kind,
}

/// A list that can be paged: its name (a cursor is of one list only), its sort columns (the
/// first is the default) and its unique id column.
#[derive(Debug)]
pub(crate) struct Listing {
    pub name: &'static str,
    pub columns: &'static [SortColumn],
    pub id: &'static str,
    pub id_kind: Kind,
}

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    Int(i64),
}

impl Value {
    fn json(&self) -> Json {
        match self {
            Value::Text(s) => json!(s),
            Value::Int(i) => json!(i),
        }
    }

    fn from_json(value: &Json, kind: Kind) -> Option<Value> {
        match kind {
            Kind::Text => value.as_str().map(|s| Value::Text(s.to_string())),
            Kind::Int => value.as_i64().map(Value::Int),
        }
    }

    fn from_row(row: &AnyRow, column: &str, kind: Kind) -> Result<Value> {
        Ok(match kind {
            Kind::Text => Value::Text(row.try_get::<String, _>(column)?),
            Kind::Int => Value::Int(row.try_get::<i64, _>(column)?),
        })
    }
}

/// Binds `values` in order.
pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: &[Value],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for v in values {
        q = match v {
            Value::Text(s) => q.bind(s.clone()),
            Value::Int(i) => q.bind(*i),
        };
    }
    q
}

/// A page request checked against its list: the column, the direction, the row after which
/// the page starts, and the row count.
#[derive(Debug)]
pub(crate) struct Keyset {
    listing: &'static Listing,
    column: &'static SortColumn,
    dir: Dir,
    after: Option<(Value, Value)>,
    limit: u32,
}

fn bad_cursor(cursor: &str) -> Error {
    Error::invalid(
        "after",
        format!(
            "{cursor:?} is not a cursor of this list: give the `next` of the previous page, or leave it out for the first page"
        ),
    )
}

impl Listing {
    /// The names of the sort columns, for messages and documentation.
    pub(crate) fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }

    /// Checks `request` against this list: a known sort column, a limit within bounds, a
    /// cursor of this list (whose sort and direction are used unless the request gives them,
    /// and must then agree).
    pub(crate) fn keyset(&'static self, request: &PageRequest) -> Result<Keyset> {
        let limit = request.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("{limit}: give 1 to {MAX_PAGE_LIMIT} rows per page"),
            ));
        }
        let find = |name: &str| {
            self.columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    Error::invalid(
                        "sort",
                        format!(
                            "{name:?} is not a column of the {} list: sort by {}",
                            self.name,
                            self.column_names().join(", ")
                        ),
                    )
                })
        };
        let mut column = match &request.sort {
            Some(name) => Some(find(name)?),
            None => None,
        };
        let mut dir = request.dir;
        let after = match &request.after {
            None => None,
            Some(cursor) => {
                let (c, d, key, id) = self.decode(cursor)?;
                let c = find(&c).map_err(|_| bad_cursor(cursor))?;
                if column.is_some_and(|asked| !std::ptr::eq(asked, c))
                    || dir.is_some_and(|asked| asked != d)
                {
                    return Err(Error::invalid(
                        "after",
                        format!(
                            "this cursor is of the list sorted by {} {}: give the same sort and dir, or leave them out",
                            c.name,
                            d.as_str()
                        ),
                    ));
                }
                column = Some(c);
                dir = Some(d);
                let key = Value::from_json(&key, c.kind).ok_or_else(|| bad_cursor(cursor))?;
                let id = Value::from_json(&id, self.id_kind).ok_or_else(|| bad_cursor(cursor))?;
                Some((key, id))
            }
        };
        Ok(Keyset {
            listing: self,
            column: column.unwrap_or(&self.columns[0]),
            dir: dir.unwrap_or_default(),
            after,
            limit,
        })
    }

    fn decode(&self, cursor: &str) -> Result<(String, Dir, Json, Json)> {
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .map_err(|_| bad_cursor(cursor))?;
        let value: Json = serde_json::from_slice(&bytes).map_err(|_| bad_cursor(cursor))?;
        let parts = value.as_array().filter(|a| a.len() == 5);
        let Some(parts) = parts else {
            return Err(bad_cursor(cursor));
        };
        if parts[0].as_str() != Some(self.name) {
            return Err(bad_cursor(cursor));
        }
        let column = parts[1].as_str().ok_or_else(|| bad_cursor(cursor))?;
        let dir = parts[2]
            .as_str()
            .and_then(|d| d.parse::<Dir>().ok())
            .ok_or_else(|| bad_cursor(cursor))?;
        Ok((column.to_string(), dir, parts[3].clone(), parts[4].clone()))
    }
}

impl Keyset {
    fn encode(&self, key: &Value, id: &Value) -> String {
        let value = json!([
            self.listing.name,
            self.column.name,
            self.dir.as_str(),
            key.json(),
            id.json()
        ]);
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    /// Runs `SELECT {columns} FROM {from_where}` (`from_where` ends with a WHERE clause using
    /// `$1`.. for `binds`) for this page; the rows and the cursor of the next page.
    pub(crate) async fn fetch(
        &self,
        conn: &mut AnyConnection,
        backend: Backend,
        columns: &str,
        from_where: &str,
        mut binds: Vec<Value>,
    ) -> Result<(Vec<AnyRow>, Option<String>)> {
        let text = |expr: &str, kind: Kind| match (backend, kind) {
            (Backend::Postgres, Kind::Text) => format!("{expr} COLLATE \"C\""),
            _ => expr.to_string(),
        };
        let key = text(self.column.expr, self.column.kind);
        let id = text(self.listing.id, self.listing.id_kind);
        let mut sql = format!(
            "SELECT {columns}, {} AS page_key, {} AS page_id FROM {from_where}",
            self.column.expr, self.listing.id
        );
        let (op, order) = match self.dir {
            Dir::Asc => (">", "ASC"),
            Dir::Desc => ("<", "DESC"),
        };
        if let Some((k, i)) = &self.after {
            let (pk, pi) = (binds.len() + 1, binds.len() + 2);
            sql += &format!(" AND ({key} {op} ${pk} OR ({key} = ${pk} AND {id} {op} ${pi}))");
            binds.push(k.clone());
            binds.push(i.clone());
        }
        sql += &format!(
            " ORDER BY {key} {order}, {id} {order} LIMIT ${}",
            binds.len() + 1
        );
        binds.push(Value::Int(i64::from(self.limit) + 1));
        let q = bind_all(sqlx::query(AssertSqlSafe(sql)), &binds);
        let mut rows = q.fetch_all(&mut *conn).await?;
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next = match rows.last() {
            Some(last) if more => {
                let k = Value::from_row(last, "page_key", self.column.kind)?;
                let i = Value::from_row(last, "page_id", self.listing.id_kind)?;
                Some(self.encode(&k, &i))
            }
            _ => None,
        };
        Ok((rows, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static LIST: Listing = Listing {
        name: "things",
        columns: &[
            SortColumn {
                name: "name",
                expr: "name",
                kind: Kind::Text,
            },
            SortColumn {
                name: "size",
                expr: "size",
                kind: Kind::Int,
            },
        ],
        id: "id",
        id_kind: Kind::Int,
    };

    #[test]
    fn cursors_round_trip_and_carry_their_order() {
        let k = LIST
            .keyset(&PageRequest {
                sort: Some("size".into()),
                dir: Some(Dir::Desc),
                ..Default::default()
            })
            .unwrap();
        let cursor = k.encode(&Value::Int(7), &Value::Int(3));
        let again = LIST
            .keyset(&PageRequest {
                after: Some(cursor.clone()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((again.column.name, again.dir), ("size", Dir::Desc));
        assert_eq!(again.after, Some((Value::Int(7), Value::Int(3))));
        let other = LIST.keyset(&PageRequest {
            sort: Some("name".into()),
            after: Some(cursor),
            ..Default::default()
        });
        assert!(
            other
                .unwrap_err()
                .to_string()
                .contains("sorted by size desc")
        );
    }

    #[test]
    fn refusals_say_what_to_give() {
        let err = |r: PageRequest| LIST.keyset(&r).unwrap_err().to_string();
        assert!(
            err(PageRequest {
                sort: Some("colour".into()),
                ..Default::default()
            })
            .contains("sort by name, size")
        );
        assert!(
            err(PageRequest {
                limit: Some(0),
                ..Default::default()
            })
            .contains("1 to 1000")
        );
        assert!(
            err(PageRequest {
                limit: Some(1001),
                ..Default::default()
            })
            .contains("1 to 1000")
        );
        for cursor in [
            "xyz",
            "",
            "W10",
            &URL_SAFE_NO_PAD.encode(r#"["other","name","asc","a",1]"#),
        ] {
            assert!(
                err(PageRequest {
                    after: Some(cursor.into()),
                    ..Default::default()
                })
                .contains("not a cursor of this list"),
                "{cursor}"
            );
        }
        let wrong_kind = URL_SAFE_NO_PAD.encode(r#"["things","size","asc","a",1]"#);
        assert!(
            err(PageRequest {
                after: Some(wrong_kind),
                ..Default::default()
            })
            .contains("not a cursor")
        );
    }
}
