//! Releases: a barcode, its registrant, its title, label, ℗ line and date, and the
//! registrant's ISRCs in track order. Every add and edit is in the audit log.

use isrc::Isrc;
use isrc::code::PrefixCode;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::*;
use crate::contributor::Contributor;
use crate::error::{Error, Result};
use crate::page::{PageRequest, Value};
use crate::release::{Release, ReleaseInput, ReleasePage, Upc};

const RELEASE_COLUMNS: &str =
    "gtin, upc, prefix, title, artist, label, p_line, release_date, created_at, updated_at";

fn release_from_row(
    row: &AnyRow,
    tracks: Vec<Isrc>,
    contributors: Vec<Contributor>,
) -> Result<Release> {
    let upc_text = dec_str(row, "upc")?;
    let upc: Upc = upc_text
        .parse()
        .map_err(|_| rows::corrupt("barcode", &upc_text))?;
    let prefix_text = dec_str(row, "prefix")?;
    let prefix: PrefixCode = prefix_text
        .parse()
        .map_err(|_| rows::corrupt("prefix", &prefix_text))?;
    let release_date = match dec_opt_str(row, "release_date")? {
        Some(d) => Some(d.parse().map_err(|_| rows::corrupt("release date", &d))?),
        None => None,
    };
    Ok(Release {
        prefix,
        input: ReleaseInput {
            upc,
            title: dec_str(row, "title")?,
            artist: dec_str(row, "artist")?,
            label: dec_str(row, "label")?,
            p_line: dec_str(row, "p_line")?,
            release_date,
            tracks,
            contributors,
        },
        created_at: dec_str(row, "created_at")?,
        updated_at: dec_str(row, "updated_at")?,
    })
}

async fn tracks_of(conn: &mut AnyConnection, gtin: &str) -> Result<Vec<Isrc>> {
    let rows = sqlx::query("SELECT isrc FROM release_tracks WHERE gtin = $1 ORDER BY position")
        .bind(gtin.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let text = dec_str(row, "isrc")?;
            text.parse().map_err(|_| rows::corrupt("ISRC", &text))
        })
        .collect()
}

async fn contributors_of(conn: &mut AnyConnection, gtin: &str) -> Result<Vec<Contributor>> {
    let rows = sqlx::query(
        "SELECT name, role, track FROM release_contributors WHERE gtin = $1 ORDER BY position",
    )
    .bind(gtin.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let role = dec_str(row, "role")?;
            let track = dec_opt_i64(row, "track")?;
            Ok(Contributor {
                name: dec_str(row, "name")?,
                role: role.parse().map_err(|_| rows::corrupt("role", &role))?,
                track: track
                    .map(|t| u32::try_from(t).map_err(|_| rows::corrupt("track", &t.to_string())))
                    .transpose()?,
            })
        })
        .collect()
}

async fn write_contributors(
    conn: &mut AnyConnection,
    gtin: &str,
    contributors: &[Contributor],
) -> Result<()> {
    sqlx::query("DELETE FROM release_contributors WHERE gtin = $1")
        .bind(gtin.to_string())
        .execute(&mut *conn)
        .await?;
    for (i, c) in contributors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO release_contributors (gtin, position, name, role, track) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(gtin.to_string())
        .bind(i as i64 + 1)
        .bind(c.name.clone())
        .bind(c.role.as_str())
        .bind(c.track.map(i64::from))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn fetch_release(conn: &mut AnyConnection, upc: &Upc) -> Result<Release> {
    let sql = format!("SELECT {RELEASE_COLUMNS} FROM releases WHERE gtin = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(upc.gtin())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::ReleaseNotFound {
            upc: upc.to_string(),
        })?;
    let tracks = tracks_of(conn, &upc.gtin()).await?;
    let contributors = contributors_of(conn, &upc.gtin()).await?;
    release_from_row(&row, tracks, contributors)
}

/// Refuses a track that is not an active recording of `prefix` in the ledger.
async fn check_tracks(conn: &mut AnyConnection, prefix: PrefixCode, tracks: &[Isrc]) -> Result<()> {
    for (i, isrc) in tracks.iter().enumerate() {
        let position = i + 1;
        if isrc.prefix() != prefix {
            return Err(Error::invalid(
                "tracks",
                format!(
                    "track {position}, {isrc}, is not a code of {prefix}: a release lists its registrant's ISRCs"
                ),
            ));
        }
        let recording = match fetch_recording(conn, *isrc).await {
            Err(Error::NotFound { .. }) => {
                return Err(Error::invalid(
                    "tracks",
                    format!(
                        "track {position}, {isrc}, is not in the ledger (allocate or import it first)"
                    ),
                ));
            }
            other => other?,
        };
        if recording.status == Status::Void {
            return Err(Error::invalid(
                "tracks",
                format!("track {position}, {isrc}, is void: a void code is on no release"),
            ));
        }
    }
    Ok(())
}

async fn write_tracks(conn: &mut AnyConnection, gtin: &str, tracks: &[Isrc]) -> Result<()> {
    sqlx::query("DELETE FROM release_tracks WHERE gtin = $1")
        .bind(gtin.to_string())
        .execute(&mut *conn)
        .await?;
    for (i, isrc) in tracks.iter().enumerate() {
        sqlx::query("INSERT INTO release_tracks (gtin, position, isrc) VALUES ($1, $2, $3)")
            .bind(gtin.to_string())
            .bind(i as i64 + 1)
            .bind(isrc.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Adds the release `input` of the registrant `prefix`, with its audit entry
    /// (`release.add`). Refused when the barcode is in the ledger already (in either spelling,
    /// [`Error::ReleaseExists`]), the registrant is unknown, or a track is not an active
    /// recording of the registrant ([`Error::Invalid`]).
    pub async fn add_release(
        &self,
        prefix: PrefixCode,
        input: &ReleaseInput,
        actor: &str,
    ) -> Result<Release> {
        input.validate()?;
        write_tx!(self, false, |conn| async {
            load_registrant(conn, prefix).await?;
            let gtin = input.upc.gtin();
            let taken = sqlx::query("SELECT upc FROM releases WHERE gtin = $1")
                .bind(gtin.clone())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_some() {
                return Err(Error::ReleaseExists {
                    upc: input.upc.to_string(),
                });
            }
            check_tracks(conn, prefix, &input.tracks).await?;
            let at = now();
            sqlx::query(
                "INSERT INTO releases (gtin, upc, prefix, title, artist, label, p_line, release_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(gtin.clone())
            .bind(input.upc.to_string())
            .bind(prefix.as_str())
            .bind(input.title.clone())
            .bind(input.artist.clone())
            .bind(input.label.clone())
            .bind(input.p_line.clone())
            .bind(input.release_date.map(|d| d.to_string()))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            write_tracks(conn, &gtin, &input.tracks).await?;
            write_contributors(conn, &gtin, &input.contributors).await?;
            let release = fetch_release(conn, &input.upc).await?;
            audit(
                conn,
                actor,
                "release.add",
                &format!("release:{}", input.upc),
                None,
                Some(json(&release)),
            )
            .await?;
            Ok::<_, Error>(release)
        })
    }

    /// Replaces the release `upc` with `input` (its barcode and registrant stay), with its
    /// audit entry (`release.edit`, before and after). Refused when nothing changes.
    pub async fn edit_release(
        &self,
        upc: &Upc,
        input: &ReleaseInput,
        actor: &str,
    ) -> Result<Release> {
        input.validate()?;
        write_tx!(self, false, |conn| async {
            let before = fetch_release(conn, upc).await?;
            let mut wanted = input.clone();
            wanted.upc = before.input.upc.clone();
            if wanted == before.input {
                return Err(Error::invalid(
                    "edit",
                    format!("nothing to change: release {upc} already has these values"),
                ));
            }
            check_tracks(conn, before.prefix, &wanted.tracks).await?;
            let gtin = upc.gtin();
            sqlx::query(
                "UPDATE releases SET title = $1, artist = $2, label = $3, p_line = $4, release_date = $5, updated_at = $6 WHERE gtin = $7",
            )
            .bind(wanted.title.clone())
            .bind(wanted.artist.clone())
            .bind(wanted.label.clone())
            .bind(wanted.p_line.clone())
            .bind(wanted.release_date.map(|d| d.to_string()))
            .bind(now())
            .bind(gtin.clone())
            .execute(&mut *conn)
            .await?;
            write_tracks(conn, &gtin, &wanted.tracks).await?;
            write_contributors(conn, &gtin, &wanted.contributors).await?;
            let after = fetch_release(conn, upc).await?;
            audit(
                conn,
                actor,
                "release.edit",
                &format!("release:{}", before.input.upc),
                Some(json(&before)),
                Some(json(&after)),
            )
            .await?;
            Ok::<_, Error>(after)
        })
    }

    /// The release with this barcode (either spelling), or [`Error::ReleaseNotFound`].
    pub async fn release(&self, upc: &Upc) -> Result<Release> {
        let mut conn = self.inner.pool.acquire().await?;
        fetch_release(&mut conn, upc).await
    }

    /// The tracks' recordings of `release`, in track order.
    pub async fn release_recordings(&self, release: &Release) -> Result<Vec<Recording>> {
        let mut conn = self.inner.pool.acquire().await?;
        let mut out = Vec::with_capacity(release.input.tracks.len());
        for isrc in &release.input.tracks {
            out.push(fetch_recording(&mut conn, *isrc).await?);
        }
        Ok(out)
    }

    /// Releases (of `prefix`, or of every registrant), a page at a time ([`crate::page`]),
    /// sorted by `upc` (default: barcode order), `title`, `artist`, `date` or `created`.
    /// A release added between two pages is on a later page when it sorts after the cursor,
    /// and no release is on two pages.
    pub async fn releases(
        &self,
        prefix: Option<PrefixCode>,
        request: &PageRequest,
    ) -> Result<ReleasePage> {
        let keyset = super::pages::RELEASES.keyset(request)?;
        let mut binds = Vec::new();
        let mut from_where = "releases WHERE 1 = 1".to_string();
        if let Some(p) = prefix {
            from_where += " AND prefix = $1";
            binds.push(Value::Text(p.as_str().to_string()));
        }
        let mut conn = self.inner.pool.acquire().await?;
        let (rows, next) = keyset
            .fetch(
                &mut conn,
                self.inner.backend,
                RELEASE_COLUMNS,
                &from_where,
                binds,
            )
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let gtin = dec_str(row, "gtin")?;
            let tracks = tracks_of(&mut conn, &gtin).await?;
            let contributors = contributors_of(&mut conn, &gtin).await?;
            items.push(release_from_row(row, tracks, contributors)?);
        }
        Ok(ReleasePage { items, next })
    }
}
