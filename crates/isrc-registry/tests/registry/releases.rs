//! Issue 15's releases in the store and the ops layer, on SQLite and PostgreSQL alike: the
//! barcode's check digit, the registrant's own active ISRCs as tracks, edits audited with
//! before and after, cursor pages that give every release once while releases are added
//! between pages, and the ERN 4.3 message read back by `isrc check`'s reader.

use crate::common;

use isrc::Isrc;
use isrc_registry::ops::{self, Actor};
use isrc_registry::*;

async fn ledger(url: &str) -> (Store, Vec<Isrc>, Isrc) {
    let store = Store::open(url).await.expect("open");
    common::add_registrant(&store, "CBXYZ", "Les Disques XYZ").await;
    common::add_registrant(&store, "CBAAA", "Autre").await;
    let mut own = Vec::new();
    for (title, secs) in [
        ("Première neige", 205),
        ("Dégel", 187),
        ("Rock & <Roll>", 3723),
    ] {
        own.push(allocate(&store, "CBXYZ", title, secs).await);
    }
    let other = allocate(&store, "CBAAA", "Ailleurs", 100).await;
    (store, own, other)
}

async fn allocate(store: &Store, prefix: &str, title: &str, secs: u64) -> Isrc {
    let request = AllocationRequest {
        prefix: prefix.parse().unwrap(),
        year: 2026,
        recordings: vec![RecordingInput {
            title: title.into(),
            artist: "Ariane".into(),
            duration_ms: Some(secs * 1000 + 500 * u64::from(secs > 3000)),
            ..Default::default()
        }],
        force: false,
        actor: "test".into(),
        idempotency_key: None,
        labels: vec![],
    };
    store.allocate(&request).await.expect("allocate").isrcs[0]
}

fn input(upc: &str, tracks: &[Isrc]) -> ReleaseInput {
    ReleaseInput {
        upc: upc.parse().unwrap(),
        title: "Hiver".into(),
        artist: String::new(),
        label: "Les Disques XYZ".into(),
        p_line: "2026 Les Disques XYZ".into(),
        release_date: Some("2026-03-01".parse().unwrap()),
        tracks: tracks.to_vec(),
        contributors: vec![],
    }
}

fn credit(text: &str) -> Contributor {
    Contributor::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn barcodes_need_their_check_digit() {
    for good in [
        "036000291452",
        "0036000291452",
        "4006381333931",
        "5 901234 123457",
    ] {
        good.parse::<Upc>()
            .unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for (bad, why) in [
        ("036000291453", "check digit is 3"),
        ("03600029145", "12 digits"),
        ("03600029145X", "12 digits"),
        ("", "12 digits"),
    ] {
        let e = bad.parse::<Upc>().unwrap_err();
        assert_eq!(e.code(), "invalid");
        assert!(e.to_string().contains(why), "{bad}: {e}");
    }
}

fn page(after: Option<String>, limit: u32) -> isrc_registry::PageRequest {
    isrc_registry::PageRequest {
        after,
        limit: Some(limit),
        ..Default::default()
    }
}

common::each_backend!(
    releases_are_the_registrants_own_and_audited,
    worker_threads = 2
);
async fn releases_are_the_registrants_own_and_audited(db: common::TestDb) {
    let (store, own, other) = ledger(&db.url).await;
    let cbxyz = "CBXYZ".parse().unwrap();
    let ana = Actor::registrant("user:ana", vec![cbxyz]);
    let added = ops::add_release(&store, &ana, cbxyz, &input("036000291452", &own[..2]))
        .await
        .expect("add");
    assert_eq!(added.input.tracks, own[..2]);
    assert_eq!(added.prefix, cbxyz);

    // The same barcode spelled as an EAN-13 is the same release.
    let e = ops::add_release(&store, &ana, cbxyz, &input("0036000291452", &own[..1]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "release_exists", "{e}");
    // Another registrant's code, an unknown code, a void code, a repeated track: refused.
    let cases = [
        (vec![own[0], other], "not a code of CBXYZ"),
        (vec!["CBXYZ2699999".parse().unwrap()], "not in the ledger"),
        (vec![own[0], own[0]], "track 1 and track 2"),
        (vec![], "at least one ISRC"),
    ];
    for (tracks, why) in cases {
        let e = ops::add_release(&store, &ana, cbxyz, &input("4006381333931", &tracks))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid", "{e}");
        assert!(e.to_string().contains(why), "{why}: {e}");
    }
    store
        .void(own[2], "allocated in error", "test")
        .await
        .expect("void");
    let e = ops::add_release(&store, &ana, cbxyz, &input("4006381333931", &own))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is void"), "{e}");
    // Someone acting for another registrant sees and changes nothing.
    let bob = Actor::registrant("user:bob", vec!["CBAAA".parse().unwrap()]);
    let upc: Upc = "036000291452".parse().unwrap();
    for e in [
        ops::release(&store, &bob, &upc).await.unwrap_err(),
        ops::edit_release(&store, &bob, &upc, &input("036000291452", &own[..1]))
            .await
            .unwrap_err(),
        ops::releases(&store, &bob, None, &page(None, 10))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), "forbidden", "{e}");
    }

    // An edit reorders the tracks and retitles; the audit log has before and after.
    let mut changed = input("036000291452", &[own[1], own[0]]);
    changed.title = "Hiver (édition)".into();
    let after = ops::edit_release(&store, &ana, &upc, &changed)
        .await
        .expect("edit");
    assert_eq!(after.input.tracks, vec![own[1], own[0]]);
    assert_eq!(store.release(&upc).await.unwrap(), after);
    let e = ops::edit_release(&store, &ana, &upc, &changed)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nothing to change"), "{e}");
    let audit = store
        .audit_log(Some("release:036000291452"))
        .await
        .expect("audit");
    let edit = audit
        .iter()
        .find(|e| e.action == "release.edit")
        .expect("release.edit in the audit log");
    assert_eq!(edit.subject, "release:036000291452");
    assert!(edit.before.as_deref().unwrap().contains("\"Hiver\""));
    assert!(edit.after.as_deref().unwrap().contains("Hiver (édition)"));
    assert!(audit.iter().any(|e| e.action == "release.add"));
    let e = store
        .release(&"4006381333931".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "release_not_found");
    store.close().await;
}

/// Valid barcodes: twelve digits of `n`, then the check digit.
fn barcode(n: u64) -> String {
    let body = format!("{n:012}");
    for d in 0..10 {
        let text = format!("{body}{d}");
        if text.parse::<Upc>().is_ok() {
            return text;
        }
    }
    unreachable!()
}

common::each_backend!(cursor_pages_give_every_release_once, worker_threads = 2);
async fn cursor_pages_give_every_release_once(db: common::TestDb) {
    let (store, own, _) = ledger(&db.url).await;
    let cbxyz = "CBXYZ".parse().unwrap();
    let agency = Actor::agency("test");
    for n in (10..40).step_by(3) {
        ops::add_release(&store, &agency, cbxyz, &input(&barcode(n), &own[..1]))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut added = 0;
    let mut later = Vec::new();
    loop {
        let page = ops::releases(&store, &agency, Some(cbxyz), &page(cursor.clone(), 4))
            .await
            .unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items.iter().map(|r| r.input.upc.to_string()));
        // Between pages: one release before the cursor, one after it.
        if added < 3 && page.next.is_some() {
            later.push(barcode(100 + added));
            for n in [1 + added, 100 + added] {
                ops::add_release(&store, &agency, cbxyz, &input(&barcode(n), &own[..1]))
                    .await
                    .unwrap();
            }
            added += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut expected: Vec<String> = (10..40).step_by(3).map(barcode).collect();
    assert!(later.len() >= 2, "releases were added between pages");
    expected.extend(later);
    expected.sort();
    assert_eq!(
        seen, expected,
        "every release after the cursor once, in order"
    );
    let e = store
        .releases(None, &page(Some("bogus".into()), 4))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid");
    store.close().await;
}

common::each_backend!(exports_read_back, worker_threads = 2);
async fn exports_read_back(db: common::TestDb) {
    let (store, own, _) = ledger(&db.url).await;
    let cbxyz = "CBXYZ".parse().unwrap();
    let release = store
        .add_release(cbxyz, &input("036000291452", &own), "test")
        .await
        .expect("add");
    let recordings = store.release_recordings(&release).await.unwrap();
    let csv =
        String::from_utf8(release_csv(ExportProfile::Distributor, &release, &recordings).unwrap())
            .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "upc,release_title,label,p_line,release_date,contributors,track,isrc,artist,title,version,duration,duration_seconds,type,published,client,parent,change,status"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[3].starts_with(&format!(
            "036000291452,Hiver,Les Disques XYZ,2026 Les Disques XYZ,2026-03-01,,3,{},Ariane,Rock & <Roll>",
            own[2]
        )),
        "{csv}"
    );

    let header = ErnHeader {
        message_id: "m1".into(),
        sender_dpid: None,
        sender_name: "Les Disques XYZ".into(),
        created: "2026-12-04T10:00:00Z".into(),
    };
    let xml = ern_message(&header, &release, &recordings);
    let message = isrc_check::formats::ern::read_message(xml.as_bytes()).expect("reads back");
    assert_eq!(message.version.label, "4.3");
    let read: Vec<(String, String, String)> = message
        .resources
        .iter()
        .map(|r| {
            (
                r.isrcs[0].value.clone(),
                r.title.clone(),
                r.duration.clone(),
            )
        })
        .collect();
    assert_eq!(
        read,
        vec![
            (
                own[0].to_string(),
                "Première neige".into(),
                "PT3M25S".into()
            ),
            (own[1].to_string(), "Dégel".into(), "PT3M7S".into()),
            (
                own[2].to_string(),
                "Rock & <Roll>".into(),
                "PT1H2M3.500S".into()
            ),
        ]
    );
    assert_eq!(message.releases.len(), 1);
    assert_eq!(message.releases[0].primary, vec!["A1", "A2", "A3"]);
    assert!(xml.contains("<ICPN>0036000291452</ICPN>"), "{xml}");
    store.close().await;
}

common::each_backend!(
    contributors_are_stored_edited_and_exported,
    worker_threads = 2
);
async fn contributors_are_stored_edited_and_exported(db: common::TestDb) {
    let (store, own, _) = ledger(&db.url).await;
    let cbxyz = "CBXYZ".parse().unwrap();
    let mut wanted = input("036000291452", &own);
    wanted.contributors = vec![
        credit("Ariane:MainArtist"),
        credit("Zoé & <Cie>:FeaturedArtist"),
        credit("Marc Tremblay:Composer"),
        credit("DJ: Neige:Remixer:2"),
        credit("Léa:FeaturedArtist:3"),
    ];
    let added = store
        .add_release(cbxyz, &wanted, "test")
        .await
        .expect("add");
    assert_eq!(added.input.contributors, wanted.contributors);
    assert_eq!(store.release(&wanted.upc).await.unwrap(), added);

    // A track the release does not have, an empty name, the same credit twice: refused.
    for (bad, why) in [
        ("Someone:Producer:4", "track 4, but the release has 3"),
        (" :Producer", "has no name"),
        ("Ariane:MainArtist", "listed twice"),
    ] {
        let mut edit = added.input.clone();
        edit.contributors.push(credit(bad));
        let e = store
            .edit_release(&edit.upc, &edit, "test")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid", "{bad}: {e}");
        assert!(e.to_string().contains(why), "{bad}: {e}");
    }
    let e = Contributor::parse("Ariane:Drummer")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"Drummer\" is not a contributor role") && e.contains("FeaturedArtist"),
        "{e}"
    );

    // Replaced as a whole by an edit, audited with before and after.
    let mut edit = added.input.clone();
    edit.contributors = vec![credit("Ariane:MainArtist"), credit("Luc:Producer")];
    let after = store
        .edit_release(&edit.upc, &edit, "test")
        .await
        .expect("edit");
    assert_eq!(after.input.contributors, edit.contributors);
    let history = store.audit_log(Some("release:036000291452")).await.unwrap();
    let last = history
        .iter()
        .rfind(|e| e.action == "release.edit")
        .expect("release.edit in the audit log");
    assert_eq!(last.action, "release.edit");
    let before = last.before.clone().unwrap();
    let now = last.after.clone().unwrap();
    assert!(
        before.contains("Marc Tremblay") && before.contains("Composer"),
        "{before}"
    );
    assert!(
        now.contains("\"role\":\"Producer\"") && !now.contains("Marc Tremblay"),
        "{now}"
    );

    // Exports: the CSV's contributors column holds each track's credits; the ERN message has
    // display artists with their roles and the other credits as contributors of the tracks.
    let release = store
        .edit_release(&edit.upc, &wanted, "test")
        .await
        .expect("edit back");
    let recordings = store.release_recordings(&release).await.unwrap();
    let csv =
        String::from_utf8(release_csv(ExportProfile::Distributor, &release, &recordings).unwrap())
            .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().get(5).unwrap().to_string())
        .collect();
    let whole = "Ariane:MainArtist; Zoé & <Cie>:FeaturedArtist; Marc Tremblay:Composer";
    assert_eq!(
        cells,
        vec![
            whole.to_string(),
            format!("{whole}; DJ: Neige:Remixer"),
            format!("{whole}; Léa:FeaturedArtist"),
        ]
    );

    let header = ErnHeader {
        message_id: "m1".into(),
        sender_dpid: None,
        sender_name: "Les Disques XYZ".into(),
        created: "2026-12-04T10:00:00Z".into(),
    };
    let xml = ern_message(&header, &release, &recordings);
    let message = isrc_check::formats::ern::read_message(xml.as_bytes()).expect("reads back");
    assert_eq!(message.resources.len(), 3);
    assert_eq!(message.resources[0].artist, "Ariane");
    // Parties: Ariane (P1), then each contributor once.
    for (party, name) in [
        ("P2", "Zoé &amp; &lt;Cie&gt;"),
        ("P3", "Marc Tremblay"),
        ("P4", "DJ: Neige"),
        ("P5", "Léa"),
    ] {
        assert!(
            xml.contains(&format!("<PartyReference>{party}</PartyReference>\n      <PartyName><FullName>{name}</FullName>")),
            "{party} {name}: {xml}"
        );
    }
    let featured = "<DisplayArtist SequenceNumber=\"2\">\n        <ArtistPartyReference>P2</ArtistPartyReference>\n        <DisplayArtistRole>FeaturedArtist</DisplayArtistRole>\n      </DisplayArtist>";
    let composer = "<Contributor SequenceNumber=\"1\">\n        <ContributorPartyReference>P3</ContributorPartyReference>\n        <Role>Composer</Role>\n      </Contributor>";
    let remixer = "<Contributor SequenceNumber=\"2\">\n        <ContributorPartyReference>P4</ContributorPartyReference>\n        <Role>Remixer</Role>\n      </Contributor>";
    // Every sound recording and the release have the featured artist; the main artist is
    // not repeated; track 3 also has its own featured artist.
    assert_eq!(xml.matches(featured).count(), 4, "{xml}");
    assert_eq!(
        xml.matches("<DisplayArtistRole>FeaturedArtist</DisplayArtistRole>")
            .count(),
        5,
        "{xml}"
    );
    assert_eq!(
        xml.matches("<DisplayArtistRole>MainArtist</DisplayArtistRole>")
            .count(),
        4,
        "{xml}"
    );
    assert_eq!(xml.matches(composer).count(), 3, "{xml}");
    assert_eq!(xml.matches(remixer).count(), 1, "{xml}");
    let track2 =
        &xml[xml.find(&own[1].to_string()).unwrap()..xml.find(&own[2].to_string()).unwrap()];
    assert!(track2.contains(remixer), "{track2}");
    store.close().await;
}
