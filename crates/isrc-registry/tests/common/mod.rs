//! The test databases and `each_backend!` (crate `isrc-test-support`, shared with the
//! isrc-server and isrc-cli tests).

#[allow(unused_imports)]
pub use isrc_test_support::{
    NEEDS_POSTGRES, TestDb, create_postgres_database, each_backend, postgres, postgres_admin_url,
    sqlite,
};
