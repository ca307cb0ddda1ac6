//! The pages' tables over HTTP, on SQLite and PostgreSQL: the portal's recordings and
//! releases, the registrant directory and the audit log are paged (a next link, then a link back to the
//! first page) and sorted by a click on a header (a second click reverses), keep the search
//! across both, and refuse a bad sort, direction or cursor with a 400 page that says why.

use crate::common;
use crate::web::get;

use serde_json::json;

/// The `href` of the link with this `id`, as a path (the escaped `&` undone).
fn link(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&"))
}

/// The ISRCs of the recordings table, in order.
fn codes(html: &str) -> Vec<String> {
    html.split("<a href=\"/portal/recordings/")
        .skip(1)
        .map(|rest| rest[..12].to_string())
        .collect()
}

common::each_backend!(tables_are_paged_and_sorted, worker_threads = 2);
async fn tables_are_paged_and_sorted(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBZZZ", "ana@zzz.example")
        .await;
    let batch: Vec<_> = ["Delta", "Alpha", "Echo", "Charlie", "Bravo"]
        .iter()
        .map(|t| json!({"title": t, "artist": "Ariane"}))
        .collect();
    let r = server
        .post(
            "/api/v1/allocations",
            &admin,
            json!({"prefix": "CBZZZ", "recordings": batch}),
        )
        .await;
    assert_eq!(r.status(), 201);

    // Two a page, by ISRC: three pages, every code once, in order.
    let (status, html) = get(&server, "/portal?limit=2", Some(&ana)).await;
    assert_eq!(status, 200, "{html}");
    let first = codes(&html);
    assert_eq!(first.len(), 2, "{html}");
    assert!(html.contains("aria-sort=\"ascending\""), "{html}");
    assert!(link(&html, "first-page").is_none());
    let mut seen = first.clone();
    let mut next = link(&html, "next-page").expect("a next page");
    let mut pages = 1;
    loop {
        let (status, html) = get(&server, &next, Some(&ana)).await;
        assert_eq!(status, 200, "{next}: {html}");
        seen.extend(codes(&html));
        pages += 1;
        assert_eq!(
            link(&html, "first-page").as_deref(),
            Some("/portal?sort=isrc&dir=asc&limit=2")
        );
        match link(&html, "next-page") {
            Some(n) => next = n,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), &seen), (5, &sorted));

    // A click on Title sorts by title; a second click reverses.
    let (_, html) = get(&server, "/portal", Some(&ana)).await;
    let by_title = html
        .split("href=\"")
        .find(|h| h.starts_with("/portal?sort=title"))
        .map(|h| h[..h.find('"').unwrap()].replace("&#38;", "&"))
        .expect("a Title header link");
    assert_eq!(by_title, "/portal?sort=title&dir=asc");
    let (_, html) = get(&server, &by_title, Some(&ana)).await;
    let titles: Vec<&str> = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"].to_vec();
    let order = |html: &str| {
        let mut at: Vec<(usize, &str)> = titles
            .iter()
            .map(|t| (html.find(&format!("<td>{t}</td>")).unwrap(), *t))
            .collect();
        at.sort();
        at.into_iter().map(|(_, t)| t).collect::<Vec<_>>()
    };
    assert_eq!(order(&html), titles);
    assert!(
        html.contains("href=\"/portal?sort=title&#38;dir=desc\""),
        "{html}"
    );
    let (_, html) = get(&server, "/portal?sort=title&dir=desc", Some(&ana)).await;
    let mut reversed = titles.clone();
    reversed.reverse();
    assert_eq!(order(&html), reversed);

    // The search stays in the header and page links.
    let (_, html) = get(&server, "/portal?q=a&limit=1", Some(&ana)).await;
    assert!(
        html.contains("href=\"/portal?q=a&#38;sort=title&#38;dir=asc\""),
        "{html}"
    );
    assert!(
        link(&html, "next-page")
            .unwrap()
            .starts_with("/portal?q=a&sort=isrc&dir=asc&limit=1&after=")
    );

    // Bad values: a 400 page that names the problem.
    for (path, says) in [
        (
            "/portal?sort=colour",
            "is not a column of the recordings list",
        ),
        ("/portal?dir=up", "use asc or desc"),
        ("/portal?limit=5000", "give 1 to 1000 rows per page"),
        ("/portal?limit=many", "is not a number of rows"),
        ("/portal?after=garbage", "is not a cursor of this list"),
    ] {
        let (status, html) = get(&server, path, Some(&ana)).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains(says), "{path}: {html}");
    }

    // The portal's releases: paged, and sorted by a click on a header.
    for (upc, title) in [
        ("000000000017", "Zeta"),
        ("000000000024", "Alpha"),
        ("000000000031", "Mu"),
    ] {
        let body = json!({"upc": upc, "title": title, "tracks": [first[0]]});
        let r = server.post("/api/v1/releases", &ana, body).await;
        assert_eq!(r.status(), 201);
    }
    let upcs = |html: &str| -> Vec<String> {
        html.split("<a href=\"/portal/releases/")
            .skip(1)
            .map(|rest| rest[..12].to_string())
            .collect()
    };
    let (status, html) = get(&server, "/portal/releases?limit=2", Some(&ana)).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(upcs(&html), ["000000000017", "000000000024"], "{html}");
    assert!(link(&html, "first-page").is_none());
    let next = link(&html, "next-page").expect("a second page");
    let (_, html) = get(&server, &next, Some(&ana)).await;
    assert_eq!(upcs(&html), ["000000000031"], "{html}");
    assert!(link(&html, "next-page").is_none());
    assert_eq!(
        link(&html, "first-page").as_deref(),
        Some("/portal/releases?sort=upc&dir=asc&limit=2")
    );
    let (_, html) = get(&server, "/portal/releases", Some(&ana)).await;
    assert!(
        html.contains("href=\"/portal/releases?sort=title&#38;dir=asc\""),
        "{html}"
    );
    let (_, html) = get(&server, "/portal/releases?sort=title&dir=asc", Some(&ana)).await;
    assert_eq!(
        upcs(&html),
        ["000000000024", "000000000031", "000000000017"],
        "Alpha, Mu, Zeta: {html}"
    );
    assert!(html.contains("aria-sort=\"ascending\""), "{html}");
    let (_, html) = get(&server, "/portal/releases?sort=title&dir=desc", Some(&ana)).await;
    assert_eq!(
        upcs(&html),
        ["000000000017", "000000000031", "000000000024"]
    );
    for (path, says) in [
        (
            "/portal/releases?sort=colour",
            "is not a column of the releases list",
        ),
        ("/portal/releases?limit=0", "give 1 to 1000 rows per page"),
    ] {
        let (status, html) = get(&server, path, Some(&ana)).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains(says), "{path}: {html}");
    }

    // The registrant directory: a count of all, a page of one, sortable by name.
    for prefix in ["CBAAA", "CBMMM"] {
        let r = server
            .post(
                "/api/v1/registrants",
                &admin,
                json!({"prefix": prefix, "name": format!("Label {prefix}"), "contact": "a@b.example", "ranges": "00001-99999"}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let (status, html) = get(&server, "/agency/registrants?limit=1", Some(&admin)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Registrant directory (3)"), "{html}");
    assert!(html.contains("<code>CBAAA</code>") && !html.contains("<code>CBMMM</code>"));
    let next = link(&html, "next-page").unwrap();
    let (_, html) = get(&server, &next, Some(&admin)).await;
    assert!(html.contains("<code>CBMMM</code>") && !html.contains("<code>CBAAA</code>"));
    let (_, html) = get(
        &server,
        "/agency/registrants?sort=prefix&dir=desc&limit=1",
        Some(&admin),
    )
    .await;
    assert!(html.contains("<code>CBZZZ</code>"), "{html}");
    assert!(html.contains("<time datetime=\""), "{html}");
    assert_eq!(get(&server, "/agency/registrants", Some(&ana)).await.0, 403);

    // The audit log: newest first, narrowed to one subject or registrant, paged.
    let (status, html) = get(&server, "/agency/audit", Some(&admin)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("aria-sort=\"descending\""), "{html}");
    let newest = html
        .find("<code>CBMMM</code>")
        .expect("the last registrant added");
    let oldest = html
        .find("data-action=\"allocate\"")
        .expect("an allocation");
    assert!(newest < oldest, "newest first");
    let code = &seen[0];
    let (_, html) = get(
        &server,
        &format!("/agency/audit?subject={code}"),
        Some(&admin),
    )
    .await;
    assert_eq!(html.matches("<tr data-action=").count(), 1, "{html}");
    let (_, html) = get(&server, "/agency/audit?prefix=CBZZZ&limit=2", Some(&admin)).await;
    assert_eq!(html.matches("<tr data-action=").count(), 2, "{html}");
    let next = link(&html, "next-page").unwrap();
    assert!(
        next.starts_with("/agency/audit?prefix=CBZZZ&sort=id&dir=desc&limit=2&after="),
        "{next}"
    );
    let (status, html) = get(&server, "/agency/audit?prefix=nope", Some(&admin)).await;
    assert_eq!(status, 400, "{html}");
    assert_eq!(get(&server, "/agency/audit", Some(&ana)).await.0, 403);
}
