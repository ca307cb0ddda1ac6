//! Releases: added and edited by whoever acts for their registrant, with the registrant's own
//! ISRCs as tracks.

use isrc::code::PrefixCode;

use super::Actor;
use crate::error::{Error, Result};
use crate::export::ExportProfile;
use crate::page::PageRequest;
use crate::release::{Release, ReleaseInput, ReleasePage, Upc};
use crate::release_ern::{ErnHeader, ern_message};
use crate::store::Store;

/// Adds a release of the registrant `prefix`.
///
/// Rules, the same from the API (`POST /api/v1/releases`), the portal and `isrc release add`:
/// the actor acts for `prefix` ([`Error::Forbidden`](crate::Error::Forbidden)); the barcode is
/// a UPC-A or EAN-13 with its check digit ([`Upc`]) and not in the ledger yet; the tracks are
/// one or more active recordings of the registrant, each once; the add is audited
/// (`release.add`).
pub async fn add_release(
    store: &Store,
    actor: &Actor,
    prefix: PrefixCode,
    input: &ReleaseInput,
) -> Result<Release> {
    actor.require(prefix)?;
    store.add_release(prefix, input, actor.name()).await
}

/// Replaces what the release `upc` is made of (never its barcode or registrant), audited with
/// before and after (`release.edit`); the rules of [`add_release`] apply to the new tracks.
pub async fn edit_release(
    store: &Store,
    actor: &Actor,
    upc: &Upc,
    input: &ReleaseInput,
) -> Result<Release> {
    let before = store.release(upc).await?;
    actor.require(before.prefix)?;
    store.edit_release(upc, input, actor.name()).await
}

/// The release `upc`, for whoever acts for its registrant.
pub async fn release(store: &Store, actor: &Actor, upc: &Upc) -> Result<Release> {
    let release = store.release(upc).await?;
    actor.require(release.prefix)?;
    Ok(release)
}

/// A page of releases: of `prefix` (the actor must act for it), or, when `prefix` is `None`,
/// of every registrant (the agency only).
pub async fn releases(
    store: &Store,
    actor: &Actor,
    prefix: Option<PrefixCode>,
    request: &PageRequest,
) -> Result<ReleasePage> {
    match prefix {
        Some(p) => actor.require(p)?,
        None => actor.require_agency()?,
    }
    store.releases(prefix, request).await
}

/// The shapes a release is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseFormat {
    /// CSV: the release's columns, then the profile's, one row per track.
    Csv(ExportProfile),
    /// A DDEX ERN 4.3 `NewReleaseMessage`.
    Ern,
}

impl ReleaseFormat {
    /// Reads `csv` (with `profile`: `distributor`, the default, or `repertoire`) or `ern`.
    ///
    /// ```
    /// use isrc_registry::{ExportProfile, ops::ReleaseFormat};
    /// assert_eq!(ReleaseFormat::parse("ern", None).unwrap(), ReleaseFormat::Ern);
    /// assert_eq!(ReleaseFormat::parse("csv", Some("repertoire")).unwrap(), ReleaseFormat::Csv(ExportProfile::Repertoire));
    /// assert!(ReleaseFormat::parse("pdf", None).is_err());
    /// ```
    pub fn parse(format: &str, profile: Option<&str>) -> Result<ReleaseFormat> {
        let profile = match profile.unwrap_or("distributor") {
            "distributor" => ExportProfile::Distributor,
            "repertoire" => ExportProfile::Repertoire,
            other => {
                return Err(Error::invalid(
                    "profile",
                    format!("{other:?}: use distributor or repertoire"),
                ));
            }
        };
        match format {
            "csv" => Ok(ReleaseFormat::Csv(profile)),
            "ern" | "ddex" | "xml" => Ok(ReleaseFormat::Ern),
            other => Err(Error::invalid(
                "format",
                format!("{other:?}: use csv or ern (a DDEX ERN 4.3 NewReleaseMessage)"),
            )),
        }
    }

    /// The media type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            ReleaseFormat::Csv(_) => "text/csv; charset=utf-8",
            ReleaseFormat::Ern => "application/xml; charset=utf-8",
        }
    }

    /// The file name of the release `upc`'s export.
    pub fn file_name(self, upc: &Upc) -> String {
        match self {
            ReleaseFormat::Csv(_) => format!("release-{upc}.csv"),
            ReleaseFormat::Ern => format!("release-{upc}-ern43.xml"),
        }
    }
}

/// The release `upc` exported in `format`, for whoever acts for its registrant. The ERN
/// message is sent in the registrant's name. The repertoire profile leaves no track out (a
/// release's tracks are active codes).
pub async fn export_release(
    store: &Store,
    actor: &Actor,
    upc: &Upc,
    format: ReleaseFormat,
) -> Result<Vec<u8>> {
    let release = release(store, actor, upc).await?;
    let recordings = store.release_recordings(&release).await?;
    match format {
        ReleaseFormat::Csv(profile) => crate::release::release_csv(profile, &release, &recordings),
        ReleaseFormat::Ern => {
            let registrant = store.registrant(release.prefix).await?;
            let header = ErnHeader::now(&registrant.name, &upc.gtin());
            Ok(ern_message(&header, &release, &recordings).into_bytes())
        }
    }
}
