//! Releases: added and edited by whoever acts for their registrant, with the registrant's own
//! ISRCs as tracks.

use isrc::code::PrefixCode;

use super::Actor;
use crate::error::Result;
use crate::release::{Release, ReleaseInput, ReleasePage, Upc};
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
    after: Option<&str>,
    limit: u32,
) -> Result<ReleasePage> {
    match prefix {
        Some(p) => actor.require(p)?,
        None => actor.require_agency()?,
    }
    store.releases(prefix, after, limit).await
}
