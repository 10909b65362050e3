//! Issue 19: stored double-aid rounds on both backends. The admin opens a round for NTB and
//! invites three partners; two join with their held lists, one with an encoded file (one
//! outside the region is refused by line); the run finds the person both held lists share;
//! each viewer gets its share (a partner its own line and the other's name, the admin the
//! count, the board a suppressed count, the public nothing until the round is closed, then
//! the province total); closing freezes the results and deletes the encoded files; the
//! next round of the region is compared with it; every step is audited.

use sinergi_activity::ActivityError;
use sinergi_activity::double_aid::{
    Join, Side, decide, join, open_round, round_page, run_held, run_round,
};
use sinergi_core::double_aid::{JoinMode, RoundStatus};
use sinergi_core::{Disclosed, Period, Viewer};
use sinergi_link::encoded::{PlainRecord, Secret, encode, write_file};
use sinergi_store::{AuditQuery, HeldRecord, NewPair, NewRound, Page, RoundResults, StoreError};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn refused_key(e: ActivityError) -> &'static str {
    match e {
        ActivityError::Refused(m) => m.key,
        ActivityError::Store(StoreError::Refused(m)) => m.key,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn forbidden(e: ActivityError) -> bool {
    matches!(
        e,
        ActivityError::Forbidden | ActivityError::Store(StoreError::Forbidden)
    )
}

fn encoded_file(region: &str) -> Vec<u8> {
    let s = Secret::new(b"rahasia-mitra-putaran-uji-2025").unwrap();
    let rows = [PlainRecord {
        nik: Some("5203055505100005"),
        kk: None,
        name: "Nurul Hidayah",
        birth_date: Some((2010, 5, 15)),
        sex: Some('P'),
        region,
        aid_type: Some("tunai"),
    }];
    write_file(&rows.iter().map(|r| encode(&s, r)).collect::<Vec<_>>()).into_bytes()
}

#[tokio::test]
async fn a_round_runs_from_opening_to_frozen_results_each_viewer_seeing_its_share() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = Viewer::User(w.principal("admin52").await);
        let mitra_a = Viewer::User(w.principal("mitra.a").await);
        let mitra_b = Viewer::User(w.principal("mitra.b").await);
        let lks = Viewer::User(w.principal("lks").await);
        let board = Viewer::User(w.principal("pimpinan52").await);
        let jateng = Viewer::User(w.principal("mitra.jateng").await);
        let new_round = |invite: &[i64]| NewRound {
            region: code("52"),
            period: Period::parse("2025").unwrap(),
            aid_types: vec![],
            invite: invite.iter().map(|o| (*o, None)).collect(),
        };

        // Who opens: the admin of the region only; two partners at least.
        let all3 = [w.orgs[0], w.orgs[1], w.orgs[2]];
        assert!(forbidden(
            open_round(s, &mitra_a, &new_round(&all3))
                .await
                .unwrap_err()
        ));
        let admin33 = Viewer::User(w.principal("admin33").await);
        assert!(forbidden(
            open_round(s, &admin33, &new_round(&all3))
                .await
                .unwrap_err()
        ));
        assert_eq!(
            refused_key(
                open_round(s, &admin, &new_round(&[w.orgs[0]]))
                    .await
                    .unwrap_err()
            ),
            "double_aid.two_partners"
        );
        let round = open_round(s, &admin, &new_round(&all3)).await.unwrap();

        // A partner sees the round and its own membership only; another province's partner
        // and the public (while open) see nothing.
        let page = round_page(s, &mitra_a, round).await.unwrap().unwrap();
        assert_eq!(page.round.members.len(), 1, "{l}");
        assert_eq!(page.round.members[0].organisation_id, w.orgs[0]);
        assert_eq!(page.joinable.len(), 1, "{l}: its own list only");
        let list_a = page.joinable[0].id;
        assert!(
            round_page(s, &jateng, round).await.unwrap().is_none(),
            "{l}"
        );
        assert!(
            round_page(s, Viewer::public(), round)
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );
        let lists = round_page(s, &admin, round)
            .await
            .unwrap()
            .unwrap()
            .joinable;
        assert_eq!(
            lists.len(),
            3,
            "{l}: the admin joins on behalf of any member"
        );
        let list_b = lists
            .iter()
            .find(|x| x.organisation_id == w.orgs[1])
            .unwrap()
            .id;

        // Joining: only for itself, only with its own list.
        assert!(forbidden(
            join(
                s,
                &mitra_a,
                round,
                w.orgs[1],
                Join::Held { list_id: list_b }
            )
            .await
            .unwrap_err()
        ));
        assert_eq!(
            refused_key(
                join(
                    s,
                    &mitra_a,
                    round,
                    w.orgs[0],
                    Join::Held { list_id: list_b }
                )
                .await
                .unwrap_err()
            ),
            "double_aid.list_not_own"
        );
        assert_eq!(
            join(
                s,
                &mitra_a,
                round,
                w.orgs[0],
                Join::Held { list_id: list_a }
            )
            .await
            .unwrap(),
            3
        );
        // Running needs two joined members.
        assert_eq!(
            refused_key(run_round(s, &admin, round, false).await.unwrap_err()),
            "double_aid.two_joined"
        );
        assert_eq!(
            join(
                s,
                &mitra_b,
                round,
                w.orgs[1],
                Join::Held { list_id: list_b }
            )
            .await
            .unwrap(),
            2
        );
        // An encoded file: a line outside the round's region is refused by its number.
        assert_eq!(
            refused_key(
                join(
                    s,
                    &lks,
                    round,
                    w.orgs[2],
                    Join::Encoded {
                        bytes: encoded_file("33.01.01.2001")
                    }
                )
                .await
                .unwrap_err()
            ),
            "double_aid.file_outside_region"
        );
        assert_eq!(
            refused_key(
                join(
                    s,
                    &lks,
                    round,
                    w.orgs[2],
                    Join::Encoded {
                        bytes: b"nama,nik\nSiti,1\n".to_vec()
                    }
                )
                .await
                .unwrap_err()
            ),
            "double_aid.file_bad_line"
        );
        join(
            s,
            &lks,
            round,
            w.orgs[2],
            Join::Encoded {
                bytes: encoded_file("52.03.05.2004"),
            },
        )
        .await
        .unwrap();
        let stored = db
            .raw("SELECT contact FROM double_aid_member WHERE encoded_file IS NOT NULL")
            .await;
        assert_eq!(stored.len(), 1, "{l}: the encoded file is kept while open");

        // Only the admin runs; the run finds Siti Aminah in both held lists.
        assert!(forbidden(
            run_round(s, &mitra_a, round, false).await.unwrap_err()
        ));
        let summary = run_round(s, &admin, round, false).await.unwrap();
        assert_eq!(summary.members, 3, "{l}");
        assert_eq!(summary.records, 6, "{l}");
        assert_eq!(summary.overlaps, 1, "{l}: {summary:?}");

        let own = |v: &Viewer| {
            let v = v.clone();
            async move {
                match round_page(s, &v, round).await.unwrap().unwrap().results {
                    RoundResults::OwnRows { flags, .. } => flags,
                    other => panic!("{l}: a partner sees its own rows, got {other:?}"),
                }
            }
        };
        let flags_a = own(&mitra_a).await;
        assert_eq!(flags_a.len(), 1, "{l}");
        assert_eq!(flags_a[0].line, 2, "{l}: A1 is the first row of A's list");
        assert_eq!(flags_a[0].other, "Mitra B", "{l}");
        let flags_b = own(&mitra_b).await;
        assert_eq!(flags_b.len(), 1, "{l}");
        assert_eq!(flags_b[0].other, "Mitra A", "{l}");
        assert!(own(&lks).await.is_empty(), "{l}: no shared person, no name");

        let counts = |v: &Viewer| {
            let v = v.clone();
            async move {
                match round_page(s, &v, round).await.unwrap().unwrap().results {
                    RoundResults::Counts { cells, .. } => cells,
                    other => panic!("{l}: counts, got {other:?}"),
                }
            }
        };
        let cells = counts(&admin).await;
        assert_eq!(cells.len(), 1, "{l}");
        assert_eq!(cells[0].kecamatan, "52.03.05");
        assert_eq!(
            cells[0].partners,
            ("Mitra A".to_string(), "Mitra B".to_string())
        );
        assert_eq!(cells[0].count, Disclosed::Count(1));
        assert_eq!(counts(&board).await[0].count, Disclosed::Suppressed, "{l}");
        // Held lists were linked in cleartext by the linkage engine: the method is named.
        assert_eq!(flags_a[0].method, Some(JoinMode::Held), "{l}");
        assert_eq!(cells[0].method, Some(JoinMode::Held), "{l}");

        // An uncertain pair waits for both partners: the review queue page lists the round
        // for each (its own side) and for the admin until both sides are decided.
        let pending = |v: &Viewer| {
            let v = v.clone();
            async move {
                s.scoped(&v)
                    .double_aid_pending_reviews()
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|p| (p.round_id, p.undecided))
                    .collect::<Vec<_>>()
            }
        };
        assert!(
            pending(&mitra_a).await.is_empty(),
            "{l}: nothing uncertain yet"
        );
        s.scoped(&admin)
            .save_double_aid_results(
                round,
                &[NewPair {
                    org_a: w.orgs[0],
                    line_a: 3,
                    org_b: w.orgs[1],
                    line_b: 3,
                    kecamatan: "52.03.05".into(),
                    aid_type: "tunai".into(),
                    probability: 0.4,
                    weights: [0.0, 0.0, 3.5],
                    certain: false,
                    person_key: None,
                }],
                1,
                false,
            )
            .await
            .unwrap();
        assert_eq!(pending(&mitra_a).await, [(round, 1)], "{l}");
        assert_eq!(pending(&mitra_b).await, [(round, 1)], "{l}");
        assert_eq!(pending(&admin).await, [(round, 1)], "{l}");
        assert!(pending(&lks).await.is_empty(), "{l}: not its pair");
        assert!(pending(&jateng).await.is_empty(), "{l}");
        let review = match round_page(s, &mitra_a, round)
            .await
            .unwrap()
            .unwrap()
            .results
        {
            RoundResults::OwnRows { review, .. } => review,
            other => panic!("{l}: {other:?}"),
        };
        assert_eq!(review[0].method, Some(JoinMode::Held), "{l}");
        decide(s, &mitra_a, round, review[0].pair_no, false)
            .await
            .unwrap();
        assert!(pending(&mitra_a).await.is_empty(), "{l}: decided");
        assert_eq!(pending(&mitra_b).await, [(round, 1)], "{l}");
        assert_eq!(
            pending(&admin).await,
            [(round, 1)],
            "{l}: B still to decide"
        );

        // Closing freezes: joining and running again are refused, encoded files are gone,
        // the public sees the (suppressed) province total.
        run_round(s, &admin, round, true).await.unwrap();
        let closed = round_page(s, &admin, round).await.unwrap().unwrap();
        assert_eq!(closed.round.status, RoundStatus::Closed);
        assert!(!closed.may_run);
        assert_eq!(
            closed
                .round
                .members
                .iter()
                .find(|m| m.organisation_id == w.orgs[2])
                .unwrap()
                .mode,
            Some(JoinMode::Encoded)
        );
        assert_eq!(
            refused_key(run_round(s, &admin, round, true).await.unwrap_err()),
            "double_aid.closed"
        );
        assert_eq!(
            refused_key(
                join(
                    s,
                    &mitra_a,
                    round,
                    w.orgs[0],
                    Join::Held { list_id: list_a }
                )
                .await
                .unwrap_err()
            ),
            "double_aid.closed"
        );
        let kept = db
            .raw("SELECT contact FROM double_aid_member WHERE encoded_file IS NOT NULL")
            .await;
        assert!(kept.is_empty(), "{l}: encoded files deleted on close");
        let public = round_page(s, Viewer::public(), round)
            .await
            .unwrap()
            .unwrap();
        assert!(public.round.members.is_empty(), "{l}");
        assert_eq!(
            public.results,
            RoundResults::ProvinceTotal(Disclosed::Suppressed)
        );

        // The next round of the region is compared with this one.
        let next = open_round(s, &admin, &new_round(&all3)).await.unwrap();
        join(s, &admin, next, w.orgs[0], Join::Held { list_id: list_a })
            .await
            .unwrap();
        join(s, &admin, next, w.orgs[1], Join::Held { list_id: list_b })
            .await
            .unwrap();
        run_round(s, &admin, next, true).await.unwrap();
        let page = round_page(s, &admin, next).await.unwrap().unwrap();
        assert_eq!(page.round.previous_id, Some(round));
        let RoundResults::Counts { comparison, .. } = page.results else {
            panic!("{l}: counts");
        };
        assert_eq!(comparison.len(), 1, "{l}");
        assert_eq!(comparison[0].previous, Disclosed::Count(1));
        assert_eq!(comparison[0].now, Disclosed::Count(1));
        assert_eq!(comparison[0].new, Disclosed::Count(0), "{l}: same person");
        assert_eq!(comparison[0].resolved, Disclosed::Count(0));

        // Audited.
        let audit = s
            .as_user(&w.principal("admin52").await)
            .audit_entries(&AuditQuery::default(), Page::new(None, Some(500), 500))
            .await
            .unwrap()
            .items;
        for action in [
            "double_aid.open",
            "double_aid.join",
            "double_aid.run",
            "double_aid.close",
            "double_aid.results",
        ] {
            assert!(
                audit.iter().any(|r| r.action == action),
                "{l}: {action} audited"
            );
        }
    }
}

fn held(line: i64, nik: Option<&str>, name: &str, birth: &str, desa: &str) -> HeldRecord {
    HeldRecord {
        line,
        nik: nik.map(str::to_string),
        kk: None,
        name: name.into(),
        birth_date: chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok(),
        sex: Some('P'),
        region: desa.into(),
        aid_type: Some("Tunai".into()),
        person_key: None,
    }
}

/// Held lists are linked in cleartext with the linkage engine: a NIK mistyped by one
/// transposition, or missing with a name variant, still finds the person across partners;
/// a person twice in one partner's list is not double aid; a stranger is not paired; a
/// scholarship does not count in a cash round.
#[test]
fn held_lists_are_linked_in_cleartext_across_partners_only() {
    let desa = "52.03.05.2004";
    let a = vec![
        held(
            2,
            Some("5203055505800001"),
            "Siti Aminah",
            "1980-05-15",
            desa,
        ),
        held(
            3,
            Some("5203051207750002"),
            "Lalu Muhammad Zaini",
            "1975-07-12",
            desa,
        ),
        held(
            4,
            Some("5203055505800001"),
            "Siti Aminah",
            "1980-05-15",
            desa,
        ),
        held(
            5,
            Some("5203054110900003"),
            "Baiq Rohani",
            "1990-10-01",
            desa,
        ),
    ];
    let mut b = vec![
        // Siti: two digits of the NIK swapped.
        held(
            2,
            Some("5203055505800010"),
            "Siti Aminah",
            "1980-05-15",
            desa,
        ),
        // Zaini: no NIK, "Muhammad" written "Muh.".
        held(3, None, "Lalu Muh. Zaini", "1975-07-12", desa),
        held(
            4,
            Some("5203056608880004"),
            "Nurul Hidayah",
            "1988-08-26",
            desa,
        ),
    ];
    // Many more strangers, so the engine has a population to learn from.
    let names = [
        "Ahmad", "Baiq", "Lalu", "Made", "Nyoman", "Ketut", "Wayan", "Putu",
    ];
    let last = [
        "Hasan", "Rahma", "Sudirman", "Wati", "Saputra", "Yani", "Kurnia", "Fauzi",
    ];
    let mut a = a;
    for i in 0..200i64 {
        let name = format!("{} {}", names[(i % 8) as usize], last[(i / 8 % 8) as usize]);
        let birth = format!("19{:02}-{:02}-{:02}", 50 + i % 45, 1 + i % 12, 1 + i % 28);
        let nik = format!(
            "520305{:02}{:02}{:02}{:04}",
            1 + i % 28,
            1 + i % 12,
            50 + i % 45,
            100 + i
        );
        let list = if i % 2 == 0 { &mut a } else { &mut b };
        list.push(held(100 + i, Some(&nik), &name, &birth, desa));
    }
    let result = run_held(&[a.clone(), b.clone()], &[]);
    let found: Vec<(i64, i64)> = result
        .overlaps
        .iter()
        .map(|o| {
            let line = |s: Side| [&a, &b][s.member][s.line as usize].line;
            assert_ne!(o.a.member, o.b.member, "only across partners");
            (line(o.a), line(o.b))
        })
        .collect();
    assert!(found.contains(&(2, 2)), "Siti, NIK transposed: {found:?}");
    assert!(found.contains(&(4, 2)), "Siti's second row too: {found:?}");
    assert!(found.contains(&(3, 3)), "Zaini without NIK: {found:?}");
    assert_eq!(found.len(), 3, "nothing else: {found:?}");
    let siti = &result.overlaps[0];
    assert_eq!(siti.kecamatan, "52.03.05");
    assert_eq!(siti.aid_type, "tunai");
    assert!(siti.field_weights[0] > 0.0, "the NIK weighs for: {siti:?}");
    // Only scholarships count: nothing.
    assert!(
        run_held(&[a, b], &["beasiswa".to_string()])
            .overlaps
            .is_empty()
    );
}
