//! The access scope, proven on both backends: every role against every scoped query, at
//! every edge (a neighbouring kab/kota, another partner, a record moved between regions),
//! plus personal-data encryption, the audit chain, and account security.

use std::collections::BTreeSet;

use sinergi_core::{Disclosed, LegalBasis, Level, PersonInput, Principal, Role, Scope, Viewer};
use sinergi_store::{
    AuditQuery, Identifier, KeyError, LoginError, NewPersonList, NewUser, Page, PersonFilter,
    PiiKey, Store, StoreError, ThrottlePolicy, UserChange,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, World, basis, build, code};

/// The catalogue key of a refusal and, for a labelled field (`error.field_labelled`), the
/// field's key: the refusals are messages now, not English-free strings.
fn refusal<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> (&'static str, Option<&'static str>) {
    match r {
        Err(StoreError::Refused(m)) => (
            m.key,
            match m.get("field") {
                Some(sinergi_core::MsgArg::Msg(f)) => Some(f.key),
                _ => None,
            },
        ),
        other => panic!("expected a refusal: {other:?}"),
    }
}

fn ids(w: &World, labels: &[&str]) -> BTreeSet<i64> {
    labels.iter().map(|l| w.who(l).id).collect()
}

async fn all_pages(store: &Store, p: &Principal, filter: &PersonFilter) -> (u64, BTreeSet<i64>) {
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for n in 1..=20 {
        let page = store
            .as_user(p)
            .persons(filter, Page::new(Some(n), Some(2), 2))
            .await
            .unwrap();
        total = page.total;
        for r in &page.items {
            assert!(seen.insert(r.id), "row {} twice across pages", r.id);
        }
        if !page.has_next() {
            break;
        }
    }
    (total, seen)
}

/// Every role, every read path: list (paged), export, detail, name search, NIK search, reveal.
#[tokio::test]
async fn every_role_sees_exactly_its_scope_on_every_read_path() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let o = &w.orgs;
        let cases: Vec<(Principal, Vec<&str>)> = vec![
            (
                w.principal("admin52").await,
                vec!["A1", "A2", "A3", "B1", "B2", "L1"],
            ),
            (w.principal("admin33").await, vec!["D1"]),
            (
                w.principal("op5203").await,
                vec!["A1", "A2", "B1", "B2", "L1"],
            ),
            (w.principal("op5202").await, vec!["A3"]),
            (w.principal("lks").await, vec!["L1"]),
            (w.principal("mitra.a").await, vec!["A1", "A2", "A3"]),
            (w.principal("mitra.a.lotim").await, vec!["A1", "A2"]),
            (w.principal("mitra.b").await, vec!["B1", "B2"]),
            (
                w.principal("pimpinan52").await,
                vec!["A1", "A2", "A3", "B1", "B2", "L1"],
            ),
            (
                w.principal("pimpinan5203").await,
                vec!["A1", "A2", "B1", "B2", "L1"],
            ),
        ];
        for (p, labels) in &cases {
            let who = format!("{} as {}", db.label, p.username);
            let expected = ids(&w, labels);
            // The pure rule and the SQL agree.
            let by_rule: BTreeSet<i64> = w
                .people
                .iter()
                .filter(|t| p.may_see(&code(t.region), o[t.org]))
                .map(|t| t.id)
                .collect();
            assert_eq!(by_rule, expected, "{who}: rule");
            let (total, listed) = all_pages(s, p, &PersonFilter::default()).await;
            assert_eq!(listed, expected, "{who}: list");
            assert_eq!(total as usize, expected.len(), "{who}: total");
            // Bulk by-name export: every role with an operational need, never the board.
            let may_export = p.role != Role::Pimpinan;
            assert_eq!(p.may_export_by_name(), may_export, "{who}: export rule");
            assert_eq!(
                Viewer::User(p.clone()).may_export_by_name(),
                may_export,
                "{who}: export rule (viewer)"
            );
            match s.as_user(p).export_persons(&PersonFilter::default()).await {
                Ok(rows) => {
                    assert!(may_export, "{who}: the board exported by-name rows");
                    let exported: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
                    assert_eq!(exported, expected, "{who}: export");
                }
                Err(StoreError::Forbidden) => assert!(!may_export, "{who}: export refused"),
                Err(e) => panic!("{who}: {e}"),
            }
            // Searches: through the export where the role may export, else through the list.
            let search = |filter: PersonFilter| async move {
                if may_export {
                    s.as_user(p)
                        .export_persons(&filter)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.id)
                        .collect::<BTreeSet<i64>>()
                } else {
                    all_pages(s, p, &filter).await.1
                }
            };
            let siti: BTreeSet<i64> = search(PersonFilter {
                query: Some("SITI".into()),
                ..Default::default()
            })
            .await;
            let expected_siti: BTreeSet<i64> = w
                .people
                .iter()
                .filter(|t| expected.contains(&t.id) && t.name.to_lowercase().contains("siti"))
                .map(|t| t.id)
                .collect();
            assert_eq!(siti, expected_siti, "{who}: name search");
            for t in &w.people {
                let visible = expected.contains(&t.id);
                let detail = s.as_user(p).person(t.id).await.unwrap();
                assert_eq!(detail.is_some(), visible, "{who}: detail {}", t.label);
                if let Some(d) = detail {
                    assert_eq!(
                        d.nik_masked.as_deref(),
                        Some(format!("{}********{}", &t.nik[..4], &t.nik[12..]).as_str())
                    );
                }
                let by_nik: BTreeSet<i64> = search(PersonFilter {
                    query: Some(t.nik.into()),
                    ..Default::default()
                })
                .await;
                assert_eq!(
                    by_nik.contains(&t.id),
                    visible,
                    "{who}: NIK search {}",
                    t.label
                );
                assert!(by_nik.is_subset(&expected), "{who}: NIK search leaks");
                match s.as_user(p).reveal(t.id, Identifier::Nik).await {
                    Err(StoreError::Forbidden) => assert_eq!(p.role, Role::Pimpinan, "{who}"),
                    Ok(Some(nik)) => {
                        assert!(visible, "{who}: revealed {} outside scope", t.label);
                        assert_eq!(nik, t.nik);
                    }
                    Ok(None) => assert!(!visible, "{who}: could not reveal {}", t.label),
                    Err(e) => panic!("{who}: {e}"),
                }
            }
            // Region filter cannot widen the scope.
            let widened: BTreeSet<i64> = search(PersonFilter {
                region: Some(code("52")),
                ..Default::default()
            })
            .await;
            assert!(
                widened.is_subset(&expected),
                "{who}: region filter widened the scope"
            );
        }
    }
}

#[tokio::test]
async fn aggregates_follow_the_scope_and_lks_operators_get_none() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let op = w.principal("op5203").await;
        let counts = s
            .as_user(&op)
            .person_counts(Level::KabKota, None)
            .await
            .unwrap();
        assert_eq!(
            counts,
            vec![("52.03".to_string(), Disclosed::Count(5))],
            "{}",
            db.label
        );
        let mitra = w.principal("mitra.a").await;
        let counts = s
            .as_user(&mitra)
            .person_counts(Level::Provinsi, None)
            .await
            .unwrap();
        assert_eq!(
            counts,
            vec![
                ("33".to_string(), Disclosed::Count(1)),
                ("52".to_string(), Disclosed::Count(6))
            ],
            "{}",
            db.label
        );
        let lks = w.principal("lks").await;
        assert!(matches!(
            s.as_user(&lks).person_counts(Level::Provinsi, None).await,
            Err(StoreError::Forbidden)
        ));
        // The public gets the same counts suppressed by the store, at the deployment's
        // threshold: below 10 by default, below 3 where the deployment says so.
        let public = s
            .scoped(Viewer::public())
            .person_counts(Level::Desa, Some(&code("52.03")))
            .await
            .unwrap();
        assert_eq!(
            public,
            vec![
                ("52.03.05.2003".to_string(), Disclosed::Suppressed),
                ("52.03.05.2004".to_string(), Disclosed::Suppressed)
            ],
            "{}",
            db.label
        );
        let lenient = s.clone().with_disclosure_threshold(3);
        let public = lenient
            .scoped(Viewer::public())
            .person_counts(Level::Desa, Some(&code("52.03")))
            .await
            .unwrap();
        assert_eq!(
            public,
            vec![
                ("52.03.05.2003".to_string(), Disclosed::Count(3)),
                ("52.03.05.2004".to_string(), Disclosed::Suppressed)
            ],
            "{}",
            db.label
        );
        // The system (the CLI) counts everywhere, unsuppressed.
        let all = s
            .as_system("uji")
            .person_counts(Level::Provinsi, None)
            .await
            .unwrap();
        assert_eq!(
            all,
            vec![
                ("33".to_string(), Disclosed::Count(1)),
                ("52".to_string(), Disclosed::Count(6))
            ],
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn a_record_moved_between_regions_changes_who_sees_it() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let lotim = w.principal("op5203").await;
        let loteng = w.principal("op5202").await;
        let pimpinan = w.principal("pimpinan52").await;
        let a1 = w.who("A1").id;
        assert!(s.as_user(&lotim).person(a1).await.unwrap().is_some());
        assert!(s.as_user(&loteng).person(a1).await.unwrap().is_none());
        // An operator cannot move a row out of their own scope, nor touch one outside it.
        assert!(matches!(
            s.as_user(&lotim)
                .move_person(a1, &code("52.02.01.2001"))
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(
            !s.as_user(&lotim)
                .move_person(w.who("A3").id, &code("52.03.05.2003"))
                .await
                .unwrap()
        );
        assert!(matches!(
            s.as_user(&pimpinan)
                .move_person(a1, &code("52.03.05.2004"))
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(
            s.as_user(&admin)
                .move_person(a1, &code("52.02.01.2001"))
                .await
                .unwrap()
        );
        assert!(
            s.as_user(&lotim).person(a1).await.unwrap().is_none(),
            "{}: moved away",
            db.label
        );
        assert!(
            s.as_user(&loteng).person(a1).await.unwrap().is_some(),
            "{}: moved in",
            db.label
        );
        let (_, listed) = all_pages(s, &lotim, &PersonFilter::default()).await;
        assert!(!listed.contains(&a1));
        let moves = s
            .as_user(&admin)
            .audit_entries(
                &AuditQuery {
                    action: Some("person.move".into()),
                    ..Default::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(moves.total, 1);
        assert_eq!(
            moves.items[0].before.as_deref(),
            Some("{\"wilayah\":\"52.03.05.2003\"}")
        );
    }
}

#[tokio::test]
async fn writes_respect_roles_organisations_and_legal_basis() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let lotim = w.principal("op5203").await;
        let mitra_a = w.principal("mitra.a").await;
        let pimpinan = w.principal("pimpinan52").await;
        let admin = w.principal("admin52").await;
        let before = s
            .as_user(&admin)
            .export_persons(&PersonFilter::default())
            .await
            .unwrap()
            .len();
        let row = |region: &str, line: u64| PersonInput {
            line,
            name: "Uji".into(),
            sex: None,
            birth_date: None,
            nik: None,
            kk: None,
            region: code(region),
            extra: Default::default(),
        };
        let list = |org: i64, basis: Option<LegalBasis>, reference: &str| NewPersonList {
            organisation_id: org,
            name: "uji".into(),
            legal_basis: basis,
            reference: reference.into(),
            source_file: None,
            content_hash: None,
            replaces: None,
        };
        // No legal basis, or no reference: refused with the field named.
        assert_eq!(
            refusal(
                &s.as_user(&lotim)
                    .import_person_list(
                        &list(w.orgs[0], None, "PKS 1"),
                        &[row("52.03.05.2003", 2)],
                        &|_| {}
                    )
                    .await
            ),
            ("lists.basis_missing", None)
        );
        assert_eq!(
            refusal(
                &s.as_user(&lotim)
                    .import_person_list(
                        &list(w.orgs[0], basis(), "  "),
                        &[row("52.03.05.2003", 2)],
                        &|_| {}
                    )
                    .await
            ),
            ("lists.reference_missing", None)
        );
        // A row outside the importer's scope refuses the whole list.
        let outside = s
            .as_user(&lotim)
            .import_person_list(
                &list(w.orgs[0], basis(), "PKS 1"),
                &[row("52.03.05.2003", 2), row("52.02.01.2001", 3)],
                &|_| {},
            )
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(outside.len(), 1);
        assert_eq!(outside[0].line, 3);
        // A partner cannot file a list under another partner; a board member cannot write.
        assert!(matches!(
            s.as_user(&mitra_a)
                .import_person_list(
                    &list(w.orgs[1], basis(), "PKS 1"),
                    &[row("52.03.05.2003", 2)],
                    &|_| {}
                )
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.as_user(&pimpinan)
                .import_person_list(
                    &list(w.orgs[0], basis(), "PKS 1"),
                    &[row("52.03.05.2003", 2)],
                    &|_| {}
                )
                .await,
            Err(StoreError::Forbidden)
        ));
        let after = s
            .as_user(&admin)
            .export_persons(&PersonFilter::default())
            .await
            .unwrap()
            .len();
        assert_eq!(before, after, "{}: nothing half-written", db.label);
        // A partner's own list within its scope is accepted.
        s.as_user(&mitra_a)
            .import_person_list(
                &list(w.orgs[0], basis(), "Persetujuan 2025/7"),
                &[row("33.01.01.2001", 2)],
                &|_| {},
            )
            .await
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn identifiers_are_encrypted_at_rest_and_matched_by_keyed_hash() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let a1 = w.who("A1");
        let sealed = db
            .raw(&format!(
                "SELECT nik_cipher FROM person_record WHERE id = {}",
                a1.id
            ))
            .await;
        let sealed = sealed[0].clone().expect("cipher stored");
        assert!(
            !sealed.windows(16).any(|win| win == a1.nik.as_bytes()),
            "plain NIK in the database"
        );
        let hash = db
            .raw(&format!(
                "SELECT nik_hash FROM person_record WHERE id = {}",
                a1.id
            ))
            .await;
        assert_eq!(
            hash[0].as_deref(),
            Some(
                w.key
                    .blind_index(sinergi_store::pii::PiiField::Nik, a1.nik)
                    .as_slice()
            )
        );
        // The same NIK in two partners' lists has the same keyed hash (the overlap check).
        let b1 = w.who("B1");
        let hash_b = db
            .raw(&format!(
                "SELECT nik_hash FROM person_record WHERE id = {}",
                b1.id
            ))
            .await;
        assert_eq!(hash, hash_b);
        w.store.close().await;
        // Another key is refused for this database.
        let (other, _) = PiiKey::generate();
        match db.open().await.with_key(other).await {
            Err(StoreError::Key(KeyError::Mismatch)) => {}
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("{}: a wrong key was accepted", db.label),
        }
        assert!(db.open().await.with_key(w.key.clone()).await.is_ok());
    }
}

#[tokio::test]
async fn admins_manage_accounts_only_inside_their_province() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let admin52 = w.principal("admin52").await;
        let admin33 = w.principal("admin33").await;
        let lotim = w.principal("op5203").await;
        let mitra_jateng = w.principal("mitra.jateng").await;
        let names = |p: &Principal| {
            let p = p.clone();
            async move {
                s.as_user(&p)
                    .users(Page::new(None, None, 100))
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|u| u.username)
                    .collect::<BTreeSet<_>>()
            }
        };
        assert_eq!(
            names(&admin52).await,
            [
                "admin52",
                "lks",
                "mitra.a",
                "mitra.a.lotim",
                "mitra.b",
                "op5202",
                "op5203",
                "pimpinan52",
                "pimpinan5203"
            ]
            .into_iter()
            .map(String::from)
            .collect()
        );
        assert_eq!(
            names(&admin33).await,
            ["admin33", "mitra.jateng"]
                .into_iter()
                .map(String::from)
                .collect()
        );
        assert!(
            s.as_user(&admin33)
                .account(lotim.user_id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            s.as_user(&lotim).users(Page::new(None, None, 10)).await,
            Err(StoreError::Forbidden)
        ));
        let outside = NewUser {
            username: "penyusup".into(),
            display_name: "x".into(),
            password: PASSWORD.into(),
            role: Role::OperatorKabKota,
            scope: Scope {
                regions: vec![code("33.01")],
                organisation: None,
            },
        };
        assert!(matches!(
            s.as_user(&admin52).create_user(outside).await,
            Err(StoreError::Forbidden)
        ));
        let change = UserChange {
            display_name: "op".into(),
            role: Role::OperatorKabKota,
            scope: Scope {
                regions: vec![code("33.01")],
                organisation: None,
            },
            disabled: false,
        };
        assert!(matches!(
            s.as_user(&admin52)
                .update_user(lotim.user_id, change.clone())
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.as_user(&admin33).update_user(lotim.user_id, change).await,
            Err(StoreError::Forbidden)
        ));
        // A partner seated in Jawa Tengah is not the NTB admin's to change.
        assert!(
            s.as_user(&admin52)
                .account(mitra_jateng.user_id)
                .await
                .unwrap()
                .is_none()
        );
        // Wrong scope shapes are refused with the field named.
        let bad = NewUser {
            username: "salah".into(),
            display_name: "x".into(),
            password: PASSWORD.into(),
            role: Role::AdminProvinsi,
            scope: Scope {
                regions: vec![code("52.03")],
                organisation: None,
            },
        };
        assert_eq!(
            refusal(&s.as_user(&admin52).create_user(bad).await),
            ("error.field_labelled", Some("accounts.field_scope"))
        );
    }
}

#[tokio::test]
async fn audit_chain_detects_edits_and_deletions_and_is_append_only() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        s.as_user(&admin)
            .reveal(w.who("A1").id, Identifier::Nik)
            .await
            .unwrap();
        let report = s.verify_audit_chain().await.unwrap();
        assert!(
            report.broken.is_none() && !report.head_mismatch,
            "{}: {report:?}",
            db.label
        );
        assert!(report.checked >= 10);
        // The database refuses edits and deletions while its guard is in place.
        let (disable, enable) = match db.label {
            "sqlite" => (
                vec![
                    "DROP TRIGGER audit_log_no_update",
                    "DROP TRIGGER audit_log_no_delete",
                ],
                vec![],
            ),
            _ => (
                vec!["ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"],
                vec!["ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"],
            ),
        };
        let refused = db
            .try_raw("UPDATE audit_log SET actor_name = 'x' WHERE seq = 2")
            .await;
        assert!(
            refused.is_err(),
            "{}: audit_log accepted an UPDATE",
            db.label
        );
        let refused = db.try_raw("DELETE FROM audit_log WHERE seq = 2").await;
        assert!(
            refused.is_err(),
            "{}: audit_log accepted a DELETE",
            db.label
        );
        for sql in &disable {
            db.raw(sql).await;
        }
        // An edit.
        db.raw("UPDATE audit_log SET after_json = '{\"peran\":\"admin_provinsi\"}' WHERE seq = 3")
            .await;
        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!(
            report.broken,
            Some(sinergi_core::audit::ChainBreak::Altered { seq: 3 }),
            "{}",
            db.label
        );
        // A deletion from the middle.
        db.raw("DELETE FROM audit_log WHERE seq = 3").await;
        let report = s.verify_audit_chain().await.unwrap();
        assert!(
            matches!(
                report.broken,
                Some(sinergi_core::audit::ChainBreak::Missing { after: 2, .. })
            ),
            "{}: {report:?}",
            db.label
        );
        for sql in &enable {
            db.raw(sql).await;
        }
    }
}

#[tokio::test]
async fn audit_chain_detects_a_cut_off_tail() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let disable = match db.label {
            "sqlite" => "DROP TRIGGER audit_log_no_delete",
            _ => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
        };
        db.raw(disable).await;
        db.raw("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
            .await;
        let report = w.store.verify_audit_chain().await.unwrap();
        assert!(report.broken.is_none());
        assert!(report.head_mismatch, "{}: {report:?}", db.label);
    }
}

#[tokio::test]
async fn logins_are_throttled_and_sessions_end_when_they_should() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let policy = ThrottlePolicy::default();
        let admin = w.principal("admin52").await;
        let lotim = w.principal("op5203").await;
        // Wrong password and unknown account give the same answer.
        assert_eq!(
            s.login("op5203", "salah-sekali", "10.0.0.1", &policy)
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::BadCredentials
        );
        assert_eq!(
            s.login("tidak.ada", PASSWORD, "10.0.0.1", &policy)
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::BadCredentials
        );
        // Per account and address: after five failures from one address even the right
        // password waits there; the owner elsewhere is not shut out (no fixed account lock).
        let until = |r: Result<sinergi_store::NewSession, LoginError>| match r {
            Err(LoginError::Locked { until }) => chrono::DateTime::parse_from_rfc3339(&until)
                .unwrap()
                .with_timezone(&chrono::Utc),
            other => panic!("expected a delay: {:?}", other.map(|_| ())),
        };
        for _ in 0..4 {
            s.login("op5203", "salah-sekali", "10.0.0.2", &policy)
                .await
                .unwrap()
                .unwrap_err();
        }
        assert_eq!(
            s.login("op5203", "salah-sekali", "10.0.0.2", &policy)
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::BadCredentials
        );
        // Measured from just after the failure: at most the delay it set.
        let first_at = chrono::Utc::now();
        let first = until(
            s.login("op5203", PASSWORD, "10.0.0.2", &policy)
                .await
                .unwrap(),
        ) - first_at;
        assert!(
            first > chrono::Duration::zero() && first <= chrono::Duration::seconds(1),
            "{}: first delay {first}",
            db.label
        );
        // The delay grows with each further failure (the wait is let pass by hand here).
        let elapse = "UPDATE login_throttle SET locked_until = '2000-01-01T00:00:00.000000Z' \
                      WHERE throttle_key = 'akun-alamat:op5203|10.0.0.2'";
        db.raw(elapse).await;
        s.login("op5203", "salah-sekali", "10.0.0.2", &policy)
            .await
            .unwrap()
            .unwrap_err();
        let second_at = chrono::Utc::now();
        let second = until(
            s.login("op5203", PASSWORD, "10.0.0.2", &policy)
                .await
                .unwrap(),
        ) - second_at;
        assert!(
            second > first + chrono::Duration::milliseconds(500),
            "{}: {first} then {second}",
            db.label
        );
        assert!(
            s.login("op5203", PASSWORD, "10.0.0.3", &policy)
                .await
                .unwrap()
                .is_ok(),
            "{}: the owner at another address was shut out",
            db.label
        );
        // An admin releases the delay (audited); the right password works again at once.
        db.raw(elapse).await;
        s.login("op5203", "salah-sekali", "10.0.0.2", &policy)
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            s.as_user(&admin)
                .login_delay(lotim.user_id)
                .await
                .unwrap()
                .is_some()
        );
        let mitra = w.principal("mitra.a").await;
        assert!(matches!(
            s.as_user(&mitra).release_login_delay(lotim.user_id).await,
            Err(StoreError::Forbidden)
        ));
        assert!(
            s.as_user(&admin)
                .release_login_delay(lotim.user_id)
                .await
                .unwrap()
                >= 1
        );
        assert_eq!(
            s.as_user(&admin).login_delay(lotim.user_id).await.unwrap(),
            None
        );
        assert!(
            s.login("op5203", PASSWORD, "10.0.0.2", &policy)
                .await
                .unwrap()
                .is_ok()
        );
        let released = s
            .as_user(&admin)
            .audit_entries(
                &AuditQuery {
                    action: Some("user.login_release".into()),
                    ..Default::default()
                },
                Page::new(None, None, 10),
            )
            .await
            .unwrap();
        assert_eq!(released.total, 1, "{}", db.label);
        // Failures on one account from many addresses slow it down too, briefly.
        for i in 0..policy.per_account_anywhere {
            s.login("op5202", "salah", &format!("10.7.0.{i}"), &policy)
                .await
                .unwrap()
                .unwrap_err();
        }
        let spread_at = chrono::Utc::now();
        let spread = until(
            s.login("op5202", PASSWORD, "10.7.1.1", &policy)
                .await
                .unwrap(),
        ) - spread_at;
        assert!(spread <= policy.account_max_delay, "{}: {spread}", db.label);
        // Released, so the sessions below start from a clean slate.
        let op5202 = w.principal("op5202").await;
        s.as_user(&admin)
            .release_login_delay(op5202.user_id)
            .await
            .unwrap();
        // Per address: twenty failures on any accounts lock the address for everyone.
        for i in 0..20 {
            s.login(&format!("tebak{i}"), "x", "10.9.9.9", &policy)
                .await
                .unwrap()
                .unwrap_err();
        }
        assert!(matches!(
            s.login("admin52", PASSWORD, "10.9.9.9", &policy)
                .await
                .unwrap(),
            Err(LoginError::Locked { .. })
        ));
        // Sessions: two devices; sign out everywhere ends both.
        let one = s
            .login("admin52", PASSWORD, "10.0.0.4", &policy)
            .await
            .unwrap()
            .unwrap();
        let two = s
            .login("admin52", PASSWORD, "10.0.0.5", &policy)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            s.session_user(&one.token).await.unwrap().unwrap().principal,
            admin
        );
        s.logout_everywhere(&admin).await.unwrap();
        assert!(s.session_user(&one.token).await.unwrap().is_none());
        assert!(s.session_user(&two.token).await.unwrap().is_none());
        // Changing the password keeps this session and ends the others.
        let keep = s
            .login("admin52", PASSWORD, "10.0.0.4", &policy)
            .await
            .unwrap()
            .unwrap();
        let other = s
            .login("admin52", PASSWORD, "10.0.0.5", &policy)
            .await
            .unwrap()
            .unwrap();
        s.change_password(&admin, PASSWORD, "sandi-baru-yang-panjang", &keep.token)
            .await
            .unwrap();
        assert!(s.session_user(&keep.token).await.unwrap().is_some());
        assert!(s.session_user(&other.token).await.unwrap().is_none());
        assert_eq!(
            refusal(
                &s.change_password(&admin, "salah", "lain-lagi-panjang", &keep.token)
                    .await
            ),
            (
                "error.field_labelled",
                Some("accounts.field_current_password")
            )
        );
        // An admin reset forces a change and ends the user's sessions; disabling locks out.
        let lotim_session = s
            .login("op5203", PASSWORD, "10.0.0.6", &policy)
            .await
            .unwrap();
        assert!(lotim_session.is_ok(), "not delayed by failures elsewhere");
        s.as_user(&admin)
            .reset_password(lotim.user_id, "sementara-123")
            .await
            .unwrap();
        let lotim_id = lotim.user_id;
        s.as_user(&admin)
            .update_user(
                lotim_id,
                UserChange {
                    display_name: "op".into(),
                    role: Role::OperatorKabKota,
                    scope: lotim.scope.clone(),
                    disabled: true,
                },
            )
            .await
            .unwrap();
        let summary = s.as_user(&admin).account(lotim_id).await.unwrap().unwrap();
        assert!(summary.disabled && summary.must_change_password);
        // Short passwords are refused with the reason.
        assert_eq!(
            refusal(&s.as_user(&admin).reset_password(lotim_id, "pendek").await),
            ("error.field_labelled", Some("accounts.field_password"))
        );
    }
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let policy = ThrottlePolicy::default();
        let admin = w.principal("admin52").await;
        let pimpinan = w.principal("pimpinan52").await;
        let session = s
            .login("pimpinan52", PASSWORD, "10.1.1.1", &policy)
            .await
            .unwrap()
            .unwrap();
        s.as_user(&admin)
            .update_user(
                pimpinan.user_id,
                UserChange {
                    display_name: "p".into(),
                    role: Role::Pimpinan,
                    scope: pimpinan.scope.clone(),
                    disabled: true,
                },
            )
            .await
            .unwrap();
        assert!(
            s.session_user(&session.token).await.unwrap().is_none(),
            "{}",
            db.label
        );
        assert_eq!(
            s.login("pimpinan52", PASSWORD, "10.1.1.1", &policy)
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::Disabled
        );
        // An admin cannot lock themselves out.
        assert!(matches!(
            s.as_user(&admin)
                .update_user(
                    admin.user_id,
                    UserChange {
                        display_name: "a".into(),
                        role: Role::AdminProvinsi,
                        scope: admin.scope.clone(),
                        disabled: true,
                    }
                )
                .await,
            Err(StoreError::Refused(m)) if m.key == "accounts.not_yourself"
        ));
    }
}

#[tokio::test]
async fn review_queues_follow_the_scope_and_verdicts_are_audited() {
    use sinergi_core::review::{Decision, ReviewPair};
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let lotim = w.principal("op5203").await;
        let pair = |l: &str, r: &str, p: f64| ReviewPair {
            line: 0,
            left_id: l.into(),
            right_id: r.into(),
            probability: p,
            weight: 0.5,
            fields: vec![("Siti".into(), "Siti A.".into(), 2.5)],
        };
        let pairs = vec![pair("a1", "b1", 0.6), pair("a2", "b2", 0.8)];
        let columns = vec!["nama".to_string()];
        // Outside the operator's kab/kota: refused.
        assert!(matches!(
            s.as_user(&lotim)
                .create_review_queue(w.orgs[0], &code("52.02"), "x", &columns, &pairs)
                .await,
            Err(StoreError::Forbidden)
        ));
        let q = s
            .as_user(&lotim)
            .create_review_queue(
                w.orgs[0],
                &code("52.03"),
                "Tinjauan Mitra A",
                &columns,
                &pairs,
            )
            .await
            .unwrap();
        for (who, sees) in [
            ("op5203", true),
            ("admin52", true),
            ("pimpinan52", true),
            ("mitra.a", true),
            ("mitra.b", false),
            ("op5202", false),
            ("lks", false),
            ("admin33", false),
        ] {
            let p = w.principal(who).await;
            let listed = s
                .as_user(&p)
                .review_queues()
                .await
                .unwrap()
                .iter()
                .any(|x| x.id == q);
            assert_eq!(listed, sees, "{}: {who} list", db.label);
            let page = s
                .as_user(&p)
                .review_pairs(q, false, Page::new(None, None, 20))
                .await
                .unwrap();
            assert_eq!(page.is_some(), sees, "{}: {who} pairs", db.label);
            let decided = s
                .as_user(&p)
                .decide_review_pair(q, 1, Decision::Reject)
                .await;
            match (sees, who.starts_with("pimpinan")) {
                (_, true) => assert!(matches!(decided, Err(StoreError::Forbidden))),
                (true, false) => assert!(decided.unwrap()),
                (false, false) => assert!(!decided.unwrap(), "{who} decided outside scope"),
            }
        }
        // Highest probability first; verdicts exported for the next run.
        let page = s
            .as_user(&lotim)
            .review_pairs(q, false, Page::new(None, None, 20))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(page.items[0].pair.left_id, "a2");
        assert!(
            s.as_user(&lotim)
                .decide_review_pair(q, 2, Decision::Accept)
                .await
                .unwrap()
        );
        let open = s
            .as_user(&lotim)
            .review_pairs(q, true, Page::new(None, None, 20))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(open.total, 0);
        let decisions = s
            .as_user(&lotim)
            .review_decisions(q)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            decisions,
            vec![
                ("a1".to_string(), "b1".to_string(), Decision::Reject),
                ("a2".to_string(), "b2".to_string(), Decision::Accept)
            ]
        );
        let admin = w.principal("admin52").await;
        let audit = s
            .as_user(&admin)
            .audit_entries(
                &AuditQuery {
                    action: Some("review.decide".into()),
                    ..Default::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(audit.total, 4, "{}", db.label);

        // Identifiers in a queue are sealed at rest, masked when read, revealed only by roles
        // that may reveal, each reveal audited.
        let nik_left = "5203054507900001";
        let nik_right = "5203051203850020";
        let with_nik = vec![ReviewPair {
            fields: vec![
                ("Siti".into(), "Siti A.".into(), 2.5),
                (nik_left.into(), nik_right.into(), -1.5),
                // A NIK-like value in a column of another name is sealed all the same.
                ("1234567890123456".into(), "x".into(), 0.0),
            ],
            ..pair("c1", "d1", 0.7)
        }];
        let columns = vec!["nama".to_string(), "nik".to_string(), "catatan".to_string()];
        let q2 = s
            .as_user(&lotim)
            .create_review_queue(w.orgs[0], &code("52.03"), "NIK", &columns, &with_nik)
            .await
            .unwrap();
        let cast = match db.label {
            "sqlite" => "CAST(fields_json AS BLOB)",
            _ => "convert_to(fields_json, 'UTF8')",
        };
        let stored = db
            .raw(&format!(
                "SELECT {cast} FROM review_pair WHERE queue_id = {q2}"
            ))
            .await;
        let stored = String::from_utf8(stored[0].clone().expect("stored")).unwrap();
        for plain in [nik_left, nik_right, "1234567890123456"] {
            assert!(
                !stored.contains(plain),
                "{}: plain {plain} stored",
                db.label
            );
        }
        assert!(stored.contains("Siti A."), "other values stay readable");
        let board = w.principal("pimpinan52").await;
        let shown = s
            .as_user(&board)
            .review_pairs(q2, false, Page::new(None, None, 20))
            .await
            .unwrap()
            .unwrap();
        let fields = &shown.items[0].pair.fields;
        assert_eq!(fields[1].0, "5203********0001");
        assert_eq!(fields[1].1, "5203********0020");
        assert_eq!(fields[2].0, "1234********3456");
        assert_eq!(fields[0].1, "Siti A.");
        assert_eq!(
            shown.items[0].identifiers,
            vec![[false, false], [true, true], [true, false]]
        );
        assert!(matches!(
            s.as_user(&board).reveal_review_value(q2, 1, 1, false).await,
            Err(StoreError::Forbidden)
        ));
        let mitra_b = w.principal("mitra.b").await;
        assert_eq!(
            s.as_user(&mitra_b)
                .reveal_review_value(q2, 1, 1, false)
                .await
                .unwrap(),
            None,
            "{}: revealed outside scope",
            db.label
        );
        assert_eq!(
            s.as_user(&lotim)
                .reveal_review_value(q2, 1, 1, true)
                .await
                .unwrap()
                .as_deref(),
            Some(nik_right)
        );
        assert_eq!(
            s.as_user(&lotim)
                .reveal_review_value(q2, 1, 0, false)
                .await
                .unwrap(),
            None,
            "a name is not an identifier"
        );
        let reveals = s
            .as_user(&admin)
            .audit_entries(
                &AuditQuery {
                    action: Some("review.reveal".into()),
                    ..Default::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(reveals.total, 1, "{}", db.label);
        assert!(
            !reveals.items[0]
                .after
                .as_deref()
                .unwrap_or("")
                .contains(nik_right),
            "the audit entry holds no NIK"
        );
    }
}

/// Issue 17: someone who can write the database but lacks the key rewrites an entry and
/// recomputes the plain SHA-256 chain (and the head) after it: the keyed chain reports it.
/// A head recorded earlier is found in an intact chain and lost from a cut one.
#[tokio::test]
async fn a_forged_chain_without_the_key_is_detected() {
    use sinergi_core::audit::{AuditEntry, ChainBreak};
    for db in TestDb::all().await {
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        s.as_user(&admin)
            .reveal(w.who("A1").id, Identifier::Nik)
            .await
            .unwrap();
        let report = s.verify_audit_chain().await.unwrap();
        assert!(
            report.broken.is_none() && !report.head_mismatch,
            "{report:?}"
        );
        let (head_seq, head_hash) = s.audit_head().await.unwrap();
        assert_eq!(head_seq, report.head_seq);
        assert_eq!(
            s.audit_entry_with_hash(&head_hash).await.unwrap(),
            Some(head_seq)
        );
        // Every entry, oldest first, as the chain hashes it.
        let mut entries: Vec<AuditEntry> = s
            .as_system("uji")
            .audit_entries(&AuditQuery::default(), Page::new(None, Some(500), 500))
            .await
            .unwrap()
            .items;
        entries.reverse();
        assert_eq!(entries.len() as i64, head_seq);
        let target = entries
            .iter()
            .position(|e| e.action == "person.reveal")
            .expect("the reveal is logged");
        match db.label {
            "sqlite" => {
                db.raw("DROP TRIGGER audit_log_no_update").await;
            }
            _ => {
                db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                    .await;
            }
        }
        // Rewrite the reveal as someone else's view and rebuild the plain chain from there.
        entries[target].actor_name = "orang-lain".into();
        entries[target].action = "person.view".into();
        let mut previous = if target == 0 {
            sinergi_core::audit::GENESIS_HASH.to_string()
        } else {
            db.raw(&format!(
                "SELECT {} FROM audit_log WHERE seq = {}",
                match db.label {
                    "sqlite" => "CAST(hash AS BLOB)",
                    _ => "convert_to(hash, 'UTF8')",
                },
                entries[target].seq - 1
            ))
            .await[0]
                .clone()
                .map(|b| String::from_utf8(b).unwrap())
                .unwrap()
        };
        for e in &entries[target..] {
            let hash = e.chain_hash(&previous);
            db.raw(&format!(
                "UPDATE audit_log SET actor_name = '{}', action = '{}', prev_hash = '{previous}', hash = '{hash}' WHERE seq = {}",
                e.actor_name, e.action, e.seq
            ))
            .await;
            previous = hash;
        }
        db.raw(&format!(
            "UPDATE audit_head SET hash = '{previous}' WHERE id = 1"
        ))
        .await;
        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!(
            report.broken,
            Some(ChainBreak::Altered {
                seq: entries[target].seq
            }),
            "{}: forged plain chain passed",
            db.label
        );
        // The head recorded before the forgery is no longer in the chain.
        assert_eq!(s.audit_entry_with_hash(&head_hash).await.unwrap(), None);
        // Moving the switch point (to pass the forged entries off as old plain ones) is
        // detected too: its tag needs the key.
        db.raw(&format!(
            "UPDATE app_setting SET value = '{}:{}' WHERE key = 'audit_keyed_from'",
            head_seq + 1,
            "0".repeat(64)
        ))
        .await;
        let report = s.verify_audit_chain().await.unwrap();
        assert!(report.broken.is_some(), "{}: moved switch point", db.label);
        db.raw("DELETE FROM app_setting WHERE key = 'audit_keyed_from'")
            .await;
        let report = s.verify_audit_chain().await.unwrap();
        assert!(
            report.broken.is_some(),
            "{}: removed switch point",
            db.label
        );
    }
}
