//! The bulk path stores exactly what `import_person_list` stores, on both backends: the same
//! columns, identifiers that decrypt to the same values, the same keyed hashes and masks, the
//! same list row and the same audit event; and an interrupted load stores nothing.

use chrono::NaiveDate;
use sinergi_core::{AidReceived, Desil, Msg, Nik, NoKk, PersonExtra, PersonInput, Sex};
use sinergi_store::pii::PiiField;
use sinergi_store::{
    Actor, AuditQuery, BackendKind, BulkChunk, NewPersonList, Page, PersonFilter, Store,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{World, build, code};

fn rows() -> Vec<PersonInput> {
    let nik = |s: &str| Some(Nik::parse(s, None).unwrap().nik);
    let kk = |s: &str| Some(NoKk::parse(s, None).unwrap().no_kk);
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    vec![
        PersonInput {
            line: 2,
            name: "  Baiq Nurul Hidayah ".into(),
            sex: Some(Sex::Female),
            birth_date: date(1990, 7, 5),
            nik: nik("5203054507900001"),
            kk: kk("5203051201150003"),
            region: code("52.03.05.2003"),
            extra: PersonExtra {
                birthplace: Some(" Selong ".into()),
                address: Some("Jl. Pahlawan 3".into()),
                desil: Some(Desil::new(2).unwrap()),
                aid: Some(AidReceived {
                    program: Some("PKH".into()),
                    aid_type: Some("tunai".into()),
                    received_on: date(2025, 3, 1),
                    amount_rupiah: Some(750_000),
                }),
                warnings: vec![
                    Msg::new("intake.nik_sex_mismatch").arg("line", 2),
                    Msg::new("intake.nik_historical").arg("prefix", "52.03"),
                ],
            },
        },
        PersonInput {
            line: 3,
            // Characters COPY's text format must escape, and non-ASCII text.
            name: "Lalu\tAhmad \\ \"Jaya\"\nÉlodie Ñ".into(),
            sex: Some(Sex::Male),
            birth_date: None,
            nik: None,
            kk: kk("5203051201150003"),
            region: code("52.03.05.2004"),
            extra: Default::default(),
        },
        PersonInput {
            line: 7,
            name: "Siti Aminah".into(),
            sex: None,
            birth_date: date(2001, 1, 31),
            nik: nik("5203054101010002"),
            kk: None,
            region: code("52.03.05.2003"),
            extra: PersonExtra {
                warnings: vec![Msg::new("intake.nik_repeated").arg("other", 2)],
                ..PersonExtra::default()
            },
        },
        PersonInput {
            line: 9,
            name: "Muhammad Zain".into(),
            sex: None,
            birth_date: None,
            nik: None,
            kk: None,
            region: code("52.02.01.2001"),
            extra: Default::default(),
        },
    ]
}

fn list(w: &World, name: &str) -> NewPersonList {
    NewPersonList {
        organisation_id: w.orgs[0],
        name: name.into(),
        legal_basis: sinergi_testkit::world::basis(),
        reference: " PKS 7/2025 ".into(),
        source_file: Some("penerima.csv".into()),
        content_hash: None,
        replaces: None,
    }
}

async fn bulk(
    store: &Store,
    actor: Actor,
    list: &NewPersonList,
    rows: &[PersonInput],
    finish: bool,
) -> Result<sinergi_store::ImportedList, sinergi_store::StoreError> {
    let sealer = store.person_sealer().unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    // Two chunks, so the path is exercised across chunk boundaries.
    let (a, b) = rows.split_at(1);
    tx.send(BulkChunk::Rows(sealer.prepare(a))).await.unwrap();
    tx.send(BulkChunk::Rows(sealer.prepare(b))).await.unwrap();
    if finish {
        tx.send(BulkChunk::Done).await.unwrap();
    }
    drop(tx);
    store.bulk_person_list(actor, list, rx).await
}

/// One column of a list's records (or of a table row), as bytes, in source-line order.
async fn column(db: &TestDb, kind: BackendKind, sql_col: &str, from: &str) -> Vec<Option<Vec<u8>>> {
    let expr = match (kind, sql_col) {
        (_, c) if c.ends_with("_hash") || c.ends_with("_cipher") => c.to_string(),
        (BackendKind::Sqlite, c) => format!("CAST({c} AS BLOB)"),
        (BackendKind::Postgres, c) => format!("convert_to(CAST({c} AS TEXT), 'UTF8')"),
    };
    db.raw(&format!("SELECT {expr} {from}")).await
}

#[tokio::test]
async fn bulk_path_stores_exactly_what_the_row_path_stores() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let rows = rows();
        let by_row = w
            .store
            .as_user(&admin)
            .import_person_list(&list(&w, "daftar"), &rows, &|_| {})
            .await
            .unwrap()
            .unwrap();
        let by_bulk = bulk(&w.store, (&admin).into(), &list(&w, "daftar"), &rows, true)
            .await
            .unwrap();
        assert_eq!((by_row.stored, by_bulk.stored), (4, 4), "{l}");
        assert_ne!(by_row.list_id, by_bulk.list_id, "{l}");

        let kind = w.store.kind();
        let records =
            |id: i64| format!("FROM person_record WHERE list_id = {id} ORDER BY source_line");
        for col in [
            "organisation_id",
            "region_code",
            "name",
            "name_key",
            "sex",
            "birth_date",
            "nik_hash",
            "nik_masked",
            "kk_hash",
            "kk_masked",
            "source_line",
            "birthplace",
            "desil",
        ] {
            let a = column(&db, kind, col, &records(by_row.list_id)).await;
            let b = column(&db, kind, col, &records(by_bulk.list_id)).await;
            assert_eq!(a.len(), 4, "{l} {col}");
            assert_eq!(a, b, "{l}: column {col} differs between the two paths");
        }
        // Names keep their tab, backslash, quote and newline through COPY's text format.
        let names = column(&db, kind, "name", &records(by_bulk.list_id)).await;
        assert_eq!(
            names[1].as_deref(),
            Some("Lalu\tAhmad \\ \"Jaya\"\nÉlodie Ñ".as_bytes()),
            "{l}"
        );
        // Ciphertexts differ (fresh nonces) but open to the same identifiers.
        for (col, field) in [("nik_cipher", PiiField::Nik), ("kk_cipher", PiiField::Kk)] {
            let a = column(&db, kind, col, &records(by_row.list_id)).await;
            let b = column(&db, kind, col, &records(by_bulk.list_id)).await;
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                let open = |v: &Option<Vec<u8>>| v.as_ref().map(|c| w.key.open(field, c).unwrap());
                let expected = match field {
                    PiiField::Nik => rows[i].nik.as_ref().map(|n| n.as_str().to_string()),
                    _ => rows[i].kk.as_ref().map(|k| k.as_str().to_string()),
                };
                assert_eq!(open(x), expected, "{l} {col} row {i}");
                assert_eq!(open(y), expected, "{l} {col} row {i}");
                if x.is_some() {
                    assert_ne!(x, y, "{l}: nonces are never reused");
                }
            }
        }
        // Details, warnings and distributions: the same on both paths, the address sealed.
        assert_eq!(
            column(&db, kind, "birthplace", &records(by_row.list_id)).await[0].as_deref(),
            Some("Selong".as_bytes()),
            "{l}"
        );
        for rec in [by_row.list_id, by_bulk.list_id] {
            let sealed = column(&db, kind, "address_cipher", &records(rec)).await;
            assert_eq!(
                w.key
                    .open(PiiField::Address, sealed[0].as_ref().unwrap())
                    .unwrap(),
                "Jl. Pahlawan 3",
                "{l}"
            );
        }
        let warnings =
            |id: i64| format!("FROM person_warning WHERE list_id = {id} ORDER BY source_line, id");
        let dists = |id: i64| format!("FROM distribution WHERE list_id = {id} ORDER BY id");
        for (col, from) in [
            ("source_line", &warnings as &dyn Fn(i64) -> String),
            ("message", &warnings),
            ("program", &dists),
            ("aid_type", &dists),
            ("received_on", &dists),
            ("amount_rupiah", &dists),
            ("source_line", &dists),
            ("region_code", &dists),
            ("nik_hash", &dists),
        ] {
            let a = column(&db, kind, col, &from(by_row.list_id)).await;
            let b = column(&db, kind, col, &from(by_bulk.list_id)).await;
            assert!(!a.is_empty(), "{l}: {col} stored");
            assert_eq!(a, b, "{l}: {col} differs between the two paths");
        }
        assert_eq!(
            column(&db, kind, "message", &warnings(by_row.list_id))
                .await
                .len(),
            3
        );
        // Each distribution points at its person row.
        for id in [by_row.list_id, by_bulk.list_id] {
            let linked: Vec<Option<Vec<u8>>> = db
                .raw(&format!(
                    "SELECT CAST(CASE WHEN d.person_id = r.id THEN 'ja' ELSE 'nee' END AS {}) \
                     FROM distribution d JOIN person_record r ON r.list_id = d.list_id \
                     AND r.source_line = d.source_line WHERE d.list_id = {id}",
                    if kind == BackendKind::Sqlite {
                        "BLOB"
                    } else {
                        "BYTEA"
                    }
                ))
                .await;
            assert_eq!(linked, vec![Some(b"ja".to_vec())], "{l}");
        }
        let lists = |id: i64| format!("FROM person_list WHERE id = {id}");
        for col in [
            "organisation_id",
            "legal_basis",
            "consent_reference",
            "source_file",
            "created_by",
            "row_count",
            "warning_count",
        ] {
            let a = column(&db, kind, col, &lists(by_row.list_id)).await;
            let b = column(&db, kind, col, &lists(by_bulk.list_id)).await;
            assert_eq!(a, b, "{l}: person_list.{col} differs");
        }
        assert_eq!(
            column(&db, kind, "row_count", &lists(by_bulk.list_id)).await,
            vec![Some(b"4".to_vec())],
            "{l}"
        );

        // The same audit event, one per list.
        let events = w
            .store
            .as_user(&admin)
            .audit_entries(
                &AuditQuery {
                    action: Some("person_list.import".into()),
                    ..AuditQuery::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap()
            .items;
        let of = |id: i64| {
            events
                .iter()
                .find(|e| e.entity_id.as_deref() == Some(&id.to_string()))
                .unwrap_or_else(|| panic!("{l}: no audit event for list {id}"))
        };
        let (a, b) = (of(by_row.list_id), of(by_bulk.list_id));
        assert_eq!(
            (&a.actor_id, &a.actor_name, &a.entity, &a.region, &a.after),
            (&b.actor_id, &b.actor_name, &b.entity, &b.region, &b.after),
            "{l}"
        );
        assert!(a.after.as_deref().unwrap().contains("\"baris\":4"), "{l}");

        // The scoped read path shows both lists alike, and finds both by NIK.
        let shown = |list_id| PersonFilter {
            list_id: Some(list_id),
            ..PersonFilter::default()
        };
        let strip = |rows: Vec<sinergi_store::PersonRow>| {
            rows.into_iter()
                .map(|r| {
                    (
                        r.region,
                        r.name,
                        r.sex,
                        r.birth_date,
                        r.nik_masked,
                        r.kk_masked,
                    )
                })
                .collect::<Vec<_>>()
        };
        let a = w
            .store
            .as_user(&admin)
            .export_persons(&shown(by_row.list_id))
            .await
            .unwrap();
        let b = w
            .store
            .as_user(&admin)
            .export_persons(&shown(by_bulk.list_id))
            .await
            .unwrap();
        assert_eq!(strip(a), strip(b), "{l}");
        let by_nik = w
            .store
            .as_user(&admin)
            .persons(
                &PersonFilter {
                    query: Some("5203054507900001".into()),
                    ..PersonFilter::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        let found: Vec<i64> = by_nik.items.iter().map(|r| r.list_id).collect();
        assert!(
            found.contains(&by_row.list_id) && found.contains(&by_bulk.list_id),
            "{l}"
        );
        assert!(
            w.store.verify_audit_chain().await.unwrap().broken.is_none(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn an_interrupted_or_unfounded_bulk_load_stores_nothing() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let kind = w.store.kind();
        let counts = || async {
            (
                column(&db, kind, "COUNT(*)", "FROM person_list").await,
                column(&db, kind, "COUNT(*)", "FROM person_record").await,
            )
        };
        let before = counts().await;
        assert_eq!(
            before.1,
            vec![Some(b"7".to_vec())],
            "{l}: the fixture's seven people"
        );
        let err = bulk(
            &w.store,
            Actor::system("uji"),
            &list(&w, "putus"),
            &rows(),
            false,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, sinergi_store::StoreError::Refused(m) if m.key == "lists.load_interrupted"),
            "{l}: {err}"
        );
        let mut unfounded = list(&w, "tanpa dasar");
        unfounded.legal_basis = None;
        let err = bulk(&w.store, Actor::system("uji"), &unfounded, &rows(), true)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, sinergi_store::StoreError::Refused(m) if m.key == "lists.basis_missing"),
            "{l}: {err}"
        );
        let mut no_reference = list(&w, "tanpa rujukan");
        no_reference.reference = "  ".into();
        assert!(
            bulk(&w.store, Actor::system("uji"), &no_reference, &rows(), true)
                .await
                .is_err(),
            "{l}"
        );
        assert_eq!(counts().await, before, "{l}");
    }
}
