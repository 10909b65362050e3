//! `kill -9` during a large person-list import, on SQLite and PostgreSQL, with another
//! writer storing small lists beside it: afterwards the database opens, `audit verify`
//! passes, no half-imported list is visible and every acknowledged write is there.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sinergi_core::PersonInput;
use sinergi_store::{NewPersonList, PiiKey};

use sinergi_testkit::TestDb;
use sinergi_testkit::world::{basis, build, code};

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

/// Enough rows that the import is still running when it is killed at 4 s (a debug build
/// now stores 150,000 rows in under 4 s; the test fails loudly if the list gets too small).
const BIG_ROWS: usize = 600_000;

fn big_list(dir: &std::path::Path) -> String {
    let path = dir.join("besar.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "nama,nik,jenis_kelamin,kode_desa").unwrap();
    for i in 0..BIG_ROWS {
        let desa = if i % 2 == 0 { "2003" } else { "2004" };
        // A distinct women's NIK of kecamatan 52.03.05 (day + 40); a list needs a nik column.
        let (day, month) = (41 + i % 28, 1 + (i / 28) % 12);
        let (year, serial) = ((i / 336) % 100, 1 + i / 33_600);
        let nik = format!("520305{day:02}{month:02}{year:02}{serial:04}");
        writeln!(f, "Warga Besar {i},{nik},P,52.03.05.{desa}").unwrap();
    }
    f.flush().unwrap();
    path.display().to_string()
}

fn sinergi(args: &[&str], key: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("SINERGI_KUNCI", key)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Small lists stored one by one through the store until `stop`; returns the ids of the
/// ones whose commit was acknowledged, and how many attempts were refused (a busy database
/// may refuse; only acknowledged writes must survive).
fn small_writes(
    db_target: sinergi_store::DatabaseTarget,
    key: String,
    stop: Arc<AtomicBool>,
) -> (Vec<i64>, u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = sinergi_store::Store::open(db_target)
            .await
            .unwrap()
            .with_key(PiiKey::parse(&key).unwrap())
            .await
            .unwrap();
        let op = store
            .principal_by_username("op5203")
            .await
            .unwrap()
            .unwrap();
        let (mut acknowledged, mut refused) = (Vec::new(), 0);
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let list = NewPersonList {
                organisation_id: op.scope.organisation.unwrap_or(1),
                name: format!("kecil {n}"),
                legal_basis: basis(),
                reference: "PKS 1/2025".into(),
                source_file: None,
                content_hash: None,
                replaces: None,
            };
            let row = PersonInput {
                line: 2,
                name: format!("Kecil {n}"),
                sex: None,
                birth_date: None,
                nik: None,
                kk: None,
                region: code("52.03.05.2003"),
                extra: Default::default(),
            };
            match store
                .as_user(&op)
                .import_person_list(&list, &[row], &|_| {})
                .await
            {
                Ok(Ok(stored)) => acknowledged.push(stored.list_id),
                _ => refused += 1,
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
        (acknowledged, refused)
    })
}

/// Every list's (id, name, stated row count, rows actually stored), read with plain SQL
/// (as bytes: the test kit's raw reader returns one bytes column).
async fn lists(db: &TestDb) -> Vec<(i64, String, i64, i64)> {
    let line = "l.id || '|' || l.row_count || '|' || \
                (SELECT COUNT(*) FROM person_record r WHERE r.list_id = l.id) || '|' || l.name";
    let sql = match db.target {
        sinergi_store::DatabaseTarget::Sqlite(_) => {
            format!("SELECT CAST({line} AS BLOB) FROM person_list l ORDER BY l.id")
        }
        sinergi_store::DatabaseTarget::Postgres(_) => {
            format!("SELECT convert_to({line}, 'UTF8') FROM person_list l ORDER BY l.id")
        }
    };
    db.raw(&sql)
        .await
        .into_iter()
        .map(|b| {
            let text = String::from_utf8(b.expect("a list line")).unwrap();
            let mut parts = text.splitn(4, '|');
            let mut number = || parts.next().unwrap().parse::<i64>().unwrap();
            let (id, stated, stored) = (number(), number(), number());
            (id, stated, stored, parts.next().unwrap().to_string())
        })
        .map(|(id, stated, stored, name)| (id, name, stated, stored))
        .collect()
}

#[test]
fn kill_9_during_a_large_import_loses_nothing_acknowledged_and_leaves_no_half_list() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in rt.block_on(TestDb::all()) {
        let label = db.label;
        let world = rt.block_on(build(&db));
        let key = world.key_text.clone();
        rt.block_on(world.store.close());
        drop(world);
        let dir = tempfile::tempdir().unwrap();
        let file = big_list(dir.path());
        let arg = db.arg();
        for delay_ms in [1_500u64, 4_000] {
            let stop = Arc::new(AtomicBool::new(false));
            let writer = {
                let (target, key, stop) = (db.target.clone(), key.clone(), stop.clone());
                std::thread::spawn(move || small_writes(target, key, stop))
            };
            let mut import = sinergi(
                &[
                    "daftar",
                    "impor",
                    &file,
                    "--sebagai",
                    "op5203",
                    "--organisasi",
                    "Mitra A",
                    "--dasar-hukum",
                    "tugas-publik",
                    "--rujukan",
                    "PKS 9/2025",
                    "--database",
                    &arg,
                ],
                &key,
            )
            .spawn()
            .unwrap();
            let started = Instant::now();
            while started.elapsed() < Duration::from_millis(delay_ms) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let still_running = import.try_wait().unwrap().is_none();
            // SIGKILL: no destructor, no rollback, no flush.
            import.kill().unwrap();
            let status = import.wait().unwrap();
            stop.store(true, Ordering::SeqCst);
            let (acknowledged, refused) = writer.join().unwrap();
            assert!(
                still_running,
                "{label}: the import finished within {delay_ms} ms; the test needs a bigger list"
            );
            assert!(status.code().is_none(), "{label}: killed by a signal");
            // The database opens and the audit chain verifies.
            let verify = sinergi(&["audit", "verify", "--database", &arg], &key)
                .output()
                .unwrap();
            assert!(
                verify.status.success(),
                "{label}: audit verify after kill -9 at {delay_ms} ms: {}{}",
                String::from_utf8_lossy(&verify.stdout),
                String::from_utf8_lossy(&verify.stderr)
            );
            let seen = rt.block_on(lists(&db));
            for (id, name, stated, stored) in &seen {
                assert_eq!(
                    stated, stored,
                    "{label}: list {id} {name:?} says {stated} rows but holds {stored}"
                );
            }
            // The big list is either whole or absent: no part of it is visible (the
            // fixture's lists hold at most 3 rows, the concurrent ones 1).
            assert!(
                !seen
                    .iter()
                    .any(|(_, _, _, stored)| *stored > 3 && (*stored as usize) < BIG_ROWS),
                "{label}: a half-imported list is visible: {seen:?}"
            );
            for id in &acknowledged {
                let found = seen.iter().find(|(l, ..)| l == id);
                assert!(
                    matches!(found, Some((_, _, 1, 1))),
                    "{label}: acknowledged list {id} lost after kill -9: {found:?}"
                );
            }
            eprintln!(
                "{label}: killed at {delay_ms} ms; {} concurrent writes acknowledged, {refused} refused",
                acknowledged.len()
            );
        }
        // And the database takes the whole import afterwards.
        let done = sinergi(
            &[
                "daftar",
                "impor",
                &file,
                "--sebagai",
                "op5203",
                "--organisasi",
                "Mitra A",
                "--dasar-hukum",
                "tugas-publik",
                "--rujukan",
                "PKS 9/2025",
                "--database",
                &arg,
            ],
            &key,
        )
        .output()
        .unwrap();
        assert!(
            done.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
}
