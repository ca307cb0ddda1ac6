//! Agency side: registrant-code applications, approval and the listings.

use std::collections::HashSet;
use std::time::Duration;

use isrc::{code::PrefixCode, prefix::PrefixStatus};
use sqlx::{AnyConnection, Row};

use super::*;
use crate::error::{Error, Result};

/// The ordering in which an agency issues registrant codes: letters A-Z, then digits 0-9, in
/// each of the three positions (AAA, AAB, ..., AA9, ABA, ...).
pub const REGISTRANT_CODE_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The form of a registrant code in which O/0 and I/1 are the same character.
pub fn canonical_code(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' => '1',
            c => c,
        })
        .collect()
}

impl Store {
    /// Files an application for a registrant code.
    pub async fn apply(&self, new: &NewApplication, actor: &str) -> Result<Application> {
        for (field, value) in [
            ("name", &new.name),
            ("contact", &new.contact),
            ("address", &new.address),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid(field, format!("the {field} is empty")));
            }
            if field == "address" {
                crate::text::refuse_control_characters_but_newlines(field, value)?;
            } else {
                crate::text::refuse_control_characters(field, value)?;
            }
        }
        let country = new.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "country",
                format!(
                    "{:?} is not a two-letter country code (ISO 3166, e.g. CA)",
                    new.country
                ),
            ));
        }
        // The contact becomes the sign-in name of the registrant's account at approval.
        let contact = crate::accounts::normalize_email(&new.contact).map_err(|_| {
            Error::invalid(
                "contact",
                format!(
                    "{:?} is not an e-mail address (name@domain.example); the decision is mailed there",
                    new.contact.trim()
                ),
            )
        })?;
        let created_at = now();
        let id = write_tx!(self, false, |conn| async {
            let id: i64 = sqlx::query(
                "INSERT INTO applications (name, contact, address, country, kind, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
            )
            .bind(new.name.trim())
            .bind(contact.as_str())
            .bind(new.address.trim())
            .bind(country.as_str())
            .bind(new.kind.as_str())
            .bind(created_at.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let after = serde_json::json!({"name": new.name.trim(), "contact": contact, "address": new.address.trim(), "country": country, "kind": new.kind}).to_string();
            audit(
                conn,
                actor,
                "application.apply",
                &format!("application/{id}"),
                None,
                Some(after),
            )
            .await?;
            Ok::<_, Error>(id)
        })?;
        self.application(id).await
    }

    /// One application.
    pub async fn application(&self, id: i64) -> Result<Application> {
        let mut conn = self.inner.pool.acquire().await?;
        fetch_application(&mut conn, id).await
    }

    /// Applications, oldest first, optionally only those in one state.
    pub async fn applications(
        &self,
        status: Option<ApplicationStatus>,
    ) -> Result<Vec<Application>> {
        let rows = match status {
            Some(s) => {
                sqlx::query("SELECT * FROM applications WHERE status = $1 ORDER BY id")
                    .bind(s.as_str())
                    .fetch_all(&self.inner.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM applications ORDER BY id")
                    .fetch_all(&self.inner.pool)
                    .await?
            }
        };
        rows.iter().map(application_from_row).collect()
    }

    /// Approves an application: issues the next free registrant code under the country prefix
    /// (`country_prefix`, or the applicant's country; Canada gets CB), records it in the
    /// listings and adds the registrant (range 00001-99999).
    ///
    /// Skipped: codes already issued or in the ledger, IFPI's and RIAA's example codes
    /// (JM-K40, AA-6Q7, US-S1Z) and codes that read the same as an issued one when O/0 and I/1
    /// are confused. Nothing is issued under a retired prefix, and CA is never issued (new
    /// Canadian registrants get CB since June 2021).
    pub async fn approve(
        &self,
        id: i64,
        country_prefix: Option<&str>,
        actor: &str,
    ) -> Result<Application> {
        self.approve_with_code(id, country_prefix, None, actor)
            .await
    }

    /// [`Store::approve`] with the registrant code the agency chose (`Some("XYZ")`, the three
    /// characters after the country prefix, or the whole prefix `CBXYZ`), or the next free one
    /// (`None`). A chosen code must be free by the same rules as the sequence: not issued,
    /// not an example code, not read the same as an issued one when O/0 and I/1 are confused.
    pub async fn approve_with_code(
        &self,
        id: i64,
        country_prefix: Option<&str>,
        code: Option<&str>,
        actor: &str,
    ) -> Result<Application> {
        let country = self.approval_country(id, country_prefix).await?;
        let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(crate::agency::chosen_code(&country, c)?),
            None => None,
        };
        write_tx!(self, true, |conn| self.approve_in(
            conn,
            id,
            &country,
            code.as_deref(),
            actor
        ))?;
        self.application(id).await
    }

    /// The prefix [`Store::approve`] would issue now for application `id` (the agency confirms
    /// or changes it on the approval form). Nothing is reserved.
    pub async fn proposed_prefix(
        &self,
        id: i64,
        country_prefix: Option<&str>,
    ) -> Result<PrefixCode> {
        let country = self.approval_country(id, country_prefix).await?;
        let mut conn = self.inner.pool.acquire().await?;
        let issued = issued_codes(&mut conn, &country).await?;
        let code = next_free_code(&issued).ok_or_else(|| Error::NoFreeCode {
            country: country.clone(),
        })?;
        format!("{country}{code}")
            .parse()
            .map_err(|_| corrupt("prefix", &code))
    }

    /// The country prefix to issue under for application `id`, checked.
    async fn approval_country(&self, id: i64, country_prefix: Option<&str>) -> Result<String> {
        let app = self.application(id).await?;
        let country = match country_prefix {
            Some(c) => c.trim().to_ascii_uppercase(),
            None if app.country == "CA" => "CB".to_string(),
            None => app.country.clone(),
        };
        if country == "CA" {
            return Err(Error::Prefix {
                message: "new Canadian registrants get CB (since June 2021); CA stays valid only for codes issued before".into(),
            });
        }
        match self.inner.prefixes.get(&country) {
            None => {
                return Err(Error::Prefix {
                    message: format!(
                        "{country} is not a country prefix in use in the ISRC system; pass --country-prefix with the agency's prefix (applicants without a national agency go to the International ISRC Agency)"
                    ),
                });
            }
            Some(entry) if entry.status() == PrefixStatus::Retired => {
                return Err(Error::Prefix {
                    message: format!(
                        "{country} is a retired prefix ({}); nothing new is issued under it",
                        entry.territory()
                    ),
                });
            }
            Some(_) => {}
        }
        Ok(country)
    }

    async fn approve_in(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        country: &str,
        chosen: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let app = fetch_application(conn, id).await?;
        if app.status != ApplicationStatus::Pending {
            return Err(Error::ApplicationDecided {
                id,
                status: app.status.as_str().into(),
            });
        }
        let issued = issued_codes(conn, country).await?;
        let code = match chosen {
            Some(code) if issued.contains(&canonical_code(code)) => {
                return Err(Error::invalid(
                    "registrant code",
                    format!(
                        "{country}{code} is issued already, is an example code, or reads the same as an issued code when O/0 and I/1 are confused: choose another"
                    ),
                ));
            }
            Some(code) => code.to_string(),
            None => next_free_code(&issued).ok_or_else(|| Error::NoFreeCode {
                country: country.into(),
            })?,
        };
        let prefix: PrefixCode = format!("{country}{code}")
            .parse()
            .map_err(|_| corrupt("prefix", &code))?;
        let at = now();
        sqlx::query(
            "INSERT INTO agency_codes (prefix, canonical, name, contact, address, kind, application_id, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(prefix.as_str())
        .bind(format!("{country}{}", canonical_code(&code)))
        .bind(app.name.as_str())
        .bind(app.contact.as_str())
        .bind(app.address.as_str())
        .bind(app.kind.as_str())
        .bind(id)
        .bind(at.as_str())
        .execute(&mut *conn)
        .await?;
        let registrant = Registrant {
            prefix,
            name: app.name.clone(),
            contact: app.contact.clone(),
            kind: app.kind,
            ranges: vec![DesignationRange::DEFAULT],
            created_at: at.clone(),
        };
        self.add_registrant_in(conn, &registrant, actor).await?;
        sqlx::query(
            "UPDATE applications SET status = 'approved', prefix = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'",
        )
        .bind(prefix.as_str())
        .bind(at.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let after = fetch_application(conn, id).await?;
        audit(
            conn,
            actor,
            "application.approve",
            &format!("application/{id}"),
            Some(json(&app)),
            Some(json(&after)),
        )
        .await
    }

    /// Rejects an application, with a reason the applicant will read.
    pub async fn reject(&self, id: i64, reason: &str, actor: &str) -> Result<Application> {
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "say why the application is rejected (--reason TEXT)",
            ));
        }
        write_tx!(self, false, |conn| async {
            let app = fetch_application(conn, id).await?;
            if app.status != ApplicationStatus::Pending {
                return Err(Error::ApplicationDecided {
                    id,
                    status: app.status.as_str().into(),
                });
            }
            sqlx::query(
                "UPDATE applications SET status = 'rejected', reason = $1, decided_at = $2 WHERE id = $3",
            )
            .bind(reason.trim())
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            let after = fetch_application(conn, id).await?;
            audit(
                conn,
                actor,
                "application.reject",
                &format!("application/{id}"),
                Some(json(&app)),
                Some(json(&after)),
            )
            .await?;
            Ok::<_, Error>(after)
        })
    }

    /// The agency listings ISO 3901 asks for: every issued code with name, contact and address,
    /// by code or by registrant name.
    pub async fn listing(&self, order: ListingOrder) -> Result<Vec<ListingEntry>> {
        let sql = match order {
            ListingOrder::ByCode => "SELECT * FROM agency_codes ORDER BY prefix",
            ListingOrder::ByName => "SELECT * FROM agency_codes ORDER BY lower(name), prefix",
        };
        let rows = sqlx::query(sql).fetch_all(&self.inner.pool).await?;
        rows.iter().map(listing_entry_from_row).collect()
    }
}

/// The registrant codes under `country` that cannot be issued (canonical spelling): those
/// issued or in the ledger, and the example codes.
async fn issued_codes(conn: &mut AnyConnection, country: &str) -> Result<HashSet<String>> {
    let like = format!("{country}%");
    let mut issued: HashSet<String> = HashSet::new();
    for sql in [
        "SELECT prefix FROM registrants WHERE prefix LIKE $1",
        "SELECT prefix FROM agency_codes WHERE prefix LIKE $1",
    ] {
        for row in sqlx::query(sql)
            .bind(like.as_str())
            .fetch_all(&mut *conn)
            .await?
        {
            let p = dec_str(&row, "prefix")?;
            issued.insert(canonical_code(&p[2..]));
        }
    }
    for example in EXAMPLE_PREFIXES {
        if example.starts_with(country) {
            issued.insert(canonical_code(&example[2..]));
        }
    }
    Ok(issued)
}

/// The first code in sequence that is not in `issued`.
fn next_free_code(issued: &HashSet<String>) -> Option<String> {
    for a in REGISTRANT_CODE_ALPHABET {
        for b in REGISTRANT_CODE_ALPHABET {
            for c in REGISTRANT_CODE_ALPHABET {
                let code = String::from_utf8_lossy(&[*a, *b, *c]).into_owned();
                if !issued.contains(&canonical_code(&code)) {
                    return Some(code);
                }
            }
        }
    }
    None
}

pub(super) async fn fetch_application(conn: &mut AnyConnection, id: i64) -> Result<Application> {
    let row = sqlx::query("SELECT * FROM applications WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => application_from_row(&row),
        None => Err(Error::ApplicationNotFound { id }),
    }
}
