//! An ISRC ledger that never repeats a code: registrants, recordings with the IFPI reference
//! metadata, allocation, "new ISRC or keep it?" rules, an append-only audit log, and the agency
//! side (registrant-code applications and listings).
//!
//! One async [`Store`] API over two databases with the same behaviour: SQLite (a file, WAL mode,
//! created on first use; the embedded default) and PostgreSQL (`postgres://` URL). Versioned
//! migrations are applied when the store is opened.
//!
//! Allocation is one transaction guarded by unique constraints (on the code and on
//! prefix + year + designation) and retried on serialization failures, deadlocks and unique-key
//! races, so concurrent allocators (threads, processes, several servers sharing one PostgreSQL or
//! a PostgreSQL-compatible distributed SQL engine) never hand out the same code.
//!
//! ```
//! use isrc_registry::{AllocationRequest, NewRegistrant, RecordingInput, RegistrantKind, Store};
//!
//! # let dir = std::env::temp_dir().join(format!("isrc-registry-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("ledger.db");
//! # let _ = std::fs::remove_file(&path);
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let store = Store::open(path.to_str().unwrap()).await?;
//!     store
//!         .add_registrant(
//!             NewRegistrant {
//!                 prefix: "CBXYZ".parse().unwrap(),
//!                 name: "Les Disques XYZ".into(),
//!                 contact: "isrc@xyz.example".into(),
//!                 kind: RegistrantKind::Own,
//!                 ranges: vec![],
//!             },
//!             "doc",
//!         )
//!         .await?;
//!     let allocation = store
//!         .allocate(&AllocationRequest {
//!             prefix: "CBXYZ".parse().unwrap(),
//!             year: 2026,
//!             recordings: vec![RecordingInput {
//!                 title: "Première neige".into(),
//!                 artist: "Ariane".into(),
//!                 duration_ms: Some(205_000),
//!                 ..Default::default()
//!             }],
//!             force: false,
//!             actor: "doc".into(),
//!             idempotency_key: None,
//!             labels: vec![],
//!         })
//!         .await?;
//!     assert_eq!(allocation.isrcs[0].to_string(), "CBXYZ2600001");
//!     Ok::<(), isrc_registry::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See the crate README for the concurrency design (retries on SQLSTATE 40001/40P01/23505 and
//! SQLite busy errors) and the agency rules.

mod accounts;
mod agency;
mod audit_note;
mod conflicts;
mod contributor;
mod counters;
pub mod csv_input;
mod derive;
mod error;
mod export;
mod export_xlsx;
mod history;
mod model;
pub mod ops;
pub mod page;
mod release;
mod release_ern;
mod store;
mod text;
mod users;

pub use accounts::{ApiToken, NewUser, OutboxMail, Role, Session, User, normalize_email, unix_now};
pub use conflicts::{MAX_LISTED_CONFLICTS, conflicts_error};
pub use contributor::{Contributor, ContributorRole, MAX_CONTRIBUTORS, contributors_cell};
pub use counters::YearUsage;
pub use derive::{AgencyPolicy, Change, Decision, decide, derived_meta};
pub use error::{Error, Result};
pub use export::{ExportProfile, LISTING_COLUMNS, NUMERIC_COLUMNS, json_row, listing_row};
pub use export_xlsx::{XLSX_MAX_ROWS, xlsx_workbook};
pub use history::{FieldChange, recording_changes};
pub use model::{
    Allocation, AllocationRequest, Application, ApplicationStatus, AuditEvent, ContentType,
    DesignationRange, ImportRecord, ListFilter, ListingEntry, ListingOrder, NewApplication,
    NewRegistrant, Recording, RecordingInput, Registrant, RegistrantKind, Status, format_duration,
    parse_date, parse_duration, parse_ranges,
};
pub use page::{DEFAULT_PAGE_LIMIT, Dir, MAX_PAGE_LIMIT, Page, PageRequest};
pub use release::{
    MAX_RELEASE_TRACKS, RELEASE_EXPORT_COLUMNS, Release, ReleaseInput, ReleasePage, Upc,
    release_csv, release_rows,
};
pub use release_ern::{ERN_43_NAMESPACE, ErnHeader, ern_message, iso_duration};
pub use store::{
    AgencyDashboard, AuditFilter, Backend, CountryCount, EXAMPLE_PREFIXES, MAX_SEARCH_WORDS,
    MonthCount, NEAR_RANGE_END_PERCENT, OpenOptions, REGISTRANT_CODE_ALPHABET, RegistrantUsage,
    RegistrantYear, SearchPage, Store, YearIssued, canonical_code, sort_columns,
};
pub use text::{csv_cell, csv_row, escape_control_characters, refuse_control_characters};
pub use users::{PasswordReset, Scope};
