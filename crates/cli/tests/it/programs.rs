//! `sinergi program impor`: a 4W sheet imported under a user's scope through the same use
//! case as the upload page; good programs stored, bad rows reported by line and column, a
//! second import updates instead of duplicating, and the scope is kept.

use std::process::{Command, Stdio};

use sinergi_store::ProgramFilter;
use sinergi_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the binary with the world's personal-data key, as an operator's shell would have it
/// (the audit chain is keyed with it).
fn run(args: &[&str], key: &str) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("SINERGI_KUNCI", key)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run sinergi");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const SHEET: &str = "kode_program,nama_program,sektor,jenis_bantuan,mulai,selesai,desil,kabupaten_kota,kecamatan,desa,sasaran_lokasi\n\
    B-1,Paket Sembako,perlindungan sosial,barang,2025-03-01,2025-09-30,1-2,Lombok Timur,Masbagik,Masbagik Selatan,40\n\
    B-2,Beasiswa,pendidikan,beasiswa,2025-01-01,2025-12-31,,Lombok,,,10\n";

fn programs_seen(db: &TestDb, user: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = db.open().await;
        let p = store.principal_by_username(user).await.unwrap().unwrap();
        let mut codes: Vec<String> = store
            .as_user(&p)
            .programs_all(&ProgramFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|p| format!("{}:{}", p.organisation_name, p.input.code))
            .collect();
        codes.sort();
        store.close().await;
        codes
    })
}

#[test]
fn a_4w_sheet_is_imported_under_the_users_scope_and_bad_rows_are_named() {
    let db = TestDb::sqlite();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(sinergi_testkit::world::build(&db));
    rt.block_on(world.store.close());
    let key = world.key_text.clone();
    drop(world);
    let arg = db.arg();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let sheet = file("4w.csv", SHEET);
    let import = |path: &str, user: &str, extra: &[&str]| {
        let mut args = vec!["program", "impor", path, "--sebagai", user];
        args.extend_from_slice(extra);
        args.extend(["--database", arg.as_str()]);
        run(&args, &key)
    };

    // Partner B: one program stored, the ambiguous place named by line and column.
    let r = import(&sheet, "mitra.b", &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("1 program baru"), "{r:?}");
    assert!(r.stdout.contains("1 baris ditolak"), "{r:?}");
    assert!(
        r.stderr.contains("baris 3, kabupaten_kota") && r.stderr.contains("tidak ditemukan"),
        "{r:?}"
    );
    assert_eq!(programs_seen(&db, "mitra.b"), ["Mitra B:B-1"]);

    // The same sheet again updates instead of duplicating.
    let r = import(&sheet, "mitra.b", &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("1 program diperbarui"), "{r:?}");
    assert_eq!(programs_seen(&db, "mitra.b"), ["Mitra B:B-1"]);

    // A partner may not file another organisation's programs: every row refused, exit 1.
    let other = file(
        "lain.csv",
        &SHEET
            .replacen("kode_program,", "mitra,kode_program,", 1)
            .replace("\nB-1,", "\nMitra A,B-1,")
            .replace("\nB-2,", "\nMitra B,B-2,"),
    );
    let r = import(&other, "mitra.b", &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("hanya boleh mengisi program"), "{r:?}");

    // An LKKS operator names the organisation for rows without one; without it, refused.
    let r = import(&sheet, "op5203", &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("nama organisasi pemilik program"),
        "{r:?}"
    );
    let r = import(&sheet, "op5203", &["--organisasi", "Mitra A"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("1 program baru"), "{r:?}");
    assert_eq!(programs_seen(&db, "mitra.a"), ["Mitra A:B-1"]);
    let r = import(&sheet, "op5203", &["--organisasi", "Tidak Ada"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("\"Tidak Ada\" tidak dikenal"), "{r:?}");

    // Someone who may not write, or nobody at all, is refused.
    let r = import(&sheet, "pimpinan52", &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let r = import(&sheet, "tidak.ada", &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("tidak.ada"), "{r:?}");
}
