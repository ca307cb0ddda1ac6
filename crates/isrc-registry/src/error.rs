//! Errors with stable codes, for people (Display) and for programs ([`Error::code`]).

use isrc::Isrc;

/// Everything a registry operation can refuse or fail with.
///
/// Each variant has a stable machine-readable [`code`](Error::code) (an HTTP layer maps them to
/// status codes) and a message that says what went wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of the request is malformed (a date, a duration, a range, a code...).
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The field or input that is wrong.
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// No registrant with this prefix is in the ledger.
    #[error(
        "unknown prefix {prefix}: no registrant with this prefix is in the ledger (add it with `isrc registrant add --prefix {prefix} --name NAME`)"
    )]
    UnknownPrefix {
        /// The prefix code asked for.
        prefix: String,
    },
    /// The registrant already exists.
    #[error("registrant {prefix} is already in the ledger")]
    RegistrantExists {
        /// The prefix code.
        prefix: String,
    },
    /// The country code is not in use in the ISRC system, or it is retired.
    #[error("{message}")]
    Prefix {
        /// Why the prefix cannot be used.
        message: String,
    },
    /// The registrant's range of designations is used up for this year.
    #[error(
        "the designation range of {prefix} ({ranges}) is exhausted for year {year}: {used} of {capacity} codes are taken, {requested} more were asked for; apply to your ISRC agency for another registrant code (prefix) and add it with `isrc registrant add`"
    )]
    Exhausted {
        /// The registrant's prefix.
        prefix: String,
        /// The full year of reference.
        year: u16,
        /// The registrant's ranges, as text.
        ranges: String,
        /// How many designations the ranges hold.
        capacity: u32,
        /// How many are taken.
        used: u32,
        /// How many the request needed.
        requested: u32,
    },
    /// A recording that matches one already in the ledger (or earlier in the same batch).
    #[error(
        "{where_}this recording matches {existing} (same title, artist, version and type, duration within 10 s); one recording keeps one ISRC: reuse {existing}, or pass --force if it really is a different recording"
    )]
    Duplicate {
        /// The ISRC the recording already has (or was given earlier in the batch).
        existing: Isrc,
        /// Where in a batch (for example `batch.csv:12: `), or empty.
        where_: String,
    },
    /// A change to a recording that makes another recording, which needs its own ISRC: it
    /// is not an edit of the metadata.
    #[error(
        "{isrc}: {why}; that makes another recording, which gets its own ISRC: judge it with `isrc derive {isrc} --change {change}` (POST /api/v1/recordings/{isrc}/derive), which allocates the new code linked to this one"
    )]
    NeedsDerive {
        /// The recording asked to be edited.
        isrc: Isrc,
        /// What the edit would change.
        why: String,
        /// The change kind to give `derive` (`edit`, `video`...).
        change: String,
    },
    /// No recording with this ISRC is in the ledger.
    #[error("{isrc} is not in the ledger (list what is with `isrc list`)")]
    NotFound {
        /// The ISRC asked for.
        isrc: Isrc,
    },
    /// The recording is already void.
    #[error("{isrc} is already void; an ISRC is never reissued")]
    AlreadyVoid {
        /// The ISRC.
        isrc: Isrc,
    },
    /// An import is refused as a whole (duplicates or conflicts); nothing was imported.
    #[error("nothing imported: {message}")]
    ImportConflict {
        /// What conflicts, with the file position.
        message: String,
    },
    /// The registrant-code application does not exist.
    #[error("no application #{id} (see `isrc agency list`)")]
    ApplicationNotFound {
        /// The application id.
        id: i64,
    },
    /// The application was already approved or rejected.
    #[error("application #{id} was already {status}")]
    ApplicationDecided {
        /// The application id.
        id: i64,
        /// `approved` or `rejected`.
        status: String,
    },
    /// Every registrant code under the country prefix is issued or excluded.
    #[error(
        "no free registrant code is left under {country}; ask the International ISRC Agency for another country prefix"
    )]
    NoFreeCode {
        /// The country prefix.
        country: String,
    },
    /// The idempotency key was used before with a different request.
    #[error("idempotency key {key:?} was already used for a different request")]
    IdempotencyMismatch {
        /// The key.
        key: String,
    },
    /// A user with this e-mail address already exists.
    #[error("there is already a user {email}")]
    UserExists {
        /// The address.
        email: String,
    },
    /// No such user.
    #[error("no user {who}")]
    UserNotFound {
        /// The id or address asked for.
        who: String,
    },
    /// No such API token (or it belongs to someone else).
    #[error("no API token #{id} of yours")]
    TokenNotFound {
        /// The token id.
        id: i64,
    },
    /// The actor may not act for this registrant (a registrant user acts for the prefixes of
    /// its account only).
    #[error("{message}")]
    Forbidden {
        /// Whom the actor acts for, and what was asked.
        message: String,
    },
    /// Several recordings of a batch would get a second ISRC; nothing was allocated.
    #[error("{}", crate::conflicts::conflicts_error(problems))]
    BatchConflicts {
        /// One line per conflicting recording (`batch.csv:3: matches CBXYZ2600001...`).
        problems: Vec<String>,
    },
    /// An application's contact address belongs to an agency admin, whose account cannot act
    /// for a registrant.
    #[error(
        "the contact {contact} is an agency admin's address, and an admin account cannot act for a registrant: reject the application or ask the applicant for another address"
    )]
    AdminAddress {
        /// The address.
        contact: String,
    },
    /// No release with this barcode is in the ledger.
    #[error("no release {upc} in the ledger (list them with `isrc release list`)")]
    ReleaseNotFound {
        /// The barcode asked for.
        upc: String,
    },
    /// A release with this barcode (in either spelling, UPC-A or EAN-13) is in the ledger.
    #[error("release {upc} is already in the ledger; change it with `isrc release edit {upc}`")]
    ReleaseExists {
        /// The barcode.
        upc: String,
    },
    /// A service an operation needs (password hashing, mail) failed.
    #[error("{what} failed: {message}")]
    Service {
        /// The service.
        what: String,
        /// Why.
        message: String,
    },
    /// Concurrent writers kept conflicting; nothing was changed.
    #[error(
        "the registry was too busy: the transaction conflicted {attempts} times with other writers and was rolled back; nothing changed, try again"
    )]
    Busy {
        /// How many attempts were made.
        attempts: u32,
    },
    /// The database cannot be opened or reached.
    #[error("cannot open the registry database {location}: {message}")]
    Open {
        /// The path or URL (without password).
        location: String,
        /// Why.
        message: String,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl Error {
    /// A stable, machine-readable code for the error kind (`unknown_prefix`, `exhausted`...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::UnknownPrefix { .. } => "unknown_prefix",
            Error::RegistrantExists { .. } => "registrant_exists",
            Error::Prefix { .. } => "prefix_not_allowed",
            Error::Exhausted { .. } => "exhausted",
            Error::Duplicate { .. } => "duplicate_recording",
            Error::NeedsDerive { .. } => "needs_derive",
            Error::NotFound { .. } => "not_found",
            Error::AlreadyVoid { .. } => "already_void",
            Error::ImportConflict { .. } => "import_conflict",
            Error::ApplicationNotFound { .. } => "application_not_found",
            Error::ApplicationDecided { .. } => "application_decided",
            Error::NoFreeCode { .. } => "no_free_code",
            Error::IdempotencyMismatch { .. } => "idempotency_mismatch",
            Error::UserExists { .. } => "user_exists",
            Error::UserNotFound { .. } => "user_not_found",
            Error::TokenNotFound { .. } => "token_not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::BatchConflicts { .. } => "duplicate_recording",
            Error::AdminAddress { .. } => "admin_address",
            Error::ReleaseNotFound { .. } => "release_not_found",
            Error::ReleaseExists { .. } => "release_exists",
            Error::Service { .. } => "service_failed",
            Error::Busy { .. } => "busy",
            Error::Open { .. } => "database_unavailable",
            Error::Database(_) => "database",
        }
    }

    /// Whether the caller made a mistake (bad input, unknown thing, conflict with the ledger), as
    /// opposed to the database failing.
    pub fn is_caller_error(&self) -> bool {
        !matches!(
            self,
            Error::Busy { .. } | Error::Open { .. } | Error::Database(_) | Error::Service { .. }
        )
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
