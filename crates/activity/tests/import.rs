//! The person-list import streams its rows into the store in batches, inside one transaction:
//! a file refused after many rows, or with a row outside the scope near its end, stores
//! nothing; a repeated NIK warns on both its rows. Both backends.

use std::sync::Arc;

use sinergi_activity::jobs::Progress;
use sinergi_activity::lists::{PersonListOutcome, PersonListUpload, import_person_list};
use sinergi_core::Viewer;
use sinergi_store::{Page, PersonFilter};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{World, basis, build};

/// Several batches' worth of rows.
const ROWS: usize = 12_000;

/// A distinct valid NIK of kecamatan 52.03.05 for row `i` (no birth date or sex given, so
/// nothing to disagree with).
fn nik(i: usize) -> String {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = 80 + (i / 336) % 20;
    let serial = 1 + i / 6720;
    format!("520305{day:02}{month:02}{year:02}{serial:04}")
}

/// `ROWS` rows in Masbagik Selatan; `change(i, row)` alters row `i` (file line `i + 2`).
fn file(change: impl Fn(usize, String) -> String) -> Vec<u8> {
    let mut out = String::from("nama,nik,kode_desa\n");
    for i in 0..ROWS {
        let row = format!("Orang {i},{},52.03.05.2003", nik(i));
        out.push_str(&change(i, row));
        out.push('\n');
    }
    out.into_bytes()
}

fn upload(w: &World, name: &str, bytes: Vec<u8>) -> PersonListUpload {
    PersonListUpload {
        bytes,
        file_name: name.into(),
        organisation_id: w.orgs[0],
        name: None,
        legal_basis: basis(),
        reference: "PKS 1/2025".into(),
        replaces: None,
    }
}

async fn stored_persons(w: &World, viewer: &Viewer) -> usize {
    w.store
        .scoped(viewer)
        .export_persons(&PersonFilter::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn streamed_imports_store_all_or_nothing_and_warn_both_repeated_rows() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let viewer = Viewer::User(w.principal("op5203").await);
        let before = stored_persons(&w, &viewer).await;
        let import = |u: PersonListUpload| {
            let progress = Arc::new(Progress::default());
            let (store, viewer) = (w.store.clone(), viewer.clone());
            async move { import_person_list(&store, &viewer, u, progress).await }
        };

        // An unterminated quote on the last line refuses the file after 12,000 rows were read.
        let broken = file(|i, row| {
            if i == ROWS - 1 {
                format!("\"Orang {i},{},52.03.05.2003", nik(i))
            } else {
                row
            }
        });
        let outcome = import(upload(&w, "rusak.csv", broken)).await.unwrap();
        assert!(
            matches!(outcome, PersonListOutcome::Refused { .. }),
            "{outcome:?}"
        );
        assert_eq!(
            stored_persons(&w, &viewer).await,
            before,
            "nothing half-written"
        );

        // A row of Lombok Tengah (outside op5203's kabupaten) in the last batch.
        let outside = file(|i, row| {
            if i == ROWS - 10 {
                format!("Luar,{},52.02.01.2001", nik(i))
            } else {
                row
            }
        });
        let outcome = import(upload(&w, "luar.csv", outside)).await.unwrap();
        let PersonListOutcome::OutsideScope { rows } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [(ROWS - 10 + 2) as u64]
        );
        assert_eq!(
            stored_persons(&w, &viewer).await,
            before,
            "nothing half-written"
        );

        // Row 10,500 repeats the NIK of the first row (line 2), batches apart.
        let repeated = file(|i, row| {
            if i == 10_500 {
                format!("Orang lagi,{},52.03.05.2003", nik(0))
            } else {
                row
            }
        });
        let outcome = import(upload(&w, "ulang.csv", repeated)).await.unwrap();
        let PersonListOutcome::Stored {
            list_id,
            stored,
            rejected,
            warnings: warned,
            ..
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!((stored as usize, rejected.len()), (ROWS, 0));
        assert_eq!(stored_persons(&w, &viewer).await, before + ROWS);
        let warnings = w
            .store
            .scoped(&viewer)
            .list_warnings(list_id, Page::new(Some(1), Some(50), 50))
            .await
            .unwrap();
        let seen: Vec<(i64, String)> = warnings
            .items
            .iter()
            .map(|w| (w.line, w.message.to_string()))
            .collect();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].0, 2);
        assert!(
            seen[0].1.contains("intake.nik_repeated_later") && seen[0].1.contains("10502"),
            "{seen:?}"
        );
        assert_eq!(seen[1].0, 10_502);
        assert!(seen[1].1.contains("intake.nik_repeated\""), "{seen:?}");
        let list = w
            .store
            .scoped(&viewer)
            .person_list(list_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(list.warning_count, 2);
        assert_eq!(warned, 2, "the outcome counts the warnings kept");
    }
}
