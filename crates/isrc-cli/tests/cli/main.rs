//! The `isrc` binary's integration tests, one binary (a binary per file cost CI disk and link
//! time: each linked the whole server). The helpers are `common` (databases and command lines),
//! `check_support` and `media_support`.

mod check_support;
mod common;
mod media_support;

mod agency_accounts;
mod assign;
mod check;
mod check_against;
mod check_cells;
mod check_ddex;
mod check_encodings;
mod check_spill;
mod check_trust;
mod edit_clear;
mod edit_search;
mod export_xlsx;
mod front_ends;
mod media;
mod media_interop;
mod media_safety;
mod registry;
mod registry_reliability;
mod release;
mod serve;
mod serve_scale;
mod validate;
mod verbose;
