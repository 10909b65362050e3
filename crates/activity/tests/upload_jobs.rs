//! Registries and 4W sheets are imported as background jobs, as person lists are: the job
//! ends with the import's report (created, updated, refused rows), is listed among the
//! uploads, reports its progress, and a job a stopped server left queued or running is
//! marked failed with a message at the next start. Refusals that need no reading come back
//! at once, without a job. Both backends.

use sinergi_activity::ActivityError;
use sinergi_activity::jobs::JobRunner;
use sinergi_activity::lists::{
    FOURW_UPLOAD, REGISTRY_UPLOAD, UploadEnd, recent_uploads, wait_for_upload,
};
use sinergi_activity::programs::{ProgramUpload, submit_programs};
use sinergi_activity::registries::{Registry, RegistryUpload, submit_registry};
use sinergi_core::Viewer;
use sinergi_store::JobState;
use sinergi_testkit::TestDb;
use sinergi_testkit::world::build;

const PARTNERS: &str = "kode_mitra,nama,kode_wilayah,peran\n\
    M-JOB1,PT Uji Tugas,52,dunia usaha\n\
    M-JOB2,Tanpa Peran,52,\n";

const SHEET: &str = "kode_program,nama_program,sektor,jenis_bantuan,mulai,selesai,kode_wilayah\n\
    J-1,Program Tugas,kesehatan,barang,2025-01-01,2025-12-31,52.03.05.2003\n\
    J-2,Program Astronomi,astronomi,barang,2025-01-01,2025-12-31,52.03.05.2003\n";

async fn report(
    runner: &JobRunner,
    viewer: &Viewer,
    id: i64,
) -> sinergi_activity::lists::ImportReport {
    match wait_for_upload(runner, viewer, id, |_| {}).await.unwrap() {
        UploadEnd::Report(r) => r,
        UploadEnd::Failed(e) => panic!("job {id} failed: {e}"),
    }
}

#[tokio::test]
async fn registry_and_fourw_imports_run_as_jobs_with_their_reports() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let runner = JobRunner::new(w.store.clone(), 1);
        let admin = Viewer::User(w.principal("admin52").await);

        // A partner registry: one row stored, one refused with its line and column.
        let job = submit_registry(
            &w.store,
            &runner,
            &admin,
            Registry::Partners,
            RegistryUpload {
                bytes: PARTNERS.as_bytes().to_vec(),
                file_name: "mitra.csv".into(),
            },
        )
        .await
        .unwrap();
        let r = report(&runner, &admin, job).await;
        assert_eq!(r.outcome, "stored", "{l}: {r:?}");
        assert_eq!((r.created, r.updated), (Some(1), Some(0)), "{l}: {r:?}");
        assert_eq!((r.stored, r.rejected_lines), (1, 1), "{l}: {r:?}");
        assert_eq!(r.rows[0].line, 3, "{l}");
        assert_eq!(r.rows[0].column.as_deref(), Some("peran"), "{l}");
        let done = runner.status(&admin, job).await.unwrap().unwrap();
        assert_eq!(done.state, JobState::Done, "{l}");
        assert_eq!(done.kind, REGISTRY_UPLOAD, "{l}");
        assert_eq!(done.label, "MITRA · mitra.csv", "{l}");
        assert_eq!(
            (done.progress_done, done.progress_total),
            (2, 2),
            "{l}: both rows read and handled"
        );
        assert!(
            w.store
                .organisation_by_name("PT Uji Tugas")
                .await
                .unwrap()
                .is_some(),
            "{l}: the partner is stored"
        );
        // The same file again updates, as the registries always did.
        let again = submit_registry(
            &w.store,
            &runner,
            &admin,
            Registry::Partners,
            RegistryUpload {
                bytes: PARTNERS.as_bytes().to_vec(),
                file_name: "mitra.csv".into(),
            },
        )
        .await
        .unwrap();
        let r = report(&runner, &admin, again).await;
        assert_eq!((r.created, r.updated), (Some(0), Some(1)), "{l}: {r:?}");

        // A file that is no table: a refused report naming why, nothing stored.
        let junk = submit_registry(
            &w.store,
            &runner,
            &admin,
            Registry::Lks,
            RegistryUpload {
                bytes: b"PK\x03\x04 not a workbook".to_vec(),
                file_name: "lks.xlsx".into(),
            },
        )
        .await
        .unwrap();
        let r = report(&runner, &admin, junk).await;
        assert_eq!((r.outcome.as_str(), r.stored), ("refused", 0), "{l}: {r:?}");
        assert_eq!(r.rows.len(), 1, "{l}: one reason for the file, {r:?}");

        // A partner's 4W sheet: the good program stored, the bad row listed.
        let partner = Viewer::User(w.principal("mitra.a").await);
        let job = submit_programs(
            &w.store,
            &runner,
            &partner,
            ProgramUpload {
                file_name: "4w.csv".into(),
                bytes: SHEET.as_bytes().to_vec(),
                organisation: None,
            },
        )
        .await
        .unwrap();
        let r = report(&runner, &partner, job).await;
        assert_eq!(r.outcome, "stored", "{l}: {r:?}");
        assert_eq!((r.created, r.updated), (Some(1), Some(0)), "{l}: {r:?}");
        assert_eq!((r.stored, r.rejected_lines), (1, 1), "{l}: {r:?}");
        assert_eq!(r.rows[0].column.as_deref(), Some("sektor"), "{l}: {r:?}");

        // Both are listed among the uploads, the partner seeing only its own.
        let today = chrono::Utc::now().date_naive();
        let theirs = recent_uploads(&w.store, &partner, today, false)
            .await
            .unwrap();
        assert_eq!(theirs.len(), 1, "{l}");
        assert_eq!(theirs[0].job.kind, FOURW_UPLOAD, "{l}");
        assert!(theirs[0].needs_correction(), "{l}: a row was refused");
        let all = recent_uploads(&w.store, &admin, today, false)
            .await
            .unwrap();
        assert_eq!(all.len(), 4, "{l}: three registry jobs and the 4W sheet");

        // Refused before any job: the public, and a read-only account.
        let before = recent_uploads(&w.store, &admin, today, false)
            .await
            .unwrap()
            .len();
        let public = submit_registry(
            &w.store,
            &runner,
            &Viewer::Public,
            Registry::Lks,
            RegistryUpload {
                bytes: PARTNERS.as_bytes().to_vec(),
                file_name: "x.csv".into(),
            },
        )
        .await;
        assert!(matches!(public, Err(ActivityError::Forbidden)), "{l}");
        let board = Viewer::User(w.principal("pimpinan52").await);
        let read_only = submit_programs(
            &w.store,
            &runner,
            &board,
            ProgramUpload {
                file_name: "4w.csv".into(),
                bytes: SHEET.as_bytes().to_vec(),
                organisation: None,
            },
        )
        .await;
        assert!(matches!(read_only, Err(ActivityError::Forbidden)), "{l}");
        let after = recent_uploads(&w.store, &admin, today, false)
            .await
            .unwrap()
            .len();
        assert_eq!(before, after, "{l}: no job for a refusal");
    }
}

#[tokio::test]
async fn jobs_left_by_a_stopped_server_are_failed_with_a_message() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = Viewer::User(w.principal("admin52").await);
        // What a server killed mid-import leaves: a queued registry job and a running 4W one.
        let queued = w
            .store
            .scoped(&admin)
            .create_job(REGISTRY_UPLOAD, "LKS · lks.csv")
            .await
            .unwrap();
        let running = w
            .store
            .scoped(&admin)
            .create_job(FOURW_UPLOAD, "4w.xlsx")
            .await
            .unwrap();
        w.store.job_started(running).await.unwrap();
        // The next server's runner, at start-up.
        let runner = JobRunner::new(w.store.clone(), 1);
        assert_eq!(runner.recover().await.unwrap(), 2, "{l}");
        for id in [queued, running] {
            let job = runner.status(&admin, id).await.unwrap().unwrap();
            assert_eq!(job.state, JobState::Failed, "{l}: job {id}");
            let error = job.error.expect("a message");
            assert_eq!(error["key"], "jobs.interrupted", "{l}: {error}");
            let end = wait_for_upload(&runner, &admin, id, |_| {}).await.unwrap();
            assert!(matches!(end, UploadEnd::Failed(_)), "{l}");
        }
    }
}
