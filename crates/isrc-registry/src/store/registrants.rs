//! Registrants and their prefixes.

use std::time::Duration;

use isrc::code::PrefixCode;
use sqlx::AnyConnection;

use super::*;
use crate::error::{Error, Result};

impl Store {
    /// Adds a registrant.
    pub async fn add_registrant(&self, new: NewRegistrant, actor: &str) -> Result<Registrant> {
        self.check_country(new.prefix, false)?;
        if new.name.trim().is_empty() {
            return Err(Error::invalid("name", "the registrant name is empty"));
        }
        crate::text::refuse_control_characters("name", &new.name)?;
        crate::text::refuse_control_characters("contact", &new.contact)?;
        let ranges = if new.ranges.is_empty() {
            vec![DesignationRange::DEFAULT]
        } else {
            new.ranges.clone()
        };
        let registrant = Registrant {
            prefix: new.prefix,
            name: new.name.trim().to_string(),
            contact: new.contact.trim().to_string(),
            kind: new.kind,
            ranges,
            created_at: now(),
        };
        let result = write_tx!(self, false, |conn| self.add_registrant_in(
            conn,
            &registrant,
            actor
        ));
        match result {
            Err(Error::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
                Err(Error::RegistrantExists {
                    prefix: new.prefix.to_string(),
                })
            }
            other => other.map(|()| registrant),
        }
    }

    pub(super) async fn add_registrant_in(
        &self,
        conn: &mut AnyConnection,
        r: &Registrant,
        actor: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO registrants (prefix, name, contact, kind, ranges, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.prefix.as_str())
        .bind(&r.name)
        .bind(&r.contact)
        .bind(r.kind.as_str())
        .bind(ranges_to_string(&r.ranges))
        .bind(&r.created_at)
        .execute(&mut *conn)
        .await?;
        audit(
            conn,
            actor,
            "registrant.add",
            r.prefix.as_str(),
            None,
            Some(json(r)),
        )
        .await
    }

    /// The registrant holding `prefix`.
    pub async fn registrant(&self, prefix: PrefixCode) -> Result<Registrant> {
        let mut conn = self.inner.pool.acquire().await?;
        load_registrant(&mut conn, prefix).await
    }

    /// All registrants, by prefix.
    pub async fn registrants(&self) -> Result<Vec<Registrant>> {
        let rows = sqlx::query("SELECT * FROM registrants ORDER BY prefix")
            .fetch_all(&self.inner.pool)
            .await?;
        rows.iter().map(registrant_from_row).collect()
    }

    /// How many registrants the ledger holds (the directory's heading, without loading it).
    pub async fn registrant_count(&self) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM registrants")
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(dec_i64(&row, "n")? as u64)
    }
}

pub(crate) async fn load_registrant(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
) -> Result<Registrant> {
    let row = sqlx::query("SELECT * FROM registrants WHERE prefix = $1")
        .bind(prefix.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => registrant_from_row(&row),
        None => Err(Error::UnknownPrefix {
            prefix: prefix.to_string(),
        }),
    }
}
