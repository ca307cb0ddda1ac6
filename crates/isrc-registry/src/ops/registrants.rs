//! Registrants: adding one, and importing codes assigned elsewhere.

use isrc::code::PrefixCode;

use super::Actor;
use crate::error::Result;
use crate::model::{ImportRecord, NewRegistrant, Registrant};
use crate::store::Store;

/// Adds a registrant (a prefix code) to the ledger.
///
/// Rules: only the agency adds registrants ([`crate::Error::Forbidden`] for a registrant
/// user); an empty list of ranges means all designations (00001-99999).
pub async fn add_registrant(
    store: &Store,
    actor: &Actor,
    new: NewRegistrant,
) -> Result<Registrant> {
    actor.require_agency()?;
    store.add_registrant(new, actor.name()).await
}

/// Imports codes assigned elsewhere (with their metadata and status), all or nothing.
///
/// Rules: the actor must act for the registrant of every code ([`crate::Error::Forbidden`],
/// naming the first code it may not); `only_prefix` refuses codes under any other prefix;
/// the store refuses the whole file on any duplicate or conflict. Returns how many codes were
/// imported.
pub async fn import(
    store: &Store,
    actor: &Actor,
    records: &[ImportRecord],
    only_prefix: Option<PrefixCode>,
) -> Result<usize> {
    for record in records {
        actor.require(record.isrc.prefix())?;
    }
    store.import(records, only_prefix, actor.name()).await
}
