//! Issue 16: a list keeps what its rows say and is never stored twice silently; jobs survive
//! a restart as "failed", never as "running". On both backends.

use sinergi_core::{AidReceived, Msg, PersonExtra, PersonInput, Viewer};
use sinergi_store::{DistributionFilter, JobState, NewPersonList, Page, StoreError};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{World, build, code};

fn row(line: u64, region: &str, program: Option<&str>, warning: bool) -> PersonInput {
    PersonInput {
        line,
        name: format!("Orang {line}"),
        sex: None,
        birth_date: None,
        nik: None,
        kk: None,
        region: code(region),
        extra: PersonExtra {
            aid: program.map(|p| AidReceived {
                program: Some(p.into()),
                amount_rupiah: Some(300_000),
                ..AidReceived::default()
            }),
            warnings: if warning {
                vec![Msg::new("intake.nik_repeated").arg("other", line - 1)]
            } else {
                Vec::new()
            },
            ..PersonExtra::default()
        },
    }
}

fn list(w: &World, hash: &str, replaces: Option<i64>) -> NewPersonList {
    NewPersonList {
        organisation_id: w.orgs[0],
        name: format!("daftar {hash}"),
        legal_basis: sinergi_testkit::world::basis(),
        reference: "PKS 7/2025".into(),
        source_file: Some("penerima.csv".into()),
        content_hash: Some(hash.into()),
        replaces,
    }
}

#[tokio::test]
async fn same_file_refused_replace_retires_and_extras_read_back_in_scope() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let op = w.principal("op5203").await;
        let rows = vec![
            row(2, "52.03.05.2003", Some("PKH"), false),
            row(3, "52.03.05.2003", None, true),
            row(4, "52.03.05.2004", Some("BPNT"), true),
        ];
        let scoped = w.store.as_user(&op);
        let seen = std::sync::Mutex::new(Vec::new());
        let first = scoped
            .import_person_list(&list(&w, "aaa", None), &rows, &|n| {
                seen.lock().unwrap().push(n)
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![3], "{l}: progress heard");

        // The same bytes again: refused, naming the earlier import; nothing stored.
        let again = scoped
            .import_person_list(&list(&w, "aaa", None), &rows, &|_| {})
            .await;
        match again {
            Err(StoreError::Refused(m)) => {
                assert_eq!(m.key, "lists.same_file", "{l}");
                assert!(
                    m.to_string().contains(&format!("id={}", first.list_id)),
                    "{l}: {m}"
                );
            }
            other => panic!("{l}: {other:?}"),
        }
        let (_, refusal) = scoped
            .list_with_content(w.orgs[0], "aaa")
            .await
            .unwrap()
            .expect("found before reading");
        assert!(refusal.to_string().contains("daftar aaa"), "{l}");

        // Read back: the list, its warnings and distributions, within scope.
        let summary = scoped.person_list(first.list_id).await.unwrap().unwrap();
        assert_eq!(
            (
                summary.row_count,
                summary.warning_count,
                summary.distribution_count
            ),
            (3, 2, 2),
            "{l}"
        );
        let warnings = scoped
            .list_warnings(first.list_id, Page::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(warnings.total, 2, "{l}");
        assert_eq!(warnings.items[0].line, 3, "{l}");
        assert_eq!(
            warnings.items[0].message["key"], "intake.nik_repeated",
            "{l}"
        );
        let dists = scoped
            .distributions(
                &DistributionFilter {
                    list_id: Some(first.list_id),
                    person_id: None,
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(dists.total, 2, "{l}");
        assert_eq!(dists.items[0].program.as_deref(), Some("PKH"), "{l}");
        assert_eq!(dists.items[0].amount_rupiah, Some(300_000), "{l}");
        assert!(dists.items.iter().all(|d| d.person_id.is_some()), "{l}");
        // Another kab/kota's operator sees neither the list nor its distributions.
        let other = w.principal("op5202").await;
        let outside = w.store.as_user(&other);
        assert!(
            outside.person_list(first.list_id).await.unwrap().is_none(),
            "{l}"
        );
        let none = outside
            .distributions(&DistributionFilter::default(), Page::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(none.total, 0, "{l}");
        assert_eq!(
            outside
                .list_warnings(first.list_id, Page::new(None, None, 50))
                .await
                .unwrap()
                .total,
            0,
            "{l}"
        );

        // A corrected list replaces the first in one transaction.
        let corrected = vec![row(2, "52.03.05.2003", Some("PKH"), false)];
        let second = scoped
            .import_person_list(&list(&w, "bbb", Some(first.list_id)), &corrected, &|_| {})
            .await
            .unwrap()
            .unwrap();
        let old = scoped.person_list(first.list_id).await.unwrap().unwrap();
        assert_eq!(old.replaced_by, Some(second.list_id), "{l}");
        let all = scoped
            .distributions(&DistributionFilter::default(), Page::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(
            all.total, 1,
            "{l}: the replaced list's distributions are gone"
        );
        let left: Vec<Option<Vec<u8>>> = db
            .raw(&format!(
                "SELECT name FROM person_record WHERE list_id = {}",
                first.list_id
            ))
            .await;
        assert!(left.is_empty(), "{l}: the replaced list's rows are gone");
        // The first file is no longer blocked; replacing a list twice is refused.
        assert!(
            scoped
                .list_with_content(w.orgs[0], "aaa")
                .await
                .unwrap()
                .is_none()
        );
        let twice = scoped
            .import_person_list(&list(&w, "ccc", Some(first.list_id)), &corrected, &|_| {})
            .await;
        assert!(
            matches!(&twice, Err(StoreError::Refused(m)) if m.key == "lists.replace_unknown"),
            "{l}: {twice:?}"
        );
    }
}

#[tokio::test]
async fn jobs_left_running_by_a_stopped_process_are_marked_failed() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let op = w.principal("op5203").await;
        let viewer = Viewer::User(op.clone());
        let scoped = w.store.scoped(&viewer);
        let running = scoped.create_job("daftar.impor", "a.csv").await.unwrap();
        w.store.job_started(running).await.unwrap();
        let finished = scoped.create_job("daftar.impor", "b.csv").await.unwrap();
        w.store
            .job_finished(finished, Ok(serde_json::json!({"ok": 1})), (5, 5))
            .await
            .unwrap();
        // The public and another user do not see the job.
        assert!(
            w.store
                .scoped(Viewer::public())
                .job(running)
                .await
                .unwrap()
                .is_none()
        );
        let other = w.principal("op5202").await;
        assert!(
            w.store
                .as_user(&other)
                .job(running)
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );
        // A restart: the running one fails with the reason, the finished one is untouched.
        assert_eq!(w.store.fail_interrupted_jobs().await.unwrap(), 1, "{l}");
        let job = scoped.job(running).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Failed, "{l}");
        assert_eq!(job.error.unwrap()["key"], "jobs.interrupted", "{l}");
        let done = scoped.job(finished).await.unwrap().unwrap();
        assert_eq!((done.state, done.progress_done), (JobState::Done, 5), "{l}");
        assert_eq!(done.result.unwrap()["ok"], 1, "{l}");
    }
}
