//! The account pages over real HTTP: the back office decides applications and mails, sign-in
//! and password forms need their tokens, recovery and account actions, and the portal under
//! each prefix of an account (split from `web`, whose helpers it uses).

use crate::common;
use common::Session;

use crate::web::{XSS, XSS_ESCAPED, allocate, get, location, post, post_expect, public_token};

common::each_backend!(
    back_office_decides_applications_and_mails,
    worker_threads = 2
);
async fn back_office_decides_applications_and_mails(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server
        .login(&server.user("boss@agency.example", None).await)
        .await;
    let new = |name: &str, contact: &str| isrc_registry::NewApplication {
        name: name.into(),
        contact: contact.into(),
        address: "1 Main St".into(),
        country: "CA".into(),
        kind: isrc_registry::RegistrantKind::Own,
    };
    let a = server
        .store
        .apply(&new(XSS, "a@label.example"), "test")
        .await
        .unwrap();
    let b = server
        .store
        .apply(&new("B Records", "b@label.example"), "test")
        .await
        .unwrap();
    let (status, html) = get(&server, "/agency/applications", Some(&admin)).await;
    assert_eq!(status, 200);
    assert!(!html.contains(XSS) && html.contains(XSS_ESCAPED));
    assert!(html.contains(&format!("id=\"application-{}\"", b.id)));

    let approve = format!("/agency/applications/{}/approve", a.id);
    post_expect(&server, &approve, &admin, None, &[], 403).await;
    let r = post(
        &server,
        &approve,
        &admin,
        Some(&admin.csrf),
        &[("country_prefix", "")],
    )
    .await;
    // No SMTP: the mail waits in the outbox without the password, which the admin sees
    // once on the answer page to pass on.
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("registrant code CBAAA issued to the account a@label.example"),
        "{html}"
    );
    assert!(html.contains("the mail is in the outbox"));
    assert!(html.contains("id=\"password\""));
    let r = post(&server, &approve, &admin, Some(&admin.csrf), &[]).await;
    assert_eq!(r.status(), 409, "decided once");

    let reject = format!("/agency/applications/{}/reject", b.id);
    post_expect(
        &server,
        &reject,
        &admin,
        Some(&admin.csrf),
        &[("reason", " ")],
        400,
    )
    .await;
    post_expect(
        &server,
        &reject,
        &admin,
        Some(&admin.csrf),
        &[("reason", "no address")],
        303,
    )
    .await;

    let (_, html) = get(&server, "/agency/outbox", Some(&admin)).await;
    assert!(html.contains("Your ISRC registrant code: CB-AAA"), "{html}");
    assert!(html.contains("How to construct your ISRCs"));
    assert!(html.contains("no address"));
    for (path, expect) in [
        ("/agency/registrants", "CBAAA"),
        ("/agency/listing", "a@label.example"),
        ("/agency/listing?order=name", "CBAAA"),
        ("/agency/users", "a@label.example"),
    ] {
        let (status, html) = get(&server, path, Some(&admin)).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(expect), "{path}");
        assert!(!html.contains(XSS), "{path} escapes");
    }
    // Another account for the registrant: password shown once, and it signs in.
    post_expect(
        &server,
        "/agency/users",
        &admin,
        None,
        &[("email", "c@label.example"), ("prefix", "CBAAA")],
        403,
    )
    .await;
    let r = post_expect(
        &server,
        "/agency/users",
        &admin,
        Some(&admin.csrf),
        &[("email", "c@label.example"), ("prefix", "CBAAA")],
        200,
    )
    .await;
    let html = r.text().await.unwrap();
    let password = html
        .split("<code id=\"password\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let (_, hash) = server
        .store
        .user_with_password("c@label.example")
        .await
        .unwrap()
        .unwrap();
    assert!(isrc_server::auth::verify_password(password, &hash));
    let r = post(
        &server,
        "/agency/users",
        &admin,
        Some(&admin.csrf),
        &[("email", "d@label.example"), ("prefix", "CBZZZ")],
    )
    .await;
    assert_eq!(r.status(), 404, "no such registrant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_form_needs_its_token() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    server.registrant("CBAAA").await;
    let email = server.user("ana@a.example", Some("CBAAA")).await;
    let login = [("email", email.as_str()), ("password", common::PASSWORD)];
    let r = server.post_form_anon("/login", &login).await;
    assert_eq!(r.status(), 403);
    let (cookie, token) = public_token(&server, "/login").await;
    let mut with_token = login.to_vec();
    with_token.push(("csrf_token", &token));
    let r = server
        .post_form_cookie("/login", &cookie, &with_token)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/portal");
    with_token[1] = ("password", "wrong-password");
    let r = server
        .post_form_cookie("/login", &cookie, &with_token)
        .await;
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("wrong e-mail address or password")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_page_changes_the_password() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    server.registrant("CBAAA").await;
    let ana = server
        .login(&server.user("ana@a.example", Some("CBAAA")).await)
        .await;
    let (status, html) = get(&server, "/account", Some(&ana)).await;
    assert_eq!(status, 200);
    assert!(html.contains("CBAAA"));
    let change = [
        ("current", common::PASSWORD),
        ("new", "a-much-longer-secret"),
    ];
    post_expect(&server, "/account", &ana, None, &change, 403).await;
    let short = [("current", common::PASSWORD), ("new", "short")];
    post_expect(&server, "/account", &ana, Some(&ana.csrf), &short, 400).await;
    let wrong = [
        ("current", "not-my-password"),
        ("new", "a-much-longer-secret"),
    ];
    post_expect(&server, "/account", &ana, Some(&ana.csrf), &wrong, 401).await;
    let r = post_expect(&server, "/account", &ana, Some(&ana.csrf), &change, 303).await;
    assert_eq!(location(&r), "/login");
    assert_eq!(
        get(&server, "/portal", Some(&ana)).await.0,
        401,
        "sessions ended"
    );
    let (_, hash) = server
        .store
        .user_with_password("ana@a.example")
        .await
        .unwrap()
        .unwrap();
    assert!(isrc_server::auth::verify_password(
        "a-much-longer-secret",
        &hash
    ));
}

common::each_backend!(
    pages_do_not_talk_about_command_line_options_or_headers,
    worker_threads = 2
);
/// Issue 14: the pages speak the pages' language, not the command line's.
async fn pages_do_not_talk_about_command_line_options_or_headers(db: common::TestDb) {
    let server = common::start(db).await;
    server.registrant("CBAAA").await;
    let ana = server
        .login(&server.user("ana@a.example", Some("CBAAA")).await)
        .await;
    let fields = [
        ("kind", "new"),
        ("title", "Twice"),
        ("artist", "Band"),
        ("duration", "3:30"),
    ];
    allocate(&server, &ana, &fields).await;
    // The same recording again: refused, and told how to go on in the page's own terms.
    let mut again: Vec<(&str, &str)> = fields.to_vec();
    again.push(("step", "confirm"));
    again.push(("idempotency_key", "another-key"));
    let r = post(&server, "/portal/allocate", &ana, Some(&ana.csrf), &again).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("CBAAA2600001"), "{html}");
    assert!(!html.contains("--force"), "{html}");
    assert!(html.contains("allocate even if the same recording is already in the ledger"));
    // Signed out, a page asks to sign in, without API headers.
    let (status, html) = get(&server, "/portal", None).await;
    assert_eq!(status, 401);
    assert!(!html.contains("Authorization"), "{html}");
    assert!(!html.contains("Bearer"), "{html}");
}

common::each_backend!(
    recovery_and_account_actions_in_the_pages,
    worker_threads = 2
);
/// Issue 14: recovery in the pages: a reset link by mail, a new password with it; the agency
/// resets, disables and enables accounts and gives an account another prefix.
async fn recovery_and_account_actions_in_the_pages(db: common::TestDb) {
    let (server, mut inbox) = common::start_with_smtp(db, |_| {}).await;
    server.registrant("CBAAA").await;
    server.registrant("CBAAB").await;
    server.user("ana@a.example", Some("CBAAA")).await;
    let admin = server
        .login(&server.user("boss@agency.example", None).await)
        .await;
    let (_, html) = get(&server, "/login", None).await;
    assert!(html.contains("href=\"/forgot\""));

    // Forgot: a form with a form token; the same answer for any address.
    let (cookie, token) = public_token(&server, "/forgot").await;
    let r = server
        .post_form_cookie(
            "/forgot",
            &cookie,
            &[("csrf_token", token.as_str()), ("email", "ana@a.example")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("If this address has an account")
    );
    let r = server
        .post_form_anon("/forgot", &[("email", "ana@a.example")])
        .await;
    assert_eq!(r.status(), 403, "the form needs its token");
    let mail = tokio::time::timeout(std::time::Duration::from_secs(30), inbox.recv())
        .await
        .unwrap()
        .unwrap();
    let secret: String = mail
        .data
        .split("/reset?token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let (status, html) = get(&server, &format!("/reset?token={secret}"), None).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("value=\"{secret}\"")));
    let (cookie, token) = public_token(&server, "/reset").await;
    let reset = |password: &'static str| {
        server
            .http
            .post(server.url("/reset"))
            .header("cookie", &cookie)
            .form(&[
                ("csrf_token", token.as_str()),
                ("token", secret.as_str()),
                ("password", password),
            ])
            .send()
    };
    let weak = reset("aaaaaaaaaaaaaaaa").await.unwrap();
    assert_eq!(weak.status(), 400);
    assert!(weak.text().await.unwrap().contains("too easy to guess"));
    let done = reset("copper-willow-station-64").await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/login");
    let again = reset("copper-willow-station-65").await.unwrap();
    assert_eq!(again.status(), 400, "used up");

    // The agency's accounts page: another prefix, reset, disable, enable.
    let id = server
        .store
        .user_by_email("ana@a.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, html) = get(&server, "/agency/users", Some(&admin)).await;
    assert!(html.contains(&format!("id=\"user-{id}\"")));
    post_expect(
        &server,
        &format!("/agency/users/{id}/prefixes"),
        &admin,
        Some(&admin.csrf),
        &[("prefix", "CBAAB")],
        303,
    )
    .await;
    post_expect(
        &server,
        &format!("/agency/users/{id}/disable"),
        &admin,
        Some(&admin.csrf),
        &[],
        303,
    )
    .await;
    let (_, html) = get(&server, "/agency/users", Some(&admin)).await;
    let row = html.split(&format!("id=\"user-{id}\"")).nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains("CBAAA") && row.contains("CBAAB") && row.contains("disabled"),
        "{row}"
    );
    assert_eq!(
        post(
            &server,
            &format!("/agency/users/{id}/enable"),
            &admin,
            None,
            &[]
        )
        .await
        .status(),
        403,
        "CSRF token needed"
    );
    post(
        &server,
        &format!("/agency/users/{id}/enable"),
        &admin,
        Some(&admin.csrf),
        &[],
    )
    .await;
    let r = post_expect(
        &server,
        &format!("/agency/users/{id}/reset"),
        &admin,
        Some(&admin.csrf),
        &[],
        200,
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"password\""));
    let (_, html) = get(&server, "/agency/users", Some(&admin)).await;
    let row = html.split(&format!("id=\"user-{id}\"")).nth(1).unwrap();
    assert!(
        row.split("</tr>")
            .next()
            .unwrap()
            .contains("must change password")
    );
}

common::each_backend!(
    the_portal_switches_between_the_prefixes_of_an_account,
    worker_threads = 2
);
/// Issue 14: an account holding several prefixes works under each in the portal.
async fn the_portal_switches_between_the_prefixes_of_an_account(db: common::TestDb) {
    let server = common::start(db).await;
    server.registrant("CBAAA").await;
    server.registrant("CBAAB").await;
    server.registrant("FRZZZ").await;
    server.user("ana@a.example", Some("CBAAA")).await;
    let id = server
        .store
        .user_by_email("ana@a.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    server
        .store
        .add_user_prefix(id, "CBAAB".parse().unwrap(), "test")
        .await
        .unwrap();
    let ana = server.login("ana@a.example").await;
    let (_, html) = get(&server, "/portal", Some(&ana)).await;
    assert!(html.contains("Recordings under CBAAA"));
    assert!(html.contains("id=\"switch-prefix\""));
    let r = post_expect(
        &server,
        "/portal/prefix",
        &ana,
        Some(&ana.csrf),
        &[("prefix", "CBAAB")],
        303,
    )
    .await;
    let chosen = common::cookie(&r);
    assert_eq!(chosen, "isrc_prefix=CBAAB");
    let under_b = Session {
        cookie: format!("{}; {chosen}", ana.cookie),
        csrf: ana.csrf.clone(),
    };
    let (_, html) = get(&server, "/portal", Some(&under_b)).await;
    assert!(html.contains("Recordings under CBAAB"), "{html}");
    let code = allocate(
        &server,
        &under_b,
        &[("kind", "new"), ("title", "B side"), ("artist", "Band")],
    )
    .await;
    assert!(code.starts_with("CBAAB26"), "{code}");
    // A prefix the account does not hold is refused, and a forged cookie is ignored.
    post_expect(
        &server,
        "/portal/prefix",
        &ana,
        Some(&ana.csrf),
        &[("prefix", "FRZZZ")],
        403,
    )
    .await;
    let forged = Session {
        cookie: format!("{}; isrc_prefix=FRZZZ", ana.cookie),
        csrf: ana.csrf.clone(),
    };
    let (_, html) = get(&server, "/portal", Some(&forged)).await;
    assert!(html.contains("Recordings under CBAAA"));
}
