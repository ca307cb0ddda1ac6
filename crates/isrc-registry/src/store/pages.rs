//! The ledger's lists a page at a time ([`crate::page`]): recordings, registrants and the audit
//! log. Releases page the same way (`releases.rs`).

use isrc::code::PrefixCode;

use super::*;
use crate::error::Result;
use crate::page::{Keyset, Kind, Listing, Page, PageRequest, SortColumn, Value};

const fn text(name: &'static str, expr: &'static str) -> SortColumn {
    SortColumn {
        name,
        expr,
        kind: Kind::Text,
    }
}

const fn int(name: &'static str, expr: &'static str) -> SortColumn {
    SortColumn {
        name,
        expr,
        kind: Kind::Int,
    }
}

pub(crate) static RECORDINGS: Listing = Listing {
    name: "recordings",
    columns: &[
        int("isrc", "code"),
        text("title", "title"),
        text("artist", "artist"),
        text("version", "version"),
        // Unknown durations first (ascending) on both databases.
        int("duration", "COALESCE(duration_ms, -1)"),
        text("type", "content_type"),
        text("status", "status"),
        text("created", "created_at"),
    ],
    id: "code",
    id_kind: Kind::Int,
};

pub(crate) static REGISTRANTS: Listing = Listing {
    name: "registrants",
    columns: &[
        text("prefix", "prefix"),
        text("name", "name"),
        text("contact", "contact"),
        text("kind", "kind"),
        text("created", "created_at"),
    ],
    id: "prefix",
    id_kind: Kind::Text,
};

pub(crate) static AUDIT: Listing = Listing {
    name: "audit",
    columns: &[
        int("id", "id"),
        text("at", "at"),
        text("actor", "actor"),
        text("action", "action"),
        text("subject", "subject"),
    ],
    id: "id",
    id_kind: Kind::Int,
};

pub(crate) static RELEASES: Listing = Listing {
    name: "releases",
    columns: &[
        text("upc", "gtin"),
        text("title", "title"),
        text("artist", "artist"),
        text("date", "COALESCE(release_date, '')"),
        text("created", "created_at"),
    ],
    id: "gtin",
    id_kind: Kind::Text,
};

pub(crate) static APPLICATIONS: Listing = Listing {
    name: "applications",
    columns: &[
        int("id", "id"),
        text("name", "name"),
        text("contact", "contact"),
        text("country", "country"),
        text("status", "status"),
        text("decided", "COALESCE(decided_at, '')"),
    ],
    id: "id",
    id_kind: Kind::Int,
};

/// The sort columns of each list, by name: `recordings`, `registrants`, `audit`, `releases`,
/// `applications` (for documentation and for the pages' headers).
pub fn sort_columns(list: &str) -> Vec<&'static str> {
    [&RECORDINGS, &REGISTRANTS, &AUDIT, &RELEASES, &APPLICATIONS]
        .into_iter()
        .find(|l| l.name == list)
        .map(|l| l.column_names())
        .unwrap_or_default()
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only the entries about this subject (an ISRC, `release:UPC`, `application/ID`...).
    pub subject: Option<String>,
    /// Only the entries about this registrant: the prefix itself and every code under it.
    pub prefix: Option<PrefixCode>,
}

/// `{placeholder for the next bind}` helper: `$n` for the value about to be pushed.
fn next(binds: &[Value]) -> String {
    format!("${}", binds.len() + 1)
}

impl Store {
    async fn page_rows(
        &self,
        keyset: &Keyset,
        columns: &str,
        from_where: &str,
        binds: Vec<Value>,
    ) -> Result<(Vec<sqlx::any::AnyRow>, Option<String>)> {
        let mut conn = self.inner.pool.acquire().await?;
        keyset
            .fetch(&mut conn, self.inner.backend, columns, from_where, binds)
            .await
    }

    /// A page of the recordings matching `filter` (its `limit` is ignored: the page's counts),
    /// sorted by `isrc` (default), `title`, `artist`, `version`, `duration`, `type`, `status`
    /// or `created`.
    pub async fn recording_page(
        &self,
        filter: &ListFilter,
        request: &PageRequest,
    ) -> Result<Page<Recording>> {
        let keyset = RECORDINGS.keyset(request)?;
        let (where_, binds) = recording_filter(filter);
        let (rows, next) = self
            .page_rows(
                &keyset,
                RECORDING_COLUMNS,
                &format!("recordings {where_}"),
                binds,
            )
            .await?;
        let items = rows.iter().map(recording_from_row).collect::<Result<_>>()?;
        Ok(Page { items, next })
    }

    /// A page of registrants (only those of `only` when given), sorted by `prefix` (default),
    /// `name`, `contact`, `kind` or `created`.
    pub async fn registrant_page(
        &self,
        only: Option<&[PrefixCode]>,
        request: &PageRequest,
    ) -> Result<Page<Registrant>> {
        let keyset = REGISTRANTS.keyset(request)?;
        let mut binds = Vec::new();
        let mut where_ = "registrants WHERE 1 = 1".to_string();
        if let Some(only) = only {
            if only.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                });
            }
            let mut marks = Vec::new();
            for p in only {
                marks.push(next(&binds));
                binds.push(Value::Text(p.as_str().to_string()));
            }
            where_ += &format!(" AND prefix IN ({})", marks.join(", "));
        }
        let (rows, next) = self.page_rows(&keyset, "*", &where_, binds).await?;
        let items = rows
            .iter()
            .map(registrant_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, next })
    }

    /// A page of the audit log, sorted by `id` (default: oldest first), `at`, `actor`,
    /// `action` or `subject`.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        request: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let keyset = AUDIT.keyset(request)?;
        let mut binds = Vec::new();
        let mut where_ = "audit WHERE 1 = 1".to_string();
        if let Some(subject) = &filter.subject {
            where_ += &format!(" AND subject = {}", next(&binds));
            binds.push(Value::Text(subject.clone()));
        }
        if let Some(prefix) = filter.prefix {
            // A prefix is five letters and digits, so it needs no LIKE escaping.
            let exact = next(&binds);
            binds.push(Value::Text(prefix.as_str().to_string()));
            let under = next(&binds);
            binds.push(Value::Text(format!("{}%", prefix.as_str())));
            where_ += &format!(" AND (subject = {exact} OR subject LIKE {under})");
        }
        let (rows, next) = self.page_rows(&keyset, "*", &where_, binds).await?;
        let items = rows
            .iter()
            .map(audit_event_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, next })
    }

    /// A page of the decided (approved or rejected) applications, sorted by `id` (default),
    /// `name`, `contact`, `country`, `status` or `decided`.
    pub async fn decided_application_page(
        &self,
        request: &PageRequest,
    ) -> Result<Page<Application>> {
        let keyset = APPLICATIONS.keyset(request)?;
        let (rows, next) = self
            .page_rows(
                &keyset,
                "*",
                "applications WHERE status <> 'pending'",
                Vec::new(),
            )
            .await?;
        let items = rows
            .iter()
            .map(application_from_row)
            .collect::<Result<_>>()?;
        Ok(Page { items, next })
    }
}

/// The WHERE clause of a recordings filter and its values (`$1`...).
pub(super) fn recording_filter(filter: &ListFilter) -> (String, Vec<Value>) {
    let mut sql = "WHERE 1 = 1".to_string();
    let mut binds = Vec::new();
    if let Some(p) = filter.prefix {
        sql += &format!(" AND prefix = {}", next(&binds));
        binds.push(Value::Text(p.as_str().to_string()));
    }
    if let Some(y) = filter.year {
        sql += &format!(" AND year = {}", next(&binds));
        binds.push(Value::Int(i64::from(y % 100)));
    }
    if !filter.include_void {
        sql += " AND status = 'active'";
    }
    if let Some(s) = &filter.search {
        let p = next(&binds);
        sql += &format!(
            " AND (lower(title) LIKE {p} ESCAPE '\\' OR lower(artist) LIKE {p} ESCAPE '\\' OR lower(isrc) LIKE {p} ESCAPE '\\')"
        );
        // `%` and `_` in the search text are letters, not wildcards.
        binds.push(Value::Text(format!(
            "%{}%",
            crate::text::like_escape(&s.to_lowercase())
        )));
    }
    (sql, binds)
}
