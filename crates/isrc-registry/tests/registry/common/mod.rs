//! The test databases and `each_backend!` (crate `isrc-test-support`, shared with the
//! isrc-server and isrc-cli tests).

#[allow(unused_imports)]
pub use isrc_test_support::{
    NEEDS_POSTGRES, TestDb, create_postgres_database, each_backend, postgres, postgres_admin_url,
    sqlite,
};

/// Adds the registrant `prefix` named `name` (own recordings, every designation, contact
/// `a@b.example`) as `test`.
#[allow(dead_code)]
pub async fn add_registrant(store: &isrc_registry::Store, prefix: &str, name: &str) {
    let registrant = isrc_registry::NewRegistrant {
        prefix: prefix.parse().unwrap(),
        name: name.into(),
        contact: "a@b.example".into(),
        kind: isrc_registry::RegistrantKind::Own,
        ranges: vec![],
    };
    store.add_registrant(registrant, "test").await.unwrap();
}
