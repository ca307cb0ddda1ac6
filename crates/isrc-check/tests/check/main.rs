//! isrc-check's integration tests, one binary (a binary per file cost CI disk and link time);
//! `support` builds the DDEX messages the ERN and DSR tests read.

mod support;

mod accounting;
mod dsr;
mod ern;
mod index_reference;
mod parquet;
