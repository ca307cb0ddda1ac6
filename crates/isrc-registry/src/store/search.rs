//! The public search: published recordings by title, artist, version or ISRC, in code order,
//! a page at a time.
//!
//! Each published recording has one row in `publication_search`: its title, artist, version
//! and ISRC folded by [`isrc::recording::fold`] (letters and digits, lowercased, a space
//! between two numbers). A search folds each word of the query the same way and finds the rows
//! that contain every word. The words are letters, digits and spaces only, so the patterns
//! need no escaping, and both databases answer the same question with an index: SQLite with
//! FTS5's trigram index (`GLOB`), PostgreSQL with pg_trgm (`LIKE`).

use isrc::Isrc;
use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::error::{Error, Result};

/// At most this many words in a query.
pub const MAX_SEARCH_WORDS: usize = 8;

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SearchPage {
    /// The recordings found, in code order.
    pub items: Vec<Recording>,
    /// Give this as the cursor to get the next page; `None` on the last page.
    pub next: Option<Isrc>,
}

/// The text a published recording is found by.
fn search_body(recording: &Recording) -> String {
    let m = &recording.meta;
    [
        isrc::recording::fold(&m.title),
        isrc::recording::fold(&m.artist),
        isrc::recording::fold(&m.version),
        recording.isrc.to_string().to_lowercase(),
    ]
    .join(" ")
}

/// The words of a query, folded; refuses an empty query or one of too many words.
pub(crate) fn query_words(query: &str) -> Result<Vec<String>> {
    // A word that reads as an ISRC (`CB-AAA-26-00002`) is looked for as the code is indexed,
    // compact: folding would keep its numbers apart (`cbaaa26 00002`).
    let words: Vec<String> = query
        .split_whitespace()
        .map(|word| match word.parse::<Isrc>() {
            Ok(code) => code.to_string().to_lowercase(),
            Err(_) => isrc::recording::fold(word),
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(Error::invalid(
            "q",
            "give a title, artist or ISRC to search for (letters or digits)",
        ));
    }
    if words.len() > MAX_SEARCH_WORDS {
        return Err(Error::invalid(
            "q",
            format!("at most {MAX_SEARCH_WORDS} words"),
        ));
    }
    Ok(words)
}

/// The column that holds the recording's code: FTS5 tables have their `rowid`.
fn key_column(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "rowid",
        Backend::Postgres => "code",
    }
}

/// Writes (when `recording` is published) or removes the search row of `code`.
pub(crate) async fn index_publication(
    conn: &mut AnyConnection,
    backend: Backend,
    code: i64,
    published: Option<&Recording>,
) -> Result<()> {
    let key = key_column(backend);
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM publication_search WHERE {key} = $1"
    )))
    .bind(code)
    .execute(&mut *conn)
    .await?;
    if let Some(recording) = published {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO publication_search ({key}, body) VALUES ($1, $2)"
        )))
        .bind(code)
        .bind(search_body(recording))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Writes the search rows of every published recording when a migration asked for it (the
/// ledger was published before the index existed). Runs in the migrations' transaction.
pub(super) async fn reindex_if_pending(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    let pending = sqlx::query("SELECT pending FROM search_reindex")
        .fetch_optional(&mut *conn)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    sqlx::query("DELETE FROM publication_search")
        .execute(&mut *conn)
        .await?;
    let sql = format!(
        "SELECT {RECORDING_COLUMNS} FROM recordings WHERE isrc IN (SELECT isrc FROM publications)"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    for row in &rows {
        let recording = recording_from_row(row)?;
        let code = recording.isrc.to_u64() as i64;
        index_publication(conn, backend, code, Some(&recording)).await?;
    }
    sqlx::query("DELETE FROM search_reindex")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Published recordings whose title, artist, version or ISRC contain every word of
    /// `query` (letters and digits compared, case and punctuation ignored), in code order:
    /// at most `limit` (1 to 1000) after the code `after` (the previous page's
    /// [`SearchPage::next`]). SQLite and PostgreSQL return the same pages.
    pub async fn search_published(
        &self,
        query: &str,
        after: Option<Isrc>,
        limit: u32,
    ) -> Result<SearchPage> {
        let words = query_words(query)?;
        let limit = limit.clamp(1, 1000);
        let backend = self.inner.backend;
        let key = key_column(backend);
        let mut sql = format!("SELECT {key} AS code FROM publication_search WHERE {key} > $1");
        for (i, _) in words.iter().enumerate() {
            sql += &match backend {
                Backend::Sqlite => format!(" AND body GLOB ${}", i + 2),
                Backend::Postgres => format!(" AND body LIKE ${}", i + 2),
            };
        }
        sql += &format!(" ORDER BY {key} LIMIT ${}", words.len() + 2);
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(after.map_or(-1, |a| a.to_u64() as i64));
        for word in &words {
            q = q.bind(match backend {
                Backend::Sqlite => format!("*{word}*"),
                Backend::Postgres => format!("%{word}%"),
            });
        }
        let rows = q
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.inner.pool)
            .await?;
        let mut codes = rows
            .iter()
            .map(|row| dec_i64(row, "code"))
            .collect::<Result<Vec<i64>>>()?;
        let more = codes.len() > limit as usize;
        codes.truncate(limit as usize);
        let mut items = Vec::with_capacity(codes.len());
        if !codes.is_empty() {
            let list: Vec<String> = codes.iter().map(i64::to_string).collect();
            // The codes are numbers this function read: safe to write into the statement.
            let sql = format!(
                "SELECT {RECORDING_COLUMNS} FROM recordings WHERE code IN ({}) ORDER BY code",
                list.join(", ")
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.inner.pool)
                .await?;
            for row in &rows {
                items.push(recording_from_row(row)?);
            }
        }
        let next = if more {
            items.last().map(|r| r.isrc)
        } else {
            None
        };
        Ok(SearchPage { items, next })
    }
}
