//! Black-box tests of the `sinergi` binary: help and errors in Bahasa Indonesia, database
//! failures, region look-ups, region list imports (SQLite and PostgreSQL) and `serve`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sinergi_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

/// What one run of the binary did.
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

/// The binary with a clean environment: no DATABASE_URL, run in a scratch folder so a
/// forgotten `--database` can never touch ./sinergi.db of the workspace.
fn sinergi(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SINERGI_DEMO_SKALA")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    cmd
}

fn run(args: &[&str]) -> Run {
    let out = sinergi(args).output().expect("run sinergi");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs with `--database db` appended.
fn run_db(db: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--database", db]);
    run(&all)
}

fn ok(r: &Run) {
    assert_eq!(r.code, Some(0), "expected success:\n{r:?}");
}

/// Asserts the run failed with `code` and an Indonesian "galat:" message, and returns it.
fn failed(r: &Run, code: i32) -> &str {
    assert_eq!(r.code, Some(code), "expected exit {code}:\n{r:?}");
    assert!(r.stderr.starts_with("galat: "), "{r:?}");
    &r.stderr
}

/// A temporary folder holding a SQLite file into which the binary has loaded the regions.
struct Seeded {
    dir: tempfile::TempDir,
    db: String,
}

fn seeded() -> Seeded {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("sinergi.db").display().to_string();
    let r = run_db(&db, &["wilayah", "lihat", "52"]);
    ok(&r);
    assert!(r.stdout.contains("Nusa Tenggara Barat"), "{r:?}");
    Seeded { dir, db }
}

impl Seeded {
    fn file(&self, name: &str, contents: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path.display().to_string()
    }
}

// ---------------------------------------------------------------------------------------
// 1. Help and version
// ---------------------------------------------------------------------------------------

#[test]
fn help_and_version_are_in_indonesian() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--help"], &["Perintah:", "serve", "wilayah", "Contoh:"]),
        (&["serve", "--help"], &["--bind", "--database", "--demo"]),
        (
            &["wilayah", "--help"],
            &["Perintah:", "import", "lihat", "cari"],
        ),
        (
            &["wilayah", "import", "--help"],
            &[
                "--berlaku",
                "--sumber",
                "--database",
                "TTTT-BB-HH",
                "<BERKAS>",
            ],
        ),
        (&["wilayah", "cari", "--help"], &["--batas", "--database"]),
        (&["wilayah", "lihat", "--help"], &["--database", "<KODE>"]),
    ];
    for (args, expected) in cases {
        let r = run(args);
        ok(&r);
        let out = &r.stdout;
        for word in ["Pemakaian:", "Opsi:", "Tampilkan bantuan ini"]
            .iter()
            .chain(expected.iter())
        {
            assert!(out.contains(word), "{args:?}: {word:?} missing\n{out}");
        }
        for english in [
            "Usage:",
            "Options:",
            "Commands:",
            "Print help",
            "Print version",
        ] {
            assert!(
                !out.contains(english),
                "{args:?}: English {english:?}\n{out}"
            );
        }
    }

    let r = run(&["--version"]);
    ok(&r);
    assert_eq!(
        r.stdout.trim(),
        format!("sinergi {}", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------
// 2. Bad arguments
// ---------------------------------------------------------------------------------------

#[test]
fn bad_arguments_exit_2_with_an_indonesian_message() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["layani"], &["perintah \"layani\" tidak dikenal"]),
        (
            &["serve", "--port", "1"],
            &["opsi \"--port\" tidak dikenal"],
        ),
        (
            &["serve", "--bind", "nonsense"],
            &["\"nonsense\"", "--bind", "tidak sah", "127.0.0.1:8080"],
        ),
        (
            &["wilayah", "import", "x.csv", "--berlaku", "31-12-2025"],
            &["\"31-12-2025\"", "--berlaku", "tidak sah", "TTTT-BB-HH"],
        ),
        (&["wilayah", "import"], &["argumen wajib belum diberikan"]),
    ];
    for (args, expected) in cases {
        let r = run(args);
        let err = failed(&r, 2);
        for part in *expected {
            assert!(err.contains(part), "{args:?}: {part:?} missing\n{r:?}");
        }
        assert!(err.contains("sinergi --help"), "{args:?}\n{r:?}");
        assert!(!err.contains("error:") && !err.contains("Usage:"), "{r:?}");
        assert!(r.stdout.is_empty(), "{r:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 3. Database errors
// ---------------------------------------------------------------------------------------

#[test]
fn sqlite_problems_get_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();

    // Bytes that are not SQLite.
    let corrupt = dir.path().join("rusak.db");
    let junk: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&corrupt, &junk).unwrap();
    let r = run_db(corrupt.to_str().unwrap(), &["wilayah", "lihat", "52"]);
    let err = failed(&r, 1);
    assert!(err.contains("bukan basis data SQLite yang utuh"), "{r:?}");
    assert!(err.contains("rusak.db"), "{r:?}");
    assert_eq!(
        std::fs::read(&corrupt).unwrap(),
        junk,
        "corrupt file altered"
    );

    // A file marked read-only, even for root, is neither used nor modified.
    let readonly = dir.path().join("hanya-baca.db");
    std::fs::write(&readonly, b"").unwrap();
    let mut perms = std::fs::metadata(&readonly).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&readonly, perms).unwrap();
    let r = run_db(readonly.to_str().unwrap(), &["wilayah", "lihat", "52"]);
    let err = failed(&r, 1);
    assert!(
        err.contains("hanya-baca") && err.contains("tidak bisa ditulis"),
        "{r:?}"
    );
    assert_eq!(
        std::fs::metadata(&readonly).unwrap().len(),
        0,
        "read-only file written"
    );

    // A folder that does not exist.
    let nowhere = dir.path().join("tidak-ada").join("sinergi.db");
    let r = run_db(nowhere.to_str().unwrap(), &["wilayah", "lihat", "52"]);
    let err = failed(&r, 1);
    assert!(err.contains("tidak bisa dibuka atau dibuat"), "{r:?}");
    assert!(!nowhere.parent().unwrap().exists());

    // A scheme that is not supported.
    let r = run_db("mysql://root@localhost/db", &["wilayah", "lihat", "52"]);
    let err = failed(&r, 1);
    assert!(
        err.contains("\"mysql\"") && err.contains("tidak didukung"),
        "{r:?}"
    );
}

#[test]
fn unreachable_postgres_is_reported_without_the_password() {
    let r = run_db(
        "postgres://postgres:rahasia@127.0.0.1:1/x",
        &["wilayah", "lihat", "52"],
    );
    let err = failed(&r, 1);
    assert!(err.contains("tidak dapat terhubung ke PostgreSQL"), "{r:?}");
    assert!(err.contains("127.0.0.1:1"), "{r:?}");
    assert!(err.contains("postgres:***@"), "{r:?}");
    assert!(
        !r.stderr.contains("rahasia") && !r.stdout.contains("rahasia"),
        "{r:?}"
    );
}

#[test]
fn missing_postgres_database_is_named() {
    let Some(server) = sinergi_testkit::postgres_url() else {
        return;
    };
    let server = server.split('?').next().unwrap();
    let url = format!(
        "{}/sinergi_tidak_ada_xyz",
        server.rsplit_once('/').map_or(server, |(s, _)| s)
    );
    let r = run_db(&url, &["wilayah", "lihat", "52"]);
    let err = failed(&r, 1);
    assert!(err.contains("basis data yang diminta tidak ada"), "{r:?}");
    assert!(
        err.contains("sinergi_tidak_ada_xyz") && err.contains("createdb"),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 4. Looking regions up
// ---------------------------------------------------------------------------------------

#[test]
fn lihat_and_cari() {
    let s = seeded();
    for code in ["52.03", "5203"] {
        let r = run_db(&s.db, &["wilayah", "lihat", code]);
        ok(&r);
        assert!(
            r.stdout.starts_with("52.03  Kabupaten Lombok Timur"),
            "{r:?}"
        );
        assert!(r.stdout.contains("di: Nusa Tenggara Barat"), "{r:?}");
        assert!(r.stdout.contains("21 kecamatan"), "{r:?}");
    }

    let r = run_db(&s.db, &["wilayah", "lihat", "52.99"]);
    assert!(failed(&r, 1).contains("52.99 tidak dikenal"), "{r:?}");

    let r = run_db(&s.db, &["wilayah", "lihat", "52.0X"]);
    let err = failed(&r, 1);
    assert!(
        err.contains("\"52.0X\"") && err.contains("hanya boleh berisi angka"),
        "{r:?}"
    );

    let r = run_db(&s.db, &["wilayah", "cari", "kota", "bima"]);
    ok(&r);
    let codes = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(String::from)
            .collect()
    };
    assert!(r.stdout.contains("Kota Bima"), "{r:?}");
    assert!(codes(&r.stdout).contains(&"52.72".to_string()), "{r:?}");
    assert!(!codes(&r.stdout).contains(&"52.06".to_string()), "{r:?}");
    assert!(!r.stdout.contains("Kabupaten Bima"), "{r:?}");

    let r = run_db(&s.db, &["wilayah", "cari", "Kab. Bima"]);
    ok(&r);
    let first = r.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("52.06") && first.contains("Kabupaten Bima"),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 5. Importing an official list
// ---------------------------------------------------------------------------------------

/// The embedded NTB list, and the changes a forward update makes to it.
struct NtbUpdate {
    csv: String,
    removed_desa: String,
    new_desa: String,
    kecamatan: String,
    old_name: String,
    new_name: String,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn ntb_update() -> NtbUpdate {
    let mut list: Vec<(String, String)> = sinergi_refdata::wilayah()
        .expect("embedded regions")
        .into_iter()
        .filter(|e| e.code.as_str().starts_with("52"))
        .map(|e| (e.code.as_str().to_string(), e.name))
        .collect();
    assert!(list.len() > 1000, "NTB has {} regions", list.len());
    let known: HashSet<String> = list.iter().map(|(c, _)| c.clone()).collect();
    let parent = |c: &str| c[..c.rfind('.').unwrap()].to_string();
    let is_desa = |c: &str| c.len() == 13;

    // A desa in Lombok Timur whose name no sibling shares, so its successor is unambiguous.
    let (removed_desa, desa_name) = list
        .iter()
        .filter(|(c, _)| c.starts_with("52.03.") && is_desa(c))
        .find(|(c, n)| {
            list.iter()
                .filter(|(o, m)| is_desa(o) && parent(o) == parent(c) && m == n)
                .count()
                == 1
        })
        .cloned()
        .expect("a desa with a unique name");
    let new_desa = (2900..3000)
        .map(|n| format!("{}.{n}", parent(&removed_desa)))
        .find(|c| !known.contains(c))
        .expect("a free desa code");
    let (kecamatan, old_name) = list
        .iter()
        .find(|(c, _)| c.len() == 8 && c.starts_with("52.02."))
        .cloned()
        .expect("a kecamatan in Lombok Tengah");
    let new_name = format!("{old_name} Raya Baru");

    list.retain(|(c, _)| c != &removed_desa);
    list.push((new_desa.clone(), desa_name));
    for (c, n) in &mut list {
        if *c == kecamatan {
            *n = new_name.clone();
        }
    }
    let mut csv = String::from("kode,nama\n");
    for (c, n) in &list {
        csv.push_str(&format!("{c},{}\n", csv_field(n)));
    }
    NtbUpdate {
        csv,
        removed_desa,
        new_desa,
        kecamatan,
        old_name,
        new_name,
    }
}

/// Applies the forward update to `db` and checks what the binary reports afterwards.
fn apply_forward_update(db: &str, csv_path: &Path, u: &NtbUpdate) {
    let r = run_db(db, &["wilayah", "lihat", &u.new_desa]);
    assert!(failed(&r, 1).contains("tidak dikenal"), "{r:?}");
    let r = run_db(
        db,
        &[
            "wilayah",
            "import",
            csv_path.to_str().unwrap(),
            "--berlaku",
            "2026-01-01",
            "--sumber",
            "Kepmendagri uji",
        ],
    );
    ok(&r);
    assert!(
        r.stdout.contains(
            "berlaku 2026-01-01): 1 ditambah, 1 berganti nama, 1 tidak berlaku lagi, 0 berlaku kembali"
        ),
        "{r:?}"
    );

    let r = run_db(db, &["wilayah", "lihat", &u.removed_desa]);
    ok(&r);
    assert!(
        r.stdout.contains(&format!(
            "tidak berlaku sejak 2026-01-01; diganti oleh {}",
            u.new_desa
        )),
        "{r:?}"
    );
    assert!(!r.stdout.contains("di bawahnya"), "{r:?}");

    let r = run_db(db, &["wilayah", "lihat", &u.new_desa]);
    ok(&r);
    assert!(r.stdout.contains("berlaku sejak: 2026-01-01"), "{r:?}");
    assert!(!r.stdout.contains("tidak berlaku"), "{r:?}");

    let r = run_db(db, &["wilayah", "lihat", &u.kecamatan]);
    ok(&r);
    assert!(
        r.stdout
            .starts_with(&format!("{}  {}", u.kecamatan, u.new_name)),
        "{r:?}"
    );
    assert!(
        r.stdout.contains(&format!(
            "nama sebelumnya: {} (sampai 2026-01-01)",
            u.old_name
        )),
        "{r:?}"
    );

    // The rest of the country is untouched: Kalimantan Barat still answers.
    let r = run_db(db, &["wilayah", "lihat", "61"]);
    ok(&r);
    assert!(r.stdout.contains("Kalimantan Barat") && !r.stdout.contains("tidak berlaku"));
}

#[test]
fn import_refuses_bad_files_and_applies_a_forward_update() {
    let s = seeded();
    let u = ntb_update();
    let kec = u.kecamatan.as_str();
    let would_add = format!("{kec}.2999");

    // (a) A malformed file: every bad row named, nothing written.
    let bad = s.file(
        "salah.csv",
        format!("kode,nama\n{would_add},Desa Baru\n52.0X,Salah\n{kec}.2998,\n{would_add},Lagi\n")
            .as_bytes(),
    );
    let r = run_db(
        &s.db,
        &["wilayah", "import", &bad, "--berlaku", "2026-01-01"],
    );
    let err = failed(&r, 1);
    assert!(err.contains("ditolak, tidak ada yang disimpan"), "{r:?}");
    assert!(
        err.contains("baris 3, kolom kode") && err.contains("\"52.0X\""),
        "{r:?}"
    );
    assert!(
        err.contains("baris 4, kolom nama") && err.contains("kosong"),
        "{r:?}"
    );
    assert!(
        err.contains("baris 5") && err.contains("sudah muncul di baris 2"),
        "{r:?}"
    );
    let r = run_db(&s.db, &["wilayah", "lihat", &would_add]);
    assert!(failed(&r, 1).contains("tidak dikenal"), "{r:?}");

    // (b) An orphan: its kecamatan exists neither in the file nor in the database. Had the
    // file been applied, it would also have retired the rest of NTB.
    let orphan = "52.03.99.2001";
    let file = s.file(
        "yatim.csv",
        format!("kode,nama\n52,Nusa Tenggara Barat\n{orphan},Desa Yatim\n").as_bytes(),
    );
    let r = run_db(
        &s.db,
        &["wilayah", "import", &file, "--berlaku", "2026-01-01"],
    );
    let err = failed(&r, 1);
    assert!(err.contains("tidak ada yang disimpan"), "{r:?}");
    assert!(
        err.contains(&format!("baris 3, kode {orphan}")) && err.contains("induknya 52.03.99"),
        "{r:?}"
    );
    let r = run_db(&s.db, &["wilayah", "lihat", orphan]);
    assert!(failed(&r, 1).contains("tidak dikenal"), "{r:?}");
    let r = run_db(&s.db, &["wilayah", "lihat", "52.03"]);
    ok(&r);
    assert!(r.stdout.contains("21 kecamatan") && !r.stdout.contains("tidak berlaku"));

    // (c) The full NTB list dated 2026-01-01 with one recode and one rename.
    let csv = s.file("ntb_2026.csv", u.csv.as_bytes());
    apply_forward_update(&s.db, Path::new(&csv), &u);
}

#[test]
fn import_forward_update_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::postgres()) else {
        return;
    };
    drop(rt);
    let u = ntb_update();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ntb_2026.csv");
    std::fs::write(&csv, &u.csv).unwrap();
    apply_forward_update(&db.arg(), &csv, &u);
}

// ---------------------------------------------------------------------------------------
// 6. serve
// ---------------------------------------------------------------------------------------

/// A running server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Lines read while waiting for the address.
    seen: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bind: &str, db: &str) -> Server {
    start_server_with(&["serve", "--bind", bind, "--database", db])
}

fn start_server_with(args: &[&str]) -> Server {
    let mut child = sinergi(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sinergi serve");
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    for stream in [
        Box::new(stdout) as Box<dyn std::io::Read + Send>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    Server {
        child,
        lines,
        seen: Vec::new(),
    }
}

impl Server {
    /// Waits for the "Sinergi berjalan di http://ADDR" line and returns ADDR.
    pub(crate) fn address(&mut self) -> String {
        // Generous: the demo load shares two cores with the other tests (and engineers).
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    assert!(
                        !line.contains('\u{1b}'),
                        "colour codes in a piped log: {line:?}"
                    );
                    self.seen.push(line.clone());
                    if let Some((_, rest)) = line.split_once("Sinergi berjalan di http://") {
                        assert!(rest.contains("basis data: SQLite"), "{line}");
                        return rest.split_whitespace().next().unwrap().to_string();
                    }
                    seen.push(line);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = self.child.try_wait() {
                        panic!("server ended with {status}:\n{}", seen.join("\n"));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("server did not report its address:\n{}", seen.join("\n"));
    }

    /// Waits for the process to end by itself and returns its exit code and output.
    fn finish(&mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "second server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut output = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            output.push(line);
        }
        (status.code(), output.join("\n"))
    }
}

fn get(url: &str) -> String {
    ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .into_body()
        .read_to_string()
        .unwrap()
}

#[test]
fn serve_answers_and_refuses_a_busy_port() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("sinergi.db");
    let db = db.to_str().unwrap();
    let mut server = start_server("127.0.0.1:0", db);
    let addr = server.address();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );

    assert_eq!(get(&format!("http://{addr}/healthz")).trim(), "ok");
    let page = get(&format!("http://{addr}/wilayah/52"));
    assert!(page.contains("Nusa Tenggara Barat"), "{page}");
    assert!(page.contains("Kabupaten Lombok Timur"), "{page}");

    let mut second = start_server(&addr, db);
    let (code, output) = second.finish();
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains(&format!("galat: alamat {addr} sudah dipakai")),
        "{output}"
    );
    assert!(output.contains("--bind"), "{output}");

    // The first server is still serving.
    assert_eq!(get(&format!("http://{addr}/healthz")).trim(), "ok");
}

// --- accounts, keys, person lists, audit ------------------------------------------------

/// Runs with stdin fed from `input`.
fn run_input(args: &[&str], input: &str, env: &[(&str, &str)]) -> Run {
    use std::io::Write;
    let mut cmd = sinergi(args);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run sinergi");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn admin_create_and_audit_verify_catch_a_tampered_log() {
    let db = TestDb::sqlite();
    let arg = db.arg();
    let create = |name: &str, password: &str| {
        run_input(
            &[
                "admin",
                "create",
                "--nama-pengguna",
                name,
                "--wilayah",
                "52",
                "--database",
                &arg,
            ],
            &format!("{password}\n"),
            &[],
        )
    };
    let r = create("admin.ntb", "sandi-admin-123");
    ok(&r);
    assert!(
        r.stdout.contains("Admin provinsi \"admin.ntb\" dibuat"),
        "{r:?}"
    );
    assert!(failed(&create("admin.ntb", "sandi-admin-456"), 1).contains("sudah dipakai"));
    assert!(failed(&create("admin.lain", "pendek"), 1).contains("paling sedikit 10 karakter"));
    let bad_region = run_input(
        &[
            "admin",
            "create",
            "--nama-pengguna",
            "x.y",
            "--wilayah",
            "52.03",
            "--database",
            &arg,
        ],
        "sandi-admin-123\n",
        &[],
    );
    assert!(
        failed(&bad_region, 1).contains("provinsi"),
        "{bad_region:?}"
    );
    let r = run_db(&arg, &["audit", "verify"]);
    ok(&r);
    assert!(r.stdout.contains("Log audit utuh: 1 entri"), "{r:?}");
    // The head printed now, recorded outside the database, is checked later with --kepala.
    let head = r
        .stdout
        .split_whitespace()
        .find(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        .expect("head hash printed")
        .to_string();
    let r = create("admin.dua", "sandi-admin-789");
    ok(&r);
    let r = run_db(&arg, &["audit", "verify", "--kepala", &head]);
    ok(&r);
    assert!(r.stdout.contains("ada di rantai sebagai entri #1"), "{r:?}");
    assert!(r.stdout.contains("Log audit utuh: 2 entri"), "{r:?}");
    let r = run_db(&arg, &["audit", "verify", "--kepala", &"ab".repeat(32)]);
    assert!(failed(&r, 1).contains("tidak ada lagi di rantai"), "{r:?}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        db.raw("DROP TRIGGER audit_log_no_update").await;
        db.raw("UPDATE audit_log SET actor_name = 'orang-lain' WHERE seq = 1")
            .await;
    });
    let r = run_db(&arg, &["audit", "verify"]);
    assert!(
        failed(&r, 1).contains("log audit RUSAK: entri #1 telah diubah"),
        "{r:?}"
    );
}

/// (file, bytes, stored (None: the whole file refused), refused lines, words shown)
type CorpusFile = (&'static str, Vec<u8>, Option<u64>, u64, &'static str);

/// Issue 16: damaged files through the command line on both backends, each with its stored /
/// refused counts: the same corpus the web tests send through the page and the API.
#[test]
fn damaged_person_lists_through_the_command_line_on_both_backends() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in rt.block_on(TestDb::all()) {
        let world = rt.block_on(sinergi_testkit::world::build(&db));
        let key = world.key_text.clone();
        rt.block_on(world.store.close());
        let arg = db.arg();
        let dir = tempfile::tempdir().unwrap();
        let utf16: Vec<u8> = b"\xff\xfe"
            .iter()
            .copied()
            .chain(
                "nama\tnik\tkode_desa\r\nSiti Ä\t\t52.03.05.2003\r\nDewi\t-\t52.03.05.2003\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        // (file, bytes, stored (None: the whole file refused), refused lines, words shown)
        let corpus: Vec<CorpusFile> = vec![
            (
                "warnings.csv",
                b"nama;nik;jenis_kelamin;tanggal_lahir;kode_desa\n\
                  Baiq A;5203054507900021;P;05-07-1990;52.03.05.2003\n\
                  Baiq B;5203054507900021;P;05-07-1990;52.03.05.2003\n\
                  Lalu C;5203050101800031;P;01-01-1980;52.03.05.2003\n\
                  Rusak;12345;L;01-01-1980;52.03.05.2003\n\
                  Masa Depan;;L;01-01-2099;52.03.05.2003\n\
                  Pendek;;L\n"
                    .to_vec(),
                Some(3),
                3,
                "baris 7",
            ),
            ("utf16.txt", utf16, Some(2), 0, ""),
            (
                "no_nik.csv",
                b"nama,kode_desa\nSiti,52.03.05.2003\n".to_vec(),
                None,
                1,
                "nik",
            ),
            (
                "quote.csv",
                b"nama,nik,kode_desa\nSiti,,52.03.05.2003\n\"Ani,,52.03.05.2003\nBudi,,52.03.05.2003\n"
                    .to_vec(),
                None,
                1,
                "baris 3",
            ),
            (
                "header_only.csv",
                b"nama,nik,kode_desa\n".to_vec(),
                None,
                1,
                "",
            ),
        ];
        for (name, bytes, stored, refused, words) in corpus {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let path = path.display().to_string();
            let r = run_input(
                &[
                    "daftar",
                    "impor",
                    &path,
                    "--sebagai",
                    "op5203",
                    "--organisasi",
                    "Mitra A",
                    "--dasar-hukum",
                    "tugas_publik",
                    "--rujukan",
                    "PKS 16",
                    "--database",
                    &arg,
                ],
                "",
                &[("SINERGI_KUNCI", key.as_str())],
            );
            let label = db.label;
            match stored {
                Some(n) => {
                    ok(&r);
                    assert!(
                        r.stdout.contains(&format!("{n} orang untuk Mitra A")),
                        "{label} {name}: {r:?}"
                    );
                    // The summary counts the warnings kept: the repeated NIK on both its
                    // rows, and Lalu C's NIK (a man's) against the sex given.
                    let warned = if name == "warnings.csv" { 3 } else { 0 };
                    assert!(
                        r.stdout
                            .contains(&format!("{warned} peringatan disimpan bersama baris")),
                        "{label} {name}: {r:?}"
                    );
                    if refused > 0 {
                        assert!(
                            r.stderr
                                .contains(&format!("{refused} baris tidak disimpan")),
                            "{label} {name}: {r:?}"
                        );
                    } else {
                        assert!(!r.stderr.contains("tidak disimpan"), "{name}: {r:?}");
                    }
                }
                None => {
                    let message = failed(&r, 1);
                    assert!(
                        message.contains("berkas ditolak, tidak ada yang disimpan"),
                        "{label} {name}: {r:?}"
                    );
                    // One message for the whole file, never one per row.
                    assert_eq!(message.lines().count(), 2, "{label} {name}: {r:?}");
                }
            }
            assert!(
                r.stdout.contains(words) || r.stderr.contains(words),
                "{label} {name}: {r:?}"
            );
        }
    }
}

#[test]
fn person_lists_need_a_legal_basis_stay_in_scope_and_report_bad_rows() {
    let db = TestDb::sqlite();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(sinergi_testkit::world::build(&db));
    let key = world.key_text.clone();
    rt.block_on(world.store.close());
    let arg = db.arg();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let good = file(
        "penerima.csv",
        "nama,nik,jenis_kelamin,tanggal_lahir,kode_desa\n\
         Baiq Nurhasanah,5203054507900011,P,1990-07-05,52.03.05.2003\n\
         Lalu Zainudin,5.2E+15,L,12-03-1985,52.03.05.2003\n\
         Muhammad Saleh,5203050101800012,L,01/01/1980,52.03.05.2004\n",
    );
    let outside = file(
        "luar.csv",
        "nama,nik,kode_desa\nSiti,,52.03.05.2003\nAhmad,,52.02.01.2001\n",
    );
    let env = [("SINERGI_KUNCI", key.as_str())];
    let import = |path: &str, extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "daftar",
            "impor",
            path,
            "--sebagai",
            "op5203",
            "--organisasi",
            "Mitra A",
        ];
        args.extend_from_slice(extra);
        args.extend(["--database", arg.as_str()]);
        run_input(&args, "", env)
    };
    let r = import(&good, &[], &env);
    let message = failed(&r, 1);
    assert!(
        message.contains("dasar hukum") && message.contains("UU 27/2022"),
        "{r:?}"
    );
    let r = import(
        &good,
        &["--dasar-hukum", "sukarela", "--rujukan", "x"],
        &env,
    );
    assert!(failed(&r, 1).contains("tidak dikenal"), "{r:?}");
    let r = import(
        &outside,
        &["--dasar-hukum", "tugas_publik", "--rujukan", "PKS 12/2025"],
        &env,
    );
    let message = failed(&r, 1);
    assert!(
        message.contains("di luar cakupan") && message.contains("baris 3"),
        "{r:?}"
    );
    // A wrong key is refused before anything is written.
    let (_, other) = sinergi_store::PiiKey::generate();
    let r = import(
        &good,
        &["--dasar-hukum", "tugas_publik", "--rujukan", "PKS 12/2025"],
        &[("SINERGI_KUNCI", other.as_str())],
    );
    assert!(failed(&r, 1).contains("tidak cocok"), "{r:?}");
    let r = import(
        &good,
        &["--dasar-hukum", "tugas-publik", "--rujukan", "PKS 12/2025"],
        &env,
    );
    ok(&r);
    assert!(r.stdout.contains("2 orang untuk Mitra A"), "{r:?}");
    assert!(r.stderr.contains("1 baris tidak disimpan"), "{r:?}");
    assert!(r.stderr.contains("baris 3, kolom nik"), "{r:?}");
    let first_id = r
        .stdout
        .split("(id ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("list id printed")
        .to_string();
    // The same file again: refused, naming the earlier import; nothing stored.
    let basis = ["--dasar-hukum", "tugas-publik", "--rujukan", "PKS 12/2025"];
    let r = import(&good, &basis, &env);
    let message = failed(&r, 1);
    assert!(
        message.contains("sudah diimpor") && message.contains(&format!("id {first_id}")),
        "{r:?}"
    );
    // A corrected file replaces the list: still two people, not four.
    let corrected = file(
        "penerima_koreksi.csv",
        "nama,nik,jenis_kelamin,tanggal_lahir,kode_desa\n\
         Baiq Nurhasanah,5203054507900011,P,1990-07-05,52.03.05.2003\n\
         Muhammad Saleh,5203050101800012,L,01/01/1980,52.03.05.2004\n",
    );
    let mut replace = basis.to_vec();
    replace.extend(["--ganti", first_id.as_str()]);
    let r = import(&corrected, &replace, &env);
    ok(&r);
    assert!(r.stdout.contains("2 orang untuk Mitra A"), "{r:?}");
    // Stored: the operator sees the two new people plus the five of the fixture.
    let rt2 = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seen = rt2.block_on(async {
        let store = db
            .open()
            .await
            .with_key(sinergi_store::PiiKey::parse(&key).unwrap())
            .await
            .unwrap();
        let p = store
            .principal_by_username("op5203")
            .await
            .unwrap()
            .unwrap();
        store
            .as_user(&p)
            .export_persons(&sinergi_store::PersonFilter::default())
            .await
            .unwrap()
            .len()
    });
    assert_eq!(seen, 7);
}

#[test]
fn keys_production_mode_and_development_key_files() {
    let r = run(&["kunci", "buat"]);
    ok(&r);
    assert_eq!(r.stdout.trim().len(), 44, "{r:?}");
    assert!(sinergi_store::PiiKey::parse(r.stdout.trim()).is_ok());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let r = run_input(&["serve", "--produksi", "--database", &db], "", &[]);
    assert!(
        failed(&r, 1).contains("mode produksi membutuhkan kunci"),
        "{r:?}"
    );
    let r = run_input(
        &["serve", "--database", &db],
        "",
        &[("SINERGI_KUNCI", "rahasia")],
    );
    assert!(
        failed(&r, 1).contains("kunci data pribadi tidak sah"),
        "{r:?}"
    );
    // Outside production a development key is made beside the database, owner-only.
    let mut server = start_server("127.0.0.1:0", &db);
    server.address();
    drop(server);
    let key_file = dir.path().join("sinergi.db.kunci");
    let meta = std::fs::metadata(&key_file).expect("development key file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&key_file).unwrap();
    // The same key is used again; another one is refused.
    let mut server = start_server("127.0.0.1:0", &db);
    server.address();
    drop(server);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), text);
    let (_, other) = sinergi_store::PiiKey::generate();
    let r = run_input(
        &["serve", "--database", &db],
        "",
        &[("SINERGI_KUNCI", other.as_str())],
    );
    assert!(
        failed(&r, 1).contains("tidak cocok dengan basis data"),
        "{r:?}"
    );
}

/// The demo at a small scale, so the tests stay quick: 0.005 of NTB (about 29,000 people).
const TEST_DEMO_SCALE: &str = "0.005";

pub(crate) fn start_demo(db: &str) -> Server {
    start_server_with(&[
        "serve",
        "--demo",
        "--skala-demo",
        TEST_DEMO_SCALE,
        "--bind",
        "127.0.0.1:0",
        "--database",
        db,
    ])
}

/// Signs in through the login form: the agent, the CSRF token, and the session token when the
/// login succeeded (303 with a session cookie).
pub(crate) fn sign_in(
    addr: &str,
    user: &str,
    password: &str,
) -> (ureq::Agent, String, Option<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let cookie = |resp: &ureq::http::Response<ureq::Body>, name: &str| {
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{name}=")).map(str::to_string))
            .and_then(|v| v.split(';').next().map(str::to_string))
    };
    let login_page = agent.get(&format!("http://{addr}/masuk")).call().unwrap();
    let csrf = cookie(&login_page, "sinergi_csrf").unwrap();
    let resp = agent
        .post(&format!("http://{addr}/masuk"))
        .header("Cookie", &format!("sinergi_csrf={csrf}"))
        .send_form([
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", password),
        ])
        .unwrap();
    let session = (resp.status().as_u16() == 303)
        .then(|| cookie(&resp, "sinergi_sesi"))
        .flatten();
    (agent, csrf, session)
}

/// Fields of one CSV line (RFC 4180 quotes).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[test]
fn the_demo_world_is_loaded_and_each_account_sees_its_share() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let addr = server.address();
    let log = server.seen.join("\n");
    assert!(log.contains("skala 0.005"), "{log}");
    assert!(log.contains("dunia demo dimuat"), "{log}");
    assert!(log.contains("24 program mitra dimuat"), "{log}");

    // The NTB page: Desil I summed over the desa of this scale (DTSEN 233,849 × 0.005), and
    // the published figures with their kind.
    let page = get(&format!("http://{addr}/wilayah/52"));
    // The page budget is 60 KB with the stylesheet (about 3 KB).
    assert!(page.len() < 55_000, "NTB page is {} bytes", page.len());
    let desil1 = (233_849.0_f64 * 0.005).round() as u64;
    let shown = format!("{}.{:03}", desil1 / 1000, desil1 % 1000);
    for text in [
        "Profil",
        &format!("<b>{shown}</b> keluarga Desil I"),
        "12,91 %",
        "14,96 %",
        "32,7 %",
        "24,6 %",
        "233.849",
        "Angka survei",
        "Angka administratif",
    ] {
        assert!(page.contains(text), "NTB page lacks {text}");
    }

    let export = |user: &str| -> Vec<Vec<String>> {
        let (agent, _, session) = sign_in(&addr, user, "sinergi-demo-2025");
        let session = session.unwrap_or_else(|| panic!("{user} signs in"));
        let body = agent
            .get(&format!("http://{addr}/penerima/ekspor.csv"))
            .header("Cookie", &format!("sinergi_sesi={session}"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        let mut lines = body.trim_start_matches('\u{feff}').lines();
        let header = csv_fields(lines.next().unwrap());
        assert_eq!(header[6], "kode_wilayah", "{header:?}");
        lines.map(csv_fields).collect()
    };
    let lotim = export("operator.lotim");
    assert!(
        lotim.len() > 1_000,
        "Lombok Timur has people: {}",
        lotim.len()
    );
    assert!(
        lotim.iter().all(|r| r[6].starts_with("52.03.")),
        "operator.lotim sees someone outside Lombok Timur"
    );
    let owners: HashSet<&str> = lotim.iter().map(|r| r[8].as_str()).collect();
    assert!(
        owners.contains("Dinas Sosial Provinsi NTB") && owners.len() > 1,
        "the register and partners' lists: {owners:?}"
    );
    let baznas = export("mitra.baznas");
    assert!(!baznas.is_empty(), "Baznas holds the Tunas Negeri list");
    assert!(
        baznas.iter().all(|r| r[8] == "Baznas Provinsi NTB"),
        "mitra.baznas sees another organisation's list"
    );
    assert!(
        baznas.iter().any(|r| r[6].starts_with("52.03.05.")),
        "Tunas Negeri children of Masbagik"
    );
    let admin = export("admin.ntb");
    assert!(admin.len() > lotim.len() + baznas.len(), "{}", admin.len());
}

/// Each demo account signs in with a real browser and lands on its own home: what waits
/// for it, and how its strategy, programs or reports are doing, each linked to where it is done.
#[test]
fn each_demo_account_finds_its_own_work_on_its_home_page() {
    let Some(browser) = sinergi_testkit::browser::Browser::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let base = format!("http://{}", server.address());
    // The public home leads to the province profile, and shows no one's work.
    browser.open(&format!("{base}/"));
    let public = browser.source();
    assert!(
        public.contains("href=\"/wilayah/52\""),
        "public home links NTB"
    );
    assert!(!public.contains("Yang menunggu Anda"));
    let expect: [(&str, &[&str]); 6] = [
        (
            "admin.ntb",
            &[
                "Yang menunggu Anda",
                "laporan bulanan LKS terlambat",
                "href=\"/lks/laporan\"",
                "akreditasi atau izin LKS segera berakhir",
                "href=\"/lks/kedaluwarsa\"",
                "kab/kota belum membentuk LKKS",
                "Indikator utama strategi",
                "Nusa Tenggara Barat · Triwulan IV 2025",
                "IK1.1 Persentase penduduk miskin (P0)",
                "Lihat dasbor lengkap",
            ],
        ),
        (
            "pimpinan.ntb",
            &[
                "Indikator utama strategi",
                "Nusa Tenggara Barat · Triwulan IV 2025",
            ],
        ),
        (
            "operator.lotim",
            &[
                "Kabupaten Lombok Timur · Triwulan IV 2025",
                "indikator belum diisi realisasinya triwulan ini",
                "laporan bulanan LKS terlambat",
            ],
        ),
        (
            "operator.lks",
            &[
                "Laporan bulanan Anda",
                "LKSA Panti Asuhan Bhakti Luhur",
                "Oktober 2026",
                "Akreditasi dan izin",
            ],
        ),
        (
            "mitra.baznas",
            &[
                "Program Anda",
                "Jangkauan terhadap rencana",
                "href=\"/program/",
            ],
        ),
        (
            "mitra.sumbawa",
            &[
                "Program Anda",
                "desa tempat program Anda tumpang tindih dengan program lain",
                "href=\"/4w/analisis\"",
            ],
        ),
    ];
    for (user, texts) in expect {
        browser.open(&format!("{base}/masuk"));
        browser.type_into("#username", user);
        browser.type_into("#password", "sinergi-demo-2025");
        browser.click("form.stack button[type=submit]");
        browser.wait_for_url(|u| !u.contains("/masuk"));
        browser.open(&format!("{base}/"));
        let page = browser.source();
        for text in texts {
            assert!(page.contains(text), "{user}'s home lacks {text}");
        }
        let strategy = page.contains("Indikator utama strategi");
        let regional = ["admin.ntb", "pimpinan.ntb", "operator.lotim"].contains(&user);
        assert_eq!(
            strategy, regional,
            "{user}: strategy headline only for regions"
        );
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        browser.screenshot(&shots.join(format!("beranda-{user}.png")));
        browser.click("header form button");
        browser.wait_for_url(|u| u.contains("/masuk"));
    }
    drop(server);
}

#[test]
fn the_demo_accounts_in_the_readme_can_sign_in() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let addr = server.address();
    let password = readme
        .lines()
        .find_map(|l| {
            l.split("kata sandi `")
                .nth(1)
                .and_then(|r| r.split('`').next())
        })
        .expect("README names the demo password as: kata sandi `…`");
    let mut secrets = Vec::new();
    for user in [
        "admin.ntb",
        "operator.lotim",
        "operator.lks",
        "mitra.baznas",
        "pimpinan.ntb",
    ] {
        assert!(readme.contains(&format!("`{user}`")), "README lists {user}");
        let (agent, csrf, session) = sign_in(&addr, user, password);
        let session =
            session.unwrap_or_else(|| panic!("{user} cannot sign in with the README password"));
        secrets.push(session);
        secrets.push(csrf.clone());
        // A failed login is logged nowhere with its password either.
        agent
            .post(&format!("http://{addr}/masuk"))
            .header("Cookie", &format!("sinergi_csrf={csrf}"))
            .send_form([
                ("_csrf", csrf.as_str()),
                ("username", user),
                ("password", "tebakan-rahasia-99"),
            ])
            .unwrap();
    }
    // Nothing secret reaches the server's log.
    std::thread::sleep(Duration::from_millis(300));
    let log: Vec<String> = server
        .seen
        .iter()
        .cloned()
        .chain(server.lines.try_iter())
        .collect();
    assert!(
        log.iter().any(|l| l.contains("akun demo dibuat")),
        "{log:?}"
    );
    // Nor does personal data: no NIK- or KK-like digit run, no Excel-mangled number.
    let digits_run = |l: &str| {
        l.as_bytes()
            .split(|b| !b.is_ascii_digit())
            .any(|run| run.len() >= 12)
    };
    assert!(
        !log.iter().any(|l| digits_run(l) || l.contains("E+15")),
        "personal data reached the log:\n{}",
        log.join("\n")
    );
    for secret in secrets
        .iter()
        .map(String::as_str)
        .chain([password, "tebakan-rahasia-99"])
    {
        assert!(
            !log.iter().any(|l| l.contains(secret)),
            "a secret reached the log:\n{}",
            log.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// 7. geo import
// ---------------------------------------------------------------------------------------

/// A GeoJSON FeatureCollection with one square per code (keyed as the Kemendagri code).
fn squares(codes: &[&str]) -> String {
    let features: Vec<String> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = 116.0 + i as f64 * 0.1;
            format!(
                r#"{{"type":"Feature","properties":{{"kode":"{c}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},-8.6],[{x2},-8.6],[{x2},-8.5],[{x},-8.5],[{x},-8.6]]]}}}}"#,
                x2 = x + 0.05
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// Imports good boundaries, refuses a file with an unknown code or a broken feature as a
/// whole (nothing of it stored: the next import's count shows it), on the database `db`.
fn geo_import_refuses_bad_files_whole(db: &str, dir: &Path) {
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let good = file("kabkota.geojson", &squares(&["52.01", "52.02"]));
    let r = run_db(db, &["geo", "import", &good]);
    ok(&r);
    assert!(
        r.stdout.contains("2 batas wilayah disimpan") && r.stdout.contains("kabkota.geojson"),
        "{r:?}"
    );
    // The embedded boundaries are there from the first start; an import replaces them code
    // by code, so all 514 kab/kota stay bounded.
    assert!(
        r.stdout.contains("tingkat 2: 514 wilayah berbatas"),
        "{r:?}"
    );

    // One unknown code among good ones: the file is refused, the code named.
    let bad_code = file("salah.geojson", &squares(&["52.03", "52.99"]));
    let r = run_db(db, &["geo", "import", &bad_code]);
    let msg = failed(&r, 1);
    assert!(
        msg.contains("52.99") && msg.contains("tidak ada yang disimpan"),
        "{r:?}"
    );
    // A feature without a code: refused, named.
    let no_code = file(
        "tanpa_kode.geojson",
        &squares(&["52.04"]).replace(r#""kode":"52.04""#, r#""nama":"Lombok Timur""#),
    );
    let r = run_db(db, &["geo", "import", &no_code]);
    assert!(failed(&r, 1).contains("ditolak"), "{r:?}");
    // Not JSON at all.
    let junk = file(
        "rusak.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[",
    );
    let r = run_db(db, &["geo", "import", &junk]);
    assert!(failed(&r, 1).contains("ditolak"), "{r:?}");

    // (That nothing of a refused file is kept is checked in the store's tests.)
    let more = file("lagi.geojson", &squares(&["52.04"]));
    let r = run_db(db, &["geo", "import", &more, "--sumber", "uji"]);
    ok(&r);
    assert!(
        r.stdout.contains("1 batas wilayah disimpan") && r.stdout.contains("dari uji"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("tingkat 2: 514 wilayah berbatas"),
        "{r:?}"
    );
    // Importing the same codes again replaces them instead of adding.
    let r = run_db(db, &["geo", "import", &good]);
    ok(&r);
    assert!(
        r.stdout.contains("tingkat 2: 514 wilayah berbatas"),
        "{r:?}"
    );
}

#[test]
fn geo_import_stores_boundaries_and_refuses_bad_files_whole() {
    let s = seeded();
    geo_import_refuses_bad_files_whole(&s.db, s.dir.path());
    // A file that is not there.
    let r = run_db(&s.db, &["geo", "import", "/tidak/ada.geojson"]);
    assert!(failed(&r, 1).contains("tidak bisa dibaca"), "{r:?}");
}

#[test]
fn geo_import_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::postgres()) else {
        return;
    };
    drop(rt);
    let dir = tempfile::tempdir().unwrap();
    geo_import_refuses_bad_files_whole(&db.arg(), dir.path());
}

/// The real NTB kecamatan boundaries, when the shared reference data is present.
#[test]
fn geo_import_reads_the_real_ntb_kecamatan_file() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/geo/kecamatan_52.geojson");
    if !path.exists() {
        eprintln!(
            "SKIPPED: {} is absent; the real boundary file is not tested",
            path.display()
        );
        return;
    }
    let s = seeded();
    let r = run_db(&s.db, &["geo", "import", &path.display().to_string()]);
    ok(&r);
    // "117 batas wilayah disimpan …": the file's kecamatan replace the embedded ones code by
    // code (the kecamatan count of every province held stays in "tingkat 3").
    let n: usize = r
        .stdout
        .lines()
        .find(|l| l.contains("batas wilayah disimpan"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no stored count: {r:?}"));
    // NTB has 117 kecamatan; the file may lag the code list by a few.
    assert!((100..=130).contains(&n), "{r:?}");
}

/// A fresh install knows the 2016–2023 region codes as history: a NIK first registered in
/// Merauke before the 2022 Papua split (old 91.01.01) is valid with a warning, a prefix in no
/// list is refused.
#[test]
fn a_fresh_install_knows_old_nik_prefixes_as_history() {
    let s = seeded();
    let r = run_db(&s.db, &["wilayah", "lihat", "91.01.01"]);
    ok(&r);
    assert!(r.stdout.contains("Merauke"), "{r:?}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let target = sinergi_store::DatabaseTarget::parse(&s.db).unwrap();
        let store = sinergi_store::Store::open(target).await.unwrap();
        let versions = store.region_versions().await.unwrap();
        assert_eq!(versions.len(), 6, "{versions:?}");
        let prefixes = store.region_prefix_table().await.unwrap();
        let old = sinergi_core::Nik::parse("9101011205900001", Some(&prefixes)).unwrap();
        assert_eq!(
            old.warnings
                .iter()
                .map(sinergi_core::NikWarning::code)
                .collect::<Vec<_>>(),
            ["nik.prefix_historical"]
        );
        // The same kecamatan under its 2025 code, and a current NTB one: no warning.
        for nik in ["9301011205900001", "5203051205900001"] {
            let p = sinergi_core::Nik::parse(nik, Some(&prefixes)).unwrap();
            assert!(p.warnings.is_empty(), "{nik}: {:?}", p.warnings);
        }
        let made_up = sinergi_core::Nik::parse("5203991205900001", Some(&prefixes)).unwrap_err();
        assert_eq!(made_up[0].code(), "nik.prefix_unknown");
        store.close().await;
    });
}

/// `sinergi templat` writes the same template the import pages serve; an unknown kind is
/// refused naming the kinds.
#[test]
fn templat_writes_an_import_template() {
    let s = seeded();
    let out = s.dir.path().join("templat_lks.xlsx");
    let path = out.display().to_string();
    let r = run_db(
        &s.db,
        &["templat", "lks", "-o", &path, "--wilayah", "52.03"],
    );
    ok(&r);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let table = sinergi_intake::read_table_bytes("templat_lks.xlsx", &bytes).unwrap();
    assert_eq!(table.header[..3], ["kode_lks", "nama", "kode_wilayah"]);
    assert_eq!(table.rows(), 1);
    let r = run_db(&s.db, &["registri", "impor", "lks", &path]);
    ok(&r);
    assert!(
        r.stdout.contains("1 baru, 0 diperbarui, 0 ditolak"),
        "{r:?}"
    );
    let r = run_db(&s.db, &["templat", "resep", "-o", &path]);
    assert!(
        failed(&r, 1).contains("daftar, program, lks, lkks, mitra"),
        "{r:?}"
    );
}
