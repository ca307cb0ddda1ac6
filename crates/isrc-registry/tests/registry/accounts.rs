//! Accounts, sessions, API tokens, the mail outbox and publication: same behaviour on SQLite and
//! PostgreSQL.

use crate::common;

use isrc::code::PrefixCode;
use isrc_registry::*;

fn prefix(p: &str) -> PrefixCode {
    p.parse().unwrap()
}

async fn open_with_registrant(url: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    common::add_registrant(&store, "CBXYZ", "Label").await;
    store
}

fn registrant_user(email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        password_hash: "$argon2id$fake".into(),
        role: Role::Registrant,
        prefix: Some(prefix("CBXYZ")),
    }
}

common::each_backend!(
    users_are_unique_by_address_and_roles_are_consistent,
    worker_threads = 2
);
async fn users_are_unique_by_address_and_roles_are_consistent(db: common::TestDb) {
    let store = open_with_registrant(&db.url).await;
    assert_eq!(store.admin_count().await.unwrap(), 0, "{}", db.name);
    let user = store
        .create_user(&registrant_user("Ana@Label.Example"), "test")
        .await
        .unwrap();
    assert_eq!(user.email, "ana@label.example");
    assert_eq!(user.prefix, Some(prefix("CBXYZ")));
    let again = store
        .create_user(&registrant_user("ana@label.example "), "test")
        .await
        .unwrap_err();
    assert_eq!(again.code(), "user_exists", "{}", db.name);

    let bad_admin = NewUser {
        role: Role::Admin,
        ..registrant_user("boss@agency.example")
    };
    assert_eq!(
        store.create_user(&bad_admin, "t").await.unwrap_err().code(),
        "invalid"
    );
    let unknown = NewUser {
        prefix: Some(prefix("FRABC")),
        ..registrant_user("x@y.example")
    };
    assert_eq!(
        store.create_user(&unknown, "t").await.unwrap_err().code(),
        "unknown_prefix"
    );
    assert_eq!(
        store
            .create_user(&registrant_user("no address"), "t")
            .await
            .unwrap_err()
            .code(),
        "invalid"
    );

    let admin = NewUser {
        prefix: None,
        role: Role::Admin,
        ..registrant_user("boss@agency.example")
    };
    store.create_user(&admin, "t").await.unwrap();
    assert_eq!(store.admin_count().await.unwrap(), 1);
    let (found, hash) = store
        .user_with_password("BOSS@agency.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.role, Role::Admin);
    assert_eq!(hash, "$argon2id$fake");
    assert!(
        store
            .user_with_password("nobody@x.example")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.users().await.unwrap().len(), 2);
}

common::each_backend!(
    sessions_expire_and_end_with_a_new_password,
    worker_threads = 2
);
async fn sessions_expire_and_end_with_a_new_password(db: common::TestDb) {
    let store = open_with_registrant(&db.url).await;
    let user = store
        .create_user(&registrant_user("ana@label.example"), "t")
        .await
        .unwrap();
    let now = unix_now();
    store
        .create_session("h1", user.id, "csrf1", now + 3600)
        .await
        .unwrap();
    store
        .create_session("h2", user.id, "csrf2", now - 1)
        .await
        .unwrap();
    let live = store.session("h1", now).await.unwrap().unwrap();
    assert_eq!(live.user, user);
    assert_eq!(live.csrf_token, "csrf1");
    assert!(store.session("h2", now).await.unwrap().is_none(), "expired");
    assert!(store.session("nope", now).await.unwrap().is_none());
    store.delete_session("h1").await.unwrap();
    assert!(store.session("h1", now).await.unwrap().is_none());

    store
        .create_session("h3", user.id, "c", now + 60)
        .await
        .unwrap();
    store
        .set_password(user.id, "$argon2id$new", "t")
        .await
        .unwrap();
    assert!(
        store.session("h3", now).await.unwrap().is_none(),
        "{}",
        db.name
    );
}

common::each_backend!(
    tokens_are_found_by_hash_and_revoked_only_by_their_owner,
    worker_threads = 2
);
async fn tokens_are_found_by_hash_and_revoked_only_by_their_owner(db: common::TestDb) {
    let store = open_with_registrant(&db.url).await;
    let ana = store
        .create_user(&registrant_user("ana@label.example"), "t")
        .await
        .unwrap();
    let bob = store
        .create_user(&registrant_user("bob@label.example"), "t")
        .await
        .unwrap();
    let token = store
        .create_api_token("hash-a", "CI", ana.id, "t")
        .await
        .unwrap();
    assert_eq!(token.name, "CI");
    let (owner, _) = store.api_token_user("hash-a").await.unwrap().unwrap();
    assert_eq!(owner, ana);
    assert!(store.api_token_user("hash-x").await.unwrap().is_none());
    assert_eq!(
        store
            .create_api_token("hash-b", " ", ana.id, "t")
            .await
            .unwrap_err()
            .code(),
        "invalid"
    );
    let refused = store
        .revoke_api_token(token.id, bob.id, "t")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "token_not_found", "{}", db.name);
    assert!(store.api_token_user("hash-a").await.unwrap().is_some());
    let revoked = store.revoke_api_token(token.id, ana.id, "t").await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(store.api_token_user("hash-a").await.unwrap().is_none());
    assert_eq!(store.api_tokens(ana.id).await.unwrap().len(), 1);
}

common::each_backend!(
    a_token_finds_its_owner_with_every_prefix_in_one_statement,
    worker_threads = 2
);
/// `api_token_user` reads the token, its owner and the owner's prefixes in one statement: the
/// owner equals `Store::user`'s (default prefix first, then the others in order), an admin has
/// none, and a disabled owner's token finds nobody.
async fn a_token_finds_its_owner_with_every_prefix_in_one_statement(db: common::TestDb) {
    let store = open_with_registrant(&db.url).await;
    common::add_registrant(&store, "CBZZZ", "Second").await;
    common::add_registrant(&store, "CBAAA", "Third").await;
    let ana = store
        .create_user(&registrant_user("ana@label.example"), "t")
        .await
        .unwrap();
    store
        .create_api_token("hash-a", "CI", ana.id, "t")
        .await
        .unwrap();
    for p in ["CBZZZ", "CBAAA", "CBXYZ"] {
        store.add_user_prefix(ana.id, prefix(p), "t").await.unwrap();
    }
    let expected = store.user(ana.id).await.unwrap();
    let (owner, token) = store.api_token_user("hash-a").await.unwrap().unwrap();
    assert_eq!(owner, expected, "{}", db.name);
    assert_eq!(
        owner
            .prefixes
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["CBXYZ", "CBAAA", "CBZZZ"],
        "{}",
        db.name
    );
    assert_eq!(token.user_id, ana.id);
    let admin = store
        .create_user(
            &NewUser {
                email: "root@agency.example".into(),
                password_hash: "$argon2id$fake".into(),
                role: Role::Admin,
                prefix: None,
            },
            "t",
        )
        .await
        .unwrap();
    store
        .create_api_token("hash-r", "ops", admin.id, "t")
        .await
        .unwrap();
    let (root, _) = store.api_token_user("hash-r").await.unwrap().unwrap();
    assert_eq!(root, store.user(admin.id).await.unwrap(), "{}", db.name);
    assert!(root.prefixes.is_empty());
    store.set_disabled(ana.id, true, "t").await.unwrap();
    assert!(
        store.api_token_user("hash-a").await.unwrap().is_none(),
        "{}",
        db.name
    );
}

common::each_backend!(outbox_keeps_messages_and_their_delivery, worker_threads = 2);
async fn outbox_keeps_messages_and_their_delivery(db: common::TestDb) {
    let store = Store::open(&db.url).await.unwrap();
    let first = store
        .queue_mail("a@b.example", "Hello", "Body 1")
        .await
        .unwrap();
    let second = store
        .queue_mail("c@d.example", "Again", "Body 2")
        .await
        .unwrap();
    store.mark_mail(first.id, Ok(()), None).await.unwrap();
    store
        .mark_mail(second.id, Err("connection refused".into()), None)
        .await
        .unwrap();
    let all = store.outbox(10).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, second.id, "newest first");
    assert_eq!(all[0].error.as_deref(), Some("connection refused"));
    assert!(all[1].sent_at.is_some(), "{}", db.name);
    assert_eq!(store.outbox(1).await.unwrap().len(), 1);
}

common::each_backend!(recordings_are_hidden_until_published, worker_threads = 2);
async fn recordings_are_hidden_until_published(db: common::TestDb) {
    let store = open_with_registrant(&db.url).await;
    let allocation = store
        .allocate(&AllocationRequest {
            prefix: prefix("CBXYZ"),
            year: 2026,
            recordings: vec![RecordingInput {
                title: "One".into(),
                artist: "Ariane".into(),
                ..Default::default()
            }],
            force: false,
            actor: "t".into(),
            idempotency_key: None,
            labels: vec![],
        })
        .await
        .unwrap();
    let isrc = allocation.isrcs[0];
    assert!(!store.is_public(isrc).await.unwrap());
    store.set_public(isrc, true, "t").await.unwrap();
    store.set_public(isrc, true, "t").await.unwrap();
    assert!(store.is_public(isrc).await.unwrap());
    assert!(
        store
            .public_isrcs(Some(prefix("CBXYZ")))
            .await
            .unwrap()
            .contains(&isrc)
    );
    assert!(
        store
            .public_isrcs(Some(prefix("FRABC")))
            .await
            .unwrap()
            .is_empty()
    );
    store.set_public(isrc, false, "t").await.unwrap();
    assert!(!store.is_public(isrc).await.unwrap(), "{}", db.name);
    let missing = "CBXYZ2699999".parse().unwrap();
    assert_eq!(
        store
            .set_public(missing, true, "t")
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
}
