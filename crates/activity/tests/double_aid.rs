//! Issue 19: stored double-aid rounds on both backends. The admin opens a round for NTB and
//! invites three partners; two join with their held lists, one with an encoded file (one
//! outside the region is refused by line); the run finds the person both held lists share;
//! each viewer gets its share (a partner its own line and the other's name, the admin the
//! count, the board a suppressed count, the public nothing until the round is closed, then
//! the province total); closing freezes the results and deletes the encoded files; the
//! next round of the region is compared with it; every step is audited.

use sinergi_activity::ActivityError;
use sinergi_activity::double_aid::{Join, join, open_round, round_page, run_round};
use sinergi_core::double_aid::{JoinMode, RoundStatus};
use sinergi_core::{Disclosed, Period, Viewer};
use sinergi_link::encoded::{PlainRecord, Secret, encode, write_file};
use sinergi_store::{AuditQuery, NewRound, Page, RoundResults, StoreError};
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
