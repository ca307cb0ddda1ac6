//! isrc-server's integration tests, one binary (a binary per file cost CI disk and link time:
//! each linked the whole server, reqwest and fantoccini); `common` starts a real server over a
//! real database and talks HTTP to it.

mod common;

mod accounts;
mod agency_dashboard;
mod api;
mod browser;
mod browser_registry;
mod browser_releases;
mod budget;
mod edit_clear;
mod edit_search_api;
mod input;
mod openapi;
mod pages_api;
mod releases_api;
// Sets the process's global tracing subscriber, so it also sees the other tests' requests: its
// assertions look for its own request ids only.
mod request_tracing;
mod skeleton;
mod web;
mod web_accounts;
mod web_tables;
