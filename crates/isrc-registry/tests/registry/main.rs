//! isrc-registry's integration tests, one binary (a binary per file cost CI disk and link
//! time); `common` holds the test databases and `each_backend!`.

mod common;

mod accounts;
mod counts;
mod edit_search;
mod idempotency;
mod migrations;
mod releases;
mod same_recording;
mod store;
