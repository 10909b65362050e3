//! `sinergi registri impor`: the institution registries through the same import use case as
//! the web page and the API, with every refused row named by line, column and reason.

use std::process::{Command, Stdio};

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

fn run(db: &str, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .args(["--database", db])
        .env_remove("DATABASE_URL")
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

#[test]
fn registry_import_creates_updates_and_names_refused_rows() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("sinergi.db").display().to_string();
    let lks = dir.path().join("lks.csv");
    std::fs::write(
        &lks,
        "kode_lks,nama,kode_wilayah,layanan_ppks,kapasitas,telepon\n\
         LKS-C1,Panti Werdha Uji CLI,52.03.05.2003,LUT,20,0370 123456\n\
         LKS-C2,LKS Tanpa Wilayah,52.09.99.2099,LUT,10,\n\
         LKS-C3,LKS Telepon Salah,52.03.05.2003,LUT,5,abc\n",
    )
    .unwrap();
    let lks = lks.display().to_string();
    let first = run(&db, &["registri", "impor", "lks", &lks]);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert!(
        first.stdout.contains("1 baru, 0 diperbarui, 2 ditolak"),
        "{first:?}"
    );
    assert!(
        first.stderr.contains(
            "baris 3, kolom kode_wilayah: kode 52.09.99.2099 tidak ada dalam daftar wilayah"
        ),
        "{first:?}"
    );
    assert!(
        first
            .stderr
            .contains("baris 4, kolom telepon: \"abc\" bukan nomor telepon"),
        "{first:?}"
    );
    // The same key again updates, never duplicates.
    let again = run(&db, &["registri", "impor", "lks", &lks]);
    assert!(
        again.stdout.contains("0 baru, 1 diperbarui, 2 ditolak"),
        "{again:?}"
    );

    let partners = dir.path().join("mitra.csv");
    std::fs::write(
        &partners,
        "kode_mitra,nama,kode_wilayah,peran\nM-C1,PT Uji CLI,52,dunia usaha\nM-C2,Mitra Tanpa Peran,52,\n",
    )
    .unwrap();
    let r = run(
        &db,
        &[
            "registri",
            "impor",
            "mitra",
            &partners.display().to_string(),
        ],
    );
    assert!(
        r.stdout.contains("1 baru, 0 diperbarui, 1 ditolak"),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("baris 3, kolom peran: wajib diisi"),
        "{r:?}"
    );

    // A file without the required columns is refused whole; an unknown registry too.
    let lkks = dir.path().join("lkks.csv");
    std::fs::write(&lkks, "nama,status\nLKKS X,aktif\n").unwrap();
    let r = run(
        &db,
        &["registri", "impor", "lkks", &lkks.display().to_string()],
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.starts_with("galat: berkas ditolak"), "{r:?}");
    assert!(r.stderr.contains("kode_wilayah"), "{r:?}");
    let r = run(&db, &["registri", "impor", "panti", &lks]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("registri \"panti\" tidak dikenal; pilih lks, lkks atau mitra"),
        "{r:?}"
    );
    // --sebagai names a user whose scope applies; an unknown one is refused.
    let r = run(
        &db,
        &["registri", "impor", "lks", &lks, "--sebagai", "tidak-ada"],
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("--sebagai"), "{r:?}");
}
